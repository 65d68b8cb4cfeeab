"""A plugin may add commands, never replace one: built-ins and other plugins' words are taken."""

from __future__ import annotations

from flext.core.errors import Conflict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.plugins.manifest import Manifest


def check(manifest: Manifest, others: list[Manifest]) -> None:
    """Raise Conflict when `manifest` would shadow a built-in command or another plugin's."""
    from flext.router.spec import tree

    root = tree()
    for words in sorted(manifest.commands):
        parts = words.split()
        node = root
        for depth, word in enumerate(parts, 1):
            child = node.child(word)
            if child is None:
                break
            if child.plugin is None and (child.runnable or depth == len(parts)):
                what = "command" if child.runnable else "command group"
                raise Conflict(
                    f"plugin {manifest.name!r} cannot replace the built-in {what} `flext {child.command}` "
                    f"(it declares `{words}`)",
                    hint="rename the command in its flext-plugin.toml",
                )
            node = child
    mine = set(manifest.commands)
    for other in others:
        if other.name == manifest.name:
            continue
        theirs = set(other.commands)
        clash = sorted(mine & theirs) or sorted(
            w for w in mine for t in theirs if w.startswith(t + " ") or t.startswith(w + " ")
        )
        if clash:
            raise Conflict(f"plugin {manifest.name!r} and plugin {other.name!r} both declare `flext {clash[0]}`",
                           hint=f"disable one of them (`flext plugin disable {other.name}`)")


__all__ = ["check"]
