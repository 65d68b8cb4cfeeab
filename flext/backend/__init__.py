"""Backends: one protocol (`base.Backend`); the local engine, or a remote client.

Command handlers call `ctx.backend.<method>` and never touch the engine, so local
and remote give the same output.
"""
