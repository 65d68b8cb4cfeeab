"""Plugins: manifest, install, enable/disable, dependency order, lazy loading.

Nothing here is imported at start-up except `flext.plugins.index` (stdlib only),
which adds enabled plugins' commands to the command tree from a cached index.
A plugin's own code is imported only when one of its commands runs (`loader.run`).
"""
