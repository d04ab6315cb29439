"""Export on the in-process sandbox: each record type, each filter, column choice, xlsx and csv, calls, stops."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.cli.exporting import run_export
from app.jobs.exporting.job import ExportJob
from app.jobs.exporting.settings import ExportError, ExportResult, ExportSettings
from app.jobs.journal import list_jobs
from app.jobs.target import Target
from app.sheets import read_table
from app.zoho import BooksClient, Throttle
from tests.jobs.conftest import CountingSandbox, run_job

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


async def fill(box: CountingSandbox, tmp: Path) -> None:
    """The sample contacts, sales orders and credit notes, plus one order with every header field set."""
    for entity in ("contacts", "salesorders", "creditnotes"):
        result = await run_job(box, SAMPLES / f"{entity}.xlsx", entity, report_dir=tmp / "seed")
        assert result.exit_code == 0, result.counts
    async with box.target().books() as client:
        await rich_order(client)
        orders = {o["salesorder_number"]: o["salesorder_id"] async for o in client.list("salesorders")}
        await client.mark("salesorders", orders["SO-S-0002"], "open")
        await client.mark("salesorders", orders["SO-S-0006"], "open")
        contacts = {c["contact_name"]: c["contact_id"] async for c in client.list("contacts")}
        await client.mark("contacts", contacts["Lucerne Paper Supply"], "inactive")
    box.requests.clear()


async def rich_order(client: BooksClient) -> dict[str, Any]:
    names = {c["contact_name"]: c["contact_id"] async for c in client.list("contacts")}
    items = {i["name"]: i["item_id"] async for i in client.list("items")}
    people = {p["salesperson_name"]: p["salesperson_id"] async for p in client.list("salespersons")}
    return await client.create("salesorders", {
        "salesorder_number": "SO-R-1", "customer_id": names["Zylker Corp"], "date": "2026-04-02",
        "shipment_date": "2026-04-09", "reference_number": "=PO-R-1", "discount": "10%",
        "is_discount_before_tax": True, "discount_type": "entity_level", "shipping_charge": 12.5,
        "adjustment": -0.5, "adjustment_description": "Rounding", "salesperson_id": people["Bob Chen"],
        "notes": "Deliver to the back door", "terms": "Net 30", "delivery_method": "Courier",
        "custom_fields": [{"api_name": "cf_external_id", "value": "EXT-R-1"},
                          {"api_name": "cf_channel", "value": "Web"}],
        "line_items": [{"item_id": items["USB-C Hub"], "quantity": 3, "rate": 58.0, "discount": "5%"},
                       {"item_id": items["Installation Service"], "quantity": 2,
                        "description": "On site, two hours"}],
    }, ignore_auto_number_generation=True)


@pytest.fixture
async def filled(books: CountingSandbox, tmp_path: Path) -> CountingSandbox:
    await fill(books, tmp_path)
    return books


async def export(box: CountingSandbox, entity: str, out: Path, **options: Any) -> ExportResult:
    job = ExportJob(ExportSettings(entity, out, target=box.target(), **options))
    return await job.run()


def sheet(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    table = read_table(path)
    return table.headers, [dict(zip(table.headers, row, strict=True)) for row in table.rows]


# --- each record type ---------------------------------------------------------------------


async def test_sales_orders_with_line_items_one_row_per_line_typed_xlsx(filled: CountingSandbox,
                                                                        tmp_path: Path) -> None:
    out = tmp_path / "orders.xlsx"
    stored = filled.records("salesorders")
    result = await export(filled, "salesorders", out, line_items=True)
    assert result.exit_code == 0 and result.out == out
    lines = sum(len(o["line_items"]) for o in stored)
    assert (result.records, result.rows) == (len(stored), lines)
    # one list page, one detail call per order, nothing else
    assert result.calls["list"] == 1 and result.calls["detail"] == len(stored)
    assert filled.reads("salesorders") == 1 + len(stored) and filled.writes() == 0

    book = openpyxl.load_workbook(out)
    ws = book.active
    headers = [c.value for c in ws[1]]
    assert headers[:5] == ["SalesOrder ID", "Order Date", "Expected Shipment Date", "SalesOrder Number", "Status"]
    assert {"Item Name", "QuantityOrdered", "Item Price", "Item Tax", "Billing City", "CF.External ID",
            "CF.Channel"} <= set(headers)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(headers)).column_letter}{lines + 1}"
    col = {h: i + 1 for i, h in enumerate(headers)}
    assert ws.column_dimensions["A"].width >= len("SalesOrder ID")
    rich = [r for r in range(2, ws.max_row + 1) if ws.cell(r, col["SalesOrder Number"]).value == "SO-R-1"]
    assert len(rich) == 2  # header fields repeated on each line
    first, second = rich
    assert ws.cell(first, col["Order Date"]).is_date
    assert ws.cell(first, col["Order Date"]).value == dt.datetime(2026, 4, 2)
    assert ws.cell(first, col["Item Price"]).data_type == "n" and ws.cell(first, col["Item Price"]).value == 58
    assert ws.cell(first, col["QuantityOrdered"]).value == 3
    assert ws.cell(second, col["Item Name"]).value == "Installation Service"
    assert ws.cell(second, col["Item Desc"]).value == "On site, two hours"
    for header, value in (("Customer Name", "Zylker Corp"), ("Entity Discount Percent", 10),
                          ("Shipping Charge", 12.5), ("Sales Person", "Bob Chen"),
                          ("CF.Channel", "Web"), ("Delivery Method", "Courier")):
        assert ws.cell(first, col[header]).value == value and ws.cell(second, col[header]).value == value
    # text that a spreadsheet would run is inert in the file and reads back as it was
    assert ws.cell(first, col["PurchaseOrder"]).value == "=PO-R-1"  # an xlsx text cell, never run
    assert ws.cell(first, col["PurchaseOrder"]).data_type == "s"
    _, rows = sheet(out)
    assert {r["PurchaseOrder"] for r in rows if r["SalesOrder Number"] == "SO-R-1"} == {"=PO-R-1"}


async def test_sales_orders_without_line_items_come_from_the_list_pages_alone(
        filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    result = await export(filled, "salesorders", out)
    headers, rows = sheet(out)
    assert result.calls == {"total": 1, "list": 1, "detail": 0, "retries": 0, "rate_limited": 0}
    assert filled.reads() == 1
    assert len(rows) == result.records == len(filled.records("salesorders"))
    assert "Item Name" not in headers and "Billing City" not in headers
    assert {"SalesOrder ID", "SalesOrder Number", "Customer Name", "Total", "Status"} <= set(headers)


async def test_contacts_with_persons_and_addresses_csv_with_bom(filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    stored = filled.records("contacts")
    result = await export(filled, "contacts", out, line_items=True)
    persons = sum(max(1, len(c["contact_persons"])) for c in stored)
    assert result.exit_code == 0 and (result.records, result.rows) == (len(stored), persons)
    assert result.calls["detail"] == len(stored)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as f:
        plain = list(csv.DictReader(f))
    northwind = [r for r in plain if r["Display Name"] == "Northwind Traders"]
    assert [r["First Name"] for r in northwind] == ["Andrew", "Nancy"]
    assert {r["Billing City"] for r in northwind} == {"Seattle"}
    assert {r["CF.External ID"] for r in northwind} == {"C-S-0001"}
    assert northwind[0]["Phone"].startswith("'+1")  # neutralised in the file...
    _, rows = sheet(out)
    assert [r["Phone"] for r in rows if r["Display Name"] == "Northwind Traders"][0].startswith("+1 ")  # ...not in value
    assert {r["Salutation"] for r in northwind} == {"Mr.", "Ms."}


async def test_contacts_list_export_has_one_row_per_contact_and_no_detail_calls(
        filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "contacts.xlsx"
    result = await export(filled, "contacts", out)
    headers, rows = sheet(out)
    assert result.calls["detail"] == 0 and filled.reads() == 1
    assert len(rows) == len(filled.records("contacts"))
    assert "Billing City" not in headers and "Salutation" not in headers
    woodgrove = next(r for r in rows if r["Display Name"] == "Woodgrove Partners")
    assert woodgrove["First Name"] == "Emma" and woodgrove["EmailID"] == "emma.johnson@woodgrove.example"
    assert woodgrove["CF.Region"] == "North America" and woodgrove["Payment Terms"] == 30


async def test_credit_notes_one_row_per_line(filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "credit.xlsx"
    stored = filled.records("creditnotes")
    result = await export(filled, "creditnotes", out, line_items=True)
    headers, rows = sheet(out)
    assert result.rows == len(rows) == sum(len(c["line_items"]) for c in stored)
    assert headers[:3] == ["CreditNotes ID", "Credit Note Date", "Credit Note Number"]
    fab = [r for r in rows if r["Credit Note Number"] == "CN-S-0002"]
    assert [r["Item Name"] for r in fab] == ["Desk Lamp", "Office Chair"]
    assert {r["Customer Name"] for r in fab} == {"Fabrikam GmbH"}
    assert all(isinstance(r["Quantity"], int | float) for r in rows)


async def test_items_as_a_reference_list(filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "items.xlsx"
    result = await export(filled, "items", out, line_items=True)
    headers, rows = sheet(out)
    assert result.calls["total"] == 1 and result.rows == 9
    assert headers[:3] == ["Item ID", "Item Name", "SKU"]
    hub = next(r for r in rows if r["SKU"] == "UH-300")
    assert hub["Item Name"] == "USB-C Hub" and hub["Rate"] == 60 and hub["Tax Name"] == "Standard Rate"


# --- filters ------------------------------------------------------------------------------


def numbers(path: Path, header: str) -> list[str]:
    return sorted({str(r[header]) for r in sheet(path)[1]})


NAMED_BY = {"salesorders": "SalesOrder Number", "creditnotes": "Credit Note Number", "contacts": "Display Name",
            "items": "Item Name"}


async def found(box: CountingSandbox, entity: str, out: Path, **filters: Any) -> list[str]:
    """Export `entity` with `filters` into `out`; the numbers (or names) of the records written, sorted."""
    await export(box, entity, out, **filters)
    return numbers(out, NAMED_BY[entity])


async def test_date_range(filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "feb.csv"
    assert await found(filled, "salesorders", out, date_from="2026-02-01", date_to="2026-02-28") == [
        "SO-S-0003", "SO-S-0004", "SO-S-0005"]
    assert await found(filled, "creditnotes", out, date_from=dt.date(2026, 3, 1)) == ["CN-S-0003", "CN-S-0004"]


async def test_status(filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "open.csv"
    assert await found(filled, "salesorders", out, status="open", line_items=True) == ["SO-S-0002", "SO-S-0006"]
    assert filled.reads("salesorders") == 1 + 2  # details only for what the filter kept
    assert await found(filled, "contacts", out, status="Inactive") == ["Lucerne Paper Supply"]


@pytest.mark.slow
async def test_customer_by_name_and_by_id(filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "fab.csv"
    assert await found(filled, "salesorders", out, customer="Fabrikam GmbH") == ["SO-S-0003"]
    zylker = next(c for c in filled.records("contacts") if c["contact_name"] == "Zylker Corp")
    assert await found(filled, "salesorders", out, customer=zylker["contact_id"]) == ["SO-R-1"]
    assert await found(filled, "creditnotes", out, customer="Woodgrove Partners") == ["CN-S-0004"]


@pytest.mark.slow
async def test_search_text(filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "found.csv"
    assert await found(filled, "salesorders", out, search="PO-0007") == ["SO-S-0007"]
    assert await found(filled, "contacts", out, search="wood") == ["Woodgrove Partners"]
    assert await found(filled, "items", out, search="lamp") == ["Desk Lamp"]


@pytest.mark.slow
async def test_filters_that_do_not_apply_are_refused_before_any_call(filled: CountingSandbox,
                                                                     tmp_path: Path) -> None:
    cases = [
        ("contacts", {"date_from": "2026-01-01"}, "cannot be filtered by date"),
        ("salesorders", {"date_from": "31/01/2026"}, "must be a date"),
        ("salesorders", {"date_from": "2026-03-01", "date_to": "2026-02-01"}, "--from is after --to"),
        ("salesorders", {"status": "shipped"}, "no status 'shipped'"),
        ("items", {"customer": "Zylker Corp"}, "cannot be filtered by customer"),
        ("salesorders", {"columns": ["SalesOrder Number", "Colour"]}, "no column 'Colour'"),
    ]
    for entity, options, words in cases:
        with pytest.raises(ExportError, match=words):
            await export(filled, entity, tmp_path / "x.xlsx", **options)
    for name in ("x.txt", "missing/x.xlsx"):
        with pytest.raises(ExportError):
            await export(filled, "contacts", tmp_path / name)
    assert sum(filled.requests.values()) == 0
    assert not (tmp_path / "x.xlsx").exists()


# --- columns ------------------------------------------------------------------------------


async def test_chosen_columns_in_the_order_given(filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "few.xlsx"
    result = await export(filled, "salesorders", out, columns=["total", "SalesOrder Number"])
    headers, rows = sheet(out)
    assert headers == ["Total", "SalesOrder Number"] and result.calls["detail"] == 0
    assert len(rows) == result.records
    result = await export(filled, "salesorders", out, columns=["Total"], line_items=True)
    assert sheet(out)[0] == ["Total"] and result.calls["detail"] == 0  # chosen columns win
    result = await export(filled, "salesorders", out, columns=["SalesOrder Number", "Item Name"])
    headers, rows = sheet(out)
    assert headers == ["SalesOrder Number", "Item Name"]
    assert result.calls["detail"] == result.records  # a line column needs the details
    assert len(rows) == sum(len(o["line_items"]) for o in filled.records("salesorders"))
    result = await export(filled, "contacts", out, columns=["all"])
    assert "Billing City" in sheet(out)[0] and result.calls["detail"] == result.records


async def test_plan_shows_the_cost_before_the_details_are_read(filled: CountingSandbox, tmp_path: Path) -> None:
    job = ExportJob(ExportSettings("salesorders", tmp_path / "o.xlsx", line_items=True,
                                   target=filled.target()))
    plan = await job.plan()
    orders = len(filled.records("salesorders"))
    assert (plan.records, plan.list_calls, plan.detail_calls, plan.calls) == (orders, 1, orders, 1 + orders)
    assert filled.reads() == 1  # only the list page so far
    assert any("detail calls" in line for line in plan.lines())
    result = await job.run()
    assert result.calls["total"] == plan.calls == filled.reads()


# --- stops and failures ---------------------------------------------------------------------


async def test_cancel_during_the_details_writes_nothing_and_exits_3(filled: CountingSandbox,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "stopped.xlsx"
    job = ExportJob(ExportSettings("salesorders", out, line_items=True, target=filled.target(),
                                   workers=1))
    seen: list[int] = []

    def on_progress(p: Any) -> None:
        seen.append(p.done)
        if p.phase == "run" and p.done >= 2:
            job.cancel()

    result = await job.run(on_progress)
    assert result.exit_code == 3 and result.stopped == "cancelled" and result.out is None
    assert not out.exists()
    assert 2 <= result.calls["detail"] < len(filled.records("salesorders"))


async def test_a_record_gone_between_list_and_detail_is_reported_and_the_rest_written(
        filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    job = ExportJob(ExportSettings("salesorders", out, line_items=True, target=filled.target()))
    plan = await job.plan()
    gone = next(o for o in filled.records("salesorders") if o["salesorder_number"] == "SO-S-0004")
    filled.app.state.store.delete("salesorders", gone["salesorder_id"])
    result = await job.run()
    assert result.exit_code == 1 and result.failed == 1 and result.records == plan.records - 1
    assert "SO-S-0004" in result.failures[0]
    assert "SO-S-0004" not in numbers(out, "SalesOrder Number")


async def test_daily_quota_spent_stops_with_exit_3(make_books: Any, tmp_path: Path) -> None:
    small = make_books(daily_quota=2)  # the demo's three contacts need 1 list + 3 detail calls
    out = tmp_path / "c.xlsx"
    result = await export(small, "contacts", out, line_items=True)
    assert result.exit_code == 3 and result.stopped == "quota" and not out.exists()
    assert "quota" in result.message


# --- the CLI's summary --------------------------------------------------------------------


async def test_json_summary_is_the_last_line(filled: CountingSandbox, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    settings = ExportSettings("creditnotes", tmp_path / "cn.csv", line_items=True, target=filled.target())
    code = await run_export(settings, as_json=True, out=out, err=err)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    notes = len(filled.records("creditnotes"))
    assert code == 0
    assert summary["records"] == notes and summary["rows"] == 6
    assert summary["calls"]["total"] == 1 + notes and summary["calls"]["list"] == 1
    assert summary["out"] == str(tmp_path / "cn.csv") and summary["elapsed_s"] >= 0
    assert "detail calls" in err.getvalue()  # the plan was shown before the run


async def test_nothing_matches_gives_a_file_with_headers_only(filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "none.xlsx"
    result = await export(filled, "salesorders", out, date_from="2030-01-01", line_items=True)
    assert result.exit_code == 0 and (result.records, result.rows) == (0, 0)
    assert result.calls["detail"] == 0
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row == 1 and ws.cell(1, 1).value == "SalesOrder ID"


async def test_pause_holds_the_details_and_resume_finishes(filled: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "paused.csv"
    job = ExportJob(ExportSettings("salesorders", out, line_items=True, target=filled.target(), workers=1))
    total = len(filled.records("salesorders"))
    held: list[int] = []
    paused_at: list[int] = []
    tasks: list[asyncio.Future[None]] = []

    def on_progress(p: Any) -> None:
        if p.phase == "run" and p.done == 2 and not paused_at:
            paused_at.append(p.done)
            job.pause()  # emits progress again: paused_at is set first
            tasks.append(asyncio.ensure_future(check_then_resume()))

    async def check_then_resume() -> None:
        for _ in range(200):  # give a worker that ignored the pause every chance to send
            await asyncio.sleep(0)
        held.append(filled.reads("salesorders"))
        assert job.progress().paused
        job.resume()

    result = await job.run(on_progress)
    await asyncio.gather(*tasks)
    assert paused_at == [2]
    assert held == [1 + 2]  # while paused no further detail call went out
    assert result.exit_code == 0 and result.records == total and out.exists()


async def test_listing_progress_and_the_jobs_list(filled: CountingSandbox, tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []
    job = ExportJob(ExportSettings("contacts", tmp_path / "c.csv", target=filled.target()))
    plan = await job.plan(lambda p: seen.append((p.phase, p.total)))
    assert ("listing", plan.records) in seen
    result = await job.run()
    assert seen[-1] == ("finished", plan.records)
    jobs = [j for j in list_jobs() if j.job_id == result.job_id]
    assert len(jobs) == 1 and jobs[0].kind == "export" and jobs[0].status == "finished"
    assert jobs[0].report == str(tmp_path / "c.csv") and jobs[0].counts.get("done") == plan.records


@pytest.mark.slow
async def test_server_errors_and_lost_answers_are_retried_not_lost(make_books: Any, tmp_path: Path) -> None:
    flaky = make_books(fail_rate=0.4, drop_rate=0.1)
    out = tmp_path / "contacts.csv"
    result = await export(flaky, "contacts", out, line_items=True)
    assert result.exit_code == 0 and result.failed == 0
    assert result.calls["retries"] >= 1
    assert sorted(r["Display Name"] for r in sheet(out)[1]) == ["Acme Corporation", "Bowman and Co", "Zylker Corp"]


async def test_an_organization_zoho_refuses_is_a_plain_refusal(books: CountingSandbox, tmp_path: Path) -> None:
    throttle = Throttle(calls=100_000, window_s=60.0, concurrency=10)
    target = Target("sandbox, wrong organization", "test", make_client=lambda: BooksClient.for_sandbox(
        "http://sandbox.test", transport=books.transport, throttle=throttle, organization_id="999"))
    job = ExportJob(ExportSettings("contacts", tmp_path / "c.xlsx", target=target))
    with pytest.raises(ExportError) as caught:
        await job.plan()
    assert str(caught.value) == ("Signing in failed: This user is not associated with the "
                                 "organization 999 (check the organization ID of the connection)")
    assert not (tmp_path / "c.xlsx").exists()
