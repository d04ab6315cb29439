"""The knobs of one sandbox: limits, latency, faults and the clock they are measured with."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class SandboxSettings:
    """Limits, latency and faults of one sandbox; every limit applies per organization.

    ``clock`` (seconds, like ``time.time``) and ``day_length_s`` let tests run a daily
    quota out and reset it without waiting a day.
    """

    rate_limit: int = 100
    rate_window_s: float = 60.0
    concurrency: int = 10
    daily_quota: int = 10_000
    latency_ms: float = 0
    latency_jitter_ms: float = 0
    fail_rate: float = 0.0
    drop_rate: float = 0.0
    fail_after_commit_rate: float = 0.0  # writes saved, then answered HTTP 500 (a 5xx write is in doubt)
    token_uses: int = 0
    seed: int = 1234
    day_length_s: float = 86_400.0
    token_ttl_s: float = 3600.0
    token_limit: int = 0  # access tokens per refresh token in token_window_s; 0: no limit (Zoho: 10)
    token_window_s: float = 600.0
    clock: Callable[[], float] = field(default=time.time, repr=False)
