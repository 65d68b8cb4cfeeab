"""A real OpenLDAP `slapd` for tests: cn=config built with slapadd, an mdb database, 127.0.0.1.

The suffix `dc=algar,dc=test` starts empty (the migration's hierarchy phase creates it);
the admin DN is the rootdn of both the data and the config database, so the schema phase
can add definitions under cn=schema,cn=config as it would to OUD's cn=schema. slapd runs
in the foreground (`-d 0`) and is stopped at the end. Missing slapd skips locally and
FAILS under CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

SUFFIX = "dc=algar,dc=test"
ADMIN = f"cn=admin,{SUFFIX}"
PASSWORD = "s3cret-bind-pw"
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")
_CONFIG = """\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {root}/slapd.pid

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{includes}

{extra}
dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcRootDN: {admin}

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {suffix}
olcDbDirectory: {root}/db
olcDbMaxSize: 67108864
olcRootDN: {admin}
olcRootPW: {password}
"""


@dataclass
class Slapd:
    url: str
    root: str
    proc: subprocess.Popen[bytes]

    def search(self, base: str, scope: str = "sub", *attrs: str) -> str:
        """ldapsearch output (LDIF) for assertions that do not go through flext."""
        proc = subprocess.run(
            ["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", self.url, "-D", ADMIN, "-w", PASSWORD,
             "-b", base, "-s", scope, "(objectClass=*)", *attrs],
            capture_output=True, text=True, check=False)
        return proc.stdout

    def dns(self) -> list[str]:
        return sorted(line[4:] for line in self.search(SUFFIX, "sub", "1.1").splitlines() if line.startswith("dn: "))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed (apt-get install slapd ldap-utils)")
    pytest.skip(f"{what} is not installed (apt-get install slapd ldap-utils; .ci/run installs them)")


@pytest.fixture
def slapd() -> Iterator[Slapd]:
    with running() as server:
        yield server


@contextmanager
def running(extra_schema: str = "") -> Iterator[Slapd]:
    """A slapd with the standard schemas plus `extra_schema` (cn=config LDIF entries, each ending
    with a blank line), stopped and removed on exit."""
    binary = shutil.which("slapd") or ("/usr/sbin/slapd" if os.path.exists("/usr/sbin/slapd") else None)
    if binary is None or (shutil.which("slapadd") is None and not os.path.exists("/usr/sbin/slapadd")):
        _missing("slapd")
    if shutil.which("ldapsearch") is None:
        _missing("ldapsearch")
    root = tempfile.mkdtemp(prefix="flext-slapd-")
    os.makedirs(os.path.join(root, "db"))
    os.makedirs(os.path.join(root, "slapd.d"))
    includes = "\n".join(f"include: file:///etc/ldap/schema/{name}.ldif" for name in SCHEMAS)
    config = _CONFIG.format(root=root, includes=includes, admin=ADMIN, suffix=SUFFIX, password=PASSWORD,
                            extra=extra_schema)
    with open(os.path.join(root, "config.ldif"), "w") as fh:
        fh.write(config)
    slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
    done = subprocess.run([slapadd, "-n0", "-F", os.path.join(root, "slapd.d"), "-l", os.path.join(root, "config.ldif")],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"slapadd refused the test configuration: {done.stderr.strip()}")
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    proc = subprocess.Popen([binary, "-d", "0", "-F", os.path.join(root, "slapd.d"), "-h", url + "/"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"slapd exited: {proc.stderr.read().decode() if proc.stderr else ''}") from None
            if time.monotonic() > deadline:
                proc.kill()
                raise TimeoutError("slapd did not start listening") from None
            time.sleep(0.05)
    try:
        yield Slapd(url, root, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
        shutil.rmtree(root, ignore_errors=True)
