"""The GrupoNos plugin: a Meltano project (Oracle WMS full and incremental syncs) run by flext.

`gruponos init` writes the project as the GrupoNos team runs it (template.py),
`gruponos doctor` checks what it needs, `gruponos run` / `pipeline deploy` run its jobs
now or on their schedule under `flext serve`. Settings (free-form `gruponos` table):
`project_dir` (default: `<workspace>/gruponos`, else the nearest folder with
meltano.yml), `timeout` (seconds for doctor's host probes, default 5). Runs are
recorded under `<workspace>/.flext/gruponos/runs/<job>/<run_id>.json` with a JSONL
`.log` beside each, in the run-record shape of the engine contract. docs/gruponos.md.
"""
