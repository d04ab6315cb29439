"""End to end on the sandbox: each operation and entity, with lookups, line items and invalid rows mixed in."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.jobs import ImportJob, JobError, JobSettings, list_jobs
from app.jobs.journal import Journal
from app.resources import samples_dir
from tests.jobs.conftest import ORDER_HEADERS, read_report, run_job, write_csv


def _numbers(box, entity: str, field: str) -> list[str]:
    return sorted(r[field] for r in box.records(entity))


async def test_create_salesorders_resolves_names_once_and_invalid_rows_cost_nothing(books, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, [
        ["SO-1", "2026-01-05", "Bowman and Co", "Laptop Stand", 2, 45],
        ["SO-1", "2026-01-05", "Bowman and Co", "wireless mouse", 1, 25],   # name case differs
        ["SO-2", "2026-01-06", "Zylker Corp", "USB-C Hub", 3, 60],
        ["SO-3", "2026-01-07", "Nobody Inc", "USB-C Hub", 1, 60],           # unknown customer
        ["SO-4", "2026-01-07", "Acme Corporation", "Desk Lamp", "lots", 35],  # bad quantity
        ["SO-5", "2026-01-08", "Acme Corporation", "Desk Lamps", 1, 35],    # unknown item
        ["SO-6", "2026-01-08", "Acme Corporation", "Office Chair", 4, 240],
    ])
    before = len(books.records("salesorders"))
    result = await run_job(books, file, "salesorders")

    assert (result.counts["created"], result.counts["invalid"]) == (3, 3)
    assert result.exit_code == 1
    # one write per valid document, one list page per lookup kind, nothing for invalid rows
    assert books.writes("salesorders") == 3
    assert books.reads("contacts") == 1 and books.reads("items") == 1
    assert result.calls == {"total": 5, "lookup": 2, "write": 3, "retries": 0, "rate_limited": 0}
    created = [r for r in books.records("salesorders")][before:]
    assert sorted(r["salesorder_number"] for r in created) == ["SO-1", "SO-2", "SO-6"]
    so1 = next(r for r in created if r["salesorder_number"] == "SO-1")
    assert [li["name"] for li in so1["line_items"]] == ["Laptop Stand", "Wireless Mouse"]
    assert so1["customer_name"] == "Bowman and Co"

    rows = read_report(result.report_csv)
    assert len(rows) == 7  # every input row exactly once
    assert [r["Status"] for r in rows] == ["created", "created", "created", "invalid", "invalid",
                                           "invalid", "created"]
    assert rows[0]["Zoho ID"] == rows[1]["Zoho ID"] == so1["salesorder_id"]
    assert "Nobody Inc" in rows[3]["Message"]
    assert "Desk Lamps" in rows[5]["Message"] and "Desk Lamp" in rows[5]["Message"]
    assert result.failed_rows is not None
    failed = read_report(result.failed_rows)
    assert [f["Order Number"] for f in failed] == ["SO-3", "SO-4", "SO-5"]
    assert list(failed[0]) == ORDER_HEADERS  # the same columns: re-runs with the same mapping


async def test_auto_numbered_orders_get_a_reference_that_finds_them_again(books, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "orders.csv", ["Order Date", "Customer Name", "Item Name", "Quantity"], [
        ["2026-01-05", "Bowman and Co", "Laptop Stand", 2],
        ["2026-01-06", "Zylker Corp", "USB-C Hub", 3],
    ])
    result = await run_job(books, file, "salesorders")
    assert result.counts["created"] == 2
    refs = [r["reference_number"] for r in books.records("salesorders")
            if (r.get("reference_number") or "").startswith(f"ZB-{result.job_id}-")]
    assert sorted(refs) == [f"ZB-{result.job_id}-1", f"ZB-{result.job_id}-2"]


async def test_contacts_create_then_update_by_name_marks_unchanged_without_a_write(books, tmp_path: Path) -> None:
    headers = ["Display Name", "Company Name", "Email", "Phone"]
    file = write_csv(tmp_path / "contacts.csv", headers, [
        ["Northwind Traders", "Northwind Traders Ltd", "orders@northwind.example", "+1 555 0100"],
        ["Contoso Pharma", "Contoso", "ap@contoso.example", "+1 555 0101"],
        ["Fabrikam", "Fabrikam Inc", "not-an-email", "+1 555 0102"],
    ])
    created = await run_job(books, file, "contacts")
    assert (created.counts["created"], created.counts["invalid"]) == (2, 1)

    update = write_csv(tmp_path / "contacts-update.csv", ["Display Name", "Company Name"], [
        ["Northwind Traders", "Northwind Traders Ltd"],     # same: unchanged
        ["Contoso Pharma", "Contoso Holdings"],             # changed
        ["Nobody Here", "Ghost Ltd"],                       # not in Zoho: failed
    ])
    writes_before = books.writes("contacts")
    result = await run_job(books, update, "contacts", "update")
    assert (result.counts["unchanged"], result.counts["updated"], result.counts["failed"]) == (1, 1, 1)
    assert books.writes("contacts") - writes_before == 1
    contoso = next(r for r in books.records("contacts") if r["contact_name"] == "Contoso Pharma")
    assert contoso["company_name"] == "Contoso Holdings"
    rows = read_report(result.report_csv)
    assert [r["Status"] for r in rows] == ["unchanged", "updated", "failed"]
    assert "Nobody Here" in rows[2]["Message"]
    assert result.exit_code == 1


async def test_update_salesorders_by_number_and_by_zoho_id(books, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, [
        ["SO-10", "2026-01-05", "Bowman and Co", "Laptop Stand", 2, 45],
        ["SO-11", "2026-01-06", "Zylker Corp", "USB-C Hub", 3, 60],
    ])
    await run_job(books, file, "salesorders")
    so11 = next(r for r in books.records("salesorders") if r["salesorder_number"] == "SO-11")

    by_number = write_csv(tmp_path / "by-number.csv", ["Order Number", "Reference"], [
        ["SO-10", "PO-777"], ["SO-99", "PO-999"]])
    result = await run_job(books, by_number, "salesorders", "update")
    assert (result.counts["updated"], result.counts["failed"]) == (1, 1)
    so10 = next(r for r in books.records("salesorders") if r["salesorder_number"] == "SO-10")
    assert so10["reference_number"] == "PO-777"

    by_id = write_csv(tmp_path / "by-id.csv", ["SalesOrder ID", "Reference"], [
        [so11["salesorder_id"], "PO-888"]])
    result = await run_job(books, by_id, "salesorders", "update")
    assert result.counts["updated"] == 1 and result.exit_code == 0
    so11 = next(r for r in books.records("salesorders") if r["salesorder_number"] == "SO-11")
    assert so11["reference_number"] == "PO-888"


async def test_upsert_contacts_by_external_id_is_one_call_each(books, tmp_path: Path) -> None:
    headers = ["Display Name", "Company Name", "External ID"]
    first = write_csv(tmp_path / "upsert1.csv", headers, [
        ["Globex", "Globex Corp", "EXT-100"], ["Initech", "Initech LLC", "EXT-101"]])
    result = await run_job(books, first, "contacts", "upsert", unique_field="cf_external_id")
    assert result.counts["created"] == 2
    assert result.calls["write"] == 2 and result.calls["lookup"] == 1  # one page of contacts

    second = write_csv(tmp_path / "upsert2.csv", headers, [
        ["Globex", "Globex International", "EXT-100"], ["Umbrella", "Umbrella plc", "EXT-102"]])
    result = await run_job(books, second, "contacts", "upsert", unique_field="cf_external_id")
    assert (result.counts["updated"], result.counts["created"]) == (1, 1)
    assert result.calls["write"] == 2
    globex = [r for r in books.records("contacts") if r["contact_name"] == "Globex"]
    assert len(globex) == 1 and globex[0]["company_name"] == "Globex International"


async def test_skip_existing_creates_only_what_is_missing(books, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "contacts.csv", ["Display Name", "Company Name"], [
        ["Bowman and Co", "Bowman"],          # seeded: skipped
        ["Wayne Enterprises", "Wayne"],       # new: created
    ])
    result = await run_job(books, file, "contacts", "skip-existing")
    assert (result.counts["skipped"], result.counts["created"]) == (1, 1)
    assert books.writes("contacts") == 1
    rows = read_report(result.report_csv)
    assert rows[0]["Status"] == "skipped" and rows[0]["Zoho ID"]
    assert result.exit_code == 0


async def test_create_creditnotes_with_lookups(books, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "credits.csv",
                     ["Credit Note Number", "Date", "Customer Name", "Item Name", "Quantity", "Rate"], [
        ["CN-1", "2026-02-01", "Bowman and Co", "Laptop Stand", 1, 45],
        ["CN-1", "2026-02-01", "Bowman and Co", "Desk Lamp", 2, 35],
        ["CN-2", "2026-02-02", "Zylker Corp", "Hovercraft", 1, 60],
    ])
    result = await run_job(books, file, "creditnotes")
    assert (result.counts["created"], result.counts["invalid"]) == (1, 1)
    assert books.writes("creditnotes") == 1
    cn = next(r for r in books.records("creditnotes") if r["creditnote_number"] == "CN-1")
    assert len(cn["line_items"]) == 2


async def test_dry_run_sends_no_write_and_keeps_no_journal(books, tmp_path: Path, data_dir: Path) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, [
        ["SO-20", "2026-01-05", "Bowman and Co", "Laptop Stand", 2, 45],
        ["SO-21", "2026-01-05", "Nobody", "Laptop Stand", 2, 45]])
    result = await run_job(books, file, "salesorders", dry_run=True)
    assert books.writes() == 0
    assert (result.counts["created"], result.counts["invalid"]) == (1, 1)
    rows = read_report(result.report_csv)
    assert "dry run" in rows[0]["Message"]
    assert not list((data_dir / "jobs").glob("*.sqlite"))
    # the real run afterwards is a different job and sends the write
    real = await run_job(books, file, "salesorders")
    assert real.job_id != result.job_id and books.writes() == 1


async def test_same_file_again_is_the_same_job_and_sends_nothing(books, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, [
        ["SO-30", "2026-01-05", "Bowman and Co", "Laptop Stand", 2, 45]])
    first = await run_job(books, file, "salesorders")
    again = await run_job(books, file, "salesorders")
    assert again.job_id == first.job_id
    assert again.calls["total"] == 0 and books.writes() == 1
    assert again.counts["created"] == 1 and again.exit_code == 0
    with Journal.open(first.job_id) as journal:
        assert [e.state for e in journal.entries()] == ["done"]
        assert journal.get("status") == "finished"
    [listed] = list_jobs()
    assert (listed.job_id, listed.entity, listed.status) == (first.job_id, "salesorders", "finished")
    assert listed.report == str(first.report) and not listed.resumable


async def test_report_xlsx_highlights_bad_cells_and_has_a_summary(books, tmp_path: Path) -> None:
    import openpyxl

    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, [
        ["SO-40", "2026-01-05", "Bowman and Co", "Laptop Stand", "=1+1", 45],
        ["SO-41", "2026-01-05", "Bowman and Co", "Laptop Stand", 1, 45]])
    result = await run_job(books, file, "salesorders")
    book = openpyxl.load_workbook(result.report)
    assert book.sheetnames == ["Results", "Summary"]
    sheet = book["Results"]
    headers = [c.value for c in sheet[1]]
    assert headers[-7:] == ["Status", "Zoho ID", "Zoho number", "Message", "HTTP status",
                            "Zoho code", "Attempts"]
    quantity = sheet.cell(row=2, column=5)
    assert quantity.data_type == "s"  # a text cell, never a formula (app.sheets.writer)
    assert quantity.fill.fgColor.rgb not in (None, "00000000")  # highlighted
    assert sheet.cell(row=2, column=7).value == "invalid"
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True)}
    assert summary["Job"] == result.job_id and summary["created"] == 1


async def test_samples_resolve_tax_currency_salesperson_and_account_names(books, tmp_path: Path) -> None:
    from app.resources import samples_dir

    contacts = await run_job(books, samples_dir() / "contacts.xlsx", "contacts",
                             report_dir=tmp_path / "r")
    assert contacts.exit_code == 0
    orders = await run_job(books, samples_dir() / "salesorders.xlsx", "salesorders",
                           report_dir=tmp_path / "r")
    assert orders.exit_code == 0 and orders.counts["created"] == orders.documents
    # contacts, items, taxes, currencies, salespersons: one page each, then one write per order
    assert orders.calls["lookup"] == 5 and orders.calls["write"] == orders.documents
    sample = [r for r in books.records("salesorders") if r["salesorder_number"].startswith("SO-")]
    assert any(r.get("salesperson_name") for r in sample)
    assert {r["currency_code"] for r in sample} > {"USD"}
    assert all(li.get("tax_id") for r in sample for li in r["line_items"])
    credits = await run_job(books, samples_dir() / "creditnotes.xlsx", "creditnotes",
                            report_dir=tmp_path / "r")
    assert credits.exit_code == 0 and credits.counts["created"] == credits.documents
    assert any(li.get("account_id") for r in books.records("creditnotes") for li in r["line_items"])

    problems = await run_job(books, samples_dir() / "salesorders-with-problems.csv", "salesorders",
                             report_dir=tmp_path / "r")
    writes = books.writes("salesorders")
    rows = read_report(problems.report_csv)
    assert len(rows) == problems.rows
    assert problems.counts["invalid"] >= 3 and problems.exit_code == 1
    assert writes == orders.documents + problems.counts["created"]  # invalid rows cost no call


async def test_contacts_update_by_email_finds_the_contact_and_keeps_its_person(books, tmp_path: Path) -> None:
    people = write_csv(tmp_path / "people.csv", ["Display Name", "First Name", "Email", "Phone"], [
        ["Wayne Enterprises", "Lucius", "lucius@wayne.example", "+1 555 0200"],
        ["Stark Industries", "Pepper", "pepper@stark.example", "+1 555 0201"],
    ])
    assert (await run_job(books, people, "contacts")).counts["created"] == 2
    wayne = next(r for r in books.records("contacts") if r["contact_name"] == "Wayne Enterprises")
    person_id = wayne["contact_persons"][0]["contact_person_id"]

    by_email = write_csv(tmp_path / "by-email.csv", ["Email", "Phone"], [
        ["LUCIUS@wayne.example", "+1 555 0299"],     # found whatever the case: updated
        ["pepper@stark.example", "+1 555 0201"],     # the same values: unchanged, no write
        ["nobody@nowhere.example", "+1 555 0000"],   # no such contact: failed, naming the email
    ])
    writes_before = books.writes("contacts")
    result = await run_job(books, by_email, "contacts", "update")
    assert (result.counts["updated"], result.counts["unchanged"], result.counts["failed"]) == (1, 1, 1)
    assert books.writes("contacts") - writes_before == 1
    wayne = next(r for r in books.records("contacts") if r["contact_name"] == "Wayne Enterprises")
    assert [(p["contact_person_id"], p["first_name"], p["phone"]) for p in wayne["contact_persons"]] == [
        (person_id, "Lucius", "+1 555 0299")]  # the same person, edited in place
    rows = read_report(result.report_csv)
    assert [r["Status"] for r in rows] == ["updated", "unchanged", "failed"]
    assert rows[0]["Zoho ID"] == wayne["contact_id"]
    assert "nobody@nowhere.example" in rows[2]["Message"]


async def test_updating_one_person_of_a_contact_leaves_its_other_persons_alone(books, tmp_path: Path) -> None:
    headers = ["Display Name", "First Name", "Last Name", "Email", "Phone"]
    people = write_csv(tmp_path / "people.csv", headers, [
        ["Oscorp", "Norman", "Osborn", "norman@oscorp.example", "+1 555 0300"],
        ["Oscorp", "Harry", "Osborn", "harry@oscorp.example", "+1 555 0301"],
    ])
    assert (await run_job(books, people, "contacts")).counts["created"] == 1
    before = next(r for r in books.records("contacts") if r["contact_name"] == "Oscorp")["contact_persons"]
    assert [p["first_name"] for p in before] == ["Norman", "Harry"]

    one = write_csv(tmp_path / "harry.csv", ["Display Name", "Email", "Phone"], [
        ["Oscorp", "harry@oscorp.example", "+1 555 0399"]])
    result = await run_job(books, one, "contacts", "update")
    assert result.counts["updated"] == 1
    after = next(r for r in books.records("contacts") if r["contact_name"] == "Oscorp")["contact_persons"]
    assert [(p["contact_person_id"], p["first_name"], p["phone"], p["is_primary_contact"]) for p in after] == [
        (before[0]["contact_person_id"], "Norman", "+1 555 0300", True),
        (before[1]["contact_person_id"], "Harry", "+1 555 0399", False),
    ]

    writes_before = books.writes("contacts")
    again = await run_job(books, people, "contacts", "update")  # the first file: only Harry's phone differs
    assert again.counts["updated"] == 1 and books.writes("contacts") - writes_before == 1
    final = next(r for r in books.records("contacts") if r["contact_name"] == "Oscorp")["contact_persons"]
    assert [(p["contact_person_id"], p["phone"]) for p in final] == [
        (before[0]["contact_person_id"], "+1 555 0300"), (before[1]["contact_person_id"], "+1 555 0301")]
    same = write_csv(tmp_path / "people-again.csv", headers, [  # a new file, so a new job
        ["Oscorp", "Norman", "Osborn", "norman@oscorp.example", "+1 555 0300"],
        ["Oscorp", "Harry", "Osborn", "harry@oscorp.example", "+1 555 0301"],
    ])
    writes_before = books.writes("contacts")
    assert (await run_job(books, same, "contacts", "update")).counts["unchanged"] == 1
    assert books.writes("contacts") == writes_before


async def test_upsert_of_a_contact_with_persons_edits_them_in_place(books, tmp_path: Path) -> None:
    headers = ["Display Name", "External ID", "First Name", "Email", "Phone"]
    first = write_csv(tmp_path / "upsert1.csv", headers, [
        ["Cyberdyne", "EXT-200", "Miles", "miles@cyberdyne.example", "+1 555 0400"],
        ["Cyberdyne", "EXT-200", "Sarah", "sarah@cyberdyne.example", "+1 555 0401"],
    ])
    assert (await run_job(books, first, "contacts", "upsert", unique_field="cf_external_id")).counts["created"] == 1
    before = next(r for r in books.records("contacts") if r["contact_name"] == "Cyberdyne")["contact_persons"]

    second = write_csv(tmp_path / "upsert2.csv", headers, [
        ["Cyberdyne", "EXT-200", "Miles", "miles@cyberdyne.example", "+1 555 0499"]])
    result = await run_job(books, second, "contacts", "upsert", unique_field="cf_external_id")
    assert result.counts["updated"] == 1 and result.calls["write"] == 1
    after = next(r for r in books.records("contacts") if r["contact_name"] == "Cyberdyne")["contact_persons"]
    assert [(p["contact_person_id"], p["first_name"], p["phone"]) for p in after] == [
        (before[0]["contact_person_id"], "Miles", "+1 555 0499"),
        (before[1]["contact_person_id"], "Sarah", "+1 555 0401")]


async def test_a_lost_answer_to_a_persons_update_is_confirmed_by_reading_not_by_sending_again(
        books, tmp_path: Path) -> None:
    headers = ["Display Name", "First Name", "Email", "Phone"]
    people = write_csv(tmp_path / "people.csv", headers, [
        ["Umbrella", "Albert", "albert@umbrella.example", "+1 555 0500"],
        ["Umbrella", "Jill", "jill@umbrella.example", "+1 555 0501"],
    ])
    assert (await run_job(books, people, "contacts")).counts["created"] == 1
    before = next(r for r in books.records("contacts") if r["contact_name"] == "Umbrella")["contact_persons"]

    books.app.state.settings.drop_rate = 1.0  # every write lands, and its answer is lost
    jill = write_csv(tmp_path / "jill.csv", ["Display Name", "Email", "Phone"], [
        ["Umbrella", "jill@umbrella.example", "+1 555 0599"]])
    writes_before = books.writes("contacts")
    result = await run_job(books, jill, "contacts", "update")
    assert books.writes("contacts") - writes_before == 1  # the read after the lost answer settles it
    assert (result.counts["updated"], result.counts["in_doubt"]) == (1, 0)
    assert "(confirmed), though its answer was lost" in read_report(result.report_csv)[0]["Message"]
    after = next(r for r in books.records("contacts") if r["contact_name"] == "Umbrella")["contact_persons"]
    assert [(p["contact_person_id"], p["phone"]) for p in after] == [
        (before[0]["contact_person_id"], "+1 555 0500"), (before[1]["contact_person_id"], "+1 555 0599")]


async def test_reports_of_the_shipped_samples_go_under_the_data_folder(books, data_dir: Path) -> None:
    sample = samples_dir() / "contacts.xlsx"
    result = await run_job(books, sample, "contacts", report_dir=None)
    assert result.counts["created"] == 11
    assert result.report is not None and result.report.parent == data_dir / "reports"
    assert not list(samples_dir().glob("*.report-*"))  # the installation's folder stays as shipped


async def test_an_upsert_key_no_header_can_carry_is_matched_from_the_list_and_updated_by_id(
        books, tmp_path: Path) -> None:
    """HTTP header values are ASCII/Latin-1 (RFC 9110, Field Values), so a non-ASCII key value cannot
    travel in Zoho's X-Unique-Identifier-Value header as is (it used to end in UnicodeEncodeError)."""
    headers = ["Display Name", "Company Name", "External ID"]
    first = write_csv(tmp_path / "u1.csv", headers, [["Zürich Uhren", "Zürich Uhren AG", "ZÜR-001"],
                                                    ["Plain Ltd", "Plain", "PLAIN-1"]])
    result = await run_job(books, first, "contacts", "upsert", unique_field="cf_external_id")
    assert (result.counts["created"], result.exit_code) == (2, 0)

    second = write_csv(tmp_path / "u2.csv", headers, [["Zürich Uhren", "Zürich Uhren GmbH", "ZÜR-001"]])
    writes = books.writes()
    result = await run_job(books, second, "contacts", "upsert", unique_field="cf_external_id")
    assert (result.counts["updated"], result.exit_code) == (1, 0)
    assert books.writes() - writes == 1  # one update by ID, matched from the list page
    zurich = [r for r in books.records("contacts") if r["contact_name"] == "Zürich Uhren"]
    assert len(zurich) == 1 and zurich[0]["company_name"] == "Zürich Uhren GmbH"


