"""Export, Jobs and Settings pages against the built-in sandbox: a real export, the job list, saved settings."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.gui.preferences import Preferences
from app.jobs import ImportJob, JobSettings
from app.jobs.exporting.job import ExportJob
from app.jobs.exporting.settings import ExportResult, ExportSettings
from app.resources import samples_dir

pytestmark = pytest.mark.slow  # imports and exports through the pages end to end


async def import_contacts(context: Any) -> Any:
    job = ImportJob(JobSettings(samples_dir() / "contacts.xlsx", "contacts", target=context.target(),
                                report_dir=Path(context.preferences.path).parent))
    await job.plan()
    return await job.run()


def sample_display_names() -> set[str]:
    book = openpyxl.load_workbook(samples_dir() / "contacts.xlsx", read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    column = list(rows[0]).index("Display Name")
    return {str(r[column]) for r in rows[1:] if r[column]}


class Answers(QObject):
    """Answers each question a page asks (QMessageBox "question") with Yes or No as it is shown; keeps its text."""

    def __init__(self, yes: bool = True) -> None:
        super().__init__()
        self.yes = yes
        self.asked: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Show and isinstance(watched, QMessageBox) \
                and watched.objectName() == "question":
            self.asked.append(f"{watched.text()}\n{watched.informativeText()}")
            button = watched.button(QMessageBox.StandardButton.Yes if self.yes else QMessageBox.StandardButton.No)
            QTimer.singleShot(0, button.click)  # once shown, as a user would
        return False


@pytest.fixture
def answers(qapp: QApplication) -> Any:
    answering = Answers()
    qapp.installEventFilter(answering)
    yield answering
    qapp.removeEventFilter(answering)


@pytest.fixture
def export_page(window: Any) -> Any:
    window.show_page("Export")
    return window.pages["Export"]


def test_export_plans_then_writes_every_record(export_page: Any, context: Any, run: Any, tmp_path: Path) -> None:
    imported = run(import_contacts(context))
    assert imported.counts["created"] > 0
    page = export_page
    page.entity.setCurrentIndex(page.entity.findData("contacts"))
    out = tmp_path / "contacts.csv"
    page.out.setText(str(out))

    plan = run(page.make_plan())
    assert plan is not None and plan.records >= imported.counts["created"]
    assert plan.list_calls == 1 and plan.detail_calls == 0
    assert page.plan_figures.count() > 0  # the figures are shown

    page.run_button.click()  # the button starts the coroutine on the qasync loop
    result = run(page.task)
    assert result is not None and result.out == out and out.exists()
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == plan.records == result.records
    assert sample_display_names() <= {r["Display Name"] for r in rows}
    assert page.open_button.isEnabled()
    assert "Exported" in page.panel.status.text()


def test_export_to_a_missing_folder_says_so_plainly(export_page: Any, run: Any, tmp_path: Path,
                                                    error_dialogs: Any) -> None:
    export_page.out.setText(str(tmp_path / "no" / "such" / "folder" / "out.xlsx"))
    assert run(export_page.run_export()) is None
    shown = error_dialogs()
    assert len(shown) == 1
    assert "does not exist" in shown[0].message and "Traceback" not in shown[0].message
    assert not (tmp_path / "no").exists()
    shown[0].close()


def test_jobs_page_lists_engine_jobs_and_refreshes_when_a_run_ends(window: Any, context: Any, run: Any) -> None:
    page = window.pages["Jobs"]
    assert page.model.rowCount() == 0
    result = run(import_contacts(context))
    context.jobs_changed.emit()
    assert page.model.rowCount() == 1
    job = page.model.jobs[0]
    assert job.job_id == result.job_id
    assert [page.model.text(job, c) for c in range(4)] == ["Import", "Contacts · create", "contacts.xlsx",
                                                             "Finished"]
    assert f"{result.counts['created']} created" in page.model.text(job, 4)
    page.table.selectRow(0)
    assert page.report_button.isEnabled()
    assert not page.resume_button.isEnabled()  # finished: nothing to resume
    opened: list[Path] = []
    context.open_path = opened.append
    page.open_report()
    assert opened == [Path(job.report)] and opened[0].exists()


def test_settings_are_saved_and_read_back(window: Any, context: Any, tmp_path: Path) -> None:
    page = window.pages["Settings"]
    page.theme.setCurrentIndex(page.theme.findData("dark"))
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80
    page.log_level.setCurrentIndex(page.log_level.findData("DEBUG"))
    page.report_folder.setText(str(tmp_path))
    page.report_folder.editingFinished.emit()
    context.preferences.sync()
    again = Preferences(context.preferences.path)
    assert (again.theme(), again.log_level(), again.report_folder()) == ("dark", "DEBUG", tmp_path)
    page.theme.setCurrentIndex(page.theme.findData("system"))
    assert Preferences(context.preferences.path).theme() == "system"
    page.theme.setCurrentIndex(page.theme.findData("light"))
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 180


def test_error_dialog_is_plain_and_closes(context: Any, error_dialogs: Any, qtbot: Any) -> None:
    dialog = context.show_error("Cannot open the file", "The file orders.xlsx is open in another program.",
                                details="path: /tmp/orders.xlsx")
    assert error_dialogs() == [dialog]
    assert dialog.message == "The file orders.xlsx is open in another program."
    assert "Open &log" in [b.text() for b in dialog.findChildren(QPushButton)]
    dialog.reject()
    qtbot.waitUntil(lambda: error_dialogs() == [])


def test_an_unfinished_import_resumes_from_the_jobs_page(window: Any, context: Any, run: Any, tmp_path: Path,
                                                         answers: Any) -> None:
    context.preferences.set_report_folder(tmp_path)  # not beside the shipped sample
    job = ImportJob(JobSettings(samples_dir() / "contacts.xlsx", "contacts", target=context.target(),
                                report_dir=Path(context.preferences.path).parent, workers=1))

    def stop_after_two(progress: Any) -> None:
        if progress.done >= 2:
            job.cancel()

    async def start_and_stop() -> Any:
        await job.plan()
        return await job.run(stop_after_two)

    first = run(start_and_stop())
    assert first.stopped == "cancelled"
    sent_first = first.counts["created"]
    context.jobs_changed.emit()
    page = window.pages["Jobs"]
    page.table.selectRow(0)
    assert page.model.text(page.selected(), 3) != "Finished"
    assert page.resume_button.isEnabled()

    answers.yes = False
    page.resume_button.click()
    assert run(page.task) is None  # asked first: no, and nothing is sent
    assert len(answers.asked) == 1 and "contacts.xlsx" in answers.asked[0]
    assert f"({first.documents - sent_first} documents to send)" in answers.asked[0]
    assert " rows left" in answers.asked[0] and context.target().name in answers.asked[0]
    assert page.resume_button.isEnabled() and "Not resumed" in page.panel.status.text()

    answers.yes = True
    page.resume_button.click()
    resumed = run(page.task)
    assert resumed.job_id == first.job_id and resumed.stopped is None
    assert 0 < sent_first < resumed.documents
    assert resumed.counts["created"] == resumed.documents  # the whole job, both runs

    async def contact_names() -> list[str]:
        async with context.books() as client:
            records, _more = await client.list_page("contacts", per_page=200)
        return [str(r.get("contact_name")) for r in records]

    names = run(contact_names())
    assert all(names.count(name) == 1 for name in sample_display_names())  # none sent twice
    assert page.model.text(page.model.jobs[0], 3) == "Finished"
    assert "ended" in page.panel.status.text()
    assert resumed.report.parent == tmp_path


def test_a_stopped_export_resumes_from_the_jobs_page_reading_only_what_it_lacks(
        window: Any, context: Any, run: Any, tmp_path: Path, answers: Any) -> None:
    run(import_contacts(context))
    out = tmp_path / "contacts.csv"
    job = ExportJob(ExportSettings("contacts", out, line_items=True, target=context.target(), workers=1))

    def stop_after_three(progress: Any) -> None:
        if progress.phase == "run" and progress.done >= 3:
            job.cancel()

    first = run(job.run(stop_after_three))
    assert first.stopped == "cancelled" and first.out is None
    context.jobs_changed.emit()
    page = window.pages["Jobs"]
    page.table.selectRow(0)
    assert page.model.text(page.selected(), 0) == "Export"
    assert page.resume_button.isEnabled()

    page.resume_button.click()
    resumed = run(page.task)
    assert len(answers.asked) == 1 and first.job_id in answers.asked[0]
    assert isinstance(resumed, ExportResult) and resumed.job_id == first.job_id
    assert resumed.out == out and resumed.stopped is None
    assert resumed.reused >= 3  # the details read before the stop are not read again
    assert resumed.calls["detail"] == resumed.records - resumed.reused
    with out.open(encoding="utf-8-sig", newline="") as handle:
        names = {r["Display Name"] for r in csv.DictReader(handle)}
    assert sample_display_names() <= names
    assert page.model.text(page.model.jobs[0], 3) == "Finished"
    assert f"{resumed.reused:,} details kept" in page.panel.status.text()
