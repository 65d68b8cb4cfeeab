"""The migration folder: numbered LDIF files assigned to the phases, applied in phase order.

A file belongs to the phase its name (`10-users.ldif`, `02_schema_custom.ldif`,
`00_custom_schema_oud.ldif`, `04_acls_permissions.ldif`) or its folder
(`users/01-people.ldif`) names; within a phase, files sort by name (the numbers).
`algar migrate` writes one file per phase (FILES); other tools' numbered files work too.
The phases load in PHASES order whatever the numbers say: the ACL step always comes last,
when every entry it adds an `aci` to exists.
"""

from __future__ import annotations

import os
import re

PHASES = ("schema", "hierarchy", "users", "groups", "other", "acls")
# what `algar migrate` writes, by phase (upstream's names: 00_custom_schema_oud.ldif ... 04_acls_permissions.ldif)
FILES = {
    "schema": "00_custom_schema_oud.ldif",
    "hierarchy": "01_hierarchy_oud.ldif",
    "users": "02_users_oud.ldif",
    "groups": "03_groups_oud.ldif",
    "other": "03_other_entries_oud.ldif",
    "acls": "04_acls_permissions.ldif",
}
REJECTED = "rejected.ldif"
_NAME = re.compile(r"^\d+[-_. ]*(?:custom[-_. ]*)?(" + "|".join(PHASES) + r")(?![a-z])", re.IGNORECASE)


def phase_of(relative: str) -> str | None:
    parts = relative.replace(os.sep, "/").split("/")
    if len(parts) > 1 and parts[0].lower() in PHASES:
        return parts[0].lower()
    match = _NAME.match(parts[-1])
    return match.group(1).lower() if match else None


def files(migration_dir: str) -> dict[str, list[str]]:
    """Phase -> LDIF paths, in the order they are applied."""
    out: dict[str, list[str]] = {p: [] for p in PHASES}
    for dirpath, dirnames, filenames in os.walk(migration_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.lower().endswith(".ldif"):
                continue
            path = os.path.join(dirpath, name)
            phase = phase_of(os.path.relpath(path, migration_dir))
            if phase is not None:
                out[phase].append(path)
    for phase in PHASES:
        out[phase].sort(key=lambda p: os.path.relpath(p, migration_dir))
    return out


__all__ = ["FILES", "PHASES", "REJECTED", "files", "phase_of"]
