"""Against the sandbox: a custom field the organization lacks is sent once, not once per row; IDs in the file
are looked up as IDs, also in a name column."""

from __future__ import annotations

from pathlib import Path

from tests.jobs.conftest import read_report, run_job, write_csv


async def test_a_custom_field_the_organization_lacks_is_refused_once_and_not_sent_again(
        books, tmp_path: Path) -> None:
    rows = [[f"Tier Customer {n}", f"c{n}@tier.example", "Gold"] for n in range(1, 7)]
    file = write_csv(tmp_path / "contacts.csv", ["Display Name", "Email", "CF.Loyalty Tier"], rows)
    first = await run_job(books, file, "contacts", workers=1)

    assert books.writes("contacts") == 1  # not 6: one refusal tells the field is not there
    report = read_report(first.report_csv)
    assert [r["Status"] for r in report] == ["failed"] * 6
    assert "custom" in report[0]["Message"]
    for line in report[1:]:
        assert line["Message"].startswith('not sent: Zoho refused the custom field "Loyalty Tier" (document 1:')
    assert books.records("contacts") and not any(
        r["contact_name"].startswith("Tier Customer") for r in books.records("contacts"))

    again = await run_job(books, file, "contacts", workers=1)  # the same job: those rows are tried again
    assert books.writes("contacts") == 2
    assert [r["Status"] for r in read_report(again.report_csv)] == ["failed"] * 6


async def test_a_refused_value_of_a_custom_field_stops_only_its_own_row(books, tmp_path: Path) -> None:
    rows = [["Long Region Ltd", "l@r.example", "x" * 300],
            *[[f"Region Customer {n}", f"r{n}@r.example", "North"] for n in range(1, 4)]]
    file = write_csv(tmp_path / "contacts.csv", ["Display Name", "Email", "CF.Region"], rows)
    result = await run_job(books, file, "contacts", workers=1)
    assert [r["Status"] for r in read_report(result.report_csv)] == ["failed", "created", "created", "created"]
    assert books.writes("contacts") == 4


async def test_ids_in_an_id_column_and_in_a_name_column_find_their_records(books, tmp_path: Path) -> None:
    customer = next(r for r in books.records("contacts") if r["contact_name"] == "Zylker Corp")
    item = next(r for r in books.records("items") if r["name"] == "USB-C Hub")
    file = write_csv(tmp_path / "orders.csv", ["Order Number", "Customer ID", "Item Name", "Quantity", "Rate"], [
        ["SO-ID-1", customer["contact_id"], item["item_id"], 2, 60],  # the item column holds the item's ID
        ["SO-ID-2", "460000000099999", "USB-C Hub", 1, 60],            # an ID this organization does not have
    ])
    result = await run_job(books, file, "salesorders")
    report = read_report(result.report_csv)
    assert report[0]["Status"] == "created"
    order = next(o for o in books.records("salesorders") if o["salesorder_number"] == "SO-ID-1")
    assert order["customer_id"] == customer["contact_id"]
    assert [li["item_id"] for li in order["line_items"]] == [item["item_id"]]
    assert report[1]["Status"] != "created"
    assert 'no customer with ID "460000000099999" in Zoho' in report[1]["Message"]
    assert "map the column with the customer's name instead" in report[1]["Message"]


async def test_a_totals_row_is_reported_as_skipped_with_its_reason(books, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "orders.csv", ["Order Number", "Customer Name", "Item Name", "Quantity", "Rate"], [
        ["SO-T-1", "Bowman and Co", "Laptop Stand", 2, 45],
        ["", "", "Total", 2, "90.00"],
    ])
    result = await run_job(books, file, "salesorders")
    first, totals = read_report(result.report_csv)
    assert first["Status"] == "created"
    assert totals["Status"] == "skipped" and "looks like a totals row" in totals["Message"]
    assert books.writes("salesorders") == 1


def test_the_refused_custom_field_is_read_from_zoho_s_words_and_a_value_error_names_none() -> None:
    from app.jobs.importing.refused_fields import RefusedFields, refused_custom_field
    from app.zoho import ZohoError

    payload = {"custom_fields": [{"api_name": "cf_region", "value": "N"}, {"label": "Loyalty Tier", "value": "G"}],
               "line_items": [{"item_id": "1", "item_custom_fields": [{"label": "Colour", "value": "red"}]}]}
    assert refused_custom_field(ZohoError("Invalid value passed for custom_fields[1] (no such custom field)"),
                                payload) == "Loyalty Tier"
    assert refused_custom_field(ZohoError("Invalid value passed for line_items[0].item_custom_fields[0]"),
                                payload) == "Colour"
    assert refused_custom_field(ZohoError('Invalid field "cf_region" passed.'), payload) == "cf_region"
    assert refused_custom_field(ZohoError("custom_fields[0].value must be at most 255 characters"), payload) is None
    assert refused_custom_field(ZohoError('Invalid field "cf_channel" passed.'), payload) is None  # not sent here
    refused = RefusedFields()
    assert refused.note(3, ZohoError('Invalid field "cf_region" passed.'), payload)
    assert not refused.note(4, ZohoError('Invalid field "cf_region" passed.'), payload)  # known already
    assert refused.stops({"custom_fields": [{"label": "Loyalty Tier", "value": "x"}]}) is None
    assert 'custom field "cf_region" (document 4:' in (refused.stops(payload) or "")
