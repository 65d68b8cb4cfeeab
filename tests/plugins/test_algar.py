"""The bundled algar plugin against a real OpenLDAP slapd on 127.0.0.1: phase files loaded,
a second sync changes nothing, broken entries counted as failed while the rest load,
--dry-run writes nothing; the bind password comes from the real (private) keyring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run
from tests.keyring.service import clean_keyring, secret_service  # noqa: F401  (fixtures)
from tests.plugins.slapd import ADMIN, PASSWORD, SUFFIX, Slapd, slapd  # noqa: F401  (fixture)

Flext = Callable[..., Run]

SCHEMA = """\
# OID custom schema, as OUD takes it under cn=schema; here OpenLDAP's cn=config form
dn: cn=algar,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: algar
olcAttributeTypes: ( 1.3.6.1.4.1.99999.1.1 NAME 'algarEmployeeId' EQUALITY caseIgnoreMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcObjectClasses: ( 1.3.6.1.4.1.99999.2.1 NAME 'algarPerson' SUP top AUXILIARY MAY algarEmployeeId )
"""
HIERARCHY = f"""\
version: 1

dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: algar
o: ALGAR Telecom

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{SUFFIX}
objectClass: organizationalUnit
ou: groups
"""


def user(uid: str, name: str, employee: str, *, mail: str | None = None, sn: bool = True) -> str:
    lines = [f"dn: uid={uid},ou=people,{SUFFIX}", "objectClass: inetOrgPerson", "objectClass: algarPerson",
             f"uid: {uid}", f"cn: {name}"]
    if sn:
        lines.append(f"sn: {name.split()[-1]}")
    lines += [f"mail: {mail or uid + '@algar.test'}", f"algarEmployeeId: {employee}"]
    return "\n".join(lines) + "\n"


USERS = "\n".join([
    user("ana", "Ana Souza", "E-001"),
    user("bruno", "Bruno Lima", "E-002"),
    user("broken", "No Surname", "E-666", sn=False),  # objectClassViolation: sn is required
    user("carla", "Carla Dias", "E-003"),
])
CONTRACTORS = f"""\
dn: uid=dave,ou=people,{SUFFIX}
objectClass: inetOrgPerson
uid: dave
cn: Dave Contractor
sn: Contractor

dn uid=nocolon,ou=people,{SUFFIX}
objectClass: inetOrgPerson
"""
GROUPS = f"""\
dn: cn=ops,ou=groups,{SUFFIX}
objectClass: groupOfNames
cn: ops
member: uid=ana,ou=people,{SUFFIX}
member: uid=carla,ou=people,{SUFFIX}
"""
ACLS = """\
dn: olcDatabase={1}mdb,cn=config
changetype: modify
replace: olcAccess
olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none
olcAccess: {1}to * by users read by * none
-
"""
GOOD = sorted([SUFFIX, f"ou=people,{SUFFIX}", f"ou=groups,{SUFFIX}", f"uid=ana,ou=people,{SUFFIX}",
               f"uid=bruno,ou=people,{SUFFIX}", f"uid=carla,ou=people,{SUFFIX}", f"uid=dave,ou=people,{SUFFIX}",
               f"cn=ops,ou=groups,{SUFFIX}"])


@pytest.fixture
def migration(clean_keyring: object, flext: Flext, slapd: Slapd) -> Path:  # noqa: F811
    work = Path.cwd()
    (work / "flext.toml").write_text('[workspace]\nname = "algar"\n')
    folder = work / "oid-to-oud"
    (folder / "users").mkdir(parents=True)
    (folder / "00-schema.ldif").write_text(SCHEMA)
    (folder / "10_hierarchy.ldif").write_text(HIERARCHY)
    (folder / "users" / "20-people.ldif").write_text(USERS)
    (folder / "users" / "21-contractors.ldif").write_text(CONTRACTORS)
    (folder / "30-groups.ldif").write_text(GROUPS)
    (folder / "40-acls.ldif").write_text(ACLS)
    (folder / "README.txt").write_text("not an LDIF file")
    for key, value in (("server_url", slapd.url), ("bind_dn", ADMIN), ("password_secret", "oud_bind"),
                       ("migration_dir", "oid-to-oud")):
        assert flext("config", "set", f"algar.{key}", value).code == 0
    assert flext("secret", "set", "oud_bind", "--from-stdin", stdin=PASSWORD).code == 0
    return folder


def _sync(flext: Flext, *extra: str) -> tuple[Run, dict[str, dict[str, int]]]:
    run = flext("algar", "oud", "sync", *extra, "-o", "json")
    rows = {r.pop("phase"): r for r in run.json()} if run.out else {}  # type: ignore[union-attr]
    return run, rows


def test_sync_is_idempotent_and_counts_failures(flext: Flext, slapd: Slapd, migration: Path) -> None:  # noqa: F811
    events = Path.cwd() / ".flext" / "algar" / "events.jsonl"
    # --dry-run reads the (empty) server and writes nothing, not even events
    dry, rows = _sync(flext, "--dry-run")
    assert dry.code == 1, dry  # the record without `dn:` is broken whatever the server holds
    assert rows.get("users") == {"files": 2, "entries": 6, "synced": 5, "failed": 1, "skipped": 0}, (dry, rows)
    assert dry.err.splitlines()[-1] == "dry run: would sync 11, failed 1, skipped 0 (unchanged)"
    assert slapd.dns() == []
    assert not events.exists()
    # the real sync: everything loads except the two broken users
    first, rows = _sync(flext)
    assert first.code == 1, first
    assert rows == {
        "schema": {"files": 1, "entries": 1, "synced": 1, "failed": 0, "skipped": 0},
        "hierarchy": {"files": 1, "entries": 3, "synced": 3, "failed": 0, "skipped": 0},
        "users": {"files": 2, "entries": 6, "synced": 4, "failed": 2, "skipped": 0},
        "groups": {"files": 1, "entries": 1, "synced": 1, "failed": 0, "skipped": 0},
        "other": {"files": 0, "entries": 0, "synced": 0, "failed": 0, "skipped": 0},
        "acls": {"files": 1, "entries": 1, "synced": 1, "failed": 0, "skipped": 0},
    }
    assert f"✗ users: uid=broken,ou=people,{SUFFIX} (20-people.ldif:19): objectClassViolation" in first.err
    assert "✗ users: (no dn) (21-contractors.ldif:7): expected 'attribute: value', got 'dn uid=nocolon,ou=people,dc=algar,dc=test'" in first.err
    assert first.err.splitlines()[-1] == "synced 10, failed 2, skipped 0 (unchanged)"
    assert slapd.dns() == GOOD
    ana = slapd.search(f"uid=ana,ou=people,{SUFFIX}", "base", "algarEmployeeId", "mail")
    assert "algarEmployeeId: E-001" in ana and "mail: ana@algar.test" in ana
    access = slapd.search("olcDatabase={1}mdb,cn=config", "base", "olcAccess")
    assert "olcAccess: {1}to * by users read by * none" in access
    # a second sync changes nothing: every good entry is skipped, the broken ones fail again
    second, rows = _sync(flext)
    assert second.code == 1
    assert {p: (r["synced"], r["failed"], r["skipped"]) for p, r in rows.items()} == {
        "schema": (0, 0, 1), "hierarchy": (0, 0, 3), "users": (0, 2, 4), "groups": (0, 0, 1), "other": (0, 0, 0),
        "acls": (0, 0, 1)}
    assert slapd.dns() == GOOD
    # an entry that exists is modified, not duplicated
    (migration / "users" / "20-people.ldif").write_text(
        USERS.replace("mail: bruno@algar.test", "mail: bruno.lima@algar.test"))
    _third, rows = _sync(flext, "--phase", "users")
    assert list(rows) == ["users"]
    assert (rows["users"]["synced"], rows["users"]["skipped"], rows["users"]["failed"]) == (1, 3, 2)
    assert "mail: bruno.lima@algar.test" in slapd.search(f"uid=bruno,ou=people,{SUFFIX}", "base", "mail")
    assert slapd.dns() == GOOD
    # the event log folds into the per-phase table
    status = flext("algar", "migration", "status", "-o", "json")
    assert status.code == 0, status
    table = {r["phase"]: r for r in status.json()}
    assert {p: (r["status"], r["files"], r["entries"], r["synced"], r["failed"], r["skipped"])
            for p, r in table.items()} == {
        "schema": ("done", 1, 1, 0, 0, 1), "hierarchy": ("done", 1, 3, 0, 0, 3), "users": ("failed", 2, 6, 1, 2, 3),
        "groups": ("done", 1, 1, 0, 0, 1), "other": ("done", 0, 0, 0, 0, 0), "acls": ("done", 1, 1, 0, 0, 1)}
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    assert [e["event"] for e in lines if e["event"].startswith("run_")] == ["run_started", "run_finished"] * 3
    assert PASSWORD not in events.read_text()
    shown = flext("algar", "logs", "--tail", "2")
    assert shown.code == 0
    assert [line.split()[2:4] for line in shown.out.splitlines()] == [["phase_finished", "users"], ["run_finished", "synced=1"]]


def test_logs_follow_sees_a_sync(flext: Flext, slapd: Slapd, migration: Path, env: dict[str, str]) -> None:  # noqa: F811
    proc_env = dict(os.environ, PYTHONPATH=str(ROOT))
    follower = subprocess.Popen([sys.executable, "-m", "flext", "algar", "logs", "-f"], env=proc_env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert flext("algar", "oud", "sync", "--phase", "hierarchy").code == 0
        deadline = time.monotonic() + 30
        seen: list[str] = []
        assert follower.stdout is not None
        while not any("run_finished" in line for line in seen):
            assert time.monotonic() < deadline, seen
            seen.append(follower.stdout.readline())
        assert [line.split()[2] for line in seen] == ["run_started", "phase_started", "phase_finished", "run_finished"]
    finally:
        follower.send_signal(2)
        assert follower.wait(timeout=10) == 130


def test_connection_errors_have_their_exit_codes(flext: Flext, slapd: Slapd, migration: Path) -> None:  # noqa: F811
    assert flext("secret", "set", "wrong", "--from-stdin", stdin="not-the-password").code == 0
    assert flext("config", "set", "algar.password_secret", "wrong").code == 0
    bad = flext("algar", "oud", "sync")
    assert (bad.code, bad.err) == (4, f"error: bind as {ADMIN} refused: invalidCredentials\n"
                                      "hint: check algar.bind_dn and the secret named by algar.password_secret\n")
    assert flext("config", "set", "algar.server_url", "ldap://127.0.0.1:1").code == 0
    down = flext("algar", "oud", "sync")
    assert down.code == 3 and down.err.startswith("error: cannot reach the directory at ldap://127.0.0.1:1")
    assert flext("config", "unset", "algar.bind_dn").code == 0
    unset = flext("algar", "oud", "sync")
    assert (unset.code, unset.err) == (5, "error: algar.bind_dn is not set\nhint: `flext config set algar.bind_dn VALUE` "
                                          "(server_url, bind_dn, password_secret)\n")


def test_deploy_registers_a_scheduled_sync(flext: Flext, migration: Path) -> None:
    run = flext("algar", "pipeline", "deploy", "nightly-users", "--phase", "users", "--schedule", "0 2 * * *", "-o", "json")
    assert run.code == 0, run
    assert {k: run.json()[k] for k in ("name", "schedule", "scheduler", "command")} == {
        "name": "nightly-users", "schedule": "0 2 * * *", "scheduler": "algar.nightly-users",
        "command": "flext algar oud sync --phase=users"}
    stored = json.loads((Path.cwd() / ".flext" / "schedules.json").read_text())["schedules"]["algar.nightly-users"]
    assert stored["command"] == ["algar", "oud", "sync", "--phase=users"] and stored["cron"] == "0 2 * * *"
    # the scheduled command line parses as a flext command
    from flext.router.parse import parse

    assert parse(stored["command"]).node.command == "algar oud sync"
    default = flext("algar", "pipeline", "deploy", "all", "-o", "json")
    assert default.json()["schedule"] == "@daily"


def test_status_before_any_sync(flext: Flext, tmp_path: Path) -> None:
    (Path.cwd() / "flext.toml").write_text('[workspace]\nname = "algar"\n')
    folder = Path.cwd() / "migration"
    folder.mkdir()
    (folder / "10-hierarchy.ldif").write_text(textwrap.dedent(HIERARCHY))
    run = flext("algar", "migration", "status", "-o", "json")
    assert run.code == 0, run
    assert [(r["phase"], r["status"], r["files"], r["entries"]) for r in run.json()] == [
        ("schema", "pending", 0, 0), ("hierarchy", "pending", 1, 3), ("users", "pending", 0, 0),
        ("groups", "pending", 0, 0), ("other", "pending", 0, 0), ("acls", "pending", 0, 0)]
    none = flext("algar", "logs")
    assert (none.code, none.err) == (6, "error: no migration events yet\nhint: run `flext algar oud sync` first\n")
