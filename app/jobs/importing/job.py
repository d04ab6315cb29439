"""The import job: read and map the file, resolve names once, plan, send each document once, journal, report.

    job = ImportJob(JobSettings(file, "salesorders", target=target))
    plan = await job.plan()
    result = await job.run(on_progress)      # job.pause() / job.resume() / job.cancel()

Its steps live beside it: loading (read, map, open the journal), deciding (each document's one
request), writing (send it through the core's run loop step, app/jobs/sending.py), reconciling
(answers lost) and results (the report).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.jobs.catalog import Catalog
from app.jobs.errors import JobError
from app.jobs.importing.changes_file import ChangesSummary, plan_preview
from app.jobs.importing.deciding import ImportDeciding
from app.jobs.importing.loading import ImportLoading, fingerprint
from app.jobs.importing.reconciling import ImportReconciling
from app.jobs.importing.results import ImportResults
from app.jobs.importing.state import JobSettings
from app.jobs.journal import State
from app.jobs.outcomes import ORDER, Outcome, already_done
from app.jobs.plan import Plan, estimate
from app.jobs.pool import run_pool
from app.jobs.progress import ProgressCallback, ProgressMeter
from app.jobs.result import EntityRunResult
from app.jobs.sending import take_resend
from app.zoho import AuthError, MissingScope, QuotaSpent, Unreachable, ZohoError


@dataclass(kw_only=True)
class JobResult(EntityRunResult):
    """How an import ended: counts per outcome (of documents), calls, report paths and the CLI's exit code."""

    documents: int
    report_note: str = ""  # where the report went when its folder could not take it
    changes: ChangesSummary | None = None  # a dry run of an update: what it would change (FILE.changes-JOB.xlsx)

    def summary(self) -> dict[str, Any]:
        """The object `import --json` prints: the job, the counts per outcome, the calls and the report."""
        c = self.counts
        return {
            "job_id": self.job_id, "entity": self.entity, "operation": self.operation,
            "rows": self.rows, "documents": self.documents,
            **{o.value: c.get(o.value, 0) for o in ORDER},  # one key per outcome, "not_sent" among them
            "calls": self.calls, "elapsed_s": round(self.elapsed_s, 1),
            "report": str(self.report) if self.report else None,
            "report_csv": str(self.report_csv) if self.report_csv else None,
            **({"changes": self.changes.as_json()} if self.changes else {}),
        }


