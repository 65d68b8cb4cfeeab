"""OID ACL -> OUD aci, one shape per row: the exact aci (valid by OUD's grammar, tests/plugins/oud_aci.py),
or the reason it cannot be translated."""

from __future__ import annotations

import pytest

from flext.plugins.bundled.algar import aci
from tests.plugins import oud_aci

ADMINS = "cn=admins,ou=Groups,dc=old"


def move(dn: str) -> str:
    return dn[: -len("dc=old")] + "dc=new" if dn.endswith("dc=old") else dn


TRANSLATED = [
    ("access to entry by * (browse)", "subtree",
     '(version 3.0; acl "t"; allow (read,search) userdn="ldap:///anyone";)'),
    ("access to entry by * (browse)", "entry",
     '(targetscope="base")(version 3.0; acl "t"; allow (read,search) userdn="ldap:///anyone";)'),
    (f'access to entry by group="{ADMINS}" (browse,add,delete,proxy) by * (browse, noadd, nodelete)', "subtree",
     '(version 3.0; acl "t"; allow (read,search,add,delete,proxy) groupdn="ldap:///cn=admins,ou=Groups,dc=new"; '
     'allow (read,search) (userdn="ldap:///anyone" and not (groupdn="ldap:///cn=admins,ou=Groups,dc=new")); '
     'deny (add,delete) (userdn="ldap:///anyone" and not (groupdn="ldap:///cn=admins,ou=Groups,dc=new"));)'),
    ("access to attr=(*) by self (read,search,write,compare,selfwrite)", "subtree",
     '(targetattr="*")(version 3.0; acl "t"; allow (read,search,compare,write,selfwrite) userdn="ldap:///self";)'),
    ("ACCESS TO ATTR = ( userPassword , orclPassword ) BY SELF (WRITE) BY * (NOREAD)", "subtree",
     '(targetattr="userPassword || orclPassword")(version 3.0; acl "t"; allow (write) userdn="ldap:///self"; '
     'deny (read) (userdn="ldap:///anyone" and not (userdn="ldap:///self"));)'),
    ("access to attr!=(cpf) filter=(&(objectclass=person)(!(tipoUsuario=sistema))) by dnattr=(manager) (read) "
     "by groupattr=(owner) (search)", "entry",
     '(targetattr!="cpf")(targetfilter="(&(objectclass=person)(!(tipoUsuario=sistema)))")(targetscope="base")'
     '(version 3.0; acl "t"; allow (read) userattr="manager#USERDN"; '
     'allow (search) (userattr="owner#GROUPDN" and not (userattr="manager#USERDN"));)'),
    ('access to entry by dn="uid=ana,ou=People,dc=old" (browse) by group="cn=x,dc=elsewhere" (none) by * (nobrowse)',
     "subtree",
     '(version 3.0; acl "t"; allow (read,search) userdn="ldap:///uid=ana,ou=People,dc=new"; '
     'deny (read,search) (userdn="ldap:///anyone" and not (userdn="ldap:///uid=ana,ou=People,dc=new" or '
     'groupdn="ldap:///cn=x,dc=elsewhere"));)'),
    ("access to entry by * bindmode=(Simple) (browse) by * (nobrowse)", "subtree",
     '(version 3.0; acl "t"; allow (read,search) (userdn="ldap:///anyone" and authmethod="simple"); '
     'deny (read,search) (userdn="ldap:///anyone" and not ((userdn="ldap:///anyone" and authmethod="simple")));)'),
    ("access to entry by * (browse) by self (add)", "subtree",  # OID never reaches a clause after `by *`
     '(version 3.0; acl "t"; allow (read,search) userdn="ldap:///anyone";)'),
]


@pytest.mark.parametrize(("oid", "scope", "expected"), TRANSLATED)
def test_translated(oid: str, scope: str, expected: str) -> None:
    got = aci.translate(oid, scope=scope, name="t", move=move)
    assert got == expected
    parsed = oud_aci.parse(got)
    assert parsed.name == "t"


@pytest.mark.parametrize(("oid", "reason"), [
    ("access to entry by guidattr=(orclOwnerGUID) (browse)",
     "subject guidattr=(orclOwnerGUID) has no OUD equivalent (bind rules match DNs, not GUIDs)"),
    ("access to entry by * added_object_constraint=(objectclass=person) (add)",
     "added_object_constraint=(objectclass=person) has no OUD equivalent (an aci cannot constrain the entries a "
     "subject adds)"),
    ("access to entry by * bindmode=(SSLNoAuth) (browse)", "bindmode=(sslnoauth) has no OUD authmethod with the same meaning"),
    ("access to attr=(cn) by * (browse)", "right 'browse' is an entry right, not valid on 'access to attr'"),
    ("access to entry by * (read)", "right 'read' is an attribute right, not valid on 'access to entry'"),
    ("access to entry by * (fly)", "unknown right 'fly'"),
    ("access to entry by * (none)", "it grants and denies nothing"),
    ("access to entry by ip=10.0.0.1 (browse)", "unknown subject 'ip'"),
    ("access to entry by * sslonly (browse)", "unknown subject option 'sslonly'"),
    ('access to entry by dn="cn=a\\"b,dc=old" (browse)', "dn='cn=a\\\\\"b,dc=old' cannot be quoted in an aci"),
    ("access to entry filter=(objectclass=person by * (browse)", "syntax error: unbalanced parentheses"),
    ('access to entry by dn="cn=open (browse)', "syntax error: a quoted DN is not closed"),
    ("access to attr=() by * (read)", "attr=() names no attribute"),
    ("access to everything by * (browse)", "syntax error at column 11: expected 'entry' or 'attr'"),
    ("access to entry", "no 'by' clause"),
    ("access to entry (browse)", "syntax error at column 17: expected 'by'"),
])
def test_untranslatable(oid: str, reason: str) -> None:
    with pytest.raises(aci.Untranslatable) as caught:
        aci.translate(oid, scope="subtree", name="t", move=move)
    assert str(caught.value) == reason


@pytest.mark.parametrize("bad", [
    '(targetattr="*")(version 3.0; acl "x"; allow (fly) userdn="ldap:///anyone";)',
    '(targetscope="everywhere")(version 3.0; acl "x"; allow (read) userdn="ldap:///anyone";)',
    '(version 3.0; acl "x"; allow (read) userdn="anyone";)',
    '(version 3.0; acl "x"; allow (read) userdn="ldap:///anyone")',
    '(version 2.0; acl "x"; allow (read) userdn="ldap:///anyone";)',
    '(targetattr="*")(targetattr="cn")(version 3.0; acl "x"; allow (read) userdn="ldap:///anyone";)',
    '(version 3.0; acl "x"; allow (read) (userdn="ldap:///anyone" and authmethod="kerberos");)',
    '(targetfilter="(objectclass=person")(version 3.0; acl "x"; allow (read) userdn="ldap:///self";)',
])
def test_the_grammar_parser_can_fail(bad: str) -> None:
    with pytest.raises(oud_aci.AciError):
        oud_aci.parse(bad)


def test_the_docs_show_the_mapping_table() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "algar.md").read_text()
    assert aci.mapping_table() in docs  # regenerate the table in docs/algar.md when MAPPING changes
