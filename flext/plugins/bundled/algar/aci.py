"""OID access control (`orclaci`, `orclentrylevelaci`) translated to OUD `aci` values.

OID (Oracle Internet Directory) grammar read here:

    access to entry [filter=(LDAPFILTER)] BY-CLAUSE...
    access to attr=(a, b | *) [filter=(LDAPFILTER)] BY-CLAUSE...
    access to attr!=(a, b) [filter=(LDAPFILTER)] BY-CLAUSE...
    BY-CLAUSE = by SUBJECT [bindmode=(MODE)] [added_object_constraint=(FILTER)] (RIGHT, ...)
    SUBJECT   = * | self | dn="DN" | group="DN" | dnattr=(attr) | groupattr=(attr) | guidattr=(attr)
    RIGHT     = browse add delete proxy (entries) | read search write selfwrite compare (attributes)
                | the same prefixed with `no` | none

OUD's ACI grammar written: `(target...)(version 3.0; acl "NAME"; allow|deny (RIGHTS) BINDRULE; ...)`.
The mapping table (docs/algar.md shows it to users) is MAPPING below. OID gives each
requester the rights of the first `by` clause whose subject matches; OUD combines every
matching rule and a deny always wins. So each clause's bind rule excludes the subjects
of the clauses before it (`... and not (earlier subjects)`), which keeps OID's meaning
inside one ACL, and a clause after `by *` (never reached in OID) is left out.

What has no OUD equivalent raises Untranslatable with the reason; the caller reports it
(the `rejected` file), never drops it silently. A partly translatable ACL is rejected
whole: granting only part of it could give more access than OID did (a dropped `no...`).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

ENTRY_RIGHTS = {"browse": ("read", "search"), "add": ("add",), "delete": ("delete",), "proxy": ("proxy",)}
ATTR_RIGHTS = {"read": ("read",), "search": ("search",), "write": ("write",), "selfwrite": ("selfwrite",),
               "compare": ("compare",)}
OUD_ORDER = ("read", "search", "compare", "write", "selfwrite", "add", "delete", "proxy")
BINDMODES = {"none": "none", "simple": "simple", "ssltwoway": "ssl"}

# (what, OID, OUD, note): the mapping table; docs/algar.md holds mapping_table() verbatim (a test checks)
MAPPING: list[tuple[str, str, str, str]] = [
    ("scope", "orclaci on an entry", "aci on the same entry, no targetscope", "the entry and everything below it "
     "(OUD's default scope, subtree)"),
    ("scope", "orclentrylevelaci on an entry", '(targetscope="base")', "the entry only"),
    ("target", "access to entry", "no targetattr", "rights on the entry itself"),
    ("target", "access to attr=(*)", '(targetattr="*")', "every attribute"),
    ("target", "access to attr=(a, b)", '(targetattr="a || b")', "these attributes"),
    ("target", "access to attr!=(a, b)", '(targetattr!="a || b")', "every attribute but these"),
    ("target", "filter=(F)", '(targetfilter="(F)")', "only entries matching F"),
    ("subject", "by *", 'userdn="ldap:///anyone"', ""),
    ("subject", "by self", 'userdn="ldap:///self"', ""),
    ("subject", 'by dn="DN"', 'userdn="ldap:///DN"', "DN moved to the target base"),
    ("subject", 'by group="DN"', 'groupdn="ldap:///DN"', "DN moved to the target base"),
    ("subject", "by dnattr=(a)", 'userattr="a#USERDN"', "the requester is named in attribute a"),
    ("subject", "by groupattr=(a)", 'userattr="a#GROUPDN"', "the requester is in a group named in a"),
    ("subject", "bindmode=(None), (Simple), (SSLTwoWay)", 'and authmethod="none", "simple", "ssl"', ""),
    ("subject", "a later by clause", "(SUBJECT and not (earlier subjects))",
     "OID gives a requester the first clause that matches; OUD applies all of them"),
    ("subject", "a by clause after by *", "left out", "OID never reaches it"),
    ("right", "browse", "read, search", "entry right"),
    ("right", "add, delete, proxy", "add, delete, proxy", "entry rights"),
    ("right", "read, search, write, selfwrite, compare", "the same", "attribute rights"),
    ("right", "noRIGHT (noadd, noread, ...)", "deny (RIGHT)", "in OUD a deny wins over every allow"),
    ("right", "none", "no right", "the subject still shadows later clauses"),
    ("rejected", "by guidattr=(a)", "-", "OUD bind rules match DNs, not GUIDs"),
    ("rejected", "added_object_constraint=(F)", "-", "an aci cannot constrain the entries a subject adds"),
    ("rejected", "bindmode=(SSLNoAuth), (SSLOneWay), (Proxy)", "-", "no OUD authmethod means the same"),
    ("rejected", "an entry right on attr=, an attribute right on entry", "-", "not meaningful"),
    ("rejected", "anything else the grammar above does not read", "-", "the syntax error is the reason"),
]


def mapping_table() -> str:
    """MAPPING as a Markdown table (docs/algar.md)."""
    lines = ["| | OID | OUD | note |", "|---|---|---|---|"]
    for what, oid, oud, note in MAPPING:
        lines.append(f"| {what} | {oid.replace('|', chr(92) + '|')} | {oud.replace('|', chr(92) + '|')} | {note} |")
    return "\n".join(lines) + "\n"


class Untranslatable(ValueError):
    """The ACL cannot be expressed as an OUD aci; the message is the reason."""


class Clause:
    __slots__ = ("bindmode", "constraint", "kind", "rights", "value")

    def __init__(self, kind: str, value: str) -> None:
        self.kind = kind  # anyone | self | dn | group | dnattr | groupattr | guidattr
        self.value = value
        self.bindmode: str | None = None
        self.constraint: str | None = None
        self.rights: list[str] = []


class Acl:
    __slots__ = ("attrs", "clauses", "filter", "negated", "target")

    def __init__(self) -> None:
        self.target = "entry"  # entry | attr
        self.attrs: list[str] = []
        self.negated = False
        self.filter: str | None = None
        self.clauses: list[Clause] = []


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def done(self) -> bool:
        self.ws()
        return self.pos >= len(self.text)

    def peek(self, word: str) -> bool:
        self.ws()
        return self.text[self.pos:self.pos + len(word)].lower() == word

    def take(self, word: str) -> bool:
        if self.peek(word):
            self.pos += len(word)
            return True
        return False

    def expect(self, word: str, what: str) -> None:
        if not self.take(word):
            raise Untranslatable(f"syntax error at column {self.pos + 1}: expected {what}")

    def word(self) -> str:
        self.ws()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_-;"):
            self.pos += 1
        return self.text[start:self.pos]

    def quoted(self) -> str:
        self.ws()
        if self.pos >= len(self.text) or self.text[self.pos] != '"':
            raise Untranslatable(f"syntax error at column {self.pos + 1}: expected a quoted DN")
        end = self.pos + 1
        while end < len(self.text) and self.text[end] != '"':
            end += 2 if self.text[end] == "\\" else 1
        if end >= len(self.text):
            raise Untranslatable("syntax error: a quoted DN is not closed")
        value = self.text[self.pos + 1:end]
        self.pos = end + 1
        return value

    def parens(self) -> str:
        """The text inside balanced parentheses (the parentheses consumed, not returned)."""
        self.ws()
        if self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise Untranslatable(f"syntax error at column {self.pos + 1}: expected '('")
        level = 0
        for end in range(self.pos, len(self.text)):
            ch = self.text[end]
            if ch == "\\":
                continue
            if ch == "(":
                level += 1
            elif ch == ")":
                level -= 1
                if level == 0:
                    inner = self.text[self.pos + 1:end]
                    self.pos = end + 1
                    return inner
        raise Untranslatable("syntax error: unbalanced parentheses")


def parse(text: str) -> Acl:
    """An OID ACL directive; Untranslatable (a syntax error) when it does not read."""
    s = _Scanner(text)
    acl = Acl()
    s.expect("access", "'access to'")
    s.expect("to", "'access to'")
    if s.take("entry"):
        acl.target = "entry"
    elif s.take("attr"):
        acl.target = "attr"
        s.ws()
        if s.take("!="):
            acl.negated = True
        else:
            s.expect("=", "'=' or '!=' after attr")
        acl.attrs = [a.strip() for a in s.parens().split(",") if a.strip()]
        if not acl.attrs:
            raise Untranslatable("attr=() names no attribute")
    else:
        raise Untranslatable(f"syntax error at column {s.pos + 1}: expected 'entry' or 'attr'")
    if s.take("filter"):
        s.expect("=", "'=' after filter")
        acl.filter = "(" + s.parens() + ")"
    while not s.done():
        s.expect("by", "'by'")
        acl.clauses.append(_clause(s))
    if not acl.clauses:
        raise Untranslatable("no 'by' clause")
    return acl


def _clause(s: _Scanner) -> Clause:
    s.ws()
    if s.take("*"):
        clause = Clause("anyone", "")
    else:
        keyword = s.word().lower()
        if keyword == "self":
            clause = Clause("self", "")
        elif keyword in ("dn", "group"):
            s.expect("=", f"'=' after {keyword}")
            clause = Clause(keyword, s.quoted().strip())
        elif keyword in ("dnattr", "groupattr", "guidattr"):
            s.expect("=", f"'=' after {keyword}")
            clause = Clause(keyword, s.parens().strip())
        else:
            raise Untranslatable(f"unknown subject {keyword or s.text[s.pos:s.pos + 12]!r}")
    while True:
        s.ws()
        if s.peek("("):
            break
        keyword = s.word().lower()
        if keyword == "bindmode":
            s.expect("=", "'=' after bindmode")
            clause.bindmode = s.parens().strip().lower()
        elif keyword == "added_object_constraint":
            s.expect("=", "'=' after added_object_constraint")
            clause.constraint = "(" + s.parens() + ")"
        else:
            raise Untranslatable(f"unknown subject option {keyword or s.text[s.pos:s.pos + 12]!r}")
    clause.rights = [r.strip().lower() for r in s.parens().split(",") if r.strip()]
    return clause


def _subject(clause: Clause, move: Callable[[str], str]) -> str:
    if clause.kind == "anyone":
        rule = 'userdn="ldap:///anyone"'
    elif clause.kind == "self":
        rule = 'userdn="ldap:///self"'
    elif clause.kind in ("dn", "group"):
        dn = move(clause.value)
        if '"' in dn or not dn:
            raise Untranslatable(f"{clause.kind}={clause.value!r} cannot be quoted in an aci")
        rule = f'{"userdn" if clause.kind == "dn" else "groupdn"}="ldap:///{dn}"'
    elif clause.kind == "dnattr":
        rule = f'userattr="{clause.value}#USERDN"'
    elif clause.kind == "groupattr":
        rule = f'userattr="{clause.value}#GROUPDN"'
    else:
        raise Untranslatable(f"subject guidattr=({clause.value}) has no OUD equivalent (bind rules match DNs, not GUIDs)")
    if clause.constraint is not None:
        raise Untranslatable(f"added_object_constraint={clause.constraint} has no OUD equivalent "
                             "(an aci cannot constrain the entries a subject adds)")
    if clause.bindmode is not None:
        method = BINDMODES.get(clause.bindmode)
        if method is None:
            raise Untranslatable(f"bindmode=({clause.bindmode}) has no OUD authmethod with the same meaning")
        rule = f'({rule} and authmethod="{method}")'
    return rule


def _rights(acl: Acl, clause: Clause) -> tuple[list[str], list[str]]:
    """(allowed, denied) OUD rights of one clause."""
    table = ENTRY_RIGHTS if acl.target == "entry" else ATTR_RIGHTS
    other = ATTR_RIGHTS if acl.target == "entry" else ENTRY_RIGHTS
    allow: set[str] = set()
    deny: set[str] = set()
    for right in clause.rights:
        if right == "none":
            continue
        negative = right.startswith("no") and right[2:] in (*ENTRY_RIGHTS, *ATTR_RIGHTS)
        name = right[2:] if negative else right
        if name not in table:
            if name in other:
                level = "an entry" if acl.target == "attr" else "an attribute"
                raise Untranslatable(f"right {right!r} is {level} right, not valid on 'access to {acl.target}'")
            raise Untranslatable(f"unknown right {right!r}")
        (deny if negative else allow).update(table[name])
    return ([r for r in OUD_ORDER if r in allow], [r for r in OUD_ORDER if r in deny])


def translate(text: str, *, scope: str, name: str, move: Callable[[str], str] = lambda dn: dn) -> str:
    """The OUD aci for one OID ACL value; `scope` "subtree" (orclaci) or "entry" (orclentrylevelaci)."""
    acl = parse(text)
    targets = []
    if acl.target == "attr":
        attrs = " || ".join(acl.attrs) if acl.attrs != ["*"] else "*"
        targets.append(f'(targetattr{"!=" if acl.negated else "="}"{attrs}")')
    if acl.filter is not None:
        if '"' in acl.filter:
            raise Untranslatable(f"filter {acl.filter} cannot be quoted in an aci")
        targets.append(f'(targetfilter="{acl.filter}")')
    if scope == "entry":
        targets.append('(targetscope="base")')
    pairs: list[str] = []
    earlier: list[str] = []
    for clause in acl.clauses:
        if 'userdn="ldap:///anyone"' in earlier:
            break  # OID never reaches a clause after `by *`
        subject = _subject(clause, move)
        rule = subject if not earlier else f"({subject} and not ({' or '.join(earlier)}))"
        allow, deny = _rights(acl, clause)
        if allow:
            pairs.append(f"allow ({','.join(allow)}) {rule};")
        if deny:
            pairs.append(f"deny ({','.join(deny)}) {rule};")
        earlier.append(subject)
    if not pairs:
        raise Untranslatable("it grants and denies nothing")
    label = " ".join(name.replace('"', "'").split())
    return f'{"".join(targets)}(version 3.0; acl "{label}"; {" ".join(pairs)})'


__all__ = ["MAPPING", "Acl", "Untranslatable", "mapping_table", "parse", "translate"]
