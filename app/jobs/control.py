"""Pause, resume and cancel for a running job, shared by import, export and CRM conversion."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from app.errors import STOPPED_EARLY, ZohoBulkError
from app.jobs.errors import JobError
from app.jobs.journal import Journal
from app.jobs.outcomes import StopReason
from app.jobs.progress import Progress, ProgressCallback, ProgressMeter
from app.zoho import QuotaSpent, ZohoError

ClientT = TypeVar("ClientT", bound=AbstractAsyncContextManager[Any])
T = TypeVar("T")


class Cancelled(ZohoBulkError):
    """Raised inside a job's workers when the user cancelled the run."""

    exit_code = STOPPED_EARLY


class RunControl:
    """Workers call `await control.checkpoint()` before taking new work; the UI calls pause/resume/cancel.

    In-flight requests are never interrupted: cancel stops new work and lets every
    request already out come back, so no journal entry is left ambiguous.
    """

    def __init__(self) -> None:
        self._running = asyncio.Event()
        self._running.set()
        self._halt: asyncio.Future[None] | None = None  # done while paused or once cancelled
        self._cancelled = False
        self.stop_reason: StopReason | None = None

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def pause(self) -> None:
        if not self._cancelled:
            self._running.clear()
            self._halt_now()

    def resume(self) -> None:
        self._running.set()
        if not self._cancelled:
            self._halt = None  # the next wait gets a signal of its own

    def cancel(self, reason: StopReason = StopReason.CANCELLED) -> None:
        if not self._cancelled:
            self._cancelled = True
            self.stop_reason = reason
        self._halt_now()
        self._running.set()

    async def checkpoint(self) -> None:
        """Wait while paused; raise Cancelled once cancel() was called."""
        if self._cancelled:
            raise Cancelled(self.stop_reason or StopReason.CANCELLED)
        if not self._running.is_set():
            await self._running.wait()
            if self._cancelled:
                raise Cancelled(self.stop_reason or StopReason.CANCELLED)

    @property
    def halted(self) -> bool:
        return self._cancelled or not self._running.is_set()

    def _halt_now(self) -> None:
        if self._halt is not None and not self._halt.done():
            self._halt.set_result(None)

    def _halt_signal(self) -> asyncio.Future[None]:
        """One future all waits share, done once the run pauses or is cancelled."""
        if self._halt is None:
            self._halt = asyncio.get_running_loop().create_future()
            if self.halted:
                self._halt.set_result(None)
        return self._halt

    async def unless_halted(self, start: Callable[[], Awaitable[T]], give_back: Callable[[T], None]) -> T:
        """What `start()` waits for (a turn of the throttle), unless the run pauses or is cancelled first.

        A pause drops the wait (and gives back what it got, with `give_back`), waits for the resume
        and starts again; a cancel drops it and raises Cancelled. So nothing waiting here goes out
        after a pause or a cancel, however long its wait was.
        """
        while True:
            await self.checkpoint()
            waiting = asyncio.ensure_future(start())
            waited = False
            try:
                await asyncio.wait((waiting, self._halt_signal()), return_when=asyncio.FIRST_COMPLETED)
                waited = True
            finally:
                if not waiting.done():
                    waiting.cancel()
                    await asyncio.gather(waiting, return_exceptions=True)
                got = not waiting.cancelled() and waiting.exception() is None
                if got and (self.halted or not waited):
                    give_back(waiting.result())
                    got = False
            if got:
                return waiting.result()
            error = None if waiting.cancelled() else waiting.exception()
            if error is not None:
                raise error