async def test_an_upsert_without_a_named_unique_field_is_refused_before_anything_is_sent(
        books, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "u.csv", ["Display Name", "External ID"], [["Nobody Keyed", "K-1"]])
    with pytest.raises(JobError) as refused:
        await run_job(books, file, "contacts", "upsert")
    assert "An upsert needs a unique custom field" in str(refused.value)
    assert "--upsert-key" in str(refused.value)
    assert books.writes() == 0


async def test_no_custom_field_the_user_did_not_map_is_sent(books, tmp_path: Path) -> None:
    """A reference number two orders share finds neither again: nothing of the user's is invented
    (no custom field), and the plan says so before the run."""
    file = write_csv(tmp_path / "o.csv", ["Order Date", "Customer Name", "Item Name", "Quantity", "Reference"], [
        ["2026-01-05", "Bowman and Co", "Laptop Stand", 1, "SHARED-REF"],
        ["2026-01-06", "Zylker Corp", "USB-C Hub", 2, "SHARED-REF"],
    ])
    job = ImportJob(JobSettings(file, "salesorders", report_dir=tmp_path / "reports", target=books.target()))
    plan = await job.plan()
    assert any("2 documents without a number share a reference number" in line for line in plan.lines())
    result = await job.run()
    assert result.counts["created"] == 2
    made = [r for r in books.records("salesorders") if r.get("reference_number") == "SHARED-REF"]
    assert len(made) == 2 and all(not r.get("custom_fields") for r in made)
