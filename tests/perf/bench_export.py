"""Benchmark: exporting 10,000 contacts is bound by the rate limit, not by the client.

A sandbox runs in its own process (so this process's CPU time is the client's alone)
with a compressed minute: 100 calls per 3 s. Two exports run against it:
- 10,000 contacts from the list pages (50 calls), and
- 100 contacts with persons and addresses (1 list page + 100 detail calls).
Each is compared with its rate-limit floor ((calls - 1) x the spacing the limit imposes)
and with the same export from an unthrottled sandbox (the baseline: what the client and
server cost with no limit at all). The client's CPU time per call is set against the
interval the limit leaves between calls: far below 1 means the client is never the bottleneck.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from app.jobs.exporting.job import ExportJob
from app.jobs.exporting.settings import ExportSettings
from app.jobs.target import sandbox_target
from app.sandbox import SandboxSettings, create_app
from app.sandbox.store import Store
from app.zoho import Throttle

CONTACTS = int(os.environ.get("BENCH_EXPORT_CONTACTS", "10000"))
PER_WINDOW = 100
WINDOW_S = 3.0
CREATED = "2026-01-05T09:00:00+0000"


def seed_contacts(store: Store, count: int, *, start: int = 1) -> None:
    """Add `count` contacts ("Contact 00001"...) straight into the sandbox's SQLite, each with one
    person, addresses and custom fields, as the sandbox itself would store them."""
    usd = next(c for c in store.all("currencies") if c["currency_code"] == "USD")
    with store.transaction():
        for i in range(start, start + count):
            name = f"Contact {i:05d}"
            contact_id, person_id = store.new_id(), store.new_id()
            email = f"buyer{i}@contact{i}.example"
            doc: dict[str, Any] = {
                "contact_id": contact_id, "contact_name": name, "company_name": f"{name} Ltd",
                "contact_type": "customer", "customer_sub_type": "business", "status": "active",
                "email": email, "phone": f"+1 555 {i:05d}", "mobile": "", "website": "",
                "currency_id": usd["currency_id"], "currency_code": "USD",
                "payment_terms": 30, "payment_terms_label": "Net 30", "notes": f"Customer number {i}",
                "billing_address": {"address": f"{i} Main Street", "city": "Springfield", "zip": f"{i:05d}",
                                    "country": "U.S.A"},
                "shipping_address": {"address": f"{i} Dock Road", "city": "Springfield",
                                     "country": "U.S.A"},
                "custom_fields": [
                    {"customfield_id": "1", "api_name": "cf_external_id", "label": "External ID",
                     "index": 1, "data_type": "string", "value": f"EXT-{i:05d}"},
                    {"customfield_id": "2", "api_name": "cf_region", "label": "Region",
                     "index": 2, "data_type": "string", "value": ("North", "South", "East", "West")[i % 4]}],
                "contact_persons": [{
                    "contact_person_id": person_id, "salutation": "Ms.", "first_name": "Buyer",
                    "last_name": f"No {i}", "email": email, "phone": f"+1 555 {i:05d}", "mobile": "",
                    "is_primary_contact": True}],
                "primary_contact_id": person_id, "created_time": CREATED, "last_modified_time": CREATED,
            }
            store.insert("contacts", contact_id, doc, number=name.casefold(), name=name, email=email,
                         company=doc["company_name"], status="active", unique_value=f"EXT-{i:05d}")
            store.set_person_owner(person_id, contact_id)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SandboxProcess:
    """`zoho-bulk sandbox` in a child process on a seeded file."""

    def __init__(self, db: Path, rate: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", "sandbox", "--port", str(self.port), "--db", str(db),
             "--rate", rate, "--concurrency", "10", "--daily", "10000000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the sandbox did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


async def one_export(url: str, per_window: int, window_s: float, out: Path, **options: Any) -> dict[str, float]:
    throttle = Throttle(calls=per_window, window_s=window_s, concurrency=10, daily_quota=None)
    job = ExportJob(ExportSettings("contacts", out, target=sandbox_target(url, throttle=throttle), **options))
    cpu0, t0 = time.process_time(), time.perf_counter()
    plan = await job.plan()
    cpu_list = time.process_time() - cpu0
    counters = job.client.counters
    cpu1 = time.process_time()
    result = await job.run()
    cpu_run = time.process_time() - cpu1
    elapsed = time.perf_counter() - t0
    calls = result.calls["total"]
    return {"records": result.records, "calls": calls, "list": result.calls["list"],
            "detail": result.calls["detail"], "rate_limited": result.calls["rate_limited"],
            "calls_s": (counters.last_answer_at or 0) - (counters.first_call_at or 0),
            "elapsed_s": elapsed, "cpu_calls_s": cpu_list + (cpu_run if plan.detail_calls else 0.0),
            "cpu_total_s": cpu_list + cpu_run, "exit": result.exit_code}


def report(name: str, throttled: dict[str, float], free: dict[str, float]) -> bool:
    spacing = WINDOW_S / PER_WINDOW
    floor = (throttled["calls"] - 1) * spacing
    cpu_per_call = throttled["cpu_calls_s"] / throttled["calls"]
    print(f"{name}: {throttled['records']:.0f} records, {throttled['calls']:.0f} calls "
          f"({throttled['list']:.0f} list, {throttled['detail']:.0f} detail), "
          f"{throttled['rate_limited']:.0f} refused (429)")
    print(f"  throttled at {PER_WINDOW}/{WINDOW_S:g}s: calls took {throttled['calls_s']:.2f} s "
          f"(first call to last answer), rate-limit floor {floor:.2f} s, ratio {throttled['calls_s'] / floor:.2f}x; "
          f"whole export with sign-in and file {throttled['elapsed_s']:.2f} s")
    print(f"  unthrottled baseline: calls {free['calls_s']:.2f} s "
          f"({free['calls_s'] / throttled['calls_s']:.0%} of the throttled calls), "
          f"whole export {free['elapsed_s']:.2f} s")
    print(f"  client CPU per call {cpu_per_call * 1000:.2f} ms vs interval between calls "
          f"{spacing * 1000:.0f} ms: ratio {cpu_per_call / spacing:.3f}; "
          f"CPU for the whole export {throttled['cpu_total_s']:.2f} s")
    return throttled["exit"] == 0 and throttled["rate_limited"] == 0 and free["exit"] == 0


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        root = Path(tmp)
        db = root / "sandbox.sqlite"
        app = create_app(SandboxSettings(), db)
        seed_contacts(app.state.store, CONTACTS - 3)  # the demo organization has 3 contacts
        app.state.close()
        throttled = SandboxProcess(db, f"{PER_WINDOW}/{WINDOW_S:g}")
        free = SandboxProcess(db, "1000000/60")
        try:
            runs = {}
            for label, url, per, window in (("throttled", throttled.url, PER_WINDOW, WINDOW_S),
                                            ("free", free.url, 1_000_000, 60.0)):
                runs[(label, "list")] = asyncio.run(one_export(url, per, window, root / f"{label}.csv"))
                runs[(label, "detail")] = asyncio.run(one_export(
                    url, per, window, root / f"{label}-persons.csv", line_items=True, search="Contact 002"))
        finally:
            throttled.stop()
            free.stop()
    ok = report(f"{CONTACTS:,} contacts from the list pages", runs[("throttled", "list")], runs[("free", "list")])
    ok &= report("100 contacts with persons and addresses (detail calls)", runs[("throttled", "detail")],
                 runs[("free", "detail")])
    fifty = runs[("throttled", "list")]["calls"] == -(-CONTACTS // 200)
    print(f"list calls for {CONTACTS:,} contacts: {runs[('throttled', 'list')]['calls']:.0f} "
          f"(expected {-(-CONTACTS // 200)}): {'ok' if fifty else 'WRONG'}")
    print(json.dumps({k[0] + "_" + k[1]: v for k, v in runs.items()}, default=float))
    return 0 if ok and fifty else 1


if __name__ == "__main__":
    raise SystemExit(main())
