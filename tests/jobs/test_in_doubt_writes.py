"""Writes answered 5xx after Zoho saved them: reconciled by their key, never sent twice, reported as confirmed.

A 5xx answer to a write does not prove that nothing was saved (a timeout inside Zoho after the
commit looks the same), so it is treated as in doubt. The sandbox's fail-after-commit fault is that case.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from app.jobs import ImportJob, JobSettings
from tests.jobs.conftest import ORDER_HEADERS, read_report, write_csv

CUSTOMERS = ("Bowman and Co", "Zylker Corp", "Acme Corporation")
ITEMS = ("Laptop Stand", "USB-C Hub", "Desk Lamp", "Office Chair")


async def _import(box, file: Path, entity: str) -> tuple[object, list[str]]:
    job = ImportJob(JobSettings(file, entity, "create", report_dir=file.parent / "reports", target=box.target()))
    plan = await job.plan()
    return await job.run(), plan.lines()


async def test_numbered_orders_answered_500_after_commit_are_in_zoho_once_and_reported_created(
        make_books, tmp_path: Path) -> None:
    box = make_books(fail_after_commit_rate=0.2, seed=5)
    rows = [[f"DOUBT-{i:02d}", "2026-01-05", CUSTOMERS[i % 3], ITEMS[i % 4], 1 + i % 3, 10 + i]
            for i in range(40)]
    result, _ = await _import(box, write_csv(tmp_path / "numbered.csv", ORDER_HEADERS, rows), "salesorders")

    numbers = Counter(r["salesorder_number"] for r in box.records("salesorders")
                      if r["salesorder_number"].startswith("DOUBT-"))
    assert numbers == Counter({f"DOUBT-{i:02d}": 1 for i in range(40)})  # every one, exactly once
    assert result.counts["created"] == 40 == sum(numbers.values())
    assert (result.counts["failed"], result.counts["in_doubt"], result.exit_code) == (0, 0, 0)
    messages = [r["Message"] for r in read_report(result.report_csv)]
    confirmed = [m for m in messages if m.startswith("created (confirmed)")]
    assert confirmed, "the fault should have answered some creates 500 after saving them"
    assert all("HTTP 500" in m and "salesorder number" in m for m in confirmed)
    assert result.calls["write"] == 40  # none resent


async def test_auto_numbered_orders_and_contacts_answered_500_after_commit_are_created_once(
        make_books, tmp_path: Path) -> None:
    box = make_books(fail_after_commit_rate=0.2, seed=9)
    before = len(box.records("salesorders"))
    headers = ["Order Date", "Customer Name", "Item Name", "Quantity"]
    rows = [["2026-01-06", CUSTOMERS[i % 3], ITEMS[i % 4], 1 + i] for i in range(40)]
    result, plan = await _import(box, write_csv(tmp_path / "auto.csv", headers, rows), "salesorders")

    # the marker that finds a lost create again is shown before the run
    assert any(f"ZB-{result.job_id}-1 ... ZB-{result.job_id}-40" in line for line in plan), plan
    made = box.records("salesorders")[before:]
    references = Counter(r["reference_number"] for r in made)
    assert references == Counter({f"ZB-{result.job_id}-{i}": 1 for i in range(1, 41)})
    assert result.counts["created"] == len(made) == 40
    assert (result.counts["failed"], result.counts["in_doubt"]) == (0, 0)
    assert any(r["Message"].startswith("created (confirmed)") for r in read_report(result.report_csv))

    people = write_csv(tmp_path / "contacts.csv", ["Display Name", "Email"],
                       [[f"Doubtful {i:02d}", f"d{i}@doubt.example"] for i in range(30)])
    contacts, _ = await _import(box, people, "contacts")
    names = Counter(r["contact_name"] for r in box.records("contacts") if r["contact_name"].startswith("Doubtful"))
    assert names == Counter({f"Doubtful {i:02d}": 1 for i in range(30)})
    assert contacts.counts["created"] == 30 and contacts.counts["in_doubt"] == 0


async def test_an_update_answered_500_after_commit_is_confirmed_by_one_read_not_resent(
        make_books, tmp_path: Path) -> None:
    box = make_books()
    orders = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, [
        ["UPD-1", "2026-01-05", "Bowman and Co", "Laptop Stand", 2, 45]])
    assert (await _import(box, orders, "salesorders"))[0].counts["created"] == 1

    box.settings.fail_after_commit_rate = 1.0  # every write is saved and answered 500
    changed = write_csv(tmp_path / "changed.csv", ORDER_HEADERS, [
        ["UPD-1", "2026-01-05", "Bowman and Co", "Laptop Stand", 5, 45]])
    writes = box.writes("salesorders")
    job = ImportJob(JobSettings(changed, "salesorders", "update", report_dir=tmp_path / "reports",
                                target=box.target()))
    result = await job.run()
    assert box.writes("salesorders") - writes == 1  # the read after the 500 settles it
    assert (result.counts["updated"], result.counts["in_doubt"]) == (1, 0)
    assert read_report(result.report_csv)[0]["Message"].startswith("updated (confirmed)")
    order = next(r for r in box.records("salesorders") if r["salesorder_number"] == "UPD-1")
    assert [li["quantity"] for li in order["line_items"]] == [5]
