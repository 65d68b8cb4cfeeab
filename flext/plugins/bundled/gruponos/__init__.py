"""The GrupoNos plugin: a Meltano project (Oracle WMS full and incremental syncs) run by flext.

Settings (free-form `gruponos` table): `project_dir` (default: `<workspace>/gruponos`, else
the nearest folder with meltano.yml). Runs are recorded under
`<workspace>/.flext/gruponos/runs/<job>/<run_id>.json` with a JSONL `.log` beside each,
in the run-record shape of the engine contract.
"""
