"""Read the corpus in a fresh environment: the bundled plugins enabled, nothing else installed.

The parser follows the live tree, and plugin rows (`gruponos status`) are skipped when
their command is not in it; a developer's own data folder (a plugin disabled there)
must not decide what the tests check.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module", autouse=True)
def fresh_plugins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    from flext.plugins.index import forget
    from flext.router.spec import reset_tree

    base = tmp_path_factory.mktemp("nl-env")
    patch = pytest.MonkeyPatch()
    for key in list(os.environ):
        if key.startswith("FLEXT_"):
            patch.delenv(key)
    for key in ("CONFIG", "DATA", "STATE", "CACHE"):
        patch.setenv(f"FLEXT_{key}_DIR", str(base / key.lower()))
    forget()
    reset_tree()
    yield
    patch.undo()
    forget()
    reset_tree()
