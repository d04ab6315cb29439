"""Every refusal of the Books routes: status, Zoho code and the field named in the message."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import ORG, books_client

MEGABYTE = "x" * (1024 * 1024)


def refused(answer: httpx.Response, status: int, code: int, *named: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["code"] == code, body
    for name in named:
        assert name in body["message"], body
    assert "Traceback" not in answer.text
    return body


@pytest.fixture
def acme(catalogue: dict[str, Any]) -> str:
    return catalogue["contacts"]["Acme Corporation"]["contact_id"]


@pytest.fixture
def mouse(catalogue: dict[str, Any]) -> str:
    return catalogue["items"]["Wireless Mouse"]["item_id"]


async def test_unknown_customer_and_item(books, acme, mouse) -> None:
    refused(await books.post("/salesorders", json={
        "customer_id": "460000000099999", "line_items": [{"item_id": mouse}]}), 400, 4, "customer_id")
    refused(await books.post("/salesorders", json={
        "customer_id": acme, "line_items": [{"name": "ok"}, {"item_id": "123"}]}),
        400, 4, "line_items[1].item_id")
    refused(await books.post("/creditnotes", json={
        "customer_id": acme, "date": "2026-01-01",
        "line_items": [{"name": "x", "tax_id": "42"}]}), 400, 4, "line_items[0].tax_id")
    refused(await books.post("/contacts", json={"contact_name": "C", "currency_id": "77"}),
            400, 4, "currency_id")
    refused(await books.post("/salesorders", json={
        "customer_id": acme, "salesperson_id": "1", "line_items": [{"name": "x"}]}),
        400, 4, "salesperson_id")
    refused(await books.post("/contacts", json={
        "contact_name": "C", "custom_fields": [{"api_name": "cf_nope", "value": "1"}]}),
        400, 4, "custom_fields[0]")


async def test_missing_required_fields(books, acme, mouse) -> None:
    refused(await books.post("/salesorders", json={"line_items": [{"item_id": mouse}]}),
            400, 11, "customer_id")
    refused(await books.post("/salesorders", json={"customer_id": acme}), 400, 11, "line_items")
    refused(await books.post("/salesorders", json={"customer_id": acme, "line_items": [{"rate": 5}]}),
            400, 11, "line_items[0].name")
    refused(await books.post("/contacts", json={"company_name": "No Name"}), 400, 11, "contact_name")
    refused(await books.post("/creditnotes", json={"customer_id": acme, "line_items": [{"name": "x"}]}),
            400, 11, "date")
    refused(await books.post("/contacts/contactpersons", json={"first_name": "Will"}),
            400, 11, "contact_id")


async def test_bad_dates(books, acme) -> None:
    for value in ("31/12/2026", "2026-02-30", "tomorrow"):
        refused(await books.post("/salesorders", json={
            "customer_id": acme, "date": value, "line_items": [{"name": "x"}]}), 400, 4, "date")
    refused(await books.post("/salesorders", json={
        "customer_id": acme, "shipment_date": 20260101, "line_items": [{"name": "x"}]}),
        400, 4, "shipment_date")
    refused(await books.get("/salesorders", params={"date_start": "01/01/2026"}), 400, 4, "date_start")


async def test_too_long_values(books, acme) -> None:
    refused(await books.post("/contacts", json={"contact_name": "n" * 201}), 400, 15, "contact_name")
    refused(await books.post("/contacts", json={"contact_name": "Big", "notes": MEGABYTE}),
            400, 15, "notes")
    refused(await books.post("/salesorders", json={
        "customer_id": acme, "line_items": [{"name": "x", "description": MEGABYTE}]}),
        400, 15, "line_items[0].description")
    refused(await books.post("/salesorders", json={
        "customer_id": acme, "line_items": [{"name": "x", "tags": [{"tag_name": MEGABYTE}]}]}),
        400, 15, "line_items[0].tags[0].tag_name")
    refused(await books.post("/contacts", json={
        "contact_name": "Cf", "custom_fields": [{"api_name": "cf_region", "value": MEGABYTE}]}),
        400, 15, "custom_fields[0].value")
    refused(await books.get("/contacts", params={"contact_name_contains": "q" * 101}),
            400, 15, "contact_name_contains")
    refused(await books.get("/salesorders", params={"search_text": "q" * 101}), 400, 15, "search_text")
    # a megabyte-long unknown field name or header value is named, not echoed in full
    body = refused(await books.post("/contacts", json={"contact_name": "x", MEGABYTE: 1}), 400, 2)
    assert len(body["message"]) <= 300
    body = refused(await books.put("/contacts", json={"contact_name": "x"}, headers={
        "X-Unique-Identifier-Key": "cf_external_id", "X-Unique-Identifier-Value": MEGABYTE}),
        404, 1002)
    assert len(body["message"]) <= 300


async def test_wrong_types(books, acme) -> None:
    refused(await books.post("/salesorders", json={
        "customer_id": acme, "line_items": [{"name": "x", "quantity": "many"}]}),
        400, 4, "line_items[0].quantity")
    refused(await books.post("/salesorders", json={"customer_id": acme, "line_items": "x"}),
            400, 4, "line_items")
    refused(await books.post("/salesorders", json={"customer_id": acme, "line_items": ["x"]}),
            400, 4, "line_items[0]")
    refused(await books.post("/contacts", json={"contact_name": {"first": "A"}}), 400, 4, "contact_name")
    refused(await books.post("/contacts", json={"contact_name": "T", "is_taxable": "maybe"}),
            400, 4, "is_taxable")
    refused(await books.post("/contacts", json={"contact_name": "T", "billing_address": "Main St"}),
            400, 4, "billing_address")
    refused(await books.post("/salesorders", json={"customer_id": True, "line_items": [{"name": "x"}]}),
            400, 4, "customer_id")
    refused(await books.post("/salesorders", json={
        "customer_id": acme, "line_items": [{"name": "x", "discount": "ten"}]}),
        400, 4, "line_items[0].discount")
    refused(await books.get("/contacts", params={"page": "two"}), 400, 4, "page")
    refused(await books.get("/contacts", params={"filter_by": "Status.Nonsense"}), 400, 4, "filter_by")


async def test_unknown_fields(books, acme) -> None:
    refused(await books.post("/contacts", json={"contact_name": "U", "colour": "red"}), 400, 2, "colour")
    refused(await books.post("/salesorders", json={
        "customer_id": acme, "line_items": [{"name": "x", "colour": "red"}]}),
        400, 2, "line_items[0].colour")
    refused(await books.post("/contacts", json={
        "contact_name": "U", "billing_address": {"planet": "Mars"}}), 400, 2, "billing_address.planet")


async def test_malformed_bodies(books) -> None:
    refused(await books.post("/contacts", content=b'{"contact_name": "x",',
                             headers={"content-type": "application/json"}), 400, 1038)
    refused(await books.post("/contacts", content=b"[1, 2]",
                             headers={"content-type": "application/json"}), 400, 1038)
    refused(await books.post("/contacts", content=b"", headers={"content-type": "application/json"}),
            400, 1038, "JSON")
    refused(await books.post("/contacts", content=b"\xff\xfe{", headers={"content-type": "application/json"}),
            400, 1038)
    refused(await books.post("/contacts", data={"JSONString": "{not json"}), 400, 1038)
    refused(await books.post("/contacts", files={"JSONString": (None, "{bad")}), 400, 1038)
    refused(await books.post("/contacts", data={"other": "1"}), 400, 1038, "JSONString")
    deep = "[" * 100_000 + "]" * 100_000
    refused(await books.post("/contacts", content=deep.encode(),
                             headers={"content-type": "application/json"}), 400, 1038)
    huge = json.dumps({"contact_name": "x" * (9 * 1024 * 1024)}).encode()
    refused(await books.post("/contacts", content=huge, headers={"content-type": "application/json"}),
            413, 16)


async def test_unknown_ids_are_404_code_1002(books) -> None:
    for path in ("/contacts/1", "/salesorders/1", "/creditnotes/1", "/contacts/1/contactpersons"):
        refused(await books.get(path), 404, 1002)
    refused(await books.put("/salesorders/1", json={"reference_number": "x"}), 404, 1002)
    refused(await books.delete("/creditnotes/1"), 404, 1002)
    refused(await books.post("/creditnotes/1/void"), 404, 1002)
    refused(await books.put("/contacts/contactpersons/1", json={"first_name": "x"}), 404, 1002)
    refused(await books.put("/salesorders/1", json={"line_items": [{"line_item_id": "5"}]}), 404, 1002)


async def test_unknown_line_item_id_on_update(books, acme) -> None:
    so = (await books.post("/salesorders", json={
        "customer_id": acme, "line_items": [{"name": "x", "rate": 1}]})).json()["salesorder"]
    refused(await books.put(f"/salesorders/{so['salesorder_id']}", json={
        "line_items": [{"line_item_id": "12345", "rate": 2}]}), 400, 4, "line_items[0].line_item_id")


async def test_unknown_routes_and_wrong_methods(books, sandbox) -> None:
    refused(await books.get("/nothing-here"), 404, 5)
    refused(await books.get("/contacts/1/nothing/else"), 404, 5)
    refused(await books.patch("/contacts"), 405, 37, "PATCH")
    refused(await books.delete("/contacts"), 405, 37)
    refused(await books.post("/settings/taxes", json={}), 405, 37)
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=sandbox.url) as client:
        refused(await client.get("/nowhere"), 404, 5)
        refused(await client.get("/oauth/v2/token"), 405, 37)


async def test_organization_missing_or_unknown(sandbox, sandbox_token) -> None:
    token = sandbox_token(sandbox)
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=f"{sandbox.url}/books/v3",
                                 headers={"Authorization": f"Zoho-oauthtoken {token}"}) as client:
        refused(await client.get("/contacts"), 400, 6, "organization_id")
        refused(await client.get("/contacts", params={"organization_id": "999"}), 400, 6041, "999")
        assert (await client.get("/organizations")).status_code == 200


async def test_missing_invalid_and_expired_tokens(make_sandbox) -> None:
    now = [1_000_000.0]
    sandbox = make_sandbox(clock=lambda: now[0])
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=f"{sandbox.url}/books/v3",
                                 params={"organization_id": ORG}) as client:
        refused(await client.get("/contacts"), 401, 57, "Authorization")
        refused(await client.get("/contacts", headers={"Authorization": "Bearer abc"}), 401, 57)
        refused(await client.get("/contacts", headers={"Authorization": "Zoho-oauthtoken nope"}),
                401, 57, "invalid")
    token = sandbox.token()
    async with books_client(sandbox, token) as client:
        assert (await client.get("/contacts")).status_code == 200
        now[0] += 3600
        refused(await client.get("/contacts"), 401, 57, "expired")


async def test_crm_auth_failures_use_crm_shape(sandbox) -> None:
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=sandbox.url) as client:
        for headers in ({}, {"Authorization": "Zoho-oauthtoken wrong"}):
            answer = await client.get("/crm/v8/Quotes", headers=headers)
            assert answer.status_code == 401
            assert answer.json() == {"code": "INVALID_TOKEN", "details": {},
                                     "message": "invalid oauth token", "status": "error"}
            assert "x-rate-limit-limit" not in answer.headers


async def test_unexpected_server_error_is_code_1000(books, sandbox, acme, monkeypatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(sandbox.app.state.books, "customer", broken)
    body = refused(await books.post("/salesorders", json={
        "customer_id": acme, "line_items": [{"name": "x"}]}), 500, 1000)
    assert body["message"] == "Internal error"


async def test_fail_fault_answers_500_or_503_code_1000(make_sandbox) -> None:
    sandbox = make_sandbox(fail_rate=1.0)
    async with books_client(sandbox, sandbox.token()) as client:
        statuses = set()
        for _ in range(12):
            answer = await client.post("/contacts", json={"contact_name": "Never"})
            assert answer.status_code in (500, 503)
            assert answer.json()["code"] == 1000
            statuses.add(answer.status_code)
    assert statuses == {500, 503}
    # nothing was written: the fault answers before the handler runs
    assert sandbox.app.state.store.count("contacts") == 3
