"""RFC 2849 LDIF: a reader that keeps going (a broken record is reported, the rest still
read) and a writer.

Content records become `changetype: add`; change records (add, modify, delete) keep
their operations. Values are `str`, or `bytes` when base64 data is not UTF-8 text.
`records(path)` streams a file one record at a time, so memory does not grow with it.
"""

from __future__ import annotations

import base64

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

Value = str | bytes


class Record:
    """One LDIF record: its DN, change type, attributes (add) or modifications (modify)."""

    __slots__ = ("attrs", "changetype", "dn", "error", "file", "line", "mods")

    def __init__(self, file: str, line: int) -> None:
        self.file = file
        self.line = line
        self.dn = ""
        self.changetype = "add"
        self.attrs: dict[str, list[Value]] = {}
        self.mods: list[tuple[str, str, list[Value]]] = []  # (add|delete|replace, attribute, values)
        self.error: str | None = None

    def __repr__(self) -> str:
        return f"Record({self.changetype} {self.dn!r} at {self.file}:{self.line})"


def _logical_lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(line number, line) with continuations joined; a blank line yields ''."""
    current: list[str] = []
    start = 0
    for number, raw in enumerate(lines, 1):
        raw = raw.rstrip("\r\n")
        if raw.startswith(" ") and current:
            current.append(raw[1:])
            continue
        if current:
            yield start, "".join(current)
            current = []
        if raw.startswith("#"):
            continue
        if not raw.strip():
            yield number, ""
            continue
        current, start = [raw], number
    if current:
        yield start, "".join(current)


def _pair(line: str) -> tuple[str, Value]:
    name, sep, rest = line.partition(":")
    if not sep or not name.strip():
        raise ValueError(f"expected 'attribute: value', got {line[:60]!r}")
    if rest.startswith(":"):
        data = base64.b64decode(rest[1:].strip(), validate=True)
        try:
            return name.strip(), data.decode("utf-8")
        except UnicodeDecodeError:
            return name.strip(), data
    if rest.startswith("<"):
        raise ValueError(f"URL values are not supported ({name.strip()}:<)")
    return name.strip(), rest.lstrip(" ")


def _build(record: Record, lines: list[tuple[int, str]]) -> Record:
    try:
        first, rest = lines[0][1], lines[1:]
        name, dn = _pair(first)
        if name.lower() != "dn":
            raise ValueError(f"a record starts with 'dn:', got {name!r}")
        record.dn = dn if isinstance(dn, str) else dn.decode("utf-8")
        if rest and rest[0][1].lower().startswith("changetype:"):
            record.changetype = str(_pair(rest[0][1])[1]).strip().lower()
            rest = rest[1:]
        if record.changetype == "add":
            for _, line in rest:
                attr, value = _pair(line)
                record.attrs.setdefault(attr, []).append(value)
            if not record.attrs:
                raise ValueError("an entry needs attributes")
        elif record.changetype == "modify":
            op: tuple[str, str, list[Value]] | None = None
            for _, line in rest:
                if line.strip() == "-":
                    if op is not None:
                        record.mods.append(op)
                    op = None
                    continue
                attr, value = _pair(line)
                if op is None:
                    kind = attr.lower()
                    if kind not in ("add", "delete", "replace"):
                        raise ValueError(f"expected add:, delete: or replace:, got {attr!r}")
                    op = (kind, str(value).strip(), [])
                    continue
                if attr.lower() != op[1].lower():
                    raise ValueError(f"value for {attr!r} inside the {op[0]} of {op[1]!r}")
                op[2].append(value)
            if op is not None:
                record.mods.append(op)
            if not record.mods:
                raise ValueError("a modify record needs at least one change")
        elif record.changetype == "delete":
            if rest:
                raise ValueError("a delete record has no attributes")
        else:
            raise ValueError(f"unsupported changetype {record.changetype!r}")
    except (ValueError, IndexError) as exc:
        record.error = str(exc)
    return record


def stream(lines: Iterable[str], file: str = "<ldif>") -> Iterator[Record]:
    """Records from lines (a file object, or a list), one at a time."""
    block: list[tuple[int, str]] = []
    for number, line in _logical_lines(lines):
        if line == "":
            if block:
                yield _build(Record(file, block[0][0]), block)
                block = []
            continue
        if not block and line.lower().startswith("version:"):
            continue
        block.append((number, line))
    if block:
        yield _build(Record(file, block[0][0]), block)


def parse(text: str, file: str = "<ldif>") -> list[Record]:
    return list(stream(text.splitlines(), file))


def records(path: str) -> Iterator[Record]:
    """The records of a file, read as they are needed (bounded memory)."""
    with open(path, encoding="utf-8", newline="") as fh:
        yield from stream(fh, path)


def read(path: str) -> list[Record]:
    return list(records(path))


def count(path: str) -> int:
    """How many records a file holds, without keeping them."""
    return sum(1 for _ in records(path))


# -- writing -----------------------------------------------------------------------------
_UNSAFE_START = (" ", ":", "<")
WIDTH = 76


def _safe(value: str) -> bool:
    """RFC 2849 SAFE-STRING: ASCII without NUL/CR/LF, not starting with space, ':' or '<', no trailing space."""
    if not value:
        return True
    if value[0] in _UNSAFE_START or value[-1] == " " or not value.isascii():
        return False
    return "\n" not in value and "\r" not in value and "\0" not in value


def line(attr: str, value: Value) -> str:
    """One `attr: value` line (base64 `attr:: ...` when the value is not a safe string), folded at 76."""
    if isinstance(value, str) and _safe(value):
        text = f"{attr}: {value}"
    else:
        data = value.encode("utf-8") if isinstance(value, str) else value
        text = f"{attr}:: {base64.b64encode(data).decode('ascii')}"
    if len(text) <= WIDTH:
        return text + "\n"
    parts = [text[:WIDTH]]
    parts.extend(" " + text[i:i + WIDTH - 1] for i in range(WIDTH, len(text), WIDTH - 1))
    return "\n".join(parts) + "\n"


def entry(dn: str, attrs: Iterable[tuple[str, Value]]) -> str:
    """A content record, ending with its blank line."""
    return line("dn", dn) + "".join(line(a, v) for a, v in attrs) + "\n"


def modify(dn: str, changes: Iterable[tuple[str, str, list[Value]]]) -> str:
    """A `changetype: modify` record: (add|delete|replace, attribute, values) each closed by '-'."""
    out = [line("dn", dn), "changetype: modify\n"]
    for op, attr, values in changes:
        out.append(f"{op}: {attr}\n")
        out.extend(line(attr, v) for v in values)
        out.append("-\n")
    return "".join(out) + "\n"


__all__ = ["Record", "Value", "count", "entry", "line", "modify", "parse", "read", "records", "stream"]
