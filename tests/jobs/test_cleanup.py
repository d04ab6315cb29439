"""Cleanup on the sandbox: delete, void and status changes picked by a sheet or a filter, Zoho's refusals per row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.jobs.cleanup import CleanupJob, CleanupResult, CleanupSettings
from app.jobs.cleanup.pick import pick_rows
from app.jobs.errors import JobError
from app.sheets import read_table
from tests.jobs.conftest import ORDER_HEADERS, read_report, run_job, write_csv

CUSTOMERS = ("Bowman and Co", "Zylker Corp", "Acme Corporation")


async def make_orders(box: Any, tmp_path: Path, numbers: list[str], *, date: str = "2026-03-02",
                      customer: str = "Zylker Corp") -> dict[str, dict[str, Any]]:
    """Sales orders made the way a user makes them: imported."""
    file = write_csv(tmp_path / f"make-{numbers[0]}.csv", ORDER_HEADERS,
                     [[n, date, customer, "Laptop Stand", 1, 45] for n in numbers])
    assert (await run_job(box, file, "salesorders")).counts["created"] == len(numbers)
    return {r["salesorder_number"]: r for r in box.records("salesorders") if r["salesorder_number"] in numbers}


def set_status(box: Any, entity: str, record: dict[str, Any], status: str, **fields: Any) -> None:
    """A state only Zoho's other screens reach (an invoiced order, a credit note applied to an invoice)."""
    store = box.app.state.store
    id_field = {"salesorders": "salesorder_id", "creditnotes": "creditnote_id"}[entity]
    number_field = {"salesorders": "salesorder_number", "creditnotes": "creditnote_number"}[entity]
    doc = store.get(entity, record[id_field])
    doc.update(status=status, **fields)
    store.replace(entity, doc[id_field], doc, number=doc[number_field], name=doc["customer_name"],
                  customer_id=doc["customer_id"], date=doc["date"], status=status,
                  reference=doc.get("reference_number") or None)


async def clean(box: Any, entity: str, operation: str, **settings: Any) -> CleanupResult:
    settings.setdefault("target", box.target())
    if settings.get("file") is not None:
        settings.setdefault("report_dir", Path(settings["file"]).parent / "reports")
    job = CleanupJob(CleanupSettings(entity, operation, **settings))
    await job.plan()
    return await job.run()


def statuses(box: Any, entity: str, field: str, wanted: list[str]) -> dict[str, str]:
    return {r[field]: r["status"] for r in box.records(entity) if r[field] in wanted}


async def test_void_from_a_sheet_of_numbers_refuses_the_invoiced_and_the_unknown_row_by_row(
        books: Any, tmp_path: Path) -> None:
    orders = await make_orders(books, tmp_path, ["CL-1", "CL-2", "CL-3", "CL-4"])
    set_status(books, "salesorders", orders["CL-3"], "invoiced")
    sheet = write_csv(tmp_path / "void.csv", ["Sales Order Number", "Why"], [
        ["CL-1", "duplicate"], ["CL-2", ""], ["CL-3", "invoiced already"], ["CL-404", "typo"], ["", "blank"],
        [orders["CL-4"]["salesorder_id"], "by its Zoho ID"], ["cl-1", "named twice"]])
    writes = books.writes("salesorders")

    result = await clean(books, "salesorders", "void", file=sheet)

    assert statuses(books, "salesorders", "salesorder_number", ["CL-1", "CL-2", "CL-3", "CL-4"]) == {
        "CL-1": "void", "CL-2": "void", "CL-3": "invoiced", "CL-4": "void"}
    assert books.writes("salesorders") - writes == 4  # CL-1 once though named twice; CL-3 refused by Zoho
    report = read_report(result.report_csv)
    assert [r["Status"] for r in report] == ["voided", "voided", "failed", "invalid", "skipped", "voided", "voided"]
    assert "cannot be marked as void" in report[2]["Message"] and report[2]["HTTP status"] == "400"
    assert 'no sales order with ID or number "CL-404"' in report[3]["Message"]
    assert [r["Why"] for r in report] == ["duplicate", "", "invoiced already", "typo", "blank", "by its Zoho ID",
                                          "named twice"]  # the user's columns, as they were
    assert result.report.parent == tmp_path / "reports"
    assert (result.counts["voided"], result.counts["failed"], result.counts["invalid"]) == (3, 1, 1)
    assert result.exit_code == 1
    assert result.calls["lookup"] == 2  # one list page (200 a page) and the organization's name


