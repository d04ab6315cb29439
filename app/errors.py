"""The one root of zoho-bulk's own errors: a plain sentence for the user and the exit code the command line gives."""

from __future__ import annotations

NOTHING_SENT = 2  # the command refused before anything was sent: bad usage, unreadable file, no credentials
STOPPED_EARLY = 3  # the run stopped early (cancelled, quota spent, Zoho unreachable) and can be resumed


class ZohoBulkError(Exception):
    """An error zoho-bulk raises on purpose: `message` is one plain sentence a user can act on, shown as it is
    (never a traceback), and `exit_code` what the command line returns when the error ends a command.

    The GUI and the command line tell these from unexpected errors with `isinstance(error, ZohoBulkError)`;
    anything else is unexpected: logged with its traceback and shown as "something unexpected went wrong".
    """

    exit_code: int = NOTHING_SENT

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message
