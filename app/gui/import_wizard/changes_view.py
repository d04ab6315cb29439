"""The Review step's "Changes" view: what an update or upsert would change, record by record and field by field
(old value, new value), and how many records stay as they are."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui.import_wizard.review_model import tooltip
from app.gui.table_model import TitledColumnsModel
from app.jobs.importing.changes import ChangePreview, RecordChange
from app.jobs.importing.changes_file import change_rows

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Row", "Record", "Field", "Old value", "New value")
ROW, RECORD, FIELD, OLD, NEW = range(5)


class ChangesModel(TitledColumnsModel):
    """One line per changed field, the lines of one record together; the row and record are shown on its first
    line only, so each record reads as a group."""

    HEADERS = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.lines: list[list[object]] = []  # as the changes file has them: row, record, Zoho ID, field, old, new
        self.first: list[bool] = []  # whether a line is its record's first
        self.rows: list[int] = []  # the data row index of each line's record's first row (-1: not known)
        self._bold = QFont()
        self._bold.setBold(True)

    def set_changes(self, changes: list[RecordChange]) -> None:
        self.beginResetModel()
        self.lines, self.first, self.rows = [], [], []
        for change in changes:
            lines = change_rows([change])
            self.lines.extend(lines)
            self.first.extend(i == 0 for i in range(len(lines)))
            self.rows.extend([change.row_index] * len(lines))
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        """The cell's text, the grouping aside (row and record on every line)."""
        line = self.lines[row]
        value = line[(0, 1, 3, 4, 5)[column]]
        return "" if value is None else str(value)

    # --- QAbstractTableModel ---

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column in (ROW, RECORD) and not self.first[row]:
                return ""
            text = self.text(row, column)
            return "(empty)" if column in (OLD, NEW) and not text else text
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.text(row, column)
            return tooltip(text) if text else None
        if role == Qt.ItemDataRole.FontRole and column == RECORD:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and column in (OLD, NEW) and not self.text(row, column):
            return Qt.GlobalColor.gray
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ChangesView(QWidget):
    """The counts above the changes; a click on a change asks for its record's first row in the grid."""

    jump = Signal(int, int)  # the data row index of the record's first row, -1 (the whole row)
    titled = Signal(str)  # the tab's title: "Changes" and how many records change

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changesView")
        self.status = QLabel()
        self.status.setObjectName("changesStatus")
        self.status.setWordWrap(True)
        self.model = ChangesModel(self)
        self.table = QTableView()
        self.table.setObjectName("changesTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((ROW, 48), (RECORD, 110), (FIELD, 150), (OLD, 110)):
            self.table.setColumnWidth(column, width)
        self.table.clicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.show_preview(None)

    def show_preview(self, preview: ChangePreview | None, busy: str = "") -> None:
        """Show a plan's preview (None: the plan is not known, or the operation changes no record)."""
        self.model.set_changes(preview.changes() if preview else [])
        self.status.setText(busy or summary(preview))
        self.titled.emit(f"C&hanges ({len(preview.records):,})" if preview else "C&hanges")

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid() and self.model.rows[index.row()] >= 0:
            self.jump.emit(self.model.rows[index.row()], -1)


def summary(preview: ChangePreview | None) -> str:
    """The counts above the list, in plain words."""
    if preview is None:
        return "Changes are shown for an update or upsert, once the plan is known."
    records, fields = len(preview.records), preview.fields()
    text = (f"{records:,} {'record changes' if records == 1 else 'records change'} "
            f"({fields:,} {'field' if fields == 1 else 'fields'}) \u00b7 {preview.unchanged:,} unchanged")
    if preview.to_read:
        text += (f" \u00b7 {preview.to_read:,} with line items, contact persons or fields the list does not show: "
                 "compared when the run reads each before its update (a read the update makes anyway)")
    return text


def side_tabs(problems: QWidget, changes: ChangesView) -> QTabWidget:
    """The problems panel and the changes view as two tabs beside the grid."""
    tabs = QTabWidget()
    tabs.setObjectName("reviewSide")
    tabs.addTab(problems, "&Problems")
    at = tabs.addTab(changes, "C&hanges")
    changes.titled.connect(lambda title: tabs.setTabText(at, title))
    return tabs
