"""Requirement strings and version order, as `requires` uses them."""

from __future__ import annotations

import pytest

from flext.plugins.version import Requirement, key, valid


@pytest.mark.parametrize(("text", "version", "allowed"), [
    ("other", "0.1", True),
    ("other>=1.2", "1.2.0", True),
    ("other>=1.2", "1.10", True),
    ("other>=1.2", "1.1.9", False),
    ("other>=1.2,<2", "2.0", False),
    ("other>=1.2,<2", "1.9.9", True),
    ("other==1.2", "1.2.0", True),
    ("other==1.2.*", "1.2.7", True),
    ("other==1.2.*", "1.3", False),
    ("other!=1.2.*", "1.3", True),
    ("other~=1.4.2", "1.4.9", True),
    ("other~=1.4.2", "1.5.0", False),
    ("other~=1.4", "1.9", True),
    ("other~=1.4", "2.0", False),
    ("other>1.0", "1.0.1rc1", True),
    ("other<1.0", "1.0rc1", True),
    ("other>=1.0", "1.0rc1", False),
])
def test_allows(text: str, version: str, allowed: bool) -> None:
    assert Requirement(text).allows(version) is allowed


@pytest.mark.parametrize("text", ["", "Other", "other >= ", "other>=x.y", "other=1", "1other"])
def test_invalid_requirements(text: str) -> None:
    with pytest.raises(ValueError):
        Requirement(text)


def test_order() -> None:
    versions = ["1.0", "1.0.0.1", "0.9", "1.0rc1", "1.0a2", "1.0b1", "1.0.dev3", "10.0", "2.0"]
    assert sorted(versions, key=key) == ["0.9", "1.0.dev3", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0.0.1", "2.0", "10.0"]
    assert key("1.0") == key("1.0.0")
    assert valid("v1.2.3") and not valid("1.x")
