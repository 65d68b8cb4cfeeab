"""A parser of Oracle Unified Directory's ACI grammar, written for the tests from OUD's
documentation ("Access Control Instruction syntax"); independent of flext's translator.

    aci        = 1*target "(" "version 3.0;" ws "acl" ws QUOTED ";" 1*(ws permission ws bindrule ";") ws ")"
                 | "(" "version 3.0;" ...                    (targets are optional)
    target     = "(" ws keyword ws ("=" | "!=") ws QUOTED ws ")"
    keyword    = target | targetattr | targetfilter | targattrfilters | targetscope | targetcontrol | extop
    permission = ("allow" | "deny") ws "(" right *("," ws right) ")"
    right      = read | write | add | delete | search | compare | selfwrite | all | proxy | import | export
    bindrule   = term *(ws ("and" | "or") ws term)
    term       = "not" ws term | "(" ws bindrule ws ")" | simple
    simple     = bindkey ws op ws QUOTED
    bindkey    = userdn | groupdn | roledn | userattr | authmethod | ip | dns | dayofweek | timeofday | ssf
    op         = "=" | "!=" | ">=" | "<=" | ">" | "<"        (ordering operators: timeofday, ssf only)

Values are checked too: targetattr is `*` or attribute names joined by `||`; targetscope
is base, onelevel, subtree or subordinate; targetfilter a parenthesised LDAP filter;
userdn/groupdn/roledn `ldap:///DN` (or anyone, self, all, parent), alternatives joined
by `||`; userattr `attr#USERDN|GROUPDN|ROLEDN|LDAPURL` or `attr#value`; authmethod
none, simple, ssl or `sasl MECH`. A keyword appears at most once among the targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TARGETS = {"target", "targetattr", "targetfilter", "targattrfilters", "targetscope", "targetcontrol", "extop"}
RIGHTS = {"read", "write", "add", "delete", "search", "compare", "selfwrite", "all", "proxy", "import", "export"}
BINDKEYS = {"userdn", "groupdn", "roledn", "userattr", "authmethod", "ip", "dns", "dayofweek", "timeofday", "ssf"}
_ATTR = re.compile(r"^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$")
_RDN = re.compile(r"^[A-Za-z][A-Za-z0-9-]*=.+$")


class AciError(ValueError):
    pass


@dataclass
class Aci:
    targets: dict[str, tuple[str, str]] = field(default_factory=dict)  # keyword -> (op, value)
    name: str = ""
    permissions: list[tuple[str, list[str], object]] = field(default_factory=list)  # (allow|deny, rights, rule)


class _P:
    def __init__(self, text: str) -> None:
        self.t = text
        self.i = 0

    def ws(self) -> None:
        while self.i < len(self.t) and self.t[self.i] == " ":
            self.i += 1

    def lit(self, s: str) -> bool:
        self.ws()
        if self.t.startswith(s, self.i):
            self.i += len(s)
            return True
        return False

    def need(self, s: str) -> None:
        if not self.lit(s):
            raise AciError(f"expected {s!r} at {self.i}: {self.t[self.i:self.i + 30]!r}")

    def word(self) -> str:
        self.ws()
        m = re.compile(r"[A-Za-z][A-Za-z0-9]*").match(self.t, self.i)
        if not m:
            raise AciError(f"expected a keyword at {self.i}: {self.t[self.i:self.i + 30]!r}")
        self.i = m.end()
        return m.group(0)

    def quoted(self) -> str:
        self.ws()
        if self.i >= len(self.t) or self.t[self.i] != '"':
            raise AciError(f"expected a quoted value at {self.i}")
        end = self.t.find('"', self.i + 1)
        if end < 0:
            raise AciError("unterminated quoted value")
        value = self.t[self.i + 1:end]
        self.i = end + 1
        return value

    def op(self, allowed: tuple[str, ...]) -> str:
        self.ws()
        for candidate in (">=", "<=", "!=", "=", ">", "<"):
            if self.t.startswith(candidate, self.i):
                if candidate not in allowed:
                    raise AciError(f"operator {candidate!r} not allowed here")
                self.i += len(candidate)
                return candidate
        raise AciError(f"expected an operator at {self.i}")


def _filter(value: str) -> None:
    if not (value.startswith("(") and value.endswith(")")) or "=" not in value:
        raise AciError(f"not an LDAP filter: {value!r}")
    level = 0
    for ch in value:
        level += ch == "("
        level -= ch == ")"
        if level < 0:
            raise AciError(f"unbalanced filter: {value!r}")
    if level:
        raise AciError(f"unbalanced filter: {value!r}")


def _ldap_url(value: str) -> None:
    for alt in value.split("||"):
        alt = alt.strip()
        if not alt.startswith("ldap:///"):
            raise AciError(f"not an ldap:/// URL: {alt!r}")
        rest = alt[len("ldap:///"):]
        if rest in ("anyone", "self", "all", "parent"):
            continue
        if not all(_RDN.match(r.strip()) for r in rest.split(",")):
            raise AciError(f"not a DN: {rest!r}")


def _check_target(key: str, op: str, value: str) -> None:
    if key == "targetattr":
        if value != "*" and not all(_ATTR.match(a.strip()) for a in value.split("||")):
            raise AciError(f"bad targetattr {value!r}")
    elif key == "targetscope":
        if op != "=" or value not in ("base", "onelevel", "subtree", "subordinate"):
            raise AciError(f"bad targetscope {value!r}")
    elif key == "targetfilter":
        _filter(value)
    elif key == "target":
        _ldap_url(value)


def _simple(p: _P) -> object:
    key = p.word().lower()
    if key not in BINDKEYS:
        raise AciError(f"unknown bind rule keyword {key!r}")
    op = p.op(("=", "!=", ">=", "<=", ">", "<") if key in ("timeofday", "ssf") else ("=", "!="))
    value = p.quoted()
    if key in ("userdn", "groupdn", "roledn"):
        _ldap_url(value)
    elif key == "userattr":
        attr, sep, kind = value.partition("#")
        if not sep or not _ATTR.match(attr) or not kind:
            raise AciError(f"bad userattr {value!r}")
    elif key == "authmethod" and value.lower() not in ("none", "simple", "ssl") and not value.lower().startswith("sasl "):
        raise AciError(f"bad authmethod {value!r}")
    return (key, op, value)


def _term(p: _P) -> object:
    p.ws()
    if p.t.startswith("not ", p.i) or p.t.startswith("not(", p.i):
        p.i += 3
        return ("not", _term(p))
    if p.lit("("):
        rule = _rule(p)
        p.need(")")
        return rule
    return _simple(p)


def _rule(p: _P) -> object:
    terms = [_term(p)]
    while True:
        p.ws()
        for joiner in ("and ", "or "):
            if p.t.startswith(joiner, p.i):
                p.i += len(joiner)
                terms.append((joiner.strip(), _term(p)))
                break
        else:
            return terms[0] if len(terms) == 1 else ("expr", terms)


def parse(text: str) -> Aci:
    p = _P(text)
    aci = Aci()
    while True:
        if not p.lit("("):
            raise AciError("an aci starts with '('")
        p.ws()
        if p.t.startswith("version", p.i):
            break
        key = p.word().lower()
        if key not in TARGETS:
            raise AciError(f"unknown target keyword {key!r}")
        if key in aci.targets:
            raise AciError(f"target {key!r} given twice")
        op = p.op(("=", "!="))
        value = p.quoted()
        p.need(")")
        _check_target(key, op, value)
        aci.targets[key] = (op, value)
    p.need("version")
    p.ws()
    p.need("3.0;")
    p.need("acl")
    aci.name = p.quoted()
    if not aci.name:
        raise AciError("empty acl name")
    p.need(";")
    while True:
        p.ws()
        if p.t.startswith(")", p.i):
            break
        kind = p.word().lower()
        if kind not in ("allow", "deny"):
            raise AciError(f"expected allow or deny, got {kind!r}")
        p.need("(")
        rights = [r.strip() for r in p.t[p.i:p.t.index(")", p.i)].split(",")]
        p.i = p.t.index(")", p.i) + 1
        if not rights or any(r not in RIGHTS for r in rights):
            raise AciError(f"bad rights {rights}")
        rule = _rule(p)
        p.need(";")
        aci.permissions.append((kind, rights, rule))
    p.need(")")
    p.ws()
    if p.i != len(p.t):
        raise AciError(f"text after the aci: {p.t[p.i:]!r}")
    if not aci.permissions:
        raise AciError("no permission")
    return aci


__all__ = ["Aci", "AciError", "parse"]
