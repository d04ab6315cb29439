"""How a run of any job kind ended: the figures every kind's result shares (its own add the rest)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(kw_only=True)
class RunResult:
    """Counts per outcome, calls, elapsed time, report paths, the exit code and why the run stopped early."""

    job_id: str
    rows: int
    counts: dict[str, int]
    calls: dict[str, int]
    elapsed_s: float
    report: Path | None
    report_csv: Path | None
    failed_rows: Path | None
    exit_code: int
    stopped: str | None = None  # why the run stopped early: cancelled, quota, auth, unreachable, storm
    message: str = ""


@dataclass(kw_only=True)
class EntityRunResult(RunResult):
    """A run over records of one Zoho Books record type (import, cleanup): that type, the operation, a dry run."""

    entity: str
    operation: str
    dry_run: bool = False
