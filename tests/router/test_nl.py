"""The conversational parser: tokens, slots, names, readings, and free text one-shot."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flext.core.paths import Scope
from flext.router import nl
from flext.router.nl.slots import extract
from flext.router.nl.tokens import tokenize
from tests.conftest import Run

WORLD = nl.World.of({
    "pipelines": ["orders", "customers", "web-events", "billing"],
    "services": ["flexcore", "flext-api", "billing"],
    "profiles": ["default", "staging", "prod"],
    "taps": ["tap-postgres"], "targets": ["target-jsonl"],
})


def command(text: str, world: nl.World = WORLD) -> str | None:
    return nl.read(text, world).command


@pytest.mark.parametrize(("text", "words"), [
    ("What's running?", ["what", "is", "running"]),
    ("flexcore's logs", ["flexcore", "logs"]),
    ("could you please kick off orders", ["start", "orders"]),
    ('search for "connection refused"', ["search", "for", "connection refused"]),
    ("tail -f the logs", ["follow", "the", "logs"]),
    ("add a service at http://crm:8080/x.", ["add", "a", "service", "at", "http://crm:8080/x"]),
])
def test_tokens_fold_case_politeness_and_phrases(text: str, words: list[str]) -> None:
    toks, _ = tokenize(text)
    assert [t.low for t in toks] == words


@pytest.mark.parametrize(("text", "field", "value"), [
    ("last 50 lines", "count", 50),
    ("the last twenty lines", "count", 20),
    ("10 most recent runs", "count", 10),
    ("in the last hour", "since", "1h"),
    ("from the past 2 days", "since", "2d"),
    ("since 10 minutes ago", "since", "10m"),
    ("within the last half hour", "since", "30m"),
    ("over the past 90 seconds", "since", "90s"),
    ("in the last 1h30m", "since", "1h30m"),
    ("today", "since", "1d"),
    ("as json", "format", "json"),
    ("in yaml format", "format", "yaml"),
    ("as a table", "format", "table"),
    ("from scratch", "full_refresh", True),
    ("and wait for it", "wait", True),
    ("follow", "follow", True),
    ("which failed", "status", "failed"),
    ("that never ran", "status", "never"),
    ("called payments", "name", "payments"),
])
def test_slots(text: str, field: str, value: object) -> None:
    toks, _ = tokenize(text)
    assert getattr(extract(toks), field) == value


@pytest.mark.parametrize(("text", "expected"), [
    ("start the orders pipeline", "pipeline start orders"),
    ("start the ORDERS pipeline", "pipeline start orders"),
    ("start the odrers pipeline", "pipeline start orders"),
    ("kick off web events", "pipeline start web-events"),
    ("show me the logs of flexcore", "service logs flexcore"),
    ("show me the logs of customers", "pipeline logs customers"),
    ("last 50 lines of the orders logs", "pipeline logs orders --tail 50"),
    ("flexcore logs in the last hour", "service logs flexcore --since 1h"),
    ("is everything healthy?", "service health"),
    ("which pipelines failed?", "pipeline list --status failed"),
    ("restart billing", "service restart billing"),
    ("start the billing service", "service start billing"),
    ("start the billing pipeline", "pipeline start billing"),
    ("list pipelines on prod", "pipeline list -p prod"),
    ("pause orders", "pipeline pause orders"),
    ("show the schedules", "pipeline schedules"),
])
def test_readings(text: str, expected: str) -> None:
    assert command(text) == expected


def test_the_same_name_is_read_by_what_exists() -> None:
    as_service = nl.World.of({"services": ["orders"]})
    as_pipeline = nl.World.of({"pipelines": ["orders"]})
    assert command("show me the logs of orders", as_service) == "service logs orders"
    assert command("show me the logs of orders", as_pipeline) == "pipeline logs orders"
    both = nl.read("show billing logs", WORLD)
    assert both.status == "unclear"
    assert set(both.alternatives[:2]) == {"pipeline logs billing", "service logs billing"}


@pytest.mark.parametrize("text", [
    "don't stop orders", "do not delete the orders pipeline", "never delete orders", "delete", "start",
    "banana", "make it faster", "delete everything",
])
def test_unclear_or_negated_text_runs_nothing(text: str) -> None:
    assert command(text) is None


@pytest.mark.parametrize(("text", "reason", "closest", "first"), [
    ("start the payments pipeline", "no pipeline named 'payments'", ["web-events", "customers", "orders"],
     "pipeline start web-events"),
    ("run payment", "no pipeline named 'payment'", ["web-events", "customers", "orders"], "pipeline start web-events"),
    ("restart the kafka service", "no service named 'kafka'", ["flext-api", "flexcore", "billing"],
     "service restart flext-api"),
    ("is redis up?", "no service named 'redis'", ["flexcore", "flext-api", "billing"], "service health flexcore"),
    ("switch to the qa profile", "no profile named 'qa'", ["staging", "default", "prod"], "profile use staging"),
    ("list pipelines on uat", "no profile named 'uat'", ["default", "staging", "prod"], "pipeline list -p default"),
    ("how is the kafka service doing", "no service named 'kafka'", ["flext-api", "flexcore", "billing"], None),
    # never an offer to delete another pipeline instead
    ("delete the payments pipeline", "no pipeline named 'payments'", ["web-events", "customers", "orders"], None),
])
def test_names_that_do_not_exist_run_nothing(text: str, reason: str, closest: list[str], first: str | None) -> None:
    reading = nl.read(text, WORLD)
    assert (reading.status, reading.command, reading.reason, reading.closest) == (nl.MISSING, None, reason, closest)
    assert (reading.alternatives[0] if reading.alternatives else None) == first


@pytest.mark.parametrize(("text", "expected"), [
    ("create a pipeline called payments", "pipeline create payments"),  # a new name is fine
    ("add a profile named qa", "profile create qa"),
    ("start orders", "pipeline start orders"),
    ("start the odrers pipeline", "pipeline start orders"),  # a typo of a name that exists
])
def test_new_and_existing_names_still_read(text: str, expected: str) -> None:
    assert command(text) == expected


def test_a_kind_with_no_names_says_nothing_about_a_name() -> None:
    """No pipelines known (a fresh workspace, a remote backend): the command itself will say."""
    empty = nl.World.of({"services": ["flexcore"]})
    assert command("start the payments pipeline", empty) == "pipeline start payments"
    assert nl.read("restart the kafka service", empty).reason == "no service named 'kafka'"


@pytest.mark.parametrize("text", ["clear", "reset", "empty", "flush", "purge", "wipe", "clear the screen",
                                  "wipe my screen", "remove", "delete", "clean"])
def test_a_harmless_word_alone_never_leads_to_a_destructive_command(text: str) -> None:
    from flext.router.parse import parse

    reading = nl.read(text, WORLD)
    assert reading.command is None
    for alt in reading.alternatives:
        assert not parse(shlex.split(alt.replace("TEXT", "x"))).node.destructive, alt


def test_explain_document_shape() -> None:
    doc = nl.explain(None, "start the orders pipeline", WORLD)  # type: ignore[arg-type]
    assert doc is not None
    assert doc["command"] == "pipeline start orders"
    assert doc["argv"] == ["pipeline", "start", "orders"]
    assert doc["source"] == "conversational"
    assert 0 < doc["confidence"] <= 1
    assert doc["mutating"] is True
    assert isinstance(doc["alternatives"], list)
    assert nl.explain(None, "banana", WORLD) is None  # type: ignore[arg-type]
    unclear = nl.explain(None, "stop", WORLD)  # type: ignore[arg-type]
    assert unclear is not None and unclear["command"] is None and unclear["alternatives"]


_WORDS = (
    "show list logs status start stop run restart check health healthy failed running the a of for me please "
    "orders customers flexcore billing prod staging last 50 lines hour minutes json pipeline pipelines service "
    "services profile history config secrets plugins taps what which is are everything all my state runs "
    "tail follow kill cancel halt launch trigger install enable disable use switch set "
    "gruponos algar oud sync deploy migration phase users dry run user token alert schedule meltano"
)
_HARMLESS = st.sampled_from(_WORDS.split())


@settings(max_examples=400, deadline=None)
@given(st.lists(_HARMLESS, min_size=1, max_size=7))
def test_no_destructive_command_without_a_destructive_word(words: list[str]) -> None:
    reading = nl.read(" ".join(words), WORLD)
    assert not reading.destructive
    if reading.argv:
        from flext.router.parse import parse

        assert not parse(reading.argv).node.destructive


_TEMPLATES = ("start the {} pipeline", "restart {}", "is {} up?", "show the logs of {}", "status of {}",
              "switch to the {} profile", "stop {} please", "kick off {} and orders", "tail the {} logs",
              "list pipelines on {}", "how is the {} service doing", "what is the state of {}")


def _plain(word: str) -> bool:
    """A made-up word that is no name, no word of ours and no typo of either."""
    from flext.core.suggest import similar
    from flext.router.nl import words as W
    from flext.router.nl.grammar import grammar
    from flext.router.spec import tree

    known = [*W.VERBS, *W.NOUNS, *W.STATUS, *W.HEALTH, *W.STOP, *W.NUMBERS, *W.TIME_UNITS, *W.FORMATS,
             *grammar(tree()).words, *(n for kind in nl.KINDS for n in WORLD.folded(kind))]
    return not similar(word, known, limit=2) and not any(k.startswith(word[:4]) for k in known)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_TEMPLATES), st.text(alphabet="bcdfghjklmnpqrvwxz", min_size=5, max_size=9))
def test_a_name_that_does_not_exist_never_produces_a_command(template: str, word: str) -> None:
    from hypothesis import assume

    assume(_plain(word))
    reading = nl.read(template.format(word), WORLD)
    assert reading.command is None, (template.format(word), reading)
    assert reading.status == nl.MISSING, (template.format(word), reading)


# -- one-shot free text through flext.cli ----------------------------------------------


def _profiles(flext: Callable[..., Run]) -> None:
    assert flext("profile", "create", "staging").code == 0
    assert flext("profile", "create", "dev").code == 0


def test_free_text_shows_the_command_before_running_it(flext: Callable[..., Run]) -> None:
    _profiles(flext)
    run = flext("show", "the", "staging", "profile", "-o", "json")
    assert run.code == 0, run
    assert run.err.splitlines()[0] == "→ flext profile show staging -o json"
    assert '"name": "staging"' in run.out


def test_mutating_free_text_needs_yes_without_a_terminal(flext: Callable[..., Run]) -> None:
    _profiles(flext)
    refused = flext("switch", "to", "staging")
    assert refused.code == 2
    assert "→ flext profile use staging" in refused.err
    assert "hint: pass --yes to confirm" in refused.err
    done = flext("switch", "to", "staging", "--yes")
    assert done.code == 0, done
    assert flext("profile", "show", "-o", "json").json()["name"] == "staging"  # type: ignore[index]


def test_mutating_free_text_asks_on_a_terminal(flext: Callable[..., Run]) -> None:
    _profiles(flext)
    no = flext("switch", "to", "dev", stdin="n\n", tty=True)
    assert no.code == 2
    assert "Run `flext profile use dev`? [y/N]" in no.err
    yes = flext("switch", "to", "dev", stdin="y\n", tty=True)
    assert yes.code == 0, yes


def test_destructive_free_text_always_asks_and_is_refused_without_a_terminal(flext: Callable[..., Run]) -> None:
    _profiles(flext)
    refused = flext("delete", "the", "dev", "profile", "--yes")
    assert refused.code == 2
    assert "confirmation needed and no terminal" in refused.err
    kept = flext("delete", "the", "dev", "profile", "--yes", stdin="n\n", tty=True)
    assert kept.code == 2
    assert "(it deletes data)? [y/N]" in kept.err
    assert "dev" in flext("profile", "list", "-o", "json").out
    gone = flext("delete", "the", "dev", "profile", stdin="y\n", tty=True)
    assert gone.code == 0, gone
    assert gone.err.count("[y/N]") == 1  # asked once: the command itself does not ask again
    assert '"dev"' not in flext("profile", "list", "-o", "json").out


def test_unclear_free_text_lists_candidates(flext: Callable[..., Run]) -> None:
    run = flext("stop")
    assert run.code == 2
    assert "error: not sure what 'stop' asks for" in run.err
    assert "candidates:" in run.err


@pytest.mark.parametrize("argv", [("confg", "show"), ("banana",), ("profile", "lst")])
def test_typos_and_unknown_words_keep_the_usage_error(flext: Callable[..., Run], argv: tuple[str, ...]) -> None:
    run = flext(*argv)
    assert run.code == 2
    assert "→" not in run.err
    assert run.err.startswith("error: unknown command")


def test_one_shot_names_the_missing_pipeline_and_the_closest(flext: Callable[..., Run]) -> None:
    assert flext("init").code == 0
    for name in ("orders", "invoices"):
        assert flext("pipeline", "create", name, "--tap", "tap-jsonl", "--target", "target-jsonl").code == 0
    run = flext("start", "the", "payments", "pipeline", "--yes")
    assert (run.code, run.out) == (2, "")
    assert run.err == ("error: no pipeline named 'payments'\n"
                       "hint: the closest pipelines: orders, invoices; `flext pipeline list` shows them all\n")
    assert "→" not in run.err  # nothing was shown as run, nothing ran
    explained = flext("explain", "-o", "json", "start", "the", "payments", "pipeline")
    assert explained.code == 2
    assert explained.json()["command"] is None  # type: ignore[index]


@pytest.mark.parametrize("argv", [("clear",), ("-p", "default", "clear")])
def test_clear_one_shot_is_a_word_of_the_shell(flext: Callable[..., Run], argv: tuple[str, ...]) -> None:
    run = flext(*argv)
    assert (run.code, run.out) == (2, "")
    assert run.err == ("error: `clear` is a word of the interactive shell (it clears the screen)\n"
                       "hint: start the shell with `flext shell` and type it there; here, your terminal's own "
                       "`clear` clears the screen\n")


@pytest.mark.parametrize("words", [("clear",), ("reset",), ("clear", "the", "screen"), ("empty",)])
def test_explain_clear_never_maps_to_a_destructive_command(flext: Callable[..., Run], words: tuple[str, ...]) -> None:
    from tests.nl.corpus import destructive

    run = flext("explain", "-o", "json", *words)
    doc = run.json()
    assert isinstance(doc, dict)
    assert not destructive(doc["command"])
    for alt in doc.get("alternatives") or []:
        assert not destructive(alt), alt
    assert flext("explain", "clear", "the", "history").out.startswith("flext history clear")  # asked: fine


def test_the_shell_words_are_the_shells_builtins() -> None:
    from flext.repl.builtins import BUILTINS
    from flext.router.spec.shell import SHELL_WORDS

    assert set(SHELL_WORDS) == set(BUILTINS)


def test_unknown_option_after_a_known_command_stays_a_usage_error(flext: Callable[..., Run]) -> None:
    run = flext("profile", "list", "--bogus")
    assert run.code == 2
    assert "unknown option --bogus" in run.err


# -- commands the fixed rules do not name: plugin commands, derived from the live tree ----


@pytest.fixture
def live(env: dict[str, str]) -> Iterator[Callable[[], nl.World]]:
    """Names as `flext.router.live` reports them in the isolated env, read against a fresh tree."""
    from flext.router.live import names
    from flext.router.spec import reset_tree

    reset_tree()
    yield lambda: nl.World(lambda kind: names(kind, Scope(env)))
    reset_tree()


@pytest.mark.parametrize(("text", "expected"), [
    ("show the gruponos status", "gruponos status"),
    ("what's the status of gruponos", "gruponos status"),
    ("follow the algar logs", "algar logs --follow"),
    ("show me the last 5 gruponos log lines", "gruponos logs --tail 5"),
    ("sync the users phase to oud as a dry run", "algar oud sync --phase users --dry-run"),
    ("sync oud without writing", "algar oud sync --dry-run"),
    ("deploy the full-sync-job gruponos pipeline", "gruponos pipeline deploy full-sync-job"),
    ("deploy the nightly algar pipeline for the acls phase", "algar pipeline deploy nightly --phase acls"),
    ("run the incremental-sync-job gruponos job", "gruponos run incremental-sync-job"),
    ("algar migration status please", "algar migration status"),
    ("how do i deploy a gruponos pipeline?", "help gruponos pipeline deploy"),
    # the plugins' names are still names for the fixed plugin commands
    ("disable the gruponos plugin", "plugin disable gruponos"),
    ("show info about algar", "plugin info algar"),
    # and the fixed rules still read what they read
    ("run orders", "pipeline start orders"),
    ("show the pipeline status", "pipeline status"),
])
def test_plugin_commands_are_understood(live: Callable[[], nl.World], text: str, expected: str) -> None:
    world = nl.World.of({"pipelines": ["orders"], "plugins": ["gruponos", "algar"]})
    assert command(text, world) == expected
    assert command(text, live()) == expected  # the names a fresh install has


def test_rules_are_derived_once_per_tree_from_its_commands() -> None:
    from flext.router.nl.grammar import grammar
    from flext.router.spec import Arg, Node, Opt

    def build() -> Node:
        root = Node("flext", "root")
        root.add(Node("acme", "The acme plugin", children=[
            Node("greet", "Greet someone", handler="acme:greet", args=[Arg("name", "Who")],
                 opts=[Opt("loud", "Shout", type="bool")]),
        ]))
        return root

    root = build()
    assert grammar(root) is grammar(root)
    assert grammar(build()) is not grammar(root)
    assert [node.command for _rule, node in grammar(root).derived] == ["acme greet"]
    assert nl.read("greet ada loudly with acme", nl.World.of({}), root).command == "acme greet ada"  # not `loud`
    assert nl.read("greet ada with acme, loud", nl.World.of({}), root).command == "acme greet ada --loud"
    assert nl.read("start orders", nl.World.of({}), root).command is None  # not in this tree


def test_hints_live_on_the_tree_in_the_readers_words() -> None:
    """One table: each built-in command's free-text hints sit on its node, in words the reader has."""
    from flext.router.nl import words as W
    from flext.router.nl.grammar import grammar
    from flext.router.spec import tree

    root = tree()
    verbs = {v for vs in W.VERBS.values() for v in vs} | {"runs", "state"}  # the last two: implied by nouns
    kinds = set(W.NOUNS.values())
    hinted = [node for node in root.walk() if node.hints is not None and node.plugin is None]
    assert len(hinted) >= 70
    for node in hinted:
        hints = node.hints
        assert hints is not None and node.runnable, node.command
        assert set(hints.verbs.split()) <= verbs, node.command
        assert set((hints.about + " " + hints.alone).split()) <= kinds, node.command
        for name in [*(hints.flags or {}), *(hints.opts or {})]:
            assert node.find_opt(name) is not None, f"{node.command}: no option --{name}"
        assert not hints.then or len(node.args) == 2, node.command
    fixed = {rule.path for rule, _node in grammar(root).fixed}
    assert fixed == {node.command for node in hinted}


