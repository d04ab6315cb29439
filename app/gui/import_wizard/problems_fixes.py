"""The review step's bulk fixes: each an explicit action on shown cells (or on the mapping) whose count the
user sees first, followed by a check of only the rows it touched."""

from __future__ import annotations

import asyncio
import difflib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog

from app.entities import entity
from app.gui.import_wizard.problems_dialogs import ReplaceDialog, ValueMapDialog
from app.gui.import_wizard.session import Context, Session
from app.jobs.catalog import SOURCES
from app.mapping import FieldMapping, Problem
from app.mapping.fixes import (
    ProblemGroup,
    cells_holding,
    field_of_column,
    holding_mapped,
    problem_value,
    suggestions,
    with_value_map,
)
from app.mapping.prepare import resolve_field

if TYPE_CHECKING:
    from app.gui.import_wizard.review_step import ReviewStep


class BulkFixes(QObject):
    """Replace a value in a column, use a "did you mean" name, map a column's values; then check again."""

    def __init__(self, step: ReviewStep, context: Context, session: Session) -> None:
        super().__init__(step)
        self.step = step
        self._context = context
        self._session = session
        self.applying = False  # cells are being changed by a fix (not edits waiting for Re-validate)
        self.dialog: QDialog | None = None  # the fix's dialog open now
        panel = step.panel
        panel.replace_requested.connect(self.ask_replace)
        panel.suggestion_requested.connect(self.use_suggestion)
        panel.value_map_requested.connect(self.ask_value_map)
        panel.can_map = self.can_map
        panel.holding = self.holding

    def _column(self, column: str | None) -> int | None:
        table = self._session.table
        return table.headers.index(column) if table is not None and column in table.headers else None

    def holding(self, p: Problem) -> int:
        """How many cells of the problem's column hold its value."""
        ci = self._column(p.column)
        table = self._session.table
        return 0 if ci is None or table is None else len(cells_holding(table, ci, problem_value(p, table)))

    # --- replace a value in every cell of its column that holds it ---

    def ask_replace(self, p: Problem) -> ReplaceDialog | None:
        table, ci = self._session.table, self._column(p.column)
        if table is None or ci is None:
            return None
        old = problem_value(p, table)
        dialog = ReplaceDialog(table.headers[ci], old, len(cells_holding(table, ci, old)), self.step)
        dialog.accepted.connect(lambda: self.replace(ci, old, dialog.value()))
        self._show(dialog)
        return dialog

    def replace(self, ci: int, old: str, new: str) -> asyncio.Future[Any] | None:
        """Put `new` in every cell of column `ci` holding `old`, then check those rows."""
        table = self._session.table
        if table is None:
            return None
        return self._change(ci, cells_holding(table, ci, old), new)

    # --- "did you mean" ---

    def use_suggestion(self, p: Problem, name: str, everywhere: bool) -> asyncio.Future[Any] | None:
        """The name the look-up offered, in the problem's cell or in every cell of its column holding its value."""
        table, ci = self._session.table, self._column(p.column)
        if table is None or ci is None or p.row_index is None:
            return None
        rows = cells_holding(table, ci, problem_value(p, table)) if everywhere else [p.row_index]
        return self._change(ci, rows, name)

    def _change(self, ci: int, rows: list[int], new: str) -> asyncio.Future[Any] | None:
        model = self.step.model
        if model is None or not rows:
            return None
        self.applying = True
        try:
            model.replace(ci, rows, new)
        finally:
            self.applying = False
        return self._check()

    # --- value maps ---

    def _field(self, column: str | None) -> FieldMapping | None:
        mapping = self._session.mapping
        return field_of_column(mapping, column) if mapping is not None and column else None

    def can_map(self, group: ProblemGroup) -> bool:
        """A column read by a name look-up or a field with a fixed list of values can take a value map."""
        fm = self._field(group.column)
        if fm is None or self._session.mapping is None:
            return False
        f = resolve_field(entity(self._session.mapping.entity), fm.field)
        return (fm.lookup is not None and fm.lookup.by != "id") or bool(f and f.allowed)

    def known(self, fm: FieldMapping) -> list[str]:
        """The values Zoho knows for the field: the names the plan listed, or the field's allowed values."""
        mapping = self._session.mapping
        if fm.lookup is not None:
            source = SOURCES.get(fm.lookup.kind)
            job = self._session.job
            catalog = job.catalog if job is not None else None
            if source is None or catalog is None or not catalog.loaded(source.entity):
                return []
            key = source.by.get(fm.lookup.by, source.label_field)
            return sorted({str(r[key]) for r in catalog.records(source.entity) if r.get(key)}, key=str.casefold)
        f = resolve_field(entity(mapping.entity), fm.field) if mapping is not None else None
        return list(f.allowed) if f is not None else []

    def ask_value_map(self, group: ProblemGroup) -> ValueMapDialog | None:
        table, ci, fm = self._session.table, self._column(group.column), self._field(group.column)
        if table is None or ci is None or fm is None:
            return None
        known = self.known(fm)
        unknown: dict[str, int] = {}
        proposed: dict[str, str] = {}
        for p in group.problems:
            value = problem_value(p, table)
            if value in unknown:
                continue
            unknown[value] = len(cells_holding(table, ci, value, ignore_case=True))
            offered = suggestions(p) or difflib.get_close_matches(value, known, n=1, cutoff=0.6)
            if offered:
                proposed[value] = offered[0]
        dialog = ValueMapDialog(table.headers[ci], unknown, known, proposed, self.step)
        dialog.accepted.connect(lambda: self.map_values(table.headers[ci], dialog.values()))
        self._show(dialog)
        return dialog

    def map_values(self, column: str, values: dict[str, str]) -> asyncio.Future[Any] | None:
        """Add `values` to the column's value map in the mapping, then check the rows holding them."""
        mapping, table, ci = self._session.mapping, self._session.table, self._column(column)
        if mapping is None or table is None or ci is None or not values:
            return None
        self.step.use_mapping(with_value_map(mapping, column, values))
        return self._check(set(holding_mapped(table, ci, values)), {ci})

    # --- common ---

    def _show(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    def _check(self, rows: set[int] | None = None, columns: set[int] | None = None) -> asyncio.Future[Any]:
        from app.gui.import_wizard.session import Tasks

        tasks = self.step.findChild(Tasks) or Tasks(self._context, self.step)
        return tasks.start(self.step.recheck(rows, columns), "The records could not be checked")
