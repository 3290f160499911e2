"""The front door, python -m generator: every subcommand and its --help."""
