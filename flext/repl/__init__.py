"""The interactive shell: small modules composed in `session.py`.

`words` splits a partial line, `analyze` decides what kind of thing to suggest (pure),
`names` holds the live names refreshed on a background thread, `completer`, `lexer`,
`keys`, `toolbar`, `history` and `help` plug those into prompt_toolkit, `builtins`
adds the session-only words (`use profile NAME`, `exit`), `wizards` asks for what a
command is missing. Nothing here is imported by one-shot commands.
"""
