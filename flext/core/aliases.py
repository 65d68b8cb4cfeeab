"""User aliases: `$1..$9` and `$@` placeholders, aliases calling aliases, cycles refused."""

from __future__ import annotations

from flext.core.errors import UsageError

MAX_DEPTH = 16


def _split(expansion: str) -> list[str]:
    import shlex

    try:
        return shlex.split(expansion)
    except ValueError as exc:
        raise UsageError(f"alias expansion {expansion!r} cannot be split: {exc}") from None


def substitute(words: list[str], args: list[str]) -> list[str]:
    """Fill $1..$9 and $@; arguments no placeholder used are appended."""
    used: set[int] = set()
    out: list[str] = []
    all_used = False
    for word in words:
        if word == "$@":
            out.extend(args)
            all_used = True
            continue
        if len(word) == 2 and word[0] == "$" and word[1].isdigit() and word[1] != "0":
            index = int(word[1]) - 1
            if index >= len(args):
                raise UsageError(f"alias needs argument ${index + 1}", hint="pass more arguments to the alias")
            out.append(args[index])
            used.add(index)
            continue
        out.append(word)
    if not all_used:
        out.extend(a for k, a in enumerate(args) if k not in used)
    return out


def expand_alias(aliases: dict[str, str], argv: list[str]) -> list[str]:
    """Expand the first non-option word while it names an alias."""
    from flext.router.spec import tree

    root = tree()
    seen: list[str] = []
    line = list(argv)
    while True:
        index = next((k for k, a in enumerate(line) if not a.startswith("-")), None)
        if index is None:
            return line
        name = line[index]
        if root.child(name) is not None or name not in aliases:
            return line
        if name in seen:
            raise UsageError(f"alias cycle: {' -> '.join([*seen, name])}", hint="fix one of them with `flext alias set`")
        seen.append(name)
        if len(seen) > MAX_DEPTH:
            raise UsageError("aliases nest too deeply", hint="simplify them with `flext alias list`")
        line = line[:index] + substitute(_split(aliases[name]), line[index + 1 :])


__all__ = ["expand_alias", "substitute"]
