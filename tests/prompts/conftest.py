"""The wizards run against the same example world as the shell's tests."""

from tests.repl.conftest import world  # noqa: F401  (fixture)
