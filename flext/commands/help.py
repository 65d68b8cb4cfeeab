"""`flext help`, `flext version`."""

from __future__ import annotations

import sys

from flext import __version__
from flext.core.errors import UsageError
from flext.core.output import Result
from flext.core.suggest import similar
from flext.router.help import TOPICS, render_help, render_topic
from flext.router.spec import tree

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.context import Args, Context


# `flext help with pipelines`, `help me with the logs`, `help on config`: the words people
# put before what they want help with
_FILLER = frozenset({"with", "on", "about", "for", "me", "the", "a", "an", "to", "using", "how"})
_PLURALS = {"pipelines": "pipeline", "services": "service", "secrets": "secret", "profiles": "profile",
            "aliases": "alias", "plugins": "plugin", "taps": "data", "targets": "data"}


def help_cmd(ctx: Context, args: Args) -> Result:
    words: list[str] = list(args.words)
    if words and tree().child(words[0]) is None and words[0] not in TOPICS:
        stripped = [_PLURALS.get(w, w) for w in words if w.lower() not in _FILLER]
        if stripped and (tree().child(stripped[0]) is not None or stripped[0] in TOPICS):
            words = stripped
    if len(words) == 1 and words[0] in TOPICS:
        return Result(text=render_topic(words[0], ctx.io))
    node = tree()
    for index, word in enumerate(words):
        child = node.child(word)
        if child is None:
            candidates = [c.name for c in node.visible_children()] + (list(TOPICS) if node.parent is None else [])
            guess = similar(word, candidates)
            prefix = " ".join(words[:index])
            hint = f"did you mean `flext help {(prefix + ' ') if prefix else ''}{guess[0]}`?" if guess else "see `flext help`"
            raise UsageError(f"no help for {' '.join(words[: index + 1])!r}", hint=hint)
        node = child
    aliases = None
    if node.parent is None:
        try:
            aliases = ctx.config.aliases
        except Exception:  # help must work even with a broken config
            aliases = None
    return Result(text=render_help(node, ctx.io, aliases=aliases))


def version(ctx: Context, args: Args) -> Result:
    info: dict[str, object] = {"version": __version__}
    if ctx.verbose:
        import platform
        from importlib import metadata

        info["python"] = platform.python_version()
        info["platform"] = platform.platform()
        info["executable"] = sys.executable
        for dist in ("prompt-toolkit", "rich", "httpx", "msgspec", "keyring"):
            try:
                info[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                info[dist] = None
    return Result(info, text=None if ctx.verbose else f"flext {__version__}")
