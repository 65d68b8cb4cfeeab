"""The interactive shell: a prompt loop where every line runs exactly as one-shot.

Each line goes through `flext.runner.run_line` (source "repl"), so parsing, output, exit
codes, history and audit are the one-shot ones; the shell adds only interaction:
completion, highlighting, the toolbar, context help, history search, sticky
`use profile`/`use workspace`, a choice list for unclear free text, and Ctrl-C that
stops the running command, not the shell. Start-up imports prompt_toolkit and little
else; the command tree and the live names are read after the prompt is on screen.
"""

from __future__ import annotations

import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from prompt_toolkit import PromptSession
    from prompt_toolkit.formatted_text import StyleAndTextTuples
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

    from flext.core.context import Args, Context
    from flext.core.output import Result
    from flext.core.paths import Scope
    from flext.repl.names import LiveNames, Source
    from flext.repl.toolbar import Status
    from flext.router.spec import Node

__all__ = ["EXIT", "Shell", "interactive"]

EXIT = -1  # `handle` asks the loop to end

STYLE = {
    "command": "bold",
    "option": "ansicyan",
    "value": "",
    "number": "ansiblue",
    "string": "ansigreen",
    "alias": "ansimagenta bold",
    "unknown": "ansired underline",
    "freetext": "ansiyellow italic",
    "bottom-toolbar": "noreverse bg:#262626 #d0d0d0",
    "toolbar.profile": "bg:#2e7d32 #ffffff bold",
    "toolbar.danger": "bg:#c62828 #ffffff bold",
    "toolbar.ok": "#81c784",
    "toolbar.failed": "#ef5350 bold",
    "toolbar.nl": "#ffd54f bold",
    "toolbar.hint": "#8a8a8a",
    "completion.required": "bold",
    "completion.history": "#b0bec5",
    "auto-suggestion": "#6c6c6c",
}


def interactive(ctx: Context, args: Args) -> Result:
    """`flext interactive` (shell, i): the shell on a terminal; piped, run the lines read."""
    from flext.core.errors import UsageError
    from flext.core.output import Result

    if ctx.source == "repl":
        raise UsageError("already in the interactive shell", hint="type `exit` or press Ctrl-D to leave it")
    shell = Shell(ctx)
    if ctx.io.stdin_tty and ctx.io.stdout_tty:
        return Result(exit_code=shell.run())
    return Result(exit_code=shell.run_script())


