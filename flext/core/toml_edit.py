"""Minimal, comment-preserving edits of a TOML document.

`set_value` and `unset_value` change one key in one table and leave every other line
(comments, unknown keys, ordering) untouched. Callers verify the result by parsing it;
when an edit cannot be done in place (inline tables, odd layouts) they fall back to
`dumps`, which rewrites the document without comments.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def key_literal(key: str) -> str:
    if key and all(ch in _BARE for ch in key):
        return key
    return _string(key)


def _string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def literal(value: Any) -> str:
    """A Python value as a TOML value literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key_literal(str(k))} = {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dumps(data: dict[str, Any]) -> str:
    """Serialise a document: scalars first, then tables (nested as [a.b])."""
    lines: list[str] = []

    def emit(table: dict[str, Any], prefix: tuple[str, ...]) -> None:
        scalars = [(k, v) for k, v in table.items() if not isinstance(v, dict)]
        tables = [(k, v) for k, v in table.items() if isinstance(v, dict)]
        if prefix and (scalars or not tables):
            if lines:
                lines.append("")
            lines.append("[" + ".".join(key_literal(p) for p in prefix) + "]")
        for key, value in scalars:
            lines.append(f"{key_literal(key)} = {literal(value)}")
        for key, value in tables:
            emit(value, (*prefix, key))

    emit(data, ())
    return "\n".join(lines) + "\n"


def _split_key(text: str) -> list[str]:
    """Parse a (possibly dotted, possibly quoted) key into its parts."""
    parts: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in " \t.":
            i += 1
            continue
        if ch in "\"'":
            j = text.find(ch, i + 1)
            if j < 0:
                return []
            parts.append(text[i + 1 : j])
            i = j + 1
            continue
        j = i
        while j < n and text[j] not in " \t.":
            j += 1
        parts.append(text[i:j])
        i = j
    return parts


def _header(line: str) -> list[str] | None:
    s = line.strip()
    if s.startswith("[[") or not s.startswith("["):
        return None
    end = s.find("]")
    if end < 0:
        return None
    return _split_key(s[1:end])


def _key_of(line: str) -> list[str] | None:
    s = line.strip()
    if not s or s.startswith("#") or s.startswith("["):
        return None
    # find '=' outside quotes
    quote = ""
    for index, ch in enumerate(s):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "=":
            return _split_key(s[:index])
    return None


def _value_span(lines: list[str], start: int) -> int:
    """Index of the last line of the value that starts on line `start`."""
    _, _, value = lines[start].partition("=")
    value = value.strip()
    if value.startswith('"""') or value.startswith("'''"):
        fence = value[:3]
        if value.count(fence) >= 2:
            return start
        for k in range(start + 1, len(lines)):
            if fence in lines[k]:
                return k
        return start
    if value.startswith("["):
        depth = 0
        for k in range(start, len(lines)):
            text = lines[k] if k > start else value
            for ch in text.split("#", 1)[0]:
                if ch == "[":
                    depth += 1
                elif ch == "]":
                    depth -= 1
            if depth <= 0:
                return k
        return start
    return start


def _regions(lines: list[str]) -> list[tuple[list[str], int, int]]:
    """(table path, first body line, end) for the root and every [table]."""
    regions: list[tuple[list[str], int, int]] = []
    current: list[str] = []
    begin = 0
    for index, line in enumerate(lines):
        header = _header(line)
        if header is not None:
            regions.append((current, begin, index))
            current, begin = header, index + 1
    regions.append((current, begin, len(lines)))
    return regions


def _find(lines: list[str], table: list[str], key: str) -> tuple[int, int] | None:
    """Line span of `key` in `table`, also as a dotted key in a parent table."""
    for path, begin, end in _regions(lines):
        if path == table[: len(path)] and len(path) <= len(table):
            want = [*table[len(path):], key]
            k = begin
            while k < end:
                found = _key_of(lines[k])
                last = _value_span(lines, k) if found is not None else k
                if found == want:
                    return k, last
                k = last + 1
    return None


def set_value(text: str, table: list[str], key: str, value: Any) -> str:
    lines = text.splitlines()
    new = f"{key_literal(key)} = {literal(value)}"
    span = _find(lines, table, key)
    if span is not None:
        first, last = span
        old = lines[first]
        indent = old[: len(old) - len(old.lstrip())]
        comment = ""
        if first == last:
            comment = _trailing_comment(old)
        prefix_parts = _key_of(old) or [key]
        prefix = ".".join(key_literal(p) for p in prefix_parts)
        lines[first : last + 1] = [f"{indent}{prefix} = {literal(value)}{comment}"]
        return "\n".join(lines) + "\n"
    for path, begin, end in _regions(lines):
        if path == table:
            insert = end
            while insert > begin and not lines[insert - 1].strip():
                insert -= 1
            lines[insert:insert] = [new]
            return "\n".join(lines) + "\n"
    while lines and not lines[-1].strip():
        lines.pop()
    if lines:
        lines.append("")
    lines.append("[" + ".".join(key_literal(p) for p in table) + "]")
    lines.append(new)
    return "\n".join(lines) + "\n"


def _trailing_comment(line: str) -> str:
    quote = ""
    for index, ch in enumerate(line):
        if quote:
            if ch == "\\" and quote == '"':
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return "  " + line[index:].strip()
    return ""


def unset_value(text: str, table: list[str], key: str) -> str:
    lines = text.splitlines()
    span = _find(lines, table, key)
    if span is None:
        return text
    first, last = span
    del lines[first : last + 1]
    return "\n".join(lines) + ("\n" if lines else "")


def remove_table(text: str, table: list[str]) -> str:
    """Remove `[table]` and its sub-tables (`[table.x]`) with their bodies."""
    lines = text.splitlines()
    keep: list[str] = []
    skipping = False
    for line in lines:
        header = _header(line)
        if header is not None:
            skipping = header[: len(table)] == table
        if not skipping:
            keep.append(line)
    while keep and not keep[-1].strip():
        keep.pop()
    return "\n".join(keep) + ("\n" if keep else "")


__all__ = ["dumps", "key_literal", "literal", "remove_table", "set_value", "unset_value"]
