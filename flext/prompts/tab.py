"""TAB that completes at once, for every prompt_toolkit prompt flext shows (wizard, shell).

prompt_toolkit's own TAB asks for completions in a background task, and only one such task
runs at a time. When keys arrive together (`config pa` and TAB typed fast, pasted, or sent
by tmux), the task started by the typing runs first and shows the menu; the TAB's request
then finds a menu and does nothing. The TAB is lost and Enter takes the unfinished word.
Here TAB steps through a menu that is shown; otherwise it asks the completer itself, on
the spot: one match is taken, several fill in their common part, else the menu opens on
the first, as TAB does on the menu that typing shows. The same keys give the same line,
however fast they come.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from prompt_toolkit.completion import Completer
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

__all__ = ["tab_completes_now"]


def tab_completes_now(kb: KeyBindings, completer: Completer) -> None:
    """Bind TAB on `kb` to complete with `completer` now (see the module's docstring)."""
    from prompt_toolkit.buffer import CompletionState
    from prompt_toolkit.completion import CompleteEvent, get_common_complete_suffix
    from prompt_toolkit.enums import DEFAULT_BUFFER
    from prompt_toolkit.filters import has_focus, is_done

    @kb.add("tab", filter=has_focus(DEFAULT_BUFFER) & ~is_done)
    def _complete(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.complete_state is not None and buffer.complete_state.completions:
            buffer.complete_next()
            return
        document = buffer.document
        found = list(completer.get_completions(document, CompleteEvent(completion_requested=True)))
        if len(found) == 1:
            buffer.apply_completion(found[0])
        elif found and (common := get_common_complete_suffix(document, found)):
            buffer.insert_text(common)
        elif found:  # the menu with the first chosen, as TAB does on the menu typing shows
            buffer.complete_state = CompletionState(original_document=document, completions=found)
            buffer.go_to_completion(0)
