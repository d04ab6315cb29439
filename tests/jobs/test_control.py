"""Lost answers, cancel, pause/resume and a spent daily quota: each ends with a correct journal, report and exit code."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from app.jobs import ImportJob, JobSettings, Progress
from app.jobs.journal import Journal
from tests.jobs.conftest import ORDER_HEADERS, read_report, run_job, write_csv

CUSTOMERS = ["Bowman and Co", "Zylker Corp", "Acme Corporation"]
ITEMS = ["Laptop Stand", "Wireless Mouse", "USB-C Hub", "Desk Lamp"]


def orders_file(path: Path, n: int, *, numbered: bool = True, start: int = 1) -> Path:
    rows: list[list[Any]] = []
    for i in range(start, start + n):
        line = [f"2026-01-{1 + i % 28:02d}", CUSTOMERS[i % 3], ITEMS[i % 4], 1 + i % 5, 10 + i]
        rows.append([f"SO-0{i:04d}", *line] if numbered else line)
    headers = ORDER_HEADERS if numbered else ORDER_HEADERS[1:]
    return write_csv(path, headers, rows)


def per_document(box, result) -> Counter[str]:
    """How many sales orders the sandbox holds for each document of the job."""
    marks: Counter[str] = Counter()
    for r in box.records("salesorders"):
        number, ref = r["salesorder_number"], r.get("reference_number") or ""
        if ref.startswith(f"ZB-{result.job_id}-"):
            marks[ref] += 1
        elif number.startswith("SO-0"):
            marks[number] += 1
    return marks


@pytest.mark.slow
async def test_lost_answers_are_looked_up_and_every_document_exists_once(make_books, tmp_path: Path) -> None:
    box = make_books(drop_rate=0.3, seed=7)
    numbered = orders_file(tmp_path / "numbered.csv", 40)
    result = await run_job(box, numbered, "salesorders")
    assert result.counts["created"] == 40 and result.counts["in_doubt"] == 0
    marks = per_document(box, result)
    assert len(marks) == 40 and set(marks.values()) == {1}
    reconciled = [r for r in read_report(result.report_csv) if r["Message"].startswith("created (confirmed)")]
    assert reconciled  # some answers were dropped and settled without a duplicate
    assert result.exit_code == 0

    auto = orders_file(tmp_path / "auto.csv", 30, numbered=False)
    result = await run_job(box, auto, "salesorders")
    assert result.counts["created"] == 30
    marks = per_document(box, result)
    assert len([m for m in marks if m.startswith("ZB-")]) == 30 and set(marks.values()) == {1}


@pytest.mark.slow
async def test_cancel_lets_requests_in_flight_finish_and_the_job_resumes(books, tmp_path: Path) -> None:
    file = orders_file(tmp_path / "orders.csv", 60)
    job = ImportJob(JobSettings(file, "salesorders", target=books.target(calls=600, window_s=6.0),
                                report_dir=tmp_path / "reports"))

    def on_progress(p: Progress) -> None:
        if p.done >= 10:
            job.cancel()

    result = await job.run(on_progress)
    assert result.exit_code == 3 and result.stopped == "cancelled"
    with Journal.open(result.job_id) as journal:
        states = Counter(e.state for e in journal.entries())
        assert set(states) <= {"done", "pending"}  # nothing left "sent" or in doubt
        done = states["done"]
    assert 10 <= done < 60
    assert sum(per_document(books, result).values()) == done
    rows = read_report(result.report_csv)
    assert len(rows) == 60
    assert Counter(r["Status"] for r in rows) == {"created": done, "not sent": 60 - done}
    assert all("cancelled" in r["Message"] for r in rows if r["Status"] == "not sent")

    resumed = await run_job(books, file, "salesorders", job_id=result.job_id)
    assert resumed.exit_code == 0 and resumed.counts["created"] == 60
    assert resumed.calls["write"] == 60 - done
    marks = per_document(books, resumed)
    assert len(marks) == 60 and set(marks.values()) == {1}


async def test_pause_holds_new_requests_until_resume(books, tmp_path: Path) -> None:
    file = orders_file(tmp_path / "orders.csv", 30)
    job = ImportJob(JobSettings(file, "salesorders", target=books.target(), report_dir=tmp_path))
    drained = asyncio.Event()
    seen_while_paused: list[int] = []

    def on_progress(p: Progress) -> None:
        if p.done >= 5 and not job.control.paused and not drained.is_set():
            job.pause()
        if job.control.paused:
            seen_while_paused.append(books.writes())
            if p.in_flight == 0:
                drained.set()

    task = asyncio.ensure_future(job.run(on_progress))
    await asyncio.wait_for(drained.wait(), 30)
    writes_at_pause = books.writes()
    for _ in range(50):  # let the loop run freely: a paused job sends nothing
        await asyncio.sleep(0)
    assert books.writes() == writes_at_pause < 30
    assert job.progress().paused
    job.resume()
    result = await asyncio.wait_for(task, 60)
    assert result.exit_code == 0 and result.counts["created"] == 30
    assert books.writes() == 30


async def test_spent_daily_quota_stops_with_exit_3_and_resumes_next_day(make_books, tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    box = make_books(daily_quota=12, clock=lambda: now[0])
    file = orders_file(tmp_path / "orders.csv", 20)
    result = await run_job(box, file, "salesorders")
    assert result.exit_code == 3 and result.stopped == "quota"
    assert "quota" in result.message
    with Journal.open(result.job_id) as journal:
        states = Counter(e.state for e in journal.entries())
        assert set(states) <= {"done", "pending"}
        assert journal.get("status") == "stopped"
    done = states["done"]
    assert 0 < done < 20
    rows = read_report(result.report_csv)
    assert Counter(r["Status"] for r in rows) == {"created": done, "not sent": 20 - done}
    assert all("quota" in r["Message"] for r in rows if r["Status"] == "not sent")

    now[0] += 86_400  # the next day
    resumed = await run_job(box, file, "salesorders")
    assert resumed.job_id == result.job_id
    assert resumed.exit_code == 0 and resumed.counts["created"] == 20
    marks = per_document(box, resumed)
    assert len(marks) == 20 and set(marks.values()) == {1}


async def test_plan_counts_calls_and_says_when_the_quota_runs_out(make_books, tmp_path: Path) -> None:
    box = make_books(daily_quota=10)
    file = orders_file(tmp_path / "orders.csv", 25)
    job = ImportJob(JobSettings(file, "salesorders", target=box.target(daily_quota=10),
                                report_dir=tmp_path))
    try:
        plan = await job.plan()
    finally:
        await job.close()
    assert (plan.documents, plan.write_calls, plan.lookup_calls) == (25, 25, 2)
    assert plan.quota_left == 8
    assert plan.finishes_on is not None and not plan.fits_today
    assert any("would finish on" in line for line in plan.lines())


@pytest.mark.slow
async def test_waiting_for_the_quota_carries_the_run_into_the_next_day(make_books, tmp_path: Path) -> None:
    box = make_books(daily_quota=8, day_length_s=1.5)
    file = orders_file(tmp_path / "orders.csv", 12)
    result = await run_job(box, file, "salesorders", wait_for_quota=True)
    assert result.exit_code == 0 and result.counts["created"] == 12
    marks = per_document(box, result)
    assert len(marks) == 12 and set(marks.values()) == {1}


async def test_lost_answers_of_updates_and_upserts_are_settled(make_books, tmp_path: Path) -> None:
    box = make_books(drop_rate=0.4, seed=3)
    headers = ["Display Name", "Company Name", "External ID"]
    rows = [[f"Lost Answer {i}", f"Company {i}", f"EXT-L{i}"] for i in range(20)]
    created = await run_job(box, write_csv(tmp_path / "c.csv", headers, rows), "contacts", "upsert",
                           unique_field="cf_external_id")  # the sandbox organization marks it unique
    assert created.counts["created"] == 20 and created.exit_code == 0
    names = Counter(r["contact_name"] for r in box.records("contacts"))
    assert all(names[f"Lost Answer {i}"] == 1 for i in range(20))

    changed = [[name, f"{company} Ltd", ext] for name, company, ext in rows]
    updated = await run_job(box, write_csv(tmp_path / "u.csv", headers, changed), "contacts", "update")
    assert updated.counts["updated"] == 20 and updated.exit_code == 0
    companies = {r["contact_name"]: r["company_name"] for r in box.records("contacts")}
    assert all(companies[f"Lost Answer {i}"] == f"Company {i} Ltd" for i in range(20))
    assert {r["Status"] for r in read_report(updated.report_csv)} == {"updated"}


@pytest.mark.slow
async def test_server_errors_are_retried_and_leftovers_go_again_on_resume(make_books, tmp_path: Path) -> None:
    box = make_books(fail_rate=0.25, seed=11)
    file = orders_file(tmp_path / "orders.csv", 15)
    result = await run_job(box, file, "salesorders")
    assert result.calls["retries"] > 0
    for _ in range(5):  # each run retries only what a server error left unsettled
        if result.exit_code == 0:
            break
        assert {r["HTTP status"] for r in read_report(result.report_csv)
                if r["Status"] == "failed"} <= {"500", "502", "503", "504", ""}
        result = await run_job(box, file, "salesorders")
    assert result.exit_code == 0 and result.counts["created"] == 15
    marks = per_document(box, result)
    assert len(marks) == 15 and set(marks.values()) == {1}


async def test_a_request_nobody_awaits_any_more_is_ended_by_close_and_reported_nowhere() -> None:
    """A second Ctrl-C cancels the worker that awaited a request: the request's own failure must not
    reach the user as "Task exception was never retrieved", and close() ends the ones still out."""
    import gc

    from app.jobs.control import ControlledJob
    from app.zoho import InDoubt

    class Kind(ControlledJob[Any]):
        """A job kind of the test's own, sending its requests as the import and cleanup jobs do."""

        def send(self, request: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
            return self._call_out(request)

    reported: list[str] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: reported.append(context["message"]))
    job = Kind(None)

    async def lost() -> None:
        raise InDoubt("the connection broke before the answer arrived")

    forever = asyncio.Event()
    failed = job.send(lost())
    waiting = job.send(forever.wait())
    await asyncio.wait([failed])
    del failed
    gc.collect()
    await job.close()
    assert waiting.cancelled()
    del waiting
    gc.collect()
    assert reported == []
