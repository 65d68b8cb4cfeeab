"""Input highlighting: known command words, options, values, strings; unknown words marked.

It walks the line the way the parser will, so a word is shown as a command only if
the parser will read it as one, and a misspelt option is visibly wrong before Enter.
A line whose first word is not a command is free text and shown as such.
"""

from __future__ import annotations

from prompt_toolkit.lexers import Lexer

from flext.repl.analyze import read
from flext.router.scan import ALIAS, COMMAND, END, FREE, OPTION, UNKNOWN, VALUE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from prompt_toolkit.document import Document
    from prompt_toolkit.formatted_text import StyleAndTextTuples

    from flext.router.spec import Node

__all__ = ["FlextLexer", "classify"]


_STYLE = {
    COMMAND: "class:command",
    ALIAS: "class:alias",
    OPTION: "class:option",
    END: "class:option",
    UNKNOWN: "class:unknown",
    FREE: "class:freetext",
}


def classify(text: str, root: Node, aliases: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, style class) for each word of `text` (the whole input, all lines).

    The words are read by the one scanner, so a word is a command, an option or a value
    here exactly when the parser will read it as one (an alias's words are spliced in,
    so `st --tail 5` is read as the command `st` stands for)."""
    scanned, words, _ = read(text, root, aliases, last=True)
    out: list[tuple[int, int, str]] = []
    for token in scanned.tokens:
        if token.index < 0:
            continue  # a word of an alias's expansion: not on the screen
        word = words[token.index]
        style = _STYLE.get(token.kind)
        if style is None:  # an option's value, or an argument (numbers shown as such)
            number = token.kind != VALUE and _number(word.value)
            style = "class:string" if word.quoted else "class:number" if number else "class:value"
        out.append((word.start, word.end, style))
    return out


def _number(token: str) -> bool:
    return token.replace(".", "", 1).isdigit()


class FlextLexer(Lexer):
    """prompt_toolkit lexer over `classify` (the tree is read lazily)."""

    def __init__(self, root: Callable[[], Node], aliases: Callable[[], Mapping[str, str]]) -> None:
        self._root = root
        self._aliases = aliases

    def lex_document(self, document: Document) -> Callable[[int], StyleAndTextTuples]:
        text = document.text
        spans = classify(text, self._root(), self._aliases()) if text.strip() else []
        styles = [""] * len(text)
        for start, end, style in spans:
            for k in range(start, min(end, len(text))):
                styles[k] = style
        offsets: list[int] = []
        pos = 0
        for line in document.lines:
            offsets.append(pos)
            pos += len(line) + 1

        def get_line(lineno: int) -> StyleAndTextTuples:
            if lineno >= len(offsets):
                return []
            start = offsets[lineno]
            line = document.lines[lineno]
            fragments: StyleAndTextTuples = []
            for k, ch in enumerate(line):
                style = styles[start + k] if start + k < len(styles) else ""
                if fragments and fragments[-1][0] == style:
                    fragments[-1] = (style, fragments[-1][1] + ch)
                else:
                    fragments.append((style, ch))
            return fragments

        return get_line
