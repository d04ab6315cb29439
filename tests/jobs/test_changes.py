"""The change preview of an update: exactly the edited cells, old value and new, lines and persons added, changed or
removed as the update matches them, and not one call beyond those the update makes anyway."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.jobs import ImportJob, JobSettings
from app.jobs.importing.changes import (
    ChangePreview,
    FieldChange,
    RecordChange,
    Wording,
    field_changes,
    wording,
)
from app.jobs.importing.changes_file import HEADERS, ChangesSummary, change_rows, rows_text
from app.jobs.importing.decide import Action, Decision, Marker
from app.jobs.importing.identities import merge_lines, merge_persons
from app.sandbox import EmbeddedSandbox, SandboxSettings
from tests.jobs.conftest import CountingSandbox, run_job
from tests.jobs.test_cli import cli
from tests.jobs.test_export import fill
from tests.jobs.test_export_roundtrip import MAPPINGS, export

WORDS = Wording(labels={"phone": "Phone", "line_items.quantity": "QuantityOrdered", "line_items.item_id": "Item Name",
                        "custom_fields.cf_region": "CF.Region", "billing_address.city": "Billing City"},
                names={"line_items.item_id": {"9001": "Laptop Stand", "9002": "Wireless Mouse"}})


# --- the difference itself (no Zoho) ---------------------------------------------------------------


def test_a_changed_field_shows_old_and_new_as_the_user_reads_them_and_equal_ones_are_left_out() -> None:
    record = {"contact_name": "Zylker", "phone": "555-0100", "payment_terms": 15, "custom_fields": [
        {"api_name": "cf_region", "label": "Region", "value": "North"}], "billing_address": {"city": "Oslo"}}
    payload = {"contact_name": "Zylker", "phone": "555-0199", "payment_terms": 15.0,
               "custom_fields": [{"api_name": "cf_region", "value": "South"}],
               "billing_address": {"city": "Oslo"}, "website": "zylker.example"}
    changes, unseen = field_changes(payload, record, WORDS)
    assert changes == [FieldChange("Phone", "555-0100", "555-0199"), FieldChange("CF.Region", "North", "South")]
    assert unseen == ["Website"]  # the record does not show it: sent, not compared, never called a change


def test_lines_matched_by_the_updates_own_merge_changed_added_and_removed() -> None:
    held = [{"line_item_id": "L1", "item_id": "9001", "name": "Laptop Stand", "quantity": 4.0, "rate": 45.0},
            {"line_item_id": "L2", "item_id": "9002", "name": "Wireless Mouse", "quantity": 4.0, "rate": 25.0},
            {"line_item_id": "L3", "item_id": "9001", "name": "Laptop Stand", "quantity": 1.0, "rate": 45.0}]
    sheet = [{"line_item_id": "L1", "item_id": "9001", "quantity": 4, "rate": 45},
             {"item_id": "9002", "quantity": 7, "rate": 25},  # no ID: matched by item and position
             {"item_id": "9003", "quantity": 1, "rate": 5}]
    sent = merge_lines(sheet, held, replace=True)  # the sheet leaves L3 out: Zoho deletes it
    changes, _ = field_changes({"line_items": sent}, {"line_items": held}, WORDS)
    assert changes == [
        FieldChange("Line 2 (Wireless Mouse): QuantityOrdered", "4", "7"),
        FieldChange("Line added", "", "Item Name: 9003, QuantityOrdered: 1, Rate: 5"),
        FieldChange("Line 3 removed", "Name: Laptop Stand, QuantityOrdered: 1, Rate: 45", "")]
    kept, _ = field_changes({"line_items": merge_lines(sheet[:2], held)}, {"line_items": held}, WORDS)
    assert kept == [FieldChange("Line 2 (Wireless Mouse): QuantityOrdered", "4", "7")]  # lines left out are kept


def test_persons_matched_by_the_updates_own_merge_changed_and_added() -> None:
    held = [{"contact_person_id": "P1", "first_name": "Ann", "last_name": "Lee", "email": "ann@x.example",
             "phone": "1", "is_primary_contact": True},
            {"contact_person_id": "P2", "first_name": "Bo", "last_name": "Ek", "email": "bo@x.example",
             "phone": "2", "is_primary_contact": False}]
    sheet = [{"first_name": "Ann", "last_name": "Lee", "email": "ann@x.example", "phone": "9"},
             {"first_name": "Cy", "last_name": "Ng", "email": "cy@x.example"}]
    sent = merge_persons(sheet, held)
    changes, _ = field_changes({"contact_persons": sent}, {"contact_persons": held}, WORDS)
    assert changes == [FieldChange("Contact person Ann Lee: Phone", "1", "9"),
                       FieldChange("Contact person added", "",
                                   "First name: Cy, Last name: Ng, Email: cy@x.example")]


def test_ids_show_as_the_names_the_run_listed() -> None:
    words = wording([("line_items.item_id", ["Item Name"], "item"), ("notes", ["Notes"], None)],
                    lambda entity: [{"item_id": "9001", "name": "Laptop Stand"}] if entity == "items" else [])
    assert words.label("line_items.item_id") == "Item Name" and words.label("notes") == "Notes"
    assert words.value("line_items.item_id", "9001") == "Laptop Stand"
    assert (words.value("x", 7.0), words.value("x", True), words.value("x", None)) == ("7", "yes", "")


def test_the_plan_counts_what_the_list_rows_tell_and_what_waits_for_the_updates_read() -> None:
    preview = ChangePreview(WORDS, id_field="contact_id")
    decisions = {0: Decision(Action.UPDATE, {"phone": "2"}, zoho_id="1", number="A"),
                 1: Decision(Action.UNCHANGED, zoho_id="2"),
                 2: Decision(Action.UPDATE, {"contact_persons": []}, zoho_id="3", marker=Marker(check=True))}
    preview.listed(decisions, [{"contact_id": "1", "phone": "1"}, {"contact_id": "3"}], dict,
                   lambda i: ((i + 2,), f"doc {i}", i))
    assert [(c.rows, c.record, c.fields) for c in preview.changes()] == [((2,), "A", (FieldChange("Phone", "1", "2"),))]
    assert preview.to_read == 1
    (line,) = preview.plan_lines()
    assert line == ("Changes: 1 record change in fields the list pages show (1 field), 1 unchanged; 1 record "
                    "compared once read before their update (line items, contact persons or fields the list pages "
                    "do not show: 1 call the update makes anyway); the preview costs no other call")
    assert rows_text([7, 9, 8]) == "7-9" and rows_text([4]) == "4"


# --- an edited export, previewed on the sandbox ------------------------------------------------------

def changes_file(path: Path) -> list[tuple[str, str, str, str]]:
    """The Changes sheet as (record, field, old, new) rows, after checking its headers."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["Changes"].iter_rows(values_only=True))
    assert rows[0] == HEADERS
    return [(str(r[1]), str(r[3]), str(r[4] or ""), str(r[5] or "")) for r in rows[1:]]


