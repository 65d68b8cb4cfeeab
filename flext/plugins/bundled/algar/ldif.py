"""An RFC 2849 LDIF reader that keeps going: a broken record is reported, the rest still read.

Content records become `changetype: add`; change records (add, modify, delete) keep
their operations. Values are `str`, or `bytes` when base64 data is not UTF-8 text.
"""

from __future__ import annotations

import base64

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

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


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) with continuations joined; a blank line yields ''."""
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
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


def parse(text: str, file: str = "<ldif>") -> list[Record]:
    records: list[Record] = []
    block: list[tuple[int, str]] = []
    for number, line in _logical_lines(text):
        if line == "":
            if block:
                records.append(_build(Record(file, block[0][0]), block))
                block = []
            continue
        if not block and line.lower().startswith("version:"):
            continue
        block.append((number, line))
    if block:
        records.append(_build(Record(file, block[0][0]), block))
    return records


def read(path: str) -> list[Record]:
    with open(path, encoding="utf-8") as fh:
        return parse(fh.read(), path)


__all__ = ["Record", "Value", "parse", "read"]
