"""The CRM Convert page: quotes or sales orders (a file or a pasted list) to sales orders / invoices, in bulk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.gui.context import AppContext
from app.gui.controls import job_step, start_step
from app.gui.errors import plain_message
from app.gui.page import (
    SPREADSHEETS,
    Figures,
    Page,
    ScreenshotState,
    SideBySide,
    card,
    close_quietly,
    hint,
    primary,
)
from app.gui.report_table import ReportTableModel, ReportTableView
from app.jobs import Progress
from app.jobs.converting import (
    CONVERT_TARGETS,
    ConvertJob,
    ConvertPlan,
    ConvertResult,
    ConvertSettings,
)
from app.jobs.progress import format_duration

WORDS = {"Quotes": "Quotes", "Sales_Orders": "Sales orders", "Invoices": "Invoices"}


class ConvertPage(Page):
    """Collects ConvertSettings, shows the engine's plan, runs the ConvertJob, lists each row's result."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("CRM Convert", "Turn approved Zoho CRM quotes into sales orders or invoices — hundreds at "
                         "a time, 50 per call, with a report of what was made and why a record could not be.", parent)
        self.context = context
        self.job: ConvertJob | None = None
        self.plan: ConvertPlan | None = None
        self.result: ConvertResult | None = None

        self.from_file = QRadioButton("From a &spreadsheet")
        self.from_list = QRadioButton("From a pasted &list")
        self.from_file.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.from_file)
        group.addButton(self.from_list)
        self.file = QLineEdit()
        self.file.setPlaceholderText("A file with a column of record IDs or numbers (QT-00012)")
        self.choose = QPushButton("C&hoose…")
        self.pasted = QPlainTextEdit()
        self.pasted.setPlaceholderText("One record ID or number a line, e.g.\nQT-00012\n4876876000000845013")
        self.pasted.setMaximumHeight(110)
        records, records_layout = card("Records to convert")
        file_row = QHBoxLayout()
        file_row.addWidget(self.from_file)
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.choose)
        records_layout.addLayout(file_row)
        records_layout.addWidget(self.from_list)
        records_layout.addWidget(self.pasted)

        self.source = QComboBox()
        for source in CONVERT_TARGETS:
            self.source.addItem(WORDS[source], source)
        self.to_sales_orders = QCheckBox("&Sales orders")
        self.to_invoices = QCheckBox("&Invoices")
        self.carry_tags = QCheckBox("Carry over &tags")
        options, options_layout = card("Conversion")
        form = QFormLayout()
        form.addRow("&Convert", self.source)
        targets = QHBoxLayout()
        targets.addWidget(self.to_sales_orders)
        targets.addWidget(self.to_invoices)
        targets.addStretch(1)
        form.addRow("Into", targets)
        form.addRow("", self.carry_tags)
        options_layout.addLayout(form)
        options_layout.addWidget(hint("Zoho converts only approved (and, with review on, reviewed) quotes. A column "
                                      "“Convert To” or “Carry Over Tags” in the file overrides these choices per row."))

        top = QHBoxLayout()
        top.addWidget(records, 3)
        top.addWidget(options, 2)
        self.body.addLayout(top)

        self.plan_button = QPushButton("&Plan")
        self.run_button = primary("Con&vert")
        self.report_button = QPushButton("Open &report")
        self.report_button.setEnabled(False)
        # the buttons beside the title: at 1280x800 the results fit under the form
        plan_box, plan_layout = card("Plan", self.plan_button, self.run_button, self.report_button)
        self.plan_figures = Figures()
        plan_layout.addLayout(self.plan_figures)
        self.plan_text = hint("Plan reads the rows, resolves record numbers and counts the calls; nothing is "
                              "converted until you press Convert.")
        plan_layout.addWidget(self.plan_text)
        self.panel = self.run_panel("rows")
        self.body.addWidget(SideBySide(plan_box, self.panel))

        self.results = ReportTableModel()
        self.table = ReportTableView(self.results, widest=380)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(150)  # it takes the rest of the page: the form above stays in view
        self.results_box, results_layout = card("Results per row")
        results_layout.addWidget(self.table)
        self.body.addWidget(self.results_box, 1)
        self.body.addStretch(1)  # takes the room while the results are hidden
        self.results_box.setVisible(False)  # shown once a run has results: no empty pane before
        self.results.modelReset.connect(lambda: self.results_box.setVisible(bool(self.results.rows)))

        self.source.currentIndexChanged.connect(self._source_changed)
        self.choose.clicked.connect(self.choose_file)
        self.from_file.toggled.connect(self._mode_changed)
        for signal in (self.file.textChanged, self.pasted.textChanged, self.to_sales_orders.toggled,
                       self.to_invoices.toggled, self.carry_tags.toggled):
            signal.connect(self._changed)
        for button, step in ((self.plan_button, self.make_plan), (self.run_button, self.run_conversion)):
            button.clicked.connect(lambda _=False, step=step: start_step(self, step(), "Conversion failed"))
        self.report_button.clicked.connect(self.open_report)
        context.target_changed.connect(self._changed)
        self._source_changed()
        self._mode_changed()

    # --- the form -------------------------------------------------------------------------------

    def _source_changed(self) -> None:
        allowed = CONVERT_TARGETS[self.source.currentData()]
        for box, module in ((self.to_sales_orders, "Sales_Orders"), (self.to_invoices, "Invoices")):
            box.setEnabled(module in allowed)
            box.setChecked(module in allowed and (module == allowed[0]))
        self._changed()

    def _mode_changed(self) -> None:
        self._enable_source()
        self._changed()

    def _changed(self, *_args: object) -> None:
        if self.task is not None and not self.task.done():
            return
        if self.job is not None:  # a planned job holds its client and journal open: let them go
            self.context.start(close_quietly(self.job), "Conversion")
        self.job = None
        self.plan = None
        self.plan_figures.clear()

    def choose_file(self) -> None:
        folder = self.context.preferences.last_folder("open") or Path.home()
        name, _ = QFileDialog.getOpenFileName(self, "Records to convert", str(folder), SPREADSHEETS)
        if name:
            self.file.setText(name)
            self.context.preferences.set_last_folder("open", Path(name).parent)

    def targets(self) -> tuple[str, ...]:
        return tuple(m for box, m in ((self.to_sales_orders, "Sales_Orders"), (self.to_invoices, "Invoices"))
                     if box.isEnabled() and box.isChecked())

    def settings(self) -> ConvertSettings:
        by_file = self.from_file.isChecked()
        return ConvertSettings(
            self.source.currentData(), self.targets(),
            file=Path(self.file.text().strip()) if by_file and self.file.text().strip() else None,
            text=None if by_file else self.pasted.toPlainText(),
            carry_over_tags=self.carry_tags.isChecked(),
            report_dir=self.context.preferences.report_folder(),
            target=self.context.target(),
        )

    # --- plan and run ---------------------------------------------------------------------------

    def _busy(self, busy: bool) -> None:
        for widget in (self.plan_button, self.run_button, self.source, self.file, self.pasted, self.choose):
            widget.setEnabled(not busy)
        if not busy:
            self._enable_source()

    def _enable_source(self) -> None:
        """The file or the pasted list, as the radio buttons choose."""
        by_file = self.from_file.isChecked()
        self.file.setEnabled(by_file)
        self.choose.setEnabled(by_file)
        self.pasted.setEnabled(not by_file)

    def _job(self) -> ConvertJob | None:
        if self.job is None:
            if self.from_file.isChecked() and not self.file.text().strip():
                self.context.show_error("Cannot convert", "Choose the spreadsheet with the records first.")
                return None
            if self.from_list.isChecked() and not self.pasted.toPlainText().strip():
                self.context.show_error("Cannot convert", "Paste the record IDs or numbers first, one a line.")
                return None
            try:
                self.job = ConvertJob(self.settings())
            except Exception as error:  # noqa: BLE001 - JobError, TargetError: plain sentences
                self.context.show_error("Cannot convert", plain_message(error))
                return None
        return self.job

    async def make_plan(self) -> ConvertPlan | None:
        job = self._job()
        if job is None:
            return None
        self.plan = await job_step(self, "Reading the rows and resolving record numbers…", job.plan,
                                   failed=("Nothing was converted.", "Cannot plan the conversion"))
        if self.plan is None:
            self.job = None
            return None
        self.context.client_active.emit(job.client)
        self.panel.ended(f"Planned: {self.plan.to_convert:,} records to convert.")
        self._show_plan(self.plan)
        return self.plan

    def _show_plan(self, plan: ConvertPlan) -> None:
        self.plan_figures.show(((f"{plan.rows:,}", "rows"), (f"{plan.to_convert:,}", "to convert"),
                                (f"{plan.invalid:,}", "invalid"), (f"{plan.already_done:,}", "settled before"),
                                (f"{plan.convert_calls:,}", "convert calls")))
        self.plan_text.setText("\n".join(plan.lines()))

    async def run_conversion(self) -> ConvertResult | None:
        job = self._job()
        if job is None:
            return None
        self.report_button.setEnabled(False)

        async def ran() -> ConvertResult:
            if self.plan is None:
                self.plan = await job.plan()
                self._show_plan(self.plan)
            self.context.client_active.emit(job.client)
            return await job.run(self.panel.show_progress)

        result = await job_step(self, "Converting…", ran, failed=(
            "The conversion stopped; run it again to go on (no record is converted twice).", "Conversion failed"))
        self.job, self.plan = None, None
        self.context.jobs_changed.emit()
        if result is None:
            return None
        self.result = result
        self.results.load(result.report_csv)
        c = result.counts
        text = (f"{c.get('converted', 0):,} converted, {c.get('failed', 0):,} failed, {c.get('invalid', 0):,} "
                f"invalid in {format_duration(result.elapsed_s)} ({result.calls.get('total', 0):,} calls).")
        if result.message:
            text += f" Stopped: {result.message}."
        self.panel.ended(text)
        self.report_button.setEnabled(result.report is not None)
        QTimer.singleShot(0, lambda: self.scroll_area.ensureWidgetVisible(self.table))  # once laid out
        return result

    def open_report(self) -> None:
        if self.result and self.result.report:
            self.context.open_path(self.result.report)

    def screenshot_states(self) -> Iterator[ScreenshotState]:
        def running() -> None:
            self.from_list.setChecked(True)
            self.pasted.setPlainText("\n".join(f"QT-{n:05d}" for n in range(120, 131)))
            self._show_plan(ConvertPlan(job_id="c81d0f2b77e1", rows=480, records=480, invalid=0, already_done=0,
                                        to_convert=480, mass_calls=10, single_calls=0, lookup_calls=3))
            self.panel.started()
            self.panel.show_progress(Progress(done=184, failed=6, in_flight=50, total=480, rate_per_min=42.0,
                                              eta_s=420, calls=9, last_failure="QT-00133: the quote is not approved",
                                              phase="run"))

        yield "running", running

        def converted() -> None:  # a real conversion in the built-in sandbox; the screenshot waits for page.task
            self.panel.ended("")
            self.pasted.setPlainText("\n".join(f"QT-{n:05d}" for n in range(20, 41)))
            self.to_invoices.setChecked(False)
            self.run_button.click()

        if self.context.is_sandbox():
            yield "results", converted
