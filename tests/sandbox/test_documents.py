"""Sales orders (seed 003) and credit notes (seed 004): examples replayed, numbering, totals,
filters, statuses, update and upsert by unique custom field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.examples import (
    CREDITNOTE_CREATE,
    CREDITNOTE_UPDATE,
    SALESORDER_CREATE,
    with_ids,
)


def ids_for(catalogue: dict[str, Any]) -> dict[str, str]:
    """Seed example IDs -> demo organization IDs."""
    return {
        "460000000017138": catalogue["contacts"]["Bowman and Co"]["contact_id"],
        "460000000017088": catalogue["items"]["USB-C Hub"]["item_id"],
        "460000000017094": catalogue["taxes"]["Standard Rate"]["tax_id"],
        "903000000000099": catalogue["contacts"]["Zylker Corp"]["contact_id"],
        "90300000081501": catalogue["items"]["Installation Service"]["item_id"],
        "903000000000388": catalogue["accounts"]["Sales Returns"]["account_id"],
        "903000000000356": catalogue["taxes"]["Sales Tax"]["tax_id"],
    }


async def order(books: httpx.AsyncClient, catalogue: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "customer_id": catalogue["contacts"]["Acme Corporation"]["contact_id"],
        "line_items": [{"item_id": catalogue["items"]["Wireless Mouse"]["item_id"], "quantity": 1}],
        **fields,
    }
    answer = await books.post("/salesorders", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["salesorder"]


async def test_seed_003_create_example(books, catalogue) -> None:
    body = with_ids(SALESORDER_CREATE, ids_for(catalogue))
    answer = await books.post("/salesorders", json=body)
    assert answer.status_code == 201, answer.text
    envelope = answer.json()
    assert envelope["code"] == 0
    assert envelope["message"] == "Sales Order Created Successfully."
    so = envelope["salesorder"]
    assert so["salesorder_id"].isdigit()
    assert so["salesorder_number"] == "SO-00001"  # auto number; the example's number is ignored
    assert so["customer_name"] == "Bowman and Co"
    assert so["date"] == "2014-07-28" and so["reference_number"] == "REF-001"
    assert so["status"] == "draft"
    [line] = so["line_items"]
    assert line["line_item_id"].isdigit()
    assert (line["name"], line["rate"], line["quantity"]) == ("Hard Drive", 120, 40)
    assert line["item_total"] == 4800
    assert so["sub_total"] == 4800
    assert so["tax_total"] == 960  # Standard Rate 20 %
    assert so["taxes"] == [{"tax_id": line["tax_id"], "tax_name": "Standard Rate", "tax_amount": 960}]
    assert so["total"] == pytest.approx(4800 + 960 + 2 + 0.2)
    assert so["currency_code"] == "USD"


async def test_item_defaults_and_discounts(books, catalogue) -> None:
    lamp = catalogue["items"]["Desk Lamp"]
    so = await order(books, catalogue, line_items=[
        {"item_id": lamp["item_id"], "quantity": 4, "discount": "25%"},
        {"name": "Custom work", "rate": 100, "quantity": 1, "discount": 10},
    ])
    first, second = so["line_items"]
    assert (first["name"], first["rate"], first["tax_name"]) == ("Desk Lamp", 35.0, "Reduced Rate")
    assert first["item_total"] == 105.0  # 4 x 35 less 25 %
    assert second["item_total"] == 90.0 and second["tax_id"] == ""
    assert so["sub_total"] == 195.0
    assert so["tax_total"] == 5.25  # 5 % of 105
    assert so["total"] == 200.25


async def test_numbering_manual_and_duplicates(books, catalogue) -> None:
    first = await order(books, catalogue)
    second = await order(books, catalogue)
    assert (first["salesorder_number"], second["salesorder_number"]) == ("SO-00001", "SO-00002")
    body = {"customer_id": first["customer_id"], "salesorder_number": "WEB-7",
            "line_items": [{"name": "Thing", "rate": 1}]}
    manual = await books.post("/salesorders", json=body,
                              params={"ignore_auto_number_generation": "true"})
    assert manual.status_code == 201
    assert manual.json()["salesorder"]["salesorder_number"] == "WEB-7"
    duplicate = await books.post("/salesorders", json=body,
                                 params={"ignore_auto_number_generation": "true"})
    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == 1001 and "salesorder_number" in duplicate.json()["message"]
    taken = await books.post("/salesorders", json=body | {"salesorder_number": "SO-00001"},
                             params={"ignore_auto_number_generation": "true"})
    assert taken.status_code == 400 and taken.json()["code"] == 1001
    no_number = await books.post("/salesorders", json={**body, "salesorder_number": ""},
                                 params={"ignore_auto_number_generation": "true"})
    assert no_number.status_code == 400 and "salesorder_number" in no_number.json()["message"]


async def test_list_filters(books, catalogue) -> None:
    acme = catalogue["contacts"]["Acme Corporation"]["contact_id"]
    zylker = catalogue["contacts"]["Zylker Corp"]["contact_id"]
    a = await order(books, catalogue, date="2026-01-10", reference_number="PO-1")
    b = await order(books, catalogue, date="2026-02-10", reference_number="PO-2", customer_id=zylker)
    c = await order(books, catalogue, date="2026-03-10", reference_number="X-3")
    await books.post(f"/salesorders/{c['salesorder_id']}/status/open")

    async def numbers(**params: Any) -> list[str]:
        answer = await books.get("/salesorders", params=params)
        assert answer.status_code == 200, answer.text
        assert "page_context" in answer.json()
        return [s["salesorder_number"] for s in answer.json()["salesorders"]]

    assert await numbers() == ["SO-00001", "SO-00002", "SO-00003"]
    assert await numbers(salesorder_number=b["salesorder_number"]) == ["SO-00002"]
    assert await numbers(reference_number="PO-1") == ["SO-00001"]
    assert await numbers(reference_number_startswith="PO") == ["SO-00001", "SO-00002"]
    assert await numbers(customer_id=acme) == ["SO-00001", "SO-00003"]
    assert await numbers(date_start="2026-02-01") == ["SO-00002", "SO-00003"]
    assert await numbers(date_start="2026-01-01", date_end="2026-02-10") == ["SO-00001", "SO-00002"]
    assert await numbers(status="open") == ["SO-00003"]
    assert await numbers(filter_by="Status.Draft") == ["SO-00001", "SO-00002"]
    # seed 003: "Status.OverDue", "Status.PartiallyInvoiced"; the title-cased spellings are refused
    assert await numbers(filter_by="Status.PartiallyInvoiced") == []
    assert await numbers(filter_by="Status.OverDue") == []
    for wrong in ("Status.Partially_Invoiced", "Status.Overdue"):
        refused = await books.get("/salesorders", params={"filter_by": wrong})
        assert refused.status_code == 400, wrong
    assert await numbers(search_text="X-3") == ["SO-00003"]
    row = (await books.get("/salesorders", params={"reference_number": "PO-1"})).json()["salesorders"][0]
    assert row["salesorder_id"] == a["salesorder_id"] and row["total"] == a["total"]


async def test_get_update_delete(books, catalogue) -> None:
    so = await order(books, catalogue)
    sid = so["salesorder_id"]
    line_id = so["line_items"][0]["line_item_id"]
    got = (await books.get(f"/salesorders/{sid}")).json()
    assert got["code"] == 0 and got["salesorder"]["total"] == so["total"]
    updated = await books.put(f"/salesorders/{sid}", json={
        "reference_number": "CHANGED",
        "line_items": [{"line_item_id": line_id, "quantity": 3}],
    })
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["message"] == "Sales Order Updated Successfully."
    assert body["salesorder"]["line_items"][0]["line_item_id"] == line_id
    assert body["salesorder"]["sub_total"] == 75.0
    assert body["salesorder"]["salesorder_number"] == so["salesorder_number"]
    deleted = await books.delete(f"/salesorders/{sid}")
    assert deleted.json() == {"code": 0, "message": "Sales Order Deleted Successfully."}
    assert (await books.get(f"/salesorders/{sid}")).status_code == 404


async def test_status_open_and_void(books, catalogue) -> None:
    sid = (await order(books, catalogue))["salesorder_id"]
    opened = await books.post(f"/salesorders/{sid}/status/open")
    assert opened.json() == {"code": 0, "message": "Sales order status has been changed to Open."}
    assert (await books.get(f"/salesorders/{sid}")).json()["salesorder"]["status"] == "open"
    voided = await books.post(f"/salesorders/{sid}/status/void")
    assert voided.json()["code"] == 0
    assert (await books.get(f"/salesorders/{sid}")).json()["salesorder"]["status"] == "void"
    missing = await books.post("/salesorders/999/status/void")
    assert missing.status_code == 404 and missing.json()["code"] == 1002


async def test_update_and_upsert_by_unique_custom_field(books, catalogue) -> None:
    headers = {"X-Unique-Identifier-Key": "cf_external_id", "X-Unique-Identifier-Value": "ORD-9"}
    body = {"customer_id": catalogue["contacts"]["Acme Corporation"]["contact_id"],
            "line_items": [{"name": "Widget", "rate": 10, "quantity": 2}],
            "custom_fields": [{"api_name": "cf_channel", "value": "web"}]}
    refused = await books.put("/salesorders", json=body, headers=headers)
    assert refused.status_code == 404 and refused.json()["code"] == 1002
    created = await books.put("/salesorders", json=body, headers=headers | {"X-Upsert": "true"})
    assert created.status_code == 201, created.text
    so = created.json()["salesorder"]
    values = {f["api_name"]: f["value"] for f in so["custom_fields"]}
    assert values == {"cf_external_id": "ORD-9", "cf_channel": "web"}
    updated = await books.put("/salesorders", json={"reference_number": "R2"},
                              headers=headers | {"X-Upsert": "true"})
    assert updated.status_code == 200
    assert updated.json()["salesorder"]["salesorder_id"] == so["salesorder_id"]
    assert updated.json()["salesorder"]["reference_number"] == "R2"
    clash = await books.post("/salesorders", json=body | {
        "custom_fields": [{"api_name": "cf_external_id", "value": "ORD-9"}]})
    assert clash.status_code == 400 and clash.json()["code"] == 1001
    assert "cf_external_id" in clash.json()["message"]
    bad_key = await books.put("/salesorders", json=body, headers=headers | {
        "X-Unique-Identifier-Key": "cf_channel"})
    assert bad_key.status_code == 400 and "X-Unique-Identifier-Key" in bad_key.json()["message"]


async def test_seed_004_credit_note_create_and_update_examples(books, catalogue) -> None:
    ids = ids_for(catalogue)
    created = await books.post("/creditnotes", json=with_ids(CREDITNOTE_CREATE, ids))
    assert created.status_code == 201, created.text
    assert created.json()["message"] == "The credit note has been created."
    cn = created.json()["creditnote"]
    assert cn["creditnote_number"] == "CN-00001"  # ignore_auto_number_generation is false
    assert cn["status"] == "draft"  # is_draft
    assert cn["customer_name"] == "Zylker Corp"
    [line] = cn["line_items"]
    assert line["name"] == "Basic Monthly" and line["rate"] == 80.0  # item's rate
    assert line["account_name"] == "Sales Returns"
    assert cn["sub_total"] == 80.0 and cn["tax_total"] == 6.6 and cn["total"] == 86.6

    update = with_ids(CREDITNOTE_UPDATE, ids | {"903000006245": line["line_item_id"]})
    updated = await books.put(f"/creditnotes/{cn['creditnote_id']}", json=update)
    assert updated.status_code == 200, updated.text
    assert updated.json()["message"] == "The credit note has been updated."
    after = updated.json()["creditnote"]
    assert after["line_items"][0]["line_item_id"] == line["line_item_id"]
    assert after["line_items"][0]["rate"] == 0 and after["total"] == 0
    assert after["creditnote_number"] == "CN-29"  # renumbered on update


async def test_credit_note_numbering_statuses_list_delete(books, catalogue) -> None:
    customer = catalogue["contacts"]["Acme Corporation"]["contact_id"]
    body = {"customer_id": customer, "date": "2026-04-01",
            "line_items": [{"name": "Refund", "rate": 50}]}
    first = (await books.post("/creditnotes", json=body)).json()["creditnote"]
    assert (first["creditnote_number"], first["status"]) == ("CN-00001", "open")
    manual = await books.post("/creditnotes", json=body | {"creditnote_number": "RMA-1"},
                              params={"ignore_auto_number_generation": "true"})
    assert manual.json()["creditnote"]["creditnote_number"] == "RMA-1"
    dup = await books.post("/creditnotes", json=body | {"creditnote_number": "RMA-1"},
                           params={"ignore_auto_number_generation": "true"})
    assert dup.status_code == 400 and dup.json()["code"] == 1001

    cid = first["creditnote_id"]
    voided = await books.post(f"/creditnotes/{cid}/void")
    assert voided.json() == {"code": 0, "message": "The credit note has been marked as void."}
    assert (await books.get(f"/creditnotes/{cid}")).json()["creditnote"]["status"] == "void"
    drafted = await books.post(f"/creditnotes/{cid}/draft")
    assert drafted.json()["code"] == 0
    opened = await books.post(f"/creditnotes/{cid}/converttoopen")
    assert opened.json()["code"] == 0
    assert (await books.get(f"/creditnotes/{cid}")).json()["creditnote"]["status"] == "open"
    # seed 004 documents only /void, /draft and /converttoopen: a /status/... path is no route
    assert (await books.post(f"/creditnotes/{cid}/status/draft")).status_code in (404, 405)

    listed = (await books.get("/creditnotes", params={"creditnote_number": "RMA-1"})).json()
    assert [c["creditnote_number"] for c in listed["creditnotes"]] == ["RMA-1"]
    assert listed["page_context"]["page"] == 1

    deleted = await books.delete(f"/creditnotes/{cid}")
    assert deleted.json() == {"code": 0, "message": "The credit note has been deleted."}
    assert (await books.get(f"/creditnotes/{cid}")).json()["code"] == 1002


async def test_credit_note_upsert(books, catalogue) -> None:
    headers = {"X-Unique-Identifier-Key": "cf_external_id", "X-Unique-Identifier-Value": "CN-EXT",
               "X-Upsert": "true"}
    body = {"customer_id": catalogue["contacts"]["Acme Corporation"]["contact_id"],
            "date": "2026-04-01", "line_items": [{"name": "Refund", "rate": 5}]}
    first = await books.put("/creditnotes", json=body, headers=headers)
    second = await books.put("/creditnotes", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["creditnote"]["creditnote_id"] == second.json()["creditnote"]["creditnote_id"]


async def test_read_only_catalogues(books) -> None:
    expectations = {
        "/items": ("items", 9), "/settings/taxes": ("taxes", 4),
        "/settings/currencies": ("currencies", 6), "/chartofaccounts": ("chartofaccounts", 8),
        "/salespersons": ("salespersons", 3),
    }
    for path, (key, count) in expectations.items():
        answer = await books.get(path)
        assert answer.status_code == 200, path
        assert len(answer.json()[key]) == count, path
        assert answer.json()["page_context"]["has_more_page"] is False
    items = {i["sku"]: i for i in (await books.get("/items")).json()["items"]}
    assert (items["MN-500"]["name"], items["MN-500"]["rate"]) == ("27-inch Monitor", 310.0)
    refused = await books.post("/items", json={"name": "x"})
    assert refused.status_code == 405


async def test_update_custom_fields_of_an_order(books, catalogue) -> None:
    so = await order(books, catalogue)
    path = f"/salesorder/{so['salesorder_id']}/customfields"
    answer = await books.put(path, json=[{"api_name": "cf_channel", "value": "phone"}])
    assert answer.json() == {"code": 0, "message": "Custom Fields Updated Successfully"}
    fields = (await books.get(f"/salesorders/{so['salesorder_id']}")).json()["salesorder"]["custom_fields"]
    assert {f["api_name"]: f["value"] for f in fields} == {"cf_channel": "phone"}
    wrong = await books.put(path, json=[{"api_name": "cf_unknown", "value": "x"}])
    assert wrong.status_code == 400 and "custom_fields[0]" in wrong.json()["message"]
    missing = await books.put("/salesorder/1/customfields", json=[])
    assert missing.status_code == 404 and missing.json()["code"] == 1002


async def test_an_update_keeps_lines_sent_with_their_id_makes_new_ones_and_deletes_those_left_out(
        books, catalogue) -> None:
    """Seed 003 "Update a sales order": a line keeps its identity only when its line_item_id is sent;
    a line without one is created new (a new ID); a line left out is deleted."""
    items = catalogue["items"]
    so = await order(books, catalogue, line_items=[
        {"item_id": items["Wireless Mouse"]["item_id"], "quantity": 1},
        {"item_id": items["USB-C Hub"]["item_id"], "quantity": 2},
        {"item_id": items["Desk Lamp"]["item_id"], "quantity": 3}])
    first, second, third = (li["line_item_id"] for li in so["line_items"])
    answer = await books.put(f"/salesorders/{so['salesorder_id']}", json={"line_items": [
        {"line_item_id": second, "quantity": 5},
        {"item_id": items["Desk Lamp"]["item_id"], "quantity": 3}]})
    assert answer.status_code == 200, answer.text
    lines = answer.json()["salesorder"]["line_items"]
    assert lines[0]["line_item_id"] == second and lines[0]["quantity"] == 5
    assert lines[0]["name"] == "USB-C Hub"  # what was not sent stays as it was
    assert lines[1]["line_item_id"] not in (first, second, third)  # no ID sent: a new line
    assert len(lines) == 2  # the first line, left out, is gone
    unknown = await books.put(f"/salesorders/{so['salesorder_id']}",
                              json={"line_items": [{"line_item_id": first, "quantity": 1}]})
    assert unknown.status_code == 400  # a deleted line's ID names no line of this order
