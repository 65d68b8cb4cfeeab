"""`flext init`: create a workspace (flext.toml and a git-ignored .flext/)."""

from flext.router.spec import BOOL, PATH, Arg, Hints, Node, Opt

NODES = [
    Node(
        "init", "Create a workspace: flext.toml and a git-ignored .flext/",
        args=[Arg("dir", "Directory (default: the current one)", type=PATH, nargs="?")],
        opts=[Opt("name", "Workspace name (default: the directory's name)", metavar="N"),
              Opt("example", "Add sample data, two pipelines and a dbt-duckdb project", type=BOOL)],
        description="Commands find the workspace by walking up from the current directory, or take -C DIR; "
        "with none, the default workspace under the data directory is used.",
        examples=["flext init", "flext init demo --example", "flext init ~/etl --name etl"],
        hints=Hints("init create", "workspace", prior=-0.3),
        handler="flext.commands.workspace:init", mutating=True,
    ),
]
