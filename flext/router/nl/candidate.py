"""One rule applied to one line: the command it would run, and the options the slots give it.

`options` turns the slots of the text (`last 50 lines`, `in the last hour`, `failed`,
`as json`) into the options the chosen command has (`--tail 50`, `--since 1h`,
`--status failed`, `-o json`), and scores what the command can and cannot take.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.router.nl.rules import Rule
    from flext.router.nl.slots import Slots
    from flext.router.spec import Node

__all__ = ["Candidate", "options"]


class Candidate:
    """One rule applied to one text: its score and the command it would run."""

    __slots__ = ("argv", "complete", "destructive", "missing", "node", "rule", "score", "slots", "taken", "used_kinds")

    def __init__(self, rule: Rule, node: Node, slots: Slots) -> None:
        self.rule = rule
        self.node = node
        self.score = rule.prior
        self.argv: list[str] = rule.path.split()
        self.complete = True
        self.destructive = node.destructive
        self.slots = slots.copy()  # a rule may take a slot's word as a value (`set output to json`)
        self.taken: set[int] = set()  # token indexes this rule used as values
        self.used_kinds: set[str] = set()
        self.missing: list[tuple[str, str]] = []  # (kind, word): values naming nothing that exists


def _seconds(value: str) -> str:
    from flext.core.durations import parse_duration

    number = parse_duration(value)
    return str(int(number)) if number.is_integer() else str(number)


def options(cand: Candidate, has_values: bool) -> tuple[list[str], float]:
    """(option words, score for the slots the command takes or cannot take)."""
    from flext.router.spec import BOOL, DURATION

    node, slots, rule = cand.node, cand.slots, cand.rule
    out: list[str] = []
    gain = 0.0
    asks_status = "status" in rule.implies  # `is orders failing?`: a status command answers it

    def opt(name: str) -> Any:
        return node.find_opt(name)

    def duration(o: Any, value: str) -> str:
        return value if o.type in (DURATION, "str") else _seconds(value)

    if slots.since:
        o = opt("since")
        if o is not None:
            out += ["--since", duration(o, slots.since)]
            gain += 0.5
        else:
            gain -= 1.0
    if slots.duration and not slots.since:
        o = opt("since") or opt("interval") or opt("timeout")
        if o is not None:
            out += [f"--{o.name}", duration(o, slots.duration)]
            gain += 0.5
    if slots.timeout:
        o = opt("timeout")
        if o is not None:
            out += ["--timeout", duration(o, slots.timeout)]
            gain += 0.5
        else:
            gain -= 1.0
    if slots.count is not None:
        unit = slots.count_unit
        if unit in ("lines", None) and opt("tail"):
            out += ["--tail", str(slots.count)]
            gain += 0.5
        elif unit in ("runs", "items", None) and opt("limit"):
            out += ["--limit", str(slots.count)]
            gain += 0.5
        elif not (unit == "runs" and slots.count == 1):
            gain -= 1.0
    if slots.status:
        o = opt("status")
        flag = opt(slots.status)
        if o is not None and (not o.choices or slots.status in o.choices):
            out += ["--status", slots.status]
            gain += 1.0
        elif flag is not None and flag.type == BOOL:
            out.append(f"--{flag.name}")
            gain += 0.25
        elif asks_status:
            gain += 0.5
        else:
            gain -= 1.0
    for key, name in (("follow", "follow"), ("wait", "wait"), ("full_refresh", "full-refresh"),
                      ("force", "force"), ("dry_run", "dry-run"), ("installed", "installed")):
        if getattr(slots, key):
            if opt(name):
                out.append(f"--{name}")
                gain += 0.5
            elif key not in rule.implies:  # a live dashboard follows, a plugin list is of installed ones
                gain -= 1.0
    if slots.foreground:
        gain += 2.0 if "foreground" in rule.implies else -1.0
    if slots.all:
        if rule.need == "many" and opt("all") and not has_values:
            out.append("--all")
            gain += 1.0
        elif rule.need in ("opt", ""):
            gain += 0.25
        else:
            gain -= 1.0
    if slots.url:
        o = opt("url") or opt("api-url")
        if o is not None:
            out += [f"--{o.name}", slots.url]
            gain += 0.5
        else:
            gain -= 1.0
    if slots.format:
        o = opt("format")
        if o is not None and o.choices and slots.format in o.choices:
            out += ["--format", slots.format]
        else:
            out += ["-o", slots.format]
    return out, gain


