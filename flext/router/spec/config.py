"""`flext config ...`"""

from flext.router.spec import BOOL, Arg, Hints, Node, Opt

NODES = [
    Node(
        "config", "Read and change settings (config.toml)",
        children=[
            Node("show", "Show the effective settings of a profile",
                 opts=[Opt("reveal-paths", "Also show where each value comes from", type=BOOL)],
                 examples=["flext config show", "flext -p prod config show -o json"],
                 hints=Hints("show list", "config", alone="config"),
                 handler="flext.commands.config:show"),
            Node("get", "Print one setting",
                 args=[Arg("key", "Dotted key, e.g. output or repl.edit_mode", completer="config_keys")],
                 examples=["flext config get output", "flext -p prod config get api_url"],
                 hints=Hints("show", "config"),
                 handler="flext.commands.config:get"),
            Node("set", "Set a setting in [defaults], or in the profile given with --profile",
                 args=[Arg("key", "Dotted key", completer="config_keys"), Arg("value", "New value")],
                 examples=["flext config set output json", "flext -p prod config set timeout 30"],
                 hints=Hints("set use", "config", then="to = as into"),
                 handler="flext.commands.config:set_", mutating=True),
            Node("unset", "Remove a setting",
                 args=[Arg("key", "Dotted key", completer="config_keys")],
                 examples=["flext config unset output"],
                 hints=Hints("unset delete clear", "config"),
                 handler="flext.commands.config:unset", mutating=True),
            Node("path", "Print the path of config.toml",
                 examples=["flext config path"],
                 hints=Hints("where", "config", prior=-0.3),
                 handler="flext.commands.config:path"),
            Node("edit", "Open config.toml in $VISUAL/$EDITOR, then validate it",
                 examples=["EDITOR=vim flext config edit"],
                 hints=Hints("edit", "config"),
                 handler="flext.commands.config:edit", mutating=True),
            Node("validate", "Check config.toml against the schema",
                 examples=["flext config validate"],
                 hints=Hints("validate check", "config"),
                 handler="flext.commands.config:validate"),
        ],
    ),
]
