"""Replace a file by rename, durably (fsync) or not.

Every engine file is replaced whole via a temp file and `os.replace`, so a kill never
leaves a torn one. `durable=True` (final run records, STATE) also fsyncs the data and
the directory, so a power cut cannot either; intermediate progress records and the
names index skip the fsync: they are rewritten moments later, and fsync is most of a
short run's fixed cost.
"""

from __future__ import annotations

import os


def replace(path: str, data: str | bytes, mode: int = 0o600, *, durable: bool = True) -> None:
    if durable:
        from flext.core.fsutil import atomic_write

        atomic_write(path, data, mode)
        return
    raw = data.encode("utf-8") if isinstance(data, str) else data
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view):]
    except BaseException:
        os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    os.close(fd)
    os.replace(tmp, path)


__all__ = ["replace"]