@pytest.mark.parametrize("text", ["delete the gruponos logs", "stop gruponos", "run gruponos", "gruponos"])
def test_plugin_words_alone_or_with_another_action_run_nothing(live: Callable[[], nl.World], text: str) -> None:
    assert command(text, live()) is None


def test_a_disabled_plugin_is_no_longer_understood(flext: Callable[..., Run], live: Callable[[], nl.World]) -> None:
    assert command("show the gruponos status", live()) == "gruponos status"
    assert flext("plugin", "disable", "gruponos").code == 0
    from flext.router.spec import reset_tree

    reset_tree()
    for text in ("show the gruponos status", "follow the gruponos logs", "deploy the full-sync-job gruponos pipeline"):
        got = command(text, live())
        assert got is None or not got.startswith("gruponos"), got
    assert command("follow the algar logs", live()) == "algar logs --follow"  # the other plugin is still there
    run = flext("show", "the", "gruponos", "status")
    assert "→ flext gruponos" not in run.err
    assert flext("plugin", "enable", "gruponos").code == 0
    reset_tree()
    assert command("show the gruponos status", live()) == "gruponos status"


_ACME = '''\
name = "acme"
version = "1.0.0"
description = "The acme test plugin"
requires = []

[commands."acme invoice send"]
entry = "acme_plugin:greet"
help = "Send an invoice to the customer"
args = [{ name = "invoice", help = "The invoice id" }]
options = [
  { name = "channel", help = "How to send it", choices = ["email", "fax", "post"] },
  { name = "draft", type = "bool", help = "Keep it as a draft" },
]
hints = { verbs = ["mail"], about = ["bill"] }
'''


