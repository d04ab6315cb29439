"""The throttle's spacing, sliding window, concurrency cap, learned limit and daily quota, on a fake clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from app.jobs.control import Cancelled, RunControl
from app.zoho import QuotaSpent, Throttle
from app.zoho.throttle import Turn


class FakeClock:
    """Time that moves only when someone sleeps; sleeps return at once."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


async def send(throttle: Throttle, times: int) -> list[Any]:
    """Take `times` turns through the throttle, one after another; the attempt of each turn."""
    attempts = []
    for _ in range(times):
        async with throttle.slot() as attempt:
            attempts.append(attempt)
    return attempts


def most_in_any_window(times: list[float], window: float) -> int:
    """The most send times any half-open window (t - window, t] holds."""
    best = 0
    start = 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_sends_are_spaced_and_no_window_holds_more_than_the_limit() -> None:
    clock = FakeClock()
    throttle = Throttle(calls=100, window_s=60.0, concurrency=10, clock=clock)
    sent = [attempt.sent_at for attempt in await send(throttle, 350)]

    assert most_in_any_window(sent, 60.0) <= 100
    gaps = [b - a for a, b in zip(sent, sent[1:], strict=False)]
    assert min(gaps) >= 60.0 / 100 - 1e-9
    achieved_per_window = (len(sent) - 1) / (sent[-1] - sent[0]) * 60.0
    assert achieved_per_window >= 97.0


async def test_compressed_minute_works_the_same() -> None:
    clock = FakeClock()
    throttle = Throttle(calls=100, window_s=6.0, clock=clock)
    sent = [attempt.sent_at for attempt in await send(throttle, 600)]
    assert most_in_any_window(sent, 6.0) <= 100
    assert (len(sent) - 1) / (sent[-1] - sent[0]) * 6.0 >= 97.0


async def test_an_idle_client_is_not_held_back() -> None:
    clock = FakeClock()
    throttle = Throttle(calls=100, window_s=60.0, clock=clock)
    async with throttle.slot():
        pass
    clock.now += 30.0  # nothing to do for a while
    assert throttle.next_turn_in() == 0


async def test_at_most_concurrency_attempts_in_flight() -> None:
    clock = FakeClock()
    throttle = Throttle(calls=10_000, window_s=60.0, concurrency=4, clock=clock)
    release = asyncio.Event()
    peak = 0

    async def one() -> None:
        nonlocal peak
        async with throttle.slot():
            peak = max(peak, throttle.in_flight)
            await release.wait()

    tasks = [asyncio.create_task(one()) for _ in range(12)]
    while throttle.in_flight < 4:
        await asyncio.sleep(0)
    for _ in range(20):  # give every other task the chance to (wrongly) enter
        await asyncio.sleep(0)
    assert throttle.in_flight == 4
    release.set()
    await asyncio.gather(*tasks)
    assert peak == 4
    assert throttle.in_flight == 0
    assert throttle.sent == 12


async def test_a_refusal_for_the_rate_lowers_the_limit_to_what_the_window_held() -> None:
    clock = FakeClock()
    throttle = Throttle(calls=100, window_s=1.0, clock=clock)
    attempts = await send(throttle, 61)
    throttle.saw_rate_limit(attempts[60])  # the server let 60 through, refused the 61st
    assert throttle.calls == 60
    sent = [a.sent_at for a in attempts + await send(throttle, 200)]
    assert most_in_any_window(sent[61:], 1.0) <= 60


async def test_spent_quota_is_refused_locally_until_it_resets() -> None:
    clock = FakeClock()
    throttle = Throttle(calls=100, window_s=60.0, daily_quota=1000, clock=clock)
    throttle.saw_quota(1000, 0, 2 * 3600 + 30 * 60)
    with pytest.raises(QuotaSpent) as refused:
        async with throttle.slot():
            pass
    assert str(refused.value) == "daily quota spent, resets in 02:30"
    assert refused.value.resets_at > datetime.now(UTC)
    assert throttle.sent == 0

    clock.now += 2 * 3600 + 30 * 60 + 1
    async with throttle.slot() as attempt:
        assert attempt.sent_at == clock.now


