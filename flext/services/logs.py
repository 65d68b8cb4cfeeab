"""Log sources (pipelines' run logs and supervised services' logs), search, tail, follow.

Search reads each file in large blocks and looks for the query's bytes first
(`bytes.find`, a lower-cased copy of the block for -i, the longest literal run of a
--regex); only a line that contains them is parsed as JSON and checked field by field,
so a rare term in a large log costs little more than reading it. `--count` with just a
query does not even parse a line whose bytes prove the match (its message string holds
the query; see `_proven`). `--since` seeks with a binary search on the line timestamps
(logs are appended in time order), and a whole file outside the time window is skipped
after reading its first and last line.
"""

from __future__ import annotations

import heapq
import os
import re
import time

from flext.core.errors import NotFound
from flext.engine.logfile import LEVELS, Follower, decode, rotated, tail_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from flext.core.context import Context

CHUNK = 4 * 1024 * 1024  # bytes per read: large enough that the per-block cost vanishes
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
    from flext.engine import runs as engine_runs
    from flext.engine.workspace import Workspace
    from flext.services import registry, supervisor

    out: list[Source] = []
    for service in registry.load(ctx, include_disabled=True).values():
        path = supervisor.log_path(ctx, service)
        if rotated(path):
            out.append(Source(service.name, "service", path=path))
    ws = Workspace(ctx.workspace_root)
    for name in engine_runs.pipelines(ws):
        src = Source(name, "pipeline", folder=ws.runs_dir(name))
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


# Characters every JSON encoder writes as themselves (never escaped): a needle made of
# them is found in the raw bytes of any line whose decoded text contains it. Left out:
# quote and backslash (always escaped), `/` (PHP writes `\/`), `<`, `>`, `&` (Go writes
# `\u003c`...), `,` and `:` (a message that is not a string is matched as json.dumps
# prints it, with a space after each separator, which the raw line may not have; for
# the same reason a needle never starts with a space), and control characters.
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%'()*+-.;=?@[]^_`{|}~")
# Letters that a non-ASCII character lowers (or, in a regex, case-folds) to: U+0130
# lowers to "i" plus a dot, U+212A (Kelvin) to "k", U+017F (long s) matches "s" under
# re.IGNORECASE. A case-insensitive needle leaves them out.
_FOLD_LOWER = frozenset("ik")
_FOLD_REGEX = frozenset("iks")
# What may follow a backslash in JSON: a query starting with one of these could begin
# inside an escape (`\n`, `\u00e9`), so a match found in the bytes is checked for that.
_ESCAPED = frozenset(b'"\\/bfnrtu')
_HEX = frozenset(b"0123456789abcdefABCDEF")


def _longest_run(text: str, allowed: frozenset[str]) -> str:
    """The longest run of `text` made of `allowed` characters, leading spaces dropped."""
    best = ""
    run: list[str] = []
    for ch in text + "\0":
        if ch in allowed:
            run.append(ch)
        else:
            candidate = "".join(run).lstrip(" ")
            if len(candidate) > len(best):
                best = candidate
            run = []
    return best


def _json_spellings(text: str) -> tuple[bytes, ...]:
    """The ways JSON writes the longest run of `text` that holds non-ASCII characters
    beside characters no encoder escapes: raw UTF-8 (`ensure_ascii=False`, Go, Rust), or
    every non-ASCII character as `\\uXXXX` (surrogate pairs past U+FFFF) in lower-case hex
    (Python, Go, JavaScript) or upper-case hex (Java). () when there is no such run.
    U+2028 and U+2029 are left out of runs: some encoders escape them even in raw mode."""
    allowed = _SAFE | {ch for ch in text if not ch.isascii() and ch not in "\u2028\u2029"}
    run = _longest_run(text, frozenset(allowed))
    if not run or run.isascii():
        return ()
    escaped = []
    for ch in run:
        code = ord(ch)
        if code < 0x80:
            escaped.append(ch)
        elif code < 0x10000:
            escaped.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    lower = "".join(escaped)
    upper = "".join(part.upper().replace("\\U", "\\u") if part.startswith("\\") else part for part in escaped)
    return tuple(dict.fromkeys((run.encode(), lower.encode(), upper.encode())))


