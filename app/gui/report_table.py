"""A run's per-row results as a Qt table: the report's CSV twin read into a model, statuses tinted."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from app.gui.appearance import problem_colour
from app.gui.table_model import Index

REPORT_SHOWN_BYTES = 8_000_000  # a bigger report is read on the GUI thread too slowly: open it instead
WIDTH_FROM_ROWS = 100  # column widths are measured on this many rows: measuring all 1,000 froze the loop 0.2 s
SEVERITY = {"failed": "error", "invalid": "error", "in doubt": "warning", "skipped": "warning",
            "not sent": "warning", "created": "ok", "updated": "ok", "converted": "ok", "unchanged": "ok"}


class ReportTableModel(QAbstractTableModel):
    """Rows of a report CSV (input columns then the result columns); the status cell tinted by outcome."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.status_column = -1

    def load(self, path: Path | None) -> bool:
        """Show the report at `path`; False (and an empty table) when there is none or it is too
        big to read on the GUI thread (REPORT_SHOWN_BYTES): the user opens it instead."""
        shown = path is not None and path.exists() and path.stat().st_size <= REPORT_SHOWN_BYTES
        self.beginResetModel()
        self.headers, self.rows = [], []
        if shown and path is not None:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                self.headers = next(reader, [])
                self.rows = [row for row in reader if any(cell.strip() for cell in row)]
        lowered = [h.strip().casefold() for h in self.headers]
        self.status_column = next((i for i, h in enumerate(lowered) if h in ("status", "result", "outcome")), -1)
        self.endResetModel()
        return shown

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        value = row[index.column()] if index.column() < len(row) else ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return value
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == self.status_column:
            severity = SEVERITY.get(value.strip().casefold())
            return problem_colour(severity) if severity else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if section < len(self.headers) else None
        return section + 1

    def column_values(self, header: str) -> list[str]:
        """Every row's value in the column called `header` (tests and summaries)."""
        i = self.headers.index(header)
        return [row[i] if i < len(row) else "" for row in self.rows]


class ReportTableView(QTableView):
    """A read-only view of a ReportTableModel whose columns fit their content once it loads, each
    at most `widest` pixels (the tooltip shows a long message whole)."""

    def __init__(self, model: ReportTableModel, *, widest: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.horizontalHeader()
        header.setMaximumSectionSize(widest)
        header.setResizeContentsPrecision(WIDTH_FROM_ROWS)
        model.modelReset.connect(self.resizeColumnsToContents)
