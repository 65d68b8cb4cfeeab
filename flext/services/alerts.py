"""Alert rules: a small expression language, parsed (with error positions) and type-checked.

    rule    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := value (("<" | "<=" | ">" | ">=" | "==" | "!=") value)?
    value   := call | NUMBER [unit] | STRING | "true" | "false" | "(" rule ")"
    call    := NAME "(" [arg ("," arg)*] ")"       arg: a bare name or a "string"

Numbers take duration units (`10m`, `500ms`, `2h`) and mean seconds. A rule must be
boolean; `and`/`or`/`not` need booleans; comparisons need numbers (or two booleans).
"""

from __future__ import annotations

from flext.core.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
OPS = ("<=", ">=", "==", "!=", "<", ">")
# name -> (argument kinds, result type)
FUNCTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "service_down": (("service",), "bool"),
    "service_up": (("service",), "bool"),
    "service_degraded": (("service",), "bool"),
    "service_latency": (("service",), "number"),
    "service_crashloop": (("service",), "bool"),
    "service_restarts": (("service",), "number"),
    "pipeline_failed": (("pipeline",), "bool"),
    "pipeline_running": (("pipeline",), "bool"),
    "run_duration": (("pipeline",), "number"),
    "run_records": (("pipeline",), "number"),
    "metric": (("service", "selector"), "number"),
}
EXAMPLES = ('service_down(flexcore), service_crashloop(flexcore), run_duration(orders) > 10m, '
            'metric(flexcore, "up") < 1; join with and/or/not')


class RuleError(ValueError):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} at column {column}")
        self.message = message
        self.column = column


class Node:
    """kind: call | num | bool | str | cmp | and | or | not."""

    __slots__ = ("args", "kind", "pos", "type", "value")

    def __init__(self, kind: str, value: Any, args: list[Node] | None, pos: int, type: str = "") -> None:
        self.kind = kind
        self.value = value
        self.args = args or []
        self.pos = pos
        self.type = type

    def __repr__(self) -> str:
        if self.kind in ("num", "bool", "str", "name"):
            return f"{self.kind}:{self.value!r}"
        return f"{self.kind}:{self.value}({', '.join(map(repr, self.args))})"


_NAME_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | set("0123456789-.")


def tokens(text: str) -> list[tuple[str, Any, int]]:
    """(kind, value, 1-based column) ... ending with ("end", None, len+1)."""
    out: list[tuple[str, Any, int]] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        col = i + 1
        if ch in "(),":
            out.append((ch, ch, col))
            i += 1
        elif ch in "<>=!":
            two = text[i : i + 2]
            if two in OPS:
                out.append(("op", two, col))
                i += 2
            elif ch in "<>":
                out.append(("op", ch, col))
                i += 1
            elif ch == "=":
                raise RuleError("'=' is not an operator (use '==')", col)
            else:
                out.append(("not", "!", col))
                i += 1
        elif ch == "&" and text[i : i + 2] == "&&":
            out.append(("and", "&&", col))
            i += 2
        elif ch == "|" and text[i : i + 2] == "||":
            out.append(("or", "||", col))
            i += 2
        elif ch == '"' or ch == "'":
            j = i + 1
            buf: list[str] = []
            while True:
                if j >= n:
                    raise RuleError("unterminated string", col)
                c = text[j]
                if c == "\\" and j + 1 < n:
                    nxt = text[j + 1]
                    buf.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
                    j += 2
                    continue
                if c == ch:
                    break
                buf.append(c)
                j += 1
            out.append(("str", "".join(buf), col))
            i = j + 1
        elif ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            number, i = _number(text, i)
            out.append(("num", number, col))
        elif ch in _NAME_START:
            j = i + 1
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            word = text[i:j]
            low = word.lower()
            if low in ("and", "or", "not"):
                out.append((low, low, col))
            elif low in ("true", "false"):
                out.append(("bool", low == "true", col))
            else:
                out.append(("name", word, col))
            i = j
        else:
            raise RuleError(f"unexpected character {ch!r}", col)
    out.append(("end", None, n + 1))
    return out


