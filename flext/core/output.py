"""The one output layer: handlers return a Result (or plain data); this renders it.

Formats: table (rich on a terminal, aligned plain text when piped), json (one stable
document), jsonl (one object per line), yaml, csv (RFC 4180 quoting), plain (tab
separated, no header). Data goes to stdout, messages to stderr.
"""

from __future__ import annotations

from flext.core.io import OUTPUT_FORMATS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import IO as IO_
    from typing import Any

    from flext.core.io import IO

# The fields of a log line, wherever it comes from (run logs, service logs, search).
LOG_FIELDS = ["ts", "source", "stream", "level", "run_id", "message"]
_LEVEL_SGR = {"critical": "1;31", "error": "31", "warning": "33", "info": "32", "debug": "2", "trace": "2"}


def log_line(row: dict[str, Any], style: Callable[[str, str], str]) -> str:
    """A log line for people: `TS SOURCE[/STREAM] LEVEL MESSAGE`, coloured by `style`."""
    where = str(row.get("source") or "-") + (f"/{row['stream']}" if row.get("stream") else "")
    level = str(row.get("level") or "-")
    return (f"{style(str(row.get('ts') or '-'), '2')} {style(where, '36')} "
            f"{style(f'{level.upper():<8}', _LEVEL_SGR.get(level, '0'))} {row.get('message') or ''}")


class Result:
    """What a handler hands back.

    data: a list of objects (rows), one object (a record), or None.
    columns: column order for table/csv/plain (defaults to the keys of the first row).
    message: a note for humans on stderr (suppressed by --quiet).
    text: preformatted text printed for table/plain output instead of `data`.
    exit_code: non-zero for partial failure (bulk commands, health checks).
    stream: rows written as they come (log lines, `-f`): every format still holds (json
        is one array, csv one header); `line` formats a row for table output. `after` runs
        when it is done.
    empty: what a table says on stderr when there are no rows (a stream's or `data`'s),
        instead of "(no results)": what is empty and how to fill it.
    view: (rows, columns) shown by the table format instead of `data`: people's view of
        the same records (`history`: when, exit, duration), while every other format
        keeps the fixed fields.
    spare: columns a table on a terminal leaves out, the last named first, while it is
        wider than the terminal (`pipeline runs`: attempt, CPU, memory); pipes and every
        other format keep them all.
    A record (a dict) with nested tables is shown flattened (`a.b  value`) by the
    formats made of rows and columns (table, plain, csv).
    """

    __slots__ = ("after", "columns", "data", "empty", "exit_code", "line", "message", "spare", "stream", "styles",
                 "text", "view")

    def __init__(
        self,
        data: Any = None,
        *,
        columns: list[str] | None = None,
        message: str | None = None,
        text: str | None = None,
        exit_code: int = 0,
        styles: dict[str, dict[str, str]] | None = None,
        stream: Iterable[dict[str, Any]] | None = None,
        line: Callable[[dict[str, Any], Callable[[str, str], str]], str] | None = None,
        empty: str | None = None,
        after: Callable[[int], None] | None = None,
        view: tuple[list[dict[str, Any]], list[str]] | None = None,
        spare: tuple[str, ...] = (),
    ) -> None:
        self.data = data
        self.columns = columns
        self.message = message
        self.text = text
        self.exit_code = exit_code
        # styles: column -> {cell value -> rich style}, e.g. {"status": {"failed": "red"}}
        self.styles = styles or {}
        self.stream = stream
        self.line = line
        self.empty = empty
        self.after = after
        self.view = view
        self.spare = spare


def as_result(value: Any) -> Result:
    if isinstance(value, Result):
        return value
    if isinstance(value, str):
        return Result(text=value)
    return Result(data=value)


