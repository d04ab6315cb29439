"""An update carries the fields the seeds mark "Required" on an update, taken unchanged from the listed record."""

from __future__ import annotations

from pathlib import Path

from app.jobs import ImportJob, JobSettings
from tests.jobs.conftest import ORDER_HEADERS, run_job, write_csv


async def _planned(books, file: Path, entity: str) -> list[dict]:
    job = ImportJob(JobSettings(file, entity, "update", dry_run=True, target=books.target(),
                                report_dir=file.parent / "r"))
    try:
        await job.plan()
        return [payload for _, payload in job.payloads_to_send()]
    finally:
        await job.close()


async def test_a_sales_order_update_names_its_customer_and_a_credit_note_its_customer_date_and_number(
        books, tmp_path: Path) -> None:
    await run_job(books, write_csv(tmp_path / "new-orders.csv", ORDER_HEADERS, [
        ["RQ-1", "2026-01-05", "Bowman and Co", "Laptop Stand", 2, 45]]), "salesorders")
    await run_job(books, write_csv(tmp_path / "new-credits.csv", [
        "Credit Note Number", "Date", "Customer Name", "Item Name", "Quantity", "Rate"], [
        ["RQ-CN-1", "2026-02-01", "Bowman and Co", "Laptop Stand", 1, 45]]), "creditnotes")
    order = next(o for o in books.records("salesorders") if o["salesorder_number"] == "RQ-1")
    note = next(n for n in books.records("creditnotes") if n["creditnote_number"] == "RQ-CN-1")
    orders = write_csv(tmp_path / "orders.csv", ["SalesOrder Number", "Reference"],
                       [[order["salesorder_number"], "PO-NEW-1"]])
    (sent,) = await _planned(books, orders, "salesorders")
    assert sent["reference_number"] == "PO-NEW-1"
    assert sent["customer_id"] == order["customer_id"]  # seed 003 "Update a sales order": customer_id Required

    notes = write_csv(tmp_path / "notes.csv", ["Credit Note Number", "Reference"],
                      [[note["creditnote_number"], "RMA-NEW-1"]])
    (sent,) = await _planned(books, notes, "creditnotes")
    assert (sent["customer_id"], sent["date"], sent["creditnote_number"]) == (
        note["customer_id"], note["date"], note["creditnote_number"])


async def test_a_contact_update_names_the_contact(books, tmp_path: Path) -> None:
    contact = next(c for c in books.records("contacts") if c.get("email"))
    file = write_csv(tmp_path / "contacts.csv", ["Email", "Phone"], [[contact["email"], "+49 89 1234567"]])
    (sent,) = await _planned(books, file, "contacts")
    assert sent["contact_name"] == contact["contact_name"]  # seed 004 "Update a contact": contact_name Required
