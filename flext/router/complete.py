"""`flext __complete WORD...`: the one place shell completion asks what may come next.

The bash, zsh and fish scripts (`flext completion SHELL`) hold no knowledge of the
command tree; they pass the words typed so far and print what comes back, so a new
command, option or profile completes without regenerating anything.

Protocol:
    flext __complete [WORD...] CURRENT

    WORD...  the words after `flext`, already unquoted by the shell; `--opt=value`
             arrives as one word (the bash script rejoins what COMP_WORDBREAKS split).
    CURRENT  the word being completed, up to the cursor; '' after a space.

    stdout: one candidate per line, `VALUE` or `VALUE<TAB>DESCRIPTION`, already
    filtered to those starting with CURRENT. A candidate for `--opt=pa` is the whole
    word (`--opt=path`). Shells that can show descriptions (zsh, fish) do.
    A line starting with ':' is a directive, never a value:
        :files   complete file names for CURRENT (after `--opt=` when present)
        :dirs    complete directory names
    The exit status is 0 even when nothing matches; on an internal error nothing is
    printed (the error goes to stderr only with FLEXT_DEBUG=1) and the status is 1.

Speed matters (one process per TAB): this module imports only the standard library,
the command tree (`flext.router.spec`) and `flext.router.live`; live values come from
local files (config.toml through its marshal cache, the secret index).
"""

from __future__ import annotations

import os
import sys

from flext.core.paths import Scope
from flext.router import live
from flext.router.scan import FREE, OPTION, UNKNOWN, VALUE, find_long, find_short, looks_negative_number, scan, slot
from flext.router.spec import DURATION, GLOBAL_OPTS, PATH, tree

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import TextIO

    from flext.router.spec import Arg, Node, Opt

FILES = ":files"
DIRS = ":dirs"
DIRECTIVES = (FILES, DIRS)
_DURATION_UNITS = (("s", "seconds"), ("m", "minutes"), ("h", "hours"), ("d", "days"))


class _State:
    """Where the words typed so far have led: node, positionals, options in use."""

    def __init__(self, root: Node, env: Mapping[str, str], cwd: str) -> None:
        self.root = root
        self.node = root
        self.scope = Scope(env, cwd)
        self.positionals: list[str] = []
        self.used: set[int] = set()
        self.pending: Opt | None = None  # the option whose value comes next
        self.greedy: Opt | None = None  # a greedy option still taking words
        self.end = False  # after `--`
        self.rest = False  # inside an argument that takes every later token (Arg.rest)

    def find(self, name: str) -> Opt | None:
        return find_long(self.node, name)

    def find_short(self, letter: str) -> Opt | None:
        return find_short(self.node, letter)

    def value(self, opt: Opt, value: str) -> None:
        """Record an option value; `-p` and `-C` change where live values come from."""
        if opt.name == "profile" and opt in GLOBAL_OPTS:
            self.scope.profile = value
        elif opt.name == "workspace" and opt in GLOBAL_OPTS:
            self.scope.cwd = os.path.join(self.scope.cwd, os.path.expanduser(value))


def candidates(words: Sequence[str], env: Mapping[str, str], cwd: str) -> list[tuple[str, str]]:
    """(value, description) pairs for the last word of `words`; directives are values too."""
    typed = list(words) or [""]
    *before, current = typed
    state = _walk(before, dict(env), cwd)
    if state is None:
        return []
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for value, desc in _current(state, current):
        if value in DIRECTIVES:
            pass
        elif not value.startswith(current) or value.startswith(":") or "\n" in value or "\t" in value:
            continue
        if value not in seen:
            seen.add(value)
            found.append((value, " ".join(desc.split())))
    return found


def render(found: list[tuple[str, str]]) -> str:
    return "".join(f"{value}\t{desc}\n" if desc else f"{value}\n" for value, desc in found)


