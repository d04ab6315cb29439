"""The contract check itself: it fails a request that breaks a documented rule, on every kind of transport."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from app.zoho import CrmClient, Throttle
from tests.contract.check import deviations
from tests.contract.kinds import KINDS
from tests.contract.transport import (
    ContractRecorder,
    ContractTransport,
    ContractViolation,
    checking_every_transport,
)

BOOKS = "https://www.zohoapis.eu/books/v3"
CRM = "https://www.zohoapis.eu/crm/v8"
AUTH = {"Authorization": "Zoho-oauthtoken 1000.abc.def"}
ORG = {"organization_id": "10234695"}
QUOTE = "460000000100001"
SALES_ORDERS = {"api_name": "Sales_Orders", "id": "460000000000103"}
OLD_CONVERT_BODY = {"convert_to": [{"module": SALES_ORDERS, "carry_over_tags": False}]}


def request(method: str, url: str, *, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
            **content: Any) -> httpx.Request:
    return httpx.Request(method, url, params=params, headers=AUTH if headers is None else headers, **content)


KEPT = [
    request("GET", f"{BOOKS}/salesorders", params={**ORG, "filter_by": "Status.PartiallyInvoiced", "page": 1}),
    request("GET", f"{BOOKS}/contacts", params={**ORG, "filter_by": "Status.Crm", "sort_column": "contact_name"}),
    request("POST", f"{BOOKS}/creditnotes/9/converttoopen", params=ORG),
    request("POST", f"{BOOKS}/salesorders/9/status/void", params=ORG),
    request("POST", f"{BOOKS}/contacts", params=ORG, json={"contact_name": "Bowman and Co"}),
    request("PUT", f"{BOOKS}/salesorders", params=ORG, json={"customer_id": "1"},
            headers={**AUTH, "X-Unique-Identifier-Key": "cf_order_key", "X-Unique-Identifier-Value": "A-1",
                     "X-Upsert": "true"}),
    request("POST", "https://books.zoho.com/api/v3/creditnotes", params={**ORG, "ignore_auto_number_generation": "true"},
            json={"customer_id": "1", "date": "2026-01-31", "line_items": [{"item_id": "2"}]}),
    request("GET", f"{BOOKS}/organizations"),
    request("POST", f"{CRM}/Quotes/{QUOTE}/actions/convert",
            json={"data": [{"convert_to": [{"module": SALES_ORDERS}]}]}),
    request("POST", f"{CRM}/Sales_Orders/1/actions/convert",
            json={"data": [{"convert_to": [{"module": {"api_name": "Invoices", "id": "5"}, "carry_over_tags": True}]}]}),
    request("POST", f"{CRM}/Quotes/actions/mass_convert",
            json={"ids": [QUOTE], "convert_to": [{"module": SALES_ORDERS, "carry_over_tags": False}]}),
    request("GET", f"{CRM}/Quotes/actions/mass_convert", params={"job_id": "77"}),
    request("GET", f"{CRM}/Invoices", params={"fields": "Sales_Order,Created_Time", "per_page": 200}),
    request("GET", f"{CRM}/settings/modules"),
    request("POST", "https://accounts.zoho.eu/oauth/v2/token", headers={},
            data={"grant_type": "refresh_token", "refresh_token": "r", "client_id": "c", "client_secret": "s"}),
]

BROKEN = [
    # (request, words the deviation must contain) — one documented rule broken each
    (request("POST", f"{CRM}/Quotes/{QUOTE}/actions/convert", json=OLD_CONVERT_BODY), "'data' is a required property"),
    (request("POST", f"{CRM}/Quotes/{QUOTE}/actions/convert",
             json={"data": [{"convert_to": [{"module": SALES_ORDERS}, {"module": SALES_ORDERS}]}]}), "is too long"),
    (request("POST", f"{CRM}/Quotes/{QUOTE}/actions/convert",
             json={"data": [{"convert_to": [{"module": SALES_ORDERS, "carry_over_tags": False}]}]}),
     "carry_over_tags: True was expected"),
    (request("POST", f"{CRM}/Invoices/1/actions/convert", json={"data": [{"convert_to": [{"module": SALES_ORDERS}]}]}),
     "{module} is 'Invoices'"),
    (request("POST", f"{CRM}/Quotes/actions/mass_convert", json={"ids": [QUOTE], "convert_to": [{"module": SALES_ORDERS}]}),
     "'carry_over_tags' is a required property"),
    (request("POST", f"{CRM}/Quotes/actions/mass_convert",
             json={"ids": [str(n) for n in range(51)], "convert_to": [{"module": SALES_ORDERS, "carry_over_tags": True}]}),
     "is too long"),
    (request("GET", f"{CRM}/Quotes/actions/mass_convert"), "job_id is missing"),
    (request("GET", f"{CRM}/Quotes", params={"per_page": 200}), "fields is missing"),
    (request("GET", f"{BOOKS}/salesorders", params={**ORG, "filter_by": "Status.Partially_Invoiced"}),
     "filter_by='Status.Partially_Invoiced' is not one of"),
    (request("GET", f"{BOOKS}/salesorders", params={**ORG, "filter_by": "Status.Overdue"}), "is not one of"),
    (request("GET", f"{BOOKS}/creditnotes", params={**ORG, "sort_column": "balance_due"}), "is not one of"),
    (request("POST", f"{BOOKS}/creditnotes/9/status/void", params=ORG), "is no request Zoho documents"),
    (request("POST", f"{BOOKS}/salesorders/9/status/closed", params=ORG), "{status} is 'closed'"),
    (request("GET", f"{BOOKS}/contacts"), "organization_id is missing"),
    (request("GET", f"{BOOKS}/contacts", params=ORG, headers={"Authorization": "Bearer 1000.abc"}),
     "header Authorization is 'Bearer ...'"),
    (request("POST", f"{BOOKS}/contacts", params=ORG, json={"company_name": "Bowman"}),
     "'contact_name' is a required property"),
    (request("POST", f"{BOOKS}/creditnotes", params=ORG, json={"customer_id": "1", "date": "31/01/2026",
                                                                "line_items": []}), "does not match"),
    (request("POST", f"{BOOKS}/contacts", params=ORG, data={"JSONString": "{}"}), "not application/x-www-form"),
    (request("PUT", f"{BOOKS}/contacts", params=ORG, json={"contact_name": "A"},
             headers={**AUTH, "X-Unique-Identifier-Key": "external_id", "X-Unique-Identifier-Value": "1"}),
     "X-Unique-Identifier-Key is 'external_id'"),
    (request("DELETE", f"{BOOKS}/salesorders/9", params=ORG, json={"reason": "x"}), "carries no body"),
    (request("PATCH", f"{BOOKS}/salesorders/9", params=ORG), "documented only with"),
    (request("POST", "https://accounts.zoho.eu/oauth/v2/token", headers={},
             data={"grant_type": "password", "client_id": "c"}), "grant_type is 'password'"),
    (request("POST", "https://accounts.zoho.eu/oauth/v2/token", headers={},
             data={"grant_type": "refresh_token", "client_id": "c", "client_secret": "s"}), "refresh_token is missing"),
]


@pytest.mark.parametrize("sent", KEPT, ids=lambda r: f"{r.method} {r.url.path}")
def test_documented_requests_keep_the_contract(sent: httpx.Request) -> None:
    assert deviations(sent) == []


@pytest.mark.parametrize(("sent", "words"), BROKEN, ids=[f"{r.method} {r.url.path} {w}" for r, w in BROKEN])
def test_each_broken_rule_is_a_deviation(sent: httpx.Request, words: str) -> None:
    found = deviations(sent)
    assert any(words in d for d in found), found


def test_every_kind_names_its_source_and_no_token_reaches_a_message() -> None:
    assert all(k.source for k in KINDS)
    secret = request("GET", f"{BOOKS}/contacts", params=ORG, headers={"Authorization": "Bearer 1000.secret.token"})
    assert "secret" not in " ".join(deviations(secret))


async def test_the_old_convert_body_fails_through_the_wrapper_and_never_reaches_the_sandbox(sandbox) -> None:
    wrapper = ContractTransport(sandbox.transport)
    async with CrmClient.for_sandbox(sandbox.url, wrapper, Throttle(calls=10_000)) as crm:
        made = await crm.convert("Quotes", QUOTE, SALES_ORDERS)  # the client's own body keeps the contract
        with pytest.raises(ContractViolation, match="'data' is a required property"):
            await crm.session.request("POST", "Quotes/460000000100002/actions/convert", json=OLD_CONVERT_BODY)
    assert made["Sales_Orders"]["id"]
    assert sandbox.app.state.crm.get("Quotes", "460000000100002")["$converted"] is False
    assert len(wrapper.recorder.violations) == 2  # the missing `data` and the unexpected `convert_to`


async def test_the_suites_hook_fails_a_tools_request_also_from_a_background_thread(sandbox, zoho_contract) -> None:
    async def send_old_body() -> None:
        async with CrmClient.for_sandbox(sandbox.url, sandbox.transport, Throttle(calls=10_000)) as crm:
            await crm.session.request("POST", f"Quotes/{QUOTE}/actions/convert", json=OLD_CONVERT_BODY)

    with pytest.raises(ContractViolation):
        await send_old_body()
    assert any("'data' is a required property" in v for v in zoho_contract.take())

    swallowed: list[BaseException] = []

    def worker() -> None:  # a job on another thread that turns every exception into a message
        try:
            asyncio.run(send_old_body())
        except BaseException as exc:  # noqa: BLE001 - what a careless job would do
            swallowed.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert [type(e) for e in swallowed] == [ContractViolation]
    assert zoho_contract.take(), "recorded, so the test fails at teardown although the thread swallowed it"


def test_sync_and_async_real_transports_are_checked(live_sandbox) -> None:
    recorder = ContractRecorder()
    bad = {"params": {"filter_by": "Status.Overdue", **ORG}, "headers": AUTH}
    with checking_every_transport(recorder, only=lambda: True):
        with httpx.Client(base_url=f"{live_sandbox.url}/books/v3") as client, pytest.raises(ContractViolation):
            client.get("/salesorders", **bad)

        async def asynchronous() -> None:
            async with httpx.AsyncClient(base_url=f"{live_sandbox.url}/books/v3") as client:
                await client.get("/salesorders", **bad)

        with pytest.raises(ContractViolation):
            asyncio.run(asynchronous())
    assert len(recorder.violations) == 2
    with httpx.Client(base_url=f"{live_sandbox.url}/books/v3") as client:  # the block's patch is gone again
        assert client.get("/salesorders", **bad).status_code in (400, 401)
    assert len(recorder.violations) == 2


def test_a_sync_mock_transport_is_wrapped_too() -> None:
    seen: list[str] = []
    inner = httpx.MockTransport(lambda r: (seen.append(r.url.path), httpx.Response(200, json={}))[1])
    with httpx.Client(transport=ContractTransport(inner)) as client:
        assert client.get(f"{BOOKS}/organizations", headers=AUTH).status_code == 200
        with pytest.raises(ContractViolation):
            client.get(f"{BOOKS}/invoices", params=ORG, headers=AUTH)
    assert seen == ["/books/v3/organizations"]
