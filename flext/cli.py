"""The thin edge: argv -> the runner -> an exit code; nothing else.

`main()` returns the exit code and only `entry()` calls `sys.exit`. The program itself
(expand, parse, dispatch, render, report) is `flext.runner`, which the shell and
`flext explain` call too. Imports only the standard library and flext's light modules.
"""

from __future__ import annotations

import os
import sys

from flext import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from flext.core.io import IO


def main(argv: Sequence[str] | None = None, io: IO | None = None, env: dict[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        (io.stdout if io else sys.stdout).write(f"flext {__version__}\n")
        return 0
    if args[:1] == ["__complete"]:
        from flext.router.complete import main as complete

        return complete(args[1:], env=env, out=io.stdout if io else None)  # type: ignore[arg-type]
    from flext.runner import run_line

    try:
        return run_line(args, io=io, env=env, source="cli")
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        (io.stderr if io else sys.stderr).write("\n")
        return 130


def _silence_stdout() -> None:
    """stdout's reader went away (`flext ... | head`): quiet, not a traceback at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


__all__ = ["entry", "main"]
