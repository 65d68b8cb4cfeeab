"""`flext profile ...`"""

from flext.router.spec import BOOL, Arg, Hints, Node, Opt

NODES = [
    Node(
        "profile", "Manage profiles (sets of settings such as staging, prod)",
        aliases=("profiles",),
        children=[
            Node("list", "List profiles", examples=["flext profile list"],
            hints=Hints("list show", "profile", alone="profile"),
            handler="flext.commands.profile:list_",
                 aliases=("ls",)),
            Node("use", "Make a profile the current one",
                 args=[Arg("name", "Profile", completer="profiles")],
                 examples=["flext profile use staging"],
                 hints=Hints("use set", "profile", prior=0.2),
                 handler="flext.commands.profile:use", mutating=True),
            Node("create", "Create a profile (asks on a terminal when NAME is missing)",
                 args=[Arg("name", "New profile name", nargs="?")],
                 opts=[
                     Opt("from", "Copy the settings of this profile", completer="profiles", metavar="OTHER", dest="copy_from"),
                     Opt("inherit", "Inherit this profile's settings", completer="profiles", metavar="OTHER"),
                     Opt("api-url", "Remote API URL for this profile", metavar="URL"),
                     Opt("danger", "Mark the profile as dangerous (red in the shell)", type=BOOL),
                 ],
                 examples=["flext profile create staging --api-url http://staging:8081",
                           "flext profile create prod --inherit staging --danger"],
                 hints=Hints("create", "profile", new="profiles", need="one",
                             flags={"danger": "danger dangerous risky protected"},
                             opts={"from": "based from copy like clone", "inherit": "inherit inheriting inherits"}),
                 handler="flext.commands.profile:create", mutating=True),
            Node("delete", "Delete a profile",
                 args=[Arg("name", "Profile", completer="profiles")],
                 examples=["flext profile delete old --yes"],
                 hints=Hints("delete", "profile"),
                 handler="flext.commands.profile:delete",
                 destructive=True),
            Node("show", "Show a profile's own and effective settings",
                 args=[Arg("name", "Profile (default: current)", nargs="?", completer="profiles")],
                 examples=["flext profile show prod"],
                 hints=Hints("show", "profile"),
                 handler="flext.commands.profile:show"),
        ],
    ),
]
