"""The Jobs page's Undo against a live sandbox: asked with the count and the organization first; No sends nothing;
Yes takes the import back, and the undo itself appears as a job that can be undone in turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from app.gui.pages.jobs import JobsPage
from app.jobs import ImportJob, JobSettings
from app.sheets import write_csv
from tests.gui import wizard_fixtures as fixtures
from tests.gui.test_one_job_per_intent import question
from tests.gui.wizard_fixtures import LEFT, click

pytestmark = pytest.mark.slow  # a live sandbox and three jobs

context = fixtures.context
wizard_data_dir = fixtures.wizard_data_dir
WAIT_MS = 60_000
NAMES = [f"Jobs Page Undo {i}" for i in range(3)]


def names_in_zoho(server: Any) -> list[str]:
    return sorted(c["contact_name"] for c in server.app.state.store.all("contacts") if c["contact_name"] in NAMES)


def select(jobs: JobsPage, job_id: str) -> None:
    jobs.refresh()
    jobs.table.selectRow([j.job_id for j in jobs.model.jobs].index(job_id))


def test_undo_asks_then_takes_an_import_back_and_the_undo_is_a_job_of_its_own(
        qtbot: Any, live_sandbox: Any, context: Any, run: Any, tmp_path: Path) -> None:
    sheet = tmp_path / "people.csv"
    write_csv(sheet, ["Display Name", "Company Name"], [[n, n] for n in NAMES])
    imported = run(ImportJob(JobSettings(sheet, "contacts", target=context.target(),
                                                 report_dir=tmp_path / "r")).run())
    assert names_in_zoho(live_sandbox) == NAMES

    jobs = JobsPage(context)
    qtbot.addWidget(jobs)
    jobs.show()
    select(jobs, imported.job_id)
    assert jobs.undo_button.isEnabled()
    click(qtbot, jobs.undo_button)
    box = question(qtbot, jobs)
    assert box.text().startswith("Undo 3 contacts in")
    assert "left alone" in box.informativeText()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.No), LEFT)
    qtbot.waitUntil(lambda: jobs.task is not None and jobs.task.done(), timeout=WAIT_MS)
    assert names_in_zoho(live_sandbox) == NAMES and jobs.task.result() is None

    select(jobs, imported.job_id)
    click(qtbot, jobs.undo_button)
    qtbot.mouseClick(question(qtbot, jobs).button(QMessageBox.StandardButton.Yes), LEFT)
    qtbot.waitUntil(lambda: jobs.task is not None and jobs.task.done(), timeout=WAIT_MS)
    undone = jobs.task.result()
    assert undone is not None and undone.counts["undone"] == 3 and names_in_zoho(live_sandbox) == []

    select(jobs, undone.job_id)  # the undo is listed, as an undo of contacts, and can be undone
    summary = jobs.selected()
    assert summary is not None and jobs.model.text(summary, 0) == "Undo"
    click(qtbot, jobs.undo_button)
    qtbot.mouseClick(question(qtbot, jobs).button(QMessageBox.StandardButton.Yes), LEFT)
    qtbot.waitUntil(lambda: jobs.task is not None and jobs.task.done(), timeout=WAIT_MS)
    assert names_in_zoho(live_sandbox) == NAMES
