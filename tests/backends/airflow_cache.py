"""Apache Airflow for the tests, in its own cached virtual environment.

flext never depends on apache-airflow; only the tests install it, from the package
index, into `$FLEXT_TEST_AIRFLOW` (default ~/.cache/flext-test-airflow), one venv per
version (`<root>/<version>/venv`), kept between sessions like the plugin caches. A venv
is used only once its marker file exists, so an interrupted install is redone.
`.ci/run` calls this file before the tests (`python tests/backends/airflow_cache.py`)
so the install time is outside pytest's timeouts; the fixture calls `ensure()` too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VERSION = os.environ.get("FLEXT_TEST_AIRFLOW_VERSION") or "3.3.2"
MARKER = ".flext-installed"


def root() -> Path:
    base = os.environ.get("FLEXT_TEST_AIRFLOW") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "flext-test-airflow")
    return Path(base)


def venv_dir(version: str = VERSION) -> Path:
    return root() / version / "venv"


def ensure(version: str = VERSION) -> Path:
    """The venv's bin directory, holding `airflow`; installed first when missing."""
    import fcntl

    venv = venv_dir(version)
    bin_dir = venv / "bin"
    if (venv / MARKER).exists() and (bin_dir / "airflow").exists():
        return bin_dir
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / ".lock", "w") as lock:  # one installer at a time (CI pre-install, xdist, ...)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / MARKER).exists() and (bin_dir / "airflow").exists():
            return bin_dir
        if venv.exists():
            import shutil

            shutil.rmtree(venv)
        base = getattr(sys, "_base_executable", None) or sys.executable
        _run([base, "-m", "venv", str(venv)])
        _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              f"apache-airflow=={version}"])
        _run([str(bin_dir / "airflow"), "version"], env={**os.environ, "AIRFLOW_HOME": str(venv / "airflow-home")})
        (venv / MARKER).write_text(version + "\n")
    return bin_dir


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    """Run quietly; on failure, raise with the end of what it printed."""
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise RuntimeError(f"{' '.join(argv[:4])} ... exited {proc.returncode}:\n{tail}")


if __name__ == "__main__":
    print(ensure())
