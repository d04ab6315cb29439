"""The problems panel beside the review grid: every problem grouped by kind, click to jump to its cell, and the
bulk fixes for the chosen problem (replace in the column, "did you mean", map values)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.gui.import_wizard.problems_model import ProblemsModel
from app.gui.page import styled
from app.mapping import Problem
from app.mapping.fixes import ProblemGroup, problem_value, suggestions
from app.sheets import Table

EXPANDED = 60  # up to this many problems the groups show them open


class ProblemsPanel(QWidget):
    """Thin widgets over a ProblemsModel; the review step does the fixing."""

    jump = Signal(int, int)  # row index, column index (-1: the whole row)
    replace_requested = Signal(object)  # the Problem whose value is replaced in its column
    suggestion_requested = Signal(object, str, bool)  # Problem, the name to use, in every cell holding it
    value_map_requested = Signal(object)  # the ProblemGroup whose column's values are mapped

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsPanel")
        self.model: ProblemsModel | None = None
        self.busy = ""
        self.can_map: Callable[[ProblemGroup], bool] = lambda _group: False
        self.holding: Callable[[Problem], int] = lambda _p: 0  # cells of its column holding its value
        self.status = styled("Problems", "problemsStatus", wrap=True)
        self.tree = QTreeView()
        self.tree.setObjectName("problemsList")
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setAlternatingRowColors(True)
        self.tree.clicked.connect(self._clicked)
        self.replace_button = QPushButton("Replace in column\u2026")
        self.replace_button.setObjectName("replaceInColumn")
        self.replace_button.setToolTip("Replace the chosen problem's value in every cell of its column that holds it "
                                       "(the count is shown first).")
        self.replace_button.clicked.connect(self._replace)
        self.map_button = QPushButton("Map values\u2026")
        self.map_button.setObjectName("mapValues")
        self.map_button.setToolTip("Read this column's unknown values as known ones: a value map, saved into the "
                                   "mapping.")
        self.map_button.clicked.connect(self._map)
        self.suggest_one = QPushButton("Use suggestion")
        self.suggest_one.setObjectName("useSuggestion")
        self.suggest_one.clicked.connect(lambda: self._suggest(everywhere=False))
        self.suggest_all = QPushButton("Use it in all cells")
        self.suggest_all.setObjectName("useSuggestionEverywhere")
        self.suggest_all.clicked.connect(lambda: self._suggest(everywhere=True))
        buttons = QGridLayout()
        buttons.addWidget(self.replace_button, 0, 0)
        buttons.addWidget(self.map_button, 0, 1)
        buttons.addWidget(self.suggest_one, 1, 0)
        buttons.addWidget(self.suggest_all, 1, 1)
        hint = QLabel("F8 / Shift+F8: next / previous problem.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(hint)
        self._update()

    # --- what the review step sets ---

    def set_table(self, table: Table) -> None:
        self.model = ProblemsModel(table, self)
        self.tree.setModel(self.model)
        self.tree.selectionModel().currentChanged.connect(lambda _now, _before: self._update())
        for column, width in enumerate((56, 100, 100)):
            self.tree.setColumnWidth(column, width)

    def set_problems(self, problems: list[Problem]) -> None:
        assert self.model is not None
        self.model.set_problems(problems)
        for g in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(g, QModelIndex(), True)
        if self.model.count <= EXPANDED:  # more stay folded: laying out every problem would stall the GUI
            self.tree.expandAll()
        self._update()

    def set_busy(self, text: str) -> None:
        """"Checking 125 rows…", "Checking names…", or "" when nothing runs."""
        self.busy = text
        self._update()

    def show_place(self, row_index: int, ci: int) -> None:
        """Select the problem at this cell in the list (F8 from the grid)."""
        if self.model is None:
            return
        index = self.model.index_of(row_index, ci)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    # --- the chosen problem ---

    def current_problem(self) -> Problem | None:
        """The chosen problem; for a chosen group, its first one."""
        if self.model is None:
            return None
        index = self.tree.currentIndex()
        found = self.model.problem_at(index)
        if found is None:
            group = self.model.group_at(index)
            found = group.problems[0] if group and group.problems else None
        return found

    def current_group(self) -> ProblemGroup | None:
        return self.model.group_at(self.tree.currentIndex()) if self.model is not None else None

    def _suggestion(self) -> tuple[Problem, str] | None:
        p = self.current_problem()
        if p is None:
            return None
        group = self.current_group()
        candidates = [p] if self.model and self.model.problem_at(self.tree.currentIndex()) else (group.problems if group else [])
        for q in candidates:
            names = suggestions(q)
            if names:
                return q, names[0]
        return None

    def _update(self) -> None:
        model = self.model
        count = model.count if model is not None else 0
        kinds = len(model.groups) if model is not None else 0
        text = (f"{count:,} {'problem' if count == 1 else 'problems'} of {kinds} "
                f"{'kind' if kinds == 1 else 'kinds'}") if count else "No problems in the rows."
        self.status.setText(f"{text} \u00b7 {self.busy}" if self.busy else text)
        free = not self.busy
        p = self.current_problem()
        self.replace_button.setEnabled(free and p is not None and p.column is not None
                                       and bool(model and p.column in model.table.headers))
        group = self.current_group()
        self.map_button.setEnabled(free and group is not None and self.can_map(group))
        found = self._suggestion()
        self.suggest_one.setEnabled(free and found is not None)
        self.suggest_all.setEnabled(free and found is not None)
        if found is not None and model is not None:
            q, name = found
            short = name if len(name) <= 24 else name[:23] + "\u2026"
            n = self.holding(q)
            cells = f"{n:,} {'cell' if n == 1 else 'cells'}"
            self.suggest_one.setText(f"Use \u201c{short}\u201d in row {q.row}")
            self.suggest_all.setText(f"\u2026 in all {cells}")
            self.suggest_one.setToolTip(f"Did you mean \u201c{name}\u201d? Put it in row {q.row} only.")
            self.suggest_all.setToolTip(f"Put \u201c{name}\u201d in all {cells} of column \u201c{q.column}\u201d "
                                        f"holding \u201c{problem_value(q, model.table)}\u201d.")
        else:
            self.suggest_one.setText("Use suggestion")
            self.suggest_all.setText("Use it in all cells")

    # --- actions ---

    def _clicked(self, index: QModelIndex) -> None:
        if self.model is None:
            return
        p = self.model.problem_at(index)
        if p is None:
            group = self.model.group_at(index)
            p = group.problems[0] if group and group.problems else None
        if p is not None:
            ri, ci = self.model.place(p)
            self.jump.emit(ri, ci)

    def _replace(self) -> None:
        p = self.current_problem()
        if p is not None:
            self.replace_requested.emit(p)

    def _map(self) -> None:
        group = self.current_group()
        if group is not None:
            self.value_map_requested.emit(group)

    def _suggest(self, everywhere: bool) -> None:
        found = self._suggestion()
        if found is not None:
            self.suggestion_requested.emit(found[0], found[1], everywhere)
