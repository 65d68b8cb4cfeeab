"""TOML files that people edit by hand and flext changes: one locked read-modify-write.

`edit(path, change)` takes the file's lock, re-reads it from disk (what another writer
saved a moment ago is kept), hands the parsed document to `change` (a tomlkit document:
the user's comments, order and formatting survive), checks the result, and replaces the
file atomically. A corrupt file is an error naming the file and line and is never
rewritten; a check that fails writes nothing. config.toml, flext.toml and the aliases
are all written through it.

tomlkit is imported here only, on write paths; reading stays `tomllib` (and the marshal
cache of config.toml), so start-up never pays for it.
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Doc = Any  # a tomlkit TOMLDocument (or a Table inside it)


def read_text(path: str) -> str:
    """The file's text ('' when it does not exist); ConfigError when it is not UTF-8."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text (byte {exc.start})",
                          hint="fix the file in an editor, or move it away; flext did not change it") from None


def parse(text: str, path: str) -> dict[str, Any]:
    """`tomllib.loads`, with a corrupt file reported by file and line (exit 5)."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}",
                          hint="fix the file in an editor, or move it away; flext did not change it") from None


def edit(
    path: str,
    change: Callable[[Doc], object],
    *,
    check: Callable[[dict[str, Any]], None] | None = None,
    mode: int | None = None,
    lock: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """Change `path` under its lock; returns (new text, new data). `change` edits the
    tomlkit document in place; `check` sees the resulting data and raises to refuse it."""
    import tomlkit

    from flext.core.fsutil import atomic_write
    from flext.core.locks import locked

    with locked(path, lock=lock):
        text = read_text(path)
        parse(text, path)  # a corrupt file is reported, never overwritten
        doc = tomlkit.parse(text)
        change(doc)
        new_text = tomlkit.dumps(doc)
        if new_text.endswith("\n\n"):  # a removed last table leaves its blank line behind
            new_text = new_text.rstrip("\n") + "\n"
        data = parse(new_text, path)
        if check is not None:
            check(data)
        if new_text != text:
            if mode is None:
                try:
                    mode = os.stat(path).st_mode & 0o777
                except OSError:
                    mode = 0o600
            atomic_write(path, new_text, mode)
    return new_text, data


# -- changes on a tomlkit document ------------------------------------------------------


def _table(doc: Doc, table: list[str], *, create: bool) -> Doc | None:
    """The (nested) table at `table`, created as `[a.b]` headers when asked."""
    import tomlkit

    node = doc
    for depth, part in enumerate(table):
        child = node.get(part)
        if child is None:
            if not create:
                return None
            child = tomlkit.table(is_super_table=depth < len(table) - 1)
            node[part] = child
        elif not hasattr(child, "get"):
            raise ConfigError(f"{'.'.join(table[: depth + 1])} is not a table", hint="fix the file in an editor")
        node = child
    return node


def set_value(doc: Doc, table: list[str], key: str, value: Any) -> None:
    node = _table(doc, table, create=True)
    assert node is not None
    node[key] = value


def unset_value(doc: Doc, table: list[str], key: str) -> bool:
    node = _table(doc, table, create=False)
    if node is None or key not in node:
        return False
    del node[key]
    return True


def remove_table(doc: Doc, table: list[str]) -> bool:
    parent = _table(doc, table[:-1], create=False) if len(table) > 1 else doc
    if parent is None or table[-1] not in parent:
        return False
    del parent[table[-1]]
    return True


def replace_table(doc: Doc, table: list[str], fields: dict[str, Any]) -> None:
    """`[a.b]` with exactly `fields` (an existing table of that name is replaced)."""
    remove_table(doc, table)
    for key, value in fields.items():
        set_value(doc, table, key, value)


def literal(value: Any) -> str:
    """A value as TOML source (`"name"`, `3`, `true`, `["a", "b"]`)."""
    import tomlkit

    return str(tomlkit.item(value).as_string())


__all__ = ["edit", "literal", "parse", "read_text", "remove_table", "replace_table", "set_value", "unset_value"]
