"""Real Meltano, tap-jsonl and target-jsonl for tests, each in its own cached venv.

Installed from the package index once and kept under $FLEXT_TEST_CACHE (default
~/.cache/flext-test), keyed by version, so later runs work offline. A venv is usable
only once its `.ok` marker exists (written after a complete install, under a lock, so
parallel workers never see half a venv). Without network on a fresh machine the tests
that need them are skipped locally and FAIL under CI (CI must not pass by skipping).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("FLEXT_TEST_CACHE") or Path.home() / ".cache" / "flext-test")
MELTANO = ("meltano", "4.4.1")
TAP = ("tap-jsonl", "0.3.1")
TARGET = ("target-jsonl", "0.1.4")


def venv_tool(package: str, version: str, executable: str | None = None) -> Path:
    """The path of `executable` (default: the package name) in a cached venv with package==version."""
    home = CACHE / f"{package}-{version}"
    exe = home / "bin" / (executable or package)
    if (home / ".ok").exists() and exe.exists():
        return exe
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{package}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (home / ".ok").exists() and exe.exists():
            return exe
        shutil.rmtree(home, ignore_errors=True)
        base = getattr(sys, "_base_executable", sys.executable)
        steps = [[base, "-m", "venv", str(home)],
                 [str(home / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", f"{package}=={version}"]]
        for cmd in steps:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
            if proc.returncode != 0:
                shutil.rmtree(home, ignore_errors=True)
                message = f"cannot install {package}=={version}: {proc.stderr.strip()[-400:]}"
                if os.environ.get("CI"):
                    pytest.fail(message)
                pytest.skip(message)
        (home / ".ok").touch()
    return exe


@pytest.fixture(scope="session")
def meltano_exe() -> Path:
    return venv_tool(*MELTANO)


@pytest.fixture(scope="session")
def singer_tools() -> tuple[Path, Path]:
    """(tap-jsonl, target-jsonl) executables."""
    return venv_tool(*TAP), venv_tool(*TARGET)


def gruponos_project(root: Path, tap: Path, target: Path, *, broken_incremental: bool = False) -> Path:
    """A Meltano project shaped like gruponos-meltano-native: executable-only Oracle WMS
    extractors/loaders (here tap-jsonl/target-jsonl over local files), the jobs
    full-sync-job and incremental-sync-job, scheduled @weekly and every two hours."""
    root.mkdir(parents=True, exist_ok=True)
    data = root / "wms-export"
    data.mkdir(exist_ok=True)
    (data / "order_hdr.jsonl").write_text("".join(f'{{"id": {i}, "order_nbr": "ORD-{i:04d}"}}\n' for i in range(1, 6)))
    out = root / "output"
    failing = root / "target-fails"
    failing.write_text("#!/bin/sh\ncat >/dev/null\necho 'target: cannot reach Oracle' >&2\nexit 3\n")
    failing.chmod(0o755)
    incremental_target = failing if broken_incremental else target
    (root / "meltano.yml").write_text(textwrap.dedent(f"""\
        version: 1
        default_environment: dev
        send_anonymous_usage_stats: false
        environments:
          - name: dev
          - name: staging
          - name: prod
        plugins:
          extractors:
            - name: tap-oracle-wms-full
              namespace: tap_oracle_wms
              executable: {tap}
              config:
                path: {data}/*.jsonl
                stream_name: order_hdr
              commands:
                test:
                  args: --about
            - name: tap-oracle-wms-incremental
              namespace: tap_oracle_wms
              executable: {tap}
              config:
                path: {data}/*.jsonl
                stream_name: order_hdr
          loaders:
            - name: target-oracle-full
              namespace: target_oracle
              executable: {target}
              config:
                destination_path: {out}/full
                do_timestamp_file: false
            - name: target-oracle-incremental
              namespace: target_oracle
              executable: {incremental_target}
              config:
                destination_path: {out}/incremental
                do_timestamp_file: false
        jobs:
          - name: full-sync-job
            tasks:
              - tap-oracle-wms-full target-oracle-full
          - name: incremental-sync-job
            tasks:
              - tap-oracle-wms-incremental target-oracle-incremental
        schedules:
          - name: full-sync-schedule
            interval: '@weekly'
            job: full-sync-job
          - name: incremental-sync-schedule
            interval: '0 */2 * * *'
            job: incremental-sync-job
        """))
    return root
