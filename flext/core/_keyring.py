"""Choose the OS keyring backend explicitly, and refuse any that is not a real keyring.

keyring's own `get_keyring()` scans every installed entry point (slow) and may settle
on a plaintext file backend (`keyrings.alt`) or on `fail.Keyring`; flext must never
keep a secret in a file, so it picks one backend per platform itself:

1. `PYTHON_KEYRING_BACKEND` (a dotted class path), loaded with `keyring.core.load_keyring`;
2. Linux and other Unixes: `keyring.backends.SecretService.Keyring` (a Secret Service such
   as gnome-keyring or KeePassXC, over the D-Bus session bus);
3. macOS: `keyring.backends.macOS.Keyring`; Windows: `keyring.backends.Windows.WinVaultKeyring`.

A backend that cannot work here, or one on the refusal list, raises ConfigError (exit 5)
with a hint saying how to get a usable one. `keyring` is imported only in here, lazily.
"""

from __future__ import annotations

import sys

from flext.core.errors import AuthError, ConfigError, FlextError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, TypeVar

    T = TypeVar("T")

ENV_VAR = "PYTHON_KEYRING_BACKEND"
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
MACOS = "keyring.backends.macOS.Keyring"
WINDOWS = "keyring.backends.Windows.WinVaultKeyring"

# Backends that would "work" but keep nothing, or keep it in a file, or may silently
# fall through to such a backend (the chainer tries every installed one).
_REFUSED = {
    "keyring.backends.fail.Keyring": "it stores nothing (keyring's placeholder when no backend exists)",
    "keyring.backends.null.Keyring": "it stores nothing (keyring's null backend)",
    "keyring.backends.chainer.ChainerBackend": "it may fall back to any installed backend, including plaintext files",
}
_REFUSED_PREFIX = ("keyrings.alt.",)  # PlaintextKeyring, EncryptedKeyring, ...: secrets in files


def default_name(platform: str | None = None) -> str:
    """The backend flext uses on this platform when PYTHON_KEYRING_BACKEND is unset."""
    platform = platform or sys.platform
    if platform == "darwin":
        return MACOS
    if platform.startswith(("win32", "cygwin")):
        return WINDOWS
    return SECRET_SERVICE


def chosen_name(env: Mapping[str, str]) -> str:
    return env.get(ENV_VAR, "").strip() or default_name()


def hint(env: Mapping[str, str]) -> str:
    """How to get a usable keyring, for the platform and the way the backend was chosen."""
    override = f"unset {ENV_VAR} or set it to a secure backend" if env.get(ENV_VAR) else \
        f"or set {ENV_VAR} to a secure backend"
    if sys.platform == "darwin":
        return f"unlock your login keychain ({MACOS}), {override}"
    if sys.platform.startswith(("win32", "cygwin")):
        return f"use Windows Credential Manager ({WINDOWS}), {override}"
    if env.get(ENV_VAR):
        return (f"{override}, e.g. {SECRET_SERVICE} with a Secret Service such as gnome-keyring "
                "(`gnome-keyring-daemon --unlock`) running inside a D-Bus session")
    return ("start a Secret Service such as gnome-keyring (`gnome-keyring-daemon --unlock`) inside a "
            f"D-Bus session (DBUS_SESSION_BUS_ADDRESS must be set), {override}")


def refusal(name: str) -> str | None:
    """Why flext refuses the backend class `name`, or None when it is acceptable."""
    if name in _REFUSED:
        return _REFUSED[name]
    if name.startswith(_REFUSED_PREFIX):
        return "keyrings.alt backends keep secrets in files; flext never stores secrets in plaintext"
    return None


def class_path(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def load(env: Mapping[str, str]) -> Any:
    """The keyring backend instance flext uses; ConfigError (exit 5) when none is usable."""
    name = chosen_name(env)
    why = refusal(name)
    if why is None:
        try:
            import keyring.core

            backend = keyring.core.load_keyring(name)
        except Exception as exc:  # ImportError, AttributeError, RuntimeError (not viable here)
            why = _reason(exc)
            if name == SECRET_SERVICE and not isinstance(exc, ImportError) and "SecretStorage" not in why:
                why = _no_secret_service(why)
        else:
            name = class_path(backend)  # a subclass or alias may resolve elsewhere
            why = refusal(name)
            if why is None:
                try:
                    priority = float(backend.priority)
                except Exception as exc:
                    priority, why = 0.0, _reason(exc)
                if why is None and priority <= 0:
                    why = "it reports itself unusable here (priority <= 0)"
            if why is None:
                return backend
    source = f" (from {ENV_VAR})" if env.get(ENV_VAR) else ""
    raise ConfigError(f"no usable keyring backend: {name}{source}: {why}", hint=hint(env))


def _no_secret_service(why: str) -> str:
    import os

    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")  # jeepney reads the process environment
    if not address:
        return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
    return f"no Secret Service answers on the D-Bus session bus {address.split(',')[0]} ({why})"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, ImportError | AttributeError | ValueError):
        return f"cannot be loaded ({text})"
    return text


def call(env: Mapping[str, str], fn: Callable[[], T]) -> T:
    """Run one keyring operation, turning keyring's errors into flext's."""
    try:
        return fn()
    except FlextError:
        raise
    except Exception as exc:
        from keyring import errors

        text = _reason(exc)
        if isinstance(exc, errors.KeyringLocked):
            raise AuthError(f"the keyring is locked: {text}",
                            hint="unlock it (your desktop's keyring prompt, or `gnome-keyring-daemon --unlock`)") from None
        raise ConfigError(f"the keyring backend failed: {text}", hint=hint(env)) from None


__all__ = ["ENV_VAR", "call", "chosen_name", "class_path", "default_name", "hint", "load", "refusal"]
