"""Help text rendered from the command tree (and two topics: environment, exit-codes)."""

from __future__ import annotations

from flext.router.spec import GLOBAL_OPTS, Node, Opt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.io import IO

TOPICS = {
    "environment": "Environment variables flext reads",
    "exit-codes": "What each exit code means",
    "output": "Output formats, terminals and pipes, narrow screens",
}

OUTPUT = [
    ("table", "aligned columns; on a terminal with colour and bold headers (the default)"),
    ("json", "one JSON document per command (an array or an object) with fixed field names"),
    ("jsonl", "one JSON object per line, written as rows come (`logs -f`)"),
    ("yaml", "the same document as json, as YAML"),
    ("csv", "a header line, then one line per row; lists and objects as compact JSON"),
    ("plain", "tab-separated values with no header (for cut and awk); a record as key, tab, value"),
]

ENVIRONMENT = [
    ("FLEXT_PROFILE", "profile to use (beaten by --profile)"),
    ("FLEXT_OUTPUT", "default output format: table, json, jsonl, yaml, csv, plain"),
    ("FLEXT_CONFIG_DIR", "where config.toml lives (default ~/.config/flext)"),
    ("FLEXT_DATA_DIR", "history, plugins, default workspace (default ~/.local/share/flext)"),
    ("FLEXT_STATE_DIR", "logs and audit (default ~/.local/state/flext)"),
    ("FLEXT_NO_INPUT", "never prompt (same as --no-input)"),
    ("FLEXT_NO_HISTORY", "set to 1 to record no history"),
    ("FLEXT_TOKEN", "API token for remote profiles (beats the keyring)"),
    ("FLEXT_DEBUG", "set to 1 for tracebacks (same as --debug)"),
    ("FLEXT_<KEY>", "any setting, e.g. FLEXT_API_URL, FLEXT_TIMEOUT, FLEXT_REPL__EDIT_MODE=vi"),
    ("PYTHON_KEYRING_BACKEND", "force a keyring backend class"),
    ("NO_COLOR", "never use colour"),
    ("TERM=dumb", "never use colour"),
]


def _b(io: IO | None, text: str) -> str:
    return io.style(text, "1") if io is not None else text


def _opt_line(opt: Opt) -> tuple[str, str]:
    left = opt.spelling + (f" {opt.metavar}" if not opt.flag and opt.metavar else "")
    right = opt.help
    if opt.choices:
        right += f" ({'|'.join(opt.choices)})"
    if opt.default not in (None, False, [], ()):
        right += f" [default: {opt.default}]"
    if opt.repeat and not opt.greedy:
        right += " (repeatable)"
    return left, right


def _rows(rows: list[tuple[str, str]], indent: int = 2) -> str:
    if not rows:
        return ""
    width = min(max(len(left) for left, _ in rows), 32)
    out = []
    for left, right in rows:
        if len(left) > width:
            out.append(" " * indent + left + "\n" + " " * (indent + width + 2) + right)
        else:
            out.append(" " * indent + left.ljust(width) + "  " + right)
    return "\n".join(out) + "\n"


def usage(node: Node) -> str:
    words = ["flext", *node.path]
    if node.children and not node.runnable:
        return " ".join(words) + " COMMAND [OPTIONS]"
    parts = words + [a.usage for a in node.args]
    if node.opts:
        parts.append("[OPTIONS]")
    if node.children:
        parts.append("| " + " ".join(words) + " COMMAND")
    return " ".join(parts)


