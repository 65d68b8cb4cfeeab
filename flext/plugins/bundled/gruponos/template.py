"""The GrupoNos Meltano project as that team runs it: `gruponos init` writes these files.

Oracle WMS (REST API) -> Oracle database, two jobs: `full-sync-job` (weekly, append-only)
and `incremental-sync-job` (every two hours, upsert on `mod_ts`), over the entities
allocation, order_hdr and order_dtl. Extractors and loaders are executable-only plugins
(`flext-tap-oracle-wms`, `flext-target-oracle`); `--executable` points any of them
elsewhere. Hosts and credentials come from the environment (`.env`, never written here):
`.env.example` lists the variable names only.
"""

from __future__ import annotations

import json

EXTRACTORS = ("tap-oracle-wms-full", "tap-oracle-wms-incremental")
LOADERS = ("target-oracle-full", "target-oracle-incremental")
EXECUTABLES = {"tap-oracle-wms-full": "flext-tap-oracle-wms", "tap-oracle-wms-incremental": "flext-tap-oracle-wms",
               "target-oracle-full": "flext-target-oracle", "target-oracle-incremental": "flext-target-oracle"}
ENTITIES = ("allocation", "order_hdr", "order_dtl")
JOBS = {"full-sync-job": ("tap-oracle-wms-full", "target-oracle-full", "@weekly"),
        "incremental-sync-job": ("tap-oracle-wms-incremental", "target-oracle-incremental", "0 */2 * * *")}
VARIABLES = {  # name -> what it is (.env.example); the hosts `gruponos doctor` probes come from these
    "TAP_ORACLE_WMS_BASE_URL": "Oracle WMS base URL, e.g. https://wms.example.com/gruponos",
    "TAP_ORACLE_WMS_USERNAME": "WMS API user",
    "TAP_ORACLE_WMS_PASSWORD": "WMS API password",
    "TAP_ORACLE_WMS_COMPANY_CODE": "WMS company code",
    "TAP_ORACLE_WMS_FACILITY_CODE": "WMS facility code",
    "FLEXT_TARGET_ORACLE_HOST": "Oracle database host",
    "FLEXT_TARGET_ORACLE_PORT": "Oracle listener port (usually 1521 or 1522)",
    "FLEXT_TARGET_ORACLE_SERVICE_NAME": "Oracle service name",
    "FLEXT_TARGET_ORACLE_USERNAME": "Oracle user",
    "FLEXT_TARGET_ORACLE_PASSWORD": "Oracle password",
    "FLEXT_TARGET_ORACLE_PROTOCOL": "tcp or tcps",
    "FLEXT_TARGET_ORACLE_SCHEMA": "schema the tables are loaded into",
}


