"""Benchmark of the Zoho client's throttle: 600 contacts against a live sandbox limited to 100 calls per 6 s.

Run with `.venv/bin/python -m tests.perf client`. The target: zero 429s and an achieved rate of at
least 97% of the limit. The baseline, measured in the same run on its own sandbox, is a naive
client (plain httpx, 10 at a time, no spacing, pause and retry on 429) sending 200 contacts at
the same limit: how many 429s it trips and how many calls it wastes.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

from app.sandbox import EmbeddedSandbox, SandboxSettings
from app.zoho import BooksClient, Throttle, ZohoError

LIMIT = 100
WINDOW_S = 6.0
CONTACTS = 600
BASELINE_CONTACTS = 200
TARGET_RATIO = 0.97


async def create_contacts(client: BooksClient, prefix: str, count: int) -> tuple[int, int, float]:
    """(created, failed, elapsed seconds from the first send to the last answer)."""
    failed = 0

    async def one(i: int) -> None:
        nonlocal failed
        try:
            await client.create("contacts", {"contact_name": f"{prefix} {i:04d}"})
        except ZohoError:
            failed += 1

    started = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(count)))
    first = client.counters.first_call_at or started
    last = client.counters.last_answer_at or time.monotonic()
    return count - failed, failed, last - first


def sandbox(db: Path) -> EmbeddedSandbox:
    settings = SandboxSettings(rate_limit=LIMIT, rate_window_s=WINDOW_S, concurrency=10,
                               daily_quota=100_000, latency_ms=20, latency_jitter_ms=20)
    return EmbeddedSandbox(settings, db_path=db)


async def naive_contacts(url: str, count: int) -> tuple[int, int, int, float]:
    """The baseline: plain httpx, 10 at a time, no spacing, a fixed 0.5 s pause and retry on 429.

    Returns (calls, 429s, created, elapsed seconds).
    """
    form = {"grant_type": "refresh_token", "refresh_token": "sandbox-refresh",
            "client_id": "sandbox-client", "client_secret": "sandbox-secret"}
    calls = refused = created = 0
    seats = asyncio.Semaphore(10)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        token = (await http.post("/oauth/v2/token", data=form)).json()["access_token"]
        headers = {"Authorization": f"Zoho-oauthtoken {token}"}

        async def one(i: int) -> None:
            nonlocal calls, refused, created
            for _ in range(50):
                async with seats:
                    calls += 1
                    answer = await http.post("/books/v3/contacts", params={"organization_id": "10234695"},
                                             json={"contact_name": f"Naive {i:04d}"}, headers=headers)
                if answer.status_code != 429:
                    created += answer.status_code == 201
                    return
                refused += 1
                await asyncio.sleep(0.5)

        started = time.monotonic()
        await asyncio.gather(*(one(i) for i in range(count)))
    return calls, refused, created, time.monotonic() - started


async def run(workdir: Path) -> int:
    with sandbox(workdir / "baseline.sqlite3") as sb:
        b_calls, b_refused, b_ok, b_elapsed = await naive_contacts(sb.url, BASELINE_CONTACTS)

    with sandbox(workdir / "throttled.sqlite3") as sb:
        throttle = Throttle(calls=LIMIT, window_s=WINDOW_S, concurrency=10)
        async with BooksClient.for_sandbox(sb.url, throttle=throttle) as client:
            ok, failed, elapsed = await create_contacts(client, "Paced", CONTACTS)
            c = client.counters

    limit_per_min = LIMIT * 60.0 / WINDOW_S
    per_min = c.calls * 60.0 / elapsed
    ratio = per_min / limit_per_min
    print(f"limit: {LIMIT} calls per {WINDOW_S:g} s = {limit_per_min:.0f} calls/min (sandbox and client)")
    print(f"baseline (plain httpx, no spacing, retry on 429): {BASELINE_CONTACTS} contacts, {b_calls} calls, "
          f"{b_refused} x 429 ({b_refused / b_calls:.0%} of calls wasted), {b_ok} created, "
          f"{b_elapsed:.1f} s")
    print(f"throttled client: {CONTACTS} contacts, {c.calls} calls, {c.rate_limited} x 429, "
          f"{c.retries} retries, {ok} created, {failed} failed, elapsed {elapsed:.2f} s")
    print(f"achieved {per_min:.0f} calls/min vs limit {limit_per_min:.0f} -> ratio {ratio:.3f} "
          f"(target >= {TARGET_RATIO}); counters.calls_per_minute {c.calls_per_minute:.0f}")
    print(f"429s: throttled {c.rate_limited} vs baseline {b_refused}")
    good = c.rate_limited == 0 and failed == 0 and ratio >= TARGET_RATIO
    print("PASS" if good else "FAIL")
    return 0 if good else 1


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-client-") as workdir:
        return asyncio.run(run(Path(workdir)))


if __name__ == "__main__":
    sys.exit(main())