def test_a_plugin_installed_from_a_folder_is_understood(flext: Callable[..., Run], live: Callable[[], nl.World],
                                                        tmp_path: Path) -> None:
    from flext.router.nl.grammar import grammar
    from flext.router.spec import tree
    from tests.plugins._make import plugin_folder

    folder = plugin_folder(tmp_path, "acme")
    (folder / "flext-plugin.toml").write_text(_ACME)
    text = "send the march invoice by fax with acme as a draft"
    assert command(text, live()) is None
    assert flext("plugin", "install", str(folder)).code == 0
    from flext.router.spec import reset_tree

    reset_tree()
    assert not any(rule.path.startswith("acme") for rule, _node in grammar(tree()).fixed)  # derived from its words
    assert command(text, live()) == "acme invoice send march --channel fax --draft"
    assert command("send invoice 1234 with acme", live()) == "acme invoice send 1234"
    # the manifest's own words: `mail` for send, `bill` for invoice
    assert command("mail the march bill by fax with acme", live()) == "acme invoice send march --channel fax"
    run = flext(*text.split(), "-o", "json", "--yes")
    assert run.code == 0, run
    assert run.err.splitlines()[0] == "→ flext acme invoice send march --channel fax --draft -o json --yes"
    assert run.json() == {"plugin": "acme", "version": "1.0.0", "argv": ["march", "--channel=fax", "--draft"]}


def test_one_shot_free_text_reaches_a_plugin_command(flext_proc: Callable[..., Run]) -> None:
    run = flext_proc("show", "the", "gruponos", "status")
    assert run.err.splitlines()[0] == "→ flext gruponos status"
    assert run.err.splitlines()[1] == "error: no Meltano project here (no meltano.yml in this folder or above)"
    assert run.code == 6  # gruponos status itself ran, in a folder with no project