def _regex_literal(pattern: re.Pattern[str]) -> str:
    """The longest run of plain characters every match of `pattern` contains, or ""."""
    try:
        from re import _parser  # type: ignore[attr-defined]  # the stdlib's own parser (3.11+)

        parsed = _parser.parse(pattern.pattern, pattern.flags)
        literal = _parser.LITERAL
    except Exception:  # a private API: without it, no prefilter (still exact)
        return ""
    text: list[str] = []
    for op, value in list(parsed):
        text.append(chr(value) if op is literal else "\0")  # anything else breaks the run
    return "".join(text)


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
        self.fold = False  # the needle is searched in a lower-cased copy of each block
        self.needle: bytes | None = None  # every matching raw line contains these bytes
        self.whole: bytes | None = None  # the query's own bytes, when finding them in a message proves a match
        self.spellings: tuple[bytes, ...] = ()  # instead of a needle: the JSON spellings of a non-ASCII query
        self._plan()

    def _plan(self) -> None:
        q = self.query
        if not q:
            return
        if self.regex is not None:
            folded = bool(self.regex.flags & re.IGNORECASE)
            text = _regex_literal(self.regex)
            needle = _longest_run(text.lower() if folded else text, _SAFE - _FOLD_REGEX if folded else _SAFE)
            self.fold = folded
        else:
            text = q.lower() if self.ignore_case else q
            needle = _longest_run(text, _SAFE - _FOLD_LOWER if self.ignore_case else _SAFE)
            self.fold = self.ignore_case
            if '"' not in text and "\\" not in text and text.isprintable():
                self.whole = text.encode()
        if self.regex is None and not self.ignore_case and len(needle) < 4:  # case folding outside ASCII: no
            self.spellings = _json_spellings(q)  # prefilter for -i; else a short ASCII needle yields to them
            if self.spellings:
                needle = ""
        if needle:
            self.needle = needle.lower().encode() if self.fold else needle.encode()
        else:
            self.fold = False

    @property
    def text_only(self) -> bool:
        """Nothing but the query to check (so bytes alone can prove a match)."""
        return (self.since is None and self.until is None and self.min_level is None and not self.streams
                and self.regex is None)

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


def _seek_since(fd: int, size: int, since: str) -> int:
    """Offset of a line at or before the first line with ts >= since (binary search)."""
    lo, hi = 0, size
    while hi - lo > 256 * 1024:
        mid = (lo + hi) // 2
        probe = _line_after(fd, mid, size)
        ts = decode(probe).get("ts") if probe is not None else None
        if ts is None:
            return _next_line(fd, lo, size) if lo else 0  # no timestamps here: read everything from lo
        if ts < since:
            lo = mid
        else:
            hi = mid
    return _next_line(fd, lo, size) if lo else 0


def _next_line(fd: int, offset: int, size: int) -> int:
    """Offset of the first line starting after `offset` (`size` when there is none)."""
    while offset < size:
        block = os.pread(fd, 64 * 1024, offset)
        if not block:
            return size
        at = block.find(b"\n")
        if at >= 0:
            return offset + at + 1
        offset += len(block)
    return size


def _line_after(fd: int, offset: int, size: int) -> bytes | None:
    """The first complete line starting after `offset` (at most 1 MiB), or None."""
    start = _next_line(fd, offset, size)
    block = os.pread(fd, 1 << 20, start)
    end = block.find(b"\n")
    return block[: end + 1] if end >= 0 else None