class Shell:
    """One shell session. `input`/`output` are for tests (prompt_toolkit pipes)."""

    def __init__(
        self,
        ctx: Context,
        *,
        input: Input | None = None,
        output: Output | None = None,
        names: Source | None = None,
    ) -> None:
        from flext.repl.names import LiveNames
        from flext.repl.toolbar import Status

        self.ctx = ctx
        self.io = ctx.io
        self.env = ctx.env
        self.session_id = ctx.session
        self.sticky: dict[str, Any] = {}
        for key in ("profile", "workspace"):  # `flext -p staging shell`: for the whole session
            if ctx.options.get(key):
                value = ctx.options[key]
                self.sticky[key] = os.path.abspath(str(value)) if key == "workspace" else value
        self.status: Status = Status()
        self.names: LiveNames = LiveNames(self._scope, source=names)
        self._input = input
        self._output = output
        self._session: PromptSession[str] | None = None
        self._completer: Any = None
        self._explained: tuple[str, Mapping[str, object] | None] = ("", None)
        self.next_default = ""
        self.last_code = 0

    # -- facts the components read ------------------------------------------------
    def _scope(self) -> Scope:
        """Where names are read: the session's `use profile`/`use workspace`, as data."""
        from flext.core.paths import Scope

        profile = self.sticky.get("profile")
        return Scope(self.env, self._cwd(), str(profile) if profile else None)

    def _cwd(self) -> str:
        return str(self.sticky.get("workspace") or os.getcwd())

    def root(self) -> Node:
        from flext.router.spec import tree

        return tree()

    def aliases(self, wait: float = 0.0) -> dict[str, str]:
        """User aliases; redraws never wait for them (`wait` > 0 only when running a line)."""
        index = self.names.get("aliases", wait=wait)
        return dict(zip(index.names, index.meta, strict=True))

    def _settings(self) -> dict[str, Any]:
        try:
            repl = self._context().settings.get("repl") if os.path.exists(self.ctx.paths.config_file) else None
        except Exception:  # a broken config: defaults, and the toolbar says what is wrong
            repl = None
        return repl if isinstance(repl, dict) else {}

    def _context(self) -> Context:
        from flext.runner import make_context

        ctx = make_context(self.io, source="repl", session=self.session_id, env=self.env)
        ctx.sticky.update(self.sticky)
        return ctx

    def _history_lines(self) -> list[str]:
        from flext.core import history

        ctx = self._context()
        scope = None
        try:
            if os.path.exists(ctx.paths.config_file) and ctx.settings.get("history", {}).get("scope") == "profile":
                scope = ctx.profile
        except Exception:
            scope = None
        return history.lines(ctx, profile=scope)

    # -- free text ------------------------------------------------------------------
    def is_free_text(self, words: list[str], wait: float = 0.0) -> bool:
        from flext.repl import builtins
        from flext.router.scan import first_word

        index = first_word(words)
        if index is None:
            return False
        word = words[index]
        if builtins.is_builtin(word) or self.root().child(word) is not None:
            return False
        return word not in self.aliases(wait)

    def explain(self, text: str) -> Mapping[str, object] | None:
        """What free text would run, from the cached names (never waits): toolbar and F1."""
        if self._explained[0] == text:
            return self._explained[1]
        import shlex

        try:
            words = shlex.split(text)
        except ValueError:
            words = text.split()
        doc: Mapping[str, object] | None = None
        if words and self.is_free_text(words):
            from flext.router import nl

            world = nl.World(self.names.names)
            doc = nl.explain(self._context(), " ".join(nl.split_line(words)[0]), world)
        self._explained = (text, doc)
        return doc

    def _toolbar(self) -> StyleAndTextTuples:
        from prompt_toolkit.application import get_app

        from flext.repl.toolbar import interpretation_of, render

        text = get_app().current_buffer.text
        shown = interpretation_of(text, self.explain) if text.strip() else None
        return render(self.status, shown)

    def help_text(self, text: str) -> str:
        from flext.repl.contexthelp import help_for

        return help_for(text, self.root(), self.aliases(), self.io, self.explain)

    # -- the prompt -------------------------------------------------------------------
    def build(self) -> PromptSession[str]:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
        from prompt_toolkit.enums import EditingMode
        from prompt_toolkit.history import ThreadedHistory
        from prompt_toolkit.styles import Style

        from flext.repl.completer import FlextCompleter
        from flext.repl.history import SharedHistory
        from flext.repl.keys import bindings
        from flext.repl.lexer import FlextLexer

        settings = self._settings()
        history = ThreadedHistory(SharedHistory(self._history_lines))
        self._completer = FlextCompleter(self.names, root=self.root, aliases=self.aliases,
                                         history=lambda: list(dict.fromkeys(reversed(history.get_strings()))))
        vi = str(settings.get("edit_mode", "emacs")) == "vi"
        self._session = PromptSession(
            message=str(settings.get("prompt") or "flext> "),
            completer=self._completer,
            complete_in_thread=True,
            lexer=FlextLexer(self.root, self.aliases),
            history=history,
            auto_suggest=AutoSuggestFromHistory() if settings.get("auto_suggest", True) else None,
            bottom_toolbar=self._toolbar,
            key_bindings=bindings(self._completer, self.help_text),
            editing_mode=EditingMode.VI if vi else EditingMode.EMACS,
            style=Style.from_dict(STYLE),
            prompt_continuation=lambda width, line, soft: "." * (width - 1) + " ",
            include_default_pygments_style=False,
            input=self._input,
            output=self._output,
        )
        return self._session

    def run(self) -> int:
        """The loop: read a line, handle it; Ctrl-C clears the line, Ctrl-D exits 0."""
        session = self._session or self.build()
        self.status.refresh(self._context())
        started = False
        while True:
            try:
                text = session.prompt(default=self.next_default, pre_run=None if started else self._warm)
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            started = True
            self.next_default = ""
            if self._completer is not None:
                self._completer.picker = False
            if self.handle(text) == EXIT:
                break
        self.names.stop()
        return 0

    def _warm(self) -> None:
        """After the first paint: load the live names in the background."""
        self.names.prefetch()

    def run_script(self) -> int:
        """Lines from a pipe, one after the other (no prompt); the last exit code."""
        code = 0
        for line in self.io.stdin:
            result = self.handle(line.rstrip("\n"))
            if result == EXIT:
                break
            if result is not None:
                code = result
        self.names.stop()
        return code

    # -- one line ---------------------------------------------------------------------
    def handle(self, text: str) -> int | None:
        """Run one line; returns its exit code, EXIT to leave, None when nothing ran."""
        import shlex

        line = text.replace("\\\n", " ").strip()
        if not line or line.startswith("#"):
            return None
        if line.endswith("?") and self._help_asked(line[:-1]):
            return 0
        try:
            words = shlex.split(line)
        except ValueError as exc:
            return self._fail(f"cannot read the line: {exc}", "close the quote, or escape it with \\")
        if words[0] in ("exit", "quit"):
            return EXIT
        if words == ["clear"]:  # the screen, as a shell's own `clear` does; never `history clear`
            return self._clear()
        if words[0] == "use":
            return self._use(words)
        if self.io.stdin_tty and self.is_free_text(words, wait=1.0):
            chosen = self._choose(words)
            if chosen is None:
                return self._done(2, 0)
            words = chosen
        return self.execute(words)

    def execute(self, argv: list[str]) -> int:
        """Run a command line through the one-shot path; Ctrl-C stops it, not the shell."""
        from flext.runner import run_line

        started = time.monotonic()
        try:
            code = run_line(argv, io=self.io, env=self.env, source="repl", sticky=dict(self.sticky),
                            session=self.session_id)
        except KeyboardInterrupt:  # arrived outside the command's own handler
            self.io.err("")
            code = 130
        return self._done(code, int((time.monotonic() - started) * 1000))

    def _done(self, code: int, duration_ms: int) -> int:
        self.last_code = code
        self.status.exit_code = code
        self.status.duration_ms = duration_ms
        self.status.refresh(self._context())
        self.names.invalidate()
        self._explained = ("", None)
        return code

    def _fail(self, message: str, hint: str | None = None, code: int = 2) -> int:
        io = self.io
        io.err(f"{io.style('error:', '31;1', err=True)} {message}")
        if hint:
            io.err(f"{io.style('hint:', '36', err=True)} {hint}")
        return self._done(code, 0)

    def _help_asked(self, text: str) -> bool:
        """`pipeline start?`: help for a command line (free-text questions are not help)."""
        import shlex

        try:
            words = shlex.split(text)
        except ValueError:
            return False
        if not words or self.is_free_text(words, wait=1.0):
            return False
        self.io.out(self.help_text(text.rstrip() + " "), end="")
        return True

    def _clear(self) -> int:
        """Erase the screen and put the prompt at the top (nothing to erase on a pipe)."""
        output = self._session.output if self._session is not None else self._output
        if output is None and self.io.stdout_tty:
            from prompt_toolkit.output import create_output

            output = create_output()
        if output is not None:
            output.erase_screen()
            output.cursor_goto(0, 0)
            output.flush()
        return self._done(0, 0)

    def _use(self, words: list[str]) -> int:
        from flext.core.errors import FlextError
        from flext.repl.builtins import run_use

        def profiles() -> list[str]:
            return list(self.names.refresh_now("profiles").names)

        try:
            message = run_use(words, self.sticky, profiles, self.env)
        except FlextError as exc:
            return self._fail(exc.message, exc.hint, exc.exit_code)
        self.io.err(message)
        return self._done(0, 0)

    def _choose(self, words: list[str]) -> list[str] | None:
        """Unclear free text: list the candidates and let the user pick one (or none)."""
        from flext.router import nl

        text, options = nl.split_line(words)
        reading = nl.read(" ".join(text), nl.World(lambda kind: list(self.names.get(kind).names)))
        if reading.status != nl.UNCLEAR or not reading.alternatives:
            return words  # understood, or not at all: run_line shows it, or says what is wrong
        choices = reading.alternatives[:5]
        self.io.err(f"not sure what {' '.join(text)!r} asks for; did you mean:")
        for number, alt in enumerate(choices, 1):
            self.io.err(f"  {number}) flext {alt}")
        answer = self._ask(f"run which one? [1-{len(choices)}, Enter for none] ")
        if not answer.strip().isdigit() or not 1 <= int(answer) <= len(choices):
            return None
        import shlex

        picked = choices[int(answer) - 1]
        argv = shlex.split(picked)
        if any(w.isupper() and w.isalpha() and len(w) > 2 for w in argv):  # `pipeline stop PIPELINE`
            self.next_default = " ".join(w for w in argv if not (w.isupper() and w.isalpha())) + " "
            return None
        return argv + options

    def _ask(self, question: str) -> str:
        from prompt_toolkit import PromptSession

        try:
            return PromptSession(input=self._input, output=self._output).prompt(question)
        except (KeyboardInterrupt, EOFError):
            return ""
