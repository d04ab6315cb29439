"""The throttle every request to one Zoho organization passes through: rate, concurrency and daily quota.

One `Throttle` per organization is shared by every request of the process (`Throttle.shared`).
Before each attempt the caller takes a slot:

* **rate** — attempts are spaced `window_s / calls` apart, and a sliding log of send times
  makes sure no window of `window_s` seconds (plus a small safety margin for network jitter)
  ever holds more than `calls` attempts. The margin is 2% of the window by default, so
  the steady rate is about 98% of the limit and no limit is tripped. `calls` is the limit
  per window; with the default 60 s window it is a limit per minute, and a "compressed
  minute" (100 per 6 s) works the same way; `rate_per_minute` gives either as calls a minute.
* **concurrency** — at most `concurrency` attempts are in flight at once.
* **daily quota** — taken from the `X-Rate-Limit-Limit/-Remaining/-Reset` headers of each
  answer and counted down locally between answers; once spent, `slot()` raises `QuotaSpent`
  ("daily quota spent, resets in HH:MM") without sending anything.

A job that journals each write before it goes out reserves the write's turn first
(`await throttle.reserve()`): the `Turn` holds the next free turn and a seat, the job marks the
document "sent", and the request it sends through `turn.spend(request)` goes out on that turn.

When Zoho still answers 429 for the rate (its limit is lower than we believe), `saw_rate_limit`
lowers `calls` to the number of attempts the window held (at most halving it per refusal,
as a refusal may also come from other users of the organization), so the process learns the
real limit after one or two refusals and keeps it for the rest of its life.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Protocol, TypeVar

from app.zoho.errors import QuotaSpent

log = logging.getLogger("app.zoho")

T = TypeVar("T")


class Clock(Protocol):
    """Where the throttle reads the time and waits; tests inject a fake one."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: `time.monotonic` and `asyncio.sleep`."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


@dataclass
class Attempt:
    """One attempt that holds a slot: when it was sent (monotonic seconds)."""

    sent_at: float


@dataclass
class Counters:
    """Figures for the engine and GUI, updated live by the client that owns them."""

    calls: int = 0
    retries: int = 0
    rate_limited: int = 0
    in_flight: int = 0
    most_in_flight: int = 0
    unauthorized: int = 0
    refreshes: int = 0
    quota_remaining: int | None = None
    quota_resets_at: datetime | None = None
    first_call_at: float | None = None
    last_answer_at: float | None = None
    clock: Clock = field(default_factory=SystemClock, repr=False)

    @property
    def calls_per_minute(self) -> float:
        """Calls made per minute of wall time since the first call of this client (0 before two calls)."""
        if self.first_call_at is None or self.calls < 2:
            return 0.0
        end = self.last_answer_at if self.in_flight == 0 and self.last_answer_at else self.clock.monotonic()
        span = end - self.first_call_at
        return self.calls * 60.0 / span if span > 0 else 0.0


class Turn:
    """A turn reserved ahead of its request: it holds the throttle's gate and a seat until `spend`
    sends the request on it (its first attempt goes at the turn's time) or `give_back` returns it.

    While a turn is held no other request takes a turn, so the one it was reserved for is the next
    to go; a turn is spent by exactly one attempt (a retry of that request takes a turn of its own).
    """

    def __init__(self, throttle: Throttle, gate: asyncio.Lock, seats: asyncio.Semaphore) -> None:
        self.throttle = throttle
        self._gate: asyncio.Lock | None = gate
        self._seats: asyncio.Semaphore | None = seats

    @property
    def held(self) -> bool:
        """Whether no attempt took this turn yet and it was not given back."""
        return self._gate is not None

    async def spend(self, request: Awaitable[T]) -> T:
        """Await `request`, whose first attempt through this turn's throttle goes on this turn."""
        token = _RESERVED.set(self)
        try:
            return await request
        finally:
            _RESERVED.reset(token)
            self.give_back()

    def give_back(self) -> None:
        """Return the gate and the seat when no attempt took them (nothing was sent on this turn)."""
        self._open_gate()
        if self._seats is not None:
            self._seats.release()
            self._seats = None

    def _open_gate(self) -> None:
        if self._gate is not None:
            self._gate.release()
            self._gate = None

    @asynccontextmanager
    async def _attempt(self) -> AsyncIterator[Attempt]:
        """The first attempt of the request: sent at the turn's time; the seat is held until it ends."""
        throttle, seats = self.throttle, self._seats
        try:
            throttle.check_quota()
            await throttle._wait_turn()
            sent_at = throttle._book()
        except BaseException:
            self.give_back()
            raise
        self._open_gate()
        self._seats = None  # the attempt holds the seat now
        try:
            yield Attempt(sent_at)
        finally:
            throttle.in_flight -= 1
            if seats is not None:
                seats.release()


