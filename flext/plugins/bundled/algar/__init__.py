"""The ALGAR plugin: an Oracle Internet Directory -> Oracle Unified Directory migration in phases.

`algar migrate` turns an OID LDIF export into numbered phase files; `algar oud sync`
loads them into OUD. Settings (free-form `algar` table): `server_url` (default
ldap://$OUD_HOST:3389 when OUD_HOST is set), `bind_dn`, `password_secret` (a secret
name in the flext secret store), `migration_dir` (the phase files; relative to the
workspace; default `migration`), `base_dn` (the target base DN when neither --base-dn
nor $ALGAR_OUD_BASE_DN gives one), optional `timeout` and `schedule`. Progress is
appended as JSONL events to `<workspace>/.flext/algar/events.jsonl`. docs/algar.md
has the rules format and the OID -> OUD access control mapping.
"""
