"""flext: one command-line shell for a FLEXT data-integration platform."""

__version__ = "0.1.0"
__all__ = ["__version__"]
