"""`zoho-bulk gui`: the QApplication on a qasync event loop, the look, logging, and the main window."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app import __version__
from app.gui.appearance import apply_appearance
from app.gui.context import AppContext
from app.gui.errors import install_error_handlers
from app.gui.logfile import start_logging
from app.gui.preferences import Preferences

log = logging.getLogger("app.gui")


def make_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, named for QSettings and the desktop, high-DPI aware."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QCoreApplication.setOrganizationName("zoho-bulk")
    QCoreApplication.setApplicationName("zoho-bulk")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication(argv or [sys.argv[0]])
    app.setApplicationDisplayName("Zoho Bulk")
    QGuiApplication.setDesktopFileName("zoho-bulk")
    return app


def gui_command(args: argparse.Namespace) -> int:
    """Open the desktop app; with --smoke, open the main window, let it paint, and exit 0."""
    import qasync

    from app.gui.window import MainWindow

    app = make_application()
    preferences = Preferences()
    start_logging(getattr(logging, preferences.log_level(), logging.INFO))
    log.info("zoho-bulk %s starting (Qt platform %s)", __version__, QGuiApplication.platformName())
    apply_appearance(app, preferences.theme())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    install_error_handlers(loop)
    context = AppContext(preferences)
    window = MainWindow(context)
    window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    if getattr(args, "smoke", False):
        window.remember = False
        QTimer.singleShot(0, window.close)
        QTimer.singleShot(0, app.quit)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        context.shutdown()
        log.info("zoho-bulk closed")
    return 0
