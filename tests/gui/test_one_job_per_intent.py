"""One job per user intent, driven through the wizard and the Jobs page against a live sandbox: fixes made in
Review, a cancel and a start again, Resume from the results or the Jobs page: each document lands in Zoho once."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.gui.import_wizard import ImportPage
from app.gui.import_wizard.page import RESULTS
from app.gui.pages.jobs import JobsPage
from app.jobs import Progress
from tests.gui import wizard_fixtures as fixtures
from tests.gui.wizard_fixtures import LEFT, click, open_mapping, review_ready, seed

pytestmark = pytest.mark.slow  # the wizard end to end against a live sandbox

context = fixtures.context
wizard_data_dir = fixtures.wizard_data_dir

WAIT_MS = 60_000
BAD_DATE, FIXED_DATE = "2026-02-31", "2026-02-14"
NOTE = "Intent order"
ROWS = 8  # orders in a run that is cancelled


def orders_sheet(folder: Path, rows: int, *, bad_row: int | None = 1, customer: Callable[[int], str] | None = None
                 ) -> Path:
    """Sales orders without order numbers (one document a row), each with its own note; one bad date."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Orders"
    sheet.append(["Order Date", "Customer", "Item", "Quantity", "Rate", "Notes"])
    for i in range(rows):
        date = BAD_DATE if i == bad_row else f"2026-01-{13 + i % 15}"
        name = customer(i) if customer else "Northwind Traders"
        sheet.append([date, name, "Laptop Stand", 1, 45, f"{NOTE} {i:02d}"])
    path = folder / "my orders.xlsx"
    book.save(path)
    return path


def notes_in_zoho(server: Any) -> list[str]:
    return sorted(str(r.get("notes")) for r in server.app.state.store.all("salesorders")
                  if str(r.get("notes", "")).startswith(NOTE))


def open_and_fix(qtbot: Any, ctx: Any, source: Path) -> ImportPage:
    """The wizard on `source` up to Review, the bad date fixed there and checked again."""
    page = open_mapping(qtbot, ctx, source)
    qtbot.waitUntil(page.mapping_step.can_next, timeout=WAIT_MS)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    table, review = page.session.table, page.review_step.model
    assert table is not None and review is not None
    assert page.session.plan is not None and page.session.plan.invalid == 1
    cell = review.index(1, table.headers.index("Order Date"))
    assert cell.data() == BAD_DATE
    assert review.setData(cell, FIXED_DATE, Qt.ItemDataRole.EditRole)
    click(qtbot, page.review_step.revalidate_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    assert page.session.plan is not None and page.session.plan.invalid == 0
    return page


def start_and_cancel_after(qtbot: Any, page: ImportPage, sent: int) -> Any:
    """Start import, press Pause once `sent` documents are done, then Cancel; the results of that run."""
    run = page.run_step

    def on_progress(p: Progress) -> None:
        if p.done >= sent and run.pause_button.isEnabled():
            qtbot.mouseClick(run.pause_button, LEFT)

    run.progressed.connect(on_progress)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: run.latest is not None and run.latest.paused and run.latest.in_flight == 0,
                    timeout=WAIT_MS)
    click(qtbot, run.cancel_button)
    qtbot.waitUntil(lambda: page.step == RESULTS, timeout=WAIT_MS)
    run.progressed.disconnect(on_progress)
    result = page.session.result
    assert result is not None and result.stopped == "cancelled"
    return result


def mine(jobs: JobsPage) -> list[int]:
    """The rows of the Jobs page that are not the seeding of the sample contacts."""
    return [row for row, j in enumerate(jobs.model.jobs) if Path(j.file or "").name != "contacts.xlsx"]


def question(qtbot: Any, parent: QWidget) -> QMessageBox:
    """The question the page asks now (waited for)."""
    found: list[QMessageBox] = []

    def asked() -> bool:
        found[:] = [b for b in parent.findChildren(QMessageBox) if b.isVisible()]
        return bool(found)

    qtbot.waitUntil(asked, timeout=WAIT_MS)
    return found[0]


@pytest.fixture
def slow_sandbox(make_live_sandbox: Any, tmp_path: Path) -> Any:
    """Calls that take a while (two at a time), so a run can be paused in the middle; the sample contacts in it."""
    server = make_live_sandbox(rate_limit=100_000, concurrency=2, daily_quota=1_000_000, latency_ms=30)
    seed(server.url, tmp_path, "contacts")
    return server


