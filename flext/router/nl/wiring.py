"""Free text where the user meets it: `flext explain`, and a one-shot line that is not a command.

`free_text` is what the runner calls when a line does not parse: it reads the line,
shows the command it became, asks before anything that changes or deletes, and returns
what to run. `split_line` sets the options flext itself owns (`-p prod`, `--yes`) apart
from the words, through the one scanner.
"""

from __future__ import annotations

from flext.core.errors import FlextError, UsageError
from flext.router.nl.names import LIVE, World
from flext.router.nl.reader import MISSING, NONE, OK, UNCLEAR, Reading, join, read

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context
    from flext.router.parse import Invocation

__all__ = ["explain", "free_text", "split_line", "world_for"]


def world_for(ctx: Context) -> World:
    """Live names as `flext.router.live` reports them for this invocation."""
    from flext.router.live import names

    scope = ctx.scope()
    return World(lambda kind: names(kind, scope))


def explain(ctx: Context, text: str, world: World | None = None) -> dict[str, Any] | None:
    """The explain document for free text, or None when nothing at all was understood.

    None too when the first word is one edit from a command group (`confg show`): that is
    the parser's did-you-mean, as it is for one-shot free text.
    """
    first = text.split()[:1]
    if first and _misspelt(first[0]):
        return None
    reading = read(text, world or world_for(ctx))
    if reading.status == NONE:
        return None
    doc: dict[str, Any] = {
        "command": reading.command,
        "argv": list(reading.argv) if reading.status == OK else [],
        "source": "conversational",
        "confidence": reading.confidence if reading.status == OK else 0.0,
        "mutating": reading.mutating,
        "alternatives": reading.alternatives,
    }
    if reading.status == MISSING:
        doc["error"] = reading.reason  # `no pipeline named 'payments'`
    return doc


def split_line(args: list[str]) -> tuple[list[str], list[str]]:
    """(the free-text words, the option words set aside: `-p prod`, `--yes`, `--tail 5`).

    The one scanner reads the line as free text: global options with their values are set
    aside; `--` ends options (the words after it are text, even `-x`). An option no
    command of free text knows keeps a short number-like word after it (`--tail 50`,
    `--since 1h`): the command the text turns into reads it.
    """
    from flext.router.scan import END, FREE, OPTION, UNKNOWN, VALUE, scan_free

    words: list[str] = []
    options: list[str] = []
    tokens = scan_free(args).tokens
    skip = -1
    for k, token in enumerate(tokens):
        if k == skip or token.kind == END:
            continue
        if token.kind in (OPTION, VALUE):
            options.append(token.text)
        elif token.kind == UNKNOWN:
            options.append(token.text)
            nxt = tokens[k + 1] if k + 1 < len(tokens) else None
            if token.text.startswith("--") and "=" not in token.text and nxt is not None and nxt.kind == FREE:
                value = nxt.text
                if value.isdigit() or (len(value) <= 4 and value[:1].isdigit()):  # `--tail 50`, `--since 1h`
                    options.append(value)
                    skip = k + 1
        else:
            words.append(token.text)
    return words, options


def _typo(word: str) -> bool:
    """Is the first word like a command group (`confg`, `clear` ~ `algar`)? For unclear text."""
    from flext.core.suggest import similar
    from flext.router.spec import tree

    return bool(similar(word, [c.name for c in tree().visible_children()]))


def _misspelt(word: str) -> bool:
    """Is the first word one slip from a command group (`confg`, `pipline`, `sevrice`)? Then it
    is the parser's did-you-mean, not free text (a plural, `profiles`, is free text)."""
    from flext.core.suggest import distance
    from flext.router.spec import tree

    root = tree()
    if len(word) < 4 or word.startswith("-") or root.child(word) is not None:
        return False
    return any(distance(word, c.name) == 1 and word != c.name + "s" for c in root.visible_children())


def _sentence_after(group: Any, rest: list[str], error: UsageError) -> bool:
    """`logs of customers`: a command group, then a word that is none of its commands nor a
    slip of one (the parser has no did-you-mean). Free text may read the line; a typo
    (`pipeline strat`), an option or a missing argument stays the parser's error."""
    if not group.children or not rest or rest[0].startswith("-") or error.candidates:
        return False
    return group.child(rest[0]) is None


