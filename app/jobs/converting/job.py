"""The CRM conversion job: quotes / sales orders converted in bulk, once each, journalled, with a per-row report.

    job = ConvertJob(ConvertSettings("Quotes", ("Sales_Orders",), file=path, target=target))
    rows = job.load()                        # no network: every row and its problem
    plan = await job.plan()                  # module IDs, numbers resolved, calls counted
    result = await job.run(on_progress)      # job.pause() / job.resume() / job.cancel()

How the calls are spent: rows that share their options (targets, carry-over of tags) go 50 at a time to
``mass_convert``; its job status, polled with backoff, gives counts only, so the records made are then found
by listing the target modules' back-pointers (200 a page). A record the mass conversion did not convert gets
one single ``convert``, which converts it (if it only failed by chance) or answers why not (not approved,
already converted...). Small groups (fewer than ``mass_min`` rows) go straight to single converts, which are
cheaper. Every call converts into one module (seed 000); a quote to become a sales order and an invoice is a
chain of two calls, the second converting the sales order the first made (app.jobs.converting.legs), run as
a second stage with its own mass conversions. ``carry_over_tags`` goes only as ``true`` when the user asks
(--carry-over-tags); left out, a single convert carries the tags anyway (seed 000's note), while a mass
conversion is sent ``false`` (inventory_mass_convert requires the boolean) and leaves them behind. Zoho
never converts a record twice (ID_ALREADY_CONVERTED), so a lost answer is settled by looking for the record
made and, only if none, sending again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import Counter
from datetime import datetime
from functools import partial
from typing import Any

from app.jobs.control import ControlledJob
from app.jobs.converting.backrefs import Made
from app.jobs.converting.calls import Batch, ConversionCalls
from app.jobs.converting.input_file import (
    CONVERT_TARGETS,
    NUMBER_FIELDS,
    ConvertInput,
    ConvertRow,
    check_rows,
    mark_duplicates,
    needs_numbers,
    normalise_number,
    read_input,
    resolve_numbers,
)
from app.jobs.converting.legs import CHAIN, Leg, made_of, made_words, next_leg, targets_of
from app.jobs.converting.reasons import RETRY_ON_RERUN, target_words
from app.jobs.converting.report import outcome_of, row_results, write_convert_report
from app.jobs.converting.settings import (
    MASS_MAX_IDS,
    ConvertPlan,
    ConvertResult,
    ConvertSettings,
)
from app.jobs.errors import JobError
from app.jobs.journal import Entry, Journal, State, stored_values
from app.jobs.outcomes import exit_code as exit_codes
from app.jobs.pool import run_pool
from app.jobs.progress import Progress, ProgressCallback, ProgressMeter
from app.zoho import AuthError, CrmClient, MissingScope, QuotaSpent, ZohoError


class ConvertJob(ConversionCalls, ControlledJob[CrmClient]):
    """One bulk conversion of one list of records in one organization; resumable through its journal."""

    def __init__(self, settings: ConvertSettings, *, client: CrmClient | None = None) -> None:
        super().__init__(client)
        self.settings = settings
        self.data: ConvertInput | None = None
        self.rows: list[ConvertRow] = []
        self.job_id = settings.job_id or ""
        self.modules: dict[str, str] = {}
        self._plan: ConvertPlan | None = None
        self._resumed = False
        self._calls = Counter[str]()
        self._in_flight: set[int] = set()
        self._single_after_mass: set[int] = set()
        self._doubted: set[int] = set()  # sent once with no clear answer: Zoho may have converted them
        self._rechecked: set[int] = set()
        self._batches = 0

    # --- step 1: read and check the rows (no network) ---

    def load(self) -> list[ConvertRow]:
        """Read the rows and check each one that needs no call (IDs, options, numbers not yet resolved)."""
        if self.data is not None:
            return self.rows
        s = self.settings
        stored: dict[str, Any] = {}
        if s.job_id:
            stored = stored_values(s.job_id, JobError)
            if stored.get("kind") != "convert":
                raise JobError(f"Job {s.job_id} is not a CRM conversion.")
            began_on = stored.get("target")
            if began_on and s.target is not None and began_on != s.target.identity:
                raise JobError(f"Job {s.job_id} converts records of {began_on}; choose that connection to resume it "
                               f"(record IDs belong to one organization).")
            s.source, s.targets = stored["source"], tuple(stored["targets"])
            s.carry_over_tags, s.column = bool(stored["carry_over_tags"]), stored.get("column")
        data = read_input(s.file, s.text, sheet=stored.get("sheet", s.sheet), column=s.column)
        if stored and stored.get("fingerprint") != data.fingerprint:
            raise JobError(f"The rows changed since job {s.job_id} started; run them as a new conversion.")
        self.data = data
        self.rows = check_rows(data, s.source, s.targets, s.carry_over_tags)
        mark_duplicates(self.rows, data.record_column)  # IDs now; numbers again once resolved
        if not self.job_id:
            identity = {"fingerprint": data.fingerprint, "source": s.source, "targets": list(s.targets),
                        "carry_over_tags": s.carry_over_tags, "sheet": data.sheet,
                        "column": data.headers[data.record_column],
                        "target": s.target.identity if s.target else None}
            digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
            self.job_id = "cv" + digest[:10]
        return self.rows

    # --- step 2: connect, learn module IDs, resolve numbers, journal ---

    def _new_client(self) -> CrmClient:
        if self.settings.target is None:
            raise JobError("No target: choose a connection or the sandbox.")
        client: CrmClient = self.settings.target.crm()
        return client

    async def plan(self) -> ConvertPlan:
        """Read the rows, open the journal, learn module IDs and record numbers (first run), count the calls."""
        if self._plan is not None:
            return self._plan
        # Reading a big sheet takes seconds: off the event loop (the GUI's).
        rows = self.rows if self.data is not None else await asyncio.to_thread(self.load)
        assert self.data is not None
        s = self.settings
        self.journal = await asyncio.to_thread(Journal.open, self.job_id)  # a new file: its schema's fsync
        self._resumed = self.journal.has_entries()
        await self.connect()
        try:
            if self._resumed:
                self.modules = self.journal.get("modules", {})
                await self._retry_changeable_failures()
            else:
                self.modules = await self._module_ids()
                if needs_numbers(rows):
                    numbers = await self._record_numbers()
                    resolve_numbers(rows, s.source, numbers, self.data.record_column)
                    mark_duplicates(rows, self.data.record_column)
                await self._start_journal(rows)
        except AuthError as exc:  # a missing scope says so itself: signing in worked
            raise JobError(str(exc) if isinstance(exc, MissingScope) else f"Signing in failed: {exc}") from None
        except QuotaSpent:
            raise
        except ZohoError as exc:
            raise JobError(f"Zoho CRM could not be read: {exc}") from None
        self._plan = self._estimate()
        return self._plan

    async def _module_ids(self) -> dict[str, str]:
        """API name -> module ID of the modules involved (GET /settings/modules, one call)."""
        self._calls["lookup"] += 1
        answer = await self.client.get("settings", "modules")
        modules = answer.get("modules") if isinstance(answer, dict) else None
        ids = {str(m.get("api_name")): str(m.get("id")) for m in modules or [] if isinstance(m, dict)}
        missing = [m for m in (self.settings.source, *self.settings.targets) if not ids.get(m)]
        if missing:
            raise JobError(f"Zoho CRM does not offer the {', '.join(missing)} module to this user.")
        return {m: ids[m] for m in (self.settings.source, *CONVERT_TARGETS[self.settings.source]) if ids.get(m)}

    async def _record_numbers(self) -> dict[str, str]:
        """Normalised record number -> ID of every record of the source module (list pages, once per run)."""
        source = self.settings.source
        number_field = NUMBER_FIELDS[source]
        before = self.client.counters.calls
        numbers: dict[str, str] = {}
        try:
            async for record in self.client.list(source, [number_field]):
                if record.get(number_field):
                    numbers.setdefault(normalise_number(str(record[number_field])), str(record["id"]))
        finally:
            self._calls["lookup"] += self.client.counters.calls - before
        return numbers

    async def _start_journal(self, rows: list[ConvertRow]) -> None:
        """The job's settings and one entry per row, in one commit."""
        assert self.journal is not None and self.data is not None
        s, j = self.settings, self.journal
        values = {
            "kind": "convert", "entity": s.source, "operation": "convert to " + ",".join(s.targets),
            "source": s.source, "targets": list(s.targets), "carry_over_tags": s.carry_over_tags,
            "column": self.data.headers[self.data.record_column], "sheet": self.data.sheet,
            "file": str(s.file.resolve()) if s.file else None,
            "text": s.text,  # a pasted list, kept so that the job can be resumed
            "fingerprint": self.data.fingerprint, "target": s.target.identity if s.target else None,
            "modules": self.modules, "created_at": time.time(), "status": "new",
        }
        entries = []
        for r in rows:
            absent = [t for t in r.targets if t not in self.modules]
            if r.valid and absent:
                r.problem = f"Zoho CRM does not offer the {', '.join(absent)} module to this user"
            if r.empty:
                entries.append(Entry(index=r.index, rows=[r.index], state=State.DONE, outcome="skipped",
                                     message="empty row: nothing to convert"))
            elif not r.valid:
                entries.append(Entry(index=r.index, key=r.record_id, rows=[r.index], state=State.FAILED,
                                     outcome="invalid", message=r.problem,
                                     marker={"column": r.problem_column}))
            else:
                entries.append(Entry(index=r.index, key=r.record_id, rows=[r.index],
                                     marker={"targets": list(r.targets), "carry": r.carry_over_tags}))
        await j.write(j.together, *(partial(j.set, name, value) for name, value in values.items()),
                      partial(j.add, entries))

    async def _retry_changeable_failures(self) -> None:
        """On a rerun: conversions refused for a reason that may have changed (approval, review,
        permission, a busy or failing server) are tried again; everything else stays settled."""
        assert self.journal is not None
        again = [e.index for e in self.journal.entries(State.FAILED)
                 if e.outcome == "failed" and (e.zoho_code in RETRY_ON_RERUN or e.zoho_code is None)]
        await self.journal.write(self.journal.retry_unsettled_failures, again)

    def _leg(self, e: Entry, made: dict[str, Made] | None = None) -> Leg | None:
        return next_leg(e, self.settings.source, self.settings.targets, made)

    def _module(self, target: str) -> dict[str, str]:
        """`convert_to`'s module: {"api_name", "id"} (the ID from Get Modules)."""
        return {"api_name": target, "id": self.modules[target]}

    def _groups(self, entries: list[Entry]) -> tuple[list[Batch], list[int]]:
        """Pending entries as mass batches (same conversion and options, at most 50) and the ones better sent singly."""
        groups: dict[tuple[str, str, bool], list[int]] = {}
        for e in entries:
            leg = self._leg(e)
            if leg is not None:
                groups.setdefault((*leg.key, bool(e.marker.get("carry"))), []).append(e.index)
        batches: list[Batch] = []
        singles: list[int] = []
        for key, indexes in groups.items():
            for start in range(0, len(indexes), MASS_MAX_IDS):
                chunk = indexes[start:start + MASS_MAX_IDS]
                if len(chunk) >= max(1, self.settings.mass_min):
                    batches.append(Batch(0, key, chunk))
                else:
                    singles.extend(chunk)
        return batches, singles

    def _estimate(self) -> ConvertPlan:
        assert self.journal is not None
        entries = self.journal.entries()
        pending = [e for e in entries if e.state == State.PENDING]
        batches, singles = self._groups(pending)
        counts = Counter(e.outcome for e in entries)
        records = sum(1 for e in entries if e.outcome != "skipped" or e.state != State.DONE)
        unsettled = [e for e in entries if e.state in (State.PENDING, State.SENT, State.IN_DOUBT)]
        chained = sum(1 for e in unsettled if len(targets_of(e, self.settings.targets)) - len(made_of(e)) > 1)
        return ConvertPlan(
            job_id=self.job_id, rows=len(entries), records=records, invalid=counts.get("invalid", 0),
            already_done=sum(1 for e in entries if e.state in (State.DONE, State.FAILED) and e.outcome in ("converted", "failed")),
            to_convert=len(unsettled), mass_calls=len(batches), single_calls=len(singles),
            lookup_calls=self._calls["lookup"], resumed=self._resumed, chained=chained,
            carry_over_tags=self.settings.carry_over_tags)

    # --- step 3: run ---

    async def run(self, on_progress: ProgressCallback | None = None) -> ConvertResult:
        """Convert every record still to do; returns when all are settled, or the run stopped."""
        return await self._plan_then(on_progress, self._run)

    async def _quota_spent_planning(self, exc: QuotaSpent) -> bool:
        raise JobError(str(exc)) from None  # nothing was sent: the conversion cannot start

    def _workers(self) -> int:
        return max(1, min(int(self.settings.workers or self.client.throttle.concurrency), 10))

    async def _run(self) -> ConvertResult:
        assert self.journal is not None
        journal = self.journal
        counts = journal.states()
        self._meter = ProgressMeter(len(journal.entries()), done=counts.get(State.DONE, 0), failed=counts.get(State.FAILED, 0))
        await journal.write(journal.together, journal.interrupted_to_in_doubt,
                            partial(journal.set, "status", "running"))
        self._doubted.update(e.index for e in journal.entries(State.IN_DOUBT))
        self._emit()
        if not self.control.cancelled:
            await self._finish_earlier_jobs()
        # One stage per conversion of a chain: the quotes' sales orders first, then their invoices.
        for _stage in CHAIN:
            await self._stage()
            if self.control.cancelled or not journal.entries(State.PENDING):
                break
        self._phase("finished")
        return await self._finish()

    async def _stage(self) -> None:
        """Every row's next conversion: mass batches, what they made, single conversions for the rest."""
        assert self.journal is not None
        journal = self.journal
        singles: list[int] = []
        if not self.control.cancelled:
            batches, singles = self._groups(journal.entries(State.PENDING))
            for b in batches:
                self._batches += 1
                b.number = self._batches + int(journal.get("batches", 0))
            await journal.write(journal.set, "batches", int(journal.get("batches", 0)) + len(batches))
            self._phase("mass conversion")
            await run_pool(batches, self._mass, workers=self._workers(), control=self.control)
        # What the mass conversions (and any earlier lost answer) made: read only, so also after a cancel.
        await self._check(journal.entries(State.SENT, State.IN_DOUBT))
        if self.control.cancelled:
            return
        leftovers = [e.index for e in journal.entries(State.SENT, State.IN_DOUBT)]
        self._single_after_mass.update(leftovers)
        todo = [i for i in singles if journal.entry(i).state == State.PENDING] + leftovers
        self._phase("single conversions")
        await run_pool(todo, self._single, workers=self._workers(), control=self.control)
        for _round in range(3):  # answers lost just now: look for what they made, resend the rest
            doubtful = journal.entries(State.IN_DOUBT)
            if not doubtful or self.control.cancelled:
                break
            await self._check(doubtful)
            again = [e.index for e in journal.entries(State.IN_DOUBT)]
            await run_pool(again, self._single, workers=self._workers(), control=self.control)

    async def _made_first(self, made: dict[int, dict[str, Made]]) -> None:
        """A chain's first conversion made its record: kept, and the row waits for its next conversion."""
        assert self.journal is not None
        journal = self.journal
        if not made:
            return
        await journal.write(journal.together, *(
            partial(journal.finish, index, State.PENDING, None, zoho_id=json.dumps({t: m.id for t, m in by.items()}),
                    number=json.dumps({t: m.number for t, m in by.items() if m.number}),
                    message=f"{made_words(by)} made; next: {target_words([leg.target])} from it"
                    if (leg := self._leg(journal.entry(index), by)) else None)
            for index, by in made.items()))
        for index in made:
            if index in self._in_flight:
                self._in_flight.discard(index)
                self._meter_returned()
        self._emit()

    async def _converted(self, made: dict[int, dict[str, Made]], note: str | None = None) -> None:
        """Record these entries converted, with the records made from each (one commit)."""
        assert self.journal is not None
        journal = self.journal
        if not made:
            return
        await journal.write(journal.together, *(
            partial(journal.finish, index, State.DONE, "converted", zoho_id=json.dumps({t: m.id for t, m in by.items()}),
                    number=json.dumps({t: m.number for t, m in by.items() if m.number}),
                    message=note or (f"converted: {made_words(by)}" if len(by) > 1 else None))
            for index, by in made.items()))
        self._done(*made)

    # --- progress ---

    def _start(self, index: int) -> None:
        if index not in self._in_flight and self._meter is not None:
            self._in_flight.add(index)
            self._meter.started()

    def _done(self, *indexes: int, failed: bool = False, message: str | None = None) -> None:
        """These entries are settled; one progress event for all (a window redraws once, not 300 times)."""
        if self._meter is None:
            return
        for index in indexes:
            if index not in self._in_flight:
                self._meter.started()
            self._in_flight.discard(index)
            self._meter.finished(failed=failed, message=message)
        self._emit()

    def _meter_returned(self) -> None:
        if self._meter is not None:
            self._meter.returned()

    def _phase(self, phase: str) -> None:
        if self._meter is not None:
            self._meter.phase = phase
        self._emit()

    def calls(self) -> dict[str, int]:
        """Calls spent so far: total (every HTTP attempt), convert (mass + single), status polls, lookups."""
        counters = self._client.counters if self._client is not None else None
        c = self._calls
        return {
            "total": counters.calls if counters else c["lookup"],
            "convert": c["mass_convert"] + c["single_convert"],
            "mass_convert": c["mass_convert"], "single_convert": c["single_convert"],
            "status": c["status"], "lookup": c["lookup"],
            "retries": counters.retries if counters else 0,
            "rate_limited": counters.rate_limited if counters else 0,
        }

    def progress(self) -> Progress:
        if self._meter is not None:
            self._meter.calls = self.calls()["total"]
        return super().progress()

    # --- step 4: report ---

    async def _finish(self) -> ConvertResult:
        assert self.journal is not None and self.data is not None
        journal = self.journal
        entries = journal.entries()
        stopped = self.control.stop_reason if self.control.cancelled else None
        results = row_results(self.data, entries, stopped)
        counts = Counter(outcome_of(e) for e in entries)
        keys = ("converted", "failed", "invalid", "skipped", "in_doubt", "not_sent")
        counts_out = {k: counts.get(k, 0) for k in keys}
        calls = self.calls()
        elapsed = time.monotonic() - self._started
        exit_code = exit_codes(stopped=stopped, writes=calls.get("convert", 0) + counts_out["in_doubt"],
                               unfinished=counts_out["in_doubt"] + counts_out["not_sent"],
                               refused=counts_out["failed"] + counts_out["invalid"])
        message = str(self._stop_error) if self._stop_error else ("the run was cancelled" if stopped else "")
        s = self.settings
        summary: list[tuple[str, object]] = [
            ("Job", self.job_id), ("Rows from", str(s.file) if s.file else self.data.label),
            ("Convert", f"{s.source.replace('_', ' ')} to {' and '.join(t.replace('_', ' ') for t in s.targets)}"),
            ("Carry over tags", "yes" if s.carry_over_tags else "no"),
            ("Target", s.target.name if s.target else ""),
            ("Finished at", datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")),
            ("Stopped early", message or "no"),
            *[(k.replace("_", " ").capitalize(), v) for k, v in counts_out.items()],
            ("Calls", calls["total"]), ("Mass conversions", calls["mass_convert"]),
            ("Single conversions", calls["single_convert"]), ("Status checks", calls["status"]),
            ("Lookup calls (list pages, module IDs)", calls["lookup"]), ("Retries", calls["retries"]),
            ("Elapsed (s)", round(elapsed, 1)),
        ]
        paths = await asyncio.to_thread(write_convert_report, self.data, results, summary, job_id=self.job_id,
                                        report_dir=s.report_dir)
        status = "finished" if exit_code in (0, 1) else ("stopped" if stopped else "unsettled")
        await journal.write(journal.together, partial(journal.set, "status", status),
                            partial(journal.set, "report", str(paths.xlsx)),
                            partial(journal.set, "report_csv", str(paths.csv)),
                            partial(journal.set, "stopped", message or None))
        return ConvertResult(job_id=self.job_id, source=s.source, targets=s.targets, rows=len(self.data.rows),
                             counts=counts_out, calls=calls, elapsed_s=elapsed, report=paths.xlsx,
                             report_csv=paths.csv, failed_rows=paths.failed, exit_code=exit_code,
                             stopped=stopped, message=message)
