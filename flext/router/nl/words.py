"""The conversational parser's vocabulary: verbs, nouns, stop words, numbers, statuses.

Plain data, so adding a synonym is a one-word change and the rules in `rules`
stay about commands. Command words are matched exactly (inflections listed here),
never fuzzily: a typo in a command word is the parser's did-you-mean business, and
typo tolerance is kept for the names of things (pipelines, services...).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CONTRACTIONS", "DESTRUCTIVE", "FOCUS", "FORMATS", "NEGATIONS", "NOUNS", "NUMBERS", "PARTS", "PHRASES",
    "POLITE", "QUESTION", "STATUS", "STOP", "TIME_UNITS", "VERBS", "base",
]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _table(spec: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canon, words in spec.items():
        for word in words.split():
            out.setdefault(word, canon)
    return out


def _multi(spec: dict[str, str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for canon, words in spec.items():
        for word in words.split():
            out.setdefault(word, []).append(canon)
    return {k: tuple(v) for k, v in out.items()}


# word -> canonical verbs (a word may mean several: `check` is health or status)
VERBS: dict[str, tuple[str, ...]] = _multi({
    "start": "start starts started starting launch launches launched launching trigger triggers triggered "
             "kickoff execute executes executed exec begin sync resume resumes rerun rerunning boot initiate "
             "run spawn apply applies",
    "stop": "stop stops stopped stopping halt halts halted cancel cancels cancelled canceled abort aborts "
            "kill kills killed terminate terminates end interrupt suspend",
    "restart": "restart restarts restarted reboot bounce recycle reload",
    "pause": "pause pauses paused pausing",
    "resume": "resume resumes unpause",
    "list": "list lists listing ls enumerate",
    "show": "show shows showing display displays describe view see get print inspect info "
            "details detail tell give open about lookup",
    "status": "status progress doing check",
    "health": "check ping healthcheck",
    "logs": "log logs tail output stdout stderr logged printed why",
    "create": "create creates creating add adds new make define register setup",
    "delete": "delete deletes deleting remove removes rm drop destroy erase purge wipe forget",
    "clear": "clear clears reset resets flush empty wipe purge erase",
    "install": "install installs installing download fetch",
    "deploy": "deploy deploys deployed deploying redeploy publish schedule",
    "uninstall": "uninstall uninstalls",
    "enable": "enable enables activate",
    "disable": "disable disables deactivate",
    "discover": "discover discovers discovery scan detect probe",
    "search": "search searches grep find look query",
    "set": "set sets change put assign configure update",
    "unset": "unset",
    "use": "use switch choose select",
    "export": "export dump backup save",
    "validate": "validate verify lint check",
    "check": "check verify",
    "edit": "edit modify",
    "login": "login signin authenticate",
    "logout": "logout signout",
    "whoami": "whoami",
    "test": "test tests",
    "watch": "watch monitor follow",
    "serve": "serve host",
    "init": "init initialise initialize onboard bootstrap",
    "diagnose": "diagnose troubleshoot doctor debug",
    "where": "where",
    "authstatus": "loggedin",
    "help": "help explain",
    "version": "version",
})

# word -> object kind
NOUNS: dict[str, str] = _table({
    "pipeline": "pipeline pipelines pipe pipes flow flows job jobs sync syncs etl elt integration integrations "
                "dataflow dataflows workflow workflows ingestion",
    "service": "service services svc svcs server servers daemon daemons component components app apps",
    "profile": "profile profiles environment environments env envs context contexts",
    "plugin": "plugin plugins extension extensions addon addons",
    "tap": "tap taps extractor extractors source sources connector connectors",
    "target": "target targets loader loaders destination destinations sink sinks",
    "secret": "secret secrets password passwords credential credentials creds",
    "alias": "alias aliases shortcut shortcuts",
    "history": "history",
    "command": "command commands",
    "config": "config configuration configs cfg settings setting preferences conf",
    "log": "log logs logfile logfiles output messages lines",
    "run": "runs executions attempts",
    "state": "state states bookmark bookmarks checkpoint checkpoints",
    "metric": "metric metrics stats statistics",
    "schedule": "schedules cron crons timetable",
    "alert": "alert alerts alarm alarms",
    "dashboard": "dashboard overview",
    "performance": "performance perf latency throughput",
    "audit": "audit changes",
    "dbt": "dbt model models transformation transformations transform",
    "workspace": "workspace workspaces project projects",
    "token": "token tokens",
    "version": "version versions",
    "keyring": "keyring keychain vault",
    "path": "path paths location locations",
    "stream": "stream streams tables catalog schema",
    "connectivity": "connectivity connection connections network",
    "meltano": "meltano",
    "error": "error errors exception exceptions warning warnings",
    "debug": "debug diagnostics diagnostic problem problems issue issues trouble",
    "file": "file files",
    "info": "info information",
})

# nouns that take the other nouns as their object: `who changed the config` is the audit (of the
# config), `how fast are the pipelines` their performance
FOCUS = frozenset(("audit", "performance"))

# a word that says "is it alive?": service health
HEALTH = _set("health healthy unhealthy up down alive dead ok okay working reachable unreachable responding "
    "online offline fine")

# status filter words -> the value of `--status`
STATUS: dict[str, str] = _table({
    "failed": "failed failing fail fails failure failures broken errored erroring crashed unsuccessful red",
    "running": "running active ongoing executing",
    "succeeded": "succeeded successful success successfully passed green completed finished worked done",
    "cancelled": "cancelled canceled aborted interrupted",
    "never": "never",
})

# words that ask to remove or reset something: a destructive command needs one of them
DESTRUCTIVE = _set("delete deletes deleting remove removes rm drop destroy erase purge wipe forget clear clears reset "
    "resets flush empty uninstall uninstalls")

# words for a part of a pipeline's definition: `remove the schedule of orders` asks to change
# orders (pipeline edit --unset schedule), never to delete it or clear its state
PARTS: dict[str, str] = _table({  # word -> the setting `pipeline edit --unset` removes
    "schedule": "schedule schedules cron crontab", "retries": "retries retry", "timeout": "timeout timeouts",
    "transform": "transform transformation", "select": "selection",
})

NEGATIONS = _set("not no never dont don't without")

FORMATS: dict[str, str] = _table({
    "json": "json", "jsonl": "jsonl ndjson", "yaml": "yaml yml", "csv": "csv", "table": "table tabular",
    "plain": "plain text tsv",
})

QUESTION = _set("what which who whose when where why how is are was were does do did any anything has have")

# words that carry no meaning for us (and politeness)
STOP = _set("""
a an the of for to me my mine our us i you your we it its this that these those there here please pls plz
kindly thanks thank thx can could would will should shall may might must want wanna need needs like love
let lets just now right now currently current all every everything some some one ones with and or but
on in at by from into onto about as be been being am do does did have has had get got okay ok so
then also too very really quickly quick again same whatever hey hi hello yo dear mate buddy sir
what which who whose when where why how is are was were any anything something else
up out off over under please go ahead try attempt able possible going gonna wonder wondering know
flext stored store kept keep keeps located lives saved using including regarding concerning
last latest previous recent first next past newest oldest earlier previously recently lately
""")

POLITE = (
    "could you please", "would you please", "can you please", "will you please", "could you", "would you",
    "can you", "will you", "i would like to", "i'd like to", "i want to", "i need to", "i wanna",
    "please", "kindly", "go ahead and", "be so kind as to", "for me", "thank you", "thanks", "if you can",
    "if possible", "right now", "asap", "real quick", "quickly", "let us", "let's", "help me",
    "thanks in advance", "in advance",
)

CONTRACTIONS = {
    "what's": "what is", "whats": "what is", "who's": "who is", "where's": "where is", "how's": "how is",
    "that's": "that is", "there's": "there is", "it's": "it is", "isn't": "is not", "aren't": "are not",
    "wasn't": "was not", "don't": "do not", "dont": "do not", "doesn't": "does not", "didn't": "did not",
    "can't": "can not", "cannot": "can not", "won't": "will not", "i'm": "i am", "im": "i am",
    "i'd": "i would", "let's": "let us", "lets": "let us", "i've": "i have", "haven't": "have not",
    "hasn't": "has not", "what're": "what are", "who're": "who are", "shouldn't": "should not",
}

# multi-word phrases -> one canonical word (matched before single words)
PHRASES: dict[str, str] = {
    "kick off": "start", "kick-off": "start", "kicks off": "start", "kick start": "start", "spin up": "start",
    "fire up": "start", "fire off": "start", "turn on": "start", "bring up": "start", "set off": "start",
    "get going": "start", "run again": "rerun", "re run": "rerun", "re-run": "rerun", "start up": "start",
    "shut down": "stop", "shutdown": "stop", "turn off": "stop", "bring down": "stop", "power off": "stop",
    "wind down": "stop", "put an end to": "stop",
    "get rid of": "delete", "throw away": "delete", "clean up": "delete", "tear down": "delete",
    "set up": "setup", "sign in": "login", "log in": "login", "log on": "login", "sign out": "logout",
    "log me in": "login", "sign me in": "login", "log me out": "logout", "sign me out": "logout",
    "am i logged in": "loggedin", "am i signed in": "loggedin", "are we logged in": "loggedin",
    "still logged in": "loggedin", "logged in as": "loggedin", "am i authenticated": "loggedin",
    "is my login": "loggedin",
    "log out": "logout", "log off": "logout", "who am i": "whoami", "who i am": "whoami",
    "who is logged in": "whoami", "who is signed in": "whoami", "who is logged on": "whoami",
    "full refresh": "fullrefresh", "full-refresh": "fullrefresh", "from scratch": "fullrefresh",
    "from the beginning": "fullrefresh", "from zero": "fullrefresh", "all over again": "fullrefresh",
    "in the foreground": "foreground", "in foreground": "foreground", "right here": "foreground",
    "and watch it": "foreground", "in the background": "background",
    "tail -f": "follow", "keep an eye on": "follow", "keep watching": "follow", "as they come": "follow",
    "as they happen": "follow", "in real time": "follow", "real time": "follow", "real-time": "follow",
    "live": "follow", "stream": "follow", "streaming": "follow", "following": "follow", "follow": "follow",
    "wait for it": "wait", "wait until": "wait", "and wait": "wait", "until it finishes": "wait",
    "until done": "wait", "until it is done": "wait", "wait for": "wait", "block until": "wait",
    "never run": "neverrun", "never ran": "neverrun", "never been run": "neverrun", "not run yet": "neverrun",
    "not yet run": "neverrun", "have not run": "neverrun", "has not run": "neverrun", "not been run": "neverrun",
    "not responding": "down", "not working": "down", "not healthy": "unhealthy", "not reachable": "down",
    "not ok": "down", "not okay": "down", "in progress": "running", "in flight": "running", "still going": "running",
    "how do i": "howto", "how can i": "howto", "how to": "howto", "how should i": "howto",
    "what can you do": "helpme", "what can i do": "helpme", "what commands": "helpme",
    "help with": "helpwith", "help me with": "helpwith", "help on": "helpwith", "help about": "helpwith",
    "help for": "helpwith", "help me on": "helpwith", "help me about": "helpwith",
    "take a look at": "show", "look at": "show", "tell me about": "show", "what is in": "show",
    "what happened": "logs", "what went wrong": "logs", "log lines": "logs", "log output": "logs",
    "output format": "output setting", "default format": "output setting", "going on": "status", "what is up with": "status", "what is happening": "status", "happening": "status",
    "go to": "use", "switch over to": "use", "change to": "use", "move to": "use", "flip to": "use",
    "who am i logged in as": "whoami", "who am i signed in as": "whoami", "what user am i": "whoami",
    "check on": "status", "how is": "status", "how are": "status", "what is the status": "status",
    "how did": "howdid did",
    "how fast": "performance", "how slow": "performance", "how quick": "performance", "how quickly": "performance",
    "how long": "performance", "how busy": "performance",
    "what's the status": "status", "status of": "status",
    "run history": "runs", "previous runs": "runs", "recent runs": "runs", "past runs": "runs",
    "last runs": "runs", "latest runs": "runs", "run list": "runs",
    "how many records": "runs", "how many rows": "runs", "records loaded": "runs", "rows loaded": "runs",
    "command history": "history", "commands i ran": "history", "commands i typed": "history",
    "what did i run": "history", "what did i do": "history", "i ran": "history", "did i run": "history",
    "did i type": "history", "i typed": "history", "have i typed": "history", "i entered": "history",
    "audit log": "audit", "audit trail": "audit", "who changed": "audit", "what changed": "audit",
    "is everything": "everything", "everything ok": "everything", "all good": "everything",
    "api token": "token", "access token": "token",
    "up and running": "healthy", "up or down": "healthy", "health check": "healthcheck",
    "make sure": "check", "double check": "check",
    "dry run": "dryrun", "dry-run": "dryrun", "without writing": "dryrun", "without writing anything": "dryrun",
    "without changing anything": "dryrun", "without making changes": "dryrun", "without making any changes": "dryrun",
    "without applying": "dryrun", "without applying anything": "dryrun", "without touching anything": "dryrun",
    "write nothing": "dryrun", "change nothing": "dryrun", "what would change": "dryrun", "simulate": "dryrun",
    "what version": "version", "which version": "version",
    "where are": "where", "where is": "where", "where do": "where", "where does": "where",
    "am i running": "current", "are we running": "current", "am i using": "current", "am i on": "current", "am i in": "current", "is active": "current",
    "is current": "current", "is in use": "current", "i am using": "current", "i am on": "current",
    "as well": "", "at the moment": "", "for a moment": "", "right away": "", "if you would": "",
    "all of them": "all", "every one": "all", "each of": "all", "all the": "all",
}

def base(word: str, table: dict[str, Any]) -> str | None:
    """The word of `table` an inflected `word` comes from, when it is not in it itself.

    Verbs by -ing and -ed (`adding` -> `add`, `making` -> `make`, `stopped` -> `stop`),
    nouns by a plural -s/-es, statuses by a missing -ed (`succeed` -> `succeeded`); so the
    tables list the common forms and the rest follows.
    """
    if word in table:
        return word
    cuts = (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("d", ""), ("es", ""), ("s", ""))
    for cut, add in cuts:
        if not word.endswith(cut) or len(word) - len(cut) < 3:
            continue
        stem = word[: -len(cut)] + add
        if stem in table:
            return stem
        if not add and cut in ("ing", "ed") and len(stem) >= 4 and stem[-1] == stem[-2] and stem[:-1] in table:
            return stem[:-1]  # `adding`, `stopped`
    for add in ("ed", "d"):
        if word + add in table:
            return word + add
    return None


NUMBERS: dict[str, int] = {
    "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "couple": 2, "three": 3, "few": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100,
    "thousand": 1000, "dozen": 12, "half": 0,
}

# time words -> duration unit letter
TIME_UNITS: dict[str, str] = _table({
    "s": "s sec secs second seconds",
    "m": "m min mins minute minutes",
    "h": "h hr hrs hour hours",
    "d": "d day days",
    "w": "w wk wks week weeks",
})
