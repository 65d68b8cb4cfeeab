"""`flext meltano ...`"""

from flext.router.spec import BOOL, PATH, Arg, Node, Opt

PROJECT = Opt("project", "The Meltano project folder (default: the nearest with meltano.yml)", type=PATH, metavar="DIR")

NODES = [
    Node(
        "meltano", "Run the real Meltano on a Meltano project",
        description="flext runs `meltano` from config `meltano.executable`, else the venv `flext meltano install` "
        "made (.flext/plugins/meltano/venv of this workspace, then of the default one), else PATH, with "
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS=false; its output is streamed and its exit code passed through.",
        children=[
            Node("install", "Install Meltano into its own venv under the workspace's plugin folder",
                 description="Idempotent: the same spec with a working meltano changes nothing. Progress on "
                             "stderr. Outside a workspace it goes to the default workspace, where every "
                             "workspace finds it.",
                 opts=[Opt("pip-url", "What pip installs (default: meltano>=3.6,<5)", metavar="SPEC"),
                       Opt("force", "Reinstall even when it is installed", type=BOOL)],
                 examples=["flext meltano install", "flext meltano install --pip-url=meltano==4.4.1"],
                 handler="flext.commands.meltano:install", mutating=True),
            Node("project", "Meltano projects", children=[
                Node("init", "Create a Meltano project in DIR (meltano init)",
                     args=[Arg("dir", "Folder for the new project", type=PATH)],
                     examples=["flext meltano project init gruponos"],
                     handler="flext.commands.meltano:project_init", mutating=True),
            ]),
            Node("add", "Add a plugin from a local definition (offline: an executable, or --from-ref FILE)",
                 args=[Arg("type", "Plugin type", choices=("extractor", "loader", "utility", "mapper", "transformer")),
                       Arg("name", "Plugin name, e.g. tap-oracle-wms-full")],
                 opts=[Opt("executable", "Path or name of its executable (no pip install)", metavar="PATH"),
                       Opt("namespace", "Settings namespace (default: the name with '_')", metavar="NS"),
                       Opt("from-ref", "A plugin definition file (YAML) to add from", type=PATH, metavar="FILE"),
                       PROJECT],
                 examples=["flext meltano add extractor tap-orders --executable /opt/taps/bin/tap-orders",
                           "flext meltano add loader target-dw --from-ref plugins/target-dw.yml"],
                 handler="flext.commands.meltano:add", mutating=True),
            Node("run", "Run blocks or jobs (meltano run BLOCK...)",
                 args=[Arg("block", "Plugins, jobs or commands to run in order, e.g. tap-x target-y", nargs="+")],
                 opts=[Opt("full-refresh", "Ignore saved state and extract everything", type=BOOL),
                       Opt("dry-run", "Show what would run, run nothing", type=BOOL), PROJECT],
                 examples=["flext meltano run full-sync-job", "flext meltano run tap-oracle-wms-full target-oracle-full"],
                 handler="flext.commands.meltano:run", mutating=True),
            Node("schedule", "Meltano schedules", children=[
                Node("list", "List the project's schedules", aliases=("ls",), opts=[PROJECT],
                     examples=["flext meltano schedule list", "flext meltano schedule list -o json"],
                     handler="flext.commands.meltano:schedule_list"),
                Node("add", "Add a schedule for a job",
                     args=[Arg("name", "Schedule name")],
                     opts=[Opt("job", "The job to run", metavar="J"),
                           Opt("interval", "Cron expression or @daily/@weekly/...", metavar="CRON"), PROJECT],
                     examples=["flext meltano schedule add incremental-sync-schedule --job incremental-sync-job "
                               "--interval '0 */2 * * *'"],
                     handler="flext.commands.meltano:schedule_add", mutating=True),
            ]),
            Node("test", "Run plugins' tests (meltano test; all of them without PLUGIN)",
                 args=[Arg("plugin", "A plugin, or plugin:test", nargs="?")], opts=[PROJECT],
                 examples=["flext meltano test", "flext meltano test tap-oracle-wms-full"],
                 handler="flext.commands.meltano:test"),
        ],
    ),
]
