"""CrmClient against the sandbox's CRM: convert, mass convert and its status, listing, errors."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import pytest

from app.zoho import CrmClient, Throttle, ZohoError

QUOTE_1 = "460000000100001"
QUOTE_NOT_APPROVED = "460000000100026"


async def module_id(client: CrmClient, api_name: str) -> str:
    return next(str(m["id"]) for m in await client.modules() if m["api_name"] == api_name)


class Bodies(httpx.AsyncBaseTransport):
    """The sandbox's transport, keeping the JSON body of every convert and mass_convert request."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/actions/" in request.url.path and request.method == "POST":
            self.sent.append((request.url.path.rsplit("/", 1)[-1], json.loads(request.content)))
        return await self.inner.handle_async_request(request)


async def test_convert_sends_crm_oas_body_with_one_module_and_tags_only_when_asked(sandbox) -> None:
    bodies = Bodies(sandbox.transport)
    async with CrmClient.for_sandbox(sandbox.url, bodies, Throttle(calls=10_000)) as crm:
        orders = {"api_name": "Sales_Orders", "id": await module_id(crm, "Sales_Orders")}
        plain = await crm.convert("Quotes", QUOTE_1, orders)
        tagged = await crm.convert("Quotes", "460000000100002", orders, carry_over_tags=True)
        order = await crm.get("Sales_Orders", plain["Sales_Orders"]["id"])
        with pytest.raises(ZohoError) as again:
            await crm.convert("Quotes", QUOTE_1, orders)
    assert order["Quote_Name"]["id"] == QUOTE_1 and tagged["Sales_Orders"]["id"]
    assert (again.value.status, again.value.code) == (400, "ID_ALREADY_CONVERTED")
    module = {"api_name": "Sales_Orders", "id": orders["id"]}
    assert bodies.sent[0] == ("convert", {"data": [{"convert_to": [{"module": module}]}]})  # crm-oas v8 yaml
    assert bodies.sent[1] == ("convert", {"data": [{"convert_to": [{"module": module, "carry_over_tags": True}]}]})


async def test_a_quote_not_approved_is_a_clean_error(sandbox) -> None:
    async with CrmClient.for_sandbox(sandbox.url, sandbox.transport, Throttle(calls=10_000)) as crm:
        invoices = {"api_name": "Invoices", "id": await module_id(crm, "Invoices")}
        with pytest.raises(ZohoError) as refused:
            await crm.convert("Quotes", QUOTE_NOT_APPROVED, invoices)
        with pytest.raises(ZohoError) as bad_body:
            await crm.convert("Quotes", QUOTE_1, {"api_name": "Invoices", "id": "12"})
    assert (refused.value.status, refused.value.code) == (400, "NOT_APPROVED")
    assert (bad_body.value.code, bad_body.value.field) == ("INVALID_DATA", "id")  # wrapped in data[], as Zoho
    assert crm.counters.retries == 0


async def test_mass_convert_and_poll_until_done(sandbox) -> None:
    ids = [f"4600000001000{n:02d}" for n in range(2, 8)]
    bodies = Bodies(sandbox.transport)
    async with CrmClient.for_sandbox(sandbox.url, bodies, Throttle(calls=10_000)) as crm:
        target = {"api_name": "Sales_Orders", "id": await module_id(crm, "Sales_Orders")}
        job_id = await crm.mass_convert("Quotes", ids, target)
        statuses = []
        for _ in range(20):
            status = await crm.mass_convert_status("Quotes", job_id)
            statuses.append(status["status"])
            if status["status"] == "COMPLETED":
                break
        with pytest.raises(ValueError):
            await crm.mass_convert("Quotes", [str(i) for i in range(51)], target)
        converted = [q async for q in crm.list("Sales_Orders", ["Subject", "Quote_Name"])
                     if (q.get("Quote_Name") or {}).get("id") in ids]
    assert statuses[-1] == "COMPLETED"
    assert status["total_count"] == 6 and status["converted_count"] == 6
    assert len(converted) == 6
    # inventory_mass_convert.json Body_Wrapper: carry_over_tags is required there, false allowed
    assert bodies.sent == [("mass_convert", {"ids": ids, "convert_to": [{"module": target, "carry_over_tags": False}]})]


class Recording(httpx.AsyncBaseTransport):
    """The sandbox's transport, noting the query of every CRM list call that goes through it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lists: list[dict[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and "fields" in request.url.params:
            self.lists.append(dict(request.url.params))
        return await self.inner.handle_async_request(request)


def seed(store: Any, module: str, count: int) -> None:
    """`count` more invoices or sales orders, added through the sandbox's store in one go."""
    items = {"Sales_Orders": "Ordered_Items", "Invoices": "Invoiced_Items"}[module]
    line = {"Product_Name": {"id": "460000000000702"}, "Quantity": 1}
    answers = store.create(module, [{"Subject": f"Bulk {n}", "Account_Name": {"id": "460000000000603"},
                                     items: [line]} for n in range(count)])
    assert [a["status"] for a in answers] == ["success"] * count


async def test_list_walks_2450_records_once_each_in_13_calls(sandbox) -> None:
    seed(sandbox.app.state.crm, "Invoices", 2445)  # and the 5 seeded ones
    recording = Recording(sandbox.transport)
    async with CrmClient.for_sandbox(sandbox.url, recording, Throttle(calls=10_000)) as crm:
        ids = [r["id"] async for r in crm.list("Invoices", ["Subject"])]
    assert len(ids) == len(set(ids)) == 2450 == sandbox.app.state.crm.summary()["Invoices"]
    assert len(recording.lists) == 13 == math.ceil(2450 / 200)
    assert all(q["per_page"] == "200" and "page" not in q for q in recording.lists)
    assert [("page_token" in q) for q in recording.lists] == [False] + [True] * 12


async def test_list_neither_repeats_nor_skips_records_added_during_the_walk(sandbox) -> None:
    store = sandbox.app.state.crm
    seed(store, "Sales_Orders", 588)  # 600 with the 12 seeded
    async with CrmClient.for_sandbox(sandbox.url, sandbox.transport, Throttle(calls=10_000)) as crm:
        before = {r["id"] async for r in crm.list("Sales_Orders", ["Subject"])}
        listed = []
        async for record in crm.list("Sales_Orders", ["Subject"]):
            listed.append(record["id"])
            if len(listed) == 200:
                seed(store, "Sales_Orders", 50)  # newer, so ahead of the walk in Zoho's id-descending order
        oldest_first = []
        async for record in crm.list("Sales_Orders", ["Subject"], sort_order="asc"):
            oldest_first.append(record["id"])
            if len(oldest_first) == 200:
                seed(store, "Sales_Orders", 50)  # newer, so at the end of an ascending walk
    assert len(listed) == len(set(listed)) and set(listed) == before
    assert len(oldest_first) == len(set(oldest_first)) == 700
    assert set(oldest_first) > before and oldest_first[:600] == sorted(before, key=int)


async def test_list_without_a_page_token_to_go_on_is_a_plain_error(sandbox) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        info = {"per_page": 200, "count": 1, "page": 1, "more_records": True, "next_page_token": None}
        return httpx.Response(200, json={"data": [{"id": "1"}], "info": info})

    class NoTokens(Recording):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if "fields" in request.url.params:
                return answer(request)
            return await self.inner.handle_async_request(request)

    async with CrmClient.for_sandbox(sandbox.url, NoTokens(sandbox.transport), Throttle(calls=10_000)) as crm:
        with pytest.raises(ZohoError) as no_token:
            _ = [r async for r in crm.list("Invoices", ["Subject"])]
    assert "no page token" in str(no_token.value)
