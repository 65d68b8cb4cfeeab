"""Tap/target settings: merged from flext.toml and files, resolved only at run time.

`secret:NAME` values go through the secret store and `${VAR}` through the environment
at the moment a run starts; the result reaches the plugin through memory (`handover`:
a memfd named `/proc/self/fd/N`) or, where that is not possible, a 0600 file in the run's
private directory, removed when the run ends or, if it dies, at the next start. Nothing
resolved ever reaches argv, flext.toml, the run record or the log (the store remembers
values for masking).
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError, FlextError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from flext.engine.workspace import Workspace


def raw_config(ws: Workspace, spec: dict[str, Any], role: str) -> dict[str, Any]:
    """`<role>_config_file` (JSON or TOML) overlaid with the inline `<role>_config` table."""
    merged: dict[str, Any] = {}
    file_ref = spec.get(f"{role}_config_file")
    if file_ref:
        path = ws.resolve(str(file_ref))
        merged.update(load_file(path, f"{role}_config_file"))
    inline = spec.get(f"{role}_config") or {}
    if not isinstance(inline, dict):
        raise ConfigError(f"{role}_config must be a table", hint="write it as { key = value, ... }")
    merged.update(inline)
    return merged


def load_file(path: str, key: str) -> dict[str, Any]:
    data = load_any(path, key)
    if not isinstance(data, dict):
        raise ConfigError(f"{key}: {path} must hold an object")
    return data


def load_any(path: str, key: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ConfigError(f"{key}: cannot read {path}: {exc.strerror}") from None
    if path.endswith(".toml"):
        from flext.core.config import parse_toml

        data: Any = parse_toml(text, path)
    else:
        import json

        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"{key}: {path} is not valid JSON: {exc}") from None
    return data


def check_required(config: dict[str, Any], required: list[str], where: str) -> None:
    """Exit 5 naming the first missing required setting (`where`: e.g. pipelines.orders.tap_config)."""
    for key in required:
        if config.get(key) in (None, ""):
            raise ConfigError(f"{where}.{key}: required setting is missing",
                              hint=f"set {key} in flext.toml under [{where}] (or in its {where.rsplit('.', 1)[-1]}_file)")


def resolve(
    value: Any,
    *,
    key: str,
    secret: Callable[[str], str],
    env: Mapping[str, str],
) -> Any:
    """A copy of `value` with `secret:NAME` and `${VAR}` replaced; errors name the key."""
    if isinstance(value, dict):
        return {k: resolve(v, key=f"{key}.{k}", secret=secret, env=env) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, key=f"{key}[{i}]", secret=secret, env=env) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    if value.startswith("secret:"):
        try:
            return secret(value)
        except FlextError as exc:
            exc.message = f"{key}: {exc.message}"
            raise
    if "${" in value:
        return _expand(value, key, env)
    return value


def _expand(text: str, key: str, env: Mapping[str, str]) -> str:
    out: list[str] = []
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            out.append(text[i:])
            return "".join(out)
        end = text.find("}", start)
        if end < 0:
            raise ConfigError(f"{key}: unterminated ${{ in {text!r}")
        name = text[start + 2 : end]
        default = None
        if ":-" in name:
            name, default = name.split(":-", 1)
        if not name or not (name.replace("_", "a").isalnum()):
            raise ConfigError(f"{key}: bad variable name {name!r}")
        got = env.get(name)
        if got is None or (got == "" and default is not None):
            if default is None:
                raise ConfigError(f"{key}: environment variable {name} is not set",
                                  hint=f"export {name}=..., or use ${{{name}:-default}}")
            got = default
        out.append(text[i:start])
        out.append(got)
        i = end + 1


def write_private(directory: str, name: str, data: Any) -> str:
    """Write JSON to `directory/name` with mode 0600 (created exclusive); return the path."""
    import json

    path = os.path.join(directory, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    return path


class Handed:
    """A resolved config handed to a plugin as a path (`--config PATH`).

    In memory where the system allows (Linux): a memfd, named to the child as
    `/proc/self/fd/N` and inherited through `pass_fds`, so no file ever holds the
    plaintext and nothing is left behind however the run ends. Elsewhere a 0600 file in
    the run's private directory, removed by `close` (and, if the process dies first, with
    the directory at the next start: `private_dir` sweeps dead runs' directories).
    """

    def __init__(self, path: str, fds: tuple[int, ...], file: str | None) -> None:
        self.path = path
        self.fds = fds
        self._file = file

    def close(self) -> None:
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = ()
        if self._file:
            try:
                os.unlink(self._file)
            except OSError:
                pass
            self._file = None

    def __enter__(self) -> Handed:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def in_memory() -> bool:
    """Can configs be handed over in memory here (memfd and /proc/self/fd)?"""
    return hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd")


def handover(data: Any, directory: str, name: str, *, memory: bool | None = None) -> Handed:
    """`data` as JSON behind a path a child process can open (see Handed); the caller
    passes `handed.fds` to the child (`pass_fds`) and closes it once the child has ended
    (or, for a memfd, as soon as the child has started: its inherited copy is enough)."""
    import json

    payload = json.dumps(data).encode("utf-8")
    if memory is None:
        memory = in_memory()
    if memory:
        fd = os.memfd_create(f"flext-{name}", os.MFD_CLOEXEC)  # inherited only through pass_fds
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
        except BaseException:
            os.close(fd)
            raise
        return Handed(f"/proc/self/fd/{fd}", (fd,), None)
    path = write_private(directory, name, data)
    return Handed(path, (), path)


_LOCK = ".lock"
_HELD: dict[str, int] = {}  # private dir -> the descriptor whose lock says "its run is alive"


def private_dir(ws: Workspace) -> str:
    """A fresh 0700 directory for one run's private files (state snapshots, the selected
    catalog, configs where memory hand-over is not possible), removed by `release`.

    The directory holds an exclusive lock (flock on `.lock`) for as long as its run lives:
    this process holds it, and a detached runner inherits it (`lock_fd`). Directories of
    runs that died without cleaning up (SIGKILL, power loss) have no holder left and are
    swept here, at the next start."""
    import fcntl
    import tempfile

    base = ws.path("tmp")
    os.makedirs(base, mode=0o700, exist_ok=True)
    sweep(base)
    fresh = tempfile.mkdtemp(prefix="new-", dir=base)  # locked before it is named run-*
    fd = os.open(os.path.join(fresh, _LOCK), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    path = os.path.join(base, "run-" + os.path.basename(fresh)[len("new-"):])
    os.rename(fresh, path)
    _HELD[path] = fd
    return path


def lock_fd(path: str) -> int | None:
    """The descriptor holding `path`'s lock in this process (to hand to a detached runner)."""
    return _HELD.get(path)


