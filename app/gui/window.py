"""The main window: a sidebar over the pages, menus with shortcuts, a status bar with the connection and API figures."""

from __future__ import annotations

import asyncio
import logging
import traceback
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.gui.appearance import line_icon
from app.gui.context import AppContext
from app.gui.errors import open_log_file
from app.gui.logfile import log_path
from app.gui.page import SPREADSHEETS, Page, hint
from app.gui.pages.cleanup import CleanupPage
from app.gui.pages.connections import ConnectionsPage
from app.gui.pages.convert import ConvertPage
from app.gui.pages.export import ExportPage
from app.gui.pages.jobs import JobsPage
from app.gui.pages.settings import SettingsPage

log = logging.getLogger("app.gui")

PAGES = ("Connections", "Import", "Export", "CRM Convert", "Cleanup", "Jobs", "Settings")
ICONS = ("connections", "import", "export", "convert", "cleanup", "jobs", "settings")
MNEMONICS = ("&Connections", "&Import", "&Export", "CRM Con&vert", "C&leanup", "&Jobs", "&Settings")
WORK = {"Import": "An import", "Export": "An export", "CRM Convert": "A CRM conversion", "Cleanup": "A cleanup",
        "Jobs": "A resumed job or an undo"}
"""What the window names when it asks before quitting during a page's job."""


def import_page(context: AppContext) -> QWidget:
    """The import wizard (app.gui.import_wizard), or an honest page saying why it could not load."""
    try:
        from app.gui.import_wizard import ImportPage

        return ImportPage(context)
    except Exception as error:  # noqa: BLE001 - the rest of the app must still open
        log.error("the import wizard did not load:\n%s", traceback.format_exc())
        page = Page("Import", "Bring a spreadsheet into Zoho.")
        page.body.addWidget(hint(f"The import wizard could not be loaded ({type(error).__name__}: {error}). "
                                 "The other pages work; the log file has the details (Help > Open log file)."))
        page.body.addStretch(1)
        return page