@pytest.fixture
def slow_context(slow_sandbox: Any, tmp_path: Path) -> Any:
    from app.gui.preferences import Preferences
    from app.zoho import ConnectionStore

    ctx = fixtures.SandboxContext(fixtures.sandbox_target(slow_sandbox.url), Preferences(tmp_path / "gui.ini"),
                                  ConnectionStore(tmp_path / "connections.json"))
    ctx.preferences.set_report_folder(tmp_path / "reports")
    yield ctx
    ctx.shutdown()


@pytest.fixture
def cancelled(qtbot: Any, slow_context: Any, qloop: Any, tmp_path: Path) -> tuple[ImportPage, Any]:
    """The wizard on ROWS orders, the bad date fixed in Review, started, then cancelled once 2 were sent;
    the page and the results of that run."""
    page = open_and_fix(qtbot, slow_context, orders_sheet(tmp_path, ROWS))
    return page, start_and_cancel_after(qtbot, page, 2)


def test_fixed_in_review_cancelled_then_started_again_sends_each_row_once(
        qtbot: Any, slow_sandbox: Any, slow_context: Any, cancelled: Any) -> None:
    rows = ROWS
    page, first = cancelled
    landed = len(notes_in_zoho(slow_sandbox))
    assert 2 <= landed < rows and first.counts["created"] == landed
    # The user takes a moment: the wall clock reaches another second, which the corrected copy's
    # workbook records when it is written again (a copy written in the same second has the same bytes).
    cancelled_at = int(time.time())
    qtbot.waitUntil(lambda: int(time.time()) > cancelled_at, timeout=WAIT_MS)

    # Back to Review, Start import again: the same job goes on with what is left
    click(qtbot, page.back_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    plan = page.session.plan
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == RESULTS, timeout=WAIT_MS)
    assert notes_in_zoho(slow_sandbox) == [f"{NOTE} {i:02d}" for i in range(rows)]  # each row once
    assert plan is not None and plan.to_send == rows - landed
    result = page.session.result
    assert result is not None and result.job_id == first.job_id and result.counts["created"] == rows
    assert f"all {rows} documents are in Zoho" in page.results_step.headline.text()
    assert result.report is not None and result.report.name.startswith("my orders.report-")


def test_a_changed_mapping_after_a_stop_says_the_new_job_would_send_again(
        qtbot: Any, slow_sandbox: Any, slow_context: Any, cancelled: Any) -> None:
    page, first = cancelled
    click(qtbot, page.back_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    assert "A new job" not in page.review_step.plan_label.text()  # the same job goes on
    click(qtbot, page.back_button)
    qtbot.waitUntil(lambda: page.step == 1, timeout=WAIT_MS)
    model = page.mapping_step.model
    assert model is not None
    model.set_field(model.table.headers.index("Notes"), None)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    text = page.review_step.plan_label.text()
    assert page.session.plan is not None and page.session.plan.job_id != first.job_id
    assert f"job {first.job_id} already sent documents of my orders.xlsx" in text and "send them again" in text


def test_the_results_page_resumes_a_cancelled_run_after_saying_what_it_sends(
        qtbot: Any, slow_sandbox: Any, slow_context: Any, cancelled: Any) -> None:
    rows = ROWS
    page, first = cancelled
    landed = len(notes_in_zoho(slow_sandbox))
    headline = page.results_step.headline.text()
    assert f"{landed} of {rows} documents are in Zoho" in headline and f"{rows - landed} not sent" in headline
    resume = page.results_step.resume_button
    click(qtbot, resume)
    box = question(qtbot, page)
    text = f"{box.text()}\n{box.informativeText()}"
    assert "my orders.xlsx" in text and f"{rows - landed} rows" in text and slow_context.target().name in text
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), LEFT)
    qtbot.waitUntil(lambda: page.step == RESULTS and page.session.result is not None
                    and page.session.result.stopped is None, timeout=WAIT_MS)
    assert notes_in_zoho(slow_sandbox) == [f"{NOTE} {i:02d}" for i in range(rows)]
    assert page.session.result.job_id == first.job_id


