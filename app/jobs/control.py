"""Pause, resume and cancel for a running job, shared by import, export and CRM conversion."""

from __future__ import annotations

import asyncio


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
