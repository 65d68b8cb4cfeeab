"""flext.core.secrets: redaction and the index (pure), the store (against a real Secret Service)."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flext.core import _keyring, _secret_index, mask, secrets
from flext.core.errors import ConfigError, NotFound, UsageError
from flext.core.mask import Masker
from flext.core.paths import Paths
from flext.core.secrets import MASK, SecretStore, redact_known, remember
from tests.keyring.service import clean_keyring, secret_service  # noqa: F401  (fixtures)


@pytest.fixture
def known() -> Iterator[Masker]:
    """An empty set of remembered values for this test (the real one is process-wide)."""
    fresh = Masker()
    old = mask.swap_default(fresh)
    yield fresh
    mask.swap_default(old)


# -- redaction -------------------------------------------------------------------

@pytest.mark.parametrize(("value", "text", "expected"), [
    ("hunter22", "password is hunter22.", f"password is {MASK}."),
    ("hunter22", "a hunter22 b hunter22", f"a {MASK} b {MASK}"),
    ("it's a secret", "flext explain 'it'\"'\"'s a secret'", f"flext explain {MASK}"),
    ('quo"te\\x', '{"line": "quo\\"te\\\\x"}', f'{{"line": "{MASK}"}}'),
    ("p@ss word/1", "https://u:p%40ss%20word%2F1@host/", f"https://u:{MASK}@host/"),
    ("tab\there", "repr: 'tab\\there'", f"repr: '{MASK}'"),
    ("abc", "abc is too short to mask", "abc is too short to mask"),
    ("", "nothing", "nothing"),
])
def test_redact_known_masks_every_spelling(known: Masker, value: str, text: str, expected: str) -> None:
    remember(value)
    assert redact_known(text) == expected


def test_redact_known_masks_the_longest_value_first(known: Masker) -> None:
    remember("secret")
    remember("secret-and-more")
    assert redact_known("x secret-and-more y secret") == f"x {MASK} y {MASK}"


def test_redact_known_masks_lines_of_a_multiline_value(known: Masker) -> None:
    remember("-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END KEY-----")
    assert MASK in redact_known("log: MIIEvQIBADANBgkqhkiG9w0B")
    assert "MIIEv" not in redact_known("log: MIIEvQIBADANBgkqhkiG9w0B")


def test_store_redact_is_redact_known(known: Masker, tmp_path: Path) -> None:
    remember("s3cr3t-value")
    assert SecretStore(Paths({"HOME": str(tmp_path)})).redact("x s3cr3t-value") == f"x {MASK}"


# -- names and references ----------------------------------------------------------

@pytest.mark.parametrize(("name", "ok"), [
    ("oracle_password", True), ("api.token-2", True), ("A", True),
    ("", False), ("a/b", False), ("a b", False), ("ç", False), ("x:y", False),
])
def test_check_name(name: str, ok: bool) -> None:
    if ok:
        assert secrets.check_name(name) == name
    else:
        with pytest.raises(UsageError) as info:
            secrets.check_name(name)
        assert info.value.exit_code == 2


@pytest.mark.parametrize(("value", "name"), [
    ("secret:db", "db"), ("secret:", None), ("Secret:db", None), ("x secret:db", None), (3, None), ("plain", None),
])
def test_reference(value: object, name: str | None) -> None:
    assert secrets.reference(value) == name


@pytest.mark.parametrize(("profile", "chain", "order"), [
    ("default", None, ["default"]),
    ("prod", None, ["prod", "default"]),
    ("prod", {"prod": ["base", "prod"]}, ["prod", "base", "default"]),
    ("default", {"default": []}, ["default"]),
])
def test_lookup_order(tmp_path: Path, profile: str, chain: dict[str, list[str]] | None, order: list[str]) -> None:
    store = SecretStore(Paths({"HOME": str(tmp_path)}), {}, profile=lambda: profile,
                        chain=(lambda name: chain[name]) if chain else None)
    assert store.lookup_order() == order


# -- backend choice (no keyring access) ----------------------------------------------

@pytest.mark.parametrize(("platform", "name"), [
    ("linux", "keyring.backends.SecretService.Keyring"),
    ("freebsd14", "keyring.backends.SecretService.Keyring"),
    ("darwin", "keyring.backends.macOS.Keyring"),
    ("win32", "keyring.backends.Windows.WinVaultKeyring"),
])
def test_default_backend_per_platform(platform: str, name: str) -> None:
    assert _keyring.default_name(platform) == name


@pytest.mark.parametrize(("name", "refused"), [
    ("keyrings.alt.file.PlaintextKeyring", True),
    ("keyrings.alt.file.EncryptedKeyring", True),
    ("keyring.backends.fail.Keyring", True),
    ("keyring.backends.null.Keyring", True),
    ("keyring.backends.chainer.ChainerBackend", True),
    ("keyring.backends.SecretService.Keyring", False),
    ("keyring.backends.macOS.Keyring", False),
])
def test_refusal(name: str, refused: bool) -> None:
    assert (_keyring.refusal(name) is not None) is refused


@pytest.mark.parametrize("backend", [
    "keyrings.alt.file.PlaintextKeyring",
    "keyring.backends.fail.Keyring",
    "keyring.backends.null.Keyring",
    "keyring.backends.chainer.ChainerBackend",
    "no.such.Backend",
    "keyring.backends.macOS.Keyring" if sys.platform != "darwin" else "keyring.backends.Windows.WinVaultKeyring",
])
def test_unusable_backend_is_a_config_error_and_writes_nothing(tmp_path: Path, backend: str) -> None:
    env = {"HOME": str(tmp_path / "home"), "FLEXT_DATA_DIR": str(tmp_path / "data"),
           "PYTHON_KEYRING_BACKEND": backend}
    store = SecretStore(Paths(env), env)
    for attempt in (lambda: store.set("db", "value-1234"), lambda: store.get("db"), lambda: store.delete("db")):
        with pytest.raises(ConfigError) as info:
            attempt()
        assert info.value.exit_code == 5
        assert backend in info.value.message
        assert "PYTHON_KEYRING_BACKEND" in (info.value.hint or "")
    status = store.status()
    assert (status["backend"], status["usable"]) == (backend, False)
    assert list(tmp_path.iterdir()) == []


def test_no_dbus_session_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    env = {"HOME": str(tmp_path / "home"), "FLEXT_DATA_DIR": str(tmp_path / "data")}
    if sys.platform != "linux":
        pytest.skip("the Secret Service is the Linux backend")
    with pytest.raises(ConfigError) as info:
        SecretStore(Paths(env), env).set("db", "value-1234")
    assert "no Secret Service answers" in info.value.message
    assert "gnome-keyring-daemon --unlock" in (info.value.hint or "")
    assert not (tmp_path / "data").exists()


# -- the index ----------------------------------------------------------------------

def test_index_round_trip_is_0600_and_names_only(tmp_path: Path) -> None:
    path = str(tmp_path / "data" / "secrets.json")
    assert _secret_index.load(path) == {}
    _secret_index.update(path, lambda index: index.setdefault("default", {}).update(db={"set_at": 1.5}) or True)
    _secret_index.update(path, lambda index: index.setdefault("prod", {}).update(api={"set_at": 2.0}) or True)
    assert _secret_index.load(path) == {"default": {"db": {"set_at": 1.5}}, "prod": {"api": {"set_at": 2.0}}}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(Path(path).read_text()) == {
        "version": 1, "profiles": {"default": {"db": {"set_at": 1.5}}, "prod": {"api": {"set_at": 2.0}}},
    }


def test_index_update_writes_only_when_changed(tmp_path: Path) -> None:
    path = str(tmp_path / "secrets.json")
    _secret_index.update(path, lambda index: False)
    assert not os.path.exists(path)


@pytest.mark.parametrize("content", ["{", "[]", '{"profiles": []}', '{"version": 1}', '{"profiles": {"a": 1}}'])
def test_damaged_index_is_a_config_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        _secret_index.load(str(path))
    assert "damaged" in info.value.message
    assert "delete it" in (info.value.hint or "")


# -- the store, against a real Secret Service ------------------------------------------

def _store(tmp_path: Path, profile: str = "default", chain: dict[str, list[str]] | None = None) -> SecretStore:
    env = {**os.environ, "HOME": str(tmp_path / "home"), "FLEXT_DATA_DIR": str(tmp_path / "data")}
    return SecretStore(Paths(env), env, profile=profile, chain=(lambda name: chain[name]) if chain else None)


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_store_round_trip(tmp_path: Path, known: Masker) -> None:
    store = _store(tmp_path)
    assert store.backend_name() == "keyring.backends.SecretService.Keyring"
    assert store.status()["usable"] is True
    entry = store.set("db", "value-of-db")
    assert (entry["name"], entry["profile"]) == ("db", "default")
    assert store.get("db") == "value-of-db"
    assert redact_known("the value-of-db leaked") == f"the {MASK} leaked"
    store.set("db", "value-of-db-2")
    assert store.get("db") == "value-of-db-2"
    assert store.names() == ["db"]
    index_text = Path(store.paths.secret_index).read_text()
    assert "value-of-db" not in index_text
    assert store.delete("db") == {"name": "db", "profile": "default", "deleted": True}
    assert store.names() == []
    with pytest.raises(NotFound) as info:
        store.get("db")
    assert info.value.exit_code == 6


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_store_remembers_what_it_sets_and_reads(tmp_path: Path, known: Masker) -> None:
    _store(tmp_path).set("one", "first-value")
    assert known.values() == ["first-value"]
    fresh = Masker()
    mask.swap_default(fresh)
    _store(tmp_path).get("one")
    assert fresh.values() == ["first-value"]


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_store_not_found_suggests_a_close_name(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.set("oracle_password", "pw-for-oracle")
    with pytest.raises(NotFound) as info:
        store.get("oracle_pasword")
    assert info.value.message == "no secret 'oracle_pasword' for profile 'default'"
    assert info.value.hint == "did you mean 'oracle_password'?"


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_store_profiles_inherit_and_override(tmp_path: Path) -> None:
    chain = {"prod": ["base", "prod"], "base": ["base"], "default": []}
    default, base, prod = (_store(tmp_path, p, chain) for p in ("default", "base", "prod"))
    default.set("shared", "shared-value")
    default.set("db", "default-db")
    base.set("db", "base-db")
    assert prod.locate("shared") == ("default", "shared-value")
    assert prod.locate("db") == ("base", "base-db")
    prod.set("db", "prod-db")
    assert (prod.get("db"), base.get("db"), default.get("db")) == ("prod-db", "base-db", "default-db")
    assert prod.entries() == [
        {"name": "db", "profile": "prod", "set_at": prod.entries()[0]["set_at"]},
        {"name": "shared", "profile": "default", "set_at": prod.entries()[1]["set_at"]},
    ]
    assert [(r["name"], r["profile"]) for r in prod.entries(all_profiles=True)] == [
        ("db", "base"), ("db", "default"), ("db", "prod"), ("shared", "default"),
    ]
    prod.delete("db")
    assert prod.get("db") == "base-db"
    with pytest.raises(NotFound) as info:
        prod.delete("shared")
    assert info.value.message == "secret 'shared' belongs to profile 'default', not 'prod'"
    assert info.value.hint == "delete it there: `flext -p default secret delete shared`"


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_resolve_and_resolve_tree(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.set("token", "tok-123456")
    assert store.resolve("secret:token") == "tok-123456"
    assert store.resolve("plain") == "plain"
    assert store.resolve("${HOME}") == "${HOME}"
    tree = {"a": "secret:token", "b": ["x", "secret:token", {"c": "secret:token", "n": 3}], "t": ("secret:token",)}
    assert store.resolve_tree(tree) == {
        "a": "tok-123456", "b": ["x", "tok-123456", {"c": "tok-123456", "n": 3}], "t": ("tok-123456",),
    }
    assert tree["a"] == "secret:token"  # a copy: the original keeps its references
    with pytest.raises(NotFound):
        store.resolve_tree({"a": "secret:missing"})


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_delete_of_a_name_only_in_the_index_cleans_the_index(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _secret_index.update(store.paths.secret_index, lambda index: index.setdefault("default", {}).update(
        ghost={"set_at": 1.0}) or True)
    assert store.owns("ghost")
    assert store.delete("ghost")["deleted"] is True
    assert store.names() == []
    with pytest.raises(NotFound):
        store.delete("ghost")
