"""The GrupoNos project as that team runs it: `gruponos init` writes it, `gruponos doctor` says what
it lacks (each with a hint), its jobs run with real Meltano installed by `flext meltano install`
(tap-jsonl/target-jsonl swapped in through --executable), and a real `flext serve` runs them on
their schedule; `gruponos status` shows the runs."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from flext.plugins.bundled.gruponos import project
from tests.conftest import Run
from tests.engine.conftest import poll, uv_cache_root
from tests.plugins.tools import MELTANO, meltano_exe, singer_tools  # noqa: F401  (fixtures)

Flext = Callable[..., Run]
NO_MELTANO = {"PATH": "/usr/bin:/bin"}  # neither meltano nor the FLEXT taps on PATH
FILES = ["meltano.yml", ".env.example", ".gitignore", "README.md", "transform/dbt_project.yml",
         "transform/profiles/profiles.yml", "transform/models/staging/_sources.yml",
         "transform/models/staging/stg_wms__allocation.sql", "transform/models/staging/stg_wms__order_hdr.sql",
         "transform/models/staging/stg_wms__order_dtl.sql", "transform/models/marts/.gitkeep"]
VARIABLES = ["TAP_ORACLE_WMS_BASE_URL", "TAP_ORACLE_WMS_USERNAME", "TAP_ORACLE_WMS_PASSWORD",
             "TAP_ORACLE_WMS_COMPANY_CODE", "TAP_ORACLE_WMS_FACILITY_CODE", "FLEXT_TARGET_ORACLE_HOST",
             "FLEXT_TARGET_ORACLE_PORT", "FLEXT_TARGET_ORACLE_SERVICE_NAME", "FLEXT_TARGET_ORACLE_USERNAME",
             "FLEXT_TARGET_ORACLE_PASSWORD", "FLEXT_TARGET_ORACLE_PROTOCOL", "FLEXT_TARGET_ORACLE_SCHEMA"]
PLUGINS = ["tap-oracle-wms-full", "tap-oracle-wms-incremental", "target-oracle-full", "target-oracle-incremental"]


@pytest.fixture
def empty(env: dict[str, str]) -> Path:
    folder = Path.cwd() / "empty"
    folder.mkdir()
    os.chdir(folder)
    return folder


@contextmanager
def listening() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections (a stand-in host for the reachability probe)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield int(server.getsockname()[1])


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed when the socket is: nothing listens there


def _doctor(flext: Flext, **extra: str) -> tuple[Run, list[dict[str, Any]]]:
    run = flext("gruponos", "doctor", "-o", "json", extra_env={**NO_MELTANO, **extra})
    return run, json.loads(run.out) if run.out else []


def test_init_writes_the_project_as_the_team_runs_it(flext: Flext, empty: Path) -> None:
    run = flext("gruponos", "init", "-o", "json")
    assert run.code == 0, run
    assert [r["file"] for r in run.json()] == FILES  # type: ignore[union-attr]
    assert run.err == f"✓ GrupoNos project written in {empty}\nnext: `flext gruponos doctor` says what it still needs\n"
    data = yaml.safe_load((empty / "meltano.yml").read_text())
    assert data["default_environment"] == "dev"
    assert [e["name"] for e in data["environments"]] == ["dev", "staging", "prod"]
    extractors, loaders = data["plugins"]["extractors"], data["plugins"]["loaders"]
    assert [(p["name"], p["namespace"], p["executable"]) for p in extractors] == [
        ("tap-oracle-wms-full", "tap_oracle_wms", "flext-tap-oracle-wms"),
        ("tap-oracle-wms-incremental", "tap_oracle_wms", "flext-tap-oracle-wms")]
    assert all(p["config"]["entities"] == ["allocation", "order_hdr", "order_dtl"] for p in extractors)
    assert (extractors[0]["config"]["enable_incremental"], extractors[1]["config"]["enable_incremental"]) == (False, True)
    assert extractors[1]["config"]["replication_key"] == "mod_ts"
    assert [(p["name"], p["executable"], p["config"]["load_method"]) for p in loaders] == [
        ("target-oracle-full", "flext-target-oracle", "append-only"),
        ("target-oracle-incremental", "flext-target-oracle", "upsert")]
    assert sorted(loaders[0]["config"]["oracle_config"]) == ["host", "password", "port", "protocol", "service_name",
                                                             "username"]
    assert data["jobs"] == [{"name": "full-sync-job", "tasks": ["tap-oracle-wms-full target-oracle-full"]},
                            {"name": "incremental-sync-job",
                             "tasks": ["tap-oracle-wms-incremental target-oracle-incremental"]}]
    assert [(s["job"], s["interval"]) for s in data["schedules"]] == [("full-sync-job", "@weekly"),
                                                                      ("incremental-sync-job", "0 */2 * * *")]
    # .env.example: the names meltano.yml uses, and no value
    example = (empty / ".env.example").read_text().splitlines()
    names = [line.split("=")[0] for line in example if line and not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Z_]+=", line) for line in example if line and not line.startswith("#"))
    assert names == project.variables(data) == VARIABLES
    assert not (empty / ".env").exists()
    dbt = yaml.safe_load((empty / "transform" / "dbt_project.yml").read_text())
    assert (dbt["name"], dbt["profile"]) == ("gruponos_wms", "gruponos_wms")
    profiles = yaml.safe_load((empty / "transform" / "profiles" / "profiles.yml").read_text())
    assert sorted(profiles["gruponos_wms"]["outputs"]) == ["dev", "prod", "staging"]
    sources = yaml.safe_load((empty / "transform" / "models" / "staging" / "_sources.yml").read_text())
    assert [t["name"] for t in sources["sources"][0]["tables"]] == ["allocation", "order_hdr", "order_dtl"]
    # a second init refuses; --force writes over it, with overrides (an executable name covers its plugins)
    again = flext("gruponos", "init")
    assert (again.code, again.err) == (7, f"error: {empty} already holds a Meltano project\nhint: choose another "
                                          "folder, or pass --force to write the GrupoNos project over it\n")
    forced = flext("gruponos", "init", "--force", "--executable", "flext-tap-oracle-wms=bin/tap-wms",
                   "--executable", "target-oracle-incremental=/opt/target-x")
    assert forced.code == 0, forced
    plugins = {p["name"]: p["executable"] for p in project.plugins(project.load(str(empty)))}
    assert plugins == {"tap-oracle-wms-full": f"{empty}/bin/tap-wms", "tap-oracle-wms-incremental": f"{empty}/bin/tap-wms",
                       "target-oracle-full": "flext-target-oracle", "target-oracle-incremental": "/opt/target-x"}
    for bad, error, hint in (
        ("tap-oracle-wms=/x", "error: --executable 'tap-oracle-wms=/x': no plugin or executable 'tap-oracle-wms' in "
                              "the GrupoNos project", "hint: did you mean 'tap-oracle-wms-full'?"),
        ("target-oracle-full", "error: --executable 'target-oracle-full': expected PLUGIN=PATH",
         "hint: e.g. --executable tap-oracle-wms-full=/opt/taps/bin/tap-wms"),
    ):
        refused = flext("gruponos", "init", "elsewhere", "--executable", bad)
        assert (refused.code, refused.err) == (2, f"{error}\n{hint}\n")
    assert not (empty / "elsewhere").exists()


@pytest.mark.slow
def test_init_then_doctor_in_an_empty_folder(flext: Flext, empty: Path, meltano_exe: Path,  # noqa: F811
                                             singer_tools: tuple[Path, Path]) -> None:  # noqa: F811
    assert flext("gruponos", "init").code == 0
    run, rows = _doctor(flext)
    assert run.code == 1, run
    assert run.err == f"{len(rows) - 3} problem(s) found\n"
    assert [(r["check"], r["status"]) for r in rows] == [
        ("project", "ok"), ("meltano", "missing"), *[(f"executable {p}", "missing") for p in PLUGINS],
        *[(f"variable {v}", "missing") for v in VARIABLES], ("reach wms", "skipped"), ("reach oracle", "skipped")]
    assert rows[0]["detail"] == (f"{empty}/meltano.yml: 4 plugins, jobs full-sync-job, incremental-sync-job")
    by = {r["check"]: r for r in rows}
    assert (by["meltano"]["detail"], by["meltano"]["hint"]) == (
        "meltano is not installed",
        "`flext meltano install` puts it in its own venv (or `flext config set meltano.executable PATH`)")
    assert (by["executable tap-oracle-wms-full"]["detail"], by["executable tap-oracle-wms-full"]["hint"]) == (
        "flext-tap-oracle-wms is not on PATH",
        "install flext-tap-oracle-wms, or point tap-oracle-wms-full at another program (`executable:` in meltano.yml)")
    assert by["variable FLEXT_TARGET_ORACLE_PASSWORD"]["hint"] == (
        f"add FLEXT_TARGET_ORACLE_PASSWORD=... to {empty}/.env (the names are in .env.example), or export it")
    assert by["reach oracle"]["detail"] == "needs FLEXT_TARGET_ORACLE_HOST and FLEXT_TARGET_ORACLE_PORT"
    assert all(r["hint"] for r in rows if r["status"] == "missing")
    # the site fills in what was missing: its own tap/target, meltano, the .env; Oracle is down
    tap, target = singer_tools
    assert flext("gruponos", "init", "--force", "--executable", f"flext-tap-oracle-wms={tap}",
                 "--executable", f"flext-target-oracle={target}").code == 0
    assert flext("config", "set", "meltano.executable", str(meltano_exe)).code == 0
    oracle_port = closed_port()
    with listening() as wms_port:
        env_file = {v: f"value-{n}" for n, v in enumerate(VARIABLES)}
        env_file.update(TAP_ORACLE_WMS_BASE_URL=f"http://127.0.0.1:{wms_port}/gruponos",
                        FLEXT_TARGET_ORACLE_HOST="127.0.0.1", FLEXT_TARGET_ORACLE_PORT=str(oracle_port),
                        FLEXT_TARGET_ORACLE_PASSWORD="pw-Zq81-never-shown")
        del env_file["TAP_ORACLE_WMS_PASSWORD"]
        (empty / ".env").write_text("# site values\n" + "".join(f"{k}={v}\n" for k, v in env_file.items()))
        run, rows = _doctor(flext, TAP_ORACLE_WMS_PASSWORD="from-the-environment")
        assert run.code == 1, run
        bad = [(r["check"], r["status"], r["detail"], r["hint"]) for r in rows if r["status"] != "ok"]
        assert len(bad) == 1 and bad[0][:2] == ("reach oracle", "unreachable")
        assert bad[0][2].startswith(f"127.0.0.1:{oracle_port}: ") and bad[0][3] == (
            "check FLEXT_TARGET_ORACLE_HOST and FLEXT_TARGET_ORACLE_PORT, and that this machine can reach it "
            "(VPN, firewall)")
        by = {r["check"]: r for r in rows}
        assert by["meltano"]["detail"] == f"meltano, version {MELTANO[1]} ({meltano_exe})"
        assert by["executable target-oracle-full"]["detail"] == str(target)
        assert by["variable TAP_ORACLE_WMS_PASSWORD"]["detail"] == "set in the environment"
        assert by["variable FLEXT_TARGET_ORACLE_PASSWORD"]["detail"] == f"set in {empty}/.env"
        assert by["reach wms"]["detail"] == f"127.0.0.1:{wms_port} accepts connections"
        assert "pw-Zq81-never-shown" not in run.out + run.err and "from-the-environment" not in run.out + run.err
        with listening() as up:
            (empty / ".env").write_text((empty / ".env").read_text().replace(str(oracle_port), str(up)))
            fine, rows = _doctor(flext, TAP_ORACLE_WMS_PASSWORD="x")
            assert (fine.code, fine.err) == (0, "✓ the GrupoNos project has what it needs\n")
            assert {r["status"] for r in rows} == {"ok"}
    # and meltano reads the project init wrote
    listed = subprocess.run([str(meltano_exe), "job", "list", "--format=json"], cwd=empty, capture_output=True,
                            text=True, env=dict(os.environ, MELTANO_SEND_ANONYMOUS_USAGE_STATS="false"), check=False)
    assert listed.returncode == 0, listed.stderr
    assert [j["job_name"] for j in json.loads(listed.stdout)["jobs"]] == ["full-sync-job", "incremental-sync-job"]


def test_doctor_without_a_project(flext: Flext, empty: Path) -> None:
    run, rows = _doctor(flext)
    assert run.code == 1
    assert rows == [{"check": "project", "status": "missing",
                     "detail": "no Meltano project here (no meltano.yml in this folder or above)",
                     "hint": "create it: `flext gruponos init DIR` (then run the gruponos commands from DIR)"}]


def test_a_broken_meltano_yml_is_exit_5_with_its_line(flext: Flext, empty: Path) -> None:
    assert flext("gruponos", "init").code == 0
    text = (empty / "meltano.yml").read_text().replace("jobs:\n", "jobs:\n  - name: [broken\n", 1)
    (empty / "meltano.yml").write_text(text)
    line = text.splitlines().index("  - name: [broken") + 1
    run = flext("gruponos", "status")
    assert run.code == 5, run
    assert re.match(rf"error: {re.escape(str(empty))}/meltano.yml:{line + 1}: not valid YAML: ", run.err), run.err


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_meltano_installed_by_flext_runs_the_jobs_under_flext_serve(
        flext: Flext, env: dict[str, str], tmp_path: Path, singer_tools: tuple[Path, Path]) -> None:  # noqa: F811
    from tests.server.conftest import Server

    work = Path.cwd()
    (work / "flext.toml").write_text('[workspace]\nname = "gruponos"\n')
    # meltano into its own venv under the workspace's plugin folder; nothing on PATH
    spec = f"meltano=={MELTANO[1]}"
    uv_cache = {"FLEXT_CACHE_DIR": str(uv_cache_root())}  # uv and its package cache, kept between sessions
    installed = flext("meltano", "install", "--pip-url", spec, "-o", "json", extra_env={**NO_MELTANO, **uv_cache})
    assert installed.code == 0, installed
    exe = work / ".flext" / "plugins" / "meltano" / "venv" / "bin" / "meltano"
    assert installed.json() == {"name": "meltano", "version": MELTANO[1], "pip_url": spec, "executable": str(exe)}
    steps = [line for line in installed.err.splitlines() if not line.startswith(("fetching uv ", "downloading "))]
    assert steps[:2] == ["creating the virtual environment for meltano", f"resolving {spec}"]
    assert re.fullmatch(r"installing \d+ packages", steps[2]), steps
    assert steps[3:] == [f"✓ meltano {MELTANO[1]} installed: {exe}"]
    again = flext("meltano", "install", "--pip-url", spec, extra_env=NO_MELTANO)
    assert (again.code, again.err) == (0, f"✓ meltano {MELTANO[1]} already installed: {exe}\n")
    # the project, with tap-jsonl/target-jsonl in place of the FLEXT tap and target
    tap, target = singer_tools
    made = flext("gruponos", "init", "gruponos", "--executable", f"flext-tap-oracle-wms={tap}",
                 "--executable", f"flext-target-oracle={target}", extra_env=NO_MELTANO)
    assert made.code == 0, made
    root = work / "gruponos"
    data = work / "wms-export"
    data.mkdir()
    (data / "order_hdr.jsonl").write_text("".join(f'{{"id": {i}, "mod_ts": "2026-01-0{i}"}}\n' for i in range(1, 6)))
    for plugin, setting, value in (
            ("tap-oracle-wms-full", "path", f"{data}/*.jsonl"), ("tap-oracle-wms-full", "stream_name", "order_hdr"),
            ("tap-oracle-wms-incremental", "path", f"{data}/*.jsonl"),
            ("tap-oracle-wms-incremental", "stream_name", "order_hdr"),
            ("target-oracle-full", "destination_path", str(work / "out" / "full")),
            ("target-oracle-incremental", "destination_path", str(work / "out" / "incremental"))):
        done = subprocess.run([str(exe), "config", "set", plugin, setting, value], cwd=root, capture_output=True,
                              text=True, env={**os.environ, **NO_MELTANO}, check=False)  # a site configures its tap
        assert done.returncode == 0, done.stderr
    doctor = json.loads(flext("gruponos", "doctor", "-o", "json", extra_env=NO_MELTANO).out)
    assert {r["check"]: r["detail"] for r in doctor}["meltano"] == f"meltano, version {MELTANO[1]} ({exe})"
    ran = flext("gruponos", "run", "full-sync-job", extra_env=NO_MELTANO)
    assert ran.code == 0, ran
    assert re.search(r"✓ full-sync-job succeeded: 5 record\(s\) \(run \S+\)\n$", ran.err)
    rows = list((work / "out" / "full").glob("order_hdr*.jsonl"))
    assert len(rows) == 1 and len(rows[0].read_text().splitlines()) == 5
    # deployed, then run by a real `flext serve`: the slot before start-up counts as missed, so it fires once now
    deployed = flext("gruponos", "pipeline", "deploy", "incremental-sync-job", "-o", "json", extra_env=NO_MELTANO)
    assert deployed.code == 0, deployed
    assert deployed.json()["command"] == "flext gruponos run incremental-sync-job"  # type: ignore[index]
    state = work / ".flext" / "server" / "schedule.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    long_ago = 1_700_000_000.0 - 1_700_000_000.0 % 60
    state.write_text(json.dumps({"job:gruponos.incremental-sync-job": {"expr": "0 */2 * * *", "checked": long_ago,
                                                                        "fired": None}}))
    server = Server(work, {**env, **NO_MELTANO}, bootstrap=False)
    try:
        runs = work / ".flext" / "gruponos" / "runs" / "incremental-sync-job"

        def finished() -> dict[str, Any] | None:
            for path in runs.glob("*.json") if runs.exists() else []:
                record = json.loads(path.read_text())
                if record.get("trigger") == "schedule" and record.get("status") not in (None, "running"):
                    return dict(record)
            return None

        record = poll(finished, timeout=300, what="the scheduled incremental-sync-job run")
        assert (record["status"], record["records"], record["exit_codes"]) == ("succeeded", 5, {"meltano": 0}), record
        fired = server.events("schedule")
        assert [(e["job"], e["missed"]) for e in fired] == [("gruponos.incremental-sync-job", True)]
    finally:
        assert server.stop() == 0
    status = flext("gruponos", "status", "-o", "json", extra_env=NO_MELTANO)
    assert status.code == 0, status
    jobs = {r["job"]: r for r in status.json()}  # type: ignore[union-attr]
    for name, deployed_cron in (("full-sync-job", None), ("incremental-sync-job", "0 */2 * * *")):
        row = jobs[name]
        assert (row["deployed"], row["last_status"], row["records"]) == (deployed_cron, "succeeded", 5), row
        assert isinstance(row["duration_s"], float) and row["duration_s"] > 0
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", row["last_run"])
