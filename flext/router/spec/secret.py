"""`flext secret ...`"""

from flext.router.spec import BOOL, Arg, Hints, Node, Opt

NODES = [
    Node(
        "secret", "Store secrets in the OS keyring",
        aliases=("secrets",),
        description="Values live only in the keyring; flext keeps an index of names. Reference a secret "
        "from config as `secret:NAME`; it is resolved only when handed to a process or a request.",
        children=[
            Node("set", "Store a secret (from a hidden prompt or --from-stdin, never argv)",
                 args=[Arg("name", "Secret name", completer="secrets")],
                 opts=[Opt("from-stdin", "Read the value from standard input", type=BOOL)],
                 examples=["flext secret set oracle_password", "printf %s \"$PW\" | flext secret set oracle_password --from-stdin"],
                 hints=Hints("set create", "secret", new="secrets"),
                 handler="flext.commands.secret:set_", mutating=True),
            Node("list", "List secret names (never values)", aliases=("ls",),
                 examples=["flext secret list"],
                 hints=Hints("list show", "secret", alone="secret"),
                 handler="flext.commands.secret:list_"),
            Node("delete", "Delete a secret",
                 args=[Arg("name", "Secret name", completer="secrets")],
                 examples=["flext secret delete oracle_password --yes"],
                 hints=Hints("delete", "secret"),
                 handler="flext.commands.secret:delete",
                 destructive=True),
            Node("get", "Print a secret's value (needs --reveal)",
                 args=[Arg("name", "Secret name", completer="secrets")],
                 opts=[Opt("reveal", "Really print the value", type=BOOL)],
                 examples=["flext secret get oracle_password --reveal"], handler="flext.commands.secret:get"),
            Node("where", "Show which keyring backend holds secrets",
                 examples=["flext secret where"],
                 hints=Hints("where", "secret keyring", prior=-0.5),
                 handler="flext.commands.secret:where"),
        ],
    ),
]
