"""The state every page shares: the selected connection and its target, preferences, errors, background work."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from app.gui.background import in_background
from app.gui.errors import ErrorDialog, plain_message
from app.gui.errors import show_error as _show_error
from app.gui.errors import show_exception as _show_exception
from app.gui.preferences import Preferences
from app.jobs import Target, TargetError, connection_target, sandbox_target
from app.zoho import BooksClient, ConnectionStore

T = TypeVar("T")
log = logging.getLogger("app.gui")

SANDBOX_NAME = "Sandbox (offline)"
"""The built-in connection: the embedded sandbox, there from the first start, no account needed."""


class AppContext(QObject):
    """Shared by the window and every page; holds no business rules, only what the views need in common.

    `sandbox_settings` (an app.sandbox SandboxSettings) and `sandbox_db` let tests run the
    built-in sandbox with their own limits and file; by default it keeps its data under the
    user data folder, like the command line's embedded sandbox.
    """

    target_changed = Signal()
    """The selected connection changed (pages re-read what depends on it)."""
    jobs_changed = Signal()
    """A run ended (import, export, conversion): the Jobs page refreshes."""
    connections_changed = Signal()
    """A connection was added, removed or made the default."""
    client_active = Signal(object)
    """A page started talking to Zoho with this BooksClient/CrmClient; the status bar shows its counters."""
    open_file_requested = Signal(object)
    """Open this spreadsheet (a Path) in the import wizard (File > Open, recent files, samples)."""

    def __init__(
        self,
        preferences: Preferences | None = None,
        store: ConnectionStore | None = None,
        *,
        sandbox_settings: Any = None,
        sandbox_db: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.preferences = preferences or Preferences()
        self.store = store or ConnectionStore()
        self.window: QWidget | None = None  # parent of dialogs; set by the main window
        self._sandbox_settings = sandbox_settings
        self._sandbox_db = sandbox_db
        self._sandbox: Any = None  # app.sandbox.EmbeddedSandbox, started on first use
        self._targets: dict[str, Target] = {}
        self._current = self._initial_connection()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.url_opener: Callable[[str], object] = lambda url: QDesktopServices.openUrl(QUrl(url))

    # --- the selected connection -------------------------------------------------------------

    def _initial_connection(self) -> str:
        wanted = self.preferences.text("connection/default") or self.preferences.text("connection/current")
        if wanted and wanted in self.connection_names():
            return wanted
        return SANDBOX_NAME

    def connection_names(self) -> list[str]:
        """The built-in sandbox first, then the saved Zoho connections (an unreadable file: none)."""
        try:
            saved = [c.name for c in self.store.list()]
        except Exception as error:  # noqa: BLE001 - a broken settings file must not stop the app
            log.warning("cannot list connections: %s", plain_message(error))
            saved = []
        return [SANDBOX_NAME, *[n for n in saved if n != SANDBOX_NAME]]

    def current_connection_name(self) -> str:
        return self._current

    def is_sandbox(self, name: str | None = None) -> bool:
        return (name or self._current) == SANDBOX_NAME

    def set_connection(self, name: str) -> None:
        """Select the connection jobs run against; remembered for the next start."""
        if name == self._current:
            return
        self._current = name
        self.preferences.set_text("connection/current", name)
        self.target_changed.emit()

    def forget_connection(self, name: str) -> None:
        """Drop the cached target of a removed or changed connection; fall back to the sandbox."""
        self._targets.pop(name, None)
        if name == self._current:
            self._current = ""
            self.set_connection(SANDBOX_NAME)
        self.connections_changed.emit()

    def target(self) -> Target:
        """The app.jobs Target of the selected connection (TargetError: a plain sentence)."""
        return self.target_for(self._current)

    def target_for(self, name: str) -> Target:
        """The Target of any connection, the built-in sandbox included (cached: one throttle each)."""
        cached = self._targets.get(name)
        if cached is not None:
            return cached
        if name == SANDBOX_NAME:
            target = sandbox_target(self.sandbox_url(), name=SANDBOX_NAME, identity="embedded sandbox")
        else:
            target = connection_target(name, self.store)
        target = self._announcing(target)
        self._targets[name] = target
        return target

    def _announcing(self, target: Target) -> Target:
        """The same target, each client it makes announced (client_active): whichever page or job makes
        it (an import, an export, a conversion, a resumed job), the status bar follows its calls and quota."""
        def announced(make: Callable[[], T]) -> Callable[[], T]:
            def make_and_announce() -> T:
                client = make()
                self.client_active.emit(client)
                return client

            return make_and_announce

        crm = announced(target.make_crm) if target.make_crm is not None else None
        return dataclasses.replace(target, make_client=announced(target.make_client), make_crm=crm)

    def books(self) -> BooksClient:
        """A new Books client of the selected connection, announced to the status bar (also when a
        subclass's target() makes clients that do not announce themselves)."""
        client = self.target().books()
        self.client_active.emit(client)
        return client

    # --- the built-in sandbox --------------------------------------------------------------------

    def sandbox_url(self) -> str:
        """Start the embedded sandbox on a loopback port (once) and give its URL."""
        if self._sandbox is None:
            from app.jobs.target import embedded_db
            from app.sandbox import EmbeddedSandbox, SandboxSettings

            settings = self._sandbox_settings or SandboxSettings()
            try:
                self._sandbox = EmbeddedSandbox(settings, db_path=self._sandbox_db or embedded_db()).start()
            except Exception as error:  # noqa: BLE001 - the user sees one sentence
                log.exception("the built-in sandbox did not start")
                raise TargetError(f"The built-in sandbox could not start: {plain_message(error)}") from None
            log.info("built-in sandbox at %s", self._sandbox.url)
        return str(self._sandbox.url)

    def shutdown(self) -> None:
        """Stop the embedded sandbox (on quit), let background reads end, and write the preferences."""
        QThreadPool.globalInstance().waitForDone(5000)
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
        self._targets.pop(SANDBOX_NAME, None)
        self.preferences.sync()

    # --- what views do in common --------------------------------------------------------------

    def show_error(self, title: str, message: str, details: str | None = None) -> ErrorDialog:
        """A plain-language dialog (never a traceback) with an Open log button; does not block the loop."""
        return _show_error(self.window, title, message, details)

    def show_exception(self, title: str, error: BaseException) -> ErrorDialog:
        """Log the whole story, show one plain sentence."""
        return _show_exception(self.window, title, error)

    def start(self, work: Coroutine[Any, Any, T], failure_title: str) -> asyncio.Task[T]:
        """Run a coroutine on the Qt loop (qasync); an error that escapes it becomes a plain dialog."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)

        def ended(done: asyncio.Task[T]) -> None:
            self._tasks.discard(done)
            if not done.cancelled() and (error := done.exception()) is not None:
                self.show_exception(failure_title, error)

        task.add_done_callback(ended)
        return task

    def open_url(self, url: str) -> object:
        """Open a web address in the system browser (tests replace `url_opener`)."""
        return self.url_opener(url)

    def open_path(self, path: Path) -> bool:
        """Open a file or folder with the system's default application."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def run_in_background(self, fn: Callable[..., T], *args: Any) -> Awaitable[T]:
        """Run fn(*args) on a worker thread; await the result on the Qt loop (qasync)."""
        return in_background(fn, *args)

    def open_file(self, path: Path) -> None:
        """Ask the import wizard to open a spreadsheet; remembered among the recent files."""
        self.preferences.add_recent_file(path)
        self.open_file_requested.emit(Path(path))
