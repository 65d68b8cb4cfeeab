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
from flext.router.scan import OPTION, VALUE, first_word, is_global, scan_free

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.spec import Node

MAX_DEPTH = 16
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


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


def prefix(expansion: str) -> list[str] | None:
    """An alias's words up to its first placeholder ($1, $@): what readers of a partial
    line (completion, the shell's analysis and colouring) splice in; the typed words fill
    the rest. None when the expansion cannot be split."""
    import shlex

    try:
        parts = shlex.split(expansion)
    except ValueError:
        return None
    out: list[str] = []
    for part in parts:
        if part == "$@" or (len(part) == 2 and part[0] == "$" and part[1].isdigit()):
            break
        out.append(part)
    return out


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
    for token in scan_free(args).tokens:
        named_global = token.kind == OPTION and all(is_global(o) for o in token.opts)
        if named_global or (token.kind == VALUE and token.opt is not None and is_global(token.opt)):
            kept.append(token.text)
        else:  # `--` and every word after it stay with the words
            words.append(token.text)
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
        hint=f"change one of them with `flext alias set NAME EXPANSION` or remove it with `flext alias delete {chain[-2]}`",
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


__all__ = ["MAX_DEPTH", "check_cycle", "check_name", "expand_alias", "first_word", "prefix", "shadowed", "split", "substitute"]
