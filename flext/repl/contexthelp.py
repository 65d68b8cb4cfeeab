"""Help for the command at the cursor (F1, or a line ending in `?`).

The same help text as `flext help WORDS`, found by walking the line as the parser
would; for free text, the command it would run.
"""

from __future__ import annotations

from flext.repl.analyze import FREE, analyze
from flext.router.help import render_help

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from flext.core.io import IO
    from flext.router.spec import Node

__all__ = ["help_for", "node_at"]


def node_at(text: str, root: Node, aliases: Mapping[str, str]) -> Node | None:
    """The command or group the text names (None for free text)."""
    want = analyze(text if text.endswith(" ") or not text else text + " ", root, aliases)
    if want.kind == FREE:
        return None
    return want.node


def help_for(
    text: str,
    root: Node,
    aliases: Mapping[str, str],
    io: IO | None = None,
    explain: Callable[[str], Mapping[str, object] | None] | None = None,
) -> str:
    """The help to show for `text` (the line up to the cursor)."""
    node = node_at(text, root, aliases)
    if node is None:
        doc = explain(text) if explain is not None else None
        if doc and doc.get("command"):
            return f"→ flext {doc['command']}\n  (free text; Enter runs it after showing it)\n"
        if doc and doc.get("alternatives"):
            return "not sure what that asks for; candidates:\n" + "".join(
                f"  flext {a}\n" for a in doc["alternatives"]  # type: ignore[attr-defined]
            )
        return "not a command; type `help` for the list, or say what you want in plain words\n"
    top = node
    while top.parent is not None:
        top = top.parent
    if top is not root:  # `use profile`: a word of the shell, not of the tree
        lines = [f"{node.name} — {node.summary}"]
        lines += [f"  {c.name:10} {c.summary}" for c in node.visible_children()]
        lines += [f"  e.g. {e}" for e in node.examples]
        return "\n".join(lines) + "\n"
    return render_help(node, io, aliases=dict(aliases) if node.parent is None else None)
