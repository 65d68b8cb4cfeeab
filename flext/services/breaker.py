"""The circuit breakers of health checks: flext.core.resilience's persisted Breaker,
one per health URL, in the same state file as the HTTP client's breakers.

After THRESHOLD consecutive failed checks the circuit opens: checks answer "down
(circuit open)" at once, without a request, for the cool-down; then one probe goes
through (half-open), and its outcome closes or reopens the circuit. The state is on
disk, so the shell, the dashboard and one-shot commands all share it.
"""

from __future__ import annotations

from flext.core.resilience import COOLDOWN, Breaker, CircuitOpen, breaker_for

THRESHOLD = 3  # a health check is cheap to repeat; open sooner than the API client's 5


def for_url(state_dir: str, health_url: str) -> Breaker:
    return breaker_for(state_dir, f"health {health_url}", threshold=THRESHOLD)


__all__ = ["COOLDOWN", "THRESHOLD", "Breaker", "CircuitOpen", "for_url"]
