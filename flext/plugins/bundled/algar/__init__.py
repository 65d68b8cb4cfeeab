"""The ALGAR plugin: an Oracle Internet Directory -> Oracle Unified Directory migration in phases.

Settings (free-form `algar` table): `server_url` (ldap://host:389), `bind_dn`,
`password_secret` (a secret name in the flext secret store), `migration_dir`
(numbered LDIF files; relative to the workspace), optional `timeout` and `schedule`.
Progress is appended as JSONL events to `<workspace>/.flext/algar/events.jsonl`.
"""
