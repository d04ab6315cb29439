"""A create whose answer was lost and that nothing in the sheet can find again is never sent a second time."""

from __future__ import annotations

from pathlib import Path

from tests.jobs.conftest import read_report, run_job, write_csv

HEADERS = ["Order Date", "Customer Name", "Reference", "Item Name", "Quantity", "Rate"]


async def test_an_unkeyed_create_in_doubt_is_reported_and_not_resent_on_the_rerun(make_books, tmp_path: Path) -> None:
    box = make_books(drop_rate=1.0, seed=1)  # every write is done and its answer lost
    # No order numbers, and both rows share a reference: nothing can find either order again.
    file = write_csv(tmp_path / "orders.csv", HEADERS, [
        ["2026-01-05", "Bowman and Co", "PO-7", "Laptop Stand", 1, 45],
        ["2026-01-06", "Bowman and Co", "PO-7", "USB-C Hub", 2, 60],
    ])
    first = await run_job(box, file, "salesorders")
    made = len(box.records("salesorders"))
    rows = read_report(first.report_csv)
    assert [r["Status"] for r in rows] == ["in doubt", "in doubt"]
    assert all("check Zoho" in r["Message"] for r in rows)
    assert first.exit_code == 1  # a rerun cannot settle them: the report says what to check
    assert first.failed_rows is None or not read_report(first.failed_rows)  # never offered to import again

    box.app.state.settings.drop_rate = 0.0
    second = await run_job(box, file, "salesorders")
    assert len(box.records("salesorders")) == made  # nothing sent twice
    assert second.job_id == first.job_id and second.calls["write"] == 0
    assert [r["Status"] for r in read_report(second.report_csv)] == ["in doubt", "in doubt"]
