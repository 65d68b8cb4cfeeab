"""Input highlighting: known command words, options, values, strings; unknown words marked.

It walks the line the way the parser will, so a word is shown as a command only if
the parser will read it as one, and a misspelt option is visibly wrong before Enter.
A line whose first word is not a command is free text and shown as such.
"""

from __future__ import annotations

from prompt_toolkit.lexers import Lexer

from flext.repl import builtins
from flext.repl.analyze import find_opt
from flext.repl.words import split_partial
from flext.router.spec import GLOBAL_OPTS, Node, Opt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from prompt_toolkit.document import Document
    from prompt_toolkit.formatted_text import StyleAndTextTuples

__all__ = ["FlextLexer", "classify"]


def classify(text: str, root: Node, aliases: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, style class) for each word of `text` (the whole input, all lines)."""
    words, last = split_partial(text)
    if last.value or last.quoted:
        words.append(last)
    out: list[tuple[int, int, str]] = []
    node = root
    pending = False
    positionals = 0
    free = False
    for word in words:
        token = word.value
        if free:
            out.append((word.start, word.end, "class:freetext"))
            continue
        if pending:
            pending = False
            out.append((word.start, word.end, "class:string" if word.quoted else "class:value"))
            continue
        if token.startswith("-") and len(token) > 1 and not word.quoted:
            opt = find_opt(node, token)
            if opt is None and not token.startswith("--"):
                opt = _cluster(node, token)
            if opt is None:
                out.append((word.start, word.end, "class:unknown"))
                continue
            out.append((word.start, word.end, "class:option"))
            pending = not opt.flag and "=" not in token and (token.startswith("--") or len(token) == 2)
            continue
        if positionals == 0 and (node.children or node is root) and not word.quoted:
            child = builtins.child(root, token) if node is root else node.child(token)
            if child is not None:
                node = child
                out.append((word.start, word.end, "class:command"))
                continue
            if node is root:
                if token in aliases:
                    out.append((word.start, word.end, "class:alias"))
                    node = Node("alias", "")  # what follows belongs to the expansion
                    positionals = 1
                    continue
                free = True
                out.append((word.start, word.end, "class:freetext"))
                continue
            if not node.runnable:
                out.append((word.start, word.end, "class:unknown"))
                continue
        positionals += 1
        style = "class:string" if word.quoted else "class:number" if _number(token) else "class:value"
        out.append((word.start, word.end, style))
    return out


def _cluster(node: Node, token: str) -> Opt | None:
    """A short-option cluster (`-yq`, `-n5`): known if its first letter is."""
    ch = token[1]
    return node.find_short(ch) or next((o for o in GLOBAL_OPTS if o.short == ch), None)


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
