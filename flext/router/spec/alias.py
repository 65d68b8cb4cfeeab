"""`flext alias ...`"""

from flext.router.spec import Arg, Hints, Node

NODES = [
    Node(
        "alias", "Define shortcuts for command lines",
        aliases=("aliases",),
        description="An expansion may use $1..$9 for single arguments and $@ for all the rest; "
        "arguments not consumed are appended. Aliases may call aliases; they cannot shadow commands.",
        children=[
            Node("list", "List aliases", aliases=("ls",), examples=["flext alias list"],
                 hints=Hints("list show", "alias", alone="alias"),
                 handler="flext.commands.alias:list_"),
            Node("set", "Create or change an alias",
                 args=[Arg("name", "Alias name", completer="aliases"), Arg("expansion", "What it expands to", nargs="+")],
                 examples=["flext alias set st 'pipeline status'", "flext alias set logs50 'pipeline logs $1 --tail 50'"],
                 hints=Hints("create set", "alias", new="aliases", then="for to as"),
                 handler="flext.commands.alias:set_", mutating=True),
            Node("delete", "Delete an alias",
                 args=[Arg("name", "Alias name", completer="aliases")],
                 examples=["flext alias delete st"],
                 hints=Hints("delete", "alias"),
                 handler="flext.commands.alias:delete", mutating=True),
        ],
    ),
]