class ControlledJob(Generic[ClientT]):
    """What import, export and CRM conversion share: pause/resume/cancel, progress events and the client.

    A subclass sets `_meter` when its run starts and calls `_emit()` whenever the progress changed.
    """

    def __init__(self, client: ClientT | None) -> None:
        self.control = RunControl()
        self._client = client
        self._stack = contextlib.AsyncExitStack()
        self._meter: ProgressMeter | None = None
        self._on_progress: ProgressCallback | None = None
        self._stop_error: ZohoError | None = None
        self._started = time.monotonic()
        self.journal: Journal | None = None
        self._calls_out: set[asyncio.Task[Any]] = set()

    def _open_journal(self, job_id: str, *, dry_run: bool) -> Journal:
        """Open (or create) the job's journal and claim it for this run (a dry run keeps one in memory only);
        JobError when another terminal or window runs the job."""
        self.journal = Journal(":memory:") if dry_run else Journal.open(job_id)
        if not dry_run and not self.journal.claim():
            self.journal.close()
            self.journal = None
            raise JobError(f"Job {job_id} is already running (in another terminal or window); "
                           "let it finish or stop it, then run this again.")
        return self.journal

    def pause(self) -> None:
        if not self.control.paused and not self.control.cancelled:
            self.control.pause()
            self._emit()

    def resume(self) -> None:
        if self.control.paused:
            self.control.resume()
            self._emit()

    def cancel(self) -> None:
        if not self.control.cancelled:
            self.control.cancel(StopReason.CANCELLED)
            self._emit()

    @property
    def client(self) -> ClientT:
        if self._client is None:
            raise RuntimeError("the job is not connected")
        return self._client

    async def connect(self) -> ClientT:
        """Open the job's client on its target, once; closed by close()."""
        if self._client is not None:
            return self._client
        client: ClientT = await self._stack.enter_async_context(self._new_client())
        self._client = client
        return client

    def _new_client(self) -> ClientT:
        """A client on the job's target, or the job's own error when there is no target."""
        raise NotImplementedError

    def _call_out(self, request: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Start one request as a task of the job's own: its outcome is always retrieved, and
        close() ends it before the client closes, even when the worker awaiting it was stopped
        at once (a second Ctrl-C) and no longer will."""
        task = asyncio.ensure_future(request)
        self._calls_out.add(task)
        task.add_done_callback(_retrieved)
        task.add_done_callback(self._calls_out.discard)
        return task

    async def _end_calls_out(self) -> None:
        """Cancel the requests nobody awaits any more and wait for them to end (their rows stay
        "sent" in the journal, to be looked up when the job resumes)."""
        left = [task for task in self._calls_out if not task.done()]
        for task in left:
            task.cancel()
        if left:
            await asyncio.wait(left)

    async def close(self) -> None:
        """End the requests left out, close the client, then the journal, even when closing is cancelled.

        The journal closes on a worker thread: closing drains its writes and checkpoints the
        write-ahead log into the file, an fsync the GUI's event loop must not wait on.
        """
        try:
            try:
                await self._end_calls_out()
            finally:
                await self._stack.aclose()
        finally:
            journal, self.journal = self.journal, None
            if journal is not None:
                await asyncio.to_thread(journal.close)

    def progress(self) -> Progress:
        if self._meter is None:
            return Progress(0, 0, 0, 0, 0.0, None)
        return self._meter.snapshot(paused=self.control.paused)

    def _emit(self) -> None:
        if self._on_progress and self._meter:
            self._on_progress(self.progress())

    async def plan(self) -> object:
        """Count what the run will do and open the journal (each kind plans its own way)."""
        raise NotImplementedError

    async def _plan_then(self, on_progress: ProgressCallback | None, run: Callable[[], Awaitable[T]]) -> T:
        """Plan (when the daily quota runs out, `_quota_spent_planning` says whether to plan again),
        then `run`, and close the client and the journal whatever happens."""
        self._started = time.monotonic()
        self._on_progress = on_progress
        try:
            while True:
                try:
                    await self.plan()
                    break
                except QuotaSpent as exc:
                    if not await self._quota_spent_planning(exc):
                        break
            return await run()
        finally:
            await self.close()

    async def _quota_spent_planning(self, exc: QuotaSpent) -> bool:
        """The daily quota ran out while planning: stop (nothing was sent); True would plan again."""
        self._stop(exc, StopReason.QUOTA)
        return False

    async def _wait_for_quota(self, exc: QuotaSpent) -> bool:
        """Sleep until the daily quota resets (or the run is cancelled); True to go on."""
        if self._meter:
            self._meter.phase = "waiting for quota"
        self._emit()
        while not self.control.cancelled:
            left = (exc.resets_at - datetime.now(UTC)).total_seconds()
            if left <= 0:
                if self._meter:
                    self._meter.phase = "run"
                return True
            await asyncio.sleep(min(left, 1.0))
        return False

    def _stop(self, exc: ZohoError, reason: StopReason) -> None:
        """Zoho refused to go on (quota, sign-in, unreachable): keep the first error and stop new work."""
        if self._stop_error is None:
            self._stop_error = exc
        self.control.cancel(reason)


def _retrieved(task: asyncio.Task[Any]) -> None:
    """Take a finished request's outcome so asyncio never reports it as "never retrieved"; the
    worker that awaits it handles it, and one stopped at once left its row "sent" in the journal."""
    if not task.cancelled():
        task.exception()
