"""Conversational parser: free text -> one command of the tree (deterministic, offline).

`start the orders pipeline` -> `pipeline start orders`; `which pipelines failed?` ->
`pipeline list --status failed`; `show me the logs of flexcore` -> `service logs
flexcore` when flexcore is a service. The parts, one concept each:

- `words`: the vocabulary (verbs, nouns, statuses, phrases), plain data;
- `tokens`: a line -> tokens with roles; `slots`: option values hidden in the words;
- `names`: the names of things that exist (`World`), found typo-tolerant;
- `rules`: the rule a command's hints on the tree (`Node.hints`) declare;
- `derive`: a rule made from the words of a command without hints (plugin commands);
- `grammar`: the rules of one tree, cached per tree;
- `text`, `candidate`, `score`: what a line says, and each rule scored against it;
- `reader`: `read(text, world) -> Reading`; `wiring`: `explain`, `free_text`, `split_line`.
"""

from __future__ import annotations

from flext.router.nl.names import KINDS, World
from flext.router.nl.reader import MISSING, NONE, OK, UNCLEAR, Reading, read
from flext.router.nl.wiring import explain, free_text, split_line, world_for

__all__ = ["KINDS", "MISSING", "NONE", "OK", "UNCLEAR", "Reading", "World", "explain", "free_text", "read", "split_line",
           "world_for"]
