"""The command tree, declared once as data.

Each group lives in its own module (`spec/pipeline.py`, ...) and exports `NODE`;
`tree()` assembles them in display order. Handlers are `"module:function"` strings,
imported only when the command runs, so help and completion stay cheap.
Parsing, help, REPL completion, shell completion scripts, the conversational parser
and docs all read this one tree; a command's free-text hints (`Hints`) live on its node.
"""

from __future__ import annotations

from flext.core import OUTPUT_FORMATS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

# Value types understood by router.values.convert
STR, INT, FLOAT, CHOICE, PATH, DURATION, BOOL = "str", "int", "float", "choice", "path", "duration", "bool"


class Opt:
    """An option: `--name VALUE`, or a flag when type is BOOL."""

    __slots__ = (
        "choices",
        "completer",
        "default",
        "dest",
        "greedy",
        "help",
        "hidden",
        "metavar",
        "name",
        "repeat",
        "secret_ok",
        "short",
        "type",
    )

    def __init__(
        self,
        name: str,
        help: str,
        *,
        short: str | None = None,
        type: str = STR,
        default: object = None,
        choices: tuple[str, ...] | None = None,
        metavar: str | None = None,
        repeat: bool = False,
        greedy: bool = False,
        completer: str | None = None,
        dest: str | None = None,
        hidden: bool = False,
    ) -> None:
        self.name = name  # without leading dashes
        self.short = short  # one letter, without dash
        self.type = CHOICE if choices and type == STR else type
        self.default = default
        self.choices = choices
        self.help = help
        self.metavar = metavar or (name.upper().replace("-", "_") if type != BOOL else None)
        self.repeat = repeat or greedy
        self.greedy = greedy  # `--select a b c`: takes values until the next option
        self.completer = completer
        self.dest = dest or name.replace("-", "_")
        self.hidden = hidden

    @property
    def flag(self) -> bool:
        return self.type == BOOL

    @property
    def spelling(self) -> str:
        return (f"-{self.short}, " if self.short else "") + f"--{self.name}"


class Arg:
    """A positional argument. nargs: 1 (required), '?' (optional), '+', '*'."""

    __slots__ = ("choices", "completer", "dest", "help", "name", "nargs", "rest", "type")

    def __init__(
        self,
        name: str,
        help: str,
        *,
        type: str = STR,
        nargs: int | str = 1,
        choices: tuple[str, ...] | None = None,
        completer: str | None = None,
        rest: bool = False,
    ) -> None:
        self.name = name
        self.help = help
        self.type = CHOICE if choices and type == STR else type
        self.nargs = nargs
        # rest: once this argument starts, every later token is a value (`flext explain history -n 5`)
        self.rest = rest
        self.choices = choices
        self.completer = completer
        self.dest = name.lower().replace("-", "_")

    @property
    def required(self) -> bool:
        return self.nargs in (1, "+")

    @property
    def usage(self) -> str:
        name = self.name.upper()
        return {1: name, "?": f"[{name}]", "+": f"{name}...", "*": f"[{name}...]"}[self.nargs]


class Hints:
    """How free text asks for a command (read by `flext.router.nl`; plain words, split lazily).

    verbs: the canonical verbs that ask for it (`start`: `kick off`, `launch` are folded to it
        by `flext.router.nl.words`); about: the kinds of thing it is about (`pipeline run`);
    alone: kinds that ask for it with no verb (`history`; `flexcore logs`: `log`);
    new: its first argument names a new thing of this kind (`pipeline create NAME`);
    need: how many names it takes when that is not what its first argument says
        (`one`, `many`, `opt`, `query`: free text to search for, or "" for none);
    prior: breaks ties between commands that read a line equally well;
    flags: option -> words that set it (`{"clear": "clear delete"}`);
    opts: option -> cue words before its value (`{"from": "based from copy"}`); "" means a
        name of the option's completer kind anywhere in the line (`--tap tap-csv`);
    then: cue words before the second argument's value (`config set KEY to VALUE`);
    implies: slots the command answers by what it is (`status` for a status command:
        `is orders failing?`; `follow` for a live dashboard).
    A plugin command's hints add words to the rule derived from its own words: `verbs`
    other words for its command word, `about` other words for its group.
    """

    __slots__ = ("about", "alone", "flags", "implies", "need", "new", "opts", "prior", "then", "verbs")

    def __init__(
        self,
        verbs: str,
        about: str = "",
        *,
        alone: str = "",
        new: str = "",
        need: str | None = None,
        prior: float = 0.0,
        flags: dict[str, str] | None = None,
        opts: dict[str, str] | None = None,
        then: str = "",
        implies: str = "",
    ) -> None:
        self.verbs = verbs
        self.about = about
        self.alone = alone
        self.new = new
        self.need = need
        self.prior = prior
        self.flags = flags
        self.opts = opts
        self.then = then
        self.implies = implies


