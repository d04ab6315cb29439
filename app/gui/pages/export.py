"""The Export page: record type, filters, columns and file; the plan (records, calls, ETA); the run with progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.context import AppContext
from app.gui.controls import job_step, start_step
from app.gui.errors import plain_message
from app.gui.page import (
    Figures,
    Page,
    ScreenshotState,
    SideBySide,
    card,
    close_quietly,
    hint,
    path_row,
    primary,
)
from app.jobs import ExportJob, ExportPlan, ExportResult, ExportSettings, Progress
from app.jobs.exporting.columns import EXPORTABLE, all_columns, default_columns
from app.jobs.exporting.settings import DATED, SHEET_TITLES, STATUSES
from app.jobs.progress import format_duration

LINE_WORDS = {"contacts": ("One row per contact person", "contact"),
              "salesorders": ("One row per line item", "sales order"),
              "creditnotes": ("One row per line item", "credit note")}
"""The line-items choice of each record type, and what its one detail call per record is made for."""


class ExportPage(Page):
    """Collects ExportSettings, asks the engine for the plan, runs the ExportJob and shows its progress."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Export", "Zoho records to an Excel or CSV file — filtered, with the columns you choose, "
                         "ready to edit and import back.", parent)
        self.context = context
        self.job: ExportJob | None = None
        self.plan: ExportPlan | None = None
        self.result: ExportResult | None = None

        self.entity = QComboBox()
        for name in EXPORTABLE:
            self.entity.addItem(SHEET_TITLES[name], name)
        self.line_items = QCheckBox()
        self.out = QLineEdit()
        self.out.setPlaceholderText("Where to save (.xlsx or .csv)")
        self.choose_out = QPushButton("C&hoose…")
        what, what_layout = card("What to export")
        form = QFormLayout()
        form.addRow("&Records", self.entity)
        form.addRow("", self.line_items)
        path_row(form, "Save &to", self.out, self.choose_out)
        what_layout.addLayout(form)
        what_layout.addWidget(hint("Excel keeps dates and numbers as such; CSV is UTF-8. The columns are named "
                                   "as the shipped mappings read them: the file imports back as it is."))

        self.use_dates = QCheckBox("&Only dated between")
        self.date_from = QDateEdit(QDate.currentDate().addMonths(-1))
        self.date_to = QDateEdit(QDate.currentDate())
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.status = QComboBox()
        self.customer = QLineEdit()
        self.customer.setPlaceholderText("Customer name or ID")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Text in the name, number or reference")
        filters, filters_layout = card("Filters")
        grid = QGridLayout()
        dates = QHBoxLayout()
        dates.addWidget(self.use_dates)
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("and"))
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        grid.addLayout(dates, 0, 0, 1, 4)
        for column, (label, widget) in enumerate((("S&tatus", self.status), ("C&ustomer", self.customer),
                                                  ("Searc&h", self.search))):
            text = QLabel(label)
            text.setBuddy(widget)
            grid.addWidget(text, 1 + column, 0)
            grid.addWidget(widget, 1 + column, 1, 1, 3)
        filters_layout.addLayout(grid)

        self.columns = QListWidget()
        self.columns.setMinimumHeight(150)
        self.columns.setAlternatingRowColors(True)
        columns, columns_layout = card("Columns")
        picks = QHBoxLayout()
        self.default_columns = QPushButton("De&fault set")
        self.all_columns = QPushButton("A&ll")
        self.column_cost = hint("")
        picks.addWidget(self.default_columns)
        picks.addWidget(self.all_columns)
        picks.addWidget(self.column_cost, 1)
        columns_layout.addWidget(self.columns)
        columns_layout.addLayout(picks)

        self.plan_button = QPushButton("&Plan")
        self.run_button = primary("E&xport")
        self.open_button = QPushButton("&Open file")
        self.open_button.setEnabled(False)
        # the buttons beside the title: the page fits 1280x800 with the run panel shown
        self.plan_box, plan_layout = card("Plan", self.plan_button, self.run_button, self.open_button)
        self.plan_figures = Figures()
        plan_layout.addLayout(self.plan_figures)
        self.plan_text = hint("Press Plan to count the records and the calls before anything is fetched in full.")
        plan_layout.addWidget(self.plan_text)
        self.panel = self.run_panel("records")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(14)
        left_layout.addWidget(what)
        left_layout.addWidget(filters)
        left_layout.addStretch(1)
        self.top = SideBySide(left, columns)
        self.body.addWidget(self.top)
        self.body.addWidget(self.plan_box)
        self.body.addWidget(self.panel)
        self.body.addStretch(1)

        self.entity.currentIndexChanged.connect(self._entity_changed)
        self.line_items.toggled.connect(self._pick_default_columns)
        self.default_columns.clicked.connect(self._pick_default_columns)
        self.all_columns.clicked.connect(self._pick_all_columns)
        self.columns.itemChanged.connect(lambda _item: self._changed())
        self.choose_out.clicked.connect(self.choose_file)
        for signal in (self.use_dates.toggled, self.date_from.dateChanged, self.date_to.dateChanged,
                       self.status.currentIndexChanged, self.customer.textChanged, self.search.textChanged,
                       self.out.textChanged):
            signal.connect(self._changed)
        for button, step in ((self.plan_button, self.make_plan), (self.run_button, self.run_export)):
            button.clicked.connect(lambda _=False, step=step: start_step(self, step(), "Export failed"))
        self.open_button.clicked.connect(self.open_file)
        context.target_changed.connect(self._changed)
        self._entity_changed()

    # --- the form -------------------------------------------------------------------------------

    def _entity_changed(self) -> None:
        entity = self.entity.currentData()
        words, record = LINE_WORDS.get(entity, ("Items have no lines", ""))
        self.line_items.setText(words)
        self.line_items.setToolTip(f"All columns; one detail call per {record}" if record else "")
        self.line_items.setEnabled(entity in LINE_WORDS)
        if entity not in LINE_WORDS:
            self.line_items.setChecked(False)
        dated = entity in DATED
        for widget in (self.use_dates, self.date_from, self.date_to, self.customer):
            widget.setEnabled(dated)
        self.status.clear()
        self.status.addItem("Any status", "")
        for status in STATUSES[entity]:
            self.status.addItem(status.replace("_", " ").capitalize(), status)
        folder = self.context.preferences.last_folder("save") or Path.home()
        current = Path(self.out.text()) if self.out.text() else None
        suffix = current.suffix if current and current.suffix in (".xlsx", ".csv") else ".xlsx"
        self.out.setText(str((current.parent if current else folder) / f"{entity}-{dt.date.today()}{suffix}"))
        self._pick_default_columns()

    def _fill_columns(self, checked: set[str]) -> None:
        self.columns.blockSignals(True)
        self.columns.clear()
        for column in all_columns(self.entity.currentData()):
            item = QListWidgetItem(column.header)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if column.header in checked else Qt.CheckState.Unchecked)
            if column.detail:
                item.setToolTip("Needs one detail call per record")
                item.setText(f"{column.header}  ·  detail")
                item.setData(Qt.ItemDataRole.UserRole, column.header)
            else:
                item.setData(Qt.ItemDataRole.UserRole, column.header)
            self.columns.addItem(item)
        self.columns.blockSignals(False)
        self._changed()

    def _pick_default_columns(self) -> None:
        entity = self.entity.currentData()
        self._fill_columns({c.header for c in default_columns(entity, line_items=self.line_items.isChecked())})

    def _pick_all_columns(self) -> None:
        self._fill_columns({c.header for c in all_columns(self.entity.currentData())})

    def chosen_columns(self) -> list[str]:
        return [self.columns.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.columns.count())
                if self.columns.item(i).checkState() == Qt.CheckState.Checked]

    def _changed(self, *_args: object) -> None:
        """Any change makes the plan stale; the cost of the columns is shown at once."""
        if self.task is not None and not self.task.done():
            return
        if self.job is not None:  # a planned job holds its client open: let it go
            self.context.start(close_quietly(self.job), "Export")
        self.job = None
        self.plan = None
        detail = [c for c in all_columns(self.entity.currentData())
                  if c.detail and c.header in set(self.chosen_columns())]
        self.column_cost.setText(f"{len(self.chosen_columns())} columns"
                                 + (f"; {len(detail)} need a detail call per record" if detail else
                                    "; all from the list pages (200 records a call)"))
        self.plan_figures.clear()

    def choose_file(self) -> None:
        start = self.out.text() or str(Path.home())
        name, _ = QFileDialog.getSaveFileName(self, "Export to", start,
                                              "Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)")
        if name:
            path = Path(name)
            if path.suffix.lower() not in (".xlsx", ".csv"):
                path = path.with_suffix(".xlsx")
            self.out.setText(str(path))
            self.context.preferences.set_last_folder("save", path.parent)

    def settings(self) -> ExportSettings:
        entity = self.entity.currentData()
        dated = entity in DATED and self.use_dates.isChecked()
        columns = self.chosen_columns()
        return ExportSettings(
            entity, Path(self.out.text().strip()),
            date_from=self.date_from.date().toPython() if dated else None,  # type: ignore[arg-type]  # a datetime.date
            date_to=self.date_to.date().toPython() if dated else None,  # type: ignore[arg-type]  # a datetime.date
            status=self.status.currentData() or None,
            customer=(self.customer.text().strip() or None) if entity in DATED else None,
            search=self.search.text().strip() or None,
            line_items=self.line_items.isChecked(),
            columns=columns,
            target=self.context.target(),
        )

    # --- plan and run ---------------------------------------------------------------------------

    def _busy(self, busy: bool) -> None:
        for widget in (self.plan_button, self.run_button, self.entity, self.columns, self.out, self.choose_out):
            widget.setEnabled(not busy)

    async def _job(self) -> ExportJob | None:
        if self.job is None:
            if not self.chosen_columns():
                self.context.show_error("Cannot export", "Choose at least one column.")
                return None
            try:
                job = ExportJob(self.settings())
                job.prepare()
            except Exception as error:  # noqa: BLE001 - ExportError, TargetError: plain sentences
                self.context.show_error("Cannot export", plain_message(error))
                return None
            self.job = job
        return self.job

    async def make_plan(self) -> ExportPlan | None:
        job = await self._job()
        if job is None:
            return None

        async def planned() -> ExportPlan:
            self.context.client_active.emit(await job.connect())
            return await job.plan(self.panel.show_progress)

        self.plan = await job_step(self, "Listing the records…", planned,
                                   failed=("Nothing was exported.", "Cannot plan the export"))
        if self.plan is None:
            self.job = None
            return None
        self.panel.ended(f"Planned: {self.plan.records:,} records listed.")
        self._show_plan(self.plan)
        return self.plan

    def _show_plan(self, plan: ExportPlan) -> None:
        self.plan_figures.show(((f"{plan.records:,}", "records"), (f"{plan.calls:,}", "API calls"),
                                (f"{plan.detail_calls:,}", "still to make"), (format_duration(plan.eta_s), "time left"),
                                (f"{plan.quota_left:,}" if plan.quota_left is not None else "—", "quota left today")))
        self.plan_text.setText("\n".join(line for line in plan.lines()[1:]  # the quota is a figure above
                                          if not line.startswith("Quota left today")))

    async def run_export(self) -> ExportResult | None:
        job = await self._job()
        if job is None:
            return None
        self.open_button.setEnabled(False)

        async def ran() -> ExportResult:
            self.context.client_active.emit(await job.connect())
            return await job.run(self.panel.show_progress)

        result = await job_step(self, "Exporting…", ran, failed=("The export stopped; nothing was written.",
                                                                  "Export failed"))
        self.job, self.plan = None, None
        self.context.jobs_changed.emit()
        if result is None:
            return None
        self.result = result
        self._show_result(result)
        return result

    def _show_result(self, result: ExportResult) -> None:
        if result.out is not None:
            text = (f"Exported {result.records:,} records in {result.rows:,} rows to {result.out.name} "
                    f"({result.calls['total']:,} calls, {format_duration(result.elapsed_s)}).")
            if result.failed:
                text += f" {result.failed} records could not be read: {'; '.join(result.failures[:3])}"
            self.open_button.setEnabled(True)
            self.panel.ended(text)
        else:
            why = result.message or "nothing was written"
            self.panel.ended(f"Stopped: {why}. Run it again to continue: the details read are kept.")
            if result.message and not result.stopped:
                self.context.show_error("Export failed", result.message)

    def open_file(self) -> None:
        if self.result and self.result.out:
            self.context.open_path(self.result.out)

    def screenshot_states(self) -> Iterator[ScreenshotState]:
        def running() -> None:
            self.entity.setCurrentIndex(EXPORTABLE.index("salesorders"))
            self.line_items.setChecked(True)
            self._show_plan(ExportPlan(job_id="x3f9c2a71d0b4", entity="salesorders", records=2400,
                                       columns=self.chosen_columns(), list_calls=12, detail_calls=2400,
                                       quota_left=8620, rate_per_min=100.0, eta_s=1440, finishes_on=None))
            self._busy(True)
            self.panel.started()
            self.panel.show_progress(Progress(done=1312, failed=2, in_flight=10, total=2400, rate_per_min=98.4,
                                              eta_s=663, calls=1326, last_failure="SO-00412: record not found"))
            bar = self.scroll_area.verticalScrollBar()  # the run panel at the bottom, once laid out
            QTimer.singleShot(0, lambda: QTimer.singleShot(0, lambda: bar.setValue(bar.maximum())))

        yield "running", running
