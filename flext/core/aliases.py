"""User aliases: `$1..$9` and `$@` placeholders, aliases calling aliases, cycles refused.

An alias is expanded only in the first word position (after any global options), and
only when that word is not a built-in command: commands always win, so `alias set`
refuses names that would be hidden. Placeholders bind to the words after the alias
name in order, except global options (`-o json`, `-p prod`, `--yes`), which are set
aside and kept at the end so `flext st -o json` works whatever `st` expands to. Words
no placeholder used are appended. Cycles are refused when an alias is set and again
when one is expanded (the config file may be edited by hand).
"""

from __future__ import annotations

from flext.core.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.spec import Node

MAX_DEPTH = 16
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _globals() -> tuple[dict[str, bool], dict[str, bool]]:
    """(long name -> takes a value, short letter -> takes a value) for global options."""
    from flext.router.spec import GLOBAL_OPTS

    longs = {o.name: not o.flag for o in GLOBAL_OPTS}
    shorts = {o.short: not o.flag for o in GLOBAL_OPTS if o.short}
    return longs, shorts


def _global_span(args: list[str], index: int) -> int:
    """How many words the global option at `index` spans (0 when it is not one)."""
    longs, shorts = _globals()
    token = args[index]
    if token.startswith("--") and len(token) > 2:
        name, eq, _ = token[2:].partition("=")
        if name not in longs:
            return 0
        return 2 if longs[name] and not eq and index + 1 < len(args) else 1
    if token.startswith("-") and len(token) > 1 and not token[1:2].isdigit():
        letters = token[1:]
        for pos, letter in enumerate(letters):
            if letter not in shorts:
                return 0
            if shorts[letter]:  # takes a value: the rest of the cluster, or the next word
                return 1 if pos + 1 < len(letters) or index + 1 >= len(args) else 2
        return 1
    return 0


def first_word(args: list[str]) -> int | None:
    """Index of the first command word, skipping global options and their values."""
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--":
            return index + 1 if index + 1 < len(args) else None
        if not token.startswith("-") or token == "-":
            return index
        index += _global_span(args, index) or 1
    return None


def check_name(name: str) -> None:
    if not name or not name[0].isascii() or not name[0].isalpha() or not set(name) <= _NAME_CHARS:
        raise UsageError(
            f"invalid alias name {name!r}",
            hint="an alias name starts with a letter and has only letters, digits, '-' and '_'",
        )


def shadowed(name: str) -> Node | None:
    """The built-in command or group that `name` (or one of its aliases) names."""
    from flext.router.spec import tree

    return tree().child(name)


def split(expansion: str) -> list[str]:
    import shlex

    try:
        return shlex.split(expansion)
    except ValueError as exc:
        raise UsageError(
            f"alias expansion {expansion!r} cannot be split: {exc}", hint="check the quotes in the expansion"
        ) from None


def _set_aside_globals(args: list[str]) -> tuple[list[str], list[str]]:
    """(words for placeholders, global options with their values)."""
    words: list[str] = []
    kept: list[str] = []
    index = 0
    while index < len(args):
        if args[index] == "--":
            words.extend(args[index:])
            break
        span = _global_span(args, index) if args[index].startswith("-") else 0
        if span:
            kept.extend(args[index : index + span])
            index += span
        else:
            words.append(args[index])
            index += 1
    return words, kept


def substitute(words: list[str], args: list[str], name: str = "alias") -> list[str]:
    """Fill $1..$9 and $@ (also inside a word: `--since=$1`); unused arguments are appended."""
    positional, kept = _set_aside_globals(args)
    used: set[int] = set()
    out: list[str] = []
    all_used = False
    for word in words:
        if word == "$@":
            out.extend(positional)
            all_used = True
            continue
        if "$" not in word:
            out.append(word)
            continue
        pieces: list[str] = []
        k = 0
        while k < len(word):
            ch = word[k]
            nxt = word[k + 1] if k + 1 < len(word) else ""
            if ch == "$" and nxt in "123456789" and nxt:
                index = int(nxt) - 1
                if index >= len(positional):
                    raise UsageError(
                        f"alias {name!r} needs argument ${index + 1}",
                        hint=f"pass at least {index + 1} argument{'s' if index else ''} after {name}",
                    )
                pieces.append(positional[index])
                used.add(index)
                k += 2
            elif ch == "$" and nxt == "@":
                pieces.append(" ".join(positional))
                all_used = True
                k += 2
            else:
                pieces.append(ch)
                k += 1
        out.append("".join(pieces))
    if not all_used:
        out.extend(a for k, a in enumerate(positional) if k not in used)
    return out + kept


def _next_alias(aliases: dict[str, str], words: list[str]) -> tuple[int, str] | None:
    index = first_word(words)
    if index is None:
        return None
    word = words[index]
    if shadowed(word) is not None or word not in aliases:
        return None
    return index, word


def _cycle_error(chain: list[str]) -> UsageError:
    return UsageError(
        f"alias cycle: {' -> '.join(chain)}",
        hint=f"change one of them with `flext alias set` or remove it with `flext alias delete {chain[-2]}`",
    )


def check_cycle(aliases: dict[str, str], name: str) -> None:
    """Refuse an alias map in which `name` leads back to an alias already on its path."""
    chain = [name]
    current = name
    while True:
        found = _next_alias(aliases, split(aliases[current]))
        if found is None:
            return
        current = found[1]
        if current in chain:
            raise _cycle_error([*chain, current])
        chain.append(current)
        if len(chain) > MAX_DEPTH:
            raise UsageError(f"aliases nest too deeply: {' -> '.join(chain)}", hint="simplify them")


def expand_alias(aliases: dict[str, str], argv: list[str]) -> list[str]:
    """Expand the first command word while it names an alias."""
    chain: list[str] = []
    line = list(argv)
    while True:
        found = _next_alias(aliases, line)
        if found is None:
            return line
        index, name = found
        if name in chain:
            raise _cycle_error([*chain, name])
        chain.append(name)
        if len(chain) > MAX_DEPTH:
            raise UsageError(f"aliases nest too deeply: {' -> '.join(chain)}", hint="simplify them with `flext alias list`")
        line = line[:index] + substitute(split(aliases[name]), line[index + 1 :], name)


__all__ = ["MAX_DEPTH", "check_cycle", "check_name", "expand_alias", "first_word", "shadowed", "split", "substitute"]