def edit_csv(path: Path, change: Any) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows = change(rows[0], rows[1:])
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


def gets(box: CountingSandbox) -> dict[str, int]:
    return {entity: n for (method, entity), n in box.requests.items() if method == "GET"}


@pytest.fixture
async def filled(books: CountingSandbox, tmp_path: Path) -> CountingSandbox:
    await fill(books, tmp_path)
    return books


@pytest.mark.slow
async def test_an_edited_contacts_export_previews_exactly_its_edited_cells(filled: CountingSandbox,
                                                                          tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    await export(filled, "contacts", out)
    before = {c["contact_name"]: c for c in filled.records("contacts")}

    def change(headers: list[str], rows: list[list[str]]) -> list[list[str]]:
        at = {h: i for i, h in enumerate(headers)}
        for row in rows:
            if row[at["Display Name"]] == "Tailspin Toys":
                row[at["Phone"]] = "03 5550 0142"
        zylker = next(r for r in rows if r[at["Display Name"]] == "Zylker Corp")
        person = list(zylker)
        for header, value in (("Salutation", "Ms."), ("First Name", "Dana"), ("Last Name", "Lee"),
                              ("EmailID", "dana@zylker.example"), ("Phone", ""), ("MobilePhone", "")):
            person[at[header]] = value
        return [headers, *rows, person]

    edit_csv(out, change)
    filled.requests.clear()
    result = await run_job(filled, out, "contacts", "update", dry_run=True,
                           mapping=MAPPINGS / "zoho-books-export-contacts.json")
    assert result.changes is not None and result.changes.file is not None
    old_phone = _person(before["Tailspin Toys"]).get("phone") or ""
    assert sorted(changes_file(result.changes.file)) == sorted([
        ("Tailspin Toys", f"Contact person {_primary(before['Tailspin Toys'])}: Phone", old_phone, "03 5550 0142"),
        ("Zylker Corp", "Contact person added", "",
         "Salutation: Ms., First Name: Dana, Last Name: Lee, EmailID: dana@zylker.example")])
    assert (result.changes.records, result.changes.fields) == (2, 2)
    assert result.changes.unchanged == result.counts["unchanged"] == len(before) - 2
    assert result.summary()["changes"]["records"] == 2 and filled.writes() == 0
    dry_gets = gets(filled)

    filled.requests.clear()  # the update itself reads what the preview read: not one call more or less
    sent = await run_job(filled, out, "contacts", "update", mapping=MAPPINGS / "zoho-books-export-contacts.json",
                         report_dir=tmp_path / "sent")
    assert sent.counts["updated"] == 2 and filled.writes() == 2
    assert gets(filled) == dry_gets and sent.calls["lookup"] == result.calls["lookup"]


def _person(contact: dict[str, Any]) -> dict[str, Any]:
    persons: list[dict[str, Any]] = contact["contact_persons"]
    return next(p for p in persons if p.get("is_primary_contact"))


def _primary(contact: dict[str, Any]) -> str:
    person = _person(contact)
    return " ".join(x for x in (person.get("first_name"), person.get("last_name")) if x)


@pytest.mark.slow
async def test_an_edited_orders_export_previews_a_quantity_and_a_removed_line_from_the_command_line(
        filled: CountingSandbox, tmp_path: Path, data_dir: Path) -> None:
    target = next(o for o in filled.records("salesorders") if len(o["line_items"]) >= 2)
    first, second = target["line_items"][0], target["line_items"][1]
    out = tmp_path / "orders.csv"
    await export(filled, "salesorders", out)

    def change(headers: list[str], rows: list[list[str]]) -> list[list[str]]:
        at = headers.index("Line Item ID")
        for row in rows:
            if row[at] == first["line_item_id"]:
                row[headers.index("QuantityOrdered")] = "11"
        return [headers, *(r for r in rows if r[at] != second["line_item_id"])]

    edit_csv(out, change)
    filled.requests.clear()
    job = ImportJob(JobSettings(out, "salesorders", "update", dry_run=True, replace_lines=True,
                                mapping=MAPPINGS / "zoho-books-export-salesorders.json",
                                report_dir=tmp_path / "reports", target=filled.target()))
    orders = len(filled.records("salesorders"))
    plan = await job.plan()  # every order has lines: each is compared once the update reads it
    assert (f"Changes: 0 records change in fields the list pages show (0 fields), 0 unchanged; {orders} records "
            f"compared once read before their update") in "\n".join(plan.lines())
    result = await job.run()
    assert result.changes is not None and result.changes.file is not None
    number = target["salesorder_number"]
    rows = changes_file(result.changes.file)
    assert [r[:2] for r in rows] == [(number, f"Line 1 ({first['name']}): QuantityOrdered"),
                                     (number, "Line 2 removed")]
    assert rows[0][2:] == (_shown(first["quantity"]), "11")
    assert f"QuantityOrdered: {_shown(second['quantity'])}" in rows[1][2] and rows[1][3] == ""
    assert result.counts["updated"] == 1 and result.counts["unchanged"] == orders - 1 == result.changes.unchanged
    assert result.changes.reads == orders  # each order is read once, as the update reads it to keep line IDs
    dry_gets = gets(filled)

    filled.close()  # the same organization, served on loopback to the command itself
    with EmbeddedSandbox(SandboxSettings(rate_limit=100_000, rate_window_s=60.0),
                         db_path=tmp_path / "sandbox.sqlite") as live:
        run = cli("import", str(out), "--entity", "salesorders", "--operation", "update",
                  "--mapping", str(MAPPINGS / "zoho-books-export-salesorders.json"), "--replace-lines",
                  "--dry-run", "--json", "--sandbox", live.url, "--report-dir", str(tmp_path / "cli"),
                  data=data_dir)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout.splitlines()[-1])
    assert summary["changes"]["records"] == 1 and summary["changes"]["fields"] == 2
    assert summary["changes"]["unchanged"] == orders - 1 and summary["changes"]["reads"] == orders
    assert summary["calls"]["lookup"] == result.calls["lookup"] and summary["calls"]["write"] == 0
    assert dry_gets["salesorders"] == 1 + orders  # the list page and the update's own read of each order
    assert f"changes: 1 record change (2 fields), {orders - 1} unchanged" in run.stdout
    shown = [line.strip() for line in run.stdout.splitlines() if line.strip().startswith("row ")]  # printed too
    assert [s.split(": ", 1)[1] for s in shown] == [f"{name}: {old or '(empty)'} \u2192 {new or '(empty)'}"
                                                    for _record, name, old, new in rows]
    assert changes_file(Path(summary["changes"]["file"])) == rows


