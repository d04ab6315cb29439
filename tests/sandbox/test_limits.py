"""Per-organization limits: sliding window, concurrency and daily quota, with quota headers."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.sandbox.conftest import books_client


class Clock:
    """A clock the test moves by hand (the sandbox reads it through its settings)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def quota(answer) -> tuple[int, int, int]:
    h = answer.headers
    return int(h["x-rate-limit-limit"]), int(h["x-rate-limit-remaining"]), int(h["x-rate-limit-reset"])


async def test_burst_over_the_window_gets_exactly_the_allowed_count(make_sandbox) -> None:
    clock = Clock()
    sandbox = make_sandbox(rate_limit=10, rate_window_s=1.0, daily_quota=1000, clock=clock)
    async with books_client(sandbox, sandbox.token()) as client:
        answers = await asyncio.gather(*(client.get("/contacts") for _ in range(25)))
        statuses = [a.status_code for a in answers]
        assert statuses.count(200) == 10
        assert statuses.count(429) == 15
        for a in answers:
            if a.status_code == 429:
                assert a.json()["code"] == 44
                assert "10 requests" in a.json()["message"]
        day_end = (int(clock.now // 86_400) + 1) * 86_400
        remaining = sorted(quota(a)[1] for a in answers if a.status_code == 200)
        assert remaining == list(range(990, 1000))
        for a in answers:
            limit, left, reset = quota(a)
            assert limit == 1000 and reset == day_end - int(clock.now)
            if a.status_code == 429:
                assert left == 990  # refused requests do not spend the quota
        # the window slides: a second later the organization may send again
        clock.now += 1.0
        again = await client.get("/contacts")
        assert again.status_code == 200 and quota(again)[1] == 989


async def test_sequential_requests_fill_the_window_then_refuse(make_sandbox) -> None:
    clock = Clock()
    sandbox = make_sandbox(rate_limit=3, rate_window_s=60.0, clock=clock)
    async with books_client(sandbox, sandbox.token()) as client:
        statuses = []
        for _ in range(4):
            statuses.append((await client.get("/items")).status_code)
            clock.now += 10
        assert statuses == [200, 200, 200, 429]
        clock.now += 21  # the first request left the 60 s window
        assert (await client.get("/items")).status_code == 200


@pytest.mark.slow
async def test_request_over_the_concurrency_limit_is_refused(make_sandbox) -> None:
    # every request is held 300 ms inside the server, so all three are in flight together
    sandbox = make_sandbox(concurrency=2, latency_ms=300)
    async with books_client(sandbox, sandbox.token()) as client:
        answers = await asyncio.gather(*(client.get("/contacts") for _ in range(3)))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 200, 429]
        [over] = [a for a in answers if a.status_code == 429]
        assert over.json()["code"] == 46
        # once they are done the slots are free again
        assert [(await client.get("/contacts")).status_code for _ in range(2)] == [200, 200]


async def test_daily_quota_runs_out_and_resets(make_sandbox) -> None:
    clock = Clock(now=10_050.0)
    sandbox = make_sandbox(daily_quota=3, day_length_s=100.0, clock=clock)
    async with books_client(sandbox, sandbox.token()) as client:
        answers = [await client.get("/contacts") for _ in range(3)]
        assert [quota(a)[1] for a in answers] == [2, 1, 0]
        spent = await client.get("/contacts")
        assert spent.status_code == 429 and spent.json()["code"] == 45
        assert quota(spent) == (3, 0, 50)
        write = await client.post("/contacts", json={"contact_name": "Too late"})
        assert write.status_code == 429
        clock.now = 10_100.0  # the next quota day begins
        fresh = await client.get("/contacts")
        assert fresh.status_code == 200
        assert quota(fresh) == (3, 2, 100)
        assert "Too late" not in {c["contact_name"] for c in fresh.json()["contacts"]}


async def test_every_books_answer_carries_quota_headers(make_sandbox) -> None:
    sandbox = make_sandbox()
    async with books_client(sandbox, sandbox.token()) as client:
        for answer in (await client.get("/contacts"), await client.get("/contacts/1"),
                       await client.get("/no-route"), await client.post("/contacts", json={})):
            assert quota(answer)[0] == 10_000
    async with books_client(sandbox, "wrong-token") as client:
        unauthorized = await client.get("/contacts")
        assert unauthorized.status_code == 401 and quota(unauthorized)[1] == 9996


async def test_limits_are_per_organization_and_books_only(make_sandbox) -> None:
    sandbox = make_sandbox(rate_limit=1, clock=Clock())
    token = sandbox.token()
    async with books_client(sandbox, token) as client:
        assert (await client.get("/contacts")).status_code == 200
        assert (await client.get("/contacts")).status_code == 429
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=sandbox.url,
                                 headers={"Authorization": f"Zoho-oauthtoken {token}"}) as client:
        crm = await client.get("/crm/v8/Quotes", params={"fields": "Subject"})
        assert crm.status_code == 200 and "x-rate-limit-limit" not in crm.headers