def _shell_word(words: list[str]) -> None:
    """`flext clear`: a word of the interactive shell, typed alone outside it."""
    from flext.router.spec.shell import SHELL_WORDS

    if len(words) == 1 and words[0] in SHELL_WORDS:
        word = words[0]
        hint = "start the shell with `flext shell` and type it there"
        if word == "clear":
            hint += "; here, your terminal's own `clear` clears the screen"
        raise UsageError(f"`{word}` is a word of the interactive shell ({SHELL_WORDS[word]})", hint=hint)


def _missing(reading: Reading) -> UsageError:
    """`no pipeline named 'payments'`, the closest names, and where to see them all."""
    group = {"pipelines": "pipeline", "services": "service", "profiles": "profile"}[reading.kind]
    seen = f"`flext {group} list` shows them all"
    hint = f"the closest {reading.kind}: {', '.join(reading.closest)}; {seen}" if reading.closest else seen
    return UsageError(reading.reason, hint=hint, candidates=list(reading.alternatives))


def free_text(ctx: Context, line: list[str], error: FlextError) -> Invocation:
    """One-shot free text: read it, show it, confirm it, and return what to run.

    Raises `error` (the parser's did-you-mean, made again with the names that exist) when
    the first word is a command, an alias or a typo of one and nothing was understood;
    exit 2 listing candidates when the text is unclear, and exit 2 naming the closest
    names when it names a pipeline, service or profile that does not exist. A mutating
    command asks first on a terminal and needs --yes elsewhere; a destructive one always
    asks, and is refused without a terminal.
    """
    from flext.router.parse import parse
    from flext.router.scan import first_word
    from flext.router.spec import tree
    from flext.router.suggestions import unknown_command

    index = first_word(line)
    if not isinstance(error, UsageError) or index is None:
        raise error
    group = tree().child(line[index])
    if group is not None and not _sentence_after(group, line[index + 1:], error):
        raise error
    words, options = split_line(line)
    _shell_word(words)
    if error.candidates and _misspelt(line[index]):
        raise error  # `confg show`: a typo of a command word is the parser's did-you-mean
    text = " ".join(words)
    world = world_for(ctx)
    reading = read(text, world)
    if group is not None and reading.status != OK and not (reading.status == MISSING and len(words) > 2):
        # the parser's own words for a command line free text cannot read either; `pipeline foo`
        # is an unknown command, `logs of payments` names a pipeline that does not exist
        raise error
    if reading.status == MISSING:
        raise _missing(reading)
    if reading.status in (NONE, UNCLEAR):
        rest = line[index + 1:]
        suggested = unknown_command(tree(), line[index], rest, lambda kind: world.folded(kind))
        value = next((w for w in rest if not w.startswith("-")), None)
        named = value is not None and any(value.lower() in world.folded(kind) for kind in LIVE)
        if reading.status == NONE or (error.candidates and _typo(line[index])) or (named and suggested.candidates):
            raise suggested  # `restart orders`, orders a pipeline: `pipeline start orders`
        listed = "; ".join(f"flext {a}" for a in reading.alternatives) or "see `flext help`"
        raise UsageError(f"not sure what {text!r} asks for", hint=f"candidates: {listed}",
                         candidates=list(reading.alternatives))
    argv = reading.argv + options
    inv = parse(argv)
    ctx.options.update(inv.globals)
    ctx.io.err(ctx.io.style(f"→ flext {join(argv)}", "36", err=True))
    if reading.destructive or inv.node.destructive:
        if not ctx.confirm(f"Run `flext {join(argv)}` (it deletes data)?", force_prompt=True):
            raise UsageError("cancelled; nothing was run")
        inv.globals["yes"] = True  # asked once, here: the command does not ask again
    elif (reading.mutating or inv.node.mutating) and not ctx.confirm(f"Run `flext {join(argv)}`?"):
        raise UsageError("cancelled; nothing was run")
    return inv
