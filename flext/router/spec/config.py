"""`flext config ...`"""

from flext.router.spec import BOOL, PATH, Arg, Node, Opt

NODES = [
    Node(
        "config", "Read and change settings (config.toml)",
        children=[
            Node("show", "Show the effective settings of a profile",
                 opts=[Opt("reveal-paths", "Also show where each value comes from", type=BOOL)],
                 examples=["flext config show", "flext -p prod config show -o json"],
                 handler="flext.commands.config:show"),
            Node("get", "Print one setting",
                 args=[Arg("key", "Dotted key, e.g. output or repl.edit_mode", completer="config_keys")],
                 examples=["flext config get output", "flext -p prod config get api_url"],
                 handler="flext.commands.config:get"),
            Node("set", "Set a setting in [defaults], or in the profile given with --profile",
                 args=[Arg("key", "Dotted key", completer="config_keys"), Arg("value", "New value")],
                 examples=["flext config set output json", "flext -p prod config set timeout 30"],
                 handler="flext.commands.config:set_", mutating=True),
            Node("unset", "Remove a setting",
                 args=[Arg("key", "Dotted key", completer="config_keys")],
                 examples=["flext config unset output"],
                 handler="flext.commands.config:unset", mutating=True),
            Node("path", "Print the path of config.toml",
                 examples=["flext config path"], handler="flext.commands.config:path"),
            Node("edit", "Open config.toml in $VISUAL/$EDITOR, then validate it",
                 examples=["EDITOR=vim flext config edit"], handler="flext.commands.config:edit", mutating=True),
            Node("validate", "Check config.toml against the schema",
                 examples=["flext config validate"], handler="flext.commands.config:validate"),
            Node("import", "Read an upstream flext-cli config.yaml into profiles",
                 description="Known settings (api_url, output_format, timeout, retries, username...) are checked "
                 "like `config set` and written in one edit of config.toml; secrets are never copied (store them "
                 "with `flext secret set`); keys flext has no use for are listed as skipped.",
                 args=[Arg("file", "The upstream file, usually ~/.flext/config.yaml", type=PATH)],
                 opts=[Opt("as", "Profile name for a file of flat settings (default: its `profile`, else default)",
                           dest="as_", metavar="PROFILE", completer="profiles"),
                       Opt("replace", "Overwrite settings of profiles that already exist", type=BOOL),
                       Opt("use", "Also switch to the file's current profile", type=BOOL)],
                 examples=["flext config import ~/.flext/config.yaml",
                           "flext config import ~/.flext/config.yaml --as staging -o json"],
                 handler="flext.commands.config_import:import_", mutating=True),
        ],
    ),
]
