"""Sandbox CRM v8 records: the seeded demo data, list pages, single records and bulk create."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.sandbox import SandboxSettings, create_app

ACME = "460000000000603"
MOUSE = "460000000000702"
MONITOR = "460000000000705"


def _client(app: Any) -> httpx.AsyncClient:
    """A client of one sandbox app's CRM base URL, past its auth gate."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sandbox.test/crm/v8",
        headers={"Authorization": f"Zoho-oauthtoken {app.state.tokens.issue()}"},
    )


@pytest.fixture
async def client(sandbox: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(sandbox.app) as c:
        yield c


async def _all(client: httpx.AsyncClient, module: str, fields: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    page = 1
    params = {"fields": fields, "sort_order": "asc"}
    while (response := await client.get(f"/{module}", params={**params, "page": page})).status_code == 200:
        records.extend(response.json()["data"])
        page += 1
    assert response.status_code == 204 and response.content == b""
    return records


def _quote(subject: str, **extra: Any) -> dict[str, Any]:
    return {
        "Subject": subject,
        "Account_Name": {"id": ACME},
        "Quoted_Items": [{"Product_Name": {"id": MOUSE}, "Quantity": 4}, {"Product_Name": {"id": MONITOR},
                                                                          "Quantity": 1, "Discount": 10}],
        **extra,
    }


async def test_seeded_modules_numbers_and_approval_states(client: httpx.AsyncClient) -> None:
    quotes = await _all(client, "Quotes", "Quote_Number,$approval_state,$converted")
    orders = await _all(client, "Sales_Orders", "SO_Number,Quote_Name,$approval_state")
    invoices = await _all(client, "Invoices", "Invoice_Number,Quote_Name,Sales_Order")
    assert [q["Quote_Number"] for q in quotes] == [f"QT-{n:05d}" for n in range(1, 41)]
    assert [q["id"] for q in quotes] == [str(460000000100000 + n) for n in range(1, 41)]
    assert [o["id"] for o in orders] == [str(460000000200000 + n) for n in range(1, 13)]
    assert [i["Invoice_Number"] for i in invoices] == [f"INV-{n:05d}" for n in range(1, 6)]
    assert Counter(q["$approval_state"] for q in quotes) == {
        "approved": 33, "approval_process_pending": 2, "approval_process_rejected": 2, "review_process_pending": 3}
    assert [q["Quote_Number"] for q in quotes if q["$converted"]] == [f"QT-{n:05d}" for n in range(33, 38)]
    assert [o["Quote_Name"]["id"] if o["Quote_Name"] else None for o in orders[:5]] == [
        str(460000000100000 + n) for n in (33, 34, 35, 37)] + [None]
    assert [(i["Quote_Name"] or {}).get("id") for i in invoices[:3]] == [
        "460000000100036", "460000000100037", None]
    assert invoices[2]["Sales_Order"]["id"] == "460000000200011"


async def test_summary_counts_records_per_module(sandbox: Any, client: httpx.AsyncClient) -> None:
    assert sandbox.app.state.crm.summary() == {"Quotes": 40, "Sales_Orders": 12, "Invoices": 5}
    await client.post("/Invoices", json={"data": [{"Subject": "One more", "Account_Name": {"id": ACME},
                                                   "Invoiced_Items": [{"Product_Name": {"id": MOUSE}, "Quantity": 1}]}]})
    assert sandbox.app.state.crm.summary()["Invoices"] == 6


async def test_seed_is_the_same_every_time(client: httpx.AsyncClient, make_sandbox: Callable[..., Any]) -> None:
    fields = "Quote_Number,Subject,Account_Name,Quoted_Items,Tag,Grand_Total,$approval_state"
    async with _client(make_sandbox().app) as second:
        assert await _all(client, "Quotes", fields) == await _all(second, "Quotes", fields)


async def test_sandbox_file_keeps_crm_records_and_does_not_reseed(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    first = create_app(SandboxSettings(), path)
    async with _client(first) as client:
        response = await client.post("/Quotes", json={"data": [_quote("Kept")]})
        kept = response.json()["data"][0]["details"]["id"]
    first.state.close()
    again = create_app(SandboxSettings(), path)
    try:
        async with _client(again) as client:
            assert (await client.get(f"/Quotes/{kept}")).json()["data"][0]["Quote_Number"] == "QT-00041"
            assert len(await _all(client, "Quotes", "Subject")) == 41
            second = await client.post("/Quotes", json={"data": [_quote("Next")]})
            assert second.json()["data"][0]["details"]["id"] > kept
    finally:
        again.state.close()


def _paging(info: dict[str, Any]) -> dict[str, Any]:
    """The info fields that do not change from run to run (the tokens and their expiry do)."""
    return {k: info[k] for k in ("per_page", "count", "page", "more_records", "sort_by", "sort_order")}


async def test_list_envelope_pages_and_fields(client: httpx.AsyncClient) -> None:
    pages = []
    for page in (1, 2, 3):
        response = await client.get("/Quotes", params={"fields": "Subject,Quote_Number", "page": page, "per_page": 15})
        assert response.status_code == 200
        pages.append(response.json())
    infos = [p["info"] for p in pages]
    assert [_paging(i) for i in infos] == [
        {"per_page": 15, "count": 15, "page": 1, "more_records": True, "sort_by": "id", "sort_order": "desc"},
        {"per_page": 15, "count": 15, "page": 2, "more_records": True, "sort_by": "id", "sort_order": "desc"},
        {"per_page": 15, "count": 10, "page": 3, "more_records": False, "sort_by": "id", "sort_order": "desc"},
    ]
    assert set(infos[0]) == {"per_page", "next_page_token", "count", "sort_by", "page", "previous_page_token",
                             "page_token_expiry", "sort_order", "more_records"}
    assert [bool(i["next_page_token"]) for i in infos] == [True, True, False]
    assert [bool(i["previous_page_token"]) for i in infos] == [False, True, True]
    assert all(datetime.fromisoformat(i["page_token_expiry"]) > datetime.now(UTC) for i in infos)
    assert set(pages[0]["data"][0]) == {"id", "Subject", "Quote_Number"}
    numbers = [r["Quote_Number"] for p in pages for r in p["data"]]
    assert numbers == [f"QT-{n:05d}" for n in range(40, 0, -1)], "Zoho's default order: id, descending"
    empty = await client.get("/Quotes", params={"fields": "Subject", "page": 4, "per_page": 15})
    assert (empty.status_code, empty.content) == (204, b"")


async def test_default_page_is_200(client: httpx.AsyncClient) -> None:
    records = [_quote(f"Q{i}") for i in range(100)]
    for _ in range(2):
        assert (await client.post("/Quotes", json={"data": records})).status_code == 201
    first = (await client.get("/Quotes", params={"fields": "Subject"})).json()
    assert _paging(first["info"]) == {"per_page": 200, "count": 200, "page": 1, "more_records": True,
                                      "sort_by": "id", "sort_order": "desc"}
    second = (await client.get("/Quotes", params={"fields": "Subject", "page": 2})).json()
    assert second["info"]["count"] == 40 and second["info"]["more_records"] is False
    assert second["info"]["next_page_token"] is None


@pytest.mark.parametrize(
    ("params", "code", "details"),
    [
        ({}, "REQUIRED_PARAM_MISSING", {"param_name": "fields"}),
        ({"fields": "Subject,Colour"}, "INVALID_DATA", {"api_name": "Colour", "param_name": "fields"}),
        ({"fields": "Subject", "per_page": 201}, "INVALID_DATA", {"param_name": "per_page"}),
        ({"fields": "Subject", "per_page": 0}, "INVALID_DATA", {"param_name": "per_page"}),
        ({"fields": "Subject", "page": "two"}, "INVALID_DATA", {"param_name": "page"}),
    ],
)
async def test_list_parameter_errors(client: httpx.AsyncClient, params: dict[str, Any], code: str,
                                     details: dict[str, Any]) -> None:
    response = await client.get("/Quotes", params=params)
    assert response.status_code == 400
    assert response.json() == {"code": code, "details": details, "message": response.json()["message"],
                               "status": "error"}


async def test_get_record_and_unknown_ids(client: httpx.AsyncClient) -> None:
    record = (await client.get("/Sales_Orders/460000000200001")).json()["data"][0]
    assert record["SO_Number"] == "SO-00001"
    assert record["Ordered_Items"] and record["Quote_Name"]["id"] == "460000000100033"
    for path in ("/Sales_Orders/460000000200099", "/Sales_Orders/460000000100001", "/Sales_Orders/abc"):
        response = await client.get(path)
        assert response.status_code == 400
        assert response.json()["code"] == "INVALID_DATA"
        assert response.json()["details"] == {"resource_path_index": 1}


async def test_module_ids_for_convert_to(client: httpx.AsyncClient) -> None:
    modules = (await client.get("/settings/modules")).json()["modules"]
    assert {m["api_name"]: m["id"] for m in modules} == {
        "Quotes": "460000000000101", "Sales_Orders": "460000000000103", "Invoices": "460000000000105"}


async def test_create_computes_lines_and_totals(client: httpx.AsyncClient) -> None:
    response = await client.post("/Quotes", json={"data": [_quote("Mice and a monitor", Tag=[{"name": "Renewal"}],
                                                                   Owner={"id": "460000000000502"})]})
    assert response.status_code == 201
    answer = response.json()["data"][0]
    assert (answer["code"], answer["message"], answer["status"]) == ("SUCCESS", "record added", "success")
    record = (await client.get(f"/Quotes/{answer['details']['id']}")).json()["data"][0]
    assert record["Quote_Number"] == "QT-00041"
    assert record["Account_Name"] == {"id": ACME, "name": "Acme Corporation"}
    assert record["Owner"]["name"] == "Bob Chen"
    mouse, monitor = record["Quoted_Items"]
    assert (mouse["Total"], mouse["Tax"], mouse["Net_Total"]) == (100.0, 20.0, 120.0)
    assert (monitor["Total_After_Discount"], monitor["Tax"]) == (300.0, 60.0)
    assert (record["Sub_Total"], record["Tax"], record["Grand_Total"]) == (400.0, 80.0, 480.0)
    assert record["Tag"] == [{"id": "460000000000802", "name": "Renewal"}]
    assert record["$approval_state"] == "approved" and record["$converted"] is False


async def test_create_sales_order_and_invoice_with_lookups(client: httpx.AsyncClient) -> None:
    order = {"Subject": "Order", "Account_Name": {"name": "Zylker Corp"}, "Quote_Name": {"id": "460000000100001"},
             "Ordered_Items": [{"Product_Name": {"id": MOUSE}, "Quantity": 1}]}
    made = await client.post("/Sales_Orders", json={"data": [order]})
    order_id = made.json()["data"][0]["details"]["id"]
    invoice = {"Subject": "Invoice", "Account_Name": {"id": ACME}, "Sales_Order": {"id": order_id},
               "Invoiced_Items": [{"Product_Name": {"id": MOUSE}, "Quantity": 2, "List_Price": 20}]}
    made = await client.post("/Invoices", json={"data": [invoice]})
    record = (await client.get(f"/Invoices/{made.json()['data'][0]['details']['id']}")).json()["data"][0]
    assert record["Sales_Order"] == {"id": order_id, "name": "Order"}
    assert record["Invoiced_Items"][0]["Total"] == 40.0
    assert record["Invoice_Number"] == "INV-00006"


async def test_create_mixed_batch_is_207_and_failed_batch_400(client: httpx.AsyncClient) -> None:
    bad = [
        ({"Account_Name": {"id": ACME}, "Quoted_Items": []}, "MANDATORY_NOT_FOUND", "$.data[{i}].Subject"),
        (_quote("x" * 256), "INVALID_DATA", "$.data[{i}].Subject"),
        ({"Subject": "No account", "Quoted_Items": [{"Product_Name": {"id": MOUSE}, "Quantity": 1}]},
         "MANDATORY_NOT_FOUND", "$.data[{i}].Account_Name"),
        (_quote("Unknown account", Account_Name={"id": "1"}), "INVALID_DATA", "$.data[{i}].Account_Name"),
        ({"Subject": "No lines", "Account_Name": {"id": ACME}}, "MANDATORY_NOT_FOUND", "$.data[{i}].Quoted_Items"),
        (_quote("Bad product", Quoted_Items=[{"Product_Name": {"id": "9"}, "Quantity": 1}]), "INVALID_DATA",
         "$.data[{i}].Quoted_Items[0].Product_Name"),
        (_quote("Bad quantity", Quoted_Items=[{"Product_Name": {"id": MOUSE}, "Quantity": "2"}]), "INVALID_DATA",
         "$.data[{i}].Quoted_Items[0].Quantity"),
        (_quote("Bad state", **{"$approval_state": "maybe"}), "INVALID_DATA", "$.data[{i}].$approval_state"),
        ("not a record", "INVALID_DATA", "$.data[{i}]"),
    ]
    response = await client.post("/Quotes", json={"data": [b[0] for b in bad]})
    assert response.status_code == 400
    answers = response.json()["data"]
    assert [(a["code"], a["details"]["json_path"]) for a in answers] == [
        (code, path.format(i=i)) for i, (_, code, path) in enumerate(bad)]
    mixed = await client.post("/Quotes", json={"data": [_quote("Good"), bad[0][0], _quote("Also good")]})
    assert mixed.status_code == 207
    assert [a["status"] for a in mixed.json()["data"]] == ["success", "error", "success"]
    numbers = [
        (await client.get(f"/Quotes/{a['details']['id']}")).json()["data"][0]["Quote_Number"]
        for a in mixed.json()["data"] if a["status"] == "success"
    ]
    assert numbers == ["QT-00041", "QT-00042"], "failed records use up no number"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"data": [_quote(str(i)) for i in range(101)]}, "LIMIT_EXCEEDED"),
        ({"records": []}, "MANDATORY_NOT_FOUND"),
        ({"data": []}, "EXPECTED_FIELD_MISSING"),
        ({"data": {"Subject": "x"}}, "INVALID_DATA"),
        (["data"], "INVALID_DATA"),
    ],
)
async def test_create_body_errors(client: httpx.AsyncClient, body: Any, code: str) -> None:
    response = await client.post("/Quotes", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert len(await _all(client, "Quotes", "Subject")) == 40


async def test_create_body_that_is_not_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/Invoices", content=b"\xff\xfe not json")
    assert (response.status_code, response.json()["code"]) == (400, "INVALID_DATA")


# --- paging past 2,000 records: page numbers stop there, page tokens go on -------------------------

ITEMS = {"Quotes": "Quoted_Items", "Sales_Orders": "Ordered_Items", "Invoices": "Invoiced_Items"}
DISCRETE_LIMIT_ERROR = {
    "code": "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
    "details": {"limit": 2000},
    "message": "You can only get the first 2000 records without using page_token param.",
    "status": "error",
}


def seed(store: Any, module: str, count: int) -> None:
    """`count` more records of `module`, added through the store in one go (not one HTTP create each)."""
    line = {"Product_Name": {"id": MOUSE}, "Quantity": 1}
    answers = store.create(module, [{"Subject": f"Bulk {n}", "Account_Name": {"id": ACME}, ITEMS[module]: [line]}
                                    for n in range(count)])
    assert [a["status"] for a in answers] == ["success"] * count


async def _walk(client: httpx.AsyncClient, module: str, **params: Any) -> tuple[list[str], int]:
    """(IDs of every record, calls made): the first page, then each answer's next_page_token."""
    query = {"fields": "Subject", **params}
    response = await client.get(f"/{module}", params=query)
    ids, calls = [], 1
    while response.status_code == 200:
        ids += [r["id"] for r in response.json()["data"]]
        token = response.json()["info"]["next_page_token"]
        if token is None:
            break
        response = await client.get(f"/{module}", params={**query, "page_token": token})
        calls += 1
    return ids, calls


async def test_page_numbers_reach_the_first_2000_records_only(sandbox: Any, client: httpx.AsyncClient) -> None:
    seed(sandbox.app.state.crm, "Invoices", 2445)
    tenth = await client.get("/Invoices", params={"fields": "Subject", "page": 10, "per_page": 200})
    assert tenth.status_code == 200 and tenth.json()["info"]["more_records"] is True
    for page, per_page in ((11, 200), (21, 100), (2001, 1)):
        refused = await client.get("/Invoices", params={"fields": "Subject", "page": page, "per_page": per_page})
        assert (refused.status_code, refused.json()) == (400, DISCRETE_LIMIT_ERROR)
    assert (await client.get("/Invoices", params={"fields": "Subject", "page": 20, "per_page": 100})).status_code == 200


async def test_page_tokens_list_2450_records_once_each_in_13_calls(sandbox: Any, client: httpx.AsyncClient) -> None:
    seed(sandbox.app.state.crm, "Invoices", 2445)
    ids, calls = await _walk(client, "Invoices")
    assert calls == 13 and len(ids) == len(set(ids)) == 2450
    assert ids == sorted(ids, key=int, reverse=True), "id, descending, as Zoho's default"
    oldest_first, _ = await _walk(client, "Invoices", sort_order="asc")
    assert oldest_first == ids[::-1]


async def test_previous_page_token_goes_back_one_page(client: httpx.AsyncClient) -> None:
    params = {"fields": "Quote_Number", "per_page": 15}
    first = (await client.get("/Quotes", params=params)).json()
    second = (await client.get("/Quotes", params={**params, "page_token": first["info"]["next_page_token"]})).json()
    back = (await client.get("/Quotes", params={**params, "page_token": second["info"]["previous_page_token"]}))
    assert second["info"]["page"] == 2 and back.json()["info"]["page"] == 1
    assert back.json()["data"] == first["data"]
    assert back.json()["info"]["previous_page_token"] is None and back.json()["info"]["more_records"] is True


async def test_a_token_walk_neither_repeats_nor_skips_when_records_are_added(client: httpx.AsyncClient) -> None:
    params = {"fields": "Quote_Number", "per_page": 15}
    first = (await client.get("/Quotes", params=params)).json()
    assert (await client.post("/Quotes", json={"data": [_quote(f"Added {n}") for n in range(5)]})).status_code == 201
    by_number = (await client.get("/Quotes", params={**params, "page": 2})).json()
    rest = []
    token = first["info"]["next_page_token"]
    while token:
        page = (await client.get("/Quotes", params={**params, "page_token": token})).json()
        rest += page["data"]
        token = page["info"]["next_page_token"]
    numbers = [r["Quote_Number"] for r in first["data"] + rest]
    assert numbers == [f"QT-{n:05d}" for n in range(40, 0, -1)], "the 40 there when the walk began, once each"
    assert {r["id"] for r in by_number["data"]} & {r["id"] for r in first["data"]}, \
        "page numbers would have listed some records twice"


async def test_created_time_newest_first(client: httpx.AsyncClient) -> None:
    await client.post("/Sales_Orders", json={"data": [{"Subject": "New", "Account_Name": {"id": ACME},
                                                       "Ordered_Items": [{"Product_Name": {"id": MOUSE},
                                                                          "Quantity": 1}]}]})
    response = await client.get("/Sales_Orders", params={"fields": "Subject,Created_Time", "sort_by": "Created_Time",
                                                         "sort_order": "desc"})
    records = response.json()["data"]
    assert records[0]["Subject"] == "New" and response.json()["info"]["sort_by"] == "Created_Time"
    keys = [(r["Created_Time"], int(r["id"])) for r in records]
    assert keys == sorted(keys, reverse=True) and len(records) == 13


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"page_token": "0123abcd"}, "INVALID_DATA"),
        ({"sort_order": "asc"}, "TOKEN_BOUND_DATA_MISMATCH"),
        ({"fields": "Subject,Quote_Number"}, "TOKEN_BOUND_DATA_MISMATCH"),
        ({"per_page": 20}, "TOKEN_BOUND_DATA_MISMATCH"),
        ({"page": 2}, "AMBIGUITY_DURING_PROCESSING"),
        ({"sort_by": "Subject"}, "INVALID_DATA"),
    ],
)
async def test_page_token_errors(client: httpx.AsyncClient, change: dict[str, Any], code: str) -> None:
    params = {"fields": "Subject", "per_page": 15}
    token = (await client.get("/Quotes", params=params)).json()["info"]["next_page_token"]
    response = await client.get("/Quotes", params={**params, "page_token": token, **change})
    assert (response.status_code, response.json()["code"], response.json()["status"]) == (400, code, "error")


