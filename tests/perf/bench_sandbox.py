"""Server CPU per request of the sandbox: sales order writes against a cheap read as baseline.

Run: `.venv/bin/python -m tests.perf sandbox`. Requests go one at a time through
httpx.ASGITransport; the CPU spent inside the app (thread time) is summed per kind of call.
Then the same writes go over real HTTP to an EmbeddedSandbox to show the end-to-end rate.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from app.sandbox import EmbeddedSandbox, SandboxSettings, create_app

WRITES = 1000
LIVE_WRITES = 600
ORG = {"organization_id": "10234695"}
FAST = SandboxSettings(rate_limit=1_000_000, concurrency=100, daily_quota=10_000_000)


class CpuMeter:
    """ASGI wrapper adding up the thread CPU time spent inside the app."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cpu = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = time.thread_time()
        try:
            await self.app(scope, receive, send)
        finally:
            self.cpu += time.thread_time() - start


def order_body(customer: str, items: list[str], i: int) -> dict[str, Any]:
    return {
        "customer_id": customer,
        "reference_number": f"REF-{i}",
        "custom_fields": [{"api_name": "cf_external_id", "value": f"BENCH-{i}"}],
        "line_items": [{"item_id": items[(i + k) % len(items)], "quantity": k + 1} for k in range(3)],
    }


async def in_process(db: Path) -> dict[str, float]:
    app = create_app(FAST, db)
    meter = CpuMeter(app)
    token = app.state.tokens.issue()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=meter), base_url="http://sandbox.test/books/v3",
        headers={"Authorization": f"Zoho-oauthtoken {token}"}, params=ORG,
    ) as client:
        items = [i["item_id"] for i in (await client.get("/items")).json()["items"]]
        customer = (await client.get("/contacts")).json()["contacts"][0]["contact_id"]
        meter.cpu = 0.0
        for _ in range(WRITES):
            assert (await client.get("/organizations")).status_code == 200
        read_cpu = meter.cpu / WRITES
        meter.cpu = 0.0
        for i in range(WRITES):
            answer = await client.post("/salesorders", json=order_body(customer, items, i))
            assert answer.status_code == 201, answer.text
        write_cpu = meter.cpu / WRITES
        meter.cpu = 0.0
        for i in range(WRITES):
            answer = await client.put("/salesorders", json={"notes": f"n{i}"}, headers={
                "X-Unique-Identifier-Key": "cf_external_id",
                "X-Unique-Identifier-Value": f"BENCH-{i}", "X-Upsert": "true"})
            assert answer.status_code == 200, answer.text
        upsert_cpu = meter.cpu / WRITES
        meter.cpu = 0.0
        for page in range(1, 6):
            assert (await client.get("/salesorders", params={"page": page})).status_code == 200
        list_cpu = meter.cpu / 5
    app.state.close()
    return {"read": read_cpu, "write": write_cpu, "upsert": upsert_cpu, "list200": list_cpu}


async def live(db: Path) -> float:
    with EmbeddedSandbox(FAST, db_path=db) as sb:
        token = sb.app.state.tokens.issue()
        async with httpx.AsyncClient(
            base_url=f"{sb.url}/books/v3", params=ORG,
            headers={"Authorization": f"Zoho-oauthtoken {token}"},
        ) as client:
            items = [i["item_id"] for i in (await client.get("/items")).json()["items"]]
            customer = (await client.get("/contacts")).json()["contacts"][0]["contact_id"]
            start = time.perf_counter()
            for i in range(LIVE_WRITES):
                answer = await client.post("/salesorders", json=order_body(customer, items, i))
                assert answer.status_code == 201
            return (time.perf_counter() - start) / LIVE_WRITES


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cpu = asyncio.run(in_process(Path(tmp) / "bench.sqlite3"))
        wall = asyncio.run(live(Path(tmp) / "live.sqlite3"))
    base = cpu["read"]
    print(f"server CPU per GET /organizations (baseline): {base * 1000:.3f} ms")
    print(f"server CPU per sales order create (3 lines):  {cpu['write'] * 1000:.3f} ms "
          f"= {cpu['write'] / base:.1f}x baseline")
    print(f"server CPU per upsert by unique custom field: {cpu['upsert'] * 1000:.3f} ms "
          f"= {cpu['upsert'] / base:.1f}x baseline")
    print(f"server CPU per list page of 200 orders:       {cpu['list200'] * 1000:.3f} ms "
          f"= {cpu['list200'] / base:.1f}x baseline")
    print(f"live uvicorn, client+server wall per create:  {wall * 1000:.3f} ms "
          f"({1 / wall:.0f} writes/s sequential)")
    ok = cpu["write"] < 0.005 and cpu["upsert"] < 0.005
    print("write CPU under 5 ms:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
