"""The Import page: five steps (file, mapping, review, run, results) over the import engine, with Back and Next."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QWidget

from app.gui.import_wizard.file_step import FileStep
from app.gui.import_wizard.mapping_step import MappingStep
from app.gui.import_wizard.review_step import ReviewStep
from app.gui.import_wizard.run_step import ResultsStep, RunStep
from app.gui.import_wizard.session import Context, Session, Tasks, gentle, what_resuming_sends
from app.gui.page import Page, ScreenshotState, ask, button, styled
from app.mapping import Mapping
from app.sheets import read_table
from app.sheets.encodings import EncodingUnsure

FILE, MAPPING, REVIEW, RUN, RESULTS = range(5)
STEP_NAMES = ("1 File", "2 Mapping", "3 Review", "4 Run", "5 Results")
NEXT_TEXT = {FILE: "&Next", MAPPING: "&Next", REVIEW: "&Start import", RUN: "&Next",
             RESULTS: "Import &another file"}


class ImportPage(Page):
    """The import wizard; the main window embeds it. `step` says where the user is."""

    step_changed = Signal(int)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__("Import", "Send the rows of a spreadsheet to Zoho Books: check every cell first, "
                         "then upload with a per-row report.", parent)
        self.setObjectName("importPage")
        self.context = context
        self.session = Session()
        self.tasks = Tasks(context, self)
        self.tasks.finished.connect(self._update_buttons)
        self.reading = False
        self.task: asyncio.Future[None] | None = None  # the work a screenshot state started
        self.run_task: asyncio.Future[None] | None = None  # the upload under way

        self.file_step = FileStep(context, self.session)
        self.mapping_step = MappingStep(context, self.session)
        self.review_step = ReviewStep(context, self.session)
        self.run_step = RunStep(context, self.session)
        self.results_step = ResultsStep(context, self.session)
        self.stack = QStackedWidget()
        for step in (self.file_step, self.mapping_step, self.review_step, self.run_step, self.results_step):
            self.stack.addWidget(step)
            step_changed = getattr(step, "changed", None)
            if step_changed is not None:
                step_changed.connect(self._update_buttons)
        self.run_step.finished.connect(self._run_finished)
        self.run_step.finished.connect(self.mapping_step.remember_run)
        self.results_step.fix_failed_rows.connect(self.fix_failed_rows)
        self.results_step.resume_requested.connect(self.resume)
        self.review_step.mapping_changed.connect(self._mapping_from_review)

        self.steps_label = styled("", "wizardSteps")
        self.back_button = button("&Back", "back", clicked=self.back)
        self.next_button = button("&Next", "next", tip="Next step (Ctrl+Enter)", clicked=self.next)
        self.next_button.setDefault(True)
        nav = QHBoxLayout()
        nav.addWidget(self.steps_label, 1)
        nav.addWidget(self.back_button)
        nav.addWidget(self.next_button)
        self.body.addLayout(nav)
        self.body.addWidget(self.stack, 1)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self._next_if_enabled)
        open_requested = getattr(context, "open_file_requested", None)
        if open_requested is not None:
            open_requested.connect(self.open_file)
        self.go(FILE)

    # --- navigation ---

    @property
    def step(self) -> int:
        return self.stack.currentIndex()

    def go(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        names = [f"<b>{n}</b>" if i == step else n for i, n in enumerate(STEP_NAMES)]
        self.steps_label.setText("  \u203a  ".join(names))
        self.next_button.setText(NEXT_TEXT[step])
        self._update_buttons()
        self.step_changed.emit(step)

    def _update_buttons(self) -> None:
        step = self.step
        can = {
            FILE: lambda: self.file_step.can_next() and not self.reading,
            MAPPING: self.mapping_step.can_next,
            REVIEW: self.review_step.can_next,
            RUN: lambda: False,
            RESULTS: lambda: True,
        }[step]()
        self.next_button.setEnabled(bool(can))
        self.next_button.setVisible(step != RUN)
        self.back_button.setEnabled(step in (MAPPING, REVIEW, RESULTS) and not self.reading
                                    and not self.review_step.validating and not self.review_step.planning)
        self.back_button.setVisible(step != RUN)

    def _next_if_enabled(self) -> None:
        if self.next_button.isEnabled() and self.next_button.isVisible():
            self.next()

    def next(self) -> asyncio.Future[None] | None:
        """Go on to the next step; the work it starts (reading, checking, the run) is returned."""
        step = self.step
        if step == FILE:
            self.file_step.store()
            return self.tasks.start(self._read(), "The file cannot be read")
        if step == MAPPING:
            return self._review()
        if step == REVIEW:
            self.go(RUN)
            self.run_task = self.tasks.start(self.run_step.run(), "The import stopped")
            return self.run_task
        if step == RESULTS:
            self.session.keep_mapping = None
            self.go(FILE)
        return None

    def back(self) -> None:
        step = self.step
        if step == MAPPING:
            self.session.keep_mapping = self.session.mapping  # the user's choices survive a look back
            self.go(FILE)
        elif step == REVIEW:
            self.tasks.start(self.review_step.drop_job(), "The job could not be closed")
            self.go(MAPPING)
        elif step == RESULTS:
            self._review()

    def resume(self) -> asyncio.Future[None]:
        """Go on with a stopped run: the same job, planned again on Review; what it sends is asked first."""
        self.run_task = self.tasks.start(self._resume(), "The import could not be resumed")
        return self.run_task

    async def _resume(self) -> None:
        s = self.session
        s.plan = None
        self.go(REVIEW)
        await self.review_step.start()
        if s.plan is None or s.job is None or not self.review_step.can_next():
            return  # Review says why there is no plan
        text, details = what_resuming_sends(s.job, s.plan)
        if not await ask(self, "Resume the import", text, details, "&Resume"):
            return  # the plan stays on Review, to start from there or leave
        self.go(RUN)
        await self.run_step.run()

    def _review(self) -> asyncio.Future[None]:
        """To the review step: check the records again and work out a new plan (the old one is gone)."""
        self.session.plan = None
        self.go(REVIEW)
        return self.tasks.start(self.review_step.start(), "The records could not be checked")

    async def _read(self) -> None:
        """Read the chosen sheet off the GUI thread, then propose (or reuse) a mapping."""
        s = self.session
        assert s.file is not None
        self.reading = True
        self.file_step.status.setText(f"Reading {s.file.name}\u2026")
        self._update_buttons()
        try:
            try:
                table = await self.context.run_in_background(
                    gentle, lambda: read_table(s.file, sheet=s.sheet, encoding=s.encoding))
            except EncodingUnsure as unsure:  # the user picks among the candidates, each shown as it reads
                self.file_step.ask_encoding(unsure.candidates)
                return
            except Exception as error:  # noqa: BLE001 - SheetError and OS errors: one plain sentence
                from app.gui.errors import plain_message

                self.file_step.status.setText(plain_message(error))
                return
            s.table, s.edited, s.validation = table, False, None
            keep = s.keep_mapping
            if keep is not None and keep.entity == s.entity:
                mapping = keep.model_copy(update={"operation": s.operation})
            else:
                mapping = await self.mapping_step.propose(table)  # remembered, or auto-mapped
            s.mapping = mapping
            notes = " ".join(str(n) for n in table.notes if n.row is None)  # row notes: on Review
            self.file_step.status.setText(f"{len(table.rows):,} rows in sheet \u201c{table.sheet}\u201d. {notes}")
            self.mapping_step.show_mapping(table, mapping)
            self.go(MAPPING)
        finally:
            self.reading = False
            self._update_buttons()

    def _mapping_from_review(self, mapping: Mapping) -> None:
        """A value map made on Review: the mapping step shows it, and Save mapping keeps it."""
        if self.mapping_step.model is not None:
            self.mapping_step.model.set_mapping(mapping)

    def _run_finished(self) -> None:
        self.results_step.show_result(self.session.result)
        self.go(RESULTS)

    # --- entry points ---

    def open_file(self, path: Path) -> None:
        """Start over with `path` (File > Open, a recent file, a sample)."""
        if self.step == RUN:
            return
        if self.session.job is not None:
            self.tasks.start(self.review_step.drop_job(), "The job could not be closed")
        self.go(FILE)
        self.file_step.choose_new(Path(path))

    def fix_failed_rows(self, path: Path) -> None:
        """Another round for the rows that failed: their file, with the same mapping, record type and operation."""
        s = self.session
        s.keep_mapping = s.mapping
        self.go(FILE)
        self.file_step.choose(Path(path), entity=s.entity, operation=s.operation)

    def running(self) -> asyncio.Future[None] | None:
        task = self.run_task
        return task if task is not None and not task.done() else None

    def shutdown(self) -> None:
        """Stop a running import (the window is closing); what was sent stays in the journal."""
        if self.running() is not None and self.session.job is not None:
            self.session.job.cancel()

    # --- screenshots (app.gui.screenshots) ---

    def screenshot_states(self) -> Iterator[ScreenshotState]:
        from app.gui.import_wizard.screenshots import states

        yield from states(self)