def _blocks(path: str, flt: Filter) -> Iterator[tuple[bytes, int]]:
    """(block, end) pairs covering the file's complete lines: block[:end] ends with a newline.

    Read with pread in large blocks; a line longer than a block grows the read until its
    newline. A torn last line (no newline yet) is left for the next read. The size is
    taken once: lines appended meanwhile wait for the next search, and a file cut short
    meanwhile just ends the read (no mmap: a truncated mapping would kill the process).
    """
    if flt.since is not None or flt.until is not None:
        last, first = _last_ts(path), _first_ts(path)
        if flt.since is not None and last is not None and last < flt.since:
            return
        if flt.until is not None and first is not None and first > flt.until:
            return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        size = os.fstat(fd).st_size
        offset = _seek_since(fd, size, flt.since) if flt.since is not None and size > 256 * 1024 else 0
        want = CHUNK
        while offset < size:
            block = os.pread(fd, min(want, size - offset), offset)
            if not block:
                return
            end = block.rfind(b"\n") + 1
            if not end:
                if offset + len(block) >= size:
                    return
                want *= 2  # a line longer than the block: read more of it
                continue
            want = CHUNK
            yield block, end
            offset += end
    finally:
        os.close(fd)


_KEY = b'"message":'


def _proven(buf: bytes, hay: bytes, whole: bytes, at: int, stop: int) -> bool:
    """True when the line ending at `stop`, holding a needle hit at `at`, has `whole` in its message.

    Proof from the bytes alone: the line ends with `"}`; its last `"message":` key opens a
    string that runs to that final quote with no other quote inside, so it is the last
    value of the top-level object (the final brace closes the object holding the key);
    `whole` lies in that string with no backslash just before it (`\\n` or `\\u00e9` must
    not lend the query a letter). A line that is not valid JSON is read as plain text,
    which contains the query too. Anything else is decided by parsing the line.
    """
    end = stop - 1 if buf[stop - 1] == 13 else stop  # CRLF
    if buf[end - 2 : end] != b'"}':
        return False
    key = buf.rfind(_KEY, buf.rfind(b"\n", 0, at) + 1, at)
    if key < 0:
        return False
    value = key + 10
    if buf[value] == 32:
        value += 1
    if buf[value] != 34:
        return False
    value += 1
    close = end - 2
    if buf.find(b'"', value, close) >= 0:
        return False
    hit = at if at >= value and hay.startswith(whole, at) else hay.find(whole, value, close)
    return hit >= 0 and hit + len(whole) <= close and buf.find(b"\\", max(value, hit - 5), hit) < 0


def _matching(path: str, flt: Filter) -> Iterator[dict[str, Any]]:
    """Decoded matching lines of one file, in file order; only candidate lines are parsed."""
    needle = flt.needle
    spellings = flt.spellings
    ok = flt.ok
    for buf, end in _blocks(path, flt):
        if needle is None and spellings:
            ahead = {spelling: buf.find(spelling, 0, end) for spelling in spellings}  # next hit of each
            pos = 0
            while True:
                for spelling, at in ahead.items():
                    if 0 <= at < pos:
                        ahead[spelling] = buf.find(spelling, pos, end)
                hits = [at for at in ahead.values() if at >= 0]
                if not hits:
                    break
                hit = min(hits)
                stop = buf.find(b"\n", hit)
                line = decode(buf[buf.rfind(b"\n", 0, hit) + 1 : stop])
                if ok(line):
                    yield line
                pos = stop + 1
            continue
        if needle is None:
            for raw in buf[:end].split(b"\n"):
                if raw.strip():
                    line = decode(raw)
                    if ok(line):
                        yield line
            continue
        hay = buf.lower() if flt.fold else buf
        find = hay.find
        pos = 0
        while True:
            hit = find(needle, pos, end)
            if hit < 0:
                break
            begin = buf.rfind(b"\n", 0, hit) + 1
            stop = buf.find(b"\n", hit)
            raw = buf[begin:stop]
            if raw.strip():
                line = decode(raw)
                if ok(line):
                    yield line
            pos = stop + 1


DENSE = 64  # hits in one block after which a regex takes over the search and the look ahead


