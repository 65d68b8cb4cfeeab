"""`flext plugin ...`"""

from flext.router.spec import BOOL, Arg, Hints, Node, Opt

MANIFEST_HELP = """A plugin is a folder or Python package with flext-plugin.toml:

  name = "hello"                 # ^[a-z][a-z0-9-]*$
  version = "1.0.0"
  description = "Say hello"
  requires = []                  # other plugins, e.g. ["other>=1.2"]
  [commands."hello greet"]       # the command words it adds
  entry = "hello_plugin:greet"   # function(ctx, argv: list[str]) -> data or None
  help = "Greet someone"

Installed packages may declare the entry-point group `flext.plugins` instead of being
installed with `flext plugin install`. Plugin code is imported only when one of its
commands runs; a plugin that fails to import is disabled with a warning."""

NODES = [
    Node(
        "plugin", "Install, enable and inspect plugins (project commands such as algar, gruponos)",
        aliases=("plugins",),
        description=MANIFEST_HELP,
        children=[
            Node("list", "List installed plugins: version, state, commands, source", aliases=("ls",),
                 examples=["flext plugin list", "flext plugin list -o json"],
                 hints=Hints("list show", "plugin", alone="plugin", implies="installed"),
                 handler="flext.commands.plugin:list_"),
            Node("info", "Show a plugin's manifest, state, requirements and commands",
                 args=[Arg("name", "Plugin name", completer="plugins")],
                 examples=["flext plugin info gruponos"],
                 hints=Hints("show", "plugin info"),
                 handler="flext.commands.plugin:info"),
            Node("search", "Search the bundled plugin index (and plugins.index_url)",
                 args=[Arg("query", "Words to look for in names and descriptions", nargs="*")],
                 examples=["flext plugin search ldap", "flext plugin search"],
                 hints=Hints("search", "plugin", need="query"),
                 handler="flext.commands.plugin:search"),
            Node("install", "Install a plugin from a folder, a wheel, an index name or pkg==ver",
                 description="Plugins it `requires` are installed first, in dependency order; a version "
                 "conflict or a cycle is refused (exit 7) naming the chain.",
                 args=[Arg("source", "A folder, a .whl file or URL, a name from a plugin index, or pkg==ver")],
                 opts=[Opt("force", "Replace an installed plugin of the same name", type=BOOL)],
                 examples=["flext plugin install ./hello-plugin", "flext plugin install dist/hello-1.0.0-py3-none-any.whl",
                           "flext plugin install hello"],
                 hints=Hints("install create", "plugin", new="plugins"),
                 handler="flext.commands.plugin:install", mutating=True),
            Node("uninstall", "Remove a plugin (refused while an enabled plugin requires it)",
                 args=[Arg("name", "Plugin name", completer="plugins")],
                 opts=[Opt("force", "Remove it even if enabled plugins require it", type=BOOL)],
                 examples=["flext plugin uninstall hello --yes"],
                 hints=Hints("uninstall delete", "plugin"),
                 handler="flext.commands.plugin:uninstall", destructive=True),
            Node("enable", "Enable an installed plugin (its commands come back)",
                 args=[Arg("name", "Plugin name", completer="plugins")],
                 examples=["flext plugin enable algar"],
                 hints=Hints("enable", "plugin"),
                 handler="flext.commands.plugin:enable", mutating=True),
            Node("disable", "Disable a plugin (its commands disappear; files are kept)",
                 args=[Arg("name", "Plugin name", completer="plugins")],
                 opts=[Opt("force", "Disable it even if enabled plugins require it", type=BOOL)],
                 examples=["flext plugin disable algar"],
                 hints=Hints("disable", "plugin"),
                 handler="flext.commands.plugin:disable", mutating=True),
        ],
    ),
]
