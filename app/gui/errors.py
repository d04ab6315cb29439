"""Plain-language error dialogs: a sentence for the user, details and the log file for support."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.errors import ZohoBulkError
from app.gui.logfile import log_path

log = logging.getLogger("app.gui")


def plain_message(error: BaseException) -> str:
    """One sentence a user can act on; our own errors (ZohoBulkError) already speak plainly, others are named,
    and an unexpected one is logged with its traceback (once) so the log file has what support needs."""
    if isinstance(error, ZohoBulkError):
        return error.message or type(error).__name__
    if isinstance(error, FileNotFoundError):
        return f"The file {error.filename} does not exist."
    if isinstance(error, PermissionError):
        return f"The file {error.filename} cannot be opened: permission denied."
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"The system reported: {error.strerror}{where}."
    log_unexpected(error)
    return f"Something unexpected went wrong ({type(error).__name__}); the log file has the details."


def log_unexpected(error: BaseException, title: str = "Unexpected error") -> None:
    """Write the error and its traceback to the log, once per error however many views show it."""
    if getattr(error, "_zoho_bulk_logged", False):
        return
    log.error("%s: %s", title, type(error).__name__,
              exc_info=(type(error), error, error.__traceback__))
    with contextlib.suppress(AttributeError, TypeError):  # a built-in without a __dict__ is logged again
        error._zoho_bulk_logged = True  # type: ignore[attr-defined]  # a mark on the error: logged once


class ErrorDialog(QDialog):
    """A calm error message with an optional Details pane and a way to the log file."""

    def __init__(
        self, parent: QWidget | None, title: str, message: str, details: str | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(title)
        self.message = message
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        heading = QLabel(f"<b>{title}</b>")
        text = QLabel(message)
        text.setObjectName("errorMessage")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(details or "")
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        self.details.setMinimumHeight(120)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        if details:
            more = QPushButton("&Details")
            more.setCheckable(True)
            more.toggled.connect(self.details.setVisible)
            buttons.addButton(more, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_log = QPushButton("Open &log")
        self.open_log.setToolTip(str(log_path()))
        self.open_log.clicked.connect(open_log_file)
        buttons.addButton(self.open_log, QDialogButtonBox.ButtonRole.HelpRole)

        body = QVBoxLayout()
        body.addWidget(heading)
        body.addWidget(text)
        row = QHBoxLayout()
        row.addWidget(icon)
        row.addLayout(body, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.details)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)


def show_error(
    parent: QWidget | None, title: str, message: str, details: str | None = None
) -> ErrorDialog:
    """Show a window-modal error without blocking the event loop; return the dialog."""
    log.warning("%s: %s", title, message)
    dialog = ErrorDialog(parent, title, message, details)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def show_exception(parent: QWidget | None, title: str, error: BaseException) -> ErrorDialog:
    """Show the user one plain sentence; an unexpected error's traceback goes to the log (ours are logged as
    their sentence: they are expected)."""
    if not isinstance(error, ZohoBulkError):
        log_unexpected(error, title)
    details = None
    for name in ("status", "code", "field"):
        value = getattr(error, name, None)
        if value not in (None, ""):
            details = (details or "") + f"{name}: {value}\n"
    return show_error(parent, title, plain_message(error), details)


def open_log_file() -> bool:
    """Open the log file (or its folder when the file does not exist yet)."""
    path = log_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    target = path if path.exists() else path.parent
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))


def _active_window() -> QWidget | None:
    app = QApplication.instance()
    return app.activeWindow() if isinstance(app, QApplication) else None


def _excepthook(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    log.error("Unexpected error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
    with contextlib.suppress(AttributeError, TypeError):
        error._zoho_bulk_logged = True  # type: ignore[attr-defined]  # a mark on the error: logged once
    if QApplication.instance() is not None:
        show_error(_active_window(), "Something went wrong", plain_message(error))


def _asyncio_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    error = context.get("exception")
    if isinstance(error, asyncio.CancelledError):
        return
    if error is None:
        log.warning("asyncio: %s", context.get("message"))
        return
    _excepthook(type(error), error, error.__traceback__)


def install_error_handlers(loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Route uncaught errors (Qt slots and coroutines alike) to the log file and a plain dialog."""
    sys.excepthook = _excepthook
    if loop is not None:
        loop.set_exception_handler(_asyncio_handler)
