"""Step 1 of the import wizard: the file (dropped, opened, recent or a sample), its sheet, the record type and operation."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.entities import ENTITIES, OPERATIONS
from app.gui.import_wizard.session import Context, Session
from app.resources import samples_dir
from app.sheets import sheet_names
from app.sheets.encodings import Candidate

FILE_FILTER = "Spreadsheets (*.xlsx *.xlsm *.xls *.xlsb *.ods *.csv *.tsv *.txt);;All files (*)"
SAMPLES = ("contacts.xlsx", "salesorders.xlsx", "creditnotes.xlsx", "salesorders-with-problems.csv")
"""The shipped sample spreadsheets (resources/samples), in the order a new user meets them."""
FIRST_SAMPLE = "contacts.xlsx"
WELCOME = ("<b>Welcome to Zoho Bulk.</b> It sends the rows of a spreadsheet to Zoho Books (contacts, sales "
           "orders, credit notes), shows every bad cell before anything is sent, and ends each run with a "
           "per-row report. The <b>Sandbox (offline)</b> connection is a practice Zoho on this computer: "
           "no account needed. The contacts sample is chosen — press <b>Next</b> to try it.")
OPERATION_TEXT = {
    "create": "Create new records",
    "update": "Update existing records",
    "upsert": "Update, or create when missing",
    "skip-existing": "Create, skip the ones that exist",
}


def guess_entity(path: Path) -> str | None:
    """The record type a file name suggests ("credit-notes.xlsx" -> creditnotes), None when it says nothing."""
    name = path.stem.casefold().replace(" ", "").replace("-", "").replace("_", "")
    for key, words in (("creditnotes", ("creditnote", "credit")), ("salesorders", ("salesorder", "order")),
                       ("contacts", ("contact", "customer", "vendor"))):
        if any(w in name for w in words):
            return key
    return None


class FileStep(QWidget):
    """Choosing the input; the sheet list is read off the GUI thread."""

    changed = Signal()  # whether Next is possible may have changed

    def __init__(self, context: Context, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileStep")
        self.setAcceptDrops(True)
        self._context = context
        self._session = session
        self.sheets_loaded = False

        drop = QLabel("Drop a spreadsheet here, or open one.")
        drop.setObjectName("dropHint")
        drop.setAlignment(Qt.AlignmentFlag.AlignCenter)
        drop.setMinimumHeight(60)
        drop.setStyleSheet("QLabel#dropHint { border: 2px dashed palette(mid); border-radius: 8px; }")
        self.path = QLineEdit()
        self.path.setObjectName("filePath")
        self.path.setReadOnly(True)
        self.path.setPlaceholderText("No file chosen")
        self.browse = QPushButton("&Open file\u2026")
        self.browse.setObjectName("openFile")
        self.browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)

        self.recent = QListWidget()
        self.recent.setObjectName("recentFiles")
        self.recent.setMaximumHeight(160)
        self.recent.itemActivated.connect(self._pick_recent)
        self.recent.itemDoubleClicked.connect(self._pick_recent)

        self.sheet = QComboBox()
        self.sheet.setObjectName("sheet")
        self.entity = QComboBox()
        self.entity.setObjectName("entity")
        for name, ent in ENTITIES.items():
            self.entity.addItem(f"{ent.label}s" if not ent.label.endswith("s") else ent.label, name)
        self.operation = QComboBox()
        self.operation.setObjectName("operation")
        for op in OPERATIONS:
            self.operation.addItem(OPERATION_TEXT.get(op, op), op)
        self.encoding = QComboBox()  # shown when the encoding of a text file is not certain
        self.encoding.setObjectName("encoding")
        self.encoding.setToolTip("How the file's first differing line reads in each encoding it may be in: "
                                 "pick the one that reads right.")
        self.status = QLabel()
        self.status.setObjectName("fileStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.welcome = QLabel(WELCOME)
        self.welcome.setObjectName("welcome")
        self.welcome.setWordWrap(True)
        self.welcome.setStyleSheet("QLabel#welcome { background: palette(base); border: 1px solid palette(mid);"
                                   " border-radius: 8px; padding: 10px 12px; }")
        self.welcome.setVisible(False)

        form = QFormLayout()
        sheet_label = QLabel("&Sheet:")
        sheet_label.setBuddy(self.sheet)
        entity_label = QLabel("&Record type:")
        entity_label.setBuddy(self.entity)
        op_label = QLabel("O&peration:")
        op_label.setBuddy(self.operation)
        form.addRow(sheet_label, self.sheet)
        self.encoding_label = QLabel("&Encoding:")
        self.encoding_label.setBuddy(self.encoding)
        form.addRow(self.encoding_label, self.encoding)
        self.encoding_label.setVisible(False)
        self.encoding.setVisible(False)
        form.addRow(entity_label, self.entity)
        form.addRow(op_label, self.operation)

        recent_label = QLabel("Re&cent files and samples:")
        recent_label.setBuddy(self.recent)
        layout = QVBoxLayout(self)
        layout.addWidget(self.welcome)
        layout.addSpacing(6)
        layout.addWidget(drop)
        layout.addLayout(row)
        layout.addWidget(recent_label)
        layout.addWidget(self.recent)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.fill_recent()
        if context.preferences.first_run:
            self.welcome_new_user()

    # --- choices ---

    def fill_recent(self) -> None:
        self.recent.clear()
        seen: set[Path] = set()
        for path in self._context.preferences.recent_files():
            if path not in seen and Path(path).exists():
                seen.add(path)
                item = QListWidgetItem(str(path))
                item.setData(Qt.ItemDataRole.UserRole, str(path))
                self.recent.addItem(item)
        for name in SAMPLES:
            sample = samples_dir() / name
            if sample.is_file() and sample not in seen:
                item = QListWidgetItem(f"Sample: {sample.name}")
                item.setData(Qt.ItemDataRole.UserRole, str(sample))
                item.setToolTip("A sample file shipped with zoho-bulk; import it into the sandbox to try things out.")
                self.recent.addItem(item)

    def welcome_new_user(self) -> None:
        """First run: say what the app does and pre-select the contacts sample, so Next works at once.

        The shipped sample is tiny, so its sheets are listed right here rather than on a worker thread.
        """
        sample = samples_dir() / FIRST_SAMPLE
        try:
            names = sheet_names(sample)
        except Exception:  # noqa: BLE001 - a broken install still opens; the user picks a file
            return
        self.welcome.setVisible(True)
        self.path.setText(str(sample))
        self._chosen(sample, names, "contacts", None)

    def _browse(self) -> None:
        start = self._context.preferences.text("folders/import") or str(Path.home())
        name, _ = QFileDialog.getOpenFileName(self, "Open a spreadsheet", start, FILE_FILTER)
        if name:
            self.choose_new(Path(name))

    def _pick_recent(self, item: QListWidgetItem) -> None:
        self.choose_new(Path(str(item.data(Qt.ItemDataRole.UserRole))))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.choose_new(files[0])

    def choose_new(self, path: Path) -> asyncio.Future[None]:
        """A file the user picked: its mapping is proposed afresh."""
        self._session.keep_mapping = None
        if path != samples_dir() / FIRST_SAMPLE:
            self.welcome.setVisible(False)  # it says the contacts sample is chosen
        return self.choose(path)

    def choose(self, path: Path, *, entity: str | None = None, operation: str | None = None) -> asyncio.Future[None]:
        """Take `path` as the input: list its sheets off the GUI thread, guess the record type from its name."""
        from app.gui.import_wizard.session import Tasks

        self.sheets_loaded = False
        self.path.setText(str(path))
        self.sheet.clear()
        self.ask_encoding([])
        self.status.setText("Reading the file\u2026")
        self.changed.emit()
        tasks = self.findChild(Tasks) or Tasks(self._context, self)
        return tasks.start(self._choose(path, entity, operation), "The file cannot be read")

    async def _choose(self, path: Path, entity: str | None, operation: str | None) -> None:
        try:
            names = await self._context.run_in_background(sheet_names, path)
        except Exception as error:  # noqa: BLE001 - SheetError and OS errors: one plain sentence
            from app.gui.errors import plain_message

            self.status.setText(plain_message(error))
            self._session.file = None
            self.changed.emit()
            return
        self._chosen(path, names, entity, operation)

    def _chosen(self, path: Path, names: list[str], entity: str | None, operation: str | None) -> None:
        self.sheet.clear()
        self._session.file = path
        self.recent.setCurrentRow(next((row for row in range(self.recent.count())
                                        if self.recent.item(row).data(Qt.ItemDataRole.UserRole) == str(path)), -1))
        self.sheet.addItems(names)
        wanted = entity or guess_entity(path)
        if wanted:
            self.entity.setCurrentIndex(max(self.entity.findData(wanted), 0))
        if operation:
            self.operation.setCurrentIndex(max(self.operation.findData(operation), 0))
        self.status.setText(f"{len(names)} sheet{'s' if len(names) != 1 else ''} in {path.name}.")
        self._context.preferences.set_text("folders/import", str(path.parent))
        if not path.resolve().is_relative_to(samples_dir().resolve()):
            self._context.preferences.add_recent_file(path)
        self.sheets_loaded = True
        self.changed.emit()

    def ask_encoding(self, candidates: list[Candidate]) -> None:
        """Offer the encodings the file may be in, each with how it reads; none hides the choice."""
        self.encoding.clear()
        for c in candidates:
            self.encoding.addItem(f"{c.encoding} \u2014 {c.preview}", c.encoding)
        self.encoding.setVisible(bool(candidates))
        self.encoding_label.setVisible(bool(candidates))
        if candidates:
            self.status.setText("The file's encoding is not certain: pick the encoding whose text reads right, "
                                "then press Next.")
            self.encoding.setFocus()

    # --- what the wizard reads ---

    def can_next(self) -> bool:
        return self.sheets_loaded and self._session.file is not None

    def store(self) -> None:
        """Copy the choices into the session."""
        s = self._session
        s.sheet = self.sheet.currentText() or None
        s.encoding = self.encoding.currentData() if self.encoding.isVisible() else None
        s.entity = str(self.entity.currentData())
        s.operation = str(self.operation.currentData())
