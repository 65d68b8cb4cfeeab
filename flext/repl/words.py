"""Split a partial shell line into words, tolerating an unclosed quote.

`shlex.split` refuses a line that is still being typed (`pipeline create "my pi`);
completion and highlighting need the words so far, where each one starts, and the
word under the cursor.
"""

from __future__ import annotations

__all__ = ["Word", "split_partial"]


class Word:
    """One word: its value (quotes removed), where it starts and ends in the line."""

    __slots__ = ("end", "quoted", "start", "value")

    def __init__(self, value: str, start: int, end: int, quoted: bool) -> None:
        self.value = value
        self.start = start
        self.end = end
        self.quoted = quoted

    def __repr__(self) -> str:
        return f"Word({self.value!r}, {self.start}, {self.end})"


def split_partial(text: str) -> tuple[list[Word], Word]:
    """(complete words, the word being typed). The last is empty after a space."""
    words: list[Word] = []
    buf: list[str] = []
    start = -1
    quote = ""
    quoted = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == "\\" and quote == '"' and i + 1 < n:
                i += 1
                buf.append(text[i])
            else:
                buf.append(ch)
            i += 1
            continue
        if ch == "\\" and i + 1 < n:
            if text[i + 1] == "\n":  # a continued line: the break is a space
                if start >= 0:
                    words.append(Word("".join(buf), start, i, quoted))
                    buf, start, quoted = [], -1, False
                i += 2
                continue
            if start < 0:
                start = i
            buf.append(text[i + 1])
            i += 2
            continue
        if ch in " \t\n":
            if start >= 0:
                words.append(Word("".join(buf), start, i, quoted))
                buf, start, quoted = [], -1, False
            i += 1
            continue
        if start < 0:
            start = i
        if ch in "'\"":
            quote = ch
            quoted = True
        else:
            buf.append(ch)
        i += 1
    if start >= 0:
        return words, Word("".join(buf), start, n, quoted)
    return words, Word("", n, n, False)
