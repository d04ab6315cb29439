"""The one exception the sheets room raises: a file that cannot be read or written, in one sentence."""

from __future__ import annotations

from pathlib import Path

from app.errors import ZohoBulkError


class SheetError(ZohoBulkError):
    """A spreadsheet could not be read; ``str(err)`` is one plain sentence naming the file and the reason."""

    verb = "read"

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f'Cannot {self.verb} "{self.path.name}": {reason}.')


class SheetWriteError(SheetError):
    """A report or export could not be written."""

    verb = "write"
