"""Words that exist only in the shell: `use profile NAME`, `use workspace DIR`, `clear`, `exit`.

They change the session, not the user's files, so they are not part of the shared
command tree (one-shot `flext use ...` would mean nothing). They are declared with the
same `Node` type so completion, highlighting and help treat them like commands.
`flext.router.spec.shell.SHELL_WORDS` names the same words, so one-shot `flext clear` can
say where it belongs instead of reading it as free text (where `clear` is no order to
delete anything).
"""

from __future__ import annotations

import os

from flext.core.errors import NotFound, UsageError
from flext.router.spec import PATH, Arg, Node

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["BUILTINS", "child", "is_builtin", "leave", "run_use"]

BUILTINS: dict[str, Node] = {
    node.name: node
    for node in (
        Node(
            "use", "Set the profile or workspace for this session only",
            description="Sticky until you change it or leave the shell; `-p`/`-C` on a line still win.",
            children=[
                Node("profile", "Use this profile for the rest of the session",
                     args=[Arg("name", "Profile", completer="profiles")],
                     examples=["use profile staging"], handler="flext.repl.builtins:run_use"),
                Node("workspace", "Use this workspace directory for the rest of the session",
                     args=[Arg("dir", "Workspace directory", type=PATH)],
                     examples=["use workspace ~/projects/demo"], handler="flext.repl.builtins:run_use"),
            ],
            examples=["use profile prod", "use workspace ."],
            handler="flext.repl.builtins:run_use",
        ),
        Node("exit", "Leave the shell (also Ctrl-D)", examples=["exit"], handler="flext.repl.builtins:leave"),
        Node("clear", "Clear the screen (also Ctrl-L); the history stays", examples=["clear"],
             handler="flext.repl.builtins:leave"),
        Node("quit", "Leave the shell (also Ctrl-D)", examples=["quit"], handler="flext.repl.builtins:leave",
             hidden=True),
    )
}


def is_builtin(word: str) -> bool:
    return word in BUILTINS


def child(root: Node, word: str) -> Node | None:
    """A child of the root, counting the shell's own words (built-ins win: `use`)."""
    return BUILTINS.get(word) or root.child(word)


def run_use(
    words: list[str],
    sticky: dict[str, object],
    profiles: Callable[[], list[str]],
    env: Mapping[str, str] | None = None,
) -> str:
    """Apply `use ...` to the session's sticky context; returns the message to show."""
    if len(words) == 1:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(sticky.items())) or "nothing"
        return f"session uses: {shown}"
    what = words[1]
    if what not in ("profile", "workspace") or len(words) > 3:
        raise UsageError("usage: use profile NAME | use workspace DIR", hint="`use profile -` forgets the choice")
    if len(words) == 2 or words[2] == "-":
        sticky.pop(what, None)
        return f"✓ session {what} cleared"
    value = words[2]
    if what == "profile":
        names = profiles()
        if value not in names:
            from flext.core.suggest import closest

            guess = closest(value, names)
            raise NotFound(f"profile {value!r} does not exist",
                           hint=f"did you mean {guess!r}?" if guess else "see `profile list`")
        sticky["profile"] = value
        return f"✓ this session now uses profile {value!r}"
    path = os.path.abspath(os.path.expanduser(value))
    if not os.path.isdir(path):
        raise NotFound(f"no such directory: {value}", hint="create it first, or `init` a workspace there")
    sticky["workspace"] = path
    return f"✓ this session now uses workspace {path}"


def leave() -> None:
    """`exit`/`quit`/`clear`: the session loop acts on these words itself; nothing to do here."""
