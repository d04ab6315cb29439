"""The run loop's one step, the same for every job kind: take a turn, mark the item sent, call out, settle the answer.

Exactly once: an item is journalled "sent" (durably) after its turn is reserved and before its
request goes out, and settled after the answer. The turn is the throttle's (`Throttle.reserve`),
taken a moment before it comes so the journal write overlaps the wait; while the item waits for
it, a pause or a cancel takes effect at once (`RunControl.unless_halted`): nothing that waited
for its turn goes out after a cancel.

An answer is settled one of four ways:
- done: Zoho's answer, returned for the job kind to settle with its own outcome;
- failed: Zoho refused the item (settled "failed" here; the refusal is returned for the kind's follow-ups);
- in doubt: the answer was lost (or Zoho answered 5xx to a write), so the kind looks the item up before
  anything is sent again;
- released: refused at the door, before anything was written (the daily quota, the sign-in, Zoho not
  reachable): the item goes back to "pending" and the run stops (or waits for the quota's reset).

Items a stopped or refused run should send again when the job resumes are kept in one journal list
(`keep_to_resend`, `take_resend`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from app.jobs.control import Cancelled, ControlledJob
from app.jobs.journal import Journal, State
from app.jobs.outcomes import StopReason
from app.zoho import AuthError, InDoubt, QuotaSpent, Unreachable, ZohoError
from app.zoho.throttle import Throttle, Turn

T = TypeVar("T")

HAND_OVER_S = 0.05  # an item's turn is taken this long before it comes: its journal write overlaps the wait

RESEND = "resend"  # journal value: the items to send again when the job resumes
EARLIER_RESEND_KEYS = ("storm", "custom_field_refused")  # the same list, in journals of earlier versions


class Throttled(Protocol):
    """A client whose every request passes its organization's throttle."""

    @property
    def throttle(self) -> Throttle: ...


def refused_at_door(exc: ZohoError) -> StopReason | None:
    """The stop reason when Zoho refused a request before anything was written, else None."""
    if isinstance(exc, QuotaSpent):
        return StopReason.QUOTA
    if isinstance(exc, AuthError):
        return StopReason.AUTH
    if isinstance(exc, Unreachable):
        return StopReason.UNREACHABLE
    return None


@dataclass(frozen=True)
class Sent(Generic[T]):
    """Zoho's answer to a write that went out: the job kind settles the item done with it."""

    answer: T


class Sender:
    """Sends one job's items on the throttle's turns, journalled exactly once; see the module's docstring.

    `on_call(kind, n)` counts the calls made ("read" or "write"; -1 takes back a write refused at the door).
    """

    def __init__(self, job: ControlledJob[Any], *, on_call: Callable[[str, int], None],
                 wait_for_quota: bool = False) -> None:
        self.job = job
        self.on_call = on_call
        self.wait_for_quota = wait_for_quota

    async def turn(self) -> Turn:
        """The next turn of the job's throttle, taken unless the run pauses (then after the resume) or is
        cancelled (Cancelled) while it waits."""
        client: Throttled = self.job.client
        throttle = client.throttle
        return await self.job.control.unless_halted(lambda: throttle.reserve(HAND_OVER_S), Turn.give_back)

    def _out(self, turn: Turn, request: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """`request` out on `turn`, as a call of the job's own; the turn is given back however it ends."""
        call = self.job._call_out(turn.spend(request))
        call.add_done_callback(lambda _: turn.give_back())  # also when it was cancelled before it started
        return call

    async def read(self, request: Callable[[], Coroutine[Any, Any, T]]) -> T | None:
        """One read on its turn; None when it never went out (the run was cancelled) or was refused at the
        door (the run stops). Any other refusal is raised."""
        try:
            turn = await self.turn()
        except Cancelled:
            return None
        self.on_call("read", 1)
        try:
            return await self._out(turn, request())
        except ZohoError as exc:
            reason = refused_at_door(exc)
            if reason is None:
                raise
            self.job._stop(exc, reason)
            return None

    async def write(self, index: int, marker: dict[str, Any] | None,
                    request: Callable[[], Coroutine[Any, Any, T]], *, what: str) -> Sent[T] | ZohoError | None:
        """Send item `index`'s write once, journalled "sent" first (with `marker`, how to find it again, if any).

        Returns Zoho's answer (Sent: the caller settles the item done) or Zoho's refusal (settled failed here,
        `what` naming the item in the progress); None when nothing is left to settle: never sent (the
        run was cancelled: it stays pending), released (refused at the door) or in doubt.
        """
        job = self.job
        assert job.journal is not None and job._meter is not None
        journal, meter = job.journal, job._meter
        while True:
            try:
                turn = await self.turn()
            except Cancelled:
                return None  # never sent: the item stays pending
            try:
                meter.started()
                await journal.write(journal.mark_sent, index, marker)
            except BaseException:
                turn.give_back()
                raise
            self.on_call("write", 1)
            job._emit()
            try:
                return Sent(await self._out(turn, request()))
            except InDoubt as exc:
                await journal.write(journal.finish, index, State.IN_DOUBT, None, message=f"answer lost: {exc}",
                                    http_status=exc.status, zoho_code=exc.code)
            except ZohoError as exc:
                reason = refused_at_door(exc)
                if reason is None:
                    await journal.write(journal.finish, index, State.FAILED, "failed", message=exc.message,
                                        http_status=exc.status, zoho_code=exc.code)
                    meter.finished(failed=True, message=f"{what}: {exc.message}")
                    return exc
                await journal.write(journal.release, index)  # refused at the door: nothing was written
                self.on_call("write", -1)
                meter.returned()
                if isinstance(exc, QuotaSpent) and self.wait_for_quota and await job._wait_for_quota(exc):
                    continue
                job._stop(exc, reason)
                return None
            except asyncio.CancelledError:
                raise  # the entry stays "sent" and is reconciled when the job resumes
            except Exception as exc:  # noqa: BLE001 - an unknown failure after sending is a doubt
                await journal.write(journal.finish, index, State.IN_DOUBT, None, message=f"unexpected error: {exc}")
            meter.returned()  # in doubt: not settled yet, counted once reconciled
            job._emit()
            return None


def _add_to_resend(journal: Journal, indexes: Iterable[int]) -> None:
    journal.set(RESEND, sorted({*(journal.get(RESEND) or []), *indexes}))


async def keep_to_resend(journal: Journal, indexes: Iterable[int]) -> None:
    """Keep items to send again when the job resumes (read and written in one step of the journal's writer)."""
    await journal.write(_add_to_resend, journal, list(indexes))


def adopt_earlier_resend_lists(journal: Journal) -> None:
    """A journal of an earlier version kept its items to send again in two lists ("storm" and
    "custom_field_refused"): they join the one list, once, when the job is opened."""
    earlier = [i for key in EARLIER_RESEND_KEYS for i in journal.get(key) or []]
    if earlier:
        _add_to_resend(journal, earlier)
    for key in EARLIER_RESEND_KEYS:
        if journal.get(key) is not None:
            journal.set(key, None)


def take_resend(journal: Journal) -> list[int]:
    """The items to send again, taken off the list (the resumed run sends them)."""
    indexes = [int(i) for i in journal.get(RESEND) or []]
    if indexes:
        journal.set(RESEND, None)
    return indexes