def forget(path: str) -> None:
    """Close this process's hold on `path` (a detached runner that inherited it holds it now)."""
    fd = _HELD.pop(path, None)
    if fd is not None:
        os.close(fd)


def release(path: str, fd: int | None = None) -> None:
    """Remove a run's private directory and drop its lock (`fd`: an inherited descriptor)."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)
    held = _HELD.pop(path, fd)
    if held is not None:
        try:
            os.close(held)
        except OSError:
            pass


def sweep(base: str) -> list[str]:
    """Remove the private directories whose run is gone (nobody holds their lock); the removed."""
    import fcntl
    import shutil

    try:
        names = os.listdir(base)
    except OSError:
        return []
    removed = []
    for name in names:
        if not name.startswith("run-"):  # new-*: being made (and empty but for its lock)
            continue
        path = os.path.join(base, name)
        try:
            fd = os.open(os.path.join(path, _LOCK), os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            if os.path.isdir(path):  # made by an older flext: no lock, no owner
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: its run is alive
            os.close(fd)
            continue
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)
        removed.append(path)
    return removed


__all__ = ["Handed", "check_required", "forget", "handover", "in_memory", "load_any", "load_file", "lock_fd", "private_dir",
           "raw_config", "release", "resolve", "sweep", "write_private"]
