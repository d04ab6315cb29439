"""A stopped export runs again without reading twice the details it paid for; changed records are read again."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from app.cli import build_parser, main
from app.cli.exporting import run_export, settings_from
from app.jobs.exporting.job import ExportJob
from app.jobs.exporting.settings import ExportError, ExportResult, ExportSettings
from app.jobs.journal import Journal, journal_path, list_jobs
from app.zoho import QuotaSpent
from tests.conftest import GENEROUS
from tests.jobs.conftest import Clock, CountingSandbox

ORDERS = 30
DAY = 86_400.0


@pytest.fixture
async def orders(make_books: Any, clock: Clock) -> CountingSandbox:
    """A sandbox with ORDERS sales orders of two line items each; its request tally cleared."""
    box: CountingSandbox = make_books(clock=clock)
    async with box.target().books() as client:
        customers = [c["contact_id"] async for c in client.list("contacts")]
        items = [i["item_id"] async for i in client.list("items")]
        for n in range(ORDERS):
            await client.create("salesorders", {
                "salesorder_number": f"SO-T-{n:03d}", "customer_id": customers[n % len(customers)],
                "date": "2026-05-04", "notes": f"order {n}",
                "line_items": [{"item_id": items[n % len(items)], "quantity": n + 1, "rate": 10.0},
                               {"item_id": items[(n + 1) % len(items)], "quantity": 2, "rate": 4.5}],
            }, ignore_auto_number_generation=True)
    box.requests.clear()
    return box


def settings(box: CountingSandbox, out: Path, **options: Any) -> ExportSettings:
    return ExportSettings("salesorders", out, line_items=True, target=box.target(), **options)


async def export(box: CountingSandbox, out: Path, **options: Any) -> ExportResult:
    return await ExportJob(settings(box, out, **options)).run()


def details_kept(job_id: str) -> int:
    with Journal.open(job_id) as journal:
        return len(journal.kept_versions())


async def cancelled_after(box: CountingSandbox, out: Path, details: int) -> ExportResult:
    job = ExportJob(settings(box, out, workers=1))

    def on_progress(p: Any) -> None:
        if p.phase == "run" and p.done >= details:
            job.cancel()

    return await job.run(on_progress)


async def test_a_cancelled_export_reads_only_the_details_it_lacks_and_writes_the_same_file(
        orders: CountingSandbox, tmp_path: Path) -> None:
    reference = tmp_path / "reference.csv"
    whole = await export(orders, reference)
    assert whole.exit_code == 0 and whole.calls["detail"] == ORDERS and whole.reused == 0

    out = tmp_path / "orders.csv"
    orders.requests.clear()
    stopped = await cancelled_after(orders, out, 12)
    assert stopped.exit_code == 3 and stopped.out is None and not out.exists()
    read = stopped.calls["detail"]
    assert 12 <= read < ORDERS and orders.reads("salesorders") == 1 + read
    assert details_kept(stopped.job_id) == read  # every detail paid for is in the journal
    job = next(j for j in list_jobs() if j.job_id == stopped.job_id)
    assert job.status == "stopped" and job.counts.get("fetched") == read
    assert job.counts.get("pending") == ORDERS - read

    orders.requests.clear()
    again = ExportJob(settings(orders, out))
    plan = await again.plan()
    assert again.job_id == stopped.job_id  # the same export is the same job
    assert (plan.list_calls, plan.detail_calls, plan.reused) == (1, ORDERS - read, read)
    said = f"Kept from an earlier run of this export: {read} of {ORDERS} details, unchanged since; they are not"
    assert f"{said} read again" in plan.lines()
    seen: list[tuple[int, int]] = []
    result = await again.run(lambda p: seen.append((p.done, p.total)) if p.phase == "run" else None)
    assert seen[0] == (read, ORDERS) and seen[-1] == (ORDERS, ORDERS)  # the kept details count as done
    assert result.exit_code == 0 and result.reused == read
    assert result.calls["detail"] == ORDERS - read
    assert orders.reads("salesorders") == 1 + ORDERS - read and orders.writes() == 0
    assert out.read_bytes() == reference.read_bytes()
    assert result.rows == whole.rows == 2 * ORDERS

    # finished and nothing changed: run again, only the list page is read
    orders.requests.clear()
    out.unlink()
    repeat = await export(orders, out)
    assert repeat.exit_code == 0 and repeat.calls == {**repeat.calls, "total": 1, "list": 1, "detail": 0}
    assert repeat.reused == ORDERS and orders.reads() == 1
    assert out.read_bytes() == reference.read_bytes()


async def test_a_quota_stop_resumes_the_next_day_with_the_details_left(
        orders: CountingSandbox, clock: Clock, tmp_path: Path) -> None:
    reference = tmp_path / "reference.csv"
    assert (await export(orders, reference)).exit_code == 0
    clock.now += DAY  # a new quota day: 1 list call and 9 details, then Zoho refuses
    orders.settings.daily_quota = 10
    out = tmp_path / "orders.csv"
    stopped = await export(orders, out)
    assert stopped.exit_code == 3 and stopped.stopped == "quota" and not out.exists()
    assert stopped.calls["detail"] == 9 and details_kept(stopped.job_id) == 9

    clock.now += DAY
    orders.settings.daily_quota = 10_000
    orders.requests.clear()
    result = await export(orders, out)
    assert result.exit_code == 0 and result.job_id == stopped.job_id
    assert result.calls["detail"] == ORDERS - 9 == orders.reads("salesorders") - 1
    assert out.read_bytes() == reference.read_bytes()


async def test_a_record_changed_in_zoho_between_the_runs_is_read_again(
        orders: CountingSandbox, clock: Clock, tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    stopped = await cancelled_after(orders, out, 10)
    assert stopped.exit_code == 3
    read = stopped.calls["detail"]
    with Journal.open(stopped.job_id) as journal:
        kept_ids = set(journal.kept_versions())
    listed = {o["salesorder_number"]: o for o in orders.records("salesorders")}
    changed = next(o for o in listed.values() if o["salesorder_id"] in kept_ids)
    clock.now += 5  # last_modified_time has whole seconds, as Zoho's
    async with orders.target().books() as client:
        await client.update("salesorders", changed["salesorder_id"], {"notes": "changed in Zoho"})
    orders.requests.clear()

    result = await export(orders, out)
    assert result.exit_code == 0 and result.reused == read - 1
    assert result.calls["detail"] == ORDERS - read + 1 == orders.reads("salesorders") - 1
    with out.open(encoding="utf-8-sig", newline="") as f:
        notes = [(r["SalesOrder Number"], r["Notes"]) for r in csv.DictReader(f)]
    number = changed["salesorder_number"]
    assert [n for o, n in notes if o == number] == ["changed in Zoho"] * 2  # both line rows
    assert all(n == f"order {int(o[-3:])}" for o, n in notes if o != number)
    assert len(notes) == 2 * ORDERS

    # and once more: the changed record's new version is the one kept now
    orders.requests.clear()
    assert (await export(orders, out)).calls["detail"] == 0 and orders.reads() == 1


async def test_other_options_are_another_job_and_the_kept_details_are_not_used(
        orders: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    first = await export(orders, out)
    orders.requests.clear()
    other = await export(orders, out, status="draft")
    assert other.job_id != first.job_id and other.reused == 0
    assert other.calls["detail"] == other.records == ORDERS  # the sandbox's new orders are drafts
    xlsx = await export(orders, tmp_path / "orders.xlsx")
    assert xlsx.job_id not in (first.job_id, other.job_id) and xlsx.reused == 0


async def test_one_export_cannot_run_twice_at_once(orders: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    first = ExportJob(settings(orders, out))
    await first.plan()
    second = ExportJob(settings(orders, out))
    with pytest.raises(ExportError, match="already running"):
        await second.plan()
    await second.close()
    result = await first.run()
    assert result.exit_code == 0 and result.calls["detail"] == ORDERS


async def test_resume_by_job_id_from_the_command_line(orders: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    stopped = await cancelled_after(orders, out, 5)
    read = stopped.calls["detail"]
    args = build_parser().parse_args(["export", "--resume", stopped.job_id, "--json"])
    resumed = settings_from(args, orders.target())
    assert (resumed.entity, resumed.out, resumed.line_items) == ("salesorders", out.resolve(), True)
    orders.requests.clear()
    stdout, stderr = io.StringIO(), io.StringIO()
    code = await run_export(resumed, as_json=True, out=stdout, err=stderr)
    summary = json.loads(stdout.getvalue().strip().splitlines()[-1])
    assert code == 0 and summary["job_id"] == stopped.job_id and summary["reused"] == read
    assert summary["calls"]["detail"] == ORDERS - read == orders.reads("salesorders") - 1
    assert f"Kept from an earlier run of this export: {read} of {ORDERS} details" in stderr.getvalue()
    assert "details kept from an earlier run were not read again" in stdout.getvalue()

    for argv, words in ((["export", "--resume", "xnothere"], "no job xnothere"),
                        (["export", "contacts", "--resume", stopped.job_id], "leave out the record type"),
                        (["export"], "--resume JOB_ID")):
        with pytest.raises(ExportError, match=words):
            settings_from(build_parser().parse_args(argv), orders.target())


async def test_a_stopped_export_keeps_what_the_workers_read_before_the_stop(
        orders: CountingSandbox, tmp_path: Path) -> None:
    """Several workers at once: every detail that came back is kept, whichever worker read it."""
    out = tmp_path / "orders.csv"
    job = ExportJob(settings(orders, out, workers=4))
    cancelled: list[int] = []

    def on_progress(p: Any) -> None:
        if p.phase == "run" and p.done >= 7 and not cancelled:
            cancelled.append(p.done)
            job.cancel()

    stopped = await job.run(on_progress)
    assert stopped.exit_code == 3 and details_kept(stopped.job_id) == stopped.calls["detail"]
    assert journal_path(stopped.job_id).exists()


async def test_a_quota_spent_while_listing_lets_the_export_go_and_keeps_what_was_read(
        orders: CountingSandbox, clock: Clock, tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    stopped = await cancelled_after(orders, out, 6)
    read = stopped.calls["detail"]
    clock.now += DAY
    orders.settings.daily_quota = 0  # the day's quota went elsewhere: even the list page is refused
    planned = ExportJob(settings(orders, out))
    with pytest.raises(QuotaSpent):
        await planned.plan()  # the Export page drops such a job without running it
    assert planned.journal is None
    refused = await export(orders, out)  # the CLI runs it: the stop is recorded, exit 3
    assert refused.exit_code == 3 and refused.stopped == "quota" and refused.calls["detail"] == 0
    job = next(j for j in list_jobs() if j.job_id == stopped.job_id)
    assert job.status == "stopped" and job.counts.get("fetched") == read  # the last run's entries stand

    clock.now += DAY
    orders.settings.daily_quota = 10_000
    orders.requests.clear()
    result = await export(orders, out)  # not "already running": the refused runs let the journal go
    assert result.exit_code == 0 and result.calls["detail"] == ORDERS - read
    assert orders.reads("salesorders") == 1 + ORDERS - read


async def test_a_paused_export_has_kept_every_detail_read_so_far(orders: CountingSandbox, tmp_path: Path) -> None:
    job = ExportJob(settings(orders, tmp_path / "orders.csv", workers=1))
    kept_while_paused: list[int] = []
    tasks: list[asyncio.Future[None]] = []

    def on_progress(p: Any) -> None:
        if p.phase == "run" and p.done == 3 and not tasks:
            tasks.append(asyncio.ensure_future(look_then_resume()))
            job.pause()  # emits progress again: the task is there first

    async def look_then_resume() -> None:
        assert job.journal is not None
        await job.journal.write(lambda: None)  # the journal's writes keep their order: the pause's are made
        kept_while_paused.append(len(job.journal.kept_versions()))
        job.resume()

    result = await job.run(on_progress)
    await asyncio.gather(*tasks)
    assert kept_while_paused == [3]  # fewer than a page, within seconds: kept because of the pause
    assert result.exit_code == 0 and details_kept(result.job_id) == ORDERS


@pytest.mark.slow
def test_the_same_command_over_http_continues_after_a_spent_quota(
        make_live_sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clock = Clock()
    server = make_live_sandbox(**{**GENEROUS, "daily_quota": 3}, clock=clock)  # 1 list + 2 of 3 details a day
    out = tmp_path / "contacts.csv"

    def export_command(path: Path) -> tuple[int, dict[str, Any]]:
        code = main(["export", "contacts", "--line-items", "--out", str(path), "--sandbox", server.url, "--json"])
        return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    code, first = export_command(out)
    assert code == 3 and first["stopped"] == "quota" and first["calls"]["detail"] == 2 and not out.exists()
    clock.now += DAY
    code, second = export_command(out)
    assert code == 0 and second["job_id"] == first["job_id"] and second["reused"] == 2
    assert (second["calls"]["list"], second["calls"]["detail"]) == (1, 1)
    clock.now += DAY
    code, third = export_command(out)
    assert code == 0 and third["calls"]["total"] == 1 and third["reused"] == 3

    server.settings.daily_quota = 100
    code, whole = export_command(tmp_path / "reference.csv")
    assert code == 0 and whole["reused"] == 0 and whole["calls"]["detail"] == 3
    assert out.read_bytes() == (tmp_path / "reference.csv").read_bytes()


async def test_a_running_export_is_in_the_jobs_list_as_unfinished(orders: CountingSandbox, tmp_path: Path) -> None:
    job = ExportJob(settings(orders, tmp_path / "orders.csv"))
    await job.plan()
    running = next(j for j in list_jobs() if j.job_id == job.job_id)
    assert (running.kind, running.status, running.entity) == ("export", "running", "salesorders")
    assert running.created_at is not None
    await job.run()
    assert next(j for j in list_jobs() if j.job_id == job.job_id).status == "finished"


async def test_a_record_changed_between_the_listing_and_its_detail_is_read_again_next_time(
        orders: CountingSandbox, clock: Clock, tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    job = ExportJob(settings(orders, out))
    await job.plan()
    changed = orders.records("salesorders")[0]
    clock.now += 5
    async with orders.target().books() as client:
        await client.update("salesorders", changed["salesorder_id"], {"notes": "changed while listed"})
    assert (await job.run()).exit_code == 0
    assert out.read_text(encoding="utf-8-sig").count("changed while listed") == 2  # the detail is newer
    orders.requests.clear()
    again = await export(orders, out)  # kept with the time the list gave: the newer listing reads it again
    assert again.calls["detail"] == 1 and again.reused == ORDERS - 1
    assert out.read_text(encoding="utf-8-sig").count("changed while listed") == 2
    orders.requests.clear()
    assert (await export(orders, out)).calls["detail"] == 0
