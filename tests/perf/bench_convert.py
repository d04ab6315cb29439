"""Benchmark: converting 500 quotes to sales orders over loopback, the engine against one single convert per quote.

Both sides run against a fresh sandbox served by uvicorn on 127.0.0.1 (20 ms latency per
request), through the same CrmClient and its throttle. The baseline is what a simple tool
does: one `convert` call per quote, 10 at a time (CRM's concurrency).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

QUOTES = 500
LATENCY_MS = 20
MAX_CONVERT_CALLS = 10
SALES_ORDERS_ID = "460000000000103"


def _sandbox(db: Path) -> Any:
    from app.sandbox import EmbeddedSandbox, SandboxSettings

    return EmbeddedSandbox(SandboxSettings(rate_limit=100_000, concurrency=1_000, daily_quota=10_000_000,
                                           latency_ms=LATENCY_MS), db_path=db)


async def _create_quotes(url: str, n: int, not_approved_every: int = 0) -> list[str]:
    from app.zoho import CrmClient

    def state(i: int) -> str:
        return "approval_process_pending" if not_approved_every and i % not_approved_every == 0 else "approved"

    ids: list[str] = []
    async with CrmClient.for_sandbox(url) as client:
        for start in range(0, n, 100):
            batch = [{"Subject": f"Bench quote {i}", "Account_Name": {"id": "460000000000602"},
                      "Quoted_Items": [{"Product_Name": {"id": "460000000000703"}, "Quantity": 2}],
                      "$approval_state": state(i)}
                     for i in range(start, min(n, start + 100))]
            ids.extend(a["details"]["id"] for a in await client.create_records("Quotes", batch))
    return ids


async def _engine(url: str, folder: Path, not_approved_every: int = 0) -> dict[str, Any]:
    from app.cli.converting import run_convert
    from app.jobs.converting import ConvertSettings
    from app.jobs.target import sandbox_target

    ids = await _create_quotes(url, QUOTES, not_approved_every)
    file = folder / f"quotes-{not_approved_every}.csv"
    file.write_text("Record Id\n" + "\n".join(ids) + "\n", encoding="utf-8")
    out = io.StringIO()
    started = time.perf_counter()
    code = await run_convert(ConvertSettings("Quotes", ("Sales_Orders",), file=file, target=sandbox_target(url)),
                             as_json=True, out=out, err=io.StringIO())
    elapsed = time.perf_counter() - started
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    return {"code": code, "elapsed_s": elapsed, "converted": summary["converted"], "failed": summary["failed"],
            "calls": summary["calls"]}


async def _baseline(url: str) -> dict[str, Any]:
    from app.zoho import CrmClient

    ids = await _create_quotes(url, QUOTES)
    target = {"api_name": "Sales_Orders", "id": SALES_ORDERS_ID}  # one module per call (seed 000)
    seats = asyncio.Semaphore(10)
    converted = 0
    started = time.perf_counter()
    async with CrmClient.for_sandbox(url) as client:
        calls_before = client.counters.calls

        async def one(record_id: str) -> None:
            nonlocal converted
            async with seats:
                await client.convert("Quotes", record_id, target)
                converted += 1

        await asyncio.gather(*(one(i) for i in ids))
        calls = client.counters.calls - calls_before
    return {"elapsed_s": time.perf_counter() - started, "converted": converted, "calls": calls}


def main() -> int:
    previous = os.environ.get("ZOHO_BULK_DATA_DIR")
    with tempfile.TemporaryDirectory(prefix="bench-convert-") as tmp:
        folder = Path(tmp)
        os.environ["ZOHO_BULK_DATA_DIR"] = str(folder / "data")
        try:
            with _sandbox(folder / "engine.sqlite") as sb:
                engine = asyncio.run(_engine(sb.url, folder))
            with _sandbox(folder / "mixed.sqlite") as sb:
                mixed = asyncio.run(_engine(sb.url, folder, not_approved_every=10))
            with _sandbox(folder / "baseline.sqlite") as sb:
                baseline = asyncio.run(_baseline(sb.url))
        finally:
            if previous is None:
                os.environ.pop("ZOHO_BULK_DATA_DIR", None)
            else:
                os.environ["ZOHO_BULK_DATA_DIR"] = previous
    calls = engine["calls"]
    print(f"{QUOTES} quotes -> sales orders, sandbox on loopback with {LATENCY_MS} ms latency")
    print(f"  engine:   {engine['converted']} converted, {calls['total']} calls "
          f"({calls['mass_convert']} mass_convert, {calls['single_convert']} convert, {calls['status']} status polls, "
          f"{calls['lookup']} lookups) in {engine['elapsed_s']:.1f} s")
    print(f"  baseline: {baseline['converted']} converted, {baseline['calls']} calls (one convert per quote) "
          f"in {baseline['elapsed_s']:.1f} s")
    print(f"  convert calls: {calls['convert']} vs {baseline['calls']} "
          f"({baseline['calls'] / max(1, calls['convert']):.0f}x fewer); all calls: {calls['total']} vs "
          f"{baseline['calls']} ({baseline['calls'] / max(1, calls['total']):.1f}x fewer)")
    print(f"  wall time: {engine['elapsed_s']:.1f} s vs {baseline['elapsed_s']:.1f} s "
          f"({baseline['elapsed_s'] / max(engine['elapsed_s'], 1e-9):.1f}x faster)")
    ok = engine["code"] == 0 and engine["converted"] == QUOTES and calls["convert"] <= MAX_CONVERT_CALLS
    m = mixed["calls"]
    print(f"  engine, 1 in 10 not approved: {mixed['converted']} converted, {mixed['failed']} failed (each with its "
          f"reason), {m['total']} calls ({m['mass_convert']} mass_convert, {m['single_convert']} convert, "
          f"{m['status']} status polls, {m['lookup']} lookups) in {mixed['elapsed_s']:.1f} s")
    print(f"  target: at most {MAX_CONVERT_CALLS} convert calls for {QUOTES} quotes: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
