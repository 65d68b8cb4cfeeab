"""Crash-safe file writes: temp file in the same directory, fsync, rename; and a lock.

A kill or a full disk leaves either the old file or the new one, never a torn one.
`locked(path)` serialises read-modify-write cycles of one file: lock, re-read, change,
`atomic_write`, unlock, so two writers never lose each other's change.
"""

from __future__ import annotations

import os


def atomic_write(path: str, data: bytes | str, mode: int = 0o600, *, durable: bool = True) -> None:
    """Replace `path` whole. `durable=False` skips the fsyncs: still never torn by a kill,
    but a power cut may lose it (for records rewritten moments later)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    # pid + random: threads of one process (flext serve) writing the same path never share a temp file
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if durable:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    os.close(fd)
    os.replace(tmp, path)
    if not durable:
        return
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


__all__ = ["atomic_write"]
