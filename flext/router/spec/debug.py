"""`flext debug ...`"""

from flext.router.spec import Node

NODES = [
    Node(
        "debug", "Diagnose flext itself",
        children=[
            Node("info", "Versions, paths, keyring backend, config validity", examples=["flext debug info"],
                 handler="flext.commands.debug:info"),
            Node("paths", "Where flext keeps its files", examples=["flext debug paths"],
                 handler="flext.commands.debug:paths"),
            Node("env", "FLEXT_* and related environment variables (secrets masked)", examples=["flext debug env"],
                 handler="flext.commands.debug:env"),
            Node("check", "Check config, keyring, directories and tools; exit 1 if anything is wrong",
                 examples=["flext debug check"], handler="flext.commands.debug:check"),
            Node("connectivity", "Check that the profile's API (or local services) answer",
                 examples=["flext debug connectivity"], handler="flext.commands.debug:connectivity"),
        ],
    ),
]