def main(args: Sequence[str], env: Mapping[str, str] | None = None, out: TextIO | None = None) -> int:
    """The hidden `flext __complete` command (called by cli.main)."""
    environ = dict(os.environ if env is None else env)
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = environ.get("PWD", "/")
    try:
        text = render(candidates(args, environ, cwd))
    except Exception:  # completion must never print a traceback into the user's line
        if environ.get("FLEXT_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        return 1
    stream = sys.stdout if out is None else out
    try:
        stream.write(text)
        stream.flush()
    except (BrokenPipeError, OSError, ValueError):
        pass
    return 0


# -- reading the words typed so far ------------------------------------------------


def _walk(words: list[str], env: dict[str, str], cwd: str) -> _State | None:
    """Where the typed words lead, read by the one scanner; None means 'no idea' (free text,
    an unknown subcommand)."""
    root = tree()
    st = _State(root, env, cwd)
    scanned = scan(words, root, partial=True, expand=lambda word: _alias_words(word, st))
    for token in scanned.tokens:
        if token.kind == FREE or (token.kind == UNKNOWN and not token.text.startswith("-")):
            return None
        if token.kind == VALUE and token.opt is not None:
            st.value(token.opt, token.text)
        elif token.kind == OPTION and token.opt is not None and token.value is not None:
            st.value(token.opt, token.value)
    st.node = scanned.node
    st.positionals = scanned.positionals
    st.used = {id(o) for o in scanned.used}
    st.pending = scanned.pending
    st.greedy = scanned.greedy
    st.end = scanned.end
    st.rest = scanned.rest
    return st


def _alias_words(word: str, st: _State) -> list[str] | None:
    """A user alias's expansion, cut at its first placeholder ($1, $@): the typed words fill it."""
    expansion = dict(live.entries("aliases", st.scope)).get(word)
    if expansion is None:
        return None
    from flext.router.aliases import prefix

    return prefix(expansion)


# -- what may come at the cursor ---------------------------------------------------


def _current(st: _State, cur: str) -> list[tuple[str, str]]:
    if st.rest:
        return _positional(st, cur)
    if st.pending is not None:
        return _values(st, st.pending, cur, "")
    if not st.end and cur.startswith("--") and "=" in cur:
        name, _, part = cur[2:].partition("=")
        opt = st.find(name)
        if opt is None or opt.flag:
            return []
        return _values(st, opt, part, f"--{name}=")
    if not st.end and cur.startswith("-") and not cur.startswith("--") and len(cur) > 2:
        return _short_cluster(st, cur)
    if not st.end and cur.startswith("-") and not looks_negative_number(cur):
        return _options(st)
    if st.greedy is not None:
        return _values(st, st.greedy, cur, "")
    if not st.positionals and st.node.children and not st.end:
        found = _children(st, cur)
        if st.node.runnable and st.node.args:
            found.extend(_positional(st, cur))
        return found
    return _positional(st, cur)


def _short_cluster(st: _State, cur: str) -> list[tuple[str, str]]:
    """`-yo`, `-ojs`: flags, then maybe one option with its value attached."""
    letters = cur[1:]
    for pos, letter in enumerate(letters):
        opt = st.find_short(letter)
        if opt is None:
            return []
        if opt.flag:
            continue
        rest = letters[pos + 1 :]
        eq = "=" if rest.startswith("=") else ""
        return _values(st, opt, rest[len(eq) :], cur[: pos + 2] + eq)
    return [(cur, "")]


def _options(st: _State) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    spelled: set[str] = set()
    for opt in [*st.node.opts, *GLOBAL_OPTS]:
        if opt.hidden:
            continue
        spellings = [f"--{opt.name}"] + ([f"-{opt.short}"] if opt.short else [])
        fresh = [s for s in spellings if s not in spelled]
        spelled.update(spellings)
        if id(opt) in st.used and not opt.repeat:
            continue
        found.extend((s, opt.help) for s in fresh)
    return found


def _children(st: _State, cur: str) -> list[tuple[str, str]]:
    """Subcommands; an alias only when it matches and its command's name does not."""
    found: list[tuple[str, str]] = []
    for child in st.node.visible_children():
        found.append((child.name, child.summary))
        if cur and not child.name.startswith(cur):
            found.extend((a, child.summary) for a in child.aliases if a.startswith(cur))
    if st.node is st.root:
        for name, expansion in live.entries("aliases", st.scope):
            if st.root.child(name) is None:
                found.append((name, f"alias: {expansion}"))
    return found


def _positional(st: _State, cur: str) -> list[tuple[str, str]]:
    found_slot = slot(st.node, len(st.positionals))
    if found_slot is None:
        return []
    arg, start = found_slot
    if arg.completer == "commands":
        return _command_words(st, st.positionals[start:])
    found = _values(st, arg, cur, "")
    if arg.nargs in ("+", "*"):
        already = set(st.positionals[start:])
        found = [(v, d) for v, d in found if v not in already]
    return found


def _command_words(st: _State, words: list[str]) -> list[tuple[str, str]]:
    """`flext help pipeline st`: the next word of a command path (and help topics first)."""
    node = st.root
    for word in words:
        child = node.child(word)
        if child is None:
            return []
        node = child
    found = [(c.name, c.summary) for c in node.visible_children()]
    if node is st.root:
        from flext.router.help import TOPICS

        found.extend(TOPICS.items())
    return found


def _values(st: _State, spec: Opt | Arg, partial: str, prefix: str) -> list[tuple[str, str]]:
    """Values of an option or argument: choices, live names, durations, or files."""
    if spec.type == "bool":
        return []
    if spec.choices:
        pairs = [(c, "") for c in spec.choices]
    elif spec.completer:
        pairs = live.entries(spec.completer, st.scope)
    elif spec.type == DURATION:
        pairs = _durations(partial)
    elif spec.type == PATH:
        name = (getattr(spec, "metavar", None) or spec.name).lower()
        return [(DIRS if name in ("dir", "directory") or name.endswith("_dir") else FILES, "")]
    else:
        return []
    return [(prefix + value, desc) for value, desc in pairs]


def _durations(partial: str) -> list[tuple[str, str]]:
    if not partial:
        return [("30s", ""), ("10m", ""), ("1h", ""), ("1d", "")]
    if partial[-1].isdigit():
        return [(partial + unit, word) for unit, word in _DURATION_UNITS]
    return []


__all__ = ["DIRECTIVES", "DIRS", "FILES", "candidates", "main", "render"]
