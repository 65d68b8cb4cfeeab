"""Completion from the command tree plus the live names, ranked typo-tolerantly.

`analyze` says what kind of thing belongs at the cursor; this module lists the
candidates (children with their summary, options with their help as menu meta,
choices, durations, paths, live names) and ranks them with `NameIndex`, so
`pipeline st` offers start, status, stop and `ordrs` still finds `orders`.
Required arguments come before options. The tree is read on the first TAB, not
when the shell starts.
"""

from __future__ import annotations

from prompt_toolkit.completion import Completer, Completion

from flext.repl import builtins
from flext.repl.analyze import COMMAND, OPTION, VALUE, Want, analyze
from flext.repl.fuzzy import NameIndex
from flext.router.spec import DURATION, GLOBAL_OPTS, PATH, Arg, Node, Opt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from flext.repl.names import LiveNames

__all__ = ["FlextCompleter"]

DURATIONS = (("30s", "30 seconds"), ("5m", "5 minutes"), ("10m", "10 minutes"), ("1h", "1 hour"),
             ("6h", "6 hours"), ("1d", "1 day"), ("7d", "7 days"))
LIMIT = 100  # entries in the menu; more is noise


class FlextCompleter(Completer):
    """Completer for the shell; `picker` switches to fuzzy history search (F3)."""

    def __init__(
        self,
        names: LiveNames,
        *,
        root: Callable[[], Node] | None = None,
        aliases: Callable[[], Mapping[str, str]] | None = None,
        history: Callable[[], list[str]] | None = None,
    ) -> None:
        self.names = names
        self._root_fn = root
        self._root: Node | None = None
        self._aliases = aliases or (lambda: {})
        self._history = history or (lambda: [])
        self._static: dict[tuple[int, str], NameIndex] = {}
        self.picker = False

    @property
    def root(self) -> Node:
        if self._root is None:
            if self._root_fn is not None:
                self._root = self._root_fn()
            else:
                from flext.router.spec import tree

                self._root = tree()
        return self._root

    # -- prompt_toolkit entry point -----------------------------------------
    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        text = document.text_before_cursor
        if self.picker:
            yield from self._history_matches(text)
            return
        yield from self.complete(text)

    def complete(self, text: str) -> Iterator[Completion]:
        aliases = self._aliases()
        want = analyze(text, self.root, aliases)
        if want.kind == COMMAND:
            yield from self._commands(want, aliases)
        elif want.kind == OPTION:
            yield from self._options(want)
        elif want.kind == VALUE and want.opt is not None:
            yield from self._opt_values(want, want.opt)
        elif want.kind == VALUE:
            yield from self._arg_values(want)

    # -- the kinds of candidates -----------------------------------------------
    def _commands(self, want: Want, aliases: Mapping[str, str]) -> Iterator[Completion]:
        node = want.node
        pairs = [(c.name, c.summary) for c in node.visible_children()]
        if node is self.root:
            pairs += [(n.name, n.summary) for n in builtins.BUILTINS.values() if not n.hidden]
            pairs += [(name, f"alias → {expansion}") for name, expansion in sorted(aliases.items())]
        index = self._index((id(node), "commands"), pairs)
        yield from self._ranked(index, want, style="class:completion.command")

    def _options(self, want: Want) -> Iterator[Completion]:
        index = self._option_index(want)
        typed = want.prefix.lstrip("-")
        order = index.rank(typed, LIMIT) if typed else range(len(index))  # only dashes: in order
        for i in order:
            yield Completion(f"--{index.names[i]}", -want.back, display_meta=index.meta[i] or None,
                             style="class:completion.option")

    def _option_index(self, want: Want) -> NameIndex:
        """The options still usable here (the command's own first), named without dashes."""
        node = want.node
        opts = [o for o in node.opts if not o.hidden] + [o for o in GLOBAL_OPTS if not o.hidden]
        return NameIndex([(o.name, _opt_meta(o)) for o in opts if o.repeat or o.name not in want.used])

    def _opt_values(self, want: Want, opt: Opt) -> Iterator[Completion]:
        if opt.choices:
            yield from self._ranked(NameIndex(opt.choices), want, style="class:completion.value")
        elif opt.completer:
            yield from self._ranked(self.names.get(opt.completer), want, style="class:completion.name")
        elif opt.type == DURATION:
            yield from self._ranked(NameIndex(DURATIONS), want, style="class:completion.value")
        elif opt.type == PATH:
            yield from self._paths(want)

    def _arg_values(self, want: Want) -> Iterator[Completion]:
        arg = want.arg
        missing = want.missing_required
        if arg is not None:
            yield from self._arg_candidates(want, arg, required=arg in missing)
        if not want.prefix and not missing:
            yield from self._options(want)

    def _arg_candidates(self, want: Want, arg: Arg, *, required: bool) -> Iterator[Completion]:
        style = "class:completion.required" if required else "class:completion.name"
        if arg.choices:
            yield from self._ranked(NameIndex(arg.choices), want, style=style)
        elif arg.completer == "commands":  # `help pipeline st`: one tree word at a time
            node = self.root
            for word in want.words[len(want.words) - want.args_given:]:
                node = node.child(word) or node
            pairs = [(c.name, c.summary) for c in node.visible_children()]
            yield from self._ranked(self._index((id(node), "commands"), pairs), want, style=style)
        elif arg.completer:
            yield from self._ranked(self.names.get(arg.completer), want, style=style)
        elif arg.type == PATH:
            yield from self._paths(want)

    def _paths(self, want: Want) -> Iterator[Completion]:
        from prompt_toolkit.completion import PathCompleter
        from prompt_toolkit.document import Document

        inner = PathCompleter(expanduser=True)
        doc = Document(want.prefix, len(want.prefix))
        for item in inner.get_completions(doc, _EVENT):
            yield Completion(want.prefix + item.text, -want.back, display=item.display,
                             style="class:completion.value")

    def _history_matches(self, text: str) -> Iterator[Completion]:
        lines = self._history()
        index = NameIndex(lines)
        for i in index.rank(text.strip(), LIMIT):
            yield Completion(index.names[i], -len(text), style="class:completion.history")

    # -- helpers -----------------------------------------------------------------
    def _index(self, key: tuple[int, str], pairs: list[tuple[str, str]]) -> NameIndex:
        if key[1] == "commands" and key[0] == id(self.root):
            return NameIndex(pairs)  # aliases change while the shell runs
        index = self._static.get(key)
        if index is None:
            index = self._static[key] = NameIndex(pairs)
        return index

    def _ranked(self, index: NameIndex, want: Want, *, style: str) -> Iterator[Completion]:
        for i in index.rank(want.prefix, LIMIT):
            name = index.names[i]
            yield Completion(_quote(name), -want.back, display=name, display_meta=index.meta[i] or None,
                             style=style)


def _opt_meta(opt: Opt) -> str:
    meta = opt.help
    if opt.choices:
        meta += f" ({'|'.join(opt.choices)})"
    return meta


def _quote(name: str) -> str:
    if not name or any(ch in name for ch in " \t'\"\\$"):
        import shlex

        return shlex.quote(name)
    return name


class _Event:
    completion_requested = True
    text_inserted = False


_EVENT: CompleteEvent = _Event()  # type: ignore[assignment]
