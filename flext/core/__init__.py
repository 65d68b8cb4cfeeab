"""Shared services: errors, terminal I/O, output, paths, config, secrets, history.

Modules here import only the standard library at top level (start-up budget)."""
