"""An OID LDIF export -> OUD-ready phase files, one entry at a time.

Each record of the export (a file, or every `.ldif` under a folder, by name) is read,
categorised by the rules, moved from the source base DN to the target one, stripped of
the attributes the rules leave behind, and its `orclaci`/`orclentrylevelaci` values
translated to `aci`. Entries go to part files per (category, DN depth) in a staging
folder as they come; at the end each phase file is the concatenation of its categories'
parts (category order, then shallow before deep, so parents load first). Memory holds
counters and the custom schema definitions, never the entries: it does not grow with
the export.

What cannot be migrated (an unreadable record, a change record, an entry outside the
source base, an ACL with no OUD equivalent) goes to `rejected.ldif` with the reason and
where it came from, as LDIF comments above the record.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile

from flext.core.errors import NotFound, UsageError
from flext.plugins.bundled.algar import aci, dn, ldif, phases
from flext.plugins.bundled.algar.rules import CATEGORIES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO, Any

    from flext.plugins.bundled.algar.rules import Rules

PROGRESS_EVERY = 10_000
_SCHEMA_ATTRS = {"attributetypes": "attributeTypes", "objectclasses": "objectClasses"}
_SCHEMA_DNS = {"cn=subschemasubentry", "cn=schema", "cn=subschema"}
_OID = re.compile(r"^\(\s*([\w.-]+)")


def inputs(path: str) -> list[str]:
    """The LDIF files of an export: the file itself, or every *.ldif under the folder, by name."""
    full = os.path.abspath(os.path.expanduser(path))
    if os.path.isfile(full):
        return [full]
    if not os.path.isdir(full):
        raise NotFound(f"no such file or folder: {path}", hint="pass the OID export (an LDIF file or a folder of them)")
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(full):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(os.path.join(dirpath, n) for n in filenames if n.lower().endswith(".ldif"))
    if not found:
        raise NotFound(f"no .ldif files in {full}", hint="pass the OID export (an LDIF file or a folder of them)")
    return sorted(found, key=lambda p: os.path.relpath(p, full))


class Counts:
    __slots__ = ("acis", "entries", "rejected")

    def __init__(self) -> None:
        self.entries = 0
        self.acis = 0
        self.rejected = 0


class Migration:
    """One run: `run(files)` reads them all and (unless dry_run) writes the phase files into `out`."""

    def __init__(self, rules: Rules, out: str, *, target_base: str | None, dry_run: bool = False,
                 progress: Callable[[str], None] = lambda _text: None,
                 emit: Callable[..., None] = lambda *_a, **_k: None) -> None:
        self.rules = rules
        self.out = out
        self.target_base = target_base
        self.dry_run = dry_run
        self.progress = progress
        self.emit = emit
        self.mover: dn.Mover | None = dn.Mover(rules.source_base, target_base) if rules.source_base else None
        self.counts = {c: Counts() for c in CATEGORIES}
        self.acl_entries = 0
        self.acl_rejected = 0
        self.entry_rejected = 0
        self.read = 0
        self.schema: dict[str, list[str]] = {"attributeTypes": [], "objectClasses": []}
        self.schema_left = 0
        self.dropped: dict[str, int] = {}
        self.stage: str | None = None
        self._parts: dict[tuple[str, int], IO[str]] = {}
        self._rejected: IO[str] | None = None

    # -- output --------------------------------------------------------------------------
    def _part(self, key: tuple[str, int]) -> IO[str] | None:
        if self.stage is None:
            return None
        fh = self._parts.get(key)
        if fh is None:
            fh = open(os.path.join(self.stage, f"part-{key[0]}-{key[1]:03d}.ldif"), "w", encoding="utf-8")  # noqa: SIM115
            self._parts[key] = fh
        return fh

    def _reject(self, source_dn: str, reason: str, where: str, body: str) -> None:
        if self._rejected is not None:
            self._rejected.write(f"# rejected: {reason}\n# source: {where}\n" + (f"# source dn: {source_dn}\n"
                                 if source_dn else "") + body)
        self.emit("entry_rejected", dn=source_dn or None, reason=reason, source=where)

    # -- one record ----------------------------------------------------------------------
    def record(self, rec: ldif.Record) -> None:
        self.read += 1
        if self.read % PROGRESS_EVERY == 0:
            self.progress(f"… {self.read} entries read")
        where = f"{os.path.basename(rec.file)}:{rec.line}"
        if rec.error is not None:
            self.entry_rejected += 1
            self._reject(rec.dn, f"unreadable record: {rec.error}", where, f"# dn: {rec.dn or '(none)'}\n\n")
            return
        if rec.changetype != "add":
            self.entry_rejected += 1
            self._reject(rec.dn, f"a {rec.changetype} change record, not an entry (an export holds entries)", where,
                         f"# dn: {rec.dn}\n\n")
            return
        lowered = {name.lower(): name for name in rec.attrs}
        if not set(lowered).isdisjoint(_SCHEMA_ATTRS) or dn.normalize(rec.dn) in _SCHEMA_DNS:
            self._schema(rec, lowered)
            return
        if self.mover is None:  # the export's first entry is its base, unless the rules say otherwise
            self.mover = dn.Mover(rec.dn, self.target_base)
        if not self.mover.under(rec.dn):
            self.entry_rejected += 1
            self._reject(rec.dn, f"outside the source base DN {self.mover.source} (an OID-internal entry; "
                         "set source_base_dn in a rules file to move another tree)", where,
                         ldif.entry(rec.dn, ((a, v) for a, vs in rec.attrs.items() for v in vs)))
            return
        classes = {str(v).lower() for v in rec.attrs.get(lowered.get("objectclass", "objectClass"), [])}
        category = self.rules.category(dn.normalize(rec.dn), classes, set(lowered))
        counts = self.counts[category]
        target = self.mover.move(rec.dn)
        kept: list[tuple[str, ldif.Value]] = []
        acis: list[str] = []
        for attr, values in rec.attrs.items():
            name = attr.lower()
            scope = self.rules.acl_attributes.get(name)
            if scope is not None:
                for index, value in enumerate(values, 1):
                    text = value if isinstance(value, str) else value.decode("utf-8", "replace")
                    try:
                        acis.append(aci.translate(text, scope=scope, name=f"{attr} {index} of {target}",
                                                  move=self.mover.move))
                    except aci.Untranslatable as exc:
                        counts.rejected += 1
                        self.acl_rejected += 1
                        self._reject(rec.dn, f"{attr} #{index} cannot be translated: {exc}", where,
                                     ldif.entry(target, [(attr, value)]))
                continue
            if self.rules.dropped(attr):
                self.dropped[name] = self.dropped.get(name, 0) + 1
                continue
            move = self.mover.value
            kept.extend((attr, move(v) if isinstance(v, str) else v) for v in values)
        counts.entries += 1
        fh = self._part((category, dn.depth(target)))
        if fh is not None:
            fh.write(ldif.entry(target, kept))
        if acis:
            counts.acis += len(acis)
            self.acl_entries += 1
            acl_fh = self._part(("acls", 0))
            if acl_fh is not None:
                acl_fh.write(ldif.modify(target, [("add", "aci", list(acis))]))

    def _schema(self, rec: ldif.Record, lowered: dict[str, str]) -> None:
        for name, canonical in _SCHEMA_ATTRS.items():
            for value in rec.attrs.get(lowered.get(name, ""), []):
                text = value if isinstance(value, str) else value.decode("utf-8", "replace")
                match = _OID.match(text)
                if match and self.rules.custom_oid(match.group(1)):
                    self.schema[canonical].append(" ".join(text.split()))
                else:
                    self.schema_left += 1

    # -- the whole run -------------------------------------------------------------------
    def run(self, files: list[str]) -> list[dict[str, Any]]:
        if not self.dry_run:
            os.makedirs(self.out, mode=0o755, exist_ok=True)
            self.stage = tempfile.mkdtemp(prefix=".algar-migrate-", dir=self.out)
            self._rejected = open(os.path.join(self.stage, phases.REJECTED), "w", encoding="utf-8")  # noqa: SIM115
            self._rejected.write("# What `flext algar migrate` could not migrate, each with the reason and its source.\n"
                                 "# Not loaded by `algar oud sync`; fix the source (or the rules) and migrate again.\n\n")
        try:
            for path in files:
                for rec in ldif.records(path):
                    self.record(rec)
            if self.mover is None:
                raise UsageError("the export holds no entries", hint="pass an OID LDIF export")
            if not self.dry_run:
                self._finish()
        finally:
            for fh in self._parts.values():
                fh.close()
            if self._rejected is not None:
                self._rejected.close()
            if self.stage is not None:
                shutil.rmtree(self.stage, ignore_errors=True)
        return self.rows()

    def _finish(self) -> None:
        """Concatenate the parts into the phase files and move everything into place."""
        assert self.stage is not None
        for fh in self._parts.values():
            fh.flush()
        self._write_schema(os.path.join(self.stage, phases.FILES["schema"]))
        self.emit("phase_written", phase="schema", file=phases.FILES["schema"],
                  entries=1 if any(self.schema.values()) else 0,
                  definitions={k: len(v) for k, v in self.schema.items()}, rejected=0)
        for phase in ("hierarchy", "users", "groups", "other", "acls"):
            categories = [c for c in CATEGORIES if self.rules.phases[c] == phase] if phase != "acls" else ["acls"]
            target = os.path.join(self.stage, phases.FILES[phase])
            with open(target, "w", encoding="utf-8") as out:
                out.write(f"# flext algar migrate: phase {phase} ({', '.join(categories)})\n\n")
                for category in categories:
                    for key in sorted(k for k in self._parts if k[0] == category):
                        self._parts[key].close()
                        with open(self._parts[key].name, encoding="utf-8") as part:
                            shutil.copyfileobj(part, out, 1 << 20)
            entries = self.acl_entries if phase == "acls" else sum(self.counts[c].entries for c in categories)
            self.emit("phase_written", phase=phase, file=phases.FILES[phase], entries=entries,
                      categories={c: self.counts[c].entries for c in categories if c != "acls"},
                      acis=sum(self.counts[c].acis for c in CATEGORIES) if phase == "acls" else None,
                      rejected=self.acl_rejected if phase == "acls" else 0)
        assert self._rejected is not None
        self._rejected.close()
        for name in [*phases.FILES.values(), phases.REJECTED]:
            os.replace(os.path.join(self.stage, name), os.path.join(self.out, name))

    def _write_schema(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as out:
            patterns = ", ".join(self.rules.schema_oids)
            out.write(f"# custom schema of the OID export (OIDs {patterns}), for OUD's cn=schema\n\n")
            changes: list[tuple[str, str, list[ldif.Value]]] = [
                ("add", attr, list(values)) for attr, values in self.schema.items() if values]
            if changes:
                out.write(ldif.modify("cn=schema", changes))

    def rows(self) -> list[dict[str, Any]]:
        definitions = sum(len(v) for v in self.schema.values())
        rows: list[dict[str, Any]] = [{"phase": "schema", "category": "schema", "file": phases.FILES["schema"],
                                       "entries": definitions, "acis": 0, "rejected": 0}]
        for phase in ("hierarchy", "users", "groups", "other"):
            for category in CATEGORIES:
                if self.rules.phases[category] == phase:
                    c = self.counts[category]
                    rows.append({"phase": phase, "category": category, "file": phases.FILES[phase],
                                 "entries": c.entries, "acis": c.acis, "rejected": c.rejected})
        rows.append({"phase": "acls", "category": "acls", "file": phases.FILES["acls"], "entries": self.acl_entries,
                     "acis": sum(c.acis for c in self.counts.values()), "rejected": self.acl_rejected})
        rows.append({"phase": None, "category": "not migrated", "file": phases.REJECTED,
                     "entries": self.entry_rejected, "acis": 0, "rejected": self.entry_rejected + self.acl_rejected})
        return rows


__all__ = ["Migration", "inputs"]
