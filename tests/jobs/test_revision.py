"""A job of the user's file takes a revised copy (fixes made in the app): what was sent stays settled, the rest is
taken from the copy, and a copy that regroups rows already sent is refused before anything is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.jobs import ImportJob, JobError, JobSettings, Progress
from app.jobs.journal import Journal, journal_path
from app.sheets import read_table
from tests.jobs.conftest import ORDER_HEADERS, read_report, write_csv

ROWS = [
    ["SO-1", "2026-01-05", "Bowman and Co", "Laptop Stand", 2, 45],
    ["SO-2", "2026-01-06", "Zylker Corp", "USB-C Hub", 3, 60],
    ["SO-3", "2026-01-07", "Zylker Corp", "USB-C Hub", "lots", 60],  # bad quantity, fixed in the copy
    ["SO-4", "2026-01-07", "Acme Corporation", "Desk Lamp", 1, 35],
    ["SO-5", "2026-01-08", "Acme Corporation", "Office Chair", 4, 240],
]


def fixed(rows: list[list[Any]]) -> list[list[Any]]:
    out = [list(r) for r in rows]
    out[2][4] = 3
    return out


async def stopped_after_two(books: Any, file: Path, tmp_path: Path) -> Any:
    """The user's file, run with one worker and cancelled once two documents are in Zoho."""
    job = ImportJob(JobSettings(file, "salesorders", target=books.target(concurrency=1), workers=1,
                                report_dir=tmp_path / "reports"))

    def stop(p: Progress) -> None:
        if p.done >= 2:
            job.cancel()

    result = await job.run(stop)
    assert result.stopped == "cancelled" and result.counts["created"] == 2
    return result


def copy_folder(tmp_path: Path) -> Path:
    """Where the app writes its copy with the fixes (the sheet keeps its name: a CSV's is its file's stem)."""
    folder = tmp_path / "corrected"
    folder.mkdir(exist_ok=True)
    return folder


def numbers(books: Any) -> list[str]:
    return sorted(r["salesorder_number"] for r in books.records("salesorders") if r["salesorder_number"][:3] == "SO-")


async def test_a_fixed_copy_goes_on_with_the_job_of_the_users_file(books: Any, tmp_path: Path) -> None:
    mine = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, ROWS)
    first = await stopped_after_two(books, mine, tmp_path)
    copy = write_csv(copy_folder(tmp_path) / "orders.csv", ORDER_HEADERS, fixed(ROWS))

    job = ImportJob(JobSettings(copy, "salesorders", target=books.target(), source=mine,
                                report_dir=tmp_path / "reports"))
    plan = await job.plan()
    assert plan.job_id == first.job_id and plan.to_send == 3 and plan.invalid == 0
    result = await job.run()
    assert numbers(books) == ["SO-1", "SO-2", "SO-3", "SO-4", "SO-5"]  # each once, the fixed one too
    assert result.counts["created"] == 5 and result.exit_code == 0
    assert result.report is not None and result.report.name.startswith("orders.report-")
    assert [r["Status"] for r in read_report(result.report_csv)] == ["created"] * 5
    with Journal.open(first.job_id) as journal:
        assert journal.get("file") == str(mine.resolve())  # the Jobs page names the user's file
        kept = Path(journal.get("input"))
    assert kept.parent.parent == journal_path(first.job_id).parent and kept.read_bytes() == copy.read_bytes()


async def test_resuming_a_fixed_job_by_its_id_reads_the_fixes_it_kept(books: Any, tmp_path: Path) -> None:
    mine = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, ROWS)
    first = await stopped_after_two(books, mine, tmp_path)
    copy = write_csv(copy_folder(tmp_path) / "orders.csv", ORDER_HEADERS, fixed(ROWS))
    job = ImportJob(JobSettings(copy, "salesorders", target=books.target(concurrency=1), workers=1, source=mine,
                                report_dir=tmp_path / "reports"))

    def stop(p: Progress) -> None:
        if p.done >= 3:
            job.cancel()

    again = await job.run(stop)
    assert again.stopped == "cancelled" and again.job_id == first.job_id
    copy.unlink()  # the app's copy is written again at each fix; the job kept its own

    resumed = await ImportJob(JobSettings(mine, "salesorders", target=books.target(), job_id=first.job_id,
                                          report_dir=tmp_path / "reports")).run()
    assert resumed.counts["created"] == 5 and resumed.counts["invalid"] == 0
    assert numbers(books) == ["SO-1", "SO-2", "SO-3", "SO-4", "SO-5"]


async def test_a_copy_that_regroups_rows_already_sent_is_refused(books: Any, tmp_path: Path) -> None:
    mine = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, ROWS)
    first = await stopped_after_two(books, mine, tmp_path)
    regrouped = fixed(ROWS)
    regrouped[1][0] = "SO-1"  # row 3 (sent as SO-2) now continues SO-1, which was sent alone
    copy = write_csv(copy_folder(tmp_path) / "orders.csv", ORDER_HEADERS, regrouped)
    before = books.writes()
    job = ImportJob(JobSettings(copy, "salesorders", target=books.target(), source=mine,
                                report_dir=tmp_path / "reports"))
    with pytest.raises(JobError, match=r"row 2 went to Zoho as one document") as refused:
        await job.plan()
    assert first.job_id in str(refused.value)
    await job.close()
    assert books.writes() == before and numbers(books) == ["SO-1", "SO-2"]
    with Journal.open(first.job_id) as journal:  # the journal is as the stopped run left it
        assert journal.counts().get("created") == 2


async def test_fixes_given_as_cells_are_kept_as_the_run_starts_and_a_resume_reads_them(
        books: Any, tmp_path: Path) -> None:
    """The wizard gives the job its fixed cells (a plan follows every fix; writing a copy each time would stall
    the window): nothing is written by the plan, the job's own copy is written before its first call."""
    mine = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, ROWS)
    first = await stopped_after_two(books, mine, tmp_path)
    (tmp_path / "edited").mkdir()
    cells = read_table(write_csv(tmp_path / "edited" / "orders.csv", ORDER_HEADERS, fixed(ROWS)))
    cells.source = mine  # the cells of the user's file, as the app holds them after the fix
    named = copy_folder(tmp_path) / "orders.corrected.xlsx"  # never written: the job keeps its own copy
    job = ImportJob(JobSettings(named, "salesorders", target=books.target(concurrency=1), workers=1, source=mine,
                                table=cells, report_dir=tmp_path / "reports"))
    plan = await job.plan()
    with Journal.open(first.job_id) as journal:
        kept = Path(journal.get("input"))
    assert plan.job_id == first.job_id and plan.to_send == 3 and not kept.exists() and not named.exists()

    def stop(p: Progress) -> None:
        if p.done >= 3:
            job.cancel()

    again = await job.run(stop)
    assert again.stopped == "cancelled" and kept.exists()
    assert read_table(kept).rows == cells.rows  # the cells the run sends, as the job keeps them

    resumed = await ImportJob(JobSettings(mine, "salesorders", target=books.target(), job_id=first.job_id,
                                          report_dir=tmp_path / "reports")).run()
    assert resumed.counts["created"] == 5 and resumed.counts["invalid"] == 0
    assert numbers(books) == ["SO-1", "SO-2", "SO-3", "SO-4", "SO-5"]