async def test_delete_from_a_sheet_keeps_an_invoiced_order_and_a_contact_with_transactions(
        books: Any, tmp_path: Path) -> None:
    orders = await make_orders(books, tmp_path, ["DEL-1", "DEL-2"], customer="Acme Corporation")
    set_status(books, "salesorders", orders["DEL-2"], "invoiced")
    contacts = write_csv(tmp_path / "people.csv", ["Display Name", "Email"],
                         [["Tidy One", "one@tidy.example"], ["Tidy Two", "two@tidy.example"]])
    assert (await run_job(books, contacts, "contacts")).counts["created"] == 2

    sold = await clean(books, "salesorders", "delete",
                       file=write_csv(tmp_path / "gone.csv", ["Number"], [["DEL-1"], ["DEL-2"]]))
    people = await clean(books, "contacts", "delete", file=write_csv(
        tmp_path / "who.csv", ["Contact Name"], [["Tidy One"], ["Acme Corporation"], ["tidy two"]]))

    left = {r["salesorder_number"] for r in books.records("salesorders")}
    assert "DEL-1" not in left and "DEL-2" in left
    assert [r["Message"] for r in read_report(sold.report_csv)][1] == "Invoiced sales order cannot be deleted."
    names = {r["contact_name"] for r in books.records("contacts")}
    assert {"Tidy One", "Tidy Two"} & names == set() and "Acme Corporation" in names
    refused = read_report(people.report_csv)[1]
    assert refused["Status"] == "failed" and "has transactions" in refused["Message"]
    assert (people.counts["deleted"], people.counts["failed"], people.exit_code) == (2, 1, 1)


async def test_delete_credit_notes_by_a_filter_keeps_one_whose_credits_were_applied(
        books: Any, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "credits.csv", ["Credit Note Number", "Date", "Customer Name", "Item Name",
                                                "Quantity", "Rate"],
                     [[f"CC-{i}", f"2026-04-0{i + 1}", "Zylker Corp", "Desk Lamp", 1, 35]
                      for i in range(3)] + [["CC-9", "2026-05-01", "Zylker Corp", "Desk Lamp", 1, 35]])
    assert (await run_job(books, file, "creditnotes")).counts["created"] == 4
    applied = next(r for r in books.records("creditnotes") if r["creditnote_number"] == "CC-1")
    set_status(books, "creditnotes", applied, "open", balance=0.0)

    result = await clean(books, "creditnotes", "delete", date_from="2026-04-01", date_to="2026-04-30",
                         customer="Zylker Corp")

    assert sorted(r["creditnote_number"] for r in books.records("creditnotes")) == ["CC-1", "CC-9"]
    assert (result.counts["deleted"], result.counts["failed"], result.records) == (2, 1, 3)
    rows = {r["Number"]: r for r in read_report(result.report_csv)}
    assert "applied to invoices or refunded" in rows["CC-1"]["Message"]
    assert rows["CC-0"]["Status"] == "deleted" and rows["CC-0"]["Name"] == "Zylker Corp"
    assert result.report.name.startswith("creditnotes-delete.report-")  # no sheet: the data folder


async def test_deactivate_then_activate_contacts_by_a_filter_and_already_so_costs_nothing(
        books: Any, tmp_path: Path) -> None:
    active = [r["contact_name"] for r in books.records("contacts") if r["status"] == "active"]
    off = await clean(books, "contacts", "deactivate", status="active")
    assert off.counts["deactivated"] == len(active) and off.exit_code == 0
    assert {r["status"] for r in books.records("contacts")} == {"inactive"}

    writes = books.writes("contacts")
    sheet = write_csv(tmp_path / "inactive.csv", ["Contact Name"], [[active[0]]])
    again = await clean(books, "contacts", "deactivate", file=sheet)
    assert again.counts["unchanged"] == 1 and books.writes("contacts") == writes  # already inactive: no call

    on = await clean(books, "contacts", "activate", status="inactive")
    assert on.counts["activated"] == len(active)
    assert {r["status"] for r in books.records("contacts")} == {"active"}


async def test_limit_sends_at_most_n_and_the_resumed_job_sends_the_rest(books: Any, tmp_path: Path) -> None:
    await make_orders(books, tmp_path, [f"LIM-{i}" for i in range(5)], date="2026-06-01")
    writes = books.writes("salesorders")

    first = await clean(books, "salesorders", "delete", date_from="2026-06-01", date_to="2026-06-01", limit=2)
    assert (first.counts["deleted"], first.counts["not_sent"], first.exit_code) == (2, 3, 3)
    assert books.writes("salesorders") - writes == 2
    assert "--limit 2 reached" in first.message
    assert {r["Status"] for r in read_report(first.report_csv)} == {"deleted", "not sent"}

    rest = await clean(books, "salesorders", "delete", job_id=first.job_id)
    assert (rest.counts["deleted"], rest.counts["not_sent"], rest.exit_code) == (5, 0, 0)
    assert books.writes("salesorders") - writes == 5
    assert not [r for r in books.records("salesorders") if r["salesorder_number"].startswith("LIM-")]