class MainWindow(QMainWindow):
    """Sidebar + stacked pages; every page gets the shared AppContext."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.remember = True  # write geometry, page and "welcomed" on close (not for --smoke)
        self.stopping = False  # the user chose to quit during a job: it is being stopped
        self.confirm_quit: QMessageBox | None = None
        context.window = self
        self.setWindowTitle("Zoho Bulk")
        self.setMinimumSize(960, 620)

        self.pages: dict[str, QWidget] = {
            "Connections": ConnectionsPage(context),
            "Import": import_page(context),
            "Export": ExportPage(context),
            "CRM Convert": ConvertPage(context),
            "Cleanup": CleanupPage(context),
            "Jobs": JobsPage(context),
            "Settings": SettingsPage(context),
        }
        self.stack = QStackedWidget()
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setIconSize(QSize(20, 20))
        for name, icon in zip(PAGES, ICONS, strict=True):
            item = QListWidgetItem(line_icon(icon), name)
            item.setSizeHint(QSize(180, 40))
            self.navigation.addItem(item)
            self.stack.addWidget(self.pages[name])
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)

        self.setCentralWidget(self._central())
        self._menus()
        self._status_bar()
        context.open_file_requested.connect(lambda _path: self.show_page("Import"))
        context.preferences.recent_changed.connect(self._refresh_recent_list)

        first = "Import" if context.preferences.first_run else context.preferences.text("window/page", "Import")
        self.show_page(first if first in PAGES else "Import")
        geometry = context.preferences.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)

    # --- layout -------------------------------------------------------------------------------

    def _central(self) -> QWidget:
        sidebar = QWidget()
        sidebar.setObjectName("sidebar")
        sidebar.setFixedWidth(212)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(8, 18, 8, 12)
        brand = QLabel("Zoho Bulk")
        brand.setObjectName("brand")
        sub = QLabel("Spreadsheets ⇄ Zoho, in bulk")
        sub.setObjectName("brandSub")
        for label in (brand, sub):
            label.setContentsMargins(14, 0, 0, 0)
            side.addWidget(label)
        side.addSpacing(14)
        side.addWidget(self.navigation, 1)
        version = QLabel(f"Version {__version__}")
        version.setObjectName("brandSub")
        version.setContentsMargins(14, 0, 0, 0)
        side.addWidget(version)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(sidebar)
        row.addWidget(self.stack, 1)
        return central

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        open_action = QAction("&Open spreadsheet…", self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self.open_spreadsheet)
        file_menu.addAction(open_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        go_menu = bar.addMenu("&Go")
        for number, (name, label) in enumerate(zip(PAGES, MNEMONICS, strict=True), start=1):
            action = QAction(label, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, n=name: self.show_page(n))
            go_menu.addAction(action)

        help_menu = bar.addMenu("&Help")
        log_action = QAction("Open &log file", self)
        log_action.triggered.connect(open_log_file)
        help_menu.addAction(log_action)
        about = QAction("&About Zoho Bulk", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.about)
        help_menu.addAction(about)

    def _status_bar(self) -> None:
        self.connection_label = QLabel()
        self.api_label = QLabel()
        self.api_label.setObjectName("hint")
        self.statusBar().addWidget(self.connection_label)
        self.statusBar().addPermanentWidget(self.api_label)
        self._client: object | None = None
        self.context.target_changed.connect(self._show_connection)
        self.context.client_active.connect(self._watch_client)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.show_counters)
        self._timer.start()
        self._show_connection()

    def _show_connection(self) -> None:
        name = self.context.current_connection_name()
        self.connection_label.setText(f"Connection: {name}")

    def _watch_client(self, client: object) -> None:
        self._client = client
        self.show_counters()

    @property
    def counted_client(self) -> object | None:
        """The client whose API counters the status bar shows: the last one a page announced."""
        return self._client

    def show_counters(self) -> None:
        """Redraw the API calls, rate and quota of the counted client now (a timer does it every second)."""
        counters = getattr(self._client, "counters", None)
        if counters is None:
            self.api_label.setText("")
            return
        quota = counters.quota_remaining
        parts = [f"API calls: {counters.calls:,}", f"{counters.calls_per_minute:,.0f}/min"]
        parts.append(f"quota left today: {quota:,}" if quota is not None else "quota left: —")
        self.api_label.setText("   ·   ".join(parts))

    # --- actions -------------------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        self.navigation.setCurrentRow(PAGES.index(name))

    def current_page(self) -> str:
        return PAGES[self.navigation.currentRow()]

    def open_spreadsheet(self) -> None:
        folder = self.context.preferences.last_folder("open") or Path.home()
        name, _ = QFileDialog.getOpenFileName(self, "Open spreadsheet", str(folder), SPREADSHEETS)
        if name:
            path = Path(name)
            self.context.preferences.set_last_folder("open", path.parent)
            self.context.open_file(path)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.context.preferences.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.context.open_file(p))
        if not recent:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    def _refresh_recent_list(self) -> None:
        """The import wizard's list of recent files follows the store at once, its chosen file still selected."""
        step = getattr(self.pages["Import"], "file_step", None)
        if step is None:  # the wizard did not load
            return
        chosen = step.path.text()
        step.fill_recent()
        for row in range(step.recent.count()):
            if step.recent.item(row).data(Qt.ItemDataRole.UserRole) == chosen:
                step.recent.setCurrentRow(row)

    def about(self) -> None:
        QMessageBox.about(
            self, "About Zoho Bulk",
            f"<b>Zoho Bulk {__version__}</b><p>Moves records between spreadsheets and Zoho Books and CRM: "
            "every bad cell shown before anything is sent, each row sent exactly once, a report for every run.</p>"
            f"<p>Log file: {log_path()}</p>",
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Redraw the navigation icons in the new text colour when the theme changes."""
        if event.type() == QEvent.Type.PaletteChange:
            for row, icon in enumerate(ICONS):
                self.navigation.item(row).setIcon(line_icon(icon))
        super().changeEvent(event)

    def busy_pages(self) -> list[str]:
        """The pages with a job under way (planning or running)."""
        return [name for name, page in self.pages.items()
                if isinstance(page, Page) and page.running() is not None]

    def _ask_before_quitting(self, busy: list[str]) -> None:
        """A window-modal question (the loop keeps running); quitting stops the jobs cleanly first."""
        if self.confirm_quit is not None:
            self.confirm_quit.raise_()
            return
        what = WORK.get(busy[0], "A job")
        box = QMessageBox(QMessageBox.Icon.Question, "Quit Zoho Bulk?", f"{what} is still running. Quit anyway?",
                          parent=self)
        box.setObjectName("confirmQuit")
        box.setInformativeText(
            "Quitting stops it: nothing new is sent and the requests already out come back first, so no "
            "record is sent twice. An unfinished job can be resumed later from the Jobs page; an export "
            "keeps the records it has already read.")
        stop = box.addButton("&Stop and quit", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("&Keep running", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setWindowModality(Qt.WindowModality.WindowModal)

        def answered() -> None:
            self.confirm_quit = None
            if box.clickedButton() is stop:
                self.stopping = True
                self.context.start(self._stop_then_close(), "Quitting")
            box.deleteLater()

        box.finished.connect(answered)
        self.confirm_quit = box
        box.open()

    async def _stop_then_close(self) -> None:
        """Cancel every page's job, wait until each has ended (journal written), then close for real."""
        self.statusBar().showMessage("Stopping: waiting for the requests already sent to come back\u2026")
        pages = [page for page in self.pages.values() if isinstance(page, Page) and page.running() is not None]
        for page in pages:
            page.shutdown()
        await asyncio.gather(*[t for p in pages if (t := p.running()) is not None], return_exceptions=True)
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        busy = self.busy_pages()
        if busy:
            event.ignore()
            if not self.stopping:
                self._ask_before_quitting(busy)
            return
        prefs = self.context.preferences
        if not self.remember:
            super().closeEvent(event)
            return
        prefs.set_geometry(self.saveGeometry())
        prefs.set_text("window/page", self.current_page())
        prefs.mark_welcomed()
        prefs.sync()
        super().closeEvent(event)
