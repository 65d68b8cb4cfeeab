"""Services, monitoring and logs: registry, health, supervision, logs, metrics, alerts.

Modules here are imported only by the `service`, `monitor` and `logs` commands (and the
completion sources in `names.py`, which use the standard library only).
"""
