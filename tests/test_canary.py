"""The canary: a secret with a unique random value must never leak.

It is set once (through stdin), then used every way a user would: as a `secret:NAME`
config value (free-form and typed settings), in an alias expansion, in `flext explain`,
through history and audit (mutating commands), in an error that mentions the resolved
value, and typed by the user in a later line of the same process (the REPL case).
Afterwards no file under the config, data, state and cache dirs (nor HOME) holds the
value, and no captured stdout/stderr shows it, except `secret get NAME --reveal`.
"""

from __future__ import annotations

import io
import os
import secrets as random
from collections.abc import Callable
from pathlib import Path

import pytest

from flext.core.secrets import MASK
from tests.conftest import Run
from tests.keyring.service import clean_keyring, secret_service  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.keyring, pytest.mark.usefixtures("clean_keyring")]
Flext = Callable[..., Run]


def _files_containing(value: str, roots: list[str]) -> list[str]:
    needle = value.encode()
    found = []
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                if needle in Path(path).read_bytes():
                    found.append(path)
    return found


def test_canary_value_never_leaks(flext: Flext, flext_proc: Flext, env: dict[str, str]) -> None:
    value = "canary-" + random.token_hex(16)
    seen: list[tuple[tuple[str, ...], Run]] = []

    def run(*argv: str, stdin: str = "", code: int = 0, proc: bool = True) -> Run:
        result = (flext_proc if proc else flext)(*argv, stdin=stdin)
        assert result.code == code, (argv, result)
        seen.append((argv, result))
        return result

    # set it (stdin only), then see that the store has it
    run("secret", "set", "canary", "--from-stdin", stdin=value + "\n")
    revealed = flext_proc("secret", "get", "canary", "--reveal")
    assert (revealed.code, revealed.out) == (0, value + "\n")
    run("secret", "get", "canary", code=2)
    run("secret", "list")
    run("secret", "list", "-o", "json")
    run("secret", "where")

    # config holds references only; show/get print the reference
    run("config", "set", "defaults.gruponos.password", "secret:canary")
    run("config", "set", "username", "secret:canary")
    run("profile", "create", "prod")
    run("-p", "prod", "config", "set", "username", "secret:canary")
    for argv in (("config", "show"), ("config", "show", "-o", "json"), ("config", "show", "--reveal-paths"),
                 ("config", "get", "gruponos.password"), ("-p", "prod", "config", "show", "-o", "yaml"),
                 ("config", "validate")):
        shown = run(*argv)
        assert "secret:canary" in shown.out or argv == ("config", "validate")

    # an alias whose expansion references it, run and explained
    run("alias", "set", "whoami", "config get username")
    run("alias", "set", "pwref", "config set description secret:canary")
    run("pwref")
    run("whoami")
    run("alias", "list")
    run("explain", "pwref")
    run("explain", "config set username secret:canary")
    run("-o", "json", "explain", "config", "set", "username", "secret:canary")

    # history and audit of all of the above
    run("history")
    run("history", "-o", "json")
    run("history", "export")
    run("audit", "list")
    run("audit", "export")
    run("debug", "env")
    run("debug", "info", "-o", "json")

    # an error that mentions the resolved value: what a failing login would raise
    from flext.core.context import Context
    from flext.core.errors import AuthError
    from flext.core.io import IO
    from flext.runner import report

    out, err = io.StringIO(), io.StringIO()
    ctx = Context(IO(io.StringIO(), out, err, env=dict(os.environ), stdin_tty=False, stdout_tty=False,
                     stderr_tty=False), env=dict(os.environ))
    resolved = ctx.secrets.resolve_tree({"password": ctx.settings["username"]})["password"]
    assert resolved == value
    code = report(ctx, AuthError(f"login refused for password {resolved!r}", hint=f"is {resolved} still valid?"))
    assert code == 4
    assert err.getvalue() == f"error: login refused for password '{MASK}'\nhint: is {MASK} still valid?\n"
    seen.append((("<report>",), Run(code, out.getvalue(), err.getvalue())))

    # this process now knows the value (the REPL case): typed later, it is masked in
    # history, audit and error messages of the lines that follow
    run("explain", f"connect --password {value}", code=2, proc=False)
    run("config", "get", value, code=6, proc=False)
    run("secret", "set", value, "--from-stdin", stdin="x", code=2, proc=False)
    run("history", "-o", "json")
    run("audit", "list", "-o", "json")

    roots = [env[k] for k in ("FLEXT_CONFIG_DIR", "FLEXT_DATA_DIR", "FLEXT_STATE_DIR", "FLEXT_CACHE_DIR", "HOME")]
    roots.append(os.getcwd())
    assert _files_containing(value, roots) == []
    for argv, result in seen:
        assert value not in result.out + result.err, (argv, result)
    history = Path(env["FLEXT_DATA_DIR"], "history.jsonl").read_text()
    assert "secret:canary" in history and MASK in history  # recorded, with the typed value masked
