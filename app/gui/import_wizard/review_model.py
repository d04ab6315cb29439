"""The review table: a Qt model over the sheet's cells with each cell's problem and a Message column, editable,
filterable to problem rows."""

from __future__ import annotations

import html
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.gui.table_model import Index
from app.mapping import Mapping, Prepared, Problem, prepare
from app.mapping.fixes import cell_text, reason, recheck
from app.sheets import Table

ERROR_COLOUR = QColor(255, 205, 205)
WARNING_COLOUR = QColor(255, 236, 179)
EDITED_COLOUR = QColor(205, 232, 255)
MESSAGE = "Message"

shown = cell_text  # a cell as the user typed it (the mapping step's samples use it too)


@dataclass
class Validation:
    """What prepare() found, indexed for O(1) lookups by the table view: cell -> problem, row -> problems."""

    prepared: Prepared
    problems: list[Problem] = field(default_factory=list)  # every problem pinned to a row, in sheet order
    cells: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)  # (row, col) -> (severity, text)
    rows: dict[int, tuple[str, str]] = field(default_factory=dict)  # problems pinned to a row, not a cell
    by_row: dict[int, list[Problem]] = field(default_factory=dict)
    problem_rows: list[int] = field(default_factory=list)  # sorted row indexes with any problem
    places: list[tuple[int, int]] = field(default_factory=list)  # sorted (row, column) of each problem; -1: the row
    general: list[str] = field(default_factory=list)  # problems of no row (e.g. the sheet as a whole)
    general_warnings: int = 0
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


def _indexed(prepared: Prepared, pinned: list[Problem], general: list[Problem] | list[str],
             headers: list[str], general_warnings: int = 0) -> Validation:
    """A Validation of these documents and problems (those pinned to a row, those of no row)."""
    columns = {h: i for i, h in enumerate(headers)}

    def place(p: Problem) -> tuple[int, int]:
        assert p.row_index is not None
        ci = columns.get(p.column) if p.column is not None else None
        return p.row_index, -1 if ci is None else ci

    pinned = sorted(pinned, key=place)
    result = Validation(prepared, pinned)
    for p in general:
        if isinstance(p, Problem):
            result.general.append(p.message)
            result.general_warnings += p.severity == "warning"
        else:
            result.general.append(p)
    result.general_warnings += general_warnings
    invalid = {d.index for d in prepared.documents if not d.valid}
    for p in pinned:
        ri, ci = place(p)
        result.places.append((ri, ci))
        result.by_row.setdefault(ri, []).append(p)
        if ci < 0:
            _add(result.rows, ri, p)
        else:
            _add(result.cells, (ri, ci), p)
        if p.severity == "warning":
            result.warnings += 1
        elif p.document is not None:
            invalid.add(p.document)
    result.warnings += result.general_warnings
    result.problem_rows = sorted(result.by_row)
    result.documents = len(prepared.documents)
    result.invalid = len(invalid)
    result.valid = result.documents - result.invalid
    return result


def validate(table: Table, mapping: Mapping) -> Validation:
    """prepare() the table and index its problems (runs on a worker thread)."""
    prepared = prepare(table, mapping)
    problems = prepared.all_problems()
    return _indexed(prepared, [p for p in problems if p.row_index is not None],
                    [p for p in problems if p.row_index is None], table.headers)


def revalidate(validation: Validation, table: Table, mapping: Mapping, touched: set[int],
               columns: set[int]) -> Validation:
    """Validate again only the documents holding the touched rows (worker thread); the other rows keep
    their problems, names Zoho does not know included. A change of grouping validates everything."""
    found = recheck(table, mapping, validation.prepared, touched, columns)
    if found is None:
        return validate(table, mapping)
    redone = set(found.rows)
    documents = list(validation.prepared.documents)
    for d in found.documents:
        documents[d.index] = d
    kept = [p for p in validation.prepared.problems if p.row_index not in redone]
    prepared = Prepared(documents, kept + found.problems, validation.prepared.rows)
    pinned = [p for p in validation.problems if p.row_index not in redone] + found.problems
    pinned += [p for d in found.documents for p in d.problems if p.row_index is not None]
    unpinned = [p for d in found.documents for p in d.problems if p.row_index is None]
    result = _indexed(prepared, pinned, list(validation.general), table.headers, validation.general_warnings)
    for p in unpinned:
        result.general.append(p.message)
    return result


def add_plan_problems(validation: Validation, table: Table, problems: list[Problem]) -> int:
    """Pin what planning found (names Zoho does not know) to the table's cells; how many were new.

    Problems are matched by spreadsheet row number and header, so they land on the right cell
    also when the plan was made from the corrected copy.
    """
    index_of = {number: i for i, number in enumerate(table.row_numbers)}
    seen = {(p.row_index, p.column, p.message) for p in validation.problems}
    added: list[Problem] = []
    general: list[str] = []
    for p in problems:
        r = index_of.get(p.row) if p.row is not None else None
        if r is None:
            if p.message not in validation.general:
                general.append(p.message)
            continue
        if (r, p.column, p.message) in seen:
            continue  # already shown (the same plan asked twice)
        seen.add((r, p.column, p.message))
        added.append(Problem(p.severity, p.message, p.row, r, p.column, p.column_letter, p.field, p.document))
    fresh = _indexed(validation.prepared, validation.problems + added, validation.general + general,
                     table.headers, validation.general_warnings)
    validation.__dict__.update(fresh.__dict__)
    return len(added)


