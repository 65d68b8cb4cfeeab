"""The one argv scanner, and the readers that use it agreeing on a shared corpus.

Each corpus row is a line and what each of its words is: `c` command word, `o` option,
`v` an option's value, `p` a positional argument, `e` the `--` end of options, `r` a word
of a rest argument. Parsing, shell completion, the shell's analysis and the colouring
must all read every line the same way.
"""

from __future__ import annotations

import shlex

import pytest

from flext.core.errors import UsageError
from flext.repl.analyze import VALUE as WANT_VALUE
from flext.repl.analyze import analyze
from flext.repl.lexer import classify
from flext.router import complete
from flext.router.parse import parse
from flext.router.scan import (
    COMMAND,
    END,
    FREE,
    OPTION,
    POSITIONAL,
    REST,
    UNKNOWN,
    VALUE,
    scan,
    scan_free,
)
from flext.router.spec import tree

KINDS = {"c": COMMAND, "o": OPTION, "v": VALUE, "p": POSITIONAL, "e": END, "r": REST}

# line, node reached, kinds of its words
CORPUS = [
    ("pipeline start orders", "pipeline start", "c c p"),
    ("pipeline logs orders --tail 50 -f", "pipeline logs", "c c p o v o"),
    ("pipeline logs orders --tail=50", "pipeline logs", "c c p o"),
    ("-o json pipeline list --status failed", "pipeline list", "o v c c o v"),
    ("-ojson pipeline list", "pipeline list", "o c c"),
    ("-yq pipeline stop orders", "pipeline stop", "o c c p"),
    ("pipeline stop -yq orders --force", "pipeline stop", "c c o p o"),
    ("history -n 5", "history", "c o v"),
    ("history -n5 --failed", "history", "c o o"),
    ("explain history -n 5", "explain", "c r r r"),
    ("explain -o json start the orders pipeline", "explain", "c o v r r r r"),
    ("explain -- -o json", "explain", "c e r r"),
    ("pipeline create p --tap t --target x --select a b c", "pipeline create", "c c p o v o v o v v v"),
    ("pipeline create p --select a b --tap t", "pipeline create", "c c p o v v o v"),
    ("pipeline status -- -orders", "pipeline status", "c c e p"),
    ("config set timeout 15", "config set", "c c p p"),
    ("help pipeline start", "help", "c p p"),
    ("-p staging -C /tmp pipeline list", "pipeline list", "o v o v c c"),
    ("logs search needle -i -c --since 1h", "logs search", "c c p o o o v"),
    ("history --failed -n -5", "history", "c o o v"),
]


def _words(line: str) -> list[str]:
    return shlex.split(line)


@pytest.mark.parametrize(("line", "node", "kinds"), CORPUS, ids=[c[0] for c in CORPUS])
def test_scan_reads_every_word(line: str, node: str, kinds: str) -> None:
    st = scan(_words(line))
    assert [t.kind for t in st.tokens] == [KINDS[k] for k in kinds.split()]
    assert st.node.command == node
    assert st.problems == []


@pytest.mark.parametrize(("line", "node", "kinds"), CORPUS, ids=[c[0] for c in CORPUS])
def test_parse_agrees(line: str, node: str, kinds: str) -> None:
    words = _words(line)
    inv = parse(words)
    assert inv.node.command == node
    assert inv.words == [w for w, k in zip(words, kinds.split(), strict=True) if k == "c"]
    rest = [w for w, k in zip(words, kinds.split(), strict=True) if k == "r"]
    if rest:
        assert inv.values["text"] == rest


_STYLES = {"c": {"command"}, "o": {"option"}, "e": {"option"}, "v": {"value", "string"},
           "p": {"value", "number", "string"}, "r": {"value", "number", "string"}}


@pytest.mark.parametrize(("line", "node", "kinds"), CORPUS, ids=[c[0] for c in CORPUS])
def test_colouring_agrees(line: str, node: str, kinds: str) -> None:
    spans = classify(line, tree(), {})
    styles = [style.split(":")[1] for _, _, style in spans]
    expected = kinds.split()
    assert len(styles) == len(expected)
    for style, kind in zip(styles, expected, strict=True):
        assert style in _STYLES[kind], (line, style, kind)


