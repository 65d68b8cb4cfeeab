"""What leaves the server in a response body: no secret of the workspace, no server path for viewers.

`mask(text)` is the server's one call into secret masking (`flext.core.mask.mask`, the
one masking function of every sink: every value this process has seen, in its raw,
JSON-escaped, shell-quoted and URL-encoded spellings, in linear time). It is the last line of defence:
a run record or log line written with a secret in it (a tap's stderr, an older flext)
is masked on its way out, whoever reads it.

`learn(ctx, ws)` makes the server know the workspace's secrets without running
anything: every `secret:NAME` that flext.toml references and every name in the secret
index of the server's profile is read once from the keyring (which remembers the value
for masking). It runs at start-up and again whenever flext.toml or the index changes.

`Relativizer` rewrites the workspace's absolute path to a relative one (and the home
directory to `~`) in what viewers receive: run records' log paths, the workspace, error
messages.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def mask(text: str) -> str:
    """Every known secret value masked (the one masking function: flext.core.mask)."""
    from flext.core.mask import mask as core_mask

    return core_mask(text)


def known() -> bool:
    """Whether any secret value is known at all (when none is, masking is skipped)."""
    from flext.core.mask import known as core_known

    return core_known()


def mask_tree(doc: Any) -> Any:
    """A copy of a JSON document with every string (keys too) masked."""
    from flext.core.mask import mask_tree as core_mask_tree

    return core_mask_tree(doc)


def references(doc: Any) -> set[str]:
    """Names of the `secret:NAME` strings anywhere in a parsed document."""
    from flext.core.mask import references as core_references

    return core_references(doc)


def learn(ctx: Any, doc: Any) -> list[str]:
    """Read (and so remember) the secrets the workspace refers to; the names that could not be read."""
    from flext.core.mask import learn as core_learn

    names = references(doc)
    try:
        names.update(ctx.secrets.names())
    except Exception:  # no index, or a damaged one: the references still count
        pass
    return core_learn(ctx.secrets, names)


class Relativizer:
    """Absolute server paths in a response body, rewritten for someone who must not see them."""

    def __init__(self, root: str, home: str | None) -> None:
        import json
        import re

        replacements: dict[str, str] = {}
        for path, short in ((home, "~"), (root, ".")):
            if not path or path == "/":
                continue
            for spelling in {path, os.path.realpath(path)}:
                replacements[spelling] = short
                replacements[json.dumps(spelling, ensure_ascii=False)[1:-1]] = short
        self._short = replacements
        ordered = sorted(replacements, key=len, reverse=True)  # the workspace before a home it lies in
        self._pattern = (re.compile("(" + "|".join(re.escape(p) for p in ordered) + r")(/|(?![\w.-]))")
                         if ordered else None)

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text

        def swap(found: Any) -> str:
            short = self._short[found.group(1)]
            if found.group(2) == "/":
                return "" if short == "." else short + "/"
            return short

        return self._pattern.sub(swap, text)


__all__ = ["Relativizer", "known", "learn", "mask", "mask_tree", "references"]
