"""The router: the command tree as data, and what reads it (parse, help, suggest, nl).

Imports only the standard library at module level."""