@pytest.mark.parametrize(("line", "node", "kinds"), CORPUS, ids=[c[0] for c in CORPUS])
def test_analysis_and_completion_agree_at_every_word(line: str, node: str, kinds: str) -> None:
    """After each word, the shell's analysis and shell completion see the same node and the
    same option waiting for its value as the scanner."""
    words = _words(line)
    root = tree()
    for n in range(1, len(words) + 1):
        before = words[:n]
        st = scan(before, partial=True)
        want = analyze(shlex.join(before) + " ", root, {})
        walked = complete._walk(before, {}, "/")
        assert walked is not None
        assert want.node is st.node is walked.node, before
        assert walked.pending is st.pending, before
        if st.pending is not None:
            assert want.kind == WANT_VALUE and want.opt is st.pending, before


@pytest.mark.parametrize(("line", "problem"), [
    ("pipeline strat orders", "unknown command 'strat' for `flext pipeline`"),
    ("pipeline logs orders --tial 5", "unknown option --tial for `flext pipeline logs`"),
    ("pipeline logs orders -x", "unknown option -x for `flext pipeline logs`"),
    ("pipeline logs orders --tail", "option --tail needs a value"),
    ("pipeline logs orders --tail -f", "option --tail needs a value"),
    ("bogus words here", "unknown command 'bogus'"),
])
def test_problems_raise_when_strict_and_are_kept_when_partial(line: str, problem: str) -> None:
    with pytest.raises(UsageError) as raised:
        scan(_words(line))
    assert raised.value.message == problem
    st = scan(_words(line), partial=True)  # never raises
    if st.pending is None:
        assert st.error is not None and st.error.message == problem
    else:  # a trailing option without its value: completion offers the values
        assert line.endswith("--tail")


def test_partial_scan_marks_unknown_words_and_goes_on() -> None:
    st = scan(["pipeline", "logs", "orders", "--bogus", "-f"], partial=True)
    assert [t.kind for t in st.tokens] == [COMMAND, COMMAND, POSITIONAL, UNKNOWN, OPTION]
    assert st.node.command == "pipeline logs"


def test_free_text_keeps_global_options_apart() -> None:
    st = scan(["-p", "prod", "start", "the", "orders", "pipeline", "--yes"], partial=True)
    assert [t.kind for t in st.tokens] == [OPTION, VALUE, FREE, FREE, FREE, FREE, OPTION]
    assert st.globals() == {"profile": "prod", "yes": True}


def test_scan_free_reads_only_global_options() -> None:
    st = scan_free(["orders", "--tail", "5", "-o", "json", "--", "-x"])
    assert [(t.text, t.kind) for t in st.tokens] == [
        ("orders", FREE), ("--tail", UNKNOWN), ("5", FREE), ("-o", OPTION), ("json", VALUE), ("--", END),
        ("-x", FREE)]


def test_quoted_words_are_never_options_or_commands() -> None:
    st = scan(["pipeline", "status", "--yes"], partial=True, quoted=[True, False, True])
    assert [t.kind for t in st.tokens] == [POSITIONAL, POSITIONAL, POSITIONAL]  # nothing named: root's words


def test_an_alias_expansion_is_spliced_and_read_as_typed() -> None:
    expansions = {"lg": ["pipeline", "logs"]}
    st = scan(["lg", "orders", "--tail", "5"], partial=True, expand=expansions.get)
    assert [(t.index, t.kind) for t in st.tokens] == [
        (0, "alias"), (-1, COMMAND), (-1, COMMAND), (1, POSITIONAL), (2, OPTION), (3, VALUE)]
    assert st.node.command == "pipeline logs"


def test_an_alias_that_expands_to_itself_stops() -> None:
    st = scan(["loop"], partial=True, expand=lambda word: ["loop"] if word == "loop" else None)
    assert len(st.tokens) <= 20
