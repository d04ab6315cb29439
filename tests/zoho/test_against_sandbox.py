"""The client against the real sandbox: limits it does not know, faults, expiring tokens, every call counted."""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.zoho import BooksClient, InDoubt, RetryPolicy, Throttle, ZohoError


def contact_names(db_path: Path) -> list[str]:
    """Names of every contact in the sandbox's SQLite file (the sandbox's own count, not the client's)."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT doc FROM records WHERE entity = 'contacts'").fetchall()
    return [json.loads(doc)["contact_name"] for (doc,) in rows]


async def create_all(client: BooksClient, names: list[str]) -> list[object]:
    async def one(name: str) -> object:
        try:
            return await client.create("contacts", {"contact_name": name})
        except ZohoError as err:
            return err

    return await asyncio.gather(*(one(n) for n in names))


@pytest.mark.slow
async def create_believing_100_a_second(sandbox: Any, names: list[str]) -> tuple[list[object], BooksClient]:
    """Create a contact of each name at once through a client that believes the limit is 100 calls a second,
    10 at a time; what each create gave, and the client (its counters and throttle)."""
    throttle = Throttle(calls=100, window_s=1.0, concurrency=10)
    async with BooksClient.for_sandbox(sandbox.url, sandbox.transport, throttle) as client:
        return await create_all(client, names), client


@pytest.mark.slow
async def test_the_client_at_the_limit_trips_no_429(make_sandbox) -> None:
    sandbox = make_sandbox(rate_limit=100, rate_window_s=1.0, concurrency=10)
    names = [f"At Limit {i:03d}" for i in range(150)]
    results, client = await create_believing_100_a_second(sandbox, names)
    assert all(isinstance(r, dict) and r["contact_id"] for r in results)
    assert client.counters.rate_limited == 0
    assert client.counters.calls == 150
    assert sorted(n for n in contact_names(sandbox.db_path) if n.startswith("At Limit")) == names


@pytest.mark.slow
async def test_a_lower_limit_than_believed_is_learned_with_few_429s(make_sandbox) -> None:
    sandbox = make_sandbox(rate_limit=60, rate_window_s=1.0, concurrency=10)
    names = [f"Lower Limit {i:03d}" for i in range(200)]
    results, client = await create_believing_100_a_second(sandbox, names)
    counters = client.counters
    assert all(isinstance(r, dict) for r in results), [r for r in results if not isinstance(r, dict)][:3]
    assert 0 < counters.rate_limited < 0.05 * counters.calls
    assert counters.retries >= counters.rate_limited  # each refusal was retried
    assert counters.calls == 200 + counters.retries
    assert client.throttle.calls == 60
    saved = [n for n in contact_names(sandbox.db_path) if n.startswith("Lower Limit")]
    assert sorted(saved) == names


@pytest.mark.slow
async def test_faults_end_in_success_clean_error_or_in_doubt_and_nothing_is_sent_twice(make_sandbox) -> None:
    sandbox = make_sandbox(rate_limit=100_000, concurrency=1_000, fail_rate=0.10, drop_rate=0.05,
                           token_uses=50, latency_ms=20, latency_jitter_ms=10, seed=7)
    throttle = Throttle(calls=100_000, window_s=60.0, concurrency=10)
    names = [f"Faulty {i:03d}" for i in range(300)]
    async with BooksClient.for_sandbox(sandbox.url, sandbox.transport, throttle,
                                       retry=RetryPolicy(base_s=0.002, cap_s=0.02)) as client:
        results = await create_all(client, names)
    counters = client.counters

    ok = {n for n, r in zip(names, results, strict=True) if isinstance(r, dict)}
    doubt = {n for n, r in zip(names, results, strict=True) if isinstance(r, InDoubt)}
    failed = {n for n, r in zip(names, results, strict=True) if isinstance(r, ZohoError) and n not in doubt}
    assert len(ok) + len(doubt) + len(failed) == 300
    assert doubt, "the drop fault should have lost some answers"
    assert counters.retries == 0, "a write answered 5xx is in doubt, never resent"

    saved = [n for n in contact_names(sandbox.db_path) if n.startswith("Faulty")]
    assert len(saved) == len(set(saved)), "a contact was created twice"
    assert ok <= set(saved)
    assert not failed & set(saved)
    # the drop fault commits before it drops the answer; a 500/503 before any work saved nothing,
    # and the client cannot tell the two apart, so both are in doubt
    assert set(saved) - ok <= doubt
    assert doubt - set(saved), "the 500/503 fault should have left unsaved writes in doubt"

    # exactly one refresh per expired token, with ten requests in flight
    assert counters.most_in_flight == 10
    used = counters.calls - counters.unauthorized
    assert counters.refreshes == math.ceil(used / 50)
    assert counters.unauthorized >= counters.refreshes - 1


async def test_reads_survive_faults_and_walk_every_page(make_sandbox) -> None:
    sandbox = make_sandbox(rate_limit=100_000, concurrency=1_000, token_uses=7, seed=3)
    throttle = Throttle(calls=100_000, window_s=60.0, concurrency=10)
    names = [f"Paged {i:03d}" for i in range(450)]
    async with BooksClient.for_sandbox(sandbox.url, sandbox.transport, throttle,
                                       retry=RetryPolicy(base_s=0.001, cap_s=0.01, attempts=10)) as client:
        results = await create_all(client, names)
        assert all(isinstance(r, dict) for r in results)
        sandbox.settings.fail_rate = 0.2  # the faults hit the reads only (a write answered 5xx is in doubt)
        listed = [c async for c in client.list("contacts", contact_name_startswith="Paged")]
    assert sorted(c["contact_name"] for c in listed) == names


async def test_quota_spent_on_the_sandbox_is_refused_locally(make_sandbox) -> None:
    sandbox = make_sandbox(rate_limit=100_000, concurrency=1_000, daily_quota=5)
    throttle = Throttle(calls=100_000, window_s=60.0, concurrency=1)
    async with BooksClient.for_sandbox(sandbox.url, sandbox.transport, throttle) as client:
        for _ in range(5):
            await client.list_page("taxes")
        assert client.counters.quota_remaining == 0
        with pytest.raises(ZohoError) as spent:
            await client.list_page("taxes")
    assert str(spent.value).startswith("daily quota spent, resets in ")
    assert client.counters.calls == 5  # refused without sending


async def test_live_sandbox_over_real_http(live_sandbox) -> None:
    throttle = Throttle(calls=100_000, window_s=60.0, concurrency=10)
    async with BooksClient.for_sandbox(live_sandbox.url, throttle=throttle) as client:
        organizations = await client.organizations()
        created = await client.create("contacts", {"contact_name": "Over HTTP"})
        fetched = await client.get("contacts", created["contact_id"])
        with pytest.raises(ZohoError) as missing:
            await client.get("contacts", "460000000099999")
    assert organizations[0]["organization_id"] == "10234695"
    assert fetched["contact_name"] == "Over HTTP"
    assert missing.value.status == 404 and missing.value.code == 1002


async def test_answers_dropped_over_real_tcp_are_in_doubt(make_live_sandbox) -> None:
    live = make_live_sandbox(rate_limit=100_000, concurrency=1_000, drop_rate=0.3, fail_rate=0.1, seed=11)
    throttle = Throttle(calls=100_000, window_s=60.0, concurrency=5)
    names = [f"Over TCP {i:02d}" for i in range(40)]
    async with BooksClient.for_sandbox(live.url, throttle=throttle,
                                       retry=RetryPolicy(base_s=0.002, cap_s=0.02)) as client:
        results = await create_all(client, names)
    ok = {n for n, r in zip(names, results, strict=True) if isinstance(r, dict)}
    doubt = {n for n, r in zip(names, results, strict=True) if isinstance(r, InDoubt)}
    assert doubt and ok and len(ok) + len(doubt) == 40
    saved = [n for n in contact_names(live.db_path) if n.startswith("Over TCP")]
    assert len(saved) == len(set(saved))
    assert ok <= set(saved) and set(saved) - ok <= doubt
