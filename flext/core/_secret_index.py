"""The secret index: which secret NAMES exist for which profile, and when each was set.

Values live only in the keyring; a keyring cannot be listed portably, so flext keeps
this JSON file (0600, replaced atomically) to power `secret list`, completion and
did-you-mean. Shape:

    {"version": 1, "profiles": {"default": {"oracle_password": {"set_at": 1732672000.0}}}}

Updates are read-modify-write under an exclusive lock on a sidecar lock file, so two
concurrent `secret set` never lose each other's names.
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from contextlib import AbstractContextManager

VERSION = 1
Index = dict[str, dict[str, dict[str, float]]]  # profile -> name -> {"set_at": ts}


def load(path: str) -> Index:
    """The index (empty when the file does not exist); ConfigError when it is corrupt."""
    import json

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        doc = json.loads(raw)
        profiles = doc["profiles"]
        if not isinstance(profiles, dict) or not all(isinstance(v, dict) for v in profiles.values()):
            raise ValueError("profiles must map names to objects")
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"the secret index {path} is damaged: {exc}",
                          hint="it holds names only: delete it, then re-add each name with `flext secret set NAME`") from None
    return {str(p): {str(n): dict(meta) if isinstance(meta, dict) else {} for n, meta in names.items()}
            for p, names in profiles.items()}


def save(path: str, index: Index) -> None:
    import json

    from flext.core.fsutil import atomic_write

    profiles = {p: dict(sorted(names.items())) for p, names in sorted(index.items()) if names}
    atomic_write(path, json.dumps({"version": VERSION, "profiles": profiles}, indent=2) + "\n", mode=0o600)


def _locked(path: str) -> AbstractContextManager[None]:
    import contextlib
    import fcntl

    @contextlib.contextmanager
    def hold() -> Iterator[None]:
        os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
        fd = os.open(path + ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    return hold()


def update(path: str, change: Callable[[Index], bool]) -> None:
    """Apply `change` to the index under the lock; write only when it returns True."""
    with _locked(path):
        index = load(path)
        if change(index):
            save(path, index)


__all__ = ["Index", "load", "save", "update"]
