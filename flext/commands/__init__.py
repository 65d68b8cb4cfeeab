"""Thin command handlers: validate, call a service, return data (never print, never exit)."""
