"""python -m generator: the front door lives in generator/cli/ (docs/generator.md)."""

import sys

from generator.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
