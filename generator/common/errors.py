"""The one error type the front door turns into a one-line message."""


class InputError(ValueError):
    """Bad input from the user: the message names the file or value and the problem."""
