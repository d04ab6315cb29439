"""The plan shown before a run: documents, calls (lookup pages + writes), today's quota and the ETA at the org's rate."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.jobs.progress import format_duration
from app.mapping.documents import Problem


@dataclass(frozen=True)
class Plan:
    """What a run will cost. `finishes_on` is set when the calls exceed what is left of today's quota."""

    job_id: str
    rows: int
    documents: int  # documents in the file
    invalid: int  # documents that will not be sent (bad cells, unknown names)
    to_send: int  # documents that still need a request
    already_done: int  # settled by an earlier run of this job
    lookup_calls: int  # list pages: reference data and existing records
    write_calls: int
    quota_left: int | None
    daily_quota: int | None
    rate_per_min: float
    eta_s: float
    finishes_on: date | None
    resumed: bool = False
    problems: list[Problem] = field(default_factory=list)  # found while planning (unknown names), pinned to cells
    # how a create whose answer is lost is found again when the sheet gives no key (shown before the run)
    markers: tuple[str, ...] = ()

    @property
    def calls(self) -> int:
        return self.lookup_calls + self.write_calls

    @property
    def fits_today(self) -> bool:
        return self.finishes_on is None

    def lines(self) -> list[str]:
        """The plan in plain words, one fact a line."""
        out = [
            f"Job {self.job_id}{' (resumed)' if self.resumed else ''}: {self.rows} rows, "
            f"{self.documents} documents ({self.invalid} invalid, {self.already_done} already done)",
            f"Calls: {self.calls} ({_count(self.lookup_calls, 'lookup page')}, "
            f"{_count(self.write_calls, 'write')})",
        ]
        if self.quota_left is not None:
            out.append(f"Quota left today: {self.quota_left}"
                       + (f" of {self.daily_quota}" if self.daily_quota else ""))
        out.append(f"Estimated time: {format_duration(self.eta_s)} at {self.rate_per_min:g} calls/min")
        if self.finishes_on:
            out.append(f"More calls than today's quota: the run would finish on "
                       f"{self.finishes_on.isoformat()}")
        out.extend(self.markers)
        return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def estimate(*, job_id: str, rows: int, documents: int, invalid: int, to_send: int,
             already_done: int, lookup_calls: int, write_calls: int, quota_left: int | None,
             daily_quota: int | None, rate_per_min: float, quota_resets_at: datetime | None,
             resumed: bool = False, now: datetime | None = None,
             problems: list[Problem] | None = None) -> Plan:
    """A Plan with its ETA, and the day it finishes when the calls do not fit today's quota."""
    calls = lookup_calls + write_calls
    eta = calls / rate_per_min * 60.0 if rate_per_min > 0 else 0.0
    finishes_on: date | None = None
    if quota_left is not None and calls > quota_left:
        now = now or datetime.now().astimezone()
        resets = quota_resets_at or (now + timedelta(days=1))
        per_day = daily_quota or max(quota_left, 1)
        extra_days = math.ceil((calls - quota_left) / per_day)
        finishes_on = (resets + timedelta(days=extra_days - 1)).date()
    return Plan(job_id=job_id, rows=rows, documents=documents, invalid=invalid, to_send=to_send,
                already_done=already_done, lookup_calls=lookup_calls, write_calls=write_calls,
                quota_left=quota_left, daily_quota=daily_quota, rate_per_min=rate_per_min,
                eta_s=round(eta, 1), finishes_on=finishes_on, resumed=resumed, problems=problems or [])
