"""flext.core.jsonl: one-write appends under a lock, torn lines, full disk, rotation, real processes."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from flext.core import jsonl

ROOT = Path(__file__).resolve().parents[2]


def _records(path: Path) -> list[dict[str, Any]]:
    return list(jsonl.read(str(path)))


def _line(record: dict[str, object]) -> bytes:
    return jsonl.encode(record)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


# -- appending and reading ---------------------------------------------------


def test_append_creates_dirs_and_file_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "store.jsonl"
    old = os.umask(0o022)
    try:
        jsonl.append(str(path), {"n": 1})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == b'{"n":1}\n'
    assert _records(path) == [{"n": 1}]


def test_append_tightens_a_loose_mode(tmp_path: Path) -> None:
    path = tmp_path / "store.jsonl"
    path.write_bytes(b'{"n":1}\n')
    path.chmod(0o644)
    jsonl.append(str(path), {"n": 2})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _records(path) == [{"n": 1}, {"n": 2}]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"line": "ünïcode ✓"}, '{"line":"ünïcode ✓"}\n'.encode()),
        ({"line": "a\nb"}, b'{"line":"a\\nb"}\n'),
        ({"line": "bad \udcff byte"}, b'{"line":"bad \\udcff byte"}\n'),  # undecodable argv
        ({"n": 1, "none": None}, b'{"n":1,"none":null}\n'),
    ],
)
def test_encode_is_one_line(record: dict[str, object], expected: bytes) -> None:
    assert jsonl.encode(record) == expected
    assert expected.count(b"\n") == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", []),
        (b'{"n":1}\n{"n":2}\n', [1, 2]),
        (b'{"n":1}\n{"n":2', [1]),  # torn last line
        (b'{"n":1}\n{"n":2}', [1]),  # complete JSON but no newline: still being written
        (b'{"n":1}\n{"n\n{"n":3}\n', [1, 3]),  # an isolated torn line in the middle
        (b'{"n":1}\nnot json\n[1,2]\n"s"\n{"n":5}\n', [1, 5]),  # corrupt and non-object lines
        (b'{"n":1}\n\xff\xfe\n{"n":3}\n', [1, 3]),  # invalid UTF-8
        (b'\n\n{"n":1}\n', [1]),
    ],
)
def test_read_skips_torn_and_corrupt_lines(tmp_path: Path, content: bytes, expected: list[int]) -> None:
    path = tmp_path / "store.jsonl"
    path.write_bytes(content)
    assert [r["n"] for r in _records(path)] == expected


def test_read_missing_file_is_empty(tmp_path: Path) -> None:
    assert _records(tmp_path / "nope.jsonl") == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"", b'{"n":9}\n'),
        (b'{"n":1}\n', b'{"n":1}\n{"n":9}\n'),
        # a torn last line gets its own line, so the new record is not glued onto it
        (b'{"n":1}\n{"n":', b'{"n":1}\n{"n":\n{"n":9}\n'),
        (b'{"n', b'{"n\n{"n":9}\n'),
    ],
)
def test_append_after_torn_line(tmp_path: Path, before: bytes, after: bytes) -> None:
    path = tmp_path / "store.jsonl"
    if before:
        path.write_bytes(before)
    jsonl.append(str(path), {"n": 9})
    assert path.read_bytes() == after
    assert _records(path)[-1] == {"n": 9}


def test_clear_empties_under_lock_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "store.jsonl"
    assert jsonl.clear(str(path)) == 0
    for n in range(3):
        jsonl.append(str(path), {"n": n})
    assert jsonl.clear(str(path)) == 3
    assert path.read_bytes() == b""
    jsonl.append(str(path), {"n": 7})
    assert _records(path) == [{"n": 7}]


# -- full disk -----------------------------------------------------------------


def _half_then_short(real: object) -> object:
    def write(fd: int, data: bytes) -> int:
        return real(fd, bytes(data)[: len(data) // 2])  # type: ignore[operator, no-any-return]

    return write


def _half_then_enospc(real: object) -> object:
    def write(fd: int, data: bytes) -> int:
        real(fd, bytes(data)[: len(data) // 2])  # type: ignore[operator]
        raise OSError(errno.ENOSPC, "No space left on device")

    return write


def _nothing_enospc(real: object) -> object:
    def write(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    return write


@pytest.mark.parametrize("fault", [_half_then_short, _half_then_enospc, _nothing_enospc])
@pytest.mark.parametrize("before", [b"", b'{"n":1}\n{"n":2}\n', b'{"n":1}\n{"n":'])
def test_full_disk_leaves_the_file_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: object, before: bytes
) -> None:
    path = tmp_path / "store.jsonl"
    path.write_bytes(before)
    real = os.write
    monkeypatch.setattr(os, "write", fault(real))  # type: ignore[operator]
    with pytest.raises(OSError) as info:
        jsonl.append(str(path), {"n": 3, "pad": "x" * 100})
    monkeypatch.setattr(os, "write", real)
    assert info.value.errno == errno.ENOSPC
    assert path.read_bytes() == before
    jsonl.append(str(path), {"n": 4})  # and the store still works once there is room
    assert _records(path)[-1] == {"n": 4}


def test_full_disk_during_rotation_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.jsonl"
    for n in range(10):
        jsonl.append(str(path), {"n": n}, max_bytes=10_000)
    before = path.read_bytes()
    real = os.write
    monkeypatch.setattr(os, "write", _nothing_enospc(real))
    with pytest.raises(OSError):
        jsonl.append(str(path), {"n": 10}, max_bytes=len(before))
    monkeypatch.setattr(os, "write", real)
    assert path.read_bytes() == before
    assert not (tmp_path / "store.jsonl.rotate").exists()


# -- rotation ------------------------------------------------------------------


def test_rotation_keeps_the_newest_half_in_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "store.jsonl"
    size = len(_line({"n": 0, "p": "xxxxxxxxxx"}))  # every record below has this size
    for n in range(10):
        jsonl.append(str(path), {"n": n, "p": "xxxxxxxxxx"}, max_bytes=10 * size)
    assert [r["n"] for r in _records(path)] == list(range(10))
    jsonl.append(str(path), {"n": 10, "p": "xxxxxxxxxx"}, max_bytes=10 * size)
    assert [r["n"] for r in _records(path)] == [5, 6, 7, 8, 9, 10]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rotation_cuts_a_partial_first_line(tmp_path: Path) -> None:
    path = tmp_path / "store.jsonl"
    for n in range(10):
        jsonl.append(str(path), {"n": n, "p": "y" * n})
    total = path.stat().st_size
    jsonl.append(str(path), {"n": 10}, max_bytes=total)
    kept = [r["n"] for r in _records(path)]
    assert kept == list(range(kept[0], 11))
    assert path.stat().st_size <= total // 2 + len(_line({"n": 10}))
    assert all(line.startswith(b"{") for line in path.read_bytes().splitlines())


def test_a_record_bigger_than_max_bytes_is_still_written(tmp_path: Path) -> None:
    path = tmp_path / "store.jsonl"
    jsonl.append(str(path), {"n": 1}, max_bytes=50)
    jsonl.append(str(path), {"n": 2, "p": "z" * 200}, max_bytes=50)  # rotates once, then writes
    assert _records(path) == [{"n": 1}, {"n": 2, "p": "z" * 200}]
    jsonl.append(str(path), {"n": 3}, max_bytes=50)  # the newest 25 bytes hold no whole line
    assert _records(path) == [{"n": 3}]


def test_rotation_with_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "store.jsonl"
    for n in range(10):
        jsonl.append(str(path), {"n": n})
    with open(path, "ab") as fh:
        fh.write(b'{"n":')
    jsonl.append(str(path), {"n": 99}, max_bytes=path.stat().st_size)
    data = path.read_bytes()
    assert data.endswith(b'{"n":\n{"n":99}\n')
    kept = [r["n"] for r in _records(path)]
    assert kept[-1] == 99 and kept[:-1] == list(range(kept[0], 10))


# -- real processes --------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    from flext.core import jsonl
    path, who, count, max_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    sys.stdin.readline()  # start together
    for i in range(count):
        jsonl.append(path, {"p": who, "i": i, "pad": "." * (i % 17)}, max_bytes=max_bytes)
    """
)


