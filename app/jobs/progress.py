"""Progress events of a running job (done, failed, in flight, rate, ETA) and the CLI's text progress bar."""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Progress:
    """A snapshot the GUI and the CLI draw; all counts are documents (or records for export)."""

    done: int
    failed: int
    in_flight: int
    total: int
    rate_per_min: float
    eta_s: float | None
    last_failure: str | None = None
    paused: bool = False
    phase: str = "run"  # "lookups", "run", "reconcile", "waiting for quota", "finished"
    calls: int = 0
    invalid: int = 0  # of `failed`: refused before sending (a cell to fix), not by Zoho

    @property
    def finished(self) -> int:
        return self.done + self.failed

    @property
    def refused(self) -> int:
        """Failed in the vocabulary's sense (app.jobs.outcomes): Zoho refused them."""
        return self.failed - self.invalid


ProgressCallback = Callable[[Progress], None]


class ProgressMeter:
    """Counts finished documents and measures the rate over a sliding window for the ETA."""

    def __init__(self, total: int, *, done: int = 0, failed: int = 0, invalid: int = 0, window_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.done = done
        self.failed = failed  # invalid ones included
        self.invalid = invalid
        self.in_flight = 0
        self.last_failure: str | None = None
        self.phase = "run"
        self.calls = 0
        self._clock = clock
        self._window_s = window_s
        self._started = clock()
        self._finished_at: deque[float] = deque()

    def started(self) -> None:
        self.in_flight += 1

    def finished(self, *, failed: bool = False, message: str | None = None) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        if failed:
            self.failed += 1
            self.last_failure = message
        else:
            self.done += 1
        self._finished_at.append(self._clock())

    def returned(self) -> None:
        """A request came back without settling its document (answer lost, quota, sign-in)."""
        self.in_flight = max(0, self.in_flight - 1)

    def counted(self, *, failed: bool = False, invalid: bool = False, message: str | None = None) -> None:
        """A document settled without a request (unchanged, skipped, invalid)."""
        self.in_flight += 1
        self.invalid += invalid
        self.finished(failed=failed or invalid, message=message)

    def rate_per_min(self) -> float:
        now = self._clock()
        while self._finished_at and now - self._finished_at[0] > self._window_s:
            self._finished_at.popleft()
        span = min(self._window_s, now - self._started)
        if span <= 0.5 or not self._finished_at:
            return 0.0
        return len(self._finished_at) * 60.0 / span

    def snapshot(self, *, paused: bool = False) -> Progress:
        rate = self.rate_per_min()
        left = self.total - self.done - self.failed
        eta = (left / rate * 60.0) if rate > 0 else None
        return Progress(done=self.done, failed=self.failed, in_flight=self.in_flight,
                        total=self.total, rate_per_min=round(rate, 1),
                        eta_s=None if eta is None else round(eta, 1),
                        last_failure=self.last_failure, paused=paused, phase=self.phase,
                        calls=self.calls, invalid=self.invalid)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "--"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class TextProgressBar:
    """Draws Progress on a text stream: one rewritten line on a terminal, a line every few % otherwise."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_line = ""
        self._last_step = -1
        self._last_draw = 0.0

    def __call__(self, p: Progress) -> None:
        fraction = (p.finished / p.total) if p.total else 1.0
        filled = int(fraction * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        state = " paused" if p.paused else ("" if p.phase == "run" else f" {p.phase}")
        line = (f"[{bar}] {p.finished}/{p.total} failed {p.refused}"
                f"{f' invalid {p.invalid}' if p.invalid else ''} in flight {p.in_flight}"
                f" {p.rate_per_min:.0f}/min ETA {format_duration(p.eta_s)}{state}")
        if self._tty:
            now = time.monotonic()
            if now - self._last_draw < 0.1 and p.finished < p.total:
                return
            self._last_draw = now
            pad = max(0, len(self._last_line) - len(line))
            self.stream.write("\r" + line + " " * pad)
            self.stream.flush()
        else:
            step = int(fraction * 10)
            if step == self._last_step and not state:
                return
            if line == self._last_line:
                return
            self._last_step = step
            self.stream.write(line + "\n")
            self.stream.flush()
        self._last_line = line

    def close(self) -> None:
        if self._tty and self._last_line:
            self.stream.write("\n")
            self.stream.flush()