async def test_quota_counts_down_locally_between_answers() -> None:
    clock = FakeClock()
    throttle = Throttle(calls=100, window_s=60.0, clock=clock)
    throttle.saw_quota(10, 3, 600)
    await send(throttle, 3)
    assert throttle.quota_remaining == 0
    with pytest.raises(QuotaSpent):
        async with throttle.slot():
            pass
    # a late answer with an older, higher figure does not give the quota back
    throttle.saw_quota(10, 2, 599)
    assert throttle.quota_remaining == 0


def test_one_throttle_per_organization() -> None:
    Throttle.forget_all()
    a = Throttle.shared("books 127.0.0.1 1", calls=50)
    b = Throttle.shared("books 127.0.0.1 1", calls=70)
    c = Throttle.shared("books 127.0.0.1 2")
    assert a is b and a.calls == 50
    assert c is not a
    Throttle.forget_all()


class HeldClock(FakeClock):
    """A fake clock whose sleeps last until the test lets time go on (`go`); `sleeping` tells one began."""

    def __init__(self) -> None:
        super().__init__()
        self.sleeping = asyncio.Event()
        self.go = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.sleeping.set()
        await self.go.wait()
        await super().sleep(seconds)


async def test_a_reserved_turn_is_taken_by_one_attempt_and_no_other_request_goes_before_it() -> None:
    clock = FakeClock()
    throttle = Throttle(calls=100, window_s=60.0, clock=clock)
    turn = await throttle.reserve()
    other = asyncio.create_task(send(throttle, 1))
    for _ in range(20):  # give the other request every chance to (wrongly) go first
        await asyncio.sleep(0)
    assert throttle.sent == 0 and not other.done()

    async def request_with_a_retry() -> list[Any]:
        return await send(throttle, 2)  # the first attempt on the turn, the retry on a turn of its own

    first, retry = await turn.spend(request_with_a_retry())
    later = (await other)[0]
    assert throttle.sent == 3 and not turn.held
    assert first.sent_at < later.sent_at and first.sent_at < retry.sent_at


async def test_a_turn_given_back_sends_nothing_and_frees_its_seat() -> None:
    clock = FakeClock()
    throttle = Throttle(calls=100, window_s=60.0, concurrency=1, clock=clock)
    turn = await throttle.reserve()
    turn.give_back()
    turn.give_back()  # once is enough; again does nothing
    assert throttle.sent == 0 and throttle.in_flight == 0
    assert len(await send(throttle, 1)) == 1  # the one seat is free again


async def test_cancel_while_waiting_for_a_turn_sends_nothing() -> None:
    clock = HeldClock()
    throttle = Throttle(calls=100, window_s=60.0, concurrency=1, clock=clock)
    await send_with_time_going(clock, throttle)  # the next turn is 0.6 s away: a wait
    control = RunControl()
    waiting = asyncio.create_task(control.unless_halted(throttle.reserve, Turn.give_back))
    await clock.sleeping.wait()
    control.cancel()
    with pytest.raises(Cancelled):
        await waiting
    clock.go.set()
    assert throttle.sent == 1  # only the first request went
    assert len(await send(throttle, 1)) == 1  # the gate and the one seat were given back


async def test_pause_while_waiting_for_a_turn_holds_the_request_until_the_resume() -> None:
    clock = HeldClock()
    throttle = Throttle(calls=100, window_s=60.0, concurrency=1, clock=clock)
    await send_with_time_going(clock, throttle)
    control = RunControl()
    waiting = asyncio.create_task(control.unless_halted(throttle.reserve, Turn.give_back))
    await clock.sleeping.wait()
    control.pause()
    clock.go.set()  # the turn comes while the run is paused
    for _ in range(20):
        await asyncio.sleep(0)
    assert not waiting.done() and throttle.sent == 1
    control.resume()
    turn = await waiting
    await turn.spend(send(throttle, 1))
    assert throttle.sent == 2


async def send_with_time_going(clock: HeldClock, throttle: Throttle) -> None:
    """One request sent at once (the clock is not asked to wait), leaving the next turn ahead."""
    async with throttle.slot():
        pass
    clock.sleeping.clear()
