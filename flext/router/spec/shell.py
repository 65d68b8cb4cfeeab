"""Top-level commands: help, interactive, explain, version, completion."""

from flext.router.spec import Arg, Hints, Node

# Words that mean something only inside the interactive shell (flext/repl/builtins.py declares
# them there, as commands); typed alone one-shot, free text says so instead of guessing.
SHELL_WORDS: dict[str, str] = {
    "use": "it sets the profile or workspace of the session",
    "exit": "it leaves the shell",
    "quit": "it leaves the shell",
    "clear": "it clears the screen",
}

NODES = [
    Node(
        "help", "Show help for a command or a topic",
        args=[Arg("words", "Command words or a topic (environment, exit-codes)", nargs="*", completer="commands")],
        examples=["flext help", "flext help pipeline start", "flext help exit-codes"],
        hints=Hints("help", need="", prior=-0.5),
        handler="flext.commands.help:help_cmd",
        see_also=("flext explain",),
    ),
    Node(
        "interactive", "Start the interactive shell",
        aliases=("shell", "i"),
        description="Completion, history search, aliases, context help (F1 or a trailing `?`) and free text.",
        examples=["flext interactive", "flext -p staging shell"],
        handler="flext.repl.session:interactive",
    ),
    Node(
        "explain", "Show the exact command a line would run, without running it",
        args=[Arg("text", "A command line, an alias, or free text", nargs="+", rest=True)],
        examples=["flext explain pipeline start orders", "flext explain st", "flext -o json explain start the orders pipeline"],
        handler="flext.commands.explain:explain",
    ),
    Node(
        "version", "Print the version",
        description="With --verbose, also print Python, platform and library versions.",
        examples=["flext version", "flext version --verbose"],
        hints=Hints("show version", "version", alone="version"),
        handler="flext.commands.help:version",
    ),
    Node(
        "completion", "Print the shell completion script",
        args=[Arg("shell", "The shell", choices=("bash", "zsh", "fish"))],
        description="Load it with `source <(flext completion bash)`, or install the file from completions/.",
        examples=["flext completion bash > ~/.local/share/bash-completion/completions/flext", "flext completion zsh"],
        handler="flext.commands.completion:completion",
    ),
]
