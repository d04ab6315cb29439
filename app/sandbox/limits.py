"""Per-organization limits: requests per sliding window, concurrent requests and a daily quota."""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field

from app.sandbox.errors import DAILY_QUOTA_SPENT, RATE_LIMITED, TOO_MANY_CONCURRENT, BooksError
from app.sandbox.settings import SandboxSettings


@dataclass
class Usage:
    window: deque[float] = field(default_factory=deque)
    in_flight: int = 0
    day: int = -1
    used_today: int = 0


class Limits:
    """Admits or refuses each Books request of an organization; knows the quota headers."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.lock = threading.Lock()
        self.usage: dict[str, Usage] = {}

    def _usage(self, organization_id: str, now: float) -> Usage:
        usage = self.usage.setdefault(organization_id, Usage())
        day = math.floor(now / self.settings.day_length_s)
        if day != usage.day:
            usage.day = day
            usage.used_today = 0
        return usage

    def enter(self, organization_id: str) -> None:
        """Count one request in, or raise the 429 that refuses it."""
        s = self.settings
        with self.lock:
            now = s.clock()
            usage = self._usage(organization_id, now)
            while usage.window and usage.window[0] <= now - s.rate_window_s:
                usage.window.popleft()
            if usage.used_today >= s.daily_quota:
                raise BooksError(
                    429, DAILY_QUOTA_SPENT,
                    f"You have reached the daily limit of {s.daily_quota} API requests "
                    "for this organization",
                )
            if len(usage.window) >= s.rate_limit:
                raise BooksError(
                    429, RATE_LIMITED,
                    f"You have made more than {s.rate_limit} requests in "
                    f"{s.rate_window_s:g} seconds; please slow down",
                )
            if usage.in_flight >= s.concurrency:
                raise BooksError(
                    429, TOO_MANY_CONCURRENT,
                    f"More than {s.concurrency} requests of this organization are in progress",
                )
            usage.window.append(now)
            usage.in_flight += 1
            usage.used_today += 1

    def leave(self, organization_id: str) -> None:
        with self.lock:
            usage = self.usage.get(organization_id)
            if usage is not None and usage.in_flight > 0:
                usage.in_flight -= 1

    def headers(self, organization_id: str) -> list[tuple[bytes, bytes]]:
        """X-Rate-Limit-Limit/-Remaining/-Reset: the daily quota, what is left, seconds to reset."""
        s = self.settings
        with self.lock:
            now = s.clock()
            usage = self._usage(organization_id, now)
            remaining = max(0, s.daily_quota - usage.used_today)
            reset = max(0, math.ceil((usage.day + 1) * s.day_length_s - now))
        return [
            (b"x-rate-limit-limit", str(s.daily_quota).encode()),
            (b"x-rate-limit-remaining", str(remaining).encode()),
            (b"x-rate-limit-reset", str(reset).encode()),
        ]
