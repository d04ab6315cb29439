"""find_made against the sandbox: newest first, it stops at the first record older than the run's requests."""

from __future__ import annotations

import math
import time
from typing import Any

from app.jobs.converting.backrefs import Made, find_made
from app.zoho import CrmClient, Throttle

QUOTES = [f"4600000001000{n:02d}" for n in (1, 2, 3)]
QUOTE_NOT_APPROVED = "460000000100026"  # never converts
QUOTE_CONVERTED_BEFORE = "460000000100033"  # seeded sales order SO-00001 points back to it, made in January
LAST_YEAR = "2025-11-01T09:00:00+00:00"


def seed_old_sales_orders(store: Any, count: int) -> None:
    """`count` sales orders made long before the run, added through the store in one go."""
    line = {"Product_Name": {"id": "460000000000702"}, "Quantity": 1}
    answers = store.create("Sales_Orders", [{"Subject": f"Old {n}", "Account_Name": {"id": "460000000000603"},
                                             "Ordered_Items": [line]} for n in range(count)])
    assert [a["status"] for a in answers] == ["success"] * count
    with store.lock:
        store.conn.execute(
            "UPDATE crm_records SET body = json_set(body, '$.Created_Time', ?, '$.Modified_Time', ?)"
            " WHERE module = 'Sales_Orders' AND json_extract(body, '$.Subject') LIKE 'Old %'",
            (LAST_YEAR, LAST_YEAR),
        )


async def test_finding_what_a_run_made_reads_one_page_not_the_whole_module(sandbox) -> None:
    seed_old_sales_orders(sandbox.app.state.crm, 1000)
    async with CrmClient.for_sandbox(sandbox.url, sandbox.transport, Throttle(calls=10_000)) as crm:
        target = next(str(m["id"]) for m in await crm.modules() if m["api_name"] == "Sales_Orders")
        asked = time.time()
        made = {}
        for quote in QUOTES:
            details = await crm.convert("Quotes", quote, {"api_name": "Sales_Orders", "id": target})
            made[quote] = details["Sales_Orders"]["id"]
        # one quote asked a minute after its record was made: within the clock allowance, still this run's
        wanted = {QUOTES[0]: asked, QUOTES[1]: asked, QUOTES[2]: asked + 60,
                  QUOTE_NOT_APPROVED: asked, QUOTE_CONVERTED_BEFORE: asked}

        before = crm.counters.calls
        found = await find_made(crm, "Quotes", "Sales_Orders", wanted)
        calls = crm.counters.calls - before

        before = crm.counters.calls
        every = [r async for r in crm.list("Sales_Orders", ["Quote_Name"])]
        full_walk = crm.counters.calls - before

    assert {q: m.id for q, m in found.items()} == made, "what this run made, and nothing made before it"
    assert all(isinstance(m, Made) and m.number and m.number.startswith("SO-") for m in found.values())
    assert len(every) == 1000 + 12 + 3 and full_walk == math.ceil(len(every) / 200) == 6
    assert calls == 1, "two wanted quotes were never converted here, yet one page settles it"
