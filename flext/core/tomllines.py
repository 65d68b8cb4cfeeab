"""Where a key is set in a TOML file: for errors that name the file, the line and the key.

Read-only and stdlib-only (no tomlkit): `line_of(text, "profiles.prod.timeout")` finds
the line of a key in its `[table]`, also when written as a dotted key in a parent table,
or the table's header line. Parsing itself is `tomllib`'s.
"""

from __future__ import annotations


def line_of(text: str, dotted: str) -> int | None:
    """The 1-based line where a dotted key (`profiles.prod.timeout`) is set, if found."""
    parts = split_key(dotted)
    lines = text.splitlines()
    if parts:
        span = _find(lines, parts[:-1], parts[-1])
        if span is not None:
            return span[0] + 1
    for index, line in enumerate(lines):
        if _header(line) == parts:
            return index + 1
    return None


def split_key(text: str) -> list[str]:
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
    return split_key(s[1:end])


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
            return split_key(s[:index])
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


__all__ = ["line_of", "split_key"]