async def test_a_token_for_another_module_or_expired_is_refused(sandbox: Any, client: httpx.AsyncClient) -> None:
    params = {"fields": "Subject", "per_page": 5}
    token = (await client.get("/Quotes", params=params)).json()["info"]["next_page_token"]
    other = await client.get("/Sales_Orders", params={**params, "page_token": token})
    assert (other.status_code, other.json()["code"]) == (400, "TOKEN_BOUND_DATA_MISMATCH")
    sandbox.app.state.crm.page_token_ttl_s = -1.0  # tokens handed out from now on are past their 24 hours
    stale = (await client.get("/Quotes", params=params)).json()["info"]["next_page_token"]
    expired = await client.get("/Quotes", params={**params, "page_token": stale})
    assert (expired.status_code, expired.json()) == (400, {
        "code": "EXPIRED_VALUE", "details": {"param_name": "page_token"}, "message": "The token given has expired.",
        "status": "error"})


async def test_page_tokens_reach_the_first_100000_records(sandbox: Any, client: httpx.AsyncClient) -> None:
    params = {"fields": "Subject", "per_page": 200}
    seed(sandbox.app.state.crm, "Quotes", 200)
    token = (await client.get("/Quotes", params=params)).json()["info"]["next_page_token"]
    store = sandbox.app.state.crm
    with store.lock:  # as if 499 pages had been walked: page 500 ends at record 100,000, page 501 is past it
        store.conn.execute("UPDATE crm_page_tokens SET page = 500 WHERE token = ?", (token,))
    assert (await client.get("/Quotes", params={**params, "page_token": token})).json()["info"]["page"] == 500
    with store.lock:
        store.conn.execute("UPDATE crm_page_tokens SET page = 501 WHERE token = ?", (token,))
    refused = await client.get("/Quotes", params={**params, "page_token": token})
    assert (refused.status_code, refused.json()["code"]) == (400, "PAGINATION_LIMIT_EXCEEDED")
