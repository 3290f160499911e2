"""The exception the study's rules raise, whichever door a request came through
(views, management commands, bots); subclasses say which rule (answers.TooFast,
services.AlreadyEnrolled)."""


class ServiceError(Exception):
    """A request the rules refuse; ``status`` is the HTTP status a view should send,
    ``code`` a word the page can act on ("" when it only shows the message)."""

    code = ""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status
