"""Guided questions: defaults, validation, going back and aborting; or a usage error.

A wizard is a list of `Step`s, one per value a command needs. Values already given as
flags are not asked again. On a terminal each step is a prompt_toolkit prompt with its
default filled in (Enter accepts it), completion of the known choices, validation
before the answer is taken, `<` or Shift-Tab to go back one step and Ctrl-C to abort.
Without a terminal (or with --no-input) nothing is asked: a usage error names every
missing flag at once, so a script is fixed in one go.
"""

from __future__ import annotations

from flext.core.errors import Interrupted, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.core.context import Context

__all__ = ["BACK", "Step", "ask", "one_shot"]

BACK = "<"


class Step:
    """One question: the answer's key, its label, and the flag that gives it one-shot."""

    __slots__ = ("check", "choices", "default", "flag", "help", "key", "label", "optional", "paths", "secret",
                 "strict", "when", "yes_no")

    def __init__(
        self,
        key: str,
        label: str,
        flag: str,
        *,
        default: str | Callable[[dict[str, Any]], str | None] | None = None,
        choices: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None,
        strict: bool = False,
        check: Callable[[str, dict[str, Any]], str | None] | None = None,
        optional: bool = False,
        secret: bool = False,
        yes_no: bool = False,
        when: Callable[[dict[str, Any]], bool] | None = None,
        help: str = "",
        paths: bool = False,
    ) -> None:
        self.key = key
        self.label = label
        self.flag = flag  # `--tap`, or `NAME` for an argument
        self.default = default
        self.choices = choices  # (value, description) pairs offered and completed
        self.strict = strict  # the answer must be one of the choices
        self.check = check  # returns what is wrong with an answer, or None
        self.optional = optional
        self.secret = secret
        self.yes_no = yes_no
        self.when = when
        self.help = help
        self.paths = paths  # TAB completes directories

    def default_for(self, answers: dict[str, Any]) -> str:
        value = self.default(answers) if callable(self.default) else self.default
        return "" if value is None else str(value)

    def problem(self, text: str, answers: dict[str, Any]) -> str | None:
        """What is wrong with an answer (None: it is taken)."""
        if text == BACK:
            return None
        if self.yes_no:
            return None if text.lower() in ("y", "yes", "n", "no") else "answer yes or no"
        if not text:
            return None if self.optional else "an answer is needed (Ctrl-C aborts)"
        if self.strict and self.choices is not None:
            names = [name for name, _ in self.choices(answers)]
            if text not in names:
                from flext.core.suggest import closest

                guess = closest(text, names)
                return f"choose one of: {', '.join(names[:8])}" + (f" (did you mean {guess}?)" if guess else "")
        return self.check(text, answers) if self.check is not None else None


def _given(answers: dict[str, Any], key: str) -> bool:
    """Given as a flag: a value, or a flag switched on (an unset flag parses as False)."""
    return answers.get(key) not in (None, "", [], False)


def ask(ctx: Context, steps: list[Step], answers: dict[str, Any], *, title: str) -> dict[str, Any]:
    """Fill `answers` (a copy) by asking the steps not given; or fail naming the flags."""
    answers = dict(answers)
    given = {s.key for s in steps if _given(answers, s.key)}
    if not ctx.can_prompt:  # a script: name every missing flag at once; never guess a value
        missing = [s.flag for s in steps if s.key not in given and not s.optional and not s.yes_no
                   and (s.when is None or s.when(answers))]
        if missing:
            raise UsageError(f"missing {', '.join(missing)}",
                             hint="pass them, or run the command on a terminal to be asked")
        return answers
    ctx.io.err(ctx.io.style(title, "1", err=True) + "  (Enter keeps the default · < goes back · Ctrl-C aborts)")
    asked: list[int] = []
    earlier: dict[str, Any] = {}
    index = 0
    while index < len(steps):
        step = steps[index]
        if step.key in given or (step.when is not None and not step.when(answers)):
            index += 1
            continue
        text = _prompt(step, answers, earlier.get(step.key))
        if text == BACK:
            if asked:
                index = asked.pop()
                earlier[steps[index].key] = answers.pop(steps[index].key, None)  # offered again
            continue
        answers[step.key] = _convert(step, text)
        asked.append(index)
        index += 1
    return answers


def _convert(step: Step, text: str) -> Any:
    if step.yes_no:
        return text.lower() in ("y", "yes")
    return text or None


def _prompt(step: Step, answers: dict[str, Any], earlier: Any = None) -> str:
    """One prompt_toolkit question; `<`/Shift-Tab go back, Ctrl-C/Ctrl-D abort."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import FuzzyWordCompleter
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.validation import ValidationError, Validator

    class _Check(Validator):
        def validate(self, document: Any) -> None:
            problem = step.problem(document.text.strip(), answers)
            if problem:
                raise ValidationError(message=problem, cursor_position=len(document.text))

    kb = KeyBindings()

    @kb.add("s-tab")
    def _back(event: Any) -> None:
        event.app.exit(result=BACK)

    pairs = step.choices(answers) if step.choices is not None else []
    # WORD: names hold dashes (tap-jsonfile), and the whole answer is one name
    completer: Any = FuzzyWordCompleter([n for n, _ in pairs], meta_dict=dict(pairs), WORD=True) if pairs else None
    if step.paths:
        from prompt_toolkit.completion import PathCompleter

        completer = PathCompleter(only_directories=True, expanduser=True)
    if completer is not None:
        from flext.prompts.tab import tab_completes_now

        tab_completes_now(kb, completer)
    default = "" if step.secret else step.default_for(answers)
    if step.yes_no:
        default = "yes" if default.lower() in ("y", "yes", "true", "1") else "no"
    if earlier not in (None, "") and not step.secret:  # going back shows the answer given before
        default = ("yes" if earlier else "no") if step.yes_no else str(earlier)
    label = step.label + (" (yes/no)" if step.yes_no else "") + (" (optional)" if step.optional else "") + ": "
    hint = (step.help + " · " if step.help else "") + f"one-shot: {step.flag} · < back · Ctrl-C abort"
    session: PromptSession[str] = PromptSession()
    try:
        text = session.prompt(label, default=default, validator=_Check(), validate_while_typing=False,
                              completer=completer, complete_while_typing=True, is_password=step.secret,
                              key_bindings=kb, bottom_toolbar=hint)
    except (KeyboardInterrupt, EOFError):
        raise Interrupted("aborted; nothing was changed") from None
    return text.strip()


def one_shot(words: list[str], flags: list[tuple[str, Any]]) -> str:
    """The equivalent command line: `flext pipeline create orders --tap tap-jsonl ...`."""
    import shlex

    out = ["flext", *words]
    for flag, value in flags:
        if value in (None, False, "", []):
            continue
        if value is True:
            out.append(flag)
        elif isinstance(value, list):
            for item in value:
                out += [flag, str(item)]
        else:
            out += [flag, str(value)]
    return " ".join(shlex.quote(w) for w in out)