def _number(text: str, i: int) -> tuple[float, int]:
    """A number at i, with optional units that may repeat (`1h30m`); (seconds, end)."""
    n = len(text)
    total = 0.0
    first = True
    while True:
        j = i
        while j < n and (text[j].isdigit() or text[j] == "."):
            j += 1
        if first and j < n and text[j] in "eE" and j + 1 < n and (text[j + 1].isdigit() or text[j + 1] in "+-"):
            j += 2
            while j < n and text[j].isdigit():
                j += 1
        try:
            number = float(text[i:j])
        except ValueError:
            raise RuleError(f"bad number {text[i:j]!r}", i + 1) from None
        k = j
        while k < n and text[k].isalpha():
            k += 1
        unit = text[j:k]
        if not unit:
            return (number if first else total + number), k
        if unit not in UNITS:
            raise RuleError(f"unknown unit {unit!r} (use ms, s, m, h, d or w)", j + 1)
        total += number * UNITS[unit]
        first = False
        if k >= n or not text[k].isdigit():
            return total, k
        i = k


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, Any, int]:
        return self.toks[self.i]

    def take(self) -> tuple[str, Any, int]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, kind: str, what: str) -> tuple[str, Any, int]:
        tok = self.peek()
        if tok[0] != kind:
            raise RuleError(f"expected {what}, found {_show(tok)}", tok[2])
        return self.take()

    def rule(self) -> Node:
        if self.peek()[0] == "end":
            raise RuleError("empty rule", 1)
        node = self.or_()
        tok = self.peek()
        if tok[0] != "end":
            raise RuleError(f"unexpected {_show(tok)}", tok[2])
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        pos = items[0].pos
        while self.peek()[0] == "or":
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else Node("or", "or", items, pos)

    def and_(self) -> Node:
        items = [self.not_()]
        pos = items[0].pos
        while self.peek()[0] == "and":
            self.take()
            items.append(self.not_())
        return items[0] if len(items) == 1 else Node("and", "and", items, pos)

    def not_(self) -> Node:
        if self.peek()[0] == "not":
            pos = self.take()[2]
            return Node("not", "not", [self.not_()], pos)
        return self.compare()

    def compare(self) -> Node:
        left = self.value()
        if self.peek()[0] == "op":
            _, op, pos = self.take()
            right = self.value()
            if self.peek()[0] == "op":
                raise RuleError("comparisons cannot be chained (use 'and')", self.peek()[2])
            return Node("cmp", op, [left, right], pos)
        return left

    def value(self) -> Node:
        kind, value, pos = self.peek()
        if kind == "(":
            self.take()
            inner = self.or_()
            self.expect(")", "')'")
            return inner
        if kind in ("num", "bool", "str"):
            self.take()
            return Node(kind, value, None, pos)
        if kind == "name":
            self.take()
            if self.peek()[0] != "(":
                raise RuleError(f"expected '(' after {value!r} (a function call such as service_down(NAME))", self.peek()[2])
            self.take()
            args: list[Node] = []
            if self.peek()[0] != ")":
                while True:
                    k, v, p = self.peek()
                    if k not in ("name", "str"):
                        raise RuleError(f"expected a name or a string as argument of {value}, found {_show((k, v, p))}", p)
                    self.take()
                    args.append(Node("str", v, None, p))
                    if self.peek()[0] == ",":
                        self.take()
                        continue
                    break
            self.expect(")", f"',' or ')' in the call of {value}")
            return Node("call", value, args, pos)
        raise RuleError(f"expected a value, found {_show((kind, value, pos))}", pos)


def _show(tok: tuple[str, Any, int]) -> str:
    kind, value, _ = tok
    if kind == "end":
        return "the end of the rule"
    if kind == "str":
        return f'"{value}"'
    if kind == "num":
        return f"number {value:g}"
    return f"'{value}'"


def _typecheck(node: Node) -> str:
    if node.kind == "num":
        node.type = "number"
    elif node.kind == "bool":
        node.type = "bool"
    elif node.kind == "str":
        raise RuleError("a string is only allowed as a function argument", node.pos)
    elif node.kind == "call":
        spec = FUNCTIONS.get(node.value)
        if spec is None:
            from flext.core.suggest import closest

            guess = closest(node.value, list(FUNCTIONS))
            raise RuleError(f"unknown function {node.value!r}" + (f" (did you mean {guess}?)" if guess else ""), node.pos)
        kinds, result = spec
        if len(node.args) != len(kinds):
            raise RuleError(f"{node.value} takes {len(kinds)} argument{'s' if len(kinds) != 1 else ''} "
                            f"({', '.join(kinds)}), got {len(node.args)}", node.pos)
        for arg, kind in zip(node.args, kinds, strict=True):
            if not arg.value:
                raise RuleError(f"empty {kind} name", arg.pos)
            if kind == "selector":
                from flext.services import prom

                try:
                    prom.parse_selector(arg.value)
                except prom.ParseError as exc:
                    raise RuleError(f"bad metric selector: {exc.message}", arg.pos + (exc.column or 1)) from None
        node.type = result
    elif node.kind == "cmp":
        left, right = (_typecheck(a) for a in node.args)
        if left != right:
            raise RuleError(f"cannot compare a {_tname(left)} with a {_tname(right)}", node.pos)
        if left == "bool" and node.value not in ("==", "!="):
            raise RuleError(f"'{node.value}' needs numbers, not true/false", node.pos)
        node.type = "bool"
    else:  # and / or / not
        for arg in node.args:
            if _typecheck(arg) != "bool":
                raise RuleError(f"'{node.kind}' needs a condition, not a number", arg.pos)
        node.type = "bool"
    return node.type


def _tname(t: str) -> str:
    return "number" if t == "number" else "condition"


def parse(text: str) -> Node:
    """The checked syntax tree of a rule; RuleError(message, column) when it does not parse."""
    node = _Parser(text).rule()
    if _typecheck(node) != "bool":
        raise RuleError("a rule must be a condition (compare the number, e.g. '> 10')", len(text) + 1)
    return node


def check(name: str, text: str) -> Node:
    """parse(), with a usage error that names the rule, the column and the text there."""
    try:
        return parse(text)
    except RuleError as exc:
        near = text[exc.column - 1 : exc.column + 14]
        where = f" (near {near!r})" if near.strip() else ""
        raise UsageError(f"alert rule {name!r} does not parse: {exc.message} at column {exc.column}{where}",
                         hint=f"rules look like: {EXAMPLES}") from None


def references(node: Node) -> list[tuple[str, list[str]]]:
    """Every (function, args) call in the rule, depth first."""
    out: list[tuple[str, list[str]]] = []
    if node.kind == "call":
        out.append((node.value, [a.value for a in node.args]))
    for arg in node.args:
        if node.kind != "call":
            out.extend(references(arg))
    return out


__all__ = ["EXAMPLES", "FUNCTIONS", "Node", "RuleError", "check", "parse", "references", "tokens"]