class Node:
    """A group (has children), a command (has a handler), or both (`history`)."""

    __slots__ = (
        "aliases",
        "args",
        "children",
        "description",
        "destructive",
        "examples",
        "handler",
        "hidden",
        "hints",
        "moved",
        "mutating",
        "name",
        "opts",
        "parent",
        "plugin",
        "see_also",
        "summary",
    )

    def __init__(
        self,
        name: str,
        summary: str,
        *,
        description: str = "",
        args: list[Arg] | None = None,
        opts: list[Opt] | None = None,
        examples: list[str] | None = None,
        handler: str | None = None,
        aliases: tuple[str, ...] = (),
        mutating: bool = False,
        destructive: bool = False,
        see_also: tuple[str, ...] = (),
        hidden: bool = False,
        hints: Hints | None = None,
        children: list[Node] | None = None,
    ) -> None:
        self.name = name
        self.summary = summary
        self.description = description
        self.args = args or []
        self.opts = opts or []
        self.examples = examples or []
        self.handler = handler
        self.aliases = aliases
        self.mutating = mutating or destructive
        self.destructive = destructive
        self.see_also = see_also
        self.hidden = hidden
        self.hints = hints  # how free text asks for it (flext.router.nl); None: derived from its words
        self.children: dict[str, Node] = {}
        # hidden aliases: old spellings (upstream flext-cli's) -> the command they run now,
        # which may live in another group; parsed, never shown in help or completion
        self.moved: dict[str, Node] = {}
        self.parent: Node | None = None
        self.plugin: str | None = None
        for child in children or []:
            self.add(child)

    def add(self, child: Node) -> None:
        child.parent = self
        self.children[child.name] = child

    @property
    def path(self) -> tuple[str, ...]:
        words: list[str] = []
        node: Node | None = self
        while node is not None and node.parent is not None:
            words.append(node.name)
            node = node.parent
        return tuple(reversed(words))

    @property
    def command(self) -> str:
        return " ".join(self.path)

    @property
    def runnable(self) -> bool:
        return self.handler is not None

    def child(self, word: str) -> Node | None:
        """The child named or aliased `word` (a hidden alias included: see `MOVED`)."""
        found = self.children.get(word)
        if found is not None:
            return found
        for node in self.children.values():
            if word in node.aliases:
                return node
        return self.moved.get(word)

    def visible_children(self) -> list[Node]:
        return [c for c in self.children.values() if not c.hidden]

    def walk(self) -> Iterator[Node]:
        yield self
        for c in self.children.values():
            yield from c.walk()

    def find_opt(self, name: str) -> Opt | None:
        for o in self.opts:
            if o.name == name:
                return o
        return None

    def find_short(self, letter: str) -> Opt | None:
        for o in self.opts:
            if o.short == letter:
                return o
        return None