def test_the_jobs_page_offers_no_plan_never_started_and_names_the_users_file(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    seed(live_sandbox.url, tmp_path, "contacts")
    context.preferences.set_report_folder(tmp_path / "reports")
    rows = 5
    page = open_and_fix(qtbot, context, orders_sheet(tmp_path, rows))
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == RESULTS, timeout=WAIT_MS)
    assert notes_in_zoho(live_sandbox) == [f"{NOTE} {i:02d}" for i in range(rows)]

    jobs = JobsPage(context)
    qtbot.addWidget(jobs)
    jobs.show()
    jobs.refresh()
    assert mine(jobs)
    for row in mine(jobs):
        jobs.table.selectRow(row)
        summary = jobs.selected()
        assert summary is not None
        assert jobs.model.text(summary, 2) == "my orders.xlsx"  # not the corrected copy
        if jobs.resume_button.isEnabled():  # whatever is offered is resumed, and answered yes
            click(qtbot, jobs.resume_button)
            box = question(qtbot, jobs)
            qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), LEFT)
            qtbot.waitUntil(lambda: jobs.task is not None and jobs.task.done(), timeout=WAIT_MS)
    assert notes_in_zoho(live_sandbox) == [f"{NOTE} {i:02d}" for i in range(rows)]  # nothing sent twice
    assert [jobs.model.text(jobs.model.jobs[row], 3) for row in mine(jobs)] == ["Finished"]


def test_the_jobs_page_asks_before_resuming_and_sends_only_what_is_left(
        qtbot: Any, slow_sandbox: Any, slow_context: Any, cancelled: Any) -> None:
    rows = ROWS
    page, first = cancelled
    landed = len(notes_in_zoho(slow_sandbox))

    jobs = JobsPage(slow_context)
    qtbot.addWidget(jobs)
    jobs.show()
    jobs.refresh()
    assert [jobs.model.jobs[row].job_id for row in mine(jobs)] == [first.job_id]
    jobs.table.selectRow(mine(jobs)[0])
    summary = jobs.selected()
    assert summary is not None and jobs.model.text(summary, 2) == "my orders.xlsx"
    assert "not sent" in jobs.model.text(summary, 4)
    click(qtbot, jobs.resume_button)
    box = question(qtbot, jobs)
    text = f"{box.text()}\n{box.informativeText()}"
    assert "my orders.xlsx" in text and f"{rows - landed} rows" in text and slow_context.target().name in text
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.No), LEFT)
    qtbot.waitUntil(lambda: jobs.task is not None and jobs.task.done(), timeout=WAIT_MS)
    assert len(notes_in_zoho(slow_sandbox)) == landed and jobs.resume_button.isEnabled()

    click(qtbot, jobs.resume_button)
    box = question(qtbot, jobs)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), LEFT)
    qtbot.waitUntil(lambda: jobs.task is not None and jobs.task.done(), timeout=WAIT_MS)
    result = jobs.task.result()
    assert result is not None and result.job_id == first.job_id and result.counts["created"] == rows
    assert notes_in_zoho(slow_sandbox) == [f"{NOTE} {i:02d}" for i in range(rows)]


def test_the_run_step_and_the_results_count_invalid_documents_alike(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    seed(live_sandbox.url, tmp_path, "contacts")
    context.preferences.set_report_folder(tmp_path / "reports")
    source = orders_sheet(tmp_path, 6, bad_row=None,
                          customer=lambda i: "Nobody Such Ltd" if i < 4 else "Northwind Traders")
    page = open_mapping(qtbot, context, source)
    qtbot.waitUntil(lambda: page.mapping_step.can_next() and page.next_button.isEnabled(), timeout=WAIT_MS)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == RESULTS, timeout=WAIT_MS)
    result = page.session.result
    assert result is not None and result.counts["invalid"] == 4 and result.counts["failed"] == 0
    counts = page.run_step.counts.text()
    assert "4 invalid" in counts and "0 failed" in counts and "4 failed" not in counts
    shown = {name: page.results_step.findChild(QWidget, f"count_{name}").text() for name in ("invalid", "failed")}
    assert shown == {"invalid": "4", "failed": "0"}
    assert "4 of 6 documents were not sent" in page.results_step.headline.text()
