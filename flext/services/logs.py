"""Log sources (pipelines' run logs and supervised services' logs), search, tail, follow.

Search streams each file in large blocks and looks for the query's bytes first; only a
line that contains them is parsed as JSON and checked field by field, so a rare term
in a large log costs little more than reading it. `--since` seeks with a binary search
on the line timestamps (logs are appended in time order), and a whole file outside the
time window is skipped after reading its first and last line.
"""

from __future__ import annotations

import heapq
import os
import re
import time

from flext.core.errors import NotFound
from flext.services.logfile import LEVELS, Follower, decode, rotated, tail_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from flext.core.context import Context

CHUNK = 1024 * 1024  # fits in cache: the find runs over bytes just read
FIELDS = ["ts", "source", "stream", "level", "run_id", "message"]


class Source:
    """A named stream of log lines: one pipeline's run logs, or one service's log file."""

    __slots__ = ("folder", "kind", "name", "path")

    def __init__(self, name: str, kind: str, *, path: str | None = None, folder: str | None = None) -> None:
        self.name = name
        self.kind = kind  # pipeline | service
        self.path = path  # a service's live log file (rotated copies beside it)
        self.folder = folder  # a pipeline's runs folder

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"

    def files(self) -> list[str]:
        """Every file of this source, oldest first."""
        if self.path is not None:
            return rotated(self.path)
        assert self.folder is not None
        try:
            names = sorted(n for n in os.listdir(self.folder) if n.endswith(".log") and not n.startswith("."))
        except OSError:
            return []
        return [os.path.join(self.folder, n) for n in names]


def sources(ctx: Context) -> list[Source]:
    """Every source with something to read, services first, each group sorted by name."""
    from flext.services import registry, supervisor, workspace

    out: list[Source] = []
    for service in registry.load(ctx, include_disabled=True).values():
        path = supervisor.log_path(ctx, service)
        if rotated(path):
            out.append(Source(service.name, "service", path=path))
    ws = workspace.find(ctx)
    for name in workspace.pipelines(ws):
        src = Source(name, "pipeline", folder=os.path.join(workspace.runs_dir(ws), name))
        if src.files():
            out.append(src)
    return out


def resolve(ctx: Context, names: list[str], *, known: list[Source] | None = None) -> list[Source]:
    """Sources by name (`orders`, `service:flexcore`, `pipeline:orders`); NotFound with a guess."""
    available = known if known is not None else sources(ctx)
    found: list[Source] = []
    for name in names:
        kind, _, bare = name.partition(":") if ":" in name else ("", "", name)
        matches = [s for s in available if s.name == bare and (not kind or s.kind == kind)]
        if not matches:
            if not kind:
                matches = _registered_service(ctx, bare)
            if not matches:
                from flext.core.suggest import closest

                guess = closest(bare, [s.name for s in available])
                raise NotFound(f"no logs for {name!r}",
                               hint=f"did you mean {guess!r}?" if guess else "sources are pipelines with runs and services "
                               "with log files; see `flext logs tail --help`")
        for m in matches:
            if all(m is not f for f in found):
                found.append(m)
    return found


def _registered_service(ctx: Context, name: str) -> list[Source]:
    """A registered service without a log file yet: follow it anyway (it may start)."""
    from flext.services import registry, supervisor

    service = registry.load(ctx, include_disabled=True).get(name)
    if service is None:
        return []
    return [Source(service.name, "service", path=supervisor.log_path(ctx, service))]