def test_eight_processes_append_while_rotating(tmp_path: Path) -> None:
    path = tmp_path / "store.jsonl"
    writers, count, max_bytes = 8, 2000, 24 * 1024
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(who), str(count), str(max_bytes)],
            stdin=subprocess.PIPE, env=_child_env(),
        )
        for who in range(writers)
    ]
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        proc.stdin.close()
    for proc in procs:
        assert proc.wait(timeout=300) == 0

    data = path.read_bytes()
    assert data.endswith(b"\n")
    lines = data.split(b"\n")[:-1]
    records = [json.loads(line) for line in lines]  # every line parses: none is torn
    assert len(records) == len(_records(path))
    assert len(data) <= max_bytes
    assert len(records) < writers * count  # rotation happened (many times)
    assert not (tmp_path / "store.jsonl.rotate").exists()
    by_writer: dict[int, list[int]] = {}
    for record in records:
        by_writer.setdefault(record["p"], []).append(record["i"])
    assert by_writer  # the newest records survive
    for seqs in by_writer.values():
        # rotation keeps the newest: what survives of each writer is a contiguous suffix, in order
        assert seqs == list(range(seqs[0], count))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


_LOOPER = textwrap.dedent(
    """
    import sys
    from flext.core import jsonl
    path = sys.argv[1]
    i = 0
    while True:
        jsonl.append(path, {"i": i, "pad": "-" * (i % 31)})
        i += 1
    """
)