# Global options: accepted before or after the command words (DESIGN.md section 2).
GLOBAL_OPTS: list[Opt] = [
    Opt("profile", "Use this profile for this command", short="p", completer="profiles", metavar="NAME"),
    Opt("output", "Output format", short="o", choices=OUTPUT_FORMATS, metavar="FORMAT"),
    Opt("workspace", "Workspace directory (default: found by walking up)", short="C", type=PATH, metavar="DIR"),
    Opt("no-color", "Never use colour", type=BOOL),
    Opt("no-input", "Never prompt; a missing answer is a usage error", type=BOOL),
    Opt("yes", "Answer yes to confirmations", short="y", type=BOOL),
    Opt("quiet", "Print only data and errors", short="q", type=BOOL),
    Opt("verbose", "Print more detail", short="v", type=BOOL),
    Opt("debug", "Show tracebacks and debug logging", type=BOOL),
    Opt("help", "Show help for the command", short="h", type=BOOL),
    Opt("version", "Print the version and exit", type=BOOL, hidden=True),
]

_GROUP_MODULES = (
    "shell", "workspace", "config", "profile", "auth", "secret", "history", "alias", "audit",
    "pipeline", "data", "service", "monitor", "logs", "plugin", "meltano", "serve", "deploy", "debug",
)

# Where the tree gets nodes declared outside it: "module:function" called with the root,
# resolved when the tree is built, like handlers (the router never imports a floor above).
EXTENSIONS: tuple[str, ...] = ("flext.plugins.index:add_to_tree",)

# Spellings of the upstream flext-cli, accepted as hidden aliases: each runs the command it
# maps to, with the same arguments and options, and the runner says the new spelling once
# on stderr. Never listed by help or completion. An alias whose group or target is missing
# (a plugin disabled) is left out.
MOVED: dict[str, str] = {
    "plugin remove": "plugin uninstall",
    "plugin update": "plugin install",
    "config set-value": "config set",
    "debug validate": "config validate",
    "debug health": "service health",
    "debug logs": "logs tail",
    "debug performance": "monitor performance",
    "auth token show": "auth token list",
    "algar diagnose": "algar migration status",
    "gruponos pipelines": "gruponos status",
    "gruponos health": "gruponos doctor",
    "gruponos config-show": "gruponos doctor",
}

_TREE: Node | None = None


def _find(root: Node, words: list[str]) -> Node | None:
    node: Node | None = root
    for word in words:
        node = node.children.get(word) if node is not None else None
    return node


def _add_moved(root: Node) -> None:
    for old, new in MOVED.items():
        *parent_words, word = old.split()
        parent, target = _find(root, parent_words), _find(root, new.split())
        if parent is not None and target is not None and word not in parent.children:
            parent.moved[word] = target


def moved_spelling(words: list[str], root: Node | None = None) -> tuple[str, str] | None:
    """(old spelling, new spelling) when the command words typed went through a hidden
    alias (`debug validate` -> `config validate`), else None."""
    node = root or tree()
    for index, word in enumerate(words):
        child = node.child(word)
        if child is None:
            return None
        if word not in node.children and word in node.moved and node.moved[word] is child:
            return " ".join(words[: index + 1]), child.command
        node = child
    return None


def tree() -> Node:
    """The root node, assembled once per process from the group modules."""
    global _TREE
    if _TREE is None:
        import importlib

        root = Node("flext", "One command-line shell for the FLEXT data-integration platform")
        for name in _GROUP_MODULES:
            try:
                module = importlib.import_module(f"flext.router.spec.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"flext.router.spec.{name}":
                    raise
                continue
            for node in module.NODES:
                root.add(node)
        for target in EXTENSIONS:  # enabled plugins' commands, as data from a cached index
            module_name, _, func = target.partition(":")
            getattr(importlib.import_module(module_name), func)(root)
        _add_moved(root)
        _TREE = root
    return _TREE


def reset_tree() -> None:
    """Forget the assembled tree (tests, plugin enable/disable)."""
    global _TREE
    _TREE = None


__all__ = [
    "BOOL", "CHOICE", "DURATION", "FLOAT", "GLOBAL_OPTS", "INT", "MOVED", "OUTPUT_FORMATS", "PATH", "STR",
    "Arg", "Hints", "Node", "Opt", "moved_spelling", "reset_tree", "tree",
]
