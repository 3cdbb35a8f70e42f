"""The one exception type a user sees as a one-line message (no traceback)."""


class PipelineError(Exception):
    """A failure the user can act on; the message says what went wrong and where."""
