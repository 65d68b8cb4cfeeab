"""The embedded engine: workspace, plugin installs, Singer runs, state, dbt.

Imported only when a pipeline or data command runs (or by `flext serve`); command
handlers reach it through `flext.backend.local.LocalBackend`, never directly, so the
remote backend can stand in for it.
"""
