"""How a cleanup ended: counts per outcome, the exit code, and the per-row report beside the sheet (or in the data folder)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.jobs.journal import Entry, State
from app.jobs.outcomes import StopReason, stop_words
from app.jobs.outcomes import exit_code as exit_codes
from app.jobs.report import ReportPaths, RowResult, report_folder, report_stem, write_report
from app.jobs.result import EntityRunResult
from app.private import data_dir
from app.sheets import SheetError

if TYPE_CHECKING:
    from app.jobs.cleanup.job import CleanupJob

# After the operation's own outcome (deleted, voided...), in the order every summary lists them.
OTHERS = ("unchanged", "skipped", "not_sent", "invalid", "failed", "in_doubt")


@dataclass(kw_only=True)
class CleanupResult(EntityRunResult):
    """What a cleanup run did: counts per outcome (the operation's own first), calls, report, exit code."""

    records: int
    limit: int | None = None

    def summary(self) -> dict[str, Any]:
        """The `--json` object: import's keys, with the operation's outcome (deleted, voided...) as a count."""
        return {"job_id": self.job_id, "entity": self.entity, "operation": self.operation,
                "rows": self.rows, "documents": self.records, **self.counts, "calls": self.calls,
                "elapsed_s": round(self.elapsed_s, 2), "report": str(self.report),
                "report_csv": str(self.report_csv), "stopped": self.stopped, "limit": self.limit,
                "dry_run": self.dry_run, "message": self.message or None}


def outcome_of(e: Entry) -> str:
    if e.state in (State.IN_DOUBT, State.SENT):
        return "in_doubt"
    if e.state == State.PENDING:
        return "not_sent"
    return e.outcome or "failed"


def row_result(e: Entry, stopped: str | None, limited: bool, job_id: str) -> RowResult:
    outcome = outcome_of(e)
    message = e.message
    if outcome == "in_doubt":
        message = ("Zoho's answer was lost and the record could not be read back yet; run the same job again "
                   f"(--resume {job_id}) to settle it: it is read back, never sent twice")
    elif outcome == "not_sent":
        why = stop_words(StopReason.LIMIT if limited and not stopped else stopped)
        message = f"not sent: {why}; resume the job (--resume {job_id}) to send it"
    return RowResult(outcome.replace("_", " "), zoho_id=e.zoho_id, number=e.number, message=message,
                     http_status=e.http_status, zoho_code=e.zoho_code, attempts=e.attempts)


async def finish(job: CleanupJob) -> CleanupResult:
    """Count, write the report, record how the job ended and choose the exit code."""
    assert job.journal is not None
    journal, s, op = job.journal, job.settings, job.op
    entries = journal.entries()
    stopped = job.control.stop_reason if job.control.cancelled else None
    limited = job.limited > 0
    tally = Counter(outcome_of(e) for e in entries)
    counts = {key: tally.get(key, 0) for key in (op.done, *OTHERS)}
    empty: list[int] = journal.get("empty") or []
    counts["skipped"] += len(empty)  # sheet rows naming no record, and records an undo left alone
    results: list[RowResult] = [RowResult("skipped", message="empty: no record named")] * len(job.rows)
    for e in entries:
        result = row_result(e, stopped, limited, job.job_id)
        for r in e.rows:
            results[r] = result
    lookups, writes = job.calls
    counter = job.client.counters if job._client is not None else None
    calls = {"total": lookups + writes, "lookup": lookups, "write": writes,
             "retries": counter.retries if counter else 0, "rate_limited": counter.rate_limited if counter else 0}
    exit_code = exit_codes(stopped=stopped, writes=writes + counts["in_doubt"],
                           unfinished=counts["not_sent"] + counts["in_doubt"], refused=counts["failed"] + counts["invalid"])
    message = str(job._stop_error) if job._stop_error is not None else "the run was cancelled" if stopped else ""
    if limited and not stopped:
        message = (f"--limit {s.limit} reached: {counts['not_sent']} not sent; resume the job "
                   f"(--resume {job.job_id}) to send them")
    elapsed = time.monotonic() - job._started
    summary: list[tuple[str, object]] = [
        ("Job", job.job_id), ("File", str(s.file) if s.file else "(a filter)"),
        ("Record type", s.entity), ("Operation", op.name),
        ("Target", s.target.name if s.target else ""), ("Dry run", "yes" if s.dry_run else "no"),
        ("Finished at", datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")),
        ("Stopped early", message or "no"), ("Records", len(entries)), ("Rows", len(job.rows)),
        *[(k.replace("_", " ").capitalize(), v) for k, v in counts.items()],
        ("Calls", calls["total"]), ("Lookup calls", lookups), ("Write calls", writes),
        ("Elapsed (s)", round(elapsed, 1)),
    ]
    paths = await asyncio.to_thread(_write, job, results, summary)
    if not s.dry_run:
        status = "finished" if exit_code in (0, 1) else "stopped" if stopped or limited else "unsettled"
        for name, value in (("status", status), ("report", str(paths.xlsx)), ("report_csv", str(paths.csv)),
                            ("stopped", message or None)):
            await journal.write(journal.set, name, value)
    return CleanupResult(
        job_id=job.job_id, entity=s.entity, operation=op.name, rows=len(job.rows), records=len(entries),
        counts=counts, calls=calls, elapsed_s=elapsed, report=paths.xlsx, report_csv=paths.csv,
        failed_rows=paths.failed, exit_code=exit_code, stopped=stopped or (StopReason.LIMIT if limited else None),
        message=message, dry_run=s.dry_run, limit=s.limit)


def _write(job: CleanupJob, results: list[RowResult], summary: list[tuple[str, object]]) -> ReportPaths:
    """Beside the sheet (or in --report-dir; a filter run's in the data folder); under the data folder when
    that place cannot be written: the calls were made, so their report must not be lost."""
    s, op = job.settings, job.op
    source = Path(str(job.journal.get("file"))) if job.journal and job.journal.get("file") else None
    if source is not None:
        folder = Path(s.report_dir or report_folder(source))
        stem = report_stem(source, job.job_id)
    else:
        folder = Path(s.report_dir or data_dir() / "reports")
        stem = f"{s.entity}-{op.name}.report-{job.job_id}"
    stem += ".dry-run" if s.dry_run else ""
    suffix = ".csv" if source is not None and source.suffix.lower() in (".csv", ".tsv", ".txt") else ".xlsx"
    statuses = (op.done_words, *(o.replace("_", " ") for o in OTHERS))

    def write(where: Path) -> ReportPaths:
        return write_report(headers=job.headers, rows=job.rows, results=results, summary=summary,
                            out_dir=where, stem=stem, failed_suffix=suffix, statuses=statuses)

    try:
        return write(folder)
    except (SheetError, OSError):
        return write(data_dir() / "reports")

