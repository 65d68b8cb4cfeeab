"""JSONL log files: a rotating writer, a tail reader, and a follower that survives
rotation (the file renamed away and recreated) and truncation (the file cut short).

Lines are `{"ts", "level", "source", "run_id", "message", ...}`; a line that is not
JSON (a service writing plain text to its own log file) is read as a message.
"""

from __future__ import annotations

import json
import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

LEVELS = {"trace": 0, "debug": 1, "info": 2, "notice": 2, "warning": 3, "error": 4, "critical": 5}
_ALIASES = {"warn": "warning", "err": "error", "fatal": "critical", "crit": "critical", "information": "info",
            "dbg": "debug", "panic": "critical", "severe": "error"}
POLL = 0.2


def level_name(value: Any) -> str | None:
    if value is None:
        return None
    word = str(value).strip().lower()
    return _ALIASES.get(word, word) or None


def guess_level(text: str) -> str | None:
    """A level word near the start of a plain-text line (`ERROR ...`, `[warn] ...`)."""
    head = text[:48].lower()
    for word, name in (("critical", "critical"), ("fatal", "critical"), ("error", "error"),
                       ("warning", "warning"), ("warn", "warning"), ("debug", "debug"), ("info", "info")):
        at = head.find(word)
        if at >= 0 and (at == 0 or not head[at - 1].isalpha()) and not head[at + len(word): at + len(word) + 1].isalpha():
            return name
    return None


def _loader() -> Any:
    try:
        import msgspec

        return msgspec.json.Decoder().decode  # ~4x faster than json.loads on log lines
    except ImportError:  # pragma: no cover - msgspec is a dependency
        return json.loads


_loads: Any = None
_CANONICAL_LEVELS = frozenset(LEVELS)


def decode(raw: bytes) -> dict[str, Any]:
    """One log line as a dict with at least ts, level, source, run_id, message."""
    global _loads
    text = raw.rstrip(b"\r\n")
    data: Any = None
    if text[:1] == b"{":
        if _loads is None:
            _loads = _loader()
        try:
            data = _loads(text)
        except ValueError:
            data = None
    if not isinstance(data, dict):
        plain = text.decode("utf-8", "replace")
        return {"ts": None, "level": guess_level(plain), "source": None, "run_id": None, "message": plain}
    ts = data.get("ts")
    level = data.get("level")
    message = data.get("message")
    if (isinstance(message, str) and isinstance(ts, str) and len(ts) == 24 and ts[-1] == "Z"
            and level in _CANONICAL_LEVELS and "source" in data and "run_id" in data):
        return data  # the engine's own format: nothing to normalise
    return _normalise(data)


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    from flext.core.clock import iso, normalise

    message: Any = data.get("message", data.get("msg", data.get("event")))
    if message is None:
        message = ""
    elif not isinstance(message, str):
        message = json.dumps(message, ensure_ascii=False)
    ts = data.get("ts", data.get("time", data.get("timestamp")))
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        ts = iso(float(ts))
    elif isinstance(ts, str):
        ts = normalise(ts)
    elif ts is not None:
        ts = str(ts)
    data["ts"] = ts
    data["level"] = level_name(data.get("level", data.get("severity", data.get("levelname"))))
    data.setdefault("source", None)
    data.setdefault("run_id", None)
    data["message"] = message
    return data


