"""The Cleanup page: delete, void, open, draft, activate or deactivate records picked by a sheet or a filter, asked first.

The same engine as `zoho-bulk import --operation delete|void|...`: the records are listed once
(200 a page) and matched, what matches no record (or several) is refused on its row before
anything is sent, the plan says the calls, a delete or a void is asked with the count and the
organization, and the run is exactly once, resumable, with a per-row report. The Jobs page
undoes it.
"""

from __future__ import annotations

from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from app.gui.context import AppContext
from app.gui.controls import DateRange, button_row, choose_spreadsheet, job_step
from app.gui.errors import plain_message
from app.gui.page import (
    Figures,
    Page,
    ScreenshotState,
    ask,
    card,
    close_quietly,
    hint,
    path_row,
    primary,
)
from app.jobs.cleanup import OPERATIONS, CleanupJob, CleanupResult, CleanupSettings
from app.jobs.cleanup.operations import NOUNS
from app.jobs.exporting.settings import STATUSES
from app.jobs.plan import Plan
from app.jobs.progress import format_duration

WORDS = {"delete": "Delete", "void": "Void", "open": "Mark as open", "draft": "Mark as draft",
         "activate": "Mark as active", "deactivate": "Mark as inactive"}


class CleanupPage(Page):
    """Collects CleanupSettings, shows the plan, asks, runs the CleanupJob with progress, offers the report."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Cleanup", "Delete, void or change the status of many records at once — picked by a sheet "
                         "or a filter, asked with the count first, each sent once, with a report. The Jobs page "
                         "can undo it.", parent)
        self.context = context
        self.job: CleanupJob | None = None
        self.result: CleanupResult | None = None
        self._working = False

        self.entity = QComboBox()
        for name, (_one, many) in NOUNS.items():
            self.entity.addItem(many.capitalize(), name)
        self.operation = QComboBox()
        self.limit = QSpinBox()
        self.limit.setRange(0, 1_000_000)
        self.limit.setSpecialValueText("all")
        self.limit.setToolTip("Send at most this many calls now, to try the operation on a few records first; "
                              "running again sends the rest")
        what, what_layout = card("What to do")
        form = QFormLayout()
        form.addRow("&Records", self.entity)
        form.addRow("&Operation", self.operation)
        form.addRow("&At most", self.limit)
        what_layout.addLayout(form)

        self.by_sheet = QRadioButton("A &sheet naming them (Zoho IDs, numbers, or contact names)")
        self.by_filter = QRadioButton("A f&ilter")
        self.by_sheet.setChecked(True)
        self._by = QButtonGroup(self)
        for choice in (self.by_sheet, self.by_filter):
            self._by.addButton(choice)
        self.file = QLineEdit()
        self.file.setPlaceholderText("The spreadsheet with the records")
        self.choose = QPushButton("C&hoose…")
        self.column = QLineEdit()
        self.column.setPlaceholderText("Found by its header when empty")
        self.dates = DateRange("&Dated between")
        self.use_dates, self.date_from, self.date_to = self.dates.use, self.dates.date_from, self.dates.date_to
        self.status = QComboBox()
        self.customer = QLineEdit()
        self.customer.setPlaceholderText("Customer name or ID")
        which, which_layout = card("Which records")
        which_layout.addWidget(self.by_sheet)
        sheet_form = QFormLayout()
        path_row(sheet_form, "&File", self.file, self.choose)
        sheet_form.addRow("Co&lumn", self.column)
        which_layout.addLayout(sheet_form)
        which_layout.addWidget(self.by_filter)
        which_layout.addLayout(self.dates)
        filter_form = QFormLayout()
        filter_form.addRow("S&tatus", self.status)
        filter_form.addRow("C&ustomer", self.customer)
        which_layout.addLayout(filter_form)
        which_layout.addWidget(hint("A value that matches no record, or several, is refused on its row: nothing "
                                    "is done on a guess. A cleanup never acts on every record unasked."))

        self.figures = Figures()
        self.plan_text = hint("")
        self.check_button = QPushButton("Chec&k")
        self.run_button = primary("&Delete…")
        self.report_button = QPushButton("Open &report")
        self.report_button.setEnabled(False)
        plan, plan_layout = card("Plan")
        plan_layout.addLayout(self.figures)
        plan_layout.addWidget(self.plan_text)
        plan_layout.addLayout(button_row([self.report_button], [self.check_button, self.run_button]))

        self.body.addWidget(what)
        self.body.addWidget(which)
        self.body.addWidget(plan)
        self.panel = self.run_panel("records")
        self.panel.setVisible(False)
        self.body.addWidget(self.panel)
        self.body.addStretch(1)

        self.entity.currentIndexChanged.connect(self._entity_changed)
        self.operation.currentIndexChanged.connect(self._operation_changed)
        self.choose.clicked.connect(self._choose_file)
        self.check_button.clicked.connect(lambda: self._start(self.check()))
        self.run_button.clicked.connect(lambda: self._start(self.run_cleanup()))
        self.report_button.clicked.connect(self.open_report)
        self._by.buttonToggled.connect(lambda *_: self._enable())
        self.use_dates.toggled.connect(lambda *_: self._enable())
        for changed in (self.file.textChanged, self.column.textChanged, self.customer.textChanged,
                        self.status.currentIndexChanged, self.limit.valueChanged, self.use_dates.toggled,
                        self.date_from.dateChanged, self.date_to.dateChanged, self._by.buttonToggled):
            changed.connect(self._forget)
        self._entity_changed()

    # --- the choices ---

    def _entity_changed(self) -> None:
        entity = self.entity.currentData()
        self.operation.clear()
        for name, op in OPERATIONS.items():
            if entity in op.entities:
                self.operation.addItem(WORDS[name], name)
        self.status.clear()
        self.status.addItem("Any status", "")
        for status in STATUSES[entity]:
            self.status.addItem(status.replace("_", " ").capitalize(), status)
        self._forget()

    def _operation_changed(self) -> None:
        name = self.operation.currentData()
        if name:
            self.run_button.setText(f"{WORDS[name].replace('Mark as ', 'Mark ')}…")
        self._forget()

    def _choose_file(self) -> None:
        choose_spreadsheet(self, "The records to clean up", self.file, self.context.preferences)

    def _busy(self, busy: bool) -> None:
        self._working = busy
        self._enable()

    def _enable(self) -> None:
        busy = self._working or (self.task is not None and not self.task.done())
        by_sheet = self.by_sheet.isChecked()
        widgets: list[tuple[QWidget, bool]] = [
            *((w, by_sheet) for w in (self.file, self.choose, self.column)),
            *((w, not by_sheet) for w in (self.use_dates, self.status, self.customer)),
            *((w, not by_sheet and self.use_dates.isChecked()) for w in (self.date_from, self.date_to)),
            *((w, True) for w in (self.entity, self.operation, self.limit, self.by_sheet, self.by_filter,
                                  self.check_button, self.run_button))]
        for widget, wanted in widgets:
            widget.setEnabled(wanted and not busy)

    def _forget(self, *_: object) -> None:
        """A choice changed: the plan made before no longer holds."""
        if self.job is not None and (self.task is None or self.task.done()):
            job, self.job = self.job, None
            self.context.start(close_quietly(job), "Closing failed")
        self.figures.clear()
        self.plan_text.setText("")
        self._enable()

    def settings(self) -> CleanupSettings:
        by_sheet = self.by_sheet.isChecked()
        dates = None if by_sheet else self.dates.dates()
        return CleanupSettings(
            self.entity.currentData(), self.operation.currentData(),
            file=Path(self.file.text().strip()) if by_sheet and self.file.text().strip() else None,
            column=(self.column.text().strip() or None) if by_sheet else None,
            date_from=dates[0] if dates else None, date_to=dates[1] if dates else None,
            status=(self.status.currentData() or None) if not by_sheet else None,
            customer=(self.customer.text().strip() or None) if not by_sheet else None,
            limit=self.limit.value() or None, target=self.context.target(),
            report_dir=self.context.preferences.report_folder())

    # --- plan, ask, run ---

    def _start(self, work: Coroutine[Any, Any, object]) -> None:
        self.task = self.context.start(work, "The cleanup failed")
        self.task.add_done_callback(lambda _task: self._enable())
        self._enable()

    async def check(self) -> Plan | None:
        """Pick the records and plan (list pages only); the plan and the question are shown."""
        if self.by_sheet.isChecked() and not self.file.text().strip():
            self.context.show_error("Cannot clean up", "Choose the spreadsheet naming the records first.")
            return None
        self.panel.setVisible(True)
        if self.job is None:
            try:
                self.job = CleanupJob(self.settings())
            except Exception as error:  # noqa: BLE001 - JobError, TargetError: plain sentences
                self.context.show_error("Cannot plan the cleanup", plain_message(error))
                return None
        plan = await job_step(self, "Listing the records and matching them…", self.job.plan,
                              failed=("Nothing was sent.", "Cannot plan the cleanup"))
        if plan is None or self.job is None:
            self.job = None
            return None
        self.context.client_active.emit(self.job.client)
        sending, left = self.job.to_send()
        refused = plan.invalid
        self.figures.show(((f"{sending:,}", "to send"), (f"{refused:,}", "refused"),
                           (f"{plan.already_done:,}", "already so"), (f"{plan.calls:,}", "calls")))
        self.plan_text.setText("\n".join(plan.lines()))
        self.panel.ended(f"Planned: {sending:,} of {left:,} records to send; nothing was sent yet.")
        return plan

    async def run_cleanup(self) -> CleanupResult | None:
        """Plan if not done, ask with the count (delete and void), run, show the counts and the report."""
        if self.job is None and await self.check() is None:
            return None
        job = self.job
        assert job is not None
        sending = job.to_send()[0]
        if sending and job.op.destructive and not await ask(
                self, f"{job.op.verb} records", job.question(), self.plan_text.text(), f"&{job.op.verb}"):
            self.job = None
            await close_quietly(job)
            self.panel.ended("Not confirmed: nothing was sent.")
            return None
        result = await job_step(self, f"{job.op.verb}…", lambda: job.run(self.panel.show_progress), failed=(
            "The cleanup stopped; run it again to go on (no record is sent twice).", "The cleanup stopped"))
        self.job = None
        self.context.jobs_changed.emit()
        if result is None:
            return None
        self.result = result
        counts = " · ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in result.counts.items() if n)
        ended = f"Job {result.job_id}: {counts or 'nothing to do'} in {format_duration(result.elapsed_s)}"
        self.panel.ended(ended + (f". {result.message}." if result.message else "."))
        self.report_button.setEnabled(True)
        return result

    def open_report(self) -> None:
        if self.result is not None and self.result.report is not None:
            self.context.open_path(self.result.report)

    def screenshot_states(self) -> Iterator[ScreenshotState]:
        def void_by_filter() -> None:  # the plan of voiding the open sales orders of one customer (nothing sent)
            self.entity.setCurrentIndex(list(NOUNS).index("salesorders"))
            self.operation.setCurrentIndex(self.operation.findData("void"))
            self.by_filter.setChecked(True)
            self.status.setCurrentIndex(self.status.findData("draft"))
            self._start(self.check())

        yield "void planned", void_by_filter

