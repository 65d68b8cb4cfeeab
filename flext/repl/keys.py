"""Key bindings the shell adds to prompt_toolkit's emacs/vi defaults.

TAB: complete at once, even when typed together with the text (flext.prompts.tab).
F1: help for the command at the cursor, printed above the prompt.
Enter after a trailing backslash: a new line (the command continues).
F3: the fuzzy history picker (type to filter, arrows to choose, Enter to run).
Escape leaves the picker. Ctrl-R (reverse search), Ctrl-C (clear the line) and
Ctrl-D (exit on an empty line) are prompt_toolkit's own.
"""

from __future__ import annotations

from prompt_toolkit.filters import Condition, has_completions
from prompt_toolkit.key_binding import KeyBindings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from prompt_toolkit.key_binding import KeyPressEvent

    from flext.repl.completer import FlextCompleter

__all__ = ["bindings"]


def bindings(completer: FlextCompleter, help_text: Callable[[str], str]) -> KeyBindings:
    kb = KeyBindings()

    @kb.add("f1")
    def _help(event: KeyPressEvent) -> None:
        from prompt_toolkit.application import run_in_terminal

        text = help_text(event.current_buffer.document.text_before_cursor)
        run_in_terminal(lambda: print(text, end="" if text.endswith("\n") else "\n", flush=True))

    continued = Condition(_ends_with_backslash)

    @kb.add("enter", filter=continued)
    def _continue(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    @kb.add("f3")
    def _picker(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        completer.picker = not completer.picker
        if completer.picker:
            buffer.start_completion(select_first=False)
        else:
            buffer.cancel_completion()

    picking = Condition(lambda: completer.picker)

    @kb.add("escape", filter=picking, eager=True)
    def _leave_picker(event: KeyPressEvent) -> None:
        completer.picker = False
        event.current_buffer.cancel_completion()

    from flext.prompts.tab import tab_completes_now

    tab_completes_now(kb, completer)

    @kb.add("c-space", filter=~has_completions)
    def _complete(event: KeyPressEvent) -> None:
        event.current_buffer.start_completion(select_first=False)

    return kb


def _ends_with_backslash() -> bool:
    from prompt_toolkit.application import get_app

    text = get_app().current_buffer.text
    return text.endswith("\\") and not text.endswith("\\\\")
