"""Log lines written as they are found, in the invocation's output format.

Log commands can produce millions of lines or run forever (`-f`), so they cannot hand
one list to the output layer; this writer keeps the same formats instead: `json` is
still one JSON array (opened at the first line, closed at the end), `jsonl` one object
per line, `csv` with one header, `table`/`plain` one readable line per log line.
"""

from __future__ import annotations

import json

from flext.core.output import to_csv
from flext.services.logs import FIELDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any

    from flext.core.context import Context

_LEVEL_SGR = {"critical": "1;31", "error": "31", "warning": "33", "info": "32", "debug": "2", "trace": "2"}


class LinePrinter:
    def __init__(self, ctx: Context, fmt: str | None = None, stream: IO[str] | None = None) -> None:
        self.ctx = ctx
        self.fmt = fmt or ctx.output
        self.out = stream if stream is not None else ctx.io.stdout
        self.color = stream is None and ctx.io.color
        self.count = 0

    def emit(self, row: dict[str, Any]) -> None:
        fmt = self.fmt
        if fmt == "json":
            prefix = "[\n  " if self.count == 0 else ",\n  "
            self.out.write(prefix + json.dumps(row, ensure_ascii=False, default=str))
        elif fmt == "jsonl":
            self.out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        elif fmt == "csv":
            text = to_csv([row], FIELDS)
            self.out.write(text if self.count == 0 else text.split("\n", 1)[1])
        elif fmt == "yaml":
            from flext.core.output import to_yaml

            self.out.write(to_yaml([row]))
        else:
            self.out.write(self.text(row) + "\n")
        self.count += 1
        if self.count % 256 == 0 or fmt in ("table", "plain"):
            self.flush()

    def text(self, row: dict[str, Any]) -> str:
        if self.fmt == "plain":
            return "\t".join("" if row.get(f) is None else str(row.get(f)) for f in FIELDS)
        where = row["source"] + (f"/{row['stream']}" if row.get("stream") else "")
        level = (row.get("level") or "-").upper()
        ts = row.get("ts") or "-"
        message = str(row.get("message") or "")
        if self.color:
            level_text = f"\x1b[{_LEVEL_SGR.get(row.get('level') or '', '0')}m{level:<8}\x1b[0m"
            return f"\x1b[2m{ts}\x1b[0m \x1b[36m{where}\x1b[0m {level_text} {message}"
        return f"{ts} {where} {level:<8} {message}"

    def flush(self) -> None:
        try:
            self.out.flush()
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("[]\n" if self.count == 0 else "\n]\n")
        self.flush()


__all__ = ["LinePrinter"]
