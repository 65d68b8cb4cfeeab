"""Conversational parser: free text -> one command of the tree (deterministic, offline).

`start the orders pipeline` -> `pipeline start orders`; `which pipelines failed?` ->
`pipeline list --status failed`; `show me the logs of flexcore` -> `service logs
flexcore` when flexcore is a service. The parts, one concept each:

- `words`: the vocabulary (verbs, nouns, statuses, phrases), plain data;
- `tok`, `tokens`: one word and its roles; a line -> tokens (phrases, clause breaks);
- `forms`: what the sentence's form says (a question tells, `I need X installed` asks);
- `typos`, `asides`: typos of our own words; clauses that ask for nothing;
- `slots`: option values hidden in the words (`last 50 lines`, `as json`);
- `names`: the names of things that exist (`World`), found typo-tolerant;
- `rules`: the rule a command's hints on the tree (`Node.hints`) declare;
- `derive`: a rule made from the words of a command without hints (plugin commands);
- `grammar`: the rules of one tree, cached per tree;
- `text`, `candidate`, `fill`, `hinted`, `score`: what a line says, and each rule scored;
- `reader`: `read(text, world) -> Reading`; `wiring`: `explain`, `free_text`, `split_line`.
"""

from __future__ import annotations

from flext.router.nl.names import KINDS, World
from flext.router.nl.reader import MISSING, NONE, OK, UNCLEAR, Reading, read
from flext.router.nl.wiring import explain, free_text, split_line, world_for

__all__ = ["KINDS", "MISSING", "NONE", "OK", "UNCLEAR", "Reading", "World", "explain", "free_text", "read", "split_line",
           "world_for"]