class ImportJob(ImportLoading, ImportDeciding, ImportReconciling, ImportResults):
    """One import of one sheet into one organization; resumable through its journal."""

    async def plan(self) -> Plan:
        """Read, map, list what the run needs (names, existing records) and count the calls left."""
        if self._plan is not None:
            return self._plan
        # Reading and validating a big sheet takes seconds: off the event loop (the GUI's).
        prepared = self.prepared if self.prepared is not None else await asyncio.to_thread(self.load)
        assert self.journal is not None and self.facts is not None and self.mapping is not None
        if self._resumed and not self.settings.dry_run:
            retried = [int(name.split(".", 1)[1]) for name in self.journal.values()
                       if name.startswith("problems.")]
            retried += take_resend(self.journal)  # refused alike, or for a custom field: the user fixed the cause
            self.journal.retry_unsettled_failures(retried)
        client = await self.connect()
        self.catalog = Catalog(client, on_call=_weakly(self._count_lookup))
        work, decider, entities = await asyncio.to_thread(self._survey, prepared)
        try:
            await self.catalog.load(sorted(entities))
        except AuthError as exc:
            raise JobError(str(exc) if isinstance(exc, MissingScope) else f"Signing in failed: {exc}") from None
        except QuotaSpent:
            raise
        except ZohoError as exc:
            raise JobError(f"Zoho could not list the reference data: {exc}") from None
        # Deciding 20,000 documents and counting what they cost takes seconds of CPU and no I/O:
        # off the event loop (the GUI's).
        counts, writes, reconcile, invalid, problems = await asyncio.to_thread(self._decide_all, work, decider)
        self.preview = await asyncio.to_thread(plan_preview, self.mapping, self.catalog, decider, self._decisions,
                                               self.table, self._documents)
        throttle = client.throttle
        self._plan = estimate(
            job_id=self.job_id, rows=prepared.rows, documents=len(prepared.documents),
            invalid=invalid, to_send=writes,
            already_done=already_done(counts),
            lookup_calls=self._lookup_calls + reconcile, write_calls=writes,
            quota_left=throttle.quota_remaining, daily_quota=throttle.daily_quota,
            rate_per_min=throttle.rate_per_minute,
            quota_resets_at=throttle.quota_resets_at, resumed=self._resumed, problems=problems)
        self._plan = dataclasses.replace(self._plan, markers=self._markers_shown()
                                         + (self.preview.plan_lines() if self.preview else ()))
        return self._plan

    # --- the run ---

    async def run(self, on_progress: ProgressCallback | None = None) -> JobResult:
        """Send every document still to do; returns when all are settled, or the run stopped."""
        return await self._plan_then(on_progress, self._run)

    async def _quota_spent_planning(self, exc: QuotaSpent) -> bool:
        if self.settings.wait_for_quota and await self._wait_for_quota(exc):
            return True  # the quota was reset: plan again
        return await super()._quota_spent_planning(exc)

    async def _run(self) -> JobResult:
        assert self.journal is not None and self.prepared is not None
        journal = self.journal
        total = len(self.prepared.documents)
        counts = journal.states()
        self._meter = ProgressMeter(
            total, done=counts.get(State.DONE, 0),
            failed=counts.get(State.FAILED, 0), invalid=journal.counts().get(Outcome.INVALID, 0))
        self._meter.calls = self._lookup_calls
        if self._input_pending is not None:  # before anything is sent: a resumed run reads the fixes from it
            await asyncio.to_thread(self.keep_input_table)
        await journal.write(journal.interrupted_to_in_doubt)
        await journal.write(journal.set, "status", "running")
        self._emit()
        if not self.control.cancelled:
            for e in journal.entries(State.PENDING):
                d = self._decisions.get(e.index)
                if d is not None and not d.writes:
                    await self._settle_without_call(e.index, d)
            doubtful = [e.index for e in journal.entries(State.IN_DOUBT)]
            if doubtful:
                self._meter.phase = "reconcile"
                await run_pool(doubtful, lambda i: self._reconcile(i, resend=True),
                               workers=self._workers(), control=self.control)
                self._meter.phase = "run"
            todo = [e.index for e in journal.entries(State.PENDING) if e.index in self._decisions]
            await run_pool(todo, self._send, workers=self._workers(), control=self.control)
            # Answers lost during this run: look them up, resend only what is absent.
            for _round in range(3):
                doubtful = [e.index for e in journal.entries(State.IN_DOUBT)]
                if not doubtful or self.control.cancelled:
                    break
                self._meter.phase = "reconcile"
                await run_pool(doubtful, lambda i: self._reconcile(i, resend=True),
                               workers=self._workers(), control=self.control)
        if self.control.cancelled:
            # Stopped: settle what can be settled without sending anything (not when Zoho cannot
            # be reached: each look-up would retry for minutes; the next run looks them up).
            doubtful = [e.index for e in journal.entries(State.IN_DOUBT)]
            for index in doubtful if not isinstance(self._stop_error, Unreachable) else ():
                with contextlib.suppress(ZohoError):
                    await self._reconcile(index, resend=False)
        self._meter.phase = "finished"
        self._emit()
        return await self._finish()

    def _workers(self) -> int:
        if self.settings.workers:
            return self.settings.workers
        return max(2, self.client.throttle.concurrency)


def _weakly(method: Callable[[], None]) -> Callable[[], None]:
    """A callback that calls `method` while its object lives, without keeping it alive: the job
    holds its catalog, and a catalog calling back into the job would make a cycle that only the
    collector frees, never once the job has been frozen out of its sight (gc.freeze)."""
    ref = weakref.WeakMethod(method)

    def call() -> None:
        bound = ref()
        if bound is not None:
            bound()

    return call


__all__ = ["ImportJob", "JobError", "JobResult", "JobSettings", "fingerprint"]