class Writer:
    """Append JSONL records to `path`, rotating to path.1 .. path.N above max_bytes."""

    def __init__(self, path: str, max_bytes: int, backups: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode()
        size = os.fstat(self._fd).st_size
        if size and size + len(line) > self.max_bytes:
            self.rotate()
        os.write(self._fd, line)

    def rotate(self) -> None:
        os.close(self._fd)
        if self.backups <= 0:
            os.truncate(self.path, 0)
        else:
            for n in range(self.backups - 1, 0, -1):
                older = f"{self.path}.{n}"
                if os.path.exists(older):
                    os.replace(older, f"{self.path}.{n + 1}")
            os.replace(self.path, f"{self.path}.1")
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def close(self) -> None:
        os.close(self._fd)


def rotated(path: str) -> list[str]:
    """`path` and its rotated copies, oldest first (path.3, path.2, path.1, path)."""
    folder = os.path.dirname(path) or "."
    base = os.path.basename(path)
    numbered: list[tuple[int, str]] = []
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    for name in names:
        if name.startswith(base + ".") and name[len(base) + 1:].isdigit():
            numbered.append((int(name[len(base) + 1:]), os.path.join(folder, name)))
    out = [p for _, p in sorted(numbered, reverse=True)]
    if os.path.exists(path):
        out.append(path)
    return out


def complete_end(path: str) -> int:
    """The offset just past the last complete line (a torn last line is left for later)."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError:
        return 0
    with fh:
        pos = fh.seek(0, os.SEEK_END)
        while pos > 0:
            step = min(64 * 1024, pos)
            fh.seek(pos - step)
            block = fh.read(step)
            newline = block.rfind(b"\n")
            if newline >= 0:
                return pos - step + newline + 1
            pos -= step
        return 0


def tail_lines(path: str, count: int, end: int | None = None) -> list[bytes]:
    """The last `count` complete lines of a file (before offset `end`), read from the end."""
    if count <= 0:
        return []
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError:
        return []
    with fh:
        size = fh.seek(0, os.SEEK_END)
        end = size if end is None else min(end, size)
        block = 64 * 1024
        data = b""
        pos = end
        while pos > 0 and data.count(b"\n") <= count:
            step = min(block, pos)
            pos -= step
            fh.seek(pos)
            data = fh.read(step) + data
        lines = data.split(b"\n")
        lines.pop()  # the empty piece after the last newline, or a torn last line
        if pos > 0:
            lines = lines[1:]  # the first piece may start mid-line
        return [line + b"\n" for line in lines[-count:] if line]


class Follower:
    """New complete lines of a file as they arrive; reopens on rotation, rewinds on truncation.

    Truncation is seen when the file got shorter than what was read, or when the last
    bytes read are no longer where they were (cut and rewritten past the old size
    between two polls).
    """

    def __init__(self, path: str, *, from_end: bool = True) -> None:
        self.path = path
        self._fh: Any = None
        self._ino: int | None = None
        self._pos = 0
        self._partial = b""
        self._mark = b""  # the last bytes read, to recognise a rewritten file
        self._open(from_end)

    def _open(self, from_end: bool) -> None:
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - kept open between polls, closed by close()
        except OSError:
            self._fh = None
            return
        self._fh = fh
        st = os.fstat(fh.fileno())
        self._ino = st.st_ino
        self._pos = st.st_size if from_end else 0
        fh.seek(self._pos)
        self._partial = b""
        self._mark = os.pread(fh.fileno(), min(64, self._pos), self._pos - min(64, self._pos)) if self._pos else b""

    def _drain(self) -> list[bytes]:
        if self._fh is None:
            return []
        chunk = self._fh.read()
        if not chunk:
            return []
        self._pos += len(chunk)
        self._mark = (self._mark + chunk)[-64:]
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()
        return [line + b"\n" for line in lines if line]

    def poll(self) -> list[bytes]:
        """Lines written since the last poll."""
        if self._fh is None:
            self._open(False)
            return self._drain()
        out: list[bytes] = []
        try:
            st = os.stat(self.path)
        except OSError:
            return self._drain()  # renamed away, new file not there yet: finish the old one
        if st.st_ino != self._ino:
            out.extend(self._drain())
            self._fh.close()
            self._open(False)
        elif st.st_size < self._pos or (self._mark and os.pread(
                self._fh.fileno(), len(self._mark), self._pos - len(self._mark)) != self._mark):
            self._fh.seek(0)  # truncated in place (and maybe written again)
            self._pos = 0
            self._partial = b""
            self._mark = b""
        out.extend(self._drain())
        return out

    @property
    def position(self) -> int:
        """Where the next read starts (what a tail printed before following must stop at)."""
        return self._pos

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def follow(paths: list[str], *, interval: float = POLL, stop: Any = None) -> Iterator[tuple[int, bytes]]:
    """(index of path, line) forever (until `stop()` is true), from the current ends."""
    followers = [Follower(p) for p in paths]
    try:
        while stop is None or not stop():
            got = False
            for index, f in enumerate(followers):
                for line in f.poll():
                    got = True
                    yield index, line
            if not got:
                time.sleep(interval)
    finally:
        for f in followers:
            f.close()


__all__ = ["LEVELS", "Follower", "Writer", "decode", "follow", "guess_level", "level_name", "rotated", "tail_lines"]
