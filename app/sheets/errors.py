"""The one exception the sheets room raises: a file that cannot be read or written, in one sentence."""

from __future__ import annotations

from pathlib import Path


class SheetError(Exception):
    """A spreadsheet could not be read or written; ``str(err)`` is one plain sentence naming the file."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f'Cannot read "{self.path.name}": {reason}.')


class SheetWriteError(SheetError):
    """A report or export could not be written."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(path, reason)
        self.args = (f'Cannot write "{self.path.name}": {reason}.',)

    def __str__(self) -> str:
        return str(self.args[0])
