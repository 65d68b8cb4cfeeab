"""`flext data ...`: taps, targets, dbt and pipeline files."""

from flext.router.spec import BOOL, PATH, Arg, Hints, Node, Opt

_NO_UV = Opt("no-uv", "Install with pip instead of uv (also: plugins.installer = \"pip\")", type=BOOL)


def _plugin_group(kind: str) -> Node:
    plural = f"{kind}s"
    completer = plural
    children = [
        Node("list", f"List {plural}: the catalog, workspace installs and {kind}-* on PATH", aliases=("ls",),
             opts=[Opt("installed", "Only installed ones", type=BOOL)],
             examples=[f"flext data {plural} list", f"flext data {plural} list --installed -o json"],
             hints=Hints("list show", kind, alone=kind),
             handler=f"flext.commands.data:list_{plural}"),
        Node("install", f"Install a {kind} into its own virtual environment under .flext/plugins/ (with uv)",
             args=[Arg("name", f"{kind.capitalize()} name", completer=completer)],
             opts=[Opt("pip-url", "pip requirement(s) to install instead of the catalog's; any package on the "
                       "index, even one the catalog does not list", metavar="SPEC"), _NO_UV],
             examples=[f"flext data {plural} install {'tap-jsonl' if kind == 'tap' else 'target-duckdb'}",
                       f"flext data {plural} install {kind}-acme --pip-url '{kind}-acme<2'",
                       f"flext data {plural} install {kind}-acme --pip-url git+https://github.com/acme/{kind}-acme.git",
                       f"flext data {plural} install {'tap-jsonl' if kind == 'tap' else 'target-duckdb'} --no-uv"],
             hints=Hints("install create", kind),
             handler=f"flext.commands.data:install_{kind}", mutating=True),
    ]
    if kind == "tap":
        children.append(Node(
            "discover", "Show the streams a tap offers (NAME: a tap, or a pipeline to use its settings)",
            args=[Arg("name", "Tap or pipeline name", completer="taps")],
            opts=[Opt("config", "JSON or TOML file with the tap's settings", type=PATH, metavar="FILE")],
            examples=["flext data taps discover orders", "flext data taps discover tap-jsonl --config tap.json"],
            hints=Hints("discover show", "stream", alone="stream"),
            handler="flext.commands.data:discover"))
    return Node(plural, f"{kind.capitalize()}s: list, install" + (", discover" if kind == "tap" else ""),
                aliases=(kind,), children=children)


NODES = [
    Node(
        "data", "Taps, targets, dbt transforms and pipeline files",
        children=[
            _plugin_group("tap"),
            _plugin_group("target"),
            Node("dbt", "Run dbt projects (dbt-core~=1.11 with dbt-duckdb)", children=[
                Node("run", "Run a dbt project's models and show each node",
                     args=[Arg("project", "dbt project directory", completer="dbt_projects")],
                     opts=[Opt("select", "dbt node selection", metavar="S"),
                           Opt("target", "dbt target (profile output)", metavar="T")],
                     examples=["flext data dbt run transform", "flext data dbt run transform --select revenue_by_customer"],
                     hints=Hints("start", "dbt"),
                     handler="flext.commands.data:dbt_run", mutating=True),
                Node("test", "Run a dbt project's tests and show each node",
                     args=[Arg("project", "dbt project directory", completer="dbt_projects")],
                     opts=[Opt("select", "dbt node selection", metavar="S"),
                           Opt("target", "dbt target (profile output)", metavar="T")],
                     examples=["flext data dbt test transform"],
                     hints=Hints("test", "dbt"),
                     handler="flext.commands.data:dbt_test"),
                Node("install", "Install dbt-core~=1.11 with dbt-duckdb into .flext/plugins/dbt",
                     opts=[Opt("pip-url", "pip requirement(s) instead of the pinned ones", metavar="SPEC"), _NO_UV],
                     examples=["flext data dbt install"],
                     handler="flext.commands.data:dbt_install", mutating=True),
            ]),
            Node("pipeline", "Pipelines declared in files", children=[
                Node("create", "Create the pipelines declared in a TOML or JSON file (all or none)",
                     args=[Arg("config_file", "TOML or JSON file", type=PATH)],
                     opts=[Opt("replace", "Replace pipelines that already exist", type=BOOL)],
                     examples=["flext data pipeline create pipelines.toml", "flext data pipeline create wms.json"],
                     handler="flext.commands.data:pipeline_create", mutating=True),
            ]),
        ],
    ),
]