def _q(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid YAML scalar


def meltano_yml(executables: dict[str, str]) -> str:
    exe = {name: executables.get(name, default) for name, default in EXECUTABLES.items()}
    entities = ", ".join(ENTITIES)
    return f"""\
# GrupoNos: Oracle WMS -> Oracle, a full sync every week and an incremental one every two hours.
# Written by `flext gruponos init`; `flext gruponos doctor` checks what it needs.
# Hosts and credentials come from the environment or .env (see .env.example), never this file.
default_environment: dev
send_anonymous_usage_stats: false

environments:
  - name: dev
  - name: staging
  - name: prod

plugins:
  extractors:
    - name: tap-oracle-wms-full
      namespace: tap_oracle_wms
      executable: {_q(exe["tap-oracle-wms-full"])}
      config:
        base_url: ${{TAP_ORACLE_WMS_BASE_URL}}
        username: ${{TAP_ORACLE_WMS_USERNAME}}
        password: ${{TAP_ORACLE_WMS_PASSWORD}}
        company_code: ${{TAP_ORACLE_WMS_COMPANY_CODE}}
        facility_code: ${{TAP_ORACLE_WMS_FACILITY_CODE}}
        entities: [{entities}]
        enable_incremental: false
        ordering: "-id"
        page_size: 500
        request_timeout: 1800
    - name: tap-oracle-wms-incremental
      namespace: tap_oracle_wms
      executable: {_q(exe["tap-oracle-wms-incremental"])}
      config:
        base_url: ${{TAP_ORACLE_WMS_BASE_URL}}
        username: ${{TAP_ORACLE_WMS_USERNAME}}
        password: ${{TAP_ORACLE_WMS_PASSWORD}}
        company_code: ${{TAP_ORACLE_WMS_COMPANY_CODE}}
        facility_code: ${{TAP_ORACLE_WMS_FACILITY_CODE}}
        entities: [{entities}]
        enable_incremental: true
        replication_key: mod_ts
        ordering: mod_ts
        lookback_minutes: 5
        page_size: 1000
        request_timeout: 600

  loaders:
    - name: target-oracle-full
      namespace: target_oracle
      executable: {_q(exe["target-oracle-full"])}
      config:
        oracle_config:
          host: ${{FLEXT_TARGET_ORACLE_HOST}}
          port: ${{FLEXT_TARGET_ORACLE_PORT}}
          service_name: ${{FLEXT_TARGET_ORACLE_SERVICE_NAME}}
          username: ${{FLEXT_TARGET_ORACLE_USERNAME}}
          password: ${{FLEXT_TARGET_ORACLE_PASSWORD}}
          protocol: ${{FLEXT_TARGET_ORACLE_PROTOCOL}}
        default_target_schema: ${{FLEXT_TARGET_ORACLE_SCHEMA}}
        load_method: append-only
        batch_size: 5000
    - name: target-oracle-incremental
      namespace: target_oracle
      executable: {_q(exe["target-oracle-incremental"])}
      config:
        oracle_config:
          host: ${{FLEXT_TARGET_ORACLE_HOST}}
          port: ${{FLEXT_TARGET_ORACLE_PORT}}
          service_name: ${{FLEXT_TARGET_ORACLE_SERVICE_NAME}}
          username: ${{FLEXT_TARGET_ORACLE_USERNAME}}
          password: ${{FLEXT_TARGET_ORACLE_PASSWORD}}
          protocol: ${{FLEXT_TARGET_ORACLE_PROTOCOL}}
        default_target_schema: ${{FLEXT_TARGET_ORACLE_SCHEMA}}
        load_method: upsert
        batch_size: 1000

jobs:
  - name: full-sync-job
    tasks:
      - tap-oracle-wms-full target-oracle-full
  - name: incremental-sync-job
    tasks:
      - tap-oracle-wms-incremental target-oracle-incremental

schedules:
  - name: full-sync-schedule
    interval: '@weekly'
    job: full-sync-job
  - name: incremental-sync-schedule
    interval: '0 */2 * * *'
    job: incremental-sync-job
"""


def env_example() -> str:
    lines = ["# The variables meltano.yml uses. Copy to .env (never committed) and fill in the values;",
             "# `flext gruponos doctor` says which are missing.", ""]
    for name, what in VARIABLES.items():
        lines += [f"# {what}", f"{name}=", ""]
    return "\n".join(lines)


GITIGNORE = """\
.env
.meltano/
output/
logs/
transform/target/
transform/dbt_packages/
transform/logs/
"""

README = """\
# GrupoNos: Oracle WMS -> Oracle

A Meltano project run by flext (`flext gruponos ...`):

    flext gruponos doctor                          # what is missing, each with a hint
    flext gruponos run incremental-sync-job        # run a job now (recorded)
    flext gruponos pipeline deploy full-sync-job   # schedule it under `flext serve`
    flext gruponos status                          # both jobs' last runs, records, durations

Jobs: full-sync-job (@weekly, append-only), incremental-sync-job (every two hours,
upsert on mod_ts), over allocation, order_hdr and order_dtl. `transform/` is the dbt
project for the models on top of the loaded tables.
"""

DBT_PROJECT = """\
name: gruponos_wms
version: "1.0.0"
config-version: 2
profile: gruponos_wms

model-paths: ["models"]
test-paths: ["tests"]
macro-paths: ["macros"]
target-path: target
clean-targets: [target, dbt_packages]

models:
  gruponos_wms:
    staging:
      +materialized: view
    marts:
      +materialized: table
"""

DBT_PROFILES = """\
gruponos_wms:
  target: "{{ env_var('DBT_TARGET', 'dev') }}"
  outputs:
    dev: &oracle
      type: oracle
      protocol: "{{ env_var('FLEXT_TARGET_ORACLE_PROTOCOL', 'tcp') }}"
      host: "{{ env_var('FLEXT_TARGET_ORACLE_HOST') }}"
      port: "{{ env_var('FLEXT_TARGET_ORACLE_PORT', '1521') | as_number }}"
      service: "{{ env_var('FLEXT_TARGET_ORACLE_SERVICE_NAME') }}"
      user: "{{ env_var('FLEXT_TARGET_ORACLE_USERNAME') }}"
      password: "{{ env_var('FLEXT_TARGET_ORACLE_PASSWORD') }}"
      schema: "{{ env_var('FLEXT_TARGET_ORACLE_SCHEMA') }}"
      threads: 4
    staging: *oracle
    prod: *oracle
"""


def dbt_sources() -> str:
    tables = "".join(f"      - name: {entity}\n" for entity in ENTITIES)
    return ("version: 2\n\nsources:\n  - name: wms\n"
            "    schema: \"{{ env_var('FLEXT_TARGET_ORACLE_SCHEMA') }}\"\n    tables:\n" + tables)


def dbt_staging(entity: str) -> str:
    return f"-- {entity} as loaded from Oracle WMS\nselect *\nfrom {{{{ source('wms', '{entity}') }}}}\n"


def files(executables: dict[str, str]) -> dict[str, str]:
    """Relative path -> content, in the order they are written."""
    out = {
        "meltano.yml": meltano_yml(executables),
        ".env.example": env_example(),
        ".gitignore": GITIGNORE,
        "README.md": README,
        "transform/dbt_project.yml": DBT_PROJECT,
        "transform/profiles/profiles.yml": DBT_PROFILES,
        "transform/models/staging/_sources.yml": dbt_sources(),
    }
    for entity in ENTITIES:
        out[f"transform/models/staging/stg_wms__{entity}.sql"] = dbt_staging(entity)
    out["transform/models/marts/.gitkeep"] = ""
    return out


__all__ = ["ENTITIES", "EXECUTABLES", "EXTRACTORS", "JOBS", "LOADERS", "VARIABLES", "env_example", "files",
           "meltano_yml"]
