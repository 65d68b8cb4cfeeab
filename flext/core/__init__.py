"""Shared services: errors, terminal I/O, output, paths, config, secrets, history.

Modules here import only the standard library at top level (start-up budget)."""

# The formats every command can print (-o/--output, FLEXT_OUTPUT, `output` in config):
# here, because the command tree reads it at start-up and the package is loaded anyway.
OUTPUT_FORMATS = ("table", "json", "jsonl", "yaml", "csv", "plain")