async def test_a_resumed_run_after_lost_answers_reads_back_and_sends_nothing_twice(
        make_books: Any, tmp_path: Path) -> None:
    box = make_books()
    orders = await make_orders(box, tmp_path, [f"LOST-{i}" for i in range(4)], date="2026-07-01")

    box.settings.drop_rate = 1.0  # every write is saved, and its answer lost
    job = CleanupJob(CleanupSettings("salesorders", "void", date_from="2026-07-01", date_to="2026-07-01",
                                     target=box.target()))
    await job.plan()
    used = sum(box.requests.values())
    box.settings.daily_quota = used + 4  # the writes go out; the reads back are refused for the quota
    first = await job.run()
    assert (first.counts["in_doubt"], first.exit_code) == (4, 3)
    assert box.writes("salesorders") == 4 + 4  # the 4 creates, then one void each
    assert all(r["status"] == "void" for r in box.records("salesorders") if r["salesorder_number"] in orders)
    assert all("never sent twice" in r["Message"] for r in read_report(first.report_csv))

    box.settings.drop_rate = 0.0
    box.settings.daily_quota = 10_000
    box.requests.clear()
    second = await clean(box, "salesorders", "void", job_id=first.job_id)
    assert (second.counts["voided"], second.counts["in_doubt"], second.exit_code) == (4, 0, 0)
    assert box.writes() == 0 and second.calls["write"] == 0  # read back, none sent again
    assert box.reads("salesorders") == 4
    assert all("confirmed" in r["Message"] for r in read_report(second.report_csv))


def test_a_name_matching_several_records_is_refused_naming_them(tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "names.csv", ["Contact Name"], [["Twin"], ["Solo"]])
    records = [{"contact_id": "1", "contact_name": "Twin", "email": "a@x.example", "status": "active"},
               {"contact_id": "2", "contact_name": "twin", "email": "b@x.example", "status": "active"},
               {"contact_id": "3", "contact_name": "Solo", "status": "active"}]
    picked = pick_rows(read_table(sheet), 0, "contacts", records)
    twin, solo = picked.picks
    assert twin.zoho_id is None and twin.refused is not None
    assert "2 contacts match" in twin.refused and "(1, a@x.example" in twin.refused and "(2, b@x.example" in twin.refused
    assert solo.zoho_id == "3" and solo.refused is None


@pytest.mark.parametrize(("entity", "operation", "words"), [
    ("salesorders", "draft", "no call that turns a sales order back into a draft"),
    ("contacts", "void", "for contacts choose delete, activate, deactivate"),
    ("creditnotes", "activate", "for credit notes choose delete, void, open, draft"),
])
def test_an_operation_zoho_has_no_call_for_is_refused_before_anything(entity: str, operation: str,
                                                                       words: str) -> None:
    with pytest.raises(JobError, match=words):
        CleanupJob(CleanupSettings(entity, operation))


async def test_no_sheet_and_no_filter_is_refused_rather_than_acting_on_everything(books: Any) -> None:
    job = CleanupJob(CleanupSettings("contacts", "delete", target=books.target()))
    with pytest.raises(JobError, match="never acts on every record unasked"):
        await job.plan()
    await job.close()
    assert books.writes() == 0


async def test_a_dry_run_sends_nothing_and_reports_what_it_would_do(books: Any, tmp_path: Path,
                                                                    data_dir: Path) -> None:
    await make_orders(books, tmp_path, ["DRY-1", "DRY-2"], date="2026-09-01")
    writes = books.writes()
    result = await clean(books, "salesorders", "delete", date_from="2026-09-01", date_to="2026-09-01",
                         dry_run=True)
    assert books.writes() == writes and result.calls["write"] == 0
    assert result.counts["deleted"] == 2 and result.dry_run
    assert {r["Message"] for r in read_report(result.report_csv)} == {"dry run: would delete; nothing was sent"}
    assert result.report.name.endswith(".dry-run.xlsx")
    assert not list((data_dir / "jobs").glob(f"{result.job_id}.*"))  # a dry run keeps no journal
