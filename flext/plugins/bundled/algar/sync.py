"""Apply LDIF records to a directory idempotently with ldap3.

Every record is compared with what the server holds first: a missing entry is added, an
existing one gets only the attributes that differ (replace), an unchanged one is skipped;
change records (modify/delete) apply only the parts not already true. Schema definitions
(attributeTypes, objectClasses, OpenLDAP's olc* forms) compare by OID, since servers
rewrite their text; OpenLDAP's `{n}` ordering prefixes are ignored when comparing.
A record on `cn=schema` (OUD's schema entry, what `algar migrate` writes) goes to the
server's own subschema entry (the root DSE's subschemaSubentry: cn=schema on OUD,
cn=Subschema on OpenLDAP), so definitions the server already has are skipped anywhere.
With `dry_run` the server is only read.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.plugins.bundled.algar.ldif import Record, Value

SYNCED, SKIPPED, FAILED = "synced", "skipped", "failed"
_SCHEMA = {"attributetypes", "objectclasses", "ldapsyntaxes", "matchingrules", "ditcontentrules", "nameforms",
           "olcattributetypes", "olcobjectclasses", "olcldapsyntaxes", "olcditcontentrules"}
_DN_VALUED = {"member", "uniquemember", "manager", "owner", "seealso", "secretary", "roleoccupant", "memberof"}
_ORDER = re.compile(r"^\{\d+\}")
_SUBSCHEMA = {"cn=schema", "cn=subschema", "cn=subschemasubentry"}
_OID = re.compile(r"^\(\s*([^\s)]+)")


def _text(value: Value) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.hex()
    return value


def _key(attr: str, value: Value) -> str:
    """What two values are compared by."""
    name = attr.lower()
    text = _ORDER.sub("", _text(value))
    if name in _SCHEMA:
        match = _OID.match(text)
        return match.group(1).lower() if match else text
    if name == "objectclass":
        return text.lower()
    if name in _DN_VALUED:
        return ",".join(part.strip().lower() for part in text.split(","))
    return text


def _keys(attr: str, values: list[Value]) -> set[str]:
    return {_key(attr, v) for v in values}


class Syncer:
    """One bound connection; `apply(record)` returns (outcome, error message or None)."""

    def __init__(self, conn: Any, *, dry_run: bool = False) -> None:
        self.conn = conn
        self.dry_run = dry_run
        self._subschema: str | None = None

    def _schema_entry(self, dn: str) -> str:
        """The server's subschema entry for a record on cn=schema; any other DN as it is."""
        if "".join(dn.split()).lower() not in _SUBSCHEMA:
            return dn
        if self._subschema is None:
            from ldap3 import BASE

            self._subschema = dn
            if self.conn.search("", "(objectClass=*)", search_scope=BASE, attributes=["subschemaSubentry"]):
                for entry in self.conn.response:
                    raw = {k.lower(): v for k, v in (entry.get("raw_attributes") or {}).items()}
                    values = raw.get("subschemasubentry") or []
                    if entry.get("type") == "searchResEntry" and values:
                        self._subschema = _text(values[0])
        return self._subschema

    def _read(self, dn: str, attrs: list[str]) -> tuple[str, dict[str, list[Value]]] | None:
        """(the entry's actual DN, its attributes by lower-case name), or None when it is absent."""
        dn = self._schema_entry(dn)
        found = self._base(dn, attrs)
        if found is None and dn.lower().endswith(",cn=config"):
            found = self._ordered(dn, attrs)
        return found

    def _base(self, dn: str, attrs: list[str]) -> tuple[str, dict[str, list[Value]]] | None:
        from ldap3 import BASE

        ok = self.conn.search(dn, "(objectClass=*)", search_scope=BASE, attributes=attrs or ["1.1"])
        if not ok:
            if self.conn.result.get("result") == 32:  # noSuchObject
                return None
            raise LookupError(self._error())
        entries = [r for r in self.conn.response if r.get("type") == "searchResEntry"]
        if not entries:
            return None
        raw = entries[0].get("raw_attributes", {})
        return entries[0].get("dn") or dn, {k.lower(): list(v) for k, v in raw.items()}

    def _ordered(self, dn: str, attrs: list[str]) -> tuple[str, dict[str, list[Value]]] | None:
        """OpenLDAP names cn=config children `cn={4}algar`: find `cn=algar` by its unprefixed RDN."""
        from ldap3 import LEVEL

        rdn, _, parent = dn.partition(",")
        want = rdn.strip().lower()
        if not self.conn.search(parent, "(objectClass=*)", search_scope=LEVEL, attributes=attrs or ["1.1"]):
            return None
        for entry in self.conn.response:
            if entry.get("type") != "searchResEntry":
                continue
            name, _, _ = str(entry.get("dn", "")).partition(",")
            attr, _, value = name.partition("=")
            if f"{attr.strip().lower()}={_ORDER.sub('', value.strip()).lower()}" == want:
                raw = entry.get("raw_attributes", {})
                return str(entry["dn"]), {k.lower(): list(v) for k, v in raw.items()}
        return None

    def _error(self) -> str:
        result = self.conn.result or {}
        message = result.get("message") or ""
        return f"{result.get('description', 'error')}" + (f": {message.strip()}" if message.strip() else "")

    def apply(self, record: Record) -> tuple[str, str | None]:
        if record.error:
            return FAILED, record.error
        try:
            if record.changetype == "add":
                return self._content(record)
            if record.changetype == "modify":
                return self._modify(record)
            return self._delete(record)
        except LookupError as exc:
            return FAILED, str(exc)

    def _content(self, record: Record) -> tuple[str, str | None]:
        found = self._read(record.dn, list(record.attrs))
        if found is None:
            if self.dry_run:
                return SYNCED, None
            if self.conn.add(record.dn, attributes={k: list(v) for k, v in record.attrs.items()}):
                return SYNCED, None
            return FAILED, self._error()
        from ldap3 import MODIFY_REPLACE

        dn, have = found
        changes = {}
        for attr, values in record.attrs.items():
            if _keys(attr, values) != _keys(attr, have.get(attr.lower(), [])):
                changes[attr] = [(MODIFY_REPLACE, list(values))]
        return self._change(dn, changes)

    def _modify(self, record: Record) -> tuple[str, str | None]:
        from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE

        found = self._read(record.dn, sorted({attr for _, attr, _ in record.mods}))
        if found is None:
            return FAILED, f"noSuchObject: {record.dn} does not exist"
        dn, have = found
        changes: dict[str, list[tuple[Any, list[Value]]]] = {}
        for op, attr, values in record.mods:
            current = have.get(attr.lower(), [])
            present = _keys(attr, current)
            if op == "add":
                todo = [v for v in values if _key(attr, v) not in present]
                if todo:
                    changes.setdefault(attr, []).append((MODIFY_ADD, todo))
            elif op == "delete":
                if not values:
                    if current:
                        changes.setdefault(attr, []).append((MODIFY_DELETE, []))
                else:
                    todo = [v for v in values if _key(attr, v) in present]
                    if todo:
                        changes.setdefault(attr, []).append((MODIFY_DELETE, todo))
            elif _keys(attr, values) != present:
                changes.setdefault(attr, []).append((MODIFY_REPLACE, list(values)))
        return self._change(dn, changes)

    def _change(self, dn: str, changes: dict[str, Any]) -> tuple[str, str | None]:
        if not changes:
            return SKIPPED, None
        if self.dry_run:
            return SYNCED, None
        if self.conn.modify(dn, changes):
            return SYNCED, None
        return FAILED, self._error()

    def _delete(self, record: Record) -> tuple[str, str | None]:
        found = self._read(record.dn, [])
        if found is None:
            return SKIPPED, None
        if self.dry_run:
            return SYNCED, None
        if self.conn.delete(found[0]):
            return SYNCED, None
        return FAILED, self._error()


def connect(url: str, bind_dn: str, password: str, *, timeout: float, dry_run: bool) -> Any:
    """A bound ldap3 connection; errors become flext errors (3 unreachable, 4 bind refused)."""
    import ldap3
    from ldap3.core.exceptions import LDAPException, LDAPSocketOpenError

    from flext.core.errors import AuthError, Unreachable

    server = ldap3.Server(url, get_info=ldap3.NONE, connect_timeout=max(1, int(timeout)))
    conn = ldap3.Connection(server, user=bind_dn, password=password, read_only=dry_run,
                            receive_timeout=max(1, int(timeout)), raise_exceptions=False)
    try:
        conn.open()
    except LDAPSocketOpenError as exc:
        raise Unreachable(f"cannot reach the directory at {url}: {exc}", hint="check algar.server_url") from None
    except LDAPException as exc:
        raise Unreachable(f"cannot reach the directory at {url}: {exc}") from None
    if not conn.bind():
        result = conn.result or {}
        raise AuthError(f"bind as {bind_dn} refused: {result.get('description', 'error')}",
                        hint="check algar.bind_dn and the secret named by algar.password_secret")
    return conn


__all__ = ["FAILED", "SKIPPED", "SYNCED", "Syncer", "connect"]