class Filter:
    """What a line must satisfy. Text matches the message or the run id."""

    def __init__(self, query: str | None = None, *, regex: bool = False, ignore_case: bool = False,
                 since: str | None = None, until: str | None = None, level: str | None = None,
                 streams: list[str] | None = None) -> None:
        self.query = query or None
        self.regex: re.Pattern[str] | None = None
        self.ignore_case = ignore_case
        if query and regex:
            self.regex = re.compile(query, re.IGNORECASE if ignore_case else 0)
        self.since = since
        self.until = until
        self.min_level = LEVELS[level] if level else None
        self.streams = set(streams or [])
        self.fold = False
        self.needle = self._needle()

    def _needle(self) -> Callable[[bytes, int, int], int] | None:
        """A bytes finder every matching raw line must contain, when one is safe to use."""
        q = self.query
        if not q or self.regex is not None or not q.isascii() or not q.isprintable() or '"' in q or "\\" in q:
            return None
        raw = q.encode()
        if self.ignore_case:
            self.fold = True  # raw_lines lower-cases each block (ASCII only, same length)
            raw = raw.lower()
        return lambda buf, start, end: buf.find(raw, start, end)

    def text_ok(self, line: dict[str, Any]) -> bool:
        if self.query is None:
            return True
        message = str(line.get("message") or "")
        run_id = str(line.get("run_id") or "")
        if self.regex is not None:
            return bool(self.regex.search(message) or self.regex.search(run_id))
        if self.ignore_case:
            q = self.query.lower()
            return q in message.lower() or q in run_id.lower()
        return self.query in message or self.query in run_id

    def ok(self, line: dict[str, Any]) -> bool:
        ts = line.get("ts")
        if self.since is not None and (ts is None or ts < self.since):
            return False
        if self.until is not None and (ts is None or ts > self.until):
            return False
        if self.min_level is not None and LEVELS.get(line.get("level") or "", -1) < self.min_level:
            return False
        if self.streams and line.get("source") not in self.streams:
            return False
        return self.text_ok(line)


def row(source: Source, line: dict[str, Any]) -> dict[str, Any]:
    return {"ts": line.get("ts"), "source": source.name, "stream": line.get("source"), "level": line.get("level"),
            "run_id": line.get("run_id"), "message": line.get("message")}


