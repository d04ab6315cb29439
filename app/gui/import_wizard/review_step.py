"""Step 3 of the import wizard: every record with its bad cells, the problems panel, fixes in place and in bulk,
re-validation and the plan."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.gui.errors import plain_message
from app.gui.import_wizard.changes_view import ChangesView, side_tabs
from app.gui.import_wizard.problems_fixes import BulkFixes
from app.gui.import_wizard.problems_panel import ProblemsPanel
from app.gui.import_wizard.review_model import (
    ReviewModel,
    Validation,
    add_plan_problems,
    revalidate,
    validate,
)
from app.gui.import_wizard.session import (
    Context,
    Session,
    corrected_copy_path,
    gentle,
    import_http_backend,
)
from app.gui.page import button, styled
from app.jobs import ImportJob, JobSettings
from app.jobs.journal import forget_unstarted
from app.mapping import Mapping, Problem

MAX_GENERAL = 5


class ReviewStep(QWidget):
    """The records as a table (one model, no widget per cell) and the cost of sending them."""

    changed = Signal()
    validated = Signal()  # a validation finished and the table shows it
    planned = Signal()  # the plan is known (or why it is not)
    mapping_changed = Signal(object)  # a bulk fix added to the mapping (a value map): the Mapping

    def __init__(self, context: Context, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewStep")
        self._context = context
        self._session = session
        self.model: ReviewModel | None = None
        self.validating = False
        self.planning = False
        self.view = QTableView()
        self.view.setObjectName("reviewTable")
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        self.view.horizontalHeader().setDefaultSectionSize(140)
        self.panel = ProblemsPanel()
        self.panel.jump.connect(self.jump_to)
        self.fixes = BulkFixes(self, context, session)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("reviewSplit")
        split.addWidget(self.view)
        self.changes = ChangesView()  # what an update would change, field by field, beside the problems
        self.changes.jump.connect(self.jump_to)
        split.addWidget(side_tabs(self.panel, self.changes))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([640, 320])
        split.setChildrenCollapsible(False)
        for keys, back in (("F8", False), ("Shift+F8", True)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda back=back: self.next_problem(back))

        self.only_problems = QCheckBox("Only rows with &problems")
        self.only_problems.setObjectName("onlyProblems")
        self.only_problems.toggled.connect(self._filter)
        self.revalidate_button = button("&Re-validate", "revalidate", clicked=self.revalidate,
                                        tip="Check the records again after fixing cells.")
        self.revalidate_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.only_problems)
        top.addStretch(1)
        top.addWidget(self.revalidate_button)

        self.counts = QLabel()
        self.counts.setObjectName("reviewCounts")
        self.general = styled("", "generalProblems", wrap=True)
        self.plan_label = styled("", "plan", wrap=True)
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = QLabel("Red cells are errors, amber ones warnings; the Message column and the problems list say why. "
                      "Double-click a cell to fix it, or fix many at once from the list.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.counts)
        layout.addWidget(self.general)
        layout.addWidget(hint)
        layout.addWidget(self.plan_label)

    # --- work (coroutines on the Qt loop; the heavy parts on worker threads) ---

    async def start(self) -> None:
        """Validate the session's table with its mapping, then work out the plan."""
        s = self._session
        assert s.table is not None and s.mapping is not None
        self.model = ReviewModel(s.table, self)
        self.model.edited.connect(self._edited)
        self.model.set_only_problems(self.only_problems.isChecked())
        self.panel.set_table(s.table)
        # The table appears once checked: painting it while the worker holds the GIL would make
        # each of the view's thousands of data() calls wait for a hand-over.
        self.view.setModel(None)
        await self._validate()

    async def revalidate_now(self) -> None:
        """Check again what changed: the documents of the changed cells, or everything when unsure."""
        self.revalidate_button.setEnabled(False)
        if self.model is not None and self.model.pending and self._session.validation is not None:
            await self.recheck()
        else:
            await self._validate()

    async def recheck(self, rows: set[int] | None = None, columns: set[int] | None = None) -> None:
        """Validate again only the documents holding the changed cells (and `rows`, read under a changed
        mapping), on a worker; the panel says "checking…" meanwhile. Then the plan (names) again."""
        s = self._session
        assert s.table is not None and s.mapping is not None and self.model is not None
        assert s.validation is not None
        cells, self.model.pending = self.model.pending, set()
        touched = {ri for ri, _ci in cells} | (rows or set())
        changed_columns = {ci for _ri, ci in cells} | (columns or set())
        await self.drop_job()
        self.validating = True
        self.revalidate_button.setEnabled(False)
        self.panel.set_busy(f"checking {len(touched):,} {'row' if len(touched) == 1 else 'rows'}\u2026")
        self.plan_label.setText("")
        self.changed.emit()
        try:
            result: Validation = await self._context.run_in_background(
                gentle, revalidate, s.validation, s.table, s.mapping, touched, changed_columns)
        finally:
            self.validating = False
            self.panel.set_busy("")
        self._validated(result)
        await self._plan()

    def use_mapping(self, mapping: Mapping) -> None:
        """A bulk fix changed the mapping (a value map): the session and the mapping step use it from now on."""
        self._session.mapping = mapping
        self.mapping_changed.emit(mapping)

    def revalidate(self) -> None:
        from app.gui.import_wizard.session import Tasks

        tasks = self.findChild(Tasks) or Tasks(self._context, self)
        tasks.start(self.revalidate_now(), "The records could not be checked")

    async def _validate(self) -> None:
        s = self._session
        assert s.table is not None and s.mapping is not None and self.model is not None
        await self.drop_job()
        self.validating = True
        self.model.pending.clear()
        self.counts.setText(f"Checking {len(s.table.rows):,} rows\u2026")
        self.panel.set_busy(f"checking {len(s.table.rows):,} rows\u2026")
        self.plan_label.setText("")
        self.changed.emit()
        try:
            result: Validation = await self._context.run_in_background(gentle, validate, s.table,
                                                                       s.mapping)
        finally:
            self.validating = False
            self.panel.set_busy("")
        self._validated(result)
        await self._plan()

    def _validated(self, result: Validation) -> None:
        """Show a validation: the grid's colours and messages, the problems list, the counts."""
        assert self.model is not None
        self._session.validation = result
        self.model.set_validation(result)
        if self.view.model() is not self.model:
            self.view.setModel(self.model)
            header = self.view.horizontalHeader()
            message = self.model.message_column
            header.moveSection(header.visualIndex(message), 0)  # the reason beside the row number
            self.view.setColumnWidth(message, 280)
        self.panel.set_problems(result.problems)
        self._show_counts(result)
        self.validated.emit()
        self.changed.emit()

    def _show_counts(self, v: Validation) -> None:
        s = self._session
        assert s.table is not None
        rows = len(s.table.rows)
        self.counts.setText(
            f"{rows:,} rows \u00b7 {v.documents:,} documents \u00b7 {v.valid:,} valid \u00b7 "
            f"{v.invalid:,} invalid \u00b7 {v.warnings:,} warnings")
        general = v.general[:MAX_GENERAL]
        more = len(v.general) - len(general)
        self.general.setText("\n".join(general) + (f"\n\u2026 and {more} more" if more > 0 else ""))

    async def _plan(self) -> None:
        """Open the job the run will use and ask it what the run costs (calls, quota left, ETA)."""
        s = self._session
        assert s.table is not None and s.mapping is not None and s.file is not None
        self.planning = True
        self.plan_label.setText("Working out the plan (reading names and existing records)\u2026")
        self.panel.set_busy("checking names\u2026")
        self.changed.emit()
        job: ImportJob | None = None
        try:
            if s.edited:  # the fixes go as cells; the job keeps its copy of them as its run starts
                s.run_file = corrected_copy_path(s.table)
                sheet = None
            else:
                s.run_file, sheet = s.file, s.table.sheet
            job = ImportJob(JobSettings(s.run_file, s.entity, s.operation, mapping=s.mapping, sheet=sheet,
                                        encoding=None if s.edited else s.encoding,
                                        target=self._context.target(), report_dir=s.report_dir(),
                                        source=s.file if s.edited else None,
                                        table=s.table if s.edited else None))
            # The job reads and checks the file once more (the journal's copy); gently, off the loop.
            # Meanwhile the HTTP client's first-request imports are done on another worker thread.
            await asyncio.gather(self._context.run_in_background(gentle, job.load),
                                 self._context.run_in_background(import_http_backend))
            s.plan = await job.plan()
            s.job = job
            self.changes.show_preview(job.preview)
            self._show_plan_problems(s.plan.problems)
            lines = s.plan.lines()
            if s.sent is not None and s.sent[0] == s.file and s.sent[1] != s.plan.job_id:
                lines.insert(0, f"A new job: job {s.sent[1]} already sent documents of {s.file.name} with "
                                "another mapping, record type or operation, and this one would send them again. "
                                "Go back to the choices that job used to go on with it.")
            if s.edited:
                lines.append(f"Your fixes are sent as part of the job of {s.file.name}, from a copy with the "
                             "fixes (your file is not changed); documents already sent are not sent again.")
            self.plan_label.setText("\n".join(lines))
        except Exception as error:  # noqa: BLE001 - JobError, TargetError, quota, Zoho: one plain sentence
            if job is not None:
                await job.close()
                if job.job_id:
                    await self._context.run_in_background(forget_unstarted, job.job_id)
            s.plan, s.job = None, None
            self.plan_label.setText(f"No plan: {plain_message(error)}")
        finally:
            self.planning = False
            self.panel.set_busy("")
            self.planned.emit()
            self.changed.emit()

    def _show_plan_problems(self, problems: list[Problem]) -> None:
        """Names Zoho does not know, found by the plan: red cells with their message, like the sheet's own."""
        s = self._session
        if not problems or s.validation is None or s.table is None or self.model is None:
            return
        if add_plan_problems(s.validation, s.table, problems):
            self.model.set_validation(s.validation)
            self.panel.set_problems(s.validation.problems)
            self._show_counts(s.validation)
            unknown = len({p.row for p in problems})
            self.counts.setText(f"{self.counts.text()} \u00b7 {unknown:,} with names Zoho does not know")

    async def drop_job(self) -> None:
        """Give up the job opened for the plan (going back, or the records changed); a plan never started
        leaves no job behind to resume."""
        s = self._session
        job, s.job, s.plan = s.job, None, None
        self.changes.show_preview(None)
        if job is not None:
            await job.close()
            if job.job_id:
                await self._context.run_in_background(forget_unstarted, job.job_id)

    # --- view ---

    def jump_to(self, row_index: int, ci: int) -> None:
        """Show this cell in the grid and make it current (a problem chosen in the list, F8)."""
        if self.model is None or self.view.model() is not self.model:
            return
        row = self.model.view_row(row_index)
        if row is None:  # filtered out: show every row
            self.only_problems.setChecked(False)
            row = self.model.view_row(row_index)
        if row is None:
            return
        index = self.model.index(row, self.model.message_column if ci < 0 else ci)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def next_problem(self, back: bool = False) -> tuple[int, int] | None:
        """F8 (Shift+F8 with `back`): the cell of the next (previous) problem after the grid's current cell."""
        if self.model is None:
            return None
        current = self.view.currentIndex()
        if current.isValid():
            ci = current.column()
            here = (self.model.row_index(current.row()), -1 if ci == self.model.message_column else ci)
        else:
            here = (-1, -2) if not back else (len(self.model.table.rows), len(self.model.table.headers))
        found = self.model.next_problem(*here, back=back)
        if found is not None:
            self.jump_to(*found)
            self.panel.show_place(*found)
        return found

    def _edited(self, _row: int, _col: int) -> None:
        self._session.edited = True
        if self.fixes.applying:
            return  # a bulk fix checks its cells at once
        self.revalidate_button.setEnabled(True)
        self.plan_label.setText("Cells changed: re-validate to check them and see the new plan.")
        self.changed.emit()

    def _filter(self, only: bool) -> None:
        if self.model is not None:
            self.model.set_only_problems(only)

    def can_next(self) -> bool:
        return (not self.validating and not self.planning and self._session.plan is not None
                and not self.revalidate_button.isEnabled())
