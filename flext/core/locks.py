"""Advisory locks for files that several writers change (processes and threads alike).

A lock is a separate, stable file beside the one it guards (`.NAME.lock`), so it
survives the guarded file being replaced by rename. `locked(path)` serialises
read-modify-write: lock, re-read, change, replace atomically, unlock. Threads of one
process (flext serve) are serialised by flock too, because each takes its own open file
description.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator


def lock_path(path: str) -> str:
    """`/dir/.NAME.lock` for `/dir/NAME`."""
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f".{name}.lock")


@contextmanager
def locked(path: str, *, lock: str | None = None, shared: bool = False) -> Iterator[None]:
    """Hold an exclusive (or shared) lock for `path` while the block runs."""
    import fcntl

    where = lock or lock_path(path)
    os.makedirs(os.path.dirname(where), mode=0o700, exist_ok=True)
    fd = os.open(where, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


__all__ = ["lock_path", "locked"]
