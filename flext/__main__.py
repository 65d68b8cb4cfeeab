"""`python -m flext` entry point."""

import sys

from flext.cli import main

if __name__ == "__main__":
    sys.exit(main())
