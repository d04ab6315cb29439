"""The export job: list pages of 200, one detail call per record only when the columns need it, write xlsx/csv.

    job = ExportJob(ExportSettings("salesorders", Path("orders.xlsx"), line_items=True, target=target))
    plan = await job.plan()          # lists the pages (needed anyway) and counts the detail calls left
    result = await job.run(on_progress)  # job.pause() / job.resume() / job.cancel()

The plan lists every page first: the list calls are the export's own, and once they are
done the number of records, and so of detail calls, is exact. The run fetches the
details through the organization's shared throttle, honouring pause and cancel between
records, and writes the file atomically only when every record is in.

The job ID comes from what defines the export (record type, filters, columns, file,
organization), so running the same export again is the same job. Each detail read is
kept in the job's journal (a page's worth, or a few seconds' worth, per commit) with its
`last_modified_time`; a cancelled or stopped run writes no file and ends with exit code 3,
and the next run lists again (one call per 200) and reads only the details that are not
kept or changed since. A finished export run again with nothing changed costs the list calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import sqlite3
import time
from functools import partial
from pathlib import Path
from typing import Any

from app.jobs.control import Cancelled, ControlledJob
from app.jobs.exporting.columns import (
    Column,
    ColumnError,
    choose_columns,
    extra_custom_columns,
)
from app.jobs.exporting.settings import (
    ID_FIELDS,
    KEEP_EVERY_S,
    KEY_FIELDS,
    LINES,
    PER_PAGE,
    SHEET_TITLES,
    STATUSES,
    ExportError,
    ExportPlan,
    ExportResult,
    ExportSettings,
    check_out,
    list_filters,
    stored_settings,
)
from app.jobs.journal import Entry, Journal, State
from app.jobs.outcomes import StopReason
from app.jobs.plan import estimate
from app.jobs.pool import run_pool
from app.jobs.progress import ProgressCallback, ProgressMeter
from app.sheets import SheetData, SheetWriteError, write_csv, write_xlsx
from app.zoho import AuthError, BooksClient, MissingScope, QuotaSpent, ZohoError


class ExportJob(ControlledJob[BooksClient]):
    """One export of one record type from one organization into one xlsx or csv file."""

    def __init__(self, settings: ExportSettings, *, client: BooksClient | None = None) -> None:
        super().__init__(client)
        self.settings = settings
        self.columns: list[Column] = []
        self.filters: dict[str, Any] = {}
        self.records: list[dict[str, Any]] = []  # as listed; the details stay in the journal
        self.job_id = ""
        self._plan: ExportPlan | None = None
        self._list_calls = 0
        self._detail_calls = 0
        self._failures: dict[int, str] = {}
        self._to_fetch: list[int] = []  # indexes of the records whose details must be read
        self._unkept: list[tuple[str, str | None, str]] = []  # details read, not yet in the journal
        self._unkept_since = 0.0
        self._kept: set[int] = set()  # indexes whose details are in the journal
        self._reused = 0  # details an earlier run kept, unchanged since

    @property
    def needs_detail(self) -> bool:
        return any(c.detail for c in self.columns)

    @property
    def by_line(self) -> bool:
        return self.settings.entity in LINES and any(c.line for c in self.columns) and self.needs_detail

    # --- step 1: check the options (no network) ---

    def prepare(self) -> None:
        s = self.settings
        if s.entity not in STATUSES:
            raise ExportError(f"{s.entity} cannot be exported; choose contacts, salesorders, creditnotes or items")
        check_out(s.out)
        self.filters = list_filters(s)
        try:
            self.columns = choose_columns(s.entity, s.columns, line_items=s.line_items)
        except ColumnError as exc:
            raise ExportError(str(exc)) from None
        # what defines the export, and nothing else: the same export run again is the same job
        identity = {"entity": s.entity, "out": str(s.out.resolve()), "filters": self.filters,
                    "columns": [c.header for c in self.columns], "line_items": s.line_items,
                    "target": s.target.identity if s.target else None}
        self.job_id = "x" + hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:11]
        if s.job_id and s.job_id != self.job_id:
            raise ExportError(f"Export {s.job_id} was run on another organization or with other options; "
                              "run the export again with the options you want instead of resuming it.")

    # --- step 2: list every page, count the detail calls ---

    def _new_client(self) -> BooksClient:
        if self.settings.target is None:
            raise ExportError("No target: choose a connection or the sandbox.")
        return self.settings.target.books()

    async def plan(self, on_progress: ProgressCallback | None = None) -> ExportPlan:
        """Check the options, list every page (200 records a call) and count the detail calls left:
        those whose details no earlier run of this export kept, or that changed since.

        `on_progress` sees the listing (phase "listing", total = records listed so far).
        """
        if on_progress is not None:
            self._on_progress = on_progress
        if self._plan is not None:
            return self._plan
        if not self.job_id:
            self.prepare()
        self._started = time.monotonic()  # elapsed_s counts from the first list call
        await self._start_journal()
        client = await self.connect()
        self._meter = ProgressMeter(0)
        self._meter.phase = "listing"
        try:
            self.records = await self._list_all()
        except (QuotaSpent, Cancelled) as exc:
            if isinstance(exc, QuotaSpent):
                self._stop(exc, StopReason.QUOTA)
            # the run that follows records the stop; a window that drops this job lets the export go
            journal, self.journal = self.journal, None
            if journal is not None:
                await asyncio.to_thread(journal.close)
            raise
        except ZohoError as exc:  # nothing can be exported: the job is over, its client closed
            await self.close()
            if isinstance(exc, MissingScope):  # signing in worked; the grant lacks a scope
                raise ExportError(str(exc)) from None
            if isinstance(exc, AuthError):
                raise ExportError(f"Signing in failed: {exc}") from None
            raise ExportError(f"Zoho could not list the {self.settings.entity}: {exc}") from None
        if not self.settings.columns:
            self.columns += extra_custom_columns(self.settings.entity, self.records, self.columns)
        reused = 0
        if self.needs_detail:
            assert self.journal is not None
            kept = await asyncio.to_thread(self.journal.kept_versions)
            id_field = ID_FIELDS[self.settings.entity]
            for index, record in enumerate(self.records):
                modified = record.get("last_modified_time")
                if modified and kept.get(str(record.get(id_field)), None) == modified:
                    self._kept.add(index)
                else:
                    self._to_fetch.append(index)
            reused = self._reused = len(self._kept)
        detail = len(self._to_fetch)
        throttle = client.throttle
        rate = throttle.rate_per_minute
        timing = estimate(job_id=self.job_id, rows=0, documents=0, invalid=0, to_send=0,
                          already_done=0, lookup_calls=detail, write_calls=0,
                          quota_left=throttle.quota_remaining, daily_quota=throttle.daily_quota,
                          rate_per_min=rate, quota_resets_at=throttle.quota_resets_at)
        self._plan = ExportPlan(
            job_id=self.job_id, entity=self.settings.entity, records=len(self.records),
            columns=[c.header for c in self.columns], list_calls=self._list_calls,
            detail_calls=detail, quota_left=throttle.quota_remaining, rate_per_min=rate,
            eta_s=timing.eta_s, finishes_on=timing.finishes_on, reused=reused)
        return self._plan

    async def _start_journal(self) -> None:
        """Open and claim the job's journal (off the loop: opening may wait on the disk)."""
        if self.journal is not None:
            return
        journal = await asyncio.to_thread(Journal.open, self.job_id)
        if not journal.claim():
            await asyncio.to_thread(journal.close)
            raise ExportError(f"Export {self.job_id} is already running (in another terminal or window); "
                              "let it finish or stop it, then run it again.")
        self.journal = journal
        values = {"kind": "export", "entity": self.settings.entity, "operation": "export",
                  "file": str(self.settings.out.resolve()), "filters": self.filters,
                  "settings": stored_settings(self.settings), "status": "running", "created_at": time.time()}
        await journal.write(journal.together, *(partial(journal.set, n, v) for n, v in values.items()))

    async def _list_all(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            await self.control.checkpoint()
            self._list_calls += 1
            self._count_call()
            chunk, more = await self.client.list_page(self.settings.entity, page=page,
                                                      per_page=PER_PAGE, **self.filters)
            records.extend(chunk)
            if self._meter is not None:
                self._meter.total = len(records)
            self._emit()
            if not more or not chunk:
                break
            page += 1
        if self.settings.entity == "items" and self.settings.search:
            # the items list may ignore search_text: keep only what matches, as Zoho would
            wanted = self.settings.search.casefold()
            records = [r for r in records if any(wanted in str(r.get(k) or "").casefold()
                                                 for k in ("name", "sku", "description"))]
        return records

    # --- step 3: details, rows, file ---

    async def run(self, on_progress: ProgressCallback | None = None) -> ExportResult:
        """Fetch the details the columns need, then write the file; returns when done or stopped."""
        self._on_progress = on_progress or self._on_progress
        try:
            if self._plan is None and not self.control.cancelled:
                with contextlib.suppress(QuotaSpent, Cancelled):  # the stop is recorded
                    await self.plan()
            if not self.control.cancelled:
                await self._details()
            return await self._finish()
        finally:
            await self.close()

    async def _details(self) -> None:
        total = len(self.records)
        self._meter = ProgressMeter(total, done=len(self._kept))
        self._meter.calls = self._list_calls
        if not self.needs_detail:
            self._meter.done = total
            self._emit()
            return
        self._meter.phase = "run"
        self._emit()
        workers = self.settings.workers or max(2, self.client.throttle.concurrency)
        try:
            await run_pool(self._to_fetch, self._fetch, workers=workers, control=self.control)
        finally:
            await self._keep(force=True)  # a stopped run keeps every detail it paid for

    async def _fetch(self, index: int) -> None:
        assert self._meter is not None
        entity = self.settings.entity
        record_id = str(self.records[index].get(ID_FIELDS[entity]))
        self._meter.started()
        self._detail_calls += 1
        self._count_call()
        try:
            detail = await self.client.get(entity, record_id)
        except QuotaSpent as exc:
            self._detail_calls -= 1
            self._meter.returned()
            self._stop(exc, StopReason.QUOTA)
            return
        except AuthError as exc:
            self._meter.returned()
            self._stop(exc, StopReason.AUTH)
            return
        except ZohoError as exc:
            message = f"{self._name(self.records[index])}: {exc.message}"
            self._failures[index] = message
            self._meter.finished(failed=True, message=message)
            self._emit()
            return
        # the details go to the journal, not to memory: the file is written from there. Kept with the
        # list's last_modified_time, the one the next run compares (a record changed since is read again)
        modified = self.records[index].get("last_modified_time")
        if not self._unkept:
            self._unkept_since = time.monotonic()
        self._unkept.append((record_id, modified, json.dumps(detail)))
        self._kept.add(index)
        self._meter.finished()
        self._emit()
        await self._keep()

    async def _keep(self, *, force: bool = False) -> None:
        """Commit the details read so far in one journal transaction: every page's worth, every few
        seconds, when the run is paused (the window may be closed then) and when the run ends."""
        due = (len(self._unkept) >= PER_PAGE or time.monotonic() - self._unkept_since >= KEEP_EVERY_S
               or self.control.paused)
        if not self._unkept or not (force or due) or self.journal is None:
            return
        batch, self._unkept = self._unkept, []
        await self.journal.write(self.journal.keep, batch)

    def rows(self) -> list[list[object]]:
        """One row per record, or per line item (contact person) when line columns were fetched.

        The details are read back from the journal a few hundred at a time: only the rows are held.
        Blocks on the disk: the run calls it on a worker thread, its journal writes all made.
        """
        out: list[list[object]] = []
        lines_key = LINES.get(self.settings.entity)
        id_field = ID_FIELDS[self.settings.entity]
        wanted = [i for i in range(len(self.records)) if i not in self._failures]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            details: dict[str, str] = {}
            if self.needs_detail and self.journal is not None:
                details = self.journal.kept_records(str(self.records[i].get(id_field)) for i in chunk)
            for index in chunk:
                listed = self.records[index]
                kept = details.get(str(listed.get(id_field)))
                record = json.loads(kept) if kept is not None else listed
                lines: list[dict[str, Any] | None] = [None]
                if self.by_line and lines_key:
                    lines = list(record.get(lines_key) or []) or [None]
                for line in lines:
                    out.append([c.value(record, line) for c in self.columns])
        return out

    async def _finish(self) -> ExportResult:
        s = self.settings
        stopped = self.control.stop_reason if self.control.cancelled else None
        written: Path | None = None
        rows: list[list[object]] = []
        message = str(self._stop_error) if self._stop_error else ("the export was cancelled" if stopped else "")
        if not stopped:
            # typing a big export's cells and writing its file take seconds: off the event loop (the window's)
            try:
                rows = await asyncio.to_thread(self.rows)
                written = await asyncio.to_thread(self._write, rows)
            except sqlite3.Error as exc:
                message = f"the details read could not be read back from the job's journal ({exc})"
            except SheetWriteError as exc:
                message = str(exc)
        failed = len(self._failures)
        if stopped:
            exit_code = 3
        elif written is None:
            exit_code = 2
        else:
            exit_code = 1 if failed else 0
        counters = self._client.counters if self._client is not None else None
        calls = {"total": self._list_calls + self._detail_calls, "list": self._list_calls,
                 "detail": self._detail_calls,
                 "retries": counters.retries if counters else 0,
                 "rate_limited": counters.rate_limited if counters else 0}
        result = ExportResult(
            job_id=self.job_id, entity=s.entity, records=len(self.records) - failed, rows=len(rows),
            columns=len(self.columns), calls=calls, elapsed_s=time.monotonic() - self._started,
            out=written, exit_code=exit_code, failed=failed, stopped=stopped, message=message,
            failures=[self._failures[i] for i in sorted(self._failures)], reused=self._reused)
        if self.journal is None and self.job_id:  # stopped before the listing opened it
            self.journal = await asyncio.to_thread(Journal.open, self.job_id)
        if self.journal is not None:
            await self.journal.write(self._journal, result)  # off the loop: its fsync held a window still
        if self._meter is not None:
            self._meter.phase = "finished"
        self._emit()
        return result

    def _write(self, rows: list[list[object]]) -> Path:
        s = self.settings
        headers = [c.header for c in self.columns]
        if s.out.suffix.lower() == ".csv":
            write_csv(s.out, headers, rows)
        else:
            write_xlsx(s.out, [SheetData(SHEET_TITLES[s.entity], headers, rows)])
        return s.out

    def _journal(self, result: ExportResult) -> None:
        """Record the export in the job list (kind "export"): one entry per record listed, the file as
        its report; one commit. A stopped run's entries say which details are kept ("fetched")."""
        assert self.journal is not None
        journal = self.journal
        entity = self.settings.entity
        values = {
            "kind": "export", "entity": entity, "operation": "export", "file": str(self.settings.out.resolve()),
            "filters": self.filters, "columns": [c.header for c in self.columns], "created_at": time.time(),
            "status": "finished" if result.exit_code in (0, 1) else "stopped" if result.stopped else "failed",
            "report": str(result.out) if result.out else None, "summary": result.summary(),
        }

        def entry(index: int, record: dict[str, Any]) -> Entry:
            failed = index in self._failures
            if result.stopped:
                state, outcome = (State.DONE, "fetched") if index in self._kept else (State.PENDING, None)
            else:
                state, outcome = (State.FAILED, "failed") if failed else (State.DONE, "exported")
            return Entry(index=index, key=self._name(record), state=state, outcome=outcome,
                         message=self._failures.get(index))

        changes = [partial(journal.set, name, value) for name, value in values.items()]
        if self._plan is not None:  # stopped before the listing ended: the last run's entries stand
            changes.append(partial(journal.replace_entries, [entry(i, r) for i, r in enumerate(self.records)]))
        journal.together(*changes)

    # --- progress ---

    def _name(self, record: dict[str, Any]) -> str:
        return str(record.get(KEY_FIELDS[self.settings.entity]) or record.get(ID_FIELDS[self.settings.entity]))

    def _count_call(self) -> None:
        if self._meter is not None:
            self._meter.calls = self._list_calls + self._detail_calls