def _shown(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def test_a_record_whose_only_differences_the_list_does_not_show_gets_one_row_saying_so() -> None:
    change = RecordChange(0, (4,), "Zylker", "7", (), ("Website", "Billing City"))
    assert change_rows([change]) == [["4", "Zylker", "7", "Website, Billing City", "(not shown by Zoho's list)",
                                      "sent as the sheet has it"]]
    summary = ChangesSummary(records=1, fields=0, unchanged=3, reads=0, file=None, note="Permission denied")
    assert summary.line() == ("changes: 1 record change (0 fields), 3 unchanged, no call made for the preview: "
                              "the changes file could not be written (Permission denied)")


@pytest.mark.slow
async def test_an_upsert_on_the_unique_custom_field_previews_its_edited_cell(filled: CountingSandbox,
                                                                            tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    await export(filled, "salesorders", out)
    old = next(o for o in filled.records("salesorders") if o["salesorder_number"] == "SO-R-1")["notes"]

    def change(headers: list[str], rows: list[list[str]]) -> list[list[str]]:
        for row in rows:
            if row[headers.index("SalesOrder Number")] == "SO-R-1":
                row[headers.index("Notes")] = "Front door after all"
        return [headers, *rows]

    edit_csv(out, change)
    filled.requests.clear()
    result = await run_job(filled, out, "salesorders", "upsert", dry_run=True, unique_field="cf_external_id",
                           mapping=MAPPINGS / "zoho-books-export-salesorders.json")
    assert result.changes is not None and result.changes.file is not None
    assert changes_file(result.changes.file) == [("SO-R-1", "Notes", old, "Front door after all")]
    assert result.counts["updated"] == 1 and filled.writes() == 0
