"""The algar LDIF reader: RFC 2849 records, and a broken record never hides the next one."""

from __future__ import annotations

import base64

from flext.plugins.bundled.algar import ldif, phases

TEXT = """version: 1
# a comment
dn: uid=ana,ou=people,dc=x
objectClass: inetOrgPerson
cn: Ana
  Souza
description:: {b64}
jpegPhoto:: /9j/

dn: cn=schema
changetype: modify
add: attributeTypes
attributeTypes: ( 1.2.3 NAME 'a' )
-
delete: description
-
replace: mail
mail: a@x
mail: b@x

this line is broken
cn: x

dn: uid=old,dc=x
changetype: delete

dn: uid=r,dc=x
changetype: modrdn
newrdn: uid=s
"""


def test_records_and_errors() -> None:
    text = TEXT.format(b64=base64.b64encode("Olá, migração".encode()).decode())
    records = ldif.parse(text, "f.ldif")
    assert [(r.line, r.changetype, r.dn, r.error) for r in records] == [
        (3, "add", "uid=ana,ou=people,dc=x", None),
        (10, "modify", "cn=schema", None),
        (21, "add", "", "expected 'attribute: value', got 'this line is broken'"),
        (24, "delete", "uid=old,dc=x", None),
        (27, "modrdn", "uid=r,dc=x", "unsupported changetype 'modrdn'"),
    ]
    ana = records[0]
    assert ana.attrs == {"objectClass": ["inetOrgPerson"], "cn": ["Ana Souza"], "description": ["Olá, migração"],
                         "jpegPhoto": [b"\xff\xd8\xff"]}
    assert records[1].mods == [("add", "attributeTypes", ["( 1.2.3 NAME 'a' )"]), ("delete", "description", []),
                               ("replace", "mail", ["a@x", "b@x"])]


def test_phase_files(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    for name in ("10-hierarchy.ldif", "00_schema.ldif", "20-users-b.ldif", "users/05-a.ldif", "40.acls.ldif",
                 "99-notes.ldif", "groups.txt", ".hidden/01-users.ldif", "00_custom_schema_oud.ldif",
                 "04_acls_permissions.ldif", "03_other_entries_oud.ldif", "05-usersx.ldif", "rejected.ldif"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    found = {k: [str(Path(p).relative_to(root)) for p in v] for k, v in phases.files(str(root)).items()}
    assert found == {"schema": ["00_custom_schema_oud.ldif", "00_schema.ldif"], "hierarchy": ["10-hierarchy.ldif"],
                     "users": ["20-users-b.ldif", "users/05-a.ldif"], "groups": [],
                     "other": ["03_other_entries_oud.ldif"], "acls": ["04_acls_permissions.ldif", "40.acls.ldif"]}


def test_writer_round_trips() -> None:
    """What `ldif.entry`/`ldif.modify` write reads back the same: base64 where RFC 2849 needs it, folded at 76."""
    values: list[ldif.Value] = ["plain", " leading space", "trailing ", ":colon", "<angle", "Olá", "a\nb", b"\xff\x00",
                                "x" * 200, ""]
    text = ldif.entry("cn=Conceição,dc=x", [("description", v) for v in values])
    text += ldif.modify("cn=schema", [("add", "attributeTypes", ["( 99.1 NAME 'a' )"]), ("delete", "mail", [])])
    assert all(len(line) <= 76 for line in text.splitlines())
    first, second = ldif.parse(text)
    assert (first.dn, first.attrs) == ("cn=Conceição,dc=x", {"description": values})
    assert second.mods == [("add", "attributeTypes", ["( 99.1 NAME 'a' )"]), ("delete", "mail", [])]
    assert text.startswith("dn:: ") and "description: plain\n" in text and "description: \n" in text
