"""The support log file: where it lives and how the app's log records reach it."""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

from app.private import POSIX, private_folder
from app.zoho.redaction import RedactingFilter

APP_NAME = "zoho-bulk"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class _PrivateLog(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file (the first and each after a rollover) is the user's alone:
    it names the files imported and Zoho's answers about their rows."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if POSIX:
            os.chmod(self.baseFilename, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # type: ignore[return-value]  # a text mode


def log_dir() -> Path:
    """The folder that holds the log file (the platform's user log directory)."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_path() -> Path:
    """The log file a user sends to support."""
    return log_dir() / "zoho-bulk.log"


def start_logging(level: int = logging.INFO) -> Path:
    """Send the app's log records to a rotating log file once per process; return its path."""
    path = log_path()
    root = logging.getLogger()
    if any(getattr(h, "zoho_bulk_log", False) for h in root.handlers):
        return path
    private_folder(path.parent)
    handler = _PrivateLog(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactingFilter())  # every record, whichever logger: no token or secret reaches the file
    handler.zoho_bulk_log = True  # type: ignore[attr-defined]  # a mark: this process's handler is on
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    # Request URLs and headers may carry tokens; the client redacts its own log lines,
    # and httpx's per-request lines add nothing for support.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
