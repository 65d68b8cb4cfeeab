"""Random argv and REPL-like lines never produce a traceback: exit 0 or 2."""

from __future__ import annotations

import io
import os
import shlex

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flext.core.errors import UsageError
from flext.router.parse import parse
from flext.router.spec import tree

WORDS = sorted({w for n in tree().walk() for w in (n.name, *n.aliases)} | {
    "--output", "-o", "json", "--", "-yq", "--help", "-h", "--profile", "--since", "1h", "--limit", "-5",
    "x", "orders", "--tail=5", "=", "-", "--=", "'", '"', "\\", "$1", "$@", "--no-such",
})

token = st.one_of(st.sampled_from(WORDS), st.text(min_size=0, max_size=12))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(token, max_size=8))
def test_parser_only_raises_usage_errors(argv: list[str]) -> None:
    try:
        parse(argv)
    except UsageError as exc:
        assert exc.exit_code == 2
        assert "\n" not in exc.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_repl_like_lines_exit_0_or_2(env: dict[str, str], line: str) -> None:
    """A line as the shell would get it, split like the shell splits it, run for real."""
    from flext.core.io import IO
    from flext.runner import run_line

    try:
        argv = shlex.split(line)
    except ValueError:
        return  # the shell reports unbalanced quotes itself
    # keep to commands that do not touch processes, keyrings or the network
    if argv and argv[0] not in ("help", "explain", "config", "profile", "alias", "history", "version", "debug"):
        argv = ["explain", *argv]
    if argv[:2] in (["config", "edit"], ["debug", "check"], ["debug", "info"], ["debug", "connectivity"]):
        return
    out, err = io.StringIO(), io.StringIO()
    stream = IO(io.StringIO(""), out, err, env=dict(os.environ), stdin_tty=False, stdout_tty=False, stderr_tty=False)
    code = run_line(argv, io=stream, env=dict(os.environ), source="repl")
    assert "Traceback" not in err.getvalue()
    assert code in (0, 1, 2, 6, 7), (argv, code, err.getvalue())
