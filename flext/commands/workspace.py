"""`flext init`: create a workspace from flags.

The guided wizard (interactive shell) collects the same answers and calls
`flext.engine.workspace.init_workspace` itself; this handler never prompts.
"""

from __future__ import annotations

import os

from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.context import Args, Context


def init(ctx: Context, args: Args) -> Result:
    if ctx.can_prompt and not (args.get("dir") or args.get("name") or args.get("example")):
        from flext.prompts.wizards import init as guided  # on a terminal: the onboarding wizard

        return Result(guided(ctx, {}))
    from flext.engine.workspace import init_workspace

    directory = args.get("dir") or os.getcwd()
    info = init_workspace(directory, name=args.get("name"), example=bool(args.get("example")))
    lines = [f"✓ created workspace {info['name']!r} in {info['workspace']}"]
    if info["example"]:
        lines.append("  next: flext data taps install tap-jsonfile && flext data targets install target-duckdb")
        lines.append("        flext data dbt install && flext pipeline run orders")
    return Result(info, message="\n".join(lines))
