"""CrmClient against the sandbox's CRM: convert, mass convert and its status, listing, errors."""

from __future__ import annotations

import pytest

from app.zoho import CrmClient, Throttle, ZohoError

QUOTE_1 = "460000000100001"
QUOTE_NOT_APPROVED = "460000000100026"


async def module_id(client: CrmClient, api_name: str) -> str:
    return next(str(m["id"]) for m in await client.modules() if m["api_name"] == api_name)


async def test_convert_a_quote_to_a_sales_order(sandbox) -> None:
    async with CrmClient.for_sandbox(sandbox.url, sandbox.transport, Throttle(per_minute=10_000)) as crm:
        target = [{"module": {"api_name": "Sales_Orders", "id": await module_id(crm, "Sales_Orders")}}]
        details = await crm.convert("Quotes", QUOTE_1, target, carry_over_tags=True)
        order = await crm.get("Sales_Orders", details["Sales_Orders"]["id"])
        with pytest.raises(ZohoError) as again:
            await crm.convert("Quotes", QUOTE_1, target)
    assert order["Quote_Name"]["id"] == QUOTE_1
    assert (again.value.status, again.value.code) == (400, "ID_ALREADY_CONVERTED")


async def test_a_quote_not_approved_is_a_clean_error(sandbox) -> None:
    async with CrmClient.for_sandbox(sandbox.url, sandbox.transport, Throttle(per_minute=10_000)) as crm:
        target = [{"module": {"api_name": "Invoices", "id": await module_id(crm, "Invoices")}}]
        with pytest.raises(ZohoError) as refused:
            await crm.convert("Quotes", QUOTE_NOT_APPROVED, target)
        with pytest.raises(ZohoError) as bad_body:
            await crm.convert("Quotes", QUOTE_1, [{"module": {"api_name": "Invoices", "id": "12"}}])
    assert (refused.value.status, refused.value.code) == (400, "NOT_APPROVED")
    assert bad_body.value.code == "INVALID_DATA"
    assert crm.counters.retries == 0


async def test_mass_convert_and_poll_until_done(sandbox) -> None:
    ids = [f"4600000001000{n:02d}" for n in range(2, 8)]
    async with CrmClient.for_sandbox(sandbox.url, sandbox.transport, Throttle(per_minute=10_000)) as crm:
        target = [{"module": {"api_name": "Sales_Orders", "id": await module_id(crm, "Sales_Orders")}}]
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
