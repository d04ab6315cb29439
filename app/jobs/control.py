"""Pause, resume and cancel for a running job, shared by import, export and CRM conversion."""

from __future__ import annotations

import asyncio
import contextlib
import time
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

from app.jobs.journal import Journal
from app.jobs.progress import Progress, ProgressCallback, ProgressMeter
from app.zoho import ZohoError

ClientT = TypeVar("ClientT", bound=AbstractAsyncContextManager[Any])


class Cancelled(Exception):
    """Raised inside a job's workers when the user cancelled the run."""


class RunControl:
    """Workers call `await control.checkpoint()` before taking new work; the UI calls pause/resume/cancel.

    In-flight requests are never interrupted: cancel stops new work and lets every
    request already out come back, so no journal entry is left ambiguous.
    """

    def __init__(self) -> None:
        self._running = asyncio.Event()
        self._running.set()
        self._cancelled = False
        self.stop_reason: str | None = None

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def pause(self) -> None:
        if not self._cancelled:
            self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self, reason: str = "cancelled") -> None:
        if not self._cancelled:
            self._cancelled = True
            self.stop_reason = reason
        self._running.set()

    async def checkpoint(self) -> None:
        """Wait while paused; raise Cancelled once cancel() was called."""
        if self._cancelled:
            raise Cancelled(self.stop_reason or "cancelled")
        if not self._running.is_set():
            await self._running.wait()
            if self._cancelled:
                raise Cancelled(self.stop_reason or "cancelled")


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
            self.control.cancel("cancelled")
            self._emit()

    @property
    def client(self) -> ClientT:
        if self._client is None:
            raise RuntimeError("the job is not connected")
        return self._client

    async def connect(self) -> ClientT:
        """Open the job's client on its target, once; closed by close()."""
        if self._client is None:
            self._client = await self._stack.enter_async_context(self._new_client())
        return self._client

    def _new_client(self) -> ClientT:
        """A client on the job's target, or the job's own error when there is no target."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close the client, then the journal, even when closing is cancelled.

        The journal closes on a worker thread: closing drains its writes and checkpoints the
        write-ahead log into the file, an fsync the GUI's event loop must not wait on.
        """
        try:
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

    def _stop(self, exc: ZohoError, reason: str) -> None:
        """Zoho refused to go on (quota, sign-in, unreachable): keep the first error and stop new work."""
        if self._stop_error is None:
            self._stop_error = exc
        self.control.cancel(reason)