def _count_file(path: str, flt: Filter) -> int:
    """Matching lines of one file. When only the query matters, a line whose bytes prove
    the match is counted without being parsed (see `_proven`, whose common case the loops
    inline: the only quote after the query ends the line as `"}`, the last quote before it
    opens the value of a `"message"` key, and the query does not start inside an escape).

    `bytes.find` finds the first hits of a block; once a block proves dense (a common
    term), one compiled regex finds the rest and checks what follows each hit in C, so
    Python does only the look back."""
    needle = flt.needle
    whole = flt.whole
    if needle is None or whole is None or not flt.text_only:
        return sum(1 for _ in _matching(path, flt))
    if needle != whole:
        return _count_general(path, flt, needle, whole)
    lead = whole[0]
    window = 5 if lead in _HEX else 1 if lead in _ESCAPED else 0  # bytes before it an escape may hold
    rest = re.compile(re.escape(needle) + rb'(?:([^"\n]*"\}\n)|[^\n]*\n)').finditer  # group 1: ends as "}
    ok = flt.ok
    total = 0
    for buf, end in _blocks(path, flt):
        hay = buf.lower() if flt.fold else buf
        find = hay.find
        rfind = hay.rfind
        starts = buf.startswith
        pos = 0
        hits = 0
        while hits < DENSE:
            hit = find(needle, pos, end)
            if hit < 0:
                pos = end
                break
            hits += 1
            stop = find(b"\n", hit)
            if buf[stop - 1] == 125 and find(b'"', hit, stop) == stop - 2:  # 125: `}`
                # unbounded, yet linear over a block: this line has a quote after the hit, so the
                # next line's look back stops at it
                quote = rfind(b'"', 0, hit)
                if (quote > 10 and (not window or (buf[hit - 1] != 92 if window == 1  # 92: backslash
                                                   else find(b"\\", max(quote, hit - window), hit) < 0))
                        and (starts(b'"message": "', quote - 11) or starts(b'"message":"', quote - 10))):
                    total += 1
                    pos = stop + 1
                    continue
            total += _settle(buf, hay, whole, hit, stop, ok)
            pos = stop + 1
        for found in rest(hay, pos, end):  # a dense block: the same tests, the first half in C
            hit = found.start()
            if found.lastindex:
                quote = rfind(b'"', 0, hit)
                if (quote > 10 and (not window or (buf[hit - 1] != 92 if window == 1
                                                   else find(b"\\", max(quote, hit - window), hit) < 0))
                        and (starts(b'"message": "', quote - 11) or starts(b'"message":"', quote - 10))):
                    total += 1
                    continue
            total += _settle(buf, hay, whole, hit, found.end() - 1, ok)
    return total


def _settle(buf: bytes, hay: bytes, whole: bytes, hit: int, stop: int, ok: Callable[[dict[str, Any]], bool]) -> int:
    """1 when the line ending at `stop` with a hit at `hit` matches (proven from its bytes,
    or parsed and checked), else 0."""
    if _proven(buf, hay, whole, hit, stop):
        return 1
    raw = buf[buf.rfind(b"\n", 0, hit) + 1 : stop]
    return 1 if raw.strip() and ok(decode(raw)) else 0


def _count_general(path: str, flt: Filter, needle: bytes, whole: bytes) -> int:
    """`_count_file` when the needle is a part of the query (-i with i or k, spaces, unicode)."""
    ok = flt.ok
    total = 0
    for buf, end in _blocks(path, flt):
        hay = buf.lower() if flt.fold else buf
        find = hay.find
        pos = 0
        while True:
            hit = find(needle, pos, end)
            if hit < 0:
                break
            stop = find(b"\n", hit)
            total += _settle(buf, hay, whole, hit, stop, ok)
            pos = stop + 1
    return total


def scan(source: Source, flt: Filter) -> Iterator[dict[str, Any]]:
    """Matching rows of one source, in file order."""
    for path in source.files():
        for line in _matching(path, flt):
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
    return sum(_count_file(path, flt) for source in srcs for path in source.files())


__all__ = ["FIELDS", "Filter", "Source", "SourceFollower", "count", "follow", "resolve", "search", "sources", "tail"]
