"""`flext explain TEXT...`: the exact command a line would run, without running it."""

from __future__ import annotations

from flext.core.errors import UsageError
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Args, Context


def _join(argv: list[str]) -> str:
    import shlex

    return " ".join(shlex.quote(a) for a in argv)


def _did_you_mean(ctx: Context, line: list[str], exc: UsageError) -> list[str]:
    """The parser's candidates; for an unknown first word, made again with the names that
    exist, as a one-shot line does (`restart orders`, orders a pipeline: `pipeline start`)."""
    from flext.router.nl import world_for
    from flext.router.scan import first_word
    from flext.router.spec import tree
    from flext.router.suggestions import unknown_command

    index = first_word(line)
    if not exc.candidates or index is None or tree().child(line[index]) is not None:
        return list(exc.candidates)
    world = world_for(ctx)
    return unknown_command(tree(), line[index], line[index + 1:], world.folded).candidates


def explain_line(ctx: Context, words: list[str]) -> dict[str, Any]:
    """The explain document for one line (also used by the REPL toolbar)."""
    from flext.router.parse import parse
    from flext.runner import expand

    if len(words) == 1 and " " in words[0]:
        import shlex

        try:
            words = shlex.split(words[0])
        except ValueError as exc:
            raise UsageError(f"cannot split the line: {exc}") from None
    doc: dict[str, Any] = {
        "input": _join(words), "command": None, "argv": [], "source": "command",
        "confidence": 0.0, "mutating": False, "alternatives": [],
    }
    line, how = expand(ctx, words)
    try:
        inv = parse(line)
    except UsageError as exc:
        nl = _conversational(ctx, words)
        if nl is not None and (nl.get("command") or nl.get("error")):  # understood, or names nothing that exists
            return {**doc, **nl}
        doc["error"] = exc.message
        # the parser's did-you-mean first (a typo of a command), then the conversational guesses
        alternatives = _did_you_mean(ctx, line, exc)
        for alt in (nl or {}).get("alternatives") or []:
            if alt not in alternatives:
                alternatives.append(alt)
        doc["alternatives"] = alternatives
        return doc
    if inv.help or inv.globals.get("version"):  # `explain -- --help`, `explain -- pipeline -h`
        canonical = [*inv.node.path, "--help"] if inv.help else ["--version"]
        doc.update(command=_join(canonical), argv=canonical, source=how, confidence=1.0, mutating=False)
        return doc
    if inv.node.parent is None:  # only global options (`explain -- -o json`): no command to run
        doc["error"] = "no command in this line, only global options"
        return doc
    canonical = inv.canonical()
    doc.update(
        command=_join(canonical),
        argv=canonical,
        source=how,
        confidence=1.0,
        mutating=inv.node.mutating,
    )
    if how == "alias":
        doc["expansion"] = _join(line)
    return doc


def _conversational(ctx: Context, words: list[str]) -> dict[str, Any] | None:
    try:
        from flext.router import nl
    except ImportError:
        return None
    found: dict[str, Any] | None = nl.explain(ctx, " ".join(words))
    return found


def explain(ctx: Context, args: Args) -> Result:
    doc = explain_line(ctx, list(args.text))
    if doc["command"] is None:  # exit 2; `-o json` still gets the document (command null, alternatives)
        alternatives = doc.get("alternatives") or []
        if doc["source"] == "conversational" and doc.get("error"):  # `no pipeline named 'payments'`
            hint = f"the closest: {', '.join(alternatives)}" if alternatives else "see `flext help`"
            raise UsageError(str(doc["error"]), hint=hint, data=doc)
        hint = ("candidates: " + "; ".join(alternatives)) if alternatives else "see `flext help`"
        raise UsageError(f"nothing matches {doc['input']!r}", hint=hint, data=doc)
    lines = [f"flext {doc['command']}"]
    lines.append(f"  source: {doc['source']}" + (f" (confidence {doc['confidence']:.2f})" if doc["source"] == "conversational" else ""))
    if doc.get("expansion"):
        lines.append(f"  expands to: {doc['expansion']}")
    lines.append(f"  mutating: {'yes' if doc['mutating'] else 'no'}")
    for alt in doc.get("alternatives") or []:
        lines.append(f"  alternative: {alt}")
    return Result(doc, text="\n".join(lines))


__all__ = ["explain", "explain_line"]