def _columns(rows: list[dict[str, Any]], columns: list[str] | None) -> list[str]:
    if columns:
        return columns
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def cell(value: Any) -> str:
    """A value as table text: None is '-', lists are comma separated."""
    if value is None:
        return "-"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value) if value else "-"
    if isinstance(value, dict):
        import json

        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _flat(value: Any) -> str:
    """A value for csv/plain: scalars as text, structures as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        import json

        return json.dumps(value, separators=(",", ":"), default=str)
    return str(value)


def to_json(data: Any, indent: int | None = 2) -> str:
    import json

    return json.dumps(data, indent=indent, ensure_ascii=False, default=str)


def to_yaml(data: Any, indent: int = 0) -> str:
    """A small, safe YAML emitter for JSON-shaped data (strings always quoted when ambiguous)."""
    pad = " " * indent
    if isinstance(data, dict):
        if not data:
            return pad + "{}\n"
        out = []
        for key, value in data.items():
            k = _yaml_scalar(str(key))
            if isinstance(value, (dict, list)) and value:
                out.append(f"{pad}{k}:\n{to_yaml(value, indent + 2)}")
            else:
                out.append(f"{pad}{k}: {_yaml_inline(value)}\n")
        return "".join(out)
    if isinstance(data, list):
        if not data:
            return pad + "[]\n"
        out = []
        for item in data:
            if isinstance(item, (dict, list)) and item:
                body = to_yaml(item, indent + 2)
                out.append(f"{pad}- {body.lstrip()}")
            else:
                out.append(f"{pad}- {_yaml_inline(item)}\n")
        return "".join(out)
    return pad + _yaml_inline(data) + "\n"


def _yaml_inline(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _yaml_scalar(str(value))


_YAML_PLAIN_UNSAFE = set(":#{}[],&*!|>'\"%@`\\\n\t")
_YAML_KEYWORDS = {"null", "true", "false", "yes", "no", "on", "off", "~", ""}


def _yaml_scalar(text: str) -> str:
    needs_quotes = (
        text.lower() in _YAML_KEYWORDS
        or any(ch in _YAML_PLAIN_UNSAFE for ch in text)
        or text != text.strip()
        or text[:1] in "-?"
        or _numeric(text)
    )
    if not needs_quotes:
        return text
    return to_json(text, indent=None)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_flat(row.get(c)) for c in columns])
    return buf.getvalue()


# Columns of prose: when a table is too wide these are cut short (with "…"), never the
# ids, names, timestamps and numbers beside them, which are useless with a piece missing.
PROSE_COLUMNS = frozenset({
    "description", "error", "detail", "details", "message", "summary", "note", "reason", "hint", "help",
    "commands", "when", "line", "last_error", "output", "text", "value",
})


TOKEN_MAX = 40  # a cell longer than this is not an id a user copies: its column may be cut too


def prose(column: str) -> bool:
    return column.lower() in PROSE_COLUMNS


def plain_table(rows: list[dict[str, Any]], columns: list[str], width: int | None = None) -> str:
    """kubectl-style aligned columns with upper-case headers, no colour. Too wide for
    `width`: prose columns are cut first (widest first), then columns too long to be ids;
    ids, names and timestamps are never cut (the line is longer instead)."""
    headers = [c.upper() for c in columns]
    table = [[cell(row.get(c)).replace("\n", " ") for c in columns] for row in rows]
    widths = [len(h) for h in headers]
    for line in table:
        for index, value in enumerate(line):
            widths[index] = max(widths[index], len(value))
    if width and sum(widths) + 2 * (len(widths) - 1) > width and len(widths) > 1:
        excess = sum(widths) + 2 * (len(widths) - 1) - width
        for pool in ([k for k, c in enumerate(columns) if prose(c)], [k for k in range(len(columns)) if widths[k] > TOKEN_MAX]):
            while excess > 0 and pool:
                widest = max(pool, key=lambda k: widths[k])
                floor = max(len(headers[widest]), 8)
                if widths[widest] <= floor:
                    pool = [k for k in pool if k != widest]
                    continue
                cut = min(excess, widths[widest] - floor)
                widths[widest] -= cut
                excess -= cut

    def fit(value: str, w: int) -> str:
        return value if len(value) <= w else value[: max(0, w - 1)] + "…"

    lines = []
    for line in [headers, *table]:
        parts = [fit(v, widths[k]).ljust(widths[k]) for k, v in enumerate(line)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def render(io: IO, result: Result, fmt: str, *, quiet: bool = False,
           redact: Callable[[str], str] | None = None) -> None:
    """Write a result to the streams of `io` in format `fmt` (a stream as it comes)."""
    if result.stream is not None:
        if result.message and not quiet:
            io.err(result.message)

        def style(text: str, code: str) -> str:
            return io.style(text, code)

        count = write_stream(io.stdout, result.stream, fmt, columns=result.columns or LOG_FIELDS,
                             line=result.line, style=style, redact=redact)
        if count == 0 and result.empty and fmt in ("table", "plain") and not quiet:
            io.err(result.empty)
        if result.after is not None:
            result.after(count)
        return
    data = result.data
    if result.message and not quiet:
        io.err(result.message)
    if data is None and result.text is None:
        return
    if fmt in ("table", "plain") and result.text is not None:
        if result.text:  # text="" means: the message on stderr says it all
            io.out(result.text, end="" if result.text.endswith("\n") else "\n")
        return
    if data is None:
        data = {"text": result.text}
    if fmt in ("table", "plain", "csv") and isinstance(data, dict):
        data = flatten(data)
    if fmt == "table" and result.view is not None:
        data = result.view[0]
        result = Result(data, columns=result.view[1], styles=result.styles, empty=result.empty)
    if fmt == "json":
        io.out(to_json(data))
    elif fmt == "jsonl":
        items = data if isinstance(data, list) else [data]
        io.out("".join(to_json(item, indent=None) + "\n" for item in items), end="")
    elif fmt == "yaml":
        io.out(to_yaml(data), end="")
    elif fmt == "csv":
        if isinstance(data, list):
            io.out(to_csv(data, _columns(data, result.columns)), end="")
        else:
            io.out(to_csv([{"key": k, "value": v} for k, v in data.items()], ["key", "value"]), end="")
    elif fmt == "plain":
        if isinstance(data, list):
            cols = _columns(data, result.columns)
            io.out("".join("\t".join(_flat(row.get(c)) for c in cols) + "\n" for row in data), end="")
        elif isinstance(data, dict):
            io.out("".join(f"{k}\t{_flat(v)}\n" for k, v in data.items()), end="")
        else:
            io.out(_flat(data))
    else:
        _table(io, result, data)


def write_stream(
    out: IO_[str],
    rows: Iterable[dict[str, Any]],
    fmt: str,
    *,
    columns: list[str],
    line: Callable[[dict[str, Any], Callable[[str, str], str]], str] | None = None,
    style: Callable[[str, str], str] | None = None,
    redact: Callable[[str], str] | None = None,
) -> int:
    """Write rows as they come, in any format, and return how many: `json` is one array
    (opened at the first row, closed however the stream ends, Ctrl-C included), `jsonl`
    one object per line, `csv` one header, `yaml` one list item per row, `plain` tab
    separated `columns`, `table` one `line(row)` per row (or the columns, aligned as they
    come). Flushed per line for people, every 256 rows for machines."""
    import json

    def plain_style(text: str, code: str) -> str:
        return text

    paint = style or plain_style
    count = 0
    try:
        for row in rows:
            if redact is not None:
                row = {k: redact(v) if isinstance(v, str) else v for k, v in row.items()}
            if fmt == "json":
                out.write(("[\n  " if count == 0 else ",\n  ") + json.dumps(row, ensure_ascii=False, default=str))
            elif fmt == "jsonl":
                out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            elif fmt == "csv":
                text = to_csv([row], columns)
                out.write(text if count == 0 else text.split("\n", 1)[1])
            elif fmt == "yaml":
                out.write(to_yaml([row]))
            elif fmt == "plain":
                out.write("\t".join(_flat(row.get(c)) for c in columns) + "\n")
            elif line is not None:
                out.write(line(row, paint) + "\n")
            else:
                out.write("  ".join(cell(row.get(c)) for c in columns) + "\n")
            count += 1
            if count % 256 == 0 or fmt in ("table", "plain"):
                _flush(out)
    finally:
        if fmt == "json":
            out.write("[]\n" if count == 0 else "\n]\n")
        elif fmt == "csv" and count == 0:
            out.write(to_csv([], columns))
        _flush(out)
    return count


def _flush(out: IO_[str]) -> None:
    try:
        out.flush()
    except (OSError, ValueError):
        pass


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as dotted keys (`repl.edit_mode`), for the formats of rows and columns."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _table(io: IO, result: Result, data: Any) -> None:
    if isinstance(data, dict):
        rows = [{"key": k, "value": v} for k, v in data.items()]
        columns = ["key", "value"]
        headers = False
    elif isinstance(data, list):
        rows = data
        columns = _columns(rows, result.columns)
        headers = True
        if not rows:
            io.err(result.empty or "(no results)")
            return
    else:
        io.out(cell(data))
        return
    if io.stdout_tty:
        _rich_table(io, rows, columns, headers, result.styles, result.spare)
        return
    if not headers:
        keyw = max((len(str(r["key"])) for r in rows), default=0)
        io.out("".join(f"{str(r['key']).ljust(keyw)}  {cell(r['value'])}\n" for r in rows), end="")
        return
    io.out(plain_table(rows, columns), end="")


def _rich_table(
    io: IO, rows: list[dict[str, Any]], columns: list[str], headers: bool, styles: dict[str, dict[str, str]],
    spare: tuple[str, ...] = (),
) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    texts = [[cell(row.get(column)) for column in columns] for row in rows]
    widest = {c: max([len(c)] + [len(line[k]) for line in texts]) for k, c in enumerate(columns)}
    # prose, and any column too long to be an id, may be cut short to fit
    cut = {column: headers and (prose(column) or widest[column] > TOKEN_MAX) for column in columns}

    def room(shown: list[str]) -> int:
        return sum(2 + (min(len(c), 8) if cut[c] else widest[c]) for c in shown) - 2

    # the room ids, names and timestamps need whole: first the spare columns go, then a
    # line longer than the terminal (which wraps it on screen, still copyable) beats an id
    # with a piece missing
    shown = list(columns)
    for column in reversed([c for c in spare if c in shown] if headers else []):
        if room(shown) <= io.width:
            break
        shown.remove(column)
    if shown != columns:
        keep = [columns.index(c) for c in shown]
        texts = [[line[k] for k in keep] for line in texts]
        columns = shown
    needed = room(columns)
    console = Console(
        file=io.stdout,
        force_terminal=io.color,
        no_color=not io.color,
        width=max(io.width, needed) if headers else io.width,
        highlight=False,
        soft_wrap=False,
        _environ=dict(io.env),
    )
    table = Table(show_header=headers, box=None, pad_edge=False, header_style="bold")
    # Too wide for the terminal: rich narrows the columns that may wrap, and only those.
    # Ids, names and timestamps never wrap (a run id cut in two cannot be copied); prose
    # columns give up the room, each cell cut to one line with "…" instead of wrapping.
    # A key/value record (`pipeline show`) wraps its values whole, as before.
    for column in columns:
        if not headers:
            table.add_column(column, overflow="fold", no_wrap=column == "key")
        else:
            table.add_column(column.upper(), no_wrap=not cut[column], overflow="ellipsis",
                             min_width=min(len(column), 8) if cut[column] else None)
    for line in texts:
        cells = []
        for column, text in zip(columns, line, strict=True):
            style = styles.get(column, {}).get(text, "")
            if cut[column]:
                cells.append(Text(text.replace("\n", " "), style=style, no_wrap=True, overflow="ellipsis"))
            else:
                cells.append(Text(text, style=style))
        table.add_row(*cells)
    console.print(table)


__all__ = ["LOG_FIELDS", "OUTPUT_FORMATS", "PROSE_COLUMNS", "Result", "as_result", "cell", "log_line", "plain_table", "prose", "render", "to_csv", "to_json", "to_yaml", "write_stream"]
