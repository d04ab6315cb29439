"""The review table: a Qt model over the sheet's cells with each cell's problem, editable, filterable to problem rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.gui.table_model import Index
from app.mapping import Mapping, Prepared, Problem, prepare
from app.sheets import Table

ERROR_COLOUR = QColor(255, 205, 205)
WARNING_COLOUR = QColor(255, 236, 179)
EDITED_COLOUR = QColor(205, 232, 255)



@dataclass
class Validation:
    """What prepare() found, indexed for O(1) lookups by the table view: cell -> problem, row -> problems."""

    prepared: Prepared
    cells: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)  # (row, col) -> (severity, text)
    rows: dict[int, tuple[str, str]] = field(default_factory=dict)  # problems pinned to a row, not a cell
    problem_rows: list[int] = field(default_factory=list)  # sorted row indexes with any problem
    general: list[str] = field(default_factory=list)  # problems of no row (e.g. the sheet as a whole)
    documents: int = 0
    valid: int = 0
    invalid: int = 0
    warnings: int = 0


def _add(slot: dict[Any, tuple[str, str]], key: Any, p: Problem) -> None:
    old = slot.get(key)
    if old is None:
        slot[key] = (p.severity, p.message)
    else:
        severity = "error" if "error" in (old[0], p.severity) else "warning"
        slot[key] = (severity, f"{old[1]}\n{p.message}")


def validate(table: Table, mapping: Mapping) -> Validation:
    """prepare() the table and index its problems (runs on a worker thread)."""
    prepared = prepare(table, mapping)
    columns = {h: i for i, h in enumerate(table.headers)}
    result = Validation(prepared)
    problems: list[Problem] = list(prepared.problems)
    for d in prepared.documents:
        problems.extend(d.problems)
        if d.valid:
            result.valid += 1
        else:
            result.invalid += 1
    result.documents = len(prepared.documents)
    touched: set[int] = set()
    for p in problems:
        if p.severity == "warning":
            result.warnings += 1
        if p.row_index is None:
            result.general.append(p.message)
            continue
        touched.add(p.row_index)
        ci = columns.get(p.column) if p.column is not None else None
        if ci is None:
            _add(result.rows, p.row_index, p)
        else:
            _add(result.cells, (p.row_index, ci), p)
    result.problem_rows = sorted(touched)
    return result


def add_plan_problems(validation: Validation, table: Table, problems: list[Problem]) -> int:
    """Pin what planning found (names Zoho does not know) to the table's cells; how many were new.

    Problems are matched by spreadsheet row number and header, so they land on the right cell
    also when the plan was made from the corrected copy.
    """
    index_of = {number: i for i, number in enumerate(table.row_numbers)}
    columns = {h: i for i, h in enumerate(table.headers)}
    added = 0
    documents: set[int] = set()
    touched = set(validation.problem_rows)
    for p in problems:
        r = index_of.get(p.row) if p.row is not None else None
        if r is None:
            validation.general.append(p.message)
            continue
        ci = columns.get(p.column) if p.column is not None else None
        slot, key = (validation.rows, r) if ci is None else (validation.cells, (r, ci))
        if p.message in slot.get(key, ("", ""))[1]:
            continue  # already shown (the same plan asked twice)
        _add(slot, key, p)
        touched.add(r)
        added += 1
        if p.document is not None:
            documents.add(p.document)
    validation.problem_rows = sorted(touched)
    moved = min(len(documents), validation.valid)  # valid documents the plan found unsendable
    validation.valid -= moved
    validation.invalid += moved
    return added


def shown(value: object) -> str:
    """A cell as the user typed it: dates as ISO, whole floats without ".0", empty as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class ReviewModel(QAbstractTableModel):
    """Rows of the table (or only the rows with problems); data() is O(1) whatever the size."""

    edited = Signal(int, int)  # row index, column index of a cell the user changed

    def __init__(self, table: Table, parent: Any = None) -> None:
        super().__init__(parent)
        self.table = table
        self.validation: Validation | None = None
        self.changed: set[tuple[int, int]] = set()
        self._only_problems = False
        self._view: list[int] | None = None  # row indexes shown when filtered

    # --- what the wizard sets ---

    def set_validation(self, validation: Validation) -> None:
        self.beginResetModel()
        self.validation = validation
        self._view = validation.problem_rows if self._only_problems else None
        self.endResetModel()

    def set_only_problems(self, only: bool) -> None:
        self.beginResetModel()
        self._only_problems = only
        self._view = self.validation.problem_rows if only and self.validation else None
        self.endResetModel()

    def row_index(self, row: int) -> int:
        """The table row shown at view row `row`."""
        return self._view[row] if self._view is not None else row

    def view_row(self, row_index: int) -> int | None:
        """Where table row `row_index` is shown, None when filtered out."""
        if self._view is None:
            return row_index
        from bisect import bisect_left
        at = bisect_left(self._view, row_index)
        return at if at < len(self._view) and self._view[at] == row_index else None

    def problem(self, row_index: int, col: int) -> tuple[str, str] | None:
        v = self.validation
        if v is None:
            return None
        return v.cells.get((row_index, col)) or v.rows.get(row_index)

    # --- QAbstractTableModel ---

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid():
            return 0
        return len(self._view) if self._view is not None else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ri = self.row_index(index.row())
        ci = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return shown(self.table.rows[ri][ci])
        if role == Qt.ItemDataRole.BackgroundRole:
            found = self.problem(ri, ci)
            if found is not None and (ri, ci) in (self.validation.cells if self.validation else {}):
                return QBrush(ERROR_COLOUR if found[0] == "error" else WARNING_COLOUR)
            if (ri, ci) in self.changed:
                return QBrush(EDITED_COLOUR)
            if found is not None:  # a row-level problem: tint the whole row lightly
                return QBrush(WARNING_COLOUR if found[0] == "warning" else ERROR_COLOUR.lighter(108))
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if self.problem(ri, ci) is not None or (ri, ci) in self.changed:
                return QBrush(QColor(0, 0, 0))  # readable on the light highlight in dark mode too
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            found = self.problem(ri, ci)
            return found[1] if found else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return f"{self.table.letters[section]}  {self.table.headers[section]}"
            return str(self.table.row_numbers[self.row_index(section)])
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Vertical:
            return f"Row {self.table.row_numbers[self.row_index(section)]} of the sheet"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        ri, ci = self.row_index(index.row()), index.column()
        text = "" if value is None else str(value)
        if text == shown(self.table.rows[ri][ci]):
            return False
        self.table.rows[ri][ci] = text if text.strip() else None
        self.changed.add((ri, ci))
        self.dataChanged.emit(index, index)
        self.edited.emit(ri, ci)
        return True
