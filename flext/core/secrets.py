"""Secrets in the OS keyring; an index of names; `secret:NAME` resolution; redaction.

Storage. Values live only in the OS keyring (see `flext.core._keyring` for how the
backend is chosen; flext never falls back to plaintext). Keyring entry: service
`flext`, username `<profile>/<name>`. A name matches `^[A-Za-z0-9_.-]+$`, so the
username splits back unambiguously.

Profiles. `secret set` stores under the current profile (`-p`, `FLEXT_PROFILE`,
`current_profile`, else `default`). Reads look in the current profile, then the
profiles it inherits from, then `default`: the default profile's secrets are shared
with every profile, as `[defaults]` settings are, and a profile overrides one by
setting the same name. `secret delete` only removes the current profile's own entry.

Redaction. Every value read, set or resolved in this process is remembered, and
`redact_known` masks it (and its quoted/escaped spellings) in any text bound for
history, audit, logs or error messages: both are `flext.core.mask` (the one masking
function of every sink). Values shorter than MIN_REDACT_LEN are not masked: they would
blank out ordinary words.
"""

from __future__ import annotations

import os

from flext.core import mask as _mask
from flext.core.mask import MASK
from flext.core.mask import MIN_LEN as MIN_REDACT_LEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from flext.core._secret_index import Index
    from flext.core.paths import Paths

SERVICE = "flext"
PREFIX = "secret:"
DEFAULT_PROFILE = "default"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def remember(value: str) -> None:
    """Mask `value` (in every spelling) from now on, in this process (flext.core.mask)."""
    _mask.remember(value)


def redact_known(text: str) -> str:
    """Every secret value this process knows masked in `text` (the one masking function)."""
    return _mask.mask(text)


def check_name(name: str) -> str:
    """A valid secret name, or UsageError (exit 2)."""
    if not name or not set(name) <= _NAME_CHARS:
        from flext.core.errors import UsageError

        raise UsageError(f"invalid secret name {name!r}", hint="use letters, digits, '_', '.' and '-'")
    return name