_RESERVED: ContextVar[Turn | None] = ContextVar("reserved_turn", default=None)


class Throttle:
    """Paces requests to one organization: `calls` per `window_s`, `concurrency` at once, a daily quota."""

    _registry: ClassVar[dict[str, Throttle]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        calls: int = 100,
        window_s: float = 60.0,
        concurrency: int = 10,
        daily_quota: int | None = 10_000,
        *,
        safety_s: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        if calls < 1 or window_s <= 0 or concurrency < 1:
            raise ValueError("calls and concurrency must be at least 1 and window_s positive")
        self.calls = calls
        self.window_s = window_s
        self.concurrency = concurrency
        self.daily_quota = daily_quota
        self.safety_s = safety_s if safety_s is not None else max(0.02 * window_s, 0.01)
        self.clock: Clock = clock or SystemClock()
        self.quota_remaining: int | None = None
        self.quota_resets_at: datetime | None = None
        self._quota_deadline: float | None = None
        self.in_flight = 0
        self.sent = 0
        self._log: deque[float] = deque()
        self._last_sent: float | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gate = asyncio.Lock()
        self._seats = asyncio.Semaphore(concurrency)

    @property
    def rate_per_minute(self) -> float:
        """The limit as calls a minute (100 per 6 s is 1,000 a minute)."""
        return self.calls * 60.0 / self.window_s

    @classmethod
    def shared(cls, key: str, **limits: object) -> Throttle:
        """The process-wide throttle for `key` (API root + organization ID), made with `limits` on first use."""
        with cls._registry_lock:
            throttle = cls._registry.get(key)
            if throttle is None:
                throttle = cls(**limits)  # type: ignore[arg-type]  # the limits are Throttle's own keywords
                cls._registry[key] = throttle
            return throttle

    @classmethod
    def forget_all(cls) -> None:
        """Drop every shared throttle (a new process state, for tests)."""
        with cls._registry_lock:
            cls._registry.clear()

    # --- slots -------------------------------------------------------------------------------

    def _primitives(self) -> tuple[asyncio.Lock, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # asyncio primitives belong to one loop; a new loop gets new ones
            self._loop = loop
            self._gate = asyncio.Lock()
            self._seats = asyncio.Semaphore(self.concurrency)
        return self._gate, self._seats

    async def _enter(self, early_s: float) -> tuple[asyncio.Lock, asyncio.Semaphore]:
        """Take the gate, then a seat, then wait until `early_s` before the next free turn (the gate and
        the seat stay taken). The gate comes first so that no one waiting for a turn holds a seat."""
        gate, seats = self._primitives()
        await gate.acquire()
        try:
            await seats.acquire()
            try:
                await self._wait_turn(early_s)
            except BaseException:
                seats.release()
                raise
        except BaseException:
            gate.release()
            raise
        return gate, seats

    def _book(self) -> float:
        """Count an attempt sent now; its send time."""
        sent_at = self.clock.monotonic()
        self._log.append(sent_at)
        self._last_sent = sent_at
        self.sent += 1
        self.in_flight += 1
        if self.quota_remaining is not None:
            self.quota_remaining -= 1
        return sent_at

    async def reserve(self, early_s: float = 0.0) -> Turn:
        """Wait for a seat and the next free turn (returning up to `early_s` before it) and hold both
        for one request, sent later through `Turn.spend`; no other request takes a turn meanwhile."""
        gate, seats = await self._enter(early_s)
        return Turn(self, gate, seats)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[Attempt]:
        """Wait for this organization's next free turn, then hold a seat while the attempt is in flight.

        Inside `Turn.spend` the first attempt takes that reserved turn instead of waiting for another.
        """
        turn = _RESERVED.get()
        if turn is not None and turn.throttle is self and turn.held:
            async with turn._attempt() as attempt:
                yield attempt
            return
        self.check_quota()
        gate, seats = await self._enter(0.0)
        try:
            self.check_quota()
            sent_at = self._book()
        except BaseException:
            seats.release()
            raise
        finally:
            gate.release()
        try:
            yield Attempt(sent_at)
        finally:
            self.in_flight -= 1
            seats.release()

    def next_turn_in(self) -> float:
        """Seconds until the next attempt may be sent (0 when it may go now)."""
        now = self.clock.monotonic()
        horizon = now - self.window_s - self.safety_s
        while self._log and self._log[0] <= horizon:
            self._log.popleft()
        earliest = now
        if len(self._log) >= self.calls:
            earliest = max(earliest, self._log[-self.calls] + self.window_s + self.safety_s)
        if self._last_sent is not None:
            earliest = max(earliest, self._last_sent + self.window_s / self.calls)
        return earliest - now

    async def _wait_turn(self, early_s: float = 0.0) -> None:
        while (wait := self.next_turn_in() - early_s) > 0:
            await self.clock.sleep(wait)

    # --- what the answers teach ----------------------------------------------------------------

    def saw_rate_limit(self, attempt: Attempt) -> None:
        """Zoho refused `attempt` for the rate: believe the limit is what the window held before it."""
        start = attempt.sent_at - self.window_s
        held = sum(1 for t in self._log if start < t < attempt.sent_at)
        learned = max(1, held, self.calls // 2)  # at most halve per refusal
        if learned < self.calls:
            log.warning(
                "Zoho refused a request for the rate after %d in %.1f s; lowering the limit from %d to %d",
                held, self.window_s, self.calls, learned,
            )
            self.calls = learned

    def saw_quota(self, limit: int | None, remaining: int | None, reset_s: float | None) -> None:
        """Record the daily quota figures of an answer's `X-Rate-Limit-*` headers."""
        now = self.clock.monotonic()
        if limit is not None and limit > 0:
            self.daily_quota = limit
        new_period = False
        if reset_s is not None and reset_s >= 0:
            deadline = now + reset_s
            new_period = self._quota_deadline is None or deadline > self._quota_deadline + 1.0
            if new_period or deadline < self._quota_deadline:  # type: ignore[operator]  # no deadline: new_period
                self._quota_deadline = deadline
                self.quota_resets_at = datetime.now(UTC) + timedelta(seconds=reset_s)
        if remaining is not None:
            if self.quota_remaining is None or new_period:
                self.quota_remaining = remaining
            else:
                self.quota_remaining = min(self.quota_remaining, remaining)

    def quota_spent(self) -> None:
        """Zoho said the daily quota is spent."""
        self.quota_remaining = 0

    def check_quota(self) -> None:
        """Raise `QuotaSpent` when the daily quota is known to be spent and has not reset yet."""
        if self.quota_remaining is None or self.quota_remaining > 0:
            return
        if self._quota_deadline is not None and self.clock.monotonic() >= self._quota_deadline:
            self.quota_remaining = None  # a new day: the next answer tells the new figures
            return
        resets_at = self.quota_resets_at or (datetime.now(UTC) + timedelta(hours=24))
        raise QuotaSpent(resets_at)
