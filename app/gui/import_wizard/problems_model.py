"""The problems list: a Qt tree model over the validation's problems, grouped by column and kind, each problem
with its row, column, value and reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont

from app.gui.import_wizard.review_model import ERROR_COLOUR, WARNING_COLOUR, tooltip
from app.mapping import Problem
from app.mapping.fixes import ProblemGroup, group_problems, problem_value, reason
from app.sheets import Table

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Row", "Column", "Value", "Reason")
ROW, COLUMN, VALUE, REASON = range(4)


class ProblemsModel(QAbstractItemModel):
    """Top rows are the groups ("Order Date: 21 cells are not dates"), their children the problems."""

    def __init__(self, table: Table, parent: Any = None) -> None:
        super().__init__(parent)
        self.table = table
        self.groups: list[ProblemGroup] = []
        self._where: dict[tuple[int, int], tuple[int, int]] = {}  # (row, column) -> (group, child)
        self._columns = {h: i for i, h in enumerate(table.headers)}
        self._bold = QFont()
        self._bold.setBold(True)

    def set_problems(self, problems: list[Problem]) -> None:
        self.beginResetModel()
        self.groups = group_problems(problems, self.table.headers)
        self._where = {}
        for g, group in enumerate(self.groups):
            for c, p in enumerate(group.problems):
                self._where.setdefault(self.place(p), (g, c))
        self.endResetModel()

    @property
    def count(self) -> int:
        return sum(len(g.problems) for g in self.groups)

    def place(self, p: Problem) -> tuple[int, int]:
        """(row index, column index; -1 for the whole row) of a problem."""
        assert p.row_index is not None
        ci = self._columns.get(p.column) if p.column is not None else None
        return p.row_index, -1 if ci is None else ci

    def index_of(self, row_index: int, ci: int) -> QModelIndex:
        """The problem at this place, or an invalid index."""
        found = self._where.get((row_index, ci))
        if found is None:
            return QModelIndex()
        return self.index(found[1], 0, self.index(found[0], 0))

    def problem_at(self, index: Index) -> Problem | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return self.groups[index.internalId() - 1].problems[index.row()]

    def group_at(self, index: Index) -> ProblemGroup | None:
        if not index.isValid():
            return None
        g = index.internalId() - 1 if index.internalId() else index.row()
        return self.groups[g]

    # --- QAbstractItemModel ---

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.groups[parent.row()].problems)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self.problem_at(index)
        if p is None:
            group = self.groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return group.title
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
                return ERROR_COLOUR if group.severity == "error" else WARNING_COLOUR
            if role == Qt.ItemDataRole.ToolTipRole:
                return tooltip(group.title)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(p.row) if p.row is not None else "", p.column or "", problem_value(p, self.table),
                    reason(p))[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(p.message)
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == VALUE:
            return QBrush(ERROR_COLOUR if p.severity == "error" else WARNING_COLOUR)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == VALUE:
            return QBrush(Qt.GlobalColor.black)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
