"""``python -m generator``: the generator's front door (docs/design.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _demo(args: argparse.Namespace) -> int:
    from generator.placeholder import placeholder_set_write

    manifest = placeholder_set_write(Path(args.out))
    print(f"wrote {manifest}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="write the small stimulus set that `make demo` serves")
    demo.add_argument("--out", default="stimuli/demo", help="folder for the set (default: %(default)s)")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
