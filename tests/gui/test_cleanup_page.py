"""The Cleanup page against a live sandbox: a void picked by a sheet is planned, asked with the count (No sends
nothing, Yes voids them, refusals on their rows); a filter picks the records of one status without a sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from app.gui.pages.cleanup import CleanupPage
from app.sheets import write_csv
from tests.gui import wizard_fixtures as fixtures
from tests.gui.test_one_job_per_intent import question
from tests.gui.wizard_fixtures import LEFT, click, seed

pytestmark = pytest.mark.slow  # a live sandbox

context = fixtures.context
wizard_data_dir = fixtures.wizard_data_dir
WAIT_MS = 60_000


def statuses(server: Any) -> dict[str, str]:
    return {o["salesorder_number"]: o["status"] for o in server.app.state.store.all("salesorders")}


def page_for(qtbot: Any, context: Any) -> CleanupPage:
    page = CleanupPage(context)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    return page


def test_a_void_from_a_sheet_is_asked_with_the_count_and_refusals_stay_on_their_rows(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    seed(live_sandbox.url, tmp_path / "seed", "contacts", "salesorders")
    before = statuses(live_sandbox)
    numbers = sorted(before)[:2]
    sheet = tmp_path / "void these.csv"
    write_csv(sheet, ["Sales Order Number"], [[n] for n in numbers] + [["SO-NOPE-1"]])
    page = page_for(qtbot, context)
    page.entity.setCurrentIndex(page.entity.findData("salesorders"))
    page.operation.setCurrentIndex(page.operation.findData("void"))
    page.file.setText(str(sheet))
    assert page.run_button.text() == "Void…" and not page.use_dates.isEnabled()

    click(qtbot, page.run_button)
    box = question(qtbot, page)
    assert box.text().startswith("Void 2 sales orders in") and "Calls:" in box.informativeText()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.No), LEFT)
    qtbot.waitUntil(lambda: page.task is not None and page.task.done(), timeout=WAIT_MS)
    assert statuses(live_sandbox) == before and "nothing was sent" in page.panel.status.text()

    click(qtbot, page.run_button)
    qtbot.mouseClick(question(qtbot, page).button(QMessageBox.StandardButton.Yes), LEFT)
    qtbot.waitUntil(lambda: page.task is not None and page.task.done(), timeout=WAIT_MS)
    result = page.task.result()
    assert result is not None and (result.counts["voided"], result.counts["invalid"]) == (2, 1)
    assert {n: statuses(live_sandbox)[n] for n in numbers} == {n: "void" for n in numbers}
    assert page.report_button.isEnabled() and "2 voided" in page.panel.status.text()


def test_a_filter_picks_the_records_of_a_status_and_a_status_change_is_not_asked(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    seed(live_sandbox.url, tmp_path / "seed", "contacts", "salesorders")
    drafts = sorted(n for n, s in statuses(live_sandbox).items() if s == "draft")
    assert drafts
    page = page_for(qtbot, context)
    page.entity.setCurrentIndex(page.entity.findData("salesorders"))
    page.operation.setCurrentIndex(page.operation.findData("open"))
    page.by_filter.setChecked(True)
    page.status.setCurrentIndex(page.status.findData("draft"))
    assert page.status.isEnabled() and not page.file.isEnabled()

    click(qtbot, page.check_button)
    qtbot.waitUntil(lambda: page.task is not None and page.task.done(), timeout=WAIT_MS)
    assert page.task.result() is not None and f"{len(drafts)} of {len(drafts)} records" in page.panel.status.text()
    assert all(statuses(live_sandbox)[n] == "draft" for n in drafts)  # planned: nothing sent

    click(qtbot, page.run_button)  # marking open is no destructive operation: no question
    qtbot.waitUntil(lambda: page.task is not None and page.task.done(), timeout=WAIT_MS)
    assert page.task.result().counts["marked_open"] == len(drafts)
    assert all(statuses(live_sandbox)[n] == "open" for n in drafts)
