"""`flext algar migrate` on a realistic OID export (tests/plugins/oid_export.py), then `algar oud
sync` of the phase files into a real slapd standing in for OUD: its test schema has ALGAR's
custom definitions and `aci` as a plain attribute (stored, not enforced; DIT content rules
allow it on every structural class the export uses). Every entry and every aci reads back;
every aci is valid by OUD's grammar (tests/plugins/oud_aci.py); every untranslatable ACL is
reported by DN in rejected.ldif."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flext.plugins.bundled.algar import ldif
from tests.conftest import Run
from tests.keyring.service import clean_keyring, secret_service  # noqa: F401  (fixtures)
from tests.plugins import oid_export, oud_aci
from tests.plugins.slapd import ADMIN, PASSWORD, SUFFIX, Slapd, running

Flext = Callable[..., Run]

# The OUD stand-in: what OUD would hold before the migration (Oracle's container and policy
# classes, ALGAR's custom schema added by the schema phase) plus `aci` as plain data.
_ORACLE = """\
dn: cn=oud,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: oud
olcAttributeTypes: ( 2.16.840.1.113730.3.1.55 NAME 'aci' DESC 'OUD access control: stored, not enforced here'
  EQUALITY caseExactMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
olcAttributeTypes: ( 1.3.6.1.4.1.99999.7.1 NAME 'pwdMaxAge' EQUALITY integerMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
olcAttributeTypes: ( 1.3.6.1.4.1.99999.7.2 NAME 'pwdMinLength' EQUALITY integerMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
{custom_types}
olcObjectClasses: ( 1.3.6.1.4.1.99999.8.1 NAME 'orclContainer' SUP top STRUCTURAL MUST cn )
olcObjectClasses: ( 1.3.6.1.4.1.99999.8.2 NAME 'orclPwdPolicy' SUP top STRUCTURAL MUST cn
  MAY ( pwdMaxAge $ pwdMinLength ) )
{custom_classes}

dn: cn=ouddcr,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: ouddcr
{rules}

"""
STRUCTURAL = {  # structural class OID -> auxiliary classes entries of that class carry in the export
    "2.5.6.4": "dcObject", "2.5.6.5": "", "2.16.840.1.113730.3.2.2": "algarPerson $ posixAccount",
    "2.5.6.9": "", "2.5.6.17": "", "2.5.6.8": "", "2.5.6.14": "", "2.5.6.11": "",
    "0.9.2342.19200300.100.4.6": "", "1.3.6.1.4.1.99999.8.1": "", "1.3.6.1.4.1.99999.8.2": "",
}


def oud_schema() -> str:
    rules = "\n".join(f"olcDitContentRules: ( {oid} NAME 'aci{n}'" + (f" AUX ( {aux} )" if aux else "") + " MAY aci )"
                      for n, (oid, aux) in enumerate(STRUCTURAL.items()))
    return _ORACLE.format(custom_types="\n".join(f"olcAttributeTypes: {t}" for t in oid_export.CUSTOM_ATTRIBUTE_TYPES),
                          custom_classes="\n".join(f"olcObjectClasses: {c}" for c in oid_export.CUSTOM_OBJECT_CLASSES),
                          rules=rules)


@pytest.fixture
def oud() -> Iterator[Slapd]:
    with running(oud_schema()) as server:
        yield server


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, oid_export.Export]:
    path = tmp_path / "oid-export.ldif"
    return path, oid_export.write(path)


def moved(dn: str) -> str:
    return dn[: -len(oid_export.BASE)] + SUFFIX if dn.endswith(oid_export.BASE) else dn


ROWS = [  # (phase, category, file, entries, acis, rejected) for the fixture and the default rules
    ("schema", "schema", "00_custom_schema_oud.ldif", 7, 0, 0),
    ("hierarchy", "hierarchy", "01_hierarchy_oud.ldif", 18, 8, 5),
    ("hierarchy", "policies", "01_hierarchy_oud.ldif", 2, 0, 0),
    ("users", "users", "02_users_oud.ldif", 240, 6, 0),
    ("groups", "groups", "03_groups_oud.ldif", 30, 3, 0),
    ("groups", "roles", "03_groups_oud.ldif", 10, 0, 0),
    ("other", "resources", "03_other_entries_oud.ldif", 12, 1, 0),
    ("other", "other", "03_other_entries_oud.ldif", 6, 0, 0),
    ("acls", "acls", "04_acls_permissions.ldif", 13, 18, 5),
    (None, "not migrated", "rejected.ldif", 2, 0, 7),
]


def _rows(run: Run) -> list[tuple[object, ...]]:
    assert run.code == 0, run
    return [tuple(r[k] for k in ("phase", "category", "file", "entries", "acis", "rejected"))
            for r in run.json()]  # type: ignore[union-attr]


def _rejected(path: Path) -> list[tuple[str, str]]:
    """(source DN, reason) of each rejected item, from the comments above its record."""
    items, reason = [], ""
    for line in path.read_text().splitlines():
        if line.startswith("# rejected: "):
            reason = line[len("# rejected: "):]
        elif line.startswith("# source dn: "):
            items.append((line[len("# source dn: "):], reason))
    return items


def test_migrate_then_sync_into_oud(flext: Flext, oud: Slapd, export: tuple[Path, oid_export.Export],
                                    clean_keyring: object) -> None:  # noqa: F811
    source, data = export
    work = Path.cwd()
    (work / "flext.toml").write_text('[workspace]\nname = "algar"\n')
    run = flext("algar", "migrate", str(source), "-o", "json", extra_env={"ALGAR_OUD_BASE_DN": SUFFIX})
    assert _rows(run) == ROWS
    out = work / "migration"
    assert run.err.splitlines() == [
        f"reading 1 file(s) of {source}",
        f"✓ migrated 318 entries, 18 aci and 7 schema definitions into {out} ({oid_export.BASE} -> {SUFFIX})",
        f"7 item(s) not migrated, each with its reason: {out}/rejected.ldif"]
    assert sorted(p.name for p in out.iterdir()) == [
        "00_custom_schema_oud.ldif", "01_hierarchy_oud.ldif", "02_users_oud.ldif", "03_groups_oud.ldif",
        "03_other_entries_oud.ldif", "04_acls_permissions.ldif", "rejected.ldif"]

    # the entries: every one of the export's, moved, in its phase, parents before children, without OID leftovers
    phase_of = {"hierarchy": "01", "policies": "01", "users": "02", "groups": "03", "roles": "03",
                "resources": "03_other", "other": "03_other"}
    written: dict[str, str] = {}
    for file in sorted(out.glob("0[123]_*.ldif")):
        seen: set[str] = set()
        for rec in ldif.records(str(file)):
            assert rec.error is None and rec.changetype == "add", rec
            parent = rec.dn.split(",", 1)[1] if "," in rec.dn else ""
            assert parent in seen or parent in written or parent == "dc=test" or rec.dn == SUFFIX, rec.dn
            seen.add(rec.dn)
            written[rec.dn] = file.name
            names = {a.lower() for a in rec.attrs}
            assert not names & {"orclguid", "orclaci", "orclentrylevelaci", "createtimestamp", "modifiersname",
                                "creatorsname", "modifytimestamp", "authpassword;oid"}, rec.dn
            for values in rec.attrs.values():
                assert not any(isinstance(v, str) and v.lower().endswith(oid_export.BASE) for v in values), rec.dn
    assert {dn: written[moved(dn)].startswith(phase_of[category]) for dn, category in data.entries.items()} == {
        dn: True for dn in data.entries}
    assert len(written) == len(data.entries)
    users = {r.dn: r for r in ldif.records(str(out / "02_users_oud.ldif"))}
    fabio = f"uid=u000005,ou=Juridico,ou=People,{SUFFIX}"
    assert users[fabio].attrs["cn"] == ["Fábio Souza"]  # base64 in the export and in the phase file
    assert users[f"uid=u000015,ou=Atendimento,ou=People,{SUFFIX}"].attrs["manager"] == [fabio]

    # the custom schema: OIDs 99.* and 1.3.6.1.1.1.2.0, as OUD's cn=schema modification
    schema = ldif.read(str(out / "00_custom_schema_oud.ldif"))
    assert [(r.dn, r.changetype) for r in schema] == [("cn=schema", "modify")]
    assert [(op, attr, len(values)) for op, attr, values in schema[0].mods] == [
        ("add", "attributeTypes", 5), ("add", "objectClasses", 2)]
    assert {v for _, _, values in schema[0].mods for v in values} == set(data.custom_schema)

    # the ACIs: one modify per entry, every value valid by OUD's grammar, entry-level ones scoped to the entry
    acl_records = ldif.read(str(out / "04_acls_permissions.ldif"))
    translated = [(d, a, v) for d, a, v, ok in data.acls if ok]
    assert [r.dn for r in acl_records] == list(dict.fromkeys(moved(d) for d, _, _ in translated))
    acis: dict[str, list[str]] = {}
    for rec in acl_records:
        assert [(op, attr) for op, attr, _ in rec.mods] == [("add", "aci")]
        acis[rec.dn] = [str(v) for v in rec.mods[0][2]]
    per_entry = [(moved(d), a) for d, a, _ in translated]
    for dn, values in acis.items():
        kinds = [a for d, a in per_entry if d == dn]
        assert len(values) == len(kinds)
        for value, kind in zip(values, kinds, strict=True):
            parsed = oud_aci.parse(value)
            assert ("targetscope" in parsed.targets) == (kind == "orclentrylevelaci"), value
            assert oid_export.BASE not in value
    base_acis = [oud_aci.parse(v) for v in acis[SUFFIX]]
    assert [sorted(a.targets) for a in base_acis] == [[], ["targetattr"], ["targetscope"]]
    assert [(kind, rights) for kind, rights, _ in base_acis[0].permissions] == [
        ("allow", ["read", "search", "add", "delete"]), ("allow", ["read", "search"]), ("deny", ["add", "delete"])]

    # what could not be migrated: each untranslatable ACL by its DN with the reason, and the entries outside the realm
    reported = _rejected(out / "rejected.ldif")
    assert sorted(dn for dn, _ in reported) == sorted([d for d, _, _ in data.untranslatable] + data.outside)
    reasons = dict.fromkeys(r for _, r in reported)
    assert list(reasons) == [
        "orclaci #4 cannot be translated: bindmode=(ssloneway) has no OUD authmethod with the same meaning",
        "orclaci #1 cannot be translated: added_object_constraint=(objectclass=organizationalRole) has no OUD "
        "equivalent (an aci cannot constrain the entries a subject adds)",
        "orclaci #1 cannot be translated: subject guidattr=(orclOwnerGUID) has no OUD equivalent (bind rules match "
        "DNs, not GUIDs)",
        "orclaci #1 cannot be translated: right 'browse' is an entry right, not valid on 'access to attr'",
        "orclaci #2 cannot be translated: syntax error at column 1: expected 'access to'",
        f"outside the source base DN {oid_export.BASE} (an OID-internal entry; set source_base_dn in a rules file "
        "to move another tree)"]
    rejected_records = ldif.read(str(out / "rejected.ldif"))
    assert [r.dn for r in rejected_records] == [
        f"ou=People,{SUFFIX}", f"ou=Roles,{SUFFIX}", f"ou=Services,{SUFFIX}", f"ou=Documents,{SUFFIX}",
        f"ou=Documents,{SUFFIX}", "cn=OracleContext", "cn=OracleSchemaVersion,cn=OracleContext"]

    # each phase shows in `migration status`, from the migration's events
    status = flext("algar", "migration", "status", "-o", "json")
    assert status.code == 0, status
    assert [(r["phase"], r["status"], r["files"], r["entries"], r["rejected"]) for r in status.json()] == [
        ("schema", "migrated", 1, 1, 0), ("hierarchy", "migrated", 1, 20, 0), ("users", "migrated", 1, 240, 0),
        ("groups", "migrated", 1, 40, 0), ("other", "migrated", 1, 18, 0), ("acls", "migrated", 1, 13, 5)]

    # `oud sync` loads the files in phase order; the schema is already there (skipped, compared by OID)
    for key, value in (("server_url", oud.url), ("bind_dn", ADMIN), ("password_secret", "oud_bind")):
        assert flext("config", "set", f"algar.{key}", value).code == 0
    assert flext("secret", "set", "oud_bind", "--from-stdin", stdin=PASSWORD).code == 0
    synced = flext("algar", "oud", "sync", "-o", "json")
    assert synced.code == 0, synced
    assert [(r["phase"], r["entries"], r["synced"], r["failed"], r["skipped"]) for r in synced.json()] == [
        ("schema", 1, 0, 0, 1), ("hierarchy", 20, 20, 0, 0), ("users", 240, 240, 0, 0), ("groups", 40, 40, 0, 0),
        ("other", 18, 18, 0, 0), ("acls", 13, 13, 0, 0)]
    assert sorted(oud.dns()) == sorted(moved(dn) for dn in data.entries)
    for dn, values in acis.items():
        stored = ldif.parse(oud.search(dn, "base", "aci"))[0].attrs.get("aci", [])
        assert sorted(stored) == sorted(values), dn
    read = ldif.parse(oud.search(fabio, "base", "cn", "cpf", "userPassword"))[0]
    assert read.attrs["cn"] == ["Fábio Souza"] and read.attrs["cpf"] == [f"{5 * 7919:011d}"]
    # idempotent: a second sync changes nothing
    again = flext("algar", "oud", "sync", "-o", "json")
    assert [(r["phase"], r["synced"], r["skipped"]) for r in again.json()] == [  # type: ignore[union-attr]
        ("schema", 0, 1), ("hierarchy", 0, 20), ("users", 0, 240), ("groups", 0, 40), ("other", 0, 18), ("acls", 0, 13)]
    done = flext("algar", "migration", "status", "-o", "json").json()
    assert [(r["phase"], r["status"]) for r in done] == [(p, "done") for p in  # type: ignore[union-attr]
                                                         ("schema", "hierarchy", "users", "groups", "other", "acls")]
    events = [json.loads(line)["event"] for line in (work / ".flext" / "algar" / "events.jsonl").read_text().splitlines()]
    assert events[:2] == ["migrate_started", "entry_rejected"] and events.count("phase_written") == 6
    assert events.count("entry_rejected") == 7 and events.count("migrate_finished") == 1


def test_dry_run_counts_and_writes_nothing(flext: Flext, export: tuple[Path, oid_export.Export]) -> None:
    source, _ = export
    run = flext("algar", "migrate", str(source), "--dry-run", "--base-dn", SUFFIX, "--out", "out", "-o", "json")
    assert _rows(run) == ROWS
    assert run.err.splitlines()[-1] == (f"dry run: would write 318 entries, 18 aci and 7 schema definitions "
                                        f"({oid_export.BASE} -> {SUFFIX}); 7 rejected; nothing written")
    assert not (Path.cwd() / "out").exists()
    assert not list(Path.cwd().rglob("events.jsonl"))


def test_a_folder_export_without_a_target_base_keeps_dns(flext: Flext, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    data = oid_export.write(folder / "01-realm.ldif", users=12, groups=3)
    (folder / "notes.txt").write_text("not LDIF")
    run = flext("algar", "migrate", str(folder), "--out", str(tmp_path / "m"), "-o", "json")
    rows = {(r[0], r[1]): r[3] for r in _rows(run)}
    assert rows[("users", "users")] == 12 and rows[("groups", "groups")] == 3
    dns = {r.dn for f in ("01_hierarchy_oud.ldif", "02_users_oud.ldif") for r in ldif.records(str(tmp_path / "m" / f))}
    assert oid_export.BASE in dns and f"uid=u000003,ou=Comercial,ou=People,{oid_export.BASE}" in dns
    assert len(data.entries) == 18 + 2 + 12 + 3 + 10 + 12 + 6
    assert "(dc=algar,dc=com,dc=br -> (unchanged))" in run.err


def test_rules_file_changes_categories_and_base(flext: Flext, tmp_path: Path,
                                                export: tuple[Path, oid_export.Export]) -> None:
    source, _ = export
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({
        "categories": [{"category": "hierarchy", "objectclass": ["organizationalUnit", "organization", "orclContainer"]},
                       {"category": "users", "objectclass": "inetOrgPerson"},
                       {"category": "resources", "dn": ",ou=services,"}],
        "phases": {"resources": "users"},
        "schema_oids": ["99.1.*"]}))
    run = flext("algar", "migrate", str(source), "--rules", str(rules), "--dry-run", "--base-dn", SUFFIX, "-o", "json")
    got = {(r[1], r[0]): r[3] for r in _rows(run) if r[3]}
    # groups and roles have no rule now: other; policies too; the services' folder moved to the users phase
    assert got == {("schema", "schema"): 5, ("hierarchy", "hierarchy"): 18, ("users", "users"): 240,
                   ("resources", "users"): 12, ("other", "other"): 48, ("acls", "acls"): 13,
                   ("not migrated", None): 2}


@pytest.mark.parametrize(("content", "error"), [
    ('{"categories": [{"category": "people", "objectclass": "x"}]}',
     "error: {file}: categories[0].category: must be one of hierarchy, policies, groups, users, roles, resources "
     "(other is what is left)"),
    ('{"phases": {"users": "acls"}}', "error: {file}: phases.users: must be one of hierarchy, users, groups, other"),
    ('{"categorys": []}', "error: {file}: categorys: unknown key (known: acl_attributes, categories, drop_attributes, "
                          "phases, schema_oids, source_base_dn, version)"),
    ('{"categories": [{"category": "users", "dn": "(unclosed"}]}',
     "error: {file}: categories[0].dn: invalid regular expression: missing ), unterminated subpattern at position 0"),
    ('{\n  "schema_oids": [99]\n}', "error: {file}: schema_oids: must be a list of OIDs or OID patterns such as 99.*"),
    ('{\n  "phases": {,}\n}', "error: {file}:2: invalid JSON: Expecting property name enclosed in double quotes"),
])
def test_a_bad_rules_file_is_exit_5_naming_it(flext: Flext, tmp_path: Path, export: tuple[Path, oid_export.Export],
                                              content: str, error: str) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(content)
    run = flext("algar", "migrate", str(export[0]), "--rules", str(rules), "--dry-run")
    assert run.code == 5, run
    assert run.err.splitlines()[0] == error.format(file=rules)


def test_missing_input_is_not_found(flext: Flext, tmp_path: Path) -> None:
    run = flext("algar", "migrate", str(tmp_path / "nope.ldif"))
    assert (run.code, run.err) == (6, f"error: no such file or folder: {tmp_path / 'nope.ldif'}\n"
                                      "hint: pass the OID export (an LDIF file or a folder of them)\n")
    (tmp_path / "empty").mkdir()
    empty = flext("algar", "migrate", str(tmp_path / "empty"))
    assert empty.code == 6 and re.match(r"error: no \.ldif files in ", empty.err)