def tooltip(text: str) -> str:
    """A reason as a rich-text tooltip, which Qt wraps (about 80 characters wide) instead of one long line."""
    return "<p>" + "<br>".join(html.escape(line, quote=False) for line in text.splitlines()) + "</p>"


class ReviewModel(QAbstractTableModel):
    """Rows of the table (or only the rows with problems), its columns and a Message column (the last);
    data() is O(1) whatever the size."""

    edited = Signal(int, int)  # row index, column index of a cell the user changed

    def __init__(self, table: Table, parent: Any = None) -> None:
        super().__init__(parent)
        self.table = table
        self.validation: Validation | None = None
        self.changed: set[tuple[int, int]] = set()
        self.pending: set[tuple[int, int]] = set()  # cells changed since the last validation
        self._only_problems = False
        self._view: list[int] | None = None  # row indexes shown when filtered

    @property
    def message_column(self) -> int:
        return len(self.table.headers)

    # --- what the wizard sets ---

    def set_validation(self, validation: Validation) -> None:
        if self.validation is not None and not self._only_problems and self.rowCount() > 0:
            # The same rows, checked again: repaint what shows. A reset would make the grid rebuild its header
            # for every row (20,000 sections: a stall the user feels after each fix).
            self.validation = validation
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
            return
        self.beginResetModel()
        self.validation = validation
        self._view = validation.problem_rows if self._only_problems else None
        self.endResetModel()

    def set_only_problems(self, only: bool) -> None:
        self.beginResetModel()
        self._only_problems = only
        self._view = self.validation.problem_rows if only and self.validation else None
        self.endResetModel()

    def replace(self, ci: int, rows: list[int], new: str) -> list[int]:
        """Put `new` in column `ci` of `rows` (a bulk fix the user confirmed); the rows changed."""
        value = new if new.strip() else None
        changed = [ri for ri in rows if self.table.rows[ri][ci] != value]
        for ri in changed:
            self.table.rows[ri][ci] = value
            self.changed.add((ri, ci))
            self.pending.add((ri, ci))
        if changed:
            self.dataChanged.emit(self.index(0, ci), self.index(max(self.rowCount() - 1, 0), ci))
            self.edited.emit(changed[0], ci)
        return changed

    def row_index(self, row: int) -> int:
        """The table row shown at view row `row`."""
        return self._view[row] if self._view is not None else row

    def view_row(self, row_index: int) -> int | None:
        """Where table row `row_index` is shown, None when filtered out."""
        if self._view is None:
            return row_index
        at = bisect_left(self._view, row_index)
        return at if at < len(self._view) and self._view[at] == row_index else None

    def problem(self, row_index: int, col: int) -> tuple[str, str] | None:
        v = self.validation
        if v is None:
            return None
        return v.cells.get((row_index, col)) or v.rows.get(row_index)

    def next_problem(self, row_index: int, col: int, back: bool = False) -> tuple[int, int] | None:
        """The place of the problem after (or before) this cell, wrapping around; None when there is none."""
        v = self.validation
        if v is None or not v.places:
            return None
        here = (row_index, col)
        if back:
            at = bisect_left(v.places, here) - 1
            return v.places[at]  # -1 wraps to the last
        at = bisect_right(v.places, here)
        return v.places[at] if at < len(v.places) else v.places[0]

    def message(self, row_index: int) -> str:
        v = self.validation
        found = v.by_row.get(row_index, []) if v is not None else []
        return " \u00b7 ".join(f"{p.column}: {reason(p)}" if p.column else reason(p) for p in found)

    # --- QAbstractTableModel ---

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid():
            return 0
        return len(self._view) if self._view is not None else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.headers) + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ri = self.row_index(index.row())
        ci = index.column()
        if ci == self.message_column:
            return self._message_data(ri, role)
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
            return tooltip(found[1]) if found else None
        return None

    def _message_data(self, ri: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.message(ri)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.message(ri)
            return tooltip(text.replace(" \u00b7 ", "\n")) if text else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                if section == self.message_column:
                    return MESSAGE
                return f"{self.table.letters[section]}  {self.table.headers[section]}"
            return str(self.table.row_numbers[self.row_index(section)])
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Vertical:
            return f"Row {self.table.row_numbers[self.row_index(section)]} of the sheet"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.column() == self.message_column:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() == self.message_column:
            return False
        ri, ci = self.row_index(index.row()), index.column()
        text = "" if value is None else str(value)
        if text == shown(self.table.rows[ri][ci]):
            return False
        self.table.rows[ri][ci] = text if text.strip() else None
        self.changed.add((ri, ci))
        self.pending.add((ri, ci))
        self.dataChanged.emit(index, index)
        self.edited.emit(ri, ci)
        return True
