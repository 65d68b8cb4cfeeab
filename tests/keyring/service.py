"""A real, private Secret Service for tests: its own D-Bus session bus and gnome-keyring.

`secret_service` (session scope) starts `dbus-daemon` with a config that allows no
service activation (nothing else can be started behind our back) and
`gnome-keyring-daemon --foreground --unlock --components=secrets` fed a password on
stdin, which creates and unlocks the default "login" collection. Both run with an
isolated HOME/XDG_* under a temp dir; DBUS_SESSION_BUS_ADDRESS is exported to
os.environ, so in-process runs and subprocesses see the same keyring. Both daemons are
stopped at the end.

Missing daemons skip the tests locally but FAIL when $CI is set, so CI cannot pass by
skipping. Test modules opt in with `from tests.keyring.service import secret_service`
plus `pytestmark = pytest.mark.usefixtures("secret_service", "clean_keyring")`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest

BUS_NAME = "org.freedesktop.secrets"
DEADLINE = 20.0
_BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SecretService:
    """The running daemons and the environment that reaches them."""

    def __init__(self) -> None:
        self.root = tempfile.mkdtemp(prefix="flext-kr-")
        self.procs: list[subprocess.Popen[bytes]] = []
        self.address = ""
        home = os.path.join(self.root, "home")
        run = os.path.join(self.root, "run")
        os.makedirs(home)
        os.makedirs(run, mode=0o700)
        self.env = dict(os.environ, HOME=home, XDG_DATA_HOME=os.path.join(home, ".local", "share"),
                        XDG_CONFIG_HOME=os.path.join(home, ".config"), XDG_RUNTIME_DIR=run)
        self.env.pop("PYTHON_KEYRING_BACKEND", None)

    def start(self, *, with_keyring: bool = True) -> None:
        """Start the bus and (unless with_keyring=False: a bus where nothing answers) the keyring."""
        conf = os.path.join(self.root, "bus.conf")
        with open(conf, "w") as fh:
            fh.write(_BUS_CONF.format(socket=os.path.join(self.root, "bus")))
        bus = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork", "--print-address=1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env)
        self.procs.append(bus)
        assert bus.stdout is not None
        self.address = bus.stdout.readline().decode().strip()
        if not self.address:
            raise RuntimeError(f"dbus-daemon printed no address (exit {bus.poll()})")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        if not with_keyring:
            return
        keyring = subprocess.Popen(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=self.env)
        self.procs.append(keyring)
        assert keyring.stdin is not None
        keyring.stdin.write(b"flext-test-password")
        keyring.stdin.close()
        self._wait_ready(keyring)

    def _wait_ready(self, keyring: subprocess.Popen[bytes]) -> None:
        """Poll (with a deadline) until the daemon owns its name and has a default collection."""
        import secretstorage
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        deadline = time.monotonic() + DEADLINE
        with open_dbus_connection(self.address) as conn:
            while not conn.send_and_get_reply(message_bus.NameHasOwner(BUS_NAME)).body[0]:
                if keyring.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gnome-keyring-daemon did not take {BUS_NAME} (exit {keyring.poll()})")
                time.sleep(0.02)
        conn2 = _connect(self.address)
        try:
            while True:
                try:
                    collection = secretstorage.collection.get_collection_by_alias(conn2, "default")
                    if not collection.is_locked():
                        return
                except secretstorage.exceptions.ItemNotFoundException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("gnome-keyring-daemon has no unlocked default collection")
                time.sleep(0.02)
        finally:
            conn2.close()

    def clear(self) -> None:
        """Delete every item flext stored, so each test starts with an empty keyring."""
        import secretstorage

        conn = _connect(self.address)
        try:
            collection = secretstorage.collection.get_collection_by_alias(conn, "default")
            for item in collection.search_items({"service": "flext"}):
                item.delete()
        finally:
            conn.close()

    def lock(self) -> None:
        """Lock the default collection (this daemon has no prompter, so nothing can unlock it)."""
        import secretstorage

        conn = _connect(self.address)
        try:
            secretstorage.collection.get_collection_by_alias(conn, "default").lock()
        finally:
            conn.close()

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.procs.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def _connect(address: str) -> Any:
    """A connection secretstorage accepts, to `address` (not necessarily os.environ's)."""
    from jeepney.io.blocking import open_dbus_connection

    return open_dbus_connection(address)


_SHARED: SecretService | None = None


def _require_tools() -> None:
    missing = [tool for tool in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(tool) is None]
    if missing:
        message = f"a real Secret Service needs {', '.join(missing)} (apt-get install gnome-keyring dbus dbus-x11; .ci/run installs them)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must not skip the keyring tests", pytrace=False)
        pytest.skip(message)


@contextlib.contextmanager
def private_service(*, with_keyring: bool = True) -> Iterator[SecretService]:
    """A fresh service of the test's own (to lock it, or a bus where no keyring answers).

    Not exported to os.environ: pass `service.address` as DBUS_SESSION_BUS_ADDRESS."""
    _require_tools()
    service = SecretService()
    try:
        service.start(with_keyring=with_keyring)
        yield service
    finally:
        service.stop()


def _shared() -> SecretService:
    """One service per test process, however many modules import the fixture."""
    global _SHARED
    if _SHARED is None:
        _require_tools()
        service = SecretService()
        try:
            service.start()
        except BaseException:
            service.stop()
            raise
        _SHARED = service
    return _SHARED


@pytest.fixture(scope="session")
def secret_service() -> Iterator[SecretService]:
    """A running private Secret Service; its bus address is in os.environ for the session."""
    global _SHARED
    service = _shared()
    saved = {key: os.environ.get(key) for key in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")}
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = service.address
    os.environ.pop("PYTHON_KEYRING_BACKEND", None)
    yield service
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    if _SHARED is service:
        service.stop()
        _SHARED = None


@pytest.fixture
def clean_keyring(secret_service: SecretService, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """The service, emptied of flext's items after the test; the bus address pinned for the test."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.address)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    yield secret_service
    secret_service.clear()