def render_help(node: Node, io: IO | None = None, aliases: dict[str, str] | None = None) -> str:
    out: list[str] = []
    if node.parent is None:
        out.append(f"{node.summary}.\n")
        out.append(f"{_b(io, 'Usage:')}\n  flext COMMAND [OPTIONS]\n  flext TEXT...            free text: `flext start the orders pipeline`\n")
        groups = [c for c in node.visible_children() if c.children]
        commands = [c for c in node.visible_children() if not c.children]
        out.append(f"\n{_b(io, 'Commands:')}\n" + _rows([(c.name, c.summary) for c in commands]))
        out.append(f"\n{_b(io, 'Command groups:')}\n" + _rows([(c.name, c.summary) for c in groups]))
        if aliases:
            out.append(f"\n{_b(io, 'Aliases:')}\n" + _rows([(k, v) for k, v in sorted(aliases.items())]))
        out.append(f"\n{_b(io, 'Global options:')}\n" + _rows([_opt_line(o) for o in GLOBAL_OPTS if not o.hidden] + [("--version", "Print the version and exit")]))
        out.append(f"\n{_b(io, 'Help topics:')}\n" + _rows([(f"flext help {k}", v) for k, v in TOPICS.items()]))
        out.append(
            f"\n{_b(io, 'Examples:')}\n  flext pipeline start orders\n  flext service health\n"
            "  flext interactive\n  flext explain \"start the orders pipeline\"\n"
        )
        out.append("\nRun `flext help COMMAND` or `flext COMMAND --help` for more.\n")
        return "".join(out)
    title = f"flext {node.command}"
    out.append(f"{_b(io, title)} — {node.summary}\n")
    if node.aliases:
        out.append(f"Aliases: {', '.join(node.aliases)}\n")
    out.append(f"\n{_b(io, 'Usage:')}\n  {usage(node)}\n")
    if node.description:
        out.append("\n" + node.description.strip() + "\n")
    if node.children:
        out.append(f"\n{_b(io, 'Commands:')}\n" + _rows([(c.name, c.summary) for c in node.visible_children()]))
    if node.args:
        rows = []
        for a in node.args:
            right = a.help + (f" ({'|'.join(a.choices)})" if a.choices else "")
            if not a.required:
                right += " (optional)"
            rows.append((a.usage, right))
        out.append(f"\n{_b(io, 'Arguments:')}\n" + _rows(rows))
    visible = [o for o in node.opts if not o.hidden]
    if visible:
        out.append(f"\n{_b(io, 'Options:')}\n" + _rows([_opt_line(o) for o in visible]))
    out.append(
        f"\n{_b(io, 'Global options:')}\n  -o/--output FORMAT, -p/--profile NAME, -C/--workspace DIR, -y/--yes,\n"
        "  -q/--quiet, -v/--verbose, --no-input, --no-color, --debug (see `flext --help`)\n"
    )
    if node.destructive:
        out.append("\nThis command is destructive: it asks first on a terminal; pass --yes in scripts.\n")
    elif node.mutating:
        out.append("\nThis command changes state and is recorded in the audit log.\n")
    examples = node.examples or _group_examples(node)
    if examples:
        out.append(f"\n{_b(io, 'Examples:')}\n" + "".join(f"  {e}\n" for e in examples))
    see = list(node.see_also)
    if not see and node.parent is not None and node.parent.parent is not None:
        see = [f"flext {s.command}" for s in node.parent.visible_children() if s is not node][:4]
    if see:
        out.append(f"\n{_b(io, 'See also:')}\n  " + ", ".join(see) + "\n")
    return "".join(out)


def _group_examples(node: Node, count: int = 3) -> list[str]:
    """A group's examples: its commands' own first examples (which run as shown), never
    `flext GROUP COMMAND` of a command that needs arguments."""
    out: list[str] = []
    for child in node.visible_children():
        found = child.examples[:1] or _group_examples(child, 1)
        if not found and child.runnable and not any(a.required for a in child.args):
            found = [f"flext {child.command}"]
        out.extend(e for e in found if e not in out)
        if len(out) >= count:
            break
    return out[:count]


def render_topic(topic: str, io: IO | None = None) -> str:
    from flext.core.errors import EXIT_CODES

    if topic == "environment":
        return f"{_b(io, 'Environment variables')}\n\n" + _rows(ENVIRONMENT) + (
            "\nPrecedence: flags beat environment beat profile beat config file beat defaults.\n"
        )
    if topic == "output":
        return f"{_b(io, 'Output formats')} (-o/--output FORMAT, FLEXT_OUTPUT, or `output` in a profile)\n\n" + _rows(
            OUTPUT) + (
            "\nOn a terminal: colour (never with NO_COLOR, TERM=dumb or --no-color), no pager. A table\n"
            "wider than the terminal first leaves out its spare columns (`pipeline runs`: attempt, CPU,\n"
            "memory, trigger), then cuts prose (errors, descriptions) with \"…\"; ids, names and\n"
            "timestamps are never cut. Piped, tables keep every column and carry no escape codes;\n"
            "-o json, jsonl, yaml and csv always hold every field.\n"
            "\nMessages for people (progress, notes, `→ flext ...` for free text) go to stderr, so\n"
            "stdout stays the data: `flext pipeline runs orders -o json | jq '.[0].id'`.\n"
        )
    rows = [(str(code), text) for code, text in EXIT_CODES.items()]
    return f"{_b(io, 'Exit codes')}\n\n" + _rows(rows) + (
        "\nErrors print one `error:` line and, where it helps, one `hint:` line on stderr.\n"
        "\nOne rule for bad values: a value typed on the command line (an option such as\n"
        "`--timeout 5x` or `--schedule bogus`, an argument, the VALUE of `config set`) is a\n"
        "usage error, 2, naming the option; the same mistake read from a file (config.toml,\n"
        "flext.toml, a settings file, a saved state) is a configuration error, 5, naming the\n"
        "file, the line and the key.\n"
        "\n`pipeline status` exits 1 when the last run of a pipeline it lists failed, and says\n"
        "which on stderr; `service health` exits 1 when a service it checked is down.\n"
    )


__all__ = ["TOPICS", "render_help", "render_topic", "usage"]
