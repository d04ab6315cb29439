"""Steps 4 and 5 of the import wizard: the upload with its live progress and controls, then the results."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.errors import plain_message
from app.gui.import_wizard.session import Context, Session
from app.gui.page import button, styled
from app.gui.report_table import ReportTableModel, ReportTableView
from app.jobs import JobResult, Progress
from app.jobs.outcomes import ORDER, Outcome
from app.jobs.progress import format_duration

DRAW_EVERY_MS = 100
MAX_FAILURES_SHOWN = 5000


class RunStep(QWidget):
    """Runs the session's job as a coroutine on the Qt loop; progress is drawn at most ten times a second."""

    finished = Signal()
    progressed = Signal(object)  # each Progress the job reports, as it comes (the drawing is paced apart)

    def __init__(self, context: Context, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runStep")
        self._context = context
        self._session = session
        self.running = False
        self._latest: Progress | None = None
        self._failed_seen = 0
        self.bar = QProgressBar()
        self.bar.setObjectName("progress")
        self.counts = styled("Not started.", "runCounts")
        self.rate = styled("", "runRate")
        self.pause_button = button("&Pause", "pause", clicked=self.pause)
        self.resume_button = button("Res&ume", "resume", clicked=self.resume)
        self.cancel_button = button("&Cancel", "cancel", clicked=self.cancel,
                                    tip="Stop sending; what was sent stays sent, the rest goes in the next run.")
        buttons = QHBoxLayout()
        for b in (self.pause_button, self.resume_button, self.cancel_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.failures = QListWidget()
        self.failures.setObjectName("failures")
        failures_label = QLabel("&Failures:")
        failures_label.setBuddy(self.failures)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.counts)
        layout.addWidget(self.rate)
        layout.addLayout(buttons)
        layout.addWidget(failures_label)
        layout.addWidget(self.failures, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(DRAW_EVERY_MS)
        self._timer.timeout.connect(self._draw)
        self._buttons()

    async def run(self) -> None:
        """Send the documents; the result lands in the session and `finished` is emitted."""
        s = self._session
        job = s.job
        assert job is not None
        self.running = True
        self.failures.clear()
        self._failed_seen = 0
        self._latest = None
        s.result = None
        self.counts.setText("Starting\u2026")
        self._buttons()
        self._timer.start()
        try:
            s.result = await job.run(self._on_progress)
        except Exception as error:  # noqa: BLE001 - the run ends in a plain sentence, never a traceback
            s.result = None
            self.counts.setText(f"The import stopped: {plain_message(error)}")
            self._context.show_error("The import stopped", plain_message(error))
        finally:
            s.job, s.plan = None, None
            self.running = False
            self._timer.stop()
            self._draw()
            if s.result is not None:  # the result's counts are the last word
                self.counts.setText(count_words(s.result.documents, s.result.counts))
                if s.result.stopped == "storm":  # Zoho refused document after document alike: say so now
                    self._context.show_error("The import paused", s.result.message)
                if s.file is not None and s.result.documents > sum(
                        s.result.counts.get(o.value, 0) for o in (Outcome.NOT_SENT, Outcome.INVALID)):
                    s.sent = (s.file, s.result.job_id)
            self._buttons()
            self._context.jobs_changed.emit()
            self.finished.emit()

    @property
    def latest(self) -> Progress | None:
        """The last progress the run reported; None before its first."""
        return self._latest

    def _on_progress(self, p: Progress) -> None:
        self._latest = p
        if p.failed > self._failed_seen and p.last_failure and self.failures.count() < MAX_FAILURES_SHOWN:
            self.failures.addItem(p.last_failure)
        self._failed_seen = p.failed
        self.progressed.emit(p)

    def _draw(self) -> None:
        p = self._latest
        if p is None:
            return
        self.bar.setMaximum(max(p.total, 1))
        self.bar.setValue(p.finished)
        state = " \u2014 paused" if p.paused else ("" if p.phase == "run" else f" \u2014 {p.phase}")
        self.counts.setText(f"{p.finished:,} of {p.total:,} documents \u00b7 {p.done:,} done \u00b7 "
                            f"{p.refused:,} {Outcome.FAILED.words} \u00b7 {p.invalid:,} {Outcome.INVALID.words} "
                            f"\u00b7 {p.in_flight} in flight{state}")
        self.rate.setText(f"{p.rate_per_min:,.0f} documents/min \u00b7 ETA {format_duration(p.eta_s)}"
                          f" \u00b7 {p.calls:,} calls")
        self._buttons()

    def _buttons(self) -> None:
        job = self._session.job
        paused = bool(job and job.control.paused)
        self.pause_button.setEnabled(self.running and not paused)
        self.resume_button.setEnabled(self.running and paused)
        self.cancel_button.setEnabled(self.running and not (job and job.control.cancelled))

    def pause(self) -> None:
        if self._session.job is not None:
            self._session.job.pause()
            self._buttons()

    def resume(self) -> None:
        if self._session.job is not None:
            self._session.job.resume()
            self._buttons()

    def cancel(self) -> None:
        if self._session.job is not None:
            self._session.job.cancel()
            self._buttons()


ALWAYS_SHOWN = (Outcome.CREATED, Outcome.INVALID, Outcome.FAILED)
IN_ZOHO = (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.SKIPPED)


def count_words(documents: int, counts: dict[str, int]) -> str:
    """A run's documents by outcome in one line, in the vocabulary's words (app.jobs.outcomes)."""
    shown = [f"{counts.get(o.value, 0):,} {o.words}" for o in ORDER if counts.get(o.value, 0) or o in ALWAYS_SHOWN]
    return f"{documents:,} documents \u00b7 " + " \u00b7 ".join(shown)


def headline(result: JobResult) -> str:
    """What the run came to, in one sentence that its counts bear out."""
    c = result.counts
    in_zoho = sum(c.get(o.value, 0) for o in IN_ZOHO)
    refused = c.get(Outcome.FAILED, 0) + c.get(Outcome.INVALID, 0)
    pending, doubt = c.get(Outcome.NOT_SENT, 0), c.get(Outcome.IN_DOUBT, 0)
    if result.stopped:
        parts = [f"{pending:,} not sent"]
        if doubt:
            parts.append(f"{doubt:,} in doubt (looked up before anything is sent again)")
        if refused:
            parts.append(f"{refused:,} refused (the report says why)")
        return (f"Stopped ({result.stopped}): {in_zoho:,} of {result.documents:,} documents are in Zoho, "
                f"{', '.join(parts)}. Resume sends the rest; nothing is sent twice.")
    not_sent = result.documents - in_zoho
    if not_sent:
        return f"Done: {not_sent:,} of {result.documents:,} documents were not sent; the report says why."
    return f"Done: all {result.documents:,} documents are in Zoho."
RESULT_COLUMNS = ("Status", "Message", "Zoho number")  # shown first: what happened to each row


class ResultsStep(QWidget):
    """How the run ended, the way to its report, and another round for the rows that failed."""

    fix_failed_rows = Signal(object)  # Path of the failed-rows file
    resume_requested = Signal()  # the run stopped: go on with the same job

    def __init__(self, context: Context, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsStep")
        self._context = context
        self._session = session
        self.headline = styled("", "resultHeadline", wrap=True)
        self.summary = QFormLayout()
        self.message = styled("", "resultMessage", wrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_report_button = button("&Open report", "openReport", clicked=self.open_report)
        self.open_folder_button = button("Open report &folder", clicked=self.open_folder)
        self.fix_button = button("Fix failed &rows\u2026", "fixFailedRows", clicked=self._fix,
                                 tip="Open the rows that failed, with the same mapping, to fix and send them again.")
        self.resume_button = QPushButton("Res&ume")
        self.resume_button.setObjectName("resumeRun")
        self.resume_button.setToolTip("Send what the stopped run did not; nothing already sent is sent again.")
        self.resume_button.clicked.connect(self.resume_requested)
        buttons = QHBoxLayout()
        for b in (self.resume_button, self.open_report_button, self.open_folder_button, self.fix_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self._numbers = QWidget()
        self._numbers.setLayout(self.summary)
        self.report = ReportTableModel()
        self.report_view = ReportTableView(self.report, widest=460)
        self.report_view.setObjectName("reportTable")
        self.report_view.verticalHeader().setVisible(False)
        self.report_label = QLabel("The &report, row by row:")
        self.report_label.setBuddy(self.report_view)
        top = QHBoxLayout()
        top.addWidget(self._numbers)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(self.report_label)
        layout.addWidget(self.report_view, 1)

    def show_result(self, result: JobResult | None) -> None:
        while self.summary.rowCount():
            self.summary.removeRow(0)
        if result is None:
            self.headline.setText("<b>The import did not finish.</b>")
            self.message.setText("Nothing more was sent. Go back to try again; documents already sent are "
                                 "not sent twice.")
        else:
            self.headline.setText(f"<b>{headline(result)}</b>")
            self.summary.addRow("Job:", QLabel(result.job_id))
            self.summary.addRow("Rows:", QLabel(f"{result.rows:,}"))
            for outcome in ORDER:
                n = result.counts.get(outcome.value, 0)
                if n or outcome in ALWAYS_SHOWN:
                    label = QLabel(f"{n:,}")
                    label.setObjectName(f"count_{outcome.value}")
                    self.summary.addRow(f"{outcome.words.capitalize()}:", label)
            calls = ", ".join(f"{k} {v}" for k, v in result.calls.items())
            self.summary.addRow("Calls:", QLabel(calls))
            self.summary.addRow("Time:", QLabel(format_duration(result.elapsed_s)))
            notes = [result.message, result.report_note]
            if result.report:
                notes.append(f"Report: {result.report}")
            self.message.setText("\n".join(n for n in notes if n))
        csv = result.report_csv if result is not None else None
        shown = self.report.load(csv)
        columns = self.report_view.horizontalHeader()
        for place, name in enumerate(n for n in RESULT_COLUMNS if n in self.report.headers):
            columns.moveSection(columns.visualIndex(self.report.headers.index(name)), place)
        self.report_label.setVisible(shown)
        self.report_view.setVisible(shown)
        self.open_report_button.setEnabled(bool(result and result.report))
        self.open_folder_button.setEnabled(bool(result and result.report))
        self.fix_button.setEnabled(bool(result and result.failed_rows))
        self.resume_button.setVisible(bool(result and result.stopped and not result.dry_run))

    def open_report(self) -> None:
        r = self._session.result
        if r is not None and r.report is not None and not self._context.open_path(r.report):
            self._context.show_error("The report cannot be opened",
                                     f"No program opened {r.report}; it is in {Path(r.report).parent}.")

    def open_folder(self) -> None:
        r = self._session.result
        if r is not None and r.report is not None:
            self._context.open_path(Path(r.report).parent)

    def _fix(self) -> None:
        r = self._session.result
        if r is not None and r.failed_rows is not None:
            self.fix_failed_rows.emit(r.failed_rows)