def _first_ts(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            first = fh.readline(1 << 20)
    except OSError:
        return None
    return decode(first).get("ts") if first.endswith(b"\n") else None


def _last_ts(path: str) -> str | None:
    last = tail_lines(path, 1)
    return decode(last[0]).get("ts") if last else None


def _seek_since(fh: Any, size: int, since: str) -> int:
    """Offset of a line at or before the first line with ts >= since (binary search)."""
    lo, hi = 0, size
    while hi - lo > 256 * 1024:
        mid = (lo + hi) // 2
        fh.seek(mid)
        fh.readline()
        probe = fh.readline(1 << 20)
        ts = decode(probe).get("ts") if probe.endswith(b"\n") else None
        if ts is None:
            return lo  # no timestamps here: read everything from lo
        if ts < since:
            lo = mid
        else:
            hi = mid
    if lo:
        fh.seek(lo)
        fh.readline()
        return int(fh.tell())
    return 0


def raw_lines(path: str, flt: Filter) -> Iterator[bytes]:
    """Candidate raw lines of one file (complete lines only), prefiltered by bytes."""
    if flt.since is not None or flt.until is not None:
        last, first = _last_ts(path), _first_ts(path)
        if flt.since is not None and last is not None and last < flt.since:
            return
        if flt.until is not None and first is not None and first > flt.until:
            return
    try:
        fh = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the with below
    except OSError:
        return
    with fh:
        size = os.fstat(fh.fileno()).st_size
        start = _seek_since(fh, size, flt.since) if flt.since is not None and size > 256 * 1024 else 0
        fh.seek(start)
        find = flt.needle
        carry = b""
        while True:
            block = fh.read(CHUNK)
            if not block:
                return  # a torn last line (no newline yet) is left for the next read
            buf = carry + block if carry else block
            end = buf.rfind(b"\n")
            if end < 0:
                carry = buf
                continue
            carry = buf[end + 1 :]
            if find is None:
                yield from buf[: end + 1].splitlines()
                continue
            hay = buf.lower() if flt.fold else buf
            pos = 0
            while True:
                hit = find(hay, pos, end)
                if hit < 0:
                    break
                begin = buf.rfind(b"\n", 0, hit) + 1
                stop = buf.find(b"\n", hit)
                yield buf[begin:stop]
                pos = stop + 1


def scan(source: Source, flt: Filter) -> Iterator[dict[str, Any]]:
    """Matching rows of one source, in file order."""
    for path in source.files():
        for raw in raw_lines(path, flt):
            if not raw.strip():
                continue
            line = decode(raw)
            if flt.ok(line):
                yield row(source, line)


def _key(r: dict[str, Any]) -> str:
    return r.get("ts") or ""


def search(srcs: list[Source], flt: Filter) -> Iterator[dict[str, Any]]:
    """Matching rows of every source, merged in time order."""
    if len(srcs) == 1:
        return scan(srcs[0], flt)
    return heapq.merge(*(scan(s, flt) for s in srcs), key=_key)


def tail(srcs: list[Source], count: int, flt: Filter | None = None,
         ends: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The last `count` lines of each source (across its files), merged in time order.

    `ends` stops a file at an offset: where a follower started, so that nothing written
    meanwhile is lost or printed twice."""
    per_source: list[list[dict[str, Any]]] = []
    for source in srcs:
        got: list[dict[str, Any]] = []
        for path in reversed(source.files()):
            need = count - len(got)
            if need <= 0:
                break
            want = need if flt is None else max(need * 4, 200)
            lines = [decode(raw) for raw in tail_lines(path, want, (ends or {}).get(path))]
            rows = [row(source, ln) for ln in lines if flt is None or flt.ok(ln)]
            got = rows[-need:] + got
        per_source.append(got[-count:] if count else [])
    return list(heapq.merge(*per_source, key=_key))


class SourceFollower:
    """New lines of one source: a service's file across rotation, or a pipeline's newest run log."""

    def __init__(self, source: Source) -> None:
        self.source = source
        files = source.files()
        if source.path is not None:
            self.current = source.path
        else:
            self.current = files[-1] if files else ""
        self.follower = Follower(self.current) if self.current else None

    def ends(self) -> dict[str, int]:
        return {self.current: self.follower.position} if self.follower is not None else {}

    def poll(self) -> list[dict[str, Any]]:
        out: list[bytes] = []
        if self.follower is not None:
            out.extend(self.follower.poll())
        if self.source.path is None:
            files = self.source.files()
            newer = [f for f in files if f > self.current]
            for path in newer:
                if self.follower is not None:
                    out.extend(self.follower.poll())
                    self.follower.close()
                self.current = path
                self.follower = Follower(path, from_end=False)
                out.extend(self.follower.poll())
        return [row(self.source, decode(raw)) for raw in out if raw.strip()]

    def close(self) -> None:
        if self.follower is not None:
            self.follower.close()


def follow(srcs: list[Source], flt: Filter | None = None, *, interval: float = 0.2,
           stop: Callable[[], bool] | None = None,
           followers: list[SourceFollower] | None = None) -> Iterator[dict[str, Any]]:
    """Rows as they are written, until `stop()` (or Ctrl-C)."""
    followers = followers if followers is not None else [SourceFollower(s) for s in srcs]
    try:
        while stop is None or not stop():
            batch: list[dict[str, Any]] = []
            for f in followers:
                batch.extend(r for r in f.poll() if flt is None or flt.ok(_as_line(r)))
            if batch:
                batch.sort(key=_key)
                yield from batch
            else:
                time.sleep(interval)
    finally:
        for f in followers:
            f.close()


def _as_line(r: dict[str, Any]) -> dict[str, Any]:
    return {"ts": r["ts"], "level": r["level"], "source": r["stream"], "run_id": r["run_id"], "message": r["message"]}


def count(srcs: list[Source], flt: Filter) -> int:
    """How many lines match, without building rows or merging."""
    ok = flt.ok
    total = 0
    for source in srcs:
        for path in source.files():
            for raw in raw_lines(path, flt):
                if raw.strip() and ok(decode(raw)):
                    total += 1
    return total


__all__ = ["FIELDS", "Filter", "Source", "SourceFollower", "count", "follow", "resolve", "search", "sources", "tail"]
