"""Where the GrupoNos project and its run records live."""

from __future__ import annotations

import os

from flext.plugins import meltano_exec as mx
from flext.plugins.api import settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.context import Context

PLUGIN = "gruponos"


def workspace(ctx: Context) -> str:
    return mx.workspace_root(ctx)


def project_dir(ctx: Context) -> str:
    """`gruponos.project_dir` (relative to the workspace), else `<workspace>/gruponos`, else walk up."""
    configured = settings(ctx, PLUGIN).get("project_dir")
    root = workspace(ctx)
    if configured:
        return mx.project_dir(ctx, None, configured=os.path.join(root, os.path.expanduser(str(configured))))
    default = os.path.join(root, PLUGIN)
    if os.path.isfile(os.path.join(default, "meltano.yml")):
        return default
    return mx.project_dir(ctx, None)


def runs_dir(ctx: Context, job: str) -> str:
    return os.path.join(workspace(ctx), ".flext", PLUGIN, "runs", job)


def deployments_file(ctx: Context) -> str:
    return os.path.join(workspace(ctx), ".flext", PLUGIN, "deployments.jsonl")


__all__ = ["PLUGIN", "deployments_file", "project_dir", "runs_dir", "workspace"]
