"""`flext auth ...`: log in to a remote flext server; manage its tokens and users."""

from flext.router.spec import BOOL, Arg, Hints, Node, Opt

_ROLES = ("viewer", "operator", "admin")

NODES = [
    Node(
        "auth", "Log in to a remote flext server; manage API tokens and users",
        description="For profiles with api_url (a `flext serve` server). The token is kept in the OS keyring "
        "(secret api-token.<profile>); FLEXT_TOKEN, when set, wins. Roles: viewer reads, operator runs and "
        "stops pipelines and services, admin changes definitions and manages users and tokens.",
        children=[
            Node("login", "Log in with a user name and password; keep the token in the keyring",
                 opts=[Opt("username", "User name (default: the profile's `username`, else asked)", short="u",
                           metavar="U"),
                       Opt("password-stdin", "Read the password from standard input", type=BOOL)],
                 examples=["flext -p team auth login --username ana",
                           "printf %s \"$PW\" | flext -p team auth login -u ana --password-stdin"],
                 hints=Hints("login", "token"),
                 handler="flext.commands.auth:login", mutating=True),
            Node("logout", "Revoke the stored token on the server and forget it",
                 examples=["flext -p team auth logout"],
                 hints=Hints("logout"),
                 handler="flext.commands.auth:logout", mutating=True),
            Node("status", "Where the token is kept, and whether the server accepts it",
                 examples=["flext -p team auth status", "flext auth status -o json"],
                 hints=Hints("authstatus"),
                 handler="flext.commands.auth:status"),
            Node("whoami", "The user and role the server sees",
                 examples=["flext -p team auth whoami"],
                 hints=Hints("whoami"),
                 handler="flext.commands.auth:whoami"),
            Node("token", "API tokens of the server (admin)",
                 children=[
                     Node("create", "Create a token; it is shown once",
                          opts=[Opt("role", "Role of the token", choices=_ROLES),
                                Opt("name", "A name to recognise it by", metavar="N")],
                          examples=["flext auth token create --role viewer --name grafana",
                                    "flext auth token create --role operator -o json"],
                          handler="flext.commands.auth:token_create", mutating=True),
                     Node("list", "List tokens (ids, names, roles; never the secrets)", aliases=("ls",),
                          examples=["flext auth token list"],
                          hints=Hints("list show", "token", alone="token"),
                          handler="flext.commands.auth:token_list"),
                     Node("revoke", "Revoke a token by id",
                          args=[Arg("id", "Token id (see `auth token list`)")],
                          examples=["flext auth token revoke 3f2a9c1d0b7e"],
                          handler="flext.commands.auth:token_revoke", destructive=True),
                 ]),
            Node("user", "Users of the server (admin)",
                 children=[
                     Node("create", "Create a user (with a password to allow `auth login`)",
                          args=[Arg("name", "User name")],
                          opts=[Opt("role", "Role of the user", choices=_ROLES),
                                Opt("password-stdin", "Read the password from standard input", type=BOOL)],
                          examples=["flext auth user create ana --role operator",
                                    "printf %s \"$PW\" | flext auth user create ci --role viewer --password-stdin"],
                          handler="flext.commands.auth:user_create", mutating=True),
                     Node("list", "List users and their roles", aliases=("ls",),
                          examples=["flext auth user list"], handler="flext.commands.auth:user_list"),
                     Node("delete", "Delete a user and revoke their tokens", aliases=("rm",),
                          args=[Arg("name", "User name")],
                          examples=["flext auth user delete ana --yes"],
                          handler="flext.commands.auth:user_delete", destructive=True),
                 ]),
        ],
    ),
]
