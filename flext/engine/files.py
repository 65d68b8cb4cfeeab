"""Replace a file by rename, durably (fsync) or not.

Every engine file is replaced whole via a temp file and `os.replace`, so a kill never
leaves a torn one. `durable=True` (final run records, STATE) also fsyncs the data and
the directory, so a power cut cannot either; intermediate progress records and the
names index skip the fsync: they are rewritten moments later, and fsync is most of a
short run's fixed cost.
"""

from __future__ import annotations


def replace(path: str, data: str | bytes, mode: int = 0o600, *, durable: bool = True) -> None:
    from flext.core.fsutil import atomic_write

    atomic_write(path, data, mode, durable=durable)


__all__ = ["replace"]