def _wait_for_size(path: Path, size: int, proc: subprocess.Popen[bytes], deadline: float = 60.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"writer exited early with {proc.returncode}")
        try:
            if path.stat().st_size >= size:
                return
        except FileNotFoundError:
            pass
        time.sleep(0.001)
    raise AssertionError("writer made no progress")


@pytest.mark.parametrize("seed", range(5))
def test_sigkill_mid_append_keeps_every_earlier_record(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "store.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", _LOOPER, str(path)], env=_child_env())
    try:
        _wait_for_size(path, random.Random(seed).randint(2_000, 200_000), proc)  # a random moment
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    data = path.read_bytes()
    complete = data.split(b"\n")[:-1]  # a torn tail (if any) is after the last newline
    for line in complete:
        json.loads(line)
    seqs = [r["i"] for r in _records(path)]
    assert seqs == list(range(len(complete)))
    jsonl.append(str(path), {"i": "after"})
    assert [r["i"] for r in _records(path)] == [*range(len(complete)), "after"]


_TORN_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from flext.core import jsonl
    path = sys.argv[1]
    for i in range(10):
        jsonl.append(path, {"i": i})
    real = os.write
    def half_then_die(fd, data):
        real(fd, bytes(data)[: len(data) // 2])
        os.kill(os.getpid(), signal.SIGKILL)  # killed holding the lock, half a record written
    os.write = half_then_die
    jsonl.append(path, {"i": 10, "pad": "x" * 40})
    """
)


def test_killed_while_holding_the_lock_mid_write(tmp_path: Path) -> None:
    path = tmp_path / "store.jsonl"
    proc = subprocess.run([sys.executable, "-c", _TORN_WRITER, str(path)], env=_child_env(), timeout=60)
    assert proc.returncode == -signal.SIGKILL
    torn = jsonl.encode({"i": 10, "pad": "x" * 40})
    torn = torn[: len(torn) // 2]
    before = b"".join(jsonl.encode({"i": i}) for i in range(10))
    assert path.read_bytes() == before + torn
    assert [r["i"] for r in _records(path)] == list(range(10))  # torn last line skipped
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the dead writer's lock is gone
    finally:
        os.close(fd)
    jsonl.append(str(path), {"i": 11})
    assert path.read_bytes() == before + torn + b"\n" + jsonl.encode({"i": 11})
    assert [r["i"] for r in _records(path)] == [*range(10), 11]
