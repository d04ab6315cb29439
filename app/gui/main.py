"""The desktop app's start: the QApplication on a qasync event loop, the look, logging, and the main window."""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import sys
from collections.abc import Mapping

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

# Libraries Qt's xcb platform plugin loads that a desktop may lack, and the Debian/Ubuntu package
# of each (Qt 6.5+ needs libxcb-cursor0; Qt itself then aborts with "could not load ... xcb").
XCB_LIBRARIES = {"libxcb-cursor.so.0": "libxcb-cursor0"}
# Platforms that need no display at all.
HEADLESS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")


def display_problem(env: Mapping[str, str] = os.environ, *,
                    xcb_libraries: Mapping[str, str] = XCB_LIBRARIES) -> str | None:
    """Why Qt could not open a window here, in one sentence; None when it can (or it is not Linux).

    Qt on Linux tries QT_QPA_PLATFORM's platforms in turn (default: xcb; wayland first in a
    Wayland session) and aborts the process when none can start.
    """
    if not sys.platform.startswith("linux"):
        return None
    wanted = [p.split(":")[0].strip() for p in env.get("QT_QPA_PLATFORM", "").split(";") if p.strip()]
    if not wanted:
        wanted = ["wayland", "xcb"] if env.get("XDG_SESSION_TYPE") == "wayland" else ["xcb"]
    reasons: list[str] = []
    for platform in wanted:
        if platform in HEADLESS:
            return None
        if platform.startswith("wayland"):
            if env.get("WAYLAND_DISPLAY"):
                return None
            reasons.append("there is no display (WAYLAND_DISPLAY is not set)")
        elif platform == "xcb":
            missing = [package for library, package in xcb_libraries.items() if not _loads(library)]
            if missing:
                reasons.append(f"the system package {' and '.join(missing)} is missing "
                               f"(e.g. sudo apt install {' '.join(missing)})")
            elif not env.get("DISPLAY"):
                reasons.append("there is no display (DISPLAY is not set)")
            elif not _x_display_exists(env["DISPLAY"]):
                reasons.append(f"the display {env['DISPLAY']} is not running")
            else:
                return None
        else:
            return None  # a platform we do not know: Qt will say
    return "; ".join(dict.fromkeys(reasons)) or None


def _x_display_exists(display: str) -> bool:
    """A local display (":0", "unix:0.0") listens on /tmp/.X11-unix/X0, as a file or in the abstract
    namespace (/proc/net/unix lists both); a remote one is left to Qt."""
    host, _, number = display.partition(":")
    number = number.split(".")[0]
    if host not in ("", "unix") or not number.isdigit():
        return True
    socket = f"/tmp/.X11-unix/X{number}"
    if os.path.exists(socket):
        return True
    try:
        with open("/proc/net/unix", encoding="utf-8", errors="replace") as listening:
            return any(line.rstrip().endswith(socket) for line in listening)
    except OSError:
        return True


def _loads(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


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


def window_problem() -> str | None:
    """Why no window can open here (no display, a missing Qt library), in one sentence; None when one can."""
    return None if QApplication.instance() else display_problem()


def run_app(*, smoke: bool = False) -> int:
    """Open the desktop app and run it until it closes; with `smoke`, open the main window, let it paint, and
    close it (the packaging check)."""
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
    if smoke:
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
