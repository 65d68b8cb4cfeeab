"""`flext debug ...`"""

from flext.router.spec import Hints, Node

NODES = [
    Node(
        "debug", "Diagnose flext itself",
        children=[
            Node("info", "Versions, paths, keyring backend, config validity", examples=["flext debug info"],
                 hints=Hints("show", "debug info", alone="info", prior=-0.4),
                 handler="flext.commands.debug:info"),
            Node("paths", "Where flext keeps its files", examples=["flext debug paths"],
                 hints=Hints("show where", "file path", alone="file path", prior=-0.5),
                 handler="flext.commands.debug:paths"),
            Node("env", "FLEXT_* and related environment variables (secrets masked)", examples=["flext debug env"],
                 handler="flext.commands.debug:env"),
            Node("check", "Check config, keyring, directories and tools; exit 1 if anything is wrong",
                 examples=["flext debug check"],
                 hints=Hints("diagnose check", "debug", alone="debug", prior=-0.2),
                 handler="flext.commands.debug:check"),
            Node("connectivity", "Check that the profile's API (or local services) answer",
                 examples=["flext debug connectivity"],
                 hints=Hints("check show", "connectivity", alone="connectivity"),
                 handler="flext.commands.debug:connectivity"),
        ],
    ),
]
