"""The Jobs page: every past run from the job journals, its report, and resuming an unfinished one."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.gui.appearance import problem_colour
from app.gui.context import AppContext
from app.gui.controls import button_row
from app.gui.errors import plain_message
from app.gui.import_wizard.session import what_resuming_sends
from app.gui.page import Page, ScreenshotState, ask, card, close_quietly, hint, list_table, primary
from app.gui.table_model import Index, TitledColumnsModel
from app.jobs import ExportJob, ExportResult, ImportJob, JobSummary, list_jobs, resume
from app.jobs.converting import ConvertJob
from app.jobs.outcomes import Outcome
from app.jobs.plan import Plan
from app.jobs.target import Target
from app.jobs.undoing.job import UndoJob, UndoSettings

KINDS = {"import": "Import", "export": "Export", "convert": "CRM convert", "cleanup": "Cleanup", "undo": "Undo"}
RECORDS = {"contacts": "Contacts", "salesorders": "Sales orders", "creditnotes": "Credit notes", "items": "Items",
           "Quotes": "Quotes", "Sales_Orders": "Sales orders"}
STATUS_WORDS = {"finished": "Finished", "stopped": "Stopped", "unsettled": "Unfinished", "new": "Not started",
                "running": "Unfinished", "failed": "Failed"}
JOURNAL_STATES = ("done", "sent")  # the journal's own bookkeeping; the outcomes say more
COUNT_WORDS = {"pending": Outcome.NOT_SENT.words}  # the journal's state of what a stopped run never sent
RESUMABLE_KINDS = ("import", "convert", "export")
UNDOABLE_KINDS = ("import", "cleanup", "undo")  # the jobs that changed records in Zoho Books


class JobsModel(TitledColumnsModel):
    """Rows of app.jobs.list_jobs(), newest first."""

    HEADERS = ("Kind", "Records", "File", "Status", "Counts", "Date")

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[JobSummary] = []

    def refresh(self) -> None:
        self.beginResetModel()
        self.jobs = list_jobs()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(self.jobs)

    def text(self, job: JobSummary, column: int) -> str:
        if column == 0:
            return KINDS.get(job.kind, job.kind.capitalize())
        if column == 1:
            words = RECORDS.get(job.entity or "", job.entity or "")
            return f"{words} · {job.operation}" if job.operation and job.kind in ("import", "cleanup") else words
        if column == 2:
            return Path(job.file).name if job.file else "pasted list" if job.kind == "convert" else "\u2014"
        if column == 3:
            return STATUS_WORDS.get(job.status, job.status.capitalize())
        if column == 4:
            return " · ".join(f"{n:,} {COUNT_WORDS.get(state, state.replace('_', ' '))}"
                              for state, n in job.counts.items() if n and state not in JOURNAL_STATES)
        if column == 5 and job.created_at:
            return dt.datetime.fromtimestamp(job.created_at).strftime("%Y-%m-%d %H:%M")
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        job = self.jobs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(job, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return job.file if index.column() == 2 else f"Job {job.job_id}"
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 3:
            if job.status == "finished":
                return problem_colour("error" if job.counts.get("failed") else "ok")
            return problem_colour("warning")
        return None



class JobsPage(Page):
    """Past runs; open a report; resume an unfinished import, conversion or export against the selected connection."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Jobs", "Every run, with its report. An unfinished job resumes where it stopped: no row "
                         "is sent twice, no record read twice.", parent)
        self.context = context
        self.model = JobsModel()
        self.table = list_table(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(320)
        self.refresh_button = QPushButton("Re&fresh")
        self.report_button = QPushButton("Open &report")
        self.folder_button = QPushButton("Open f&older")
        self.resume_button = primary("Res&ume")
        self.undo_button = QPushButton("&Undo…")
        self.undo_button.setToolTip("Take back what the job did, record by record; records changed since are left "
                                    "alone and reported")
        self.job: ImportJob | ConvertJob | ExportJob | UndoJob | None = None

        box, layout = card()
        layout.addWidget(self.table)
        layout.addLayout(button_row([self.refresh_button], [self.folder_button, self.report_button, self.undo_button,
                                                            self.resume_button]))
        layout.addWidget(hint("A resumed job runs against the connection selected now; use the one it started on."))
        self.body.addWidget(box, 1)
        self.panel = self.run_panel("rows")
        self.panel.setVisible(False)
        self.body.addWidget(self.panel)

        self.refresh_button.clicked.connect(self.refresh)
        self.report_button.clicked.connect(self.open_report)
        self.folder_button.clicked.connect(self.open_folder)
        self.resume_button.clicked.connect(lambda: self._start(self.resume_selected(), "Resuming failed"))
        self.undo_button.clicked.connect(lambda: self._start(self.undo_selected(), "Undo failed"))
        self.table.doubleClicked.connect(lambda _i: self.open_report())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.model.modelReset.connect(self._enable)
        context.jobs_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        kept = self.selected()
        try:
            self.model.refresh()
        except Exception as error:  # noqa: BLE001 - e.g. an unreadable data folder
            self.context.show_error("Cannot list the jobs", plain_message(error))
            return
        ids = [job.job_id for job in self.model.jobs]
        if ids:
            self.table.selectRow(ids.index(kept.job_id) if kept and kept.job_id in ids else 0)

    def selected(self) -> JobSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.jobs[rows[0].row()] if rows else None

    def _enable(self) -> None:
        job = self.selected()
        running = self.task is not None and not self.task.done()
        self.report_button.setEnabled(bool(job and job.report and Path(job.report).exists()))
        self.folder_button.setEnabled(bool(job and (job.report or job.file)))
        self.resume_button.setEnabled(bool(job and job.kind in RESUMABLE_KINDS and job.resumable and not running))
        self.undo_button.setEnabled(bool(job and job.kind in UNDOABLE_KINDS and job.status != "new" and not running))

    def open_report(self) -> None:
        job = self.selected()
        if job and job.report:
            if not Path(job.report).exists():
                self.context.show_error("Cannot open the report", f"The report {job.report} is no longer there.")
                return
            self.context.open_path(Path(job.report))

    def open_folder(self) -> None:
        job = self.selected()
        where = job.report or job.file if job else None
        if where:
            self.context.open_path(Path(where).parent)

    def _start(self, run: Coroutine[Any, Any, object | None], failed: str) -> None:
        self.task = self.context.start(run, failed)
        self.task.add_done_callback(lambda _task: self._enable())
        self._enable()

    async def resume_selected(self) -> object | None:
        """Run the selected unfinished job again from its journal; returns the engine's result."""
        summary = self.selected()
        if summary is None or summary.kind not in RESUMABLE_KINDS:
            return None

        def words(job: Any, plan: object, target: Target) -> tuple[str, str]:
            if isinstance(job, ImportJob) and isinstance(plan, Plan):  # an import's plan is a Plan
                return what_resuming_sends(job, plan)
            return (f"Resume the {KINDS.get(summary.kind, summary.kind).lower()} job {summary.job_id}?",
                    f"It goes on against {target.name}, from where it stopped; what was done before is not done again.")

        report_dir = self.context.preferences.report_folder()
        return await self._run_asked(summary, "Resuming", lambda target: resume(summary.job_id, target,
                                                                                 report_dir=report_dir),
                                     words, ("Resume the job", "&Resume", "resume"))

    async def undo_selected(self) -> object | None:
        """Undo the selected job, asked with the count and the organization first; returns the engine's result."""
        summary = self.selected()
        if summary is None or summary.kind not in UNDOABLE_KINDS:
            return None

        def words(job: Any, plan: object, target: Target) -> tuple[str, str]:
            lines = plan.lines() if isinstance(plan, Plan) else []
            return job.question(), "\n".join([*lines, "Records changed in Zoho since the job are left alone and "
                                               "listed in the report. A deleted record comes back as a new record "
                                               "(a new Zoho ID; a sales order or credit note keeps its number). "
                                               "The undo can itself be undone from this page."])

        report_dir = self.context.preferences.report_folder()
        return await self._run_asked(summary, "Undoing", lambda target: UndoJob(UndoSettings(
            "", "undo", target=target, job=summary.job_id, report_dir=report_dir)), words,
            ("Undo the job", "&Undo", "undo"))

    async def _run_asked(self, summary: JobSummary, doing: str, make: Callable[[Target], Any],
                         words: Callable[[Any, object, Target], tuple[str, str]],
                         asking: tuple[str, str, str]) -> object | None:
        """Plan a job made for the selected one, ask (title, button), run it with the progress panel."""
        title, button, verb = asking
        self.panel.setVisible(True)
        self.panel.started(f"{doing} job {summary.job_id}…")
        self.resume_button.setEnabled(False)
        self.undo_button.setEnabled(False)
        try:
            target = self.context.target()
            self.job = make(target)
            plan = await self.job.plan()
            text, details = words(self.job, plan, target)
            if not await ask(self, title, text, details, button):
                await close_quietly(self.job)
                self.panel.ended(f"Not {'resumed' if verb == 'resume' else 'undone'}: nothing was sent.")
                return None
            self.context.client_active.emit(self.job.client)
            result: Any = await self.job.run(self.panel.show_progress)
        except Exception as error:  # noqa: BLE001 - JobError, TargetError, ZohoError: plain sentences
            if self.job is not None:
                await close_quietly(self.job)  # lets its journals go (an undo holds the undone job's)
            self.panel.ended(f"The job did not {verb}.")
            self.context.show_error(f"Cannot {verb} the job", plain_message(error))
            return None
        finally:
            self.job = None
            self.context.jobs_changed.emit()
            self._enable()
        self.panel.ended(f"Job {result.job_id if verb == 'undo' else summary.job_id} ended: {_outcome(result)}.")
        return result


    def screenshot_states(self) -> Iterator[ScreenshotState]:
        """The question before an undo of the sales orders import, then the undo done (for app.gui.screenshots)."""
        asked: list[asyncio.Task[object | None]] = []

        def asking() -> None:
            self.refresh()
            rows = [i for i, j in enumerate(self.model.jobs) if j.kind == "import" and j.entity == "salesorders"
                    and j.file and Path(j.file).name == "salesorders.xlsx"]
            if rows:
                self.table.selectRow(rows[0])
                asked.append(self.context.start(self.undo_selected(), "Undo failed"))  # answered in the next state
                self.task = asyncio.ensure_future(self._question_shown())  # the runner waits for the question

        def undone() -> None:
            boxes = [b for b in self.findChildren(QMessageBox) if b.isVisible()]
            if boxes and asked:
                boxes[0].button(QMessageBox.StandardButton.Yes).click()
                self.task = asked[0]

        yield "undo asked", asking
        yield "undone", undone

    async def _question_shown(self) -> None:
        for _ in range(1000):
            if any(b.isVisible() for b in self.findChildren(QMessageBox)):
                return
            await asyncio.sleep(0.01)


def _outcome(result: Any) -> str:
    """What a resumed run did, in a few words."""
    if isinstance(result, ExportResult):
        if result.out is None:
            return f"stopped ({result.message or 'nothing was written'}); the details read are kept"
        return (f"{result.records:,} records written to {result.out.name}, "
                f"{result.reused:,} details kept from the earlier run")
    counts = " · ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in result.counts.items() if n)
    return counts or "nothing left to send"