def reference(value: object) -> str | None:
    """The NAME of a `secret:NAME` reference, or None for any other value."""
    if isinstance(value, str) and value.startswith(PREFIX) and len(value) > len(PREFIX):
        return value[len(PREFIX):]
    return None


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class SecretStore:
    """The keyring behind `secret:NAME`, seen from one profile.

    `profile` is the profile to write to (or a callable giving it, so a Context can
    decide lazily); `chain(profile)` lists the profiles it inherits, most basic first
    (Config.chain), and shapes the read order. Nothing touches the keyring, the index or
    the disk until a method needs it.
    """

    def __init__(
        self,
        paths: Paths,
        env: Mapping[str, str] | None = None,
        *,
        profile: str | Callable[[], str] = DEFAULT_PROFILE,
        chain: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.paths = paths
        self.env: Mapping[str, str] = os.environ if env is None else env
        self._profile = profile
        self._chain = chain
        self._backend: Any = None

    # -- where ---------------------------------------------------------------
    @property
    def profile(self) -> str:
        return self._profile() if callable(self._profile) else self._profile

    def lookup_order(self) -> list[str]:
        """Profiles searched by reads: the current one, its ancestors, then `default`."""
        profile = self.profile
        order = list(reversed(self._chain(profile))) if self._chain else [profile]
        if profile not in order:
            order.insert(0, profile)
        if DEFAULT_PROFILE not in order:
            order.append(DEFAULT_PROFILE)
        return order

    @staticmethod
    def username(profile: str, name: str) -> str:
        return f"{profile}/{name}"

    def backend_name(self) -> str:
        """Dotted class path of the backend in use (or that would be tried)."""
        from flext.core import _keyring

        return _keyring.class_path(self._backend) if self._backend is not None else _keyring.chosen_name(self.env)

    def backend(self) -> Any:
        """The keyring backend; ConfigError (exit 5) with a hint when none is usable."""
        if self._backend is None:
            from flext.core import _keyring

            self._backend = _keyring.load(self.env)
        return self._backend

    def status(self) -> dict[str, Any]:
        """For `secret where`: which backend, whether it works here, and why not."""
        from flext.core.errors import FlextError

        usable, reason, hint = True, None, None
        try:
            self.backend()
        except FlextError as exc:
            usable, reason, hint = False, exc.message, exc.hint
        return {"backend": self.backend_name(), "usable": usable, "reason": reason, "hint": hint,
                "service": SERVICE, "profile": self.profile, "lookup": self.lookup_order(),
                "index": self.paths.secret_index}

    where = status  # the name `flext secret where` and `flext debug info` know it by

    # -- values ----------------------------------------------------------------
    def _call(self, fn: Callable[[], Any]) -> Any:
        from flext.core import _keyring

        return _keyring.call(self.env, fn)

    def set(self, name: str, value: str) -> dict[str, Any]:
        """Store `value` under the current profile; returns the index entry (no value)."""
        from flext.core.errors import UsageError

        check_name(name)
        if redact_known(name) != name:  # the value pasted where the name goes: never index it
            raise UsageError("refusing a secret name that is a known secret value",
                             hint="give a name first: flext secret set NAME --from-stdin")
        if not value:
            raise UsageError(f"refusing an empty value for secret {name!r}",
                             hint=f"to remove it use `flext secret delete {name}`")
        profile = self.profile
        backend = self.backend()
        remember(value)
        self._call(lambda: backend.set_password(SERVICE, self.username(profile, name), value))
        import time

        now = round(time.time(), 3)

        def add(index: Index) -> bool:
            index.setdefault(profile, {})[name] = {"set_at": now}
            return True

        from flext.core import _secret_index

        _secret_index.update(self.paths.secret_index, add)
        return {"name": name, "profile": profile, "set_at": _iso(now)}

    def locate(self, name: str) -> tuple[str, str]:
        """(profile that holds it, value); NotFound (exit 6) with did-you-mean."""
        from functools import partial

        check_name(name)
        backend = self.backend()
        for profile in self.lookup_order():
            value = self._call(partial(backend.get_password, SERVICE, self.username(profile, name)))
            if value is not None:
                remember(value)
                return profile, str(value)
        raise self.not_found(name)

    def get(self, name: str) -> str:
        return self.locate(name)[1]

    def delete(self, name: str) -> dict[str, Any]:
        """Remove the current profile's own entry (keyring and index)."""
        check_name(name)
        profile = self.profile
        backend = self.backend()
        user = self.username(profile, name)

        def remove() -> bool:
            from keyring.errors import PasswordDeleteError

            try:
                backend.delete_password(SERVICE, user)
            except PasswordDeleteError:
                return False
            return True

        in_keyring = self._call(remove)
        in_index = False

        def drop(index: Index) -> bool:
            nonlocal in_index
            in_index = index.get(profile, {}).pop(name, None) is not None
            return in_index

        from flext.core import _secret_index

        if os.path.exists(self.paths.secret_index):
            _secret_index.update(self.paths.secret_index, drop)
        if not in_keyring and not in_index:
            raise self.not_found(name, deleting=True)
        return {"name": name, "profile": profile, "deleted": True}

    def owns(self, name: str) -> bool:
        """Does the current profile itself (not an ancestor) hold `name`, in the keyring or the index?"""
        from flext.core import _secret_index

        check_name(name)
        backend = self.backend()
        profile = self.profile
        user = self.username(profile, name)
        if self._call(lambda: backend.get_password(SERVICE, user)) is not None:
            return True
        return name in _secret_index.load(self.paths.secret_index).get(profile, {})

    def not_found(self, name: str, *, deleting: bool = False) -> Exception:
        """NotFound (exit 6) with a did-you-mean over the index, or the profile that owns it."""
        from flext.core.errors import NotFound
        from flext.core.suggest import closest

        here = self.profile
        try:
            rows = self.entries(all_profiles=True)
        except Exception:
            rows = []
        owners = [r["profile"] for r in rows if r["name"] == name and r["profile"] != here]
        if deleting and owners:
            return NotFound(f"secret {name!r} belongs to profile {owners[0]!r}, not {here!r}",
                            hint=f"delete it there: `flext -p {owners[0]} secret delete {name}`")
        guess = closest(name, [r["name"] for r in rows if r["profile"] in self.lookup_order()])
        hint = f"did you mean {guess!r}?" if guess else f"store it with `flext secret set {name}`"
        return NotFound(f"no secret {name!r} for profile {here!r}", hint=hint)

    # -- names -----------------------------------------------------------------
    def entries(self, *, all_profiles: bool = False) -> list[dict[str, Any]]:
        """Index rows {name, profile, set_at}: those visible to the current profile
        (nearest profile wins), or every profile's with all_profiles. Never values."""
        from flext.core import _secret_index

        index = _secret_index.load(self.paths.secret_index)
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        profiles = sorted(index) if all_profiles else self.lookup_order()
        for profile in profiles:
            for name, meta in sorted(index.get(profile, {}).items()):
                key = (name, profile) if all_profiles else (name, "")
                if key not in rows:
                    rows[key] = {"name": name, "profile": profile, "set_at": _iso(meta.get("set_at"))}
        return sorted(rows.values(), key=lambda r: (r["name"], r["profile"]))

    def names(self) -> list[str]:
        """Secret names visible to the current profile, from the index (no keyring access)."""
        return [row["name"] for row in self.entries()]

    # -- references --------------------------------------------------------------
    def resolve(self, value: str) -> str:
        """`secret:NAME` -> the value (remembered for redaction); any other string unchanged."""
        name = reference(value)
        return value if name is None else self.get(name)

    def resolve_tree(self, obj: Any) -> Any:
        """A copy of nested dicts/lists/tuples with every `secret:NAME` string resolved."""
        if isinstance(obj, str):
            return self.resolve(obj)
        if isinstance(obj, dict):
            return {key: self.resolve_tree(item) for key, item in obj.items()}
        if isinstance(obj, list):
            return [self.resolve_tree(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self.resolve_tree(item) for item in obj)
        return obj

    def redact(self, text: str) -> str:
        return redact_known(text)


__all__ = ["MASK", "MIN_REDACT_LEN", "PREFIX", "SERVICE", "SecretStore", "check_name", "redact_known", "reference", "remember"]
