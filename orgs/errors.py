"""Domain errors: mistakes a user can make, each with a Chinese message to show them."""


class DomainError(Exception):
    """Turned into a form error, a 400 with a JSON body, or a row in an import report."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
