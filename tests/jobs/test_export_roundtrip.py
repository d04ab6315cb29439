"""Round trip: an export re-imported as an update with the shipped mapping changes nothing; edited cells change exactly their records."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.jobs.exporting.job import ExportJob
from app.jobs.exporting.settings import ExportSettings
from tests.jobs.conftest import CountingSandbox, read_report, run_job
from tests.jobs.test_export import fill

pytestmark = pytest.mark.slow  # export, edit, import again: whole round trips

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
NUMBER = {"contacts": "Display Name", "salesorders": "SalesOrder Number", "creditnotes": "Credit Note Number"}
ID = {"contacts": "contact_id", "salesorders": "salesorder_id", "creditnotes": "creditnote_id"}
KEY = {"contacts": "contact_name", "salesorders": "salesorder_number", "creditnotes": "creditnote_number"}

# entity -> {document key: {header: new value}}: one field the list pages show, one they do not
EDITS: dict[str, dict[str, dict[str, object]]] = {
    "contacts": {"Tailspin Toys": {"Billing City": "Melbourne"},
                 "Litware India": {"CF.Region": "South Asia"}},
    "salesorders": {"SO-S-0002": {"Item Price": 999.0},
                    "SO-S-0005": {"PurchaseOrder": "PO-0005-B"},
                    "SO-R-1": {"Notes": "Front door after all"}},
    "creditnotes": {"CN-S-0003": {"Item Desc": "Returned, box damaged"}},
}


@pytest.fixture
async def filled(books: CountingSandbox, tmp_path: Path) -> CountingSandbox:
    await fill(books, tmp_path)
    return books


async def export(box: CountingSandbox, entity: str, out: Path) -> None:
    result = await ExportJob(ExportSettings(entity, out, line_items=True, target=box.target())).run()
    assert result.exit_code == 0
    box.requests.clear()


async def reimport(box: CountingSandbox, entity: str, file: Path) -> tuple[Any, list[dict[str, str]]]:
    result = await run_job(box, file, entity, "update",
                           mapping=MAPPINGS / f"zoho-books-export-{entity}.json",
                           report_dir=file.parent / f"reports-{file.stem}")
    return result, read_report(result.report_csv)


def edit(path: Path, key_header: str, change: Callable[[str, str], object | None]) -> int:
    """Set cells in place (xlsx with openpyxl, csv as text); change(key, header) -> new value or None."""
    edited = 0
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        ws = book.active
        headers = [c.value for c in ws[1]]
        key_col = headers.index(key_header)
        first_line: set[str] = set()
        for row in ws.iter_rows(min_row=2):
            key = str(row[key_col].value)
            for j, header in enumerate(headers):
                value = change(key, header)
                if value is None or (header.startswith("Item") and key in first_line):
                    continue
                row[j].value = value
                edited += 1
            first_line.add(key)
        book.save(path)
        return edited
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    headers, seen = rows[0], set()
    for row in rows[1:]:
        key = row[headers.index(key_header)]
        for j, header in enumerate(headers):
            value = change(key, header)
            if value is None or (header.startswith("Item") and key in seen):
                continue
            row[j] = str(value)
            edited += 1
        seen.add(key)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    return edited


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("entity", ["contacts", "salesorders", "creditnotes"])
async def test_export_then_update_is_unchanged_then_edits_update_exactly_their_records(
        filled: CountingSandbox, tmp_path: Path, entity: str, suffix: str) -> None:
    out = tmp_path / f"{entity}{suffix}"
    await export(filled, entity, out)
    before = {r[ID[entity]]: r for r in filled.records(entity)}

    result, report = await reimport(filled, entity, out)
    assert {r["Status"] for r in report} == {"unchanged"}, [r["Message"] for r in report][:3]
    assert result.counts["unchanged"] == len(before) and result.calls["write"] == 0
    assert filled.writes() == 0
    assert {r[ID[entity]]: r for r in filled.records(entity)} == before  # not one byte touched

    edits = EDITS[entity]
    assert edit(out, NUMBER[entity], lambda key, header: edits.get(key, {}).get(header)) >= len(edits)
    filled.requests.clear()
    result, report = await reimport(filled, entity, out)
    updated = {r[NUMBER[entity]] for r in report if r["Status"] == "updated"}
    assert updated == set(edits)
    assert {r["Status"] for r in report if r[NUMBER[entity]] not in edits} == {"unchanged"}
    assert result.counts["updated"] == len(edits) and filled.writes() == len(edits)
    after = {r[ID[entity]]: r for r in filled.records(entity)}
    changed = {i for i in after if after[i] != before[i]}
    assert {after[i][KEY[entity]] for i in changed} == set(edits)
    check_values(entity, {r[KEY[entity]]: r for r in after.values()})


def check_values(entity: str, records: dict[str, dict[str, Any]]) -> None:
    def custom(record: dict[str, Any], api_name: str) -> Any:
        return next(c["value"] for c in record["custom_fields"] if c["api_name"] == api_name)

    if entity == "contacts":
        assert records["Tailspin Toys"]["billing_address"]["city"] == "Melbourne"
        assert custom(records["Litware India"], "cf_region") == "South Asia"
    elif entity == "salesorders":
        assert records["SO-S-0002"]["line_items"][0]["rate"] == 999.0
        assert records["SO-S-0005"]["reference_number"] == "PO-0005-B"
        assert records["SO-R-1"]["notes"] == "Front door after all"
        assert records["SO-R-1"]["discount"] == "10%" and records["SO-R-1"]["shipping_charge"] == 12.5
    else:
        assert records["CN-S-0003"]["line_items"][0]["description"] == "Returned, box damaged"


async def test_without_the_id_column_records_are_found_by_their_number(filled: CountingSandbox,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    await export(filled, "salesorders", out)
    assert edit(out, "SalesOrder Number", lambda _key, header: "" if header == "SalesOrder ID" else None) > 0
    result, report = await reimport(filled, "salesorders", out)
    assert {r["Status"] for r in report} == {"unchanged"} and filled.writes() == 0
    assert result.counts["unchanged"] == len(filled.records("salesorders"))


@pytest.mark.parametrize("entity", ["contacts", "salesorders", "creditnotes"])
async def test_a_list_only_export_maps_itself_back(filled: CountingSandbox, tmp_path: Path, entity: str) -> None:
    """Without line items the shipped mapping does not fit (fewer columns); auto-mapping does, unchanged."""
    out = tmp_path / f"{entity}-list.xlsx"
    result = await ExportJob(ExportSettings(entity, out, target=filled.target())).run()
    assert result.calls["detail"] == 0
    filled.requests.clear()
    imported = await run_job(filled, out, entity, "update", report_dir=tmp_path / "reports")
    report = read_report(imported.report_csv)
    assert {r["Status"] for r in report} == {"unchanged"}, {r["Message"] for r in report}
    assert len(report) == result.rows and filled.writes() == 0
    assert filled.reads(entity) == 1  # the list page alone told "unchanged": no record was read


def _line_ids(box: CountingSandbox, entity: str) -> dict[str, list[str]]:
    return {r[KEY[entity]]: [li["line_item_id"] for li in r["line_items"]] for r in box.records(entity)}


def _many_lines(box: CountingSandbox, entity: str) -> dict[str, Any]:
    return next(r for r in box.records(entity) if len(r["line_items"]) >= 2)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("entity", ["salesorders", "creditnotes"])
async def test_one_lines_quantity_edited_and_sent_back_keeps_every_line_item_id(
        filled: CountingSandbox, tmp_path: Path, entity: str, suffix: str) -> None:
    """Seed 003 "Update a sales order": a line without its line_item_id is created new, a line left
    out is deleted; the export carries "Line Item ID", so the update edits the line in place."""
    target = _many_lines(filled, entity)
    ids_before = _line_ids(filled, entity)
    out = tmp_path / f"{entity}{suffix}"
    await export(filled, entity, out)
    quantity = "QuantityOrdered" if entity == "salesorders" else "Quantity"
    second_line = target["line_items"][1]["line_item_id"]
    _set_line_cell(out, "Line Item ID", second_line, quantity, 7)
    documents = len(filled.records(entity))
    result, report = await reimport(filled, entity, out)

    assert result.counts["updated"] == 1 and filled.writes() == 1
    assert filled.reads(entity) <= 1 + documents  # the list page, then at most one read per document
    assert _line_ids(filled, entity) == ids_before  # every line_item_id kept, in every document
    after = next(r for r in filled.records(entity) if r[KEY[entity]] == target[KEY[entity]])
    assert [li["quantity"] for li in after["line_items"]] == [
        7.0 if li["line_item_id"] == second_line else li["quantity"] for li in target["line_items"]]


async def test_without_the_line_item_id_column_lines_are_matched_by_item_and_position(
        filled: CountingSandbox, tmp_path: Path) -> None:
    target = _many_lines(filled, "salesorders")
    ids_before = _line_ids(filled, "salesorders")
    out = tmp_path / "orders.csv"
    await export(filled, "salesorders", out)
    _set_line_cell(out, "Line Item ID", target["line_items"][0]["line_item_id"], "QuantityOrdered", 9)
    assert edit(out, "SalesOrder Number", lambda _key, header: "" if header == "Line Item ID" else None) > 0
    result, _ = await reimport(filled, "salesorders", out)
    assert result.counts["updated"] == 1 and filled.writes() == 1
    assert _line_ids(filled, "salesorders") == ids_before
    after = next(r for r in filled.records("salesorders") if r["salesorder_id"] == target["salesorder_id"])
    assert after["line_items"][0]["quantity"] == 9.0


async def test_lines_the_sheet_leaves_out_are_kept_unless_replace_lines(filled: CountingSandbox,
                                                                         tmp_path: Path) -> None:
    target = _many_lines(filled, "salesorders")
    first, rest = target["line_items"][0], target["line_items"][1:]
    out = tmp_path / "orders.csv"
    await export(filled, "salesorders", out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    at = rows[0].index("Line Item ID")
    quantity = rows[0].index("QuantityOrdered")
    kept = [rows[0]] + [r for r in rows[1:] if r[at] not in {li["line_item_id"] for li in rest}]
    for r in kept[1:]:
        if r[at] == first["line_item_id"]:
            r[quantity] = "11"
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(kept)

    result, _ = await reimport(filled, "salesorders", out)
    assert result.counts["updated"] == 1
    after = next(r for r in filled.records("salesorders") if r["salesorder_id"] == target["salesorder_id"])
    assert [li["line_item_id"] for li in after["line_items"]] == [li["line_item_id"] for li in target["line_items"]]
    assert after["line_items"][0]["quantity"] == 11.0

    filled.requests.clear()
    replaced = await run_job(filled, out, "salesorders", "update", replace_lines=True,
                             mapping=MAPPINGS / "zoho-books-export-salesorders.json",
                             report_dir=tmp_path / "reports-replace")
    assert replaced.counts["updated"] == 1 and filled.writes() == 1
    after = next(r for r in filled.records("salesorders") if r["salesorder_id"] == target["salesorder_id"])
    assert [li["line_item_id"] for li in after["line_items"]] == [first["line_item_id"]]


def _set_line_cell(path: Path, id_header: str, line_id: str, header: str, value: object) -> None:
    """Set `header` on the one row whose `id_header` cell is `line_id` (xlsx or csv)."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        ws = book.active
        headers = [c.value for c in ws[1]]
        hits = [row for row in ws.iter_rows(min_row=2) if str(row[headers.index(id_header)].value) == line_id]
        assert len(hits) == 1
        hits[0][headers.index(header)].value = value
        book.save(path)
        return
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    hits = [r for r in rows[1:] if r[rows[0].index(id_header)] == line_id]
    assert len(hits) == 1
    hits[0][rows[0].index(header)] = str(value)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
