"""The export job: list pages of 200, one detail call per record only when the columns need it, write xlsx/csv.

    job = ExportJob(ExportSettings("salesorders", Path("orders.xlsx"), line_items=True, target=target))
    plan = await job.plan()          # lists the pages (needed anyway) and counts the detail calls left
    result = await job.run(on_progress)  # job.pause() / job.resume() / job.cancel()

The plan lists every page first: the list calls are the export's own, and once they are
done the number of records, and so of detail calls, is exact. The run fetches the
details through the organization's shared throttle, honouring pause and cancel between
records, and writes the file atomically only when every record is in. A cancelled or
stopped run writes nothing and ends with exit code 3; running it again starts over.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from app.jobs.control import Cancelled, ControlledJob
from app.jobs.export_columns import (
    Column,
    ColumnError,
    choose_columns,
    extra_custom_columns,
)
from app.jobs.journal import DONE, FAILED, Entry, Journal
from app.jobs.plan import estimate
from app.jobs.pool import run_pool
from app.jobs.progress import ProgressCallback, ProgressMeter, format_duration
from app.jobs.target import Target
from app.sheets import SheetData, SheetWriteError, write_csv, write_xlsx
from app.zoho import AuthError, BooksClient, QuotaSpent, ZohoError

PER_PAGE = 200
FORMATS = (".xlsx", ".csv")
ID_FIELDS = {"contacts": "contact_id", "salesorders": "salesorder_id", "creditnotes": "creditnote_id",
             "items": "item_id"}
KEY_FIELDS = {"contacts": "contact_name", "salesorders": "salesorder_number",
              "creditnotes": "creditnote_number", "items": "name"}
LINES = {"contacts": "contact_persons", "salesorders": "line_items", "creditnotes": "line_items"}
# The statuses each list endpoint filters by (filter_by=Status.<Title>).
STATUSES: dict[str, tuple[str, ...]] = {
    "contacts": ("active", "inactive", "duplicate", "crm"),
    "salesorders": ("draft", "open", "void", "invoiced", "partially_invoiced", "overdue", "closed"),
    "creditnotes": ("draft", "open", "void", "closed"),
    "items": ("active", "inactive"),
}
SHEET_TITLES = {"contacts": "Contacts", "salesorders": "Sales Orders", "creditnotes": "Credit Notes",
                "items": "Items"}


class ExportError(Exception):
    """The export cannot start (bad option, bad output path, no credentials): nothing was written."""

    exit_code = 2


@dataclass
class ExportSettings:
    """What the user chose: the record type, the file, the filters and the columns."""

    entity: str
    out: Path
    date_from: dt.date | str | None = None
    date_to: dt.date | str | None = None
    status: str | None = None
    customer: str | None = None  # a customer's name, or its Zoho ID (digits)
    search: str | None = None
    line_items: bool = False  # one row per line item (contact person); every column
    columns: list[str] | None = None  # headers to export; None: the default set; ["all"]
    target: Target | None = None
    workers: int | None = None  # default: the organization's concurrency

    def __post_init__(self) -> None:
        self.out = Path(self.out)


@dataclass(frozen=True)
class ExportPlan:
    """What an export costs: list calls made, detail calls to come, and when it finishes."""

    job_id: str
    entity: str
    records: int
    columns: list[str]
    list_calls: int  # made already by plan()
    detail_calls: int  # one per record when a chosen column needs it
    quota_left: int | None
    rate_per_min: float
    eta_s: float
    finishes_on: dt.date | None

    @property
    def calls(self) -> int:
        return self.list_calls + self.detail_calls

    def lines(self) -> list[str]:
        out = [
            f"Export {self.job_id}: {self.records} {self.entity}, {len(self.columns)} columns",
            f"Calls: {self.calls} ({self.list_calls} list {'page' if self.list_calls == 1 else 'pages'} "
            f"of {PER_PAGE}, done; {self.detail_calls} detail calls"
            f"{' for line items / persons / addresses' if self.detail_calls else ''})",
        ]
        if self.quota_left is not None:
            out.append(f"Quota left today: {self.quota_left}")
        out.append(f"Estimated time left: {format_duration(self.eta_s)} at {self.rate_per_min:g} calls/min")
        if self.finishes_on:
            out.append(f"More calls than today's quota: the export would finish on {self.finishes_on.isoformat()}")
        return out


@dataclass
class ExportResult:
    """How an export ended: records and rows written, calls, the file, the CLI's exit code."""

    job_id: str
    entity: str
    records: int
    rows: int
    columns: int
    calls: dict[str, int]
    elapsed_s: float
    out: Path | None  # None when nothing was written
    exit_code: int
    failed: int = 0
    stopped: str | None = None
    message: str = ""
    failures: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The `--json` object of CLI.md for export."""
        return {
            "job_id": self.job_id, "entity": self.entity, "records": self.records,
            "rows": self.rows, "columns": self.columns, "failed": self.failed,
            "calls": self.calls, "elapsed_s": round(self.elapsed_s, 2),
            "out": str(self.out) if self.out else None, "stopped": self.stopped,
            "message": self.message or None,
        }


def list_filters(settings: ExportSettings) -> dict[str, Any]:
    """The list endpoint's query parameters for the user's filters; ExportError when one does not apply."""
    entity = settings.entity
    filters: dict[str, Any] = {}
    dated = entity in ("salesorders", "creditnotes")
    for name, value, param in (("--from", settings.date_from, "date_start"),
                               ("--to", settings.date_to, "date_end")):
        if value in (None, ""):
            continue
        if not dated:
            raise ExportError(f"{entity} cannot be filtered by date ({name}); "
                              "only sales orders and credit notes can")
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise ExportError(f"{name} must be a date like 2026-01-31, not {value!r}") from None
        filters[param] = day.isoformat()
    if "date_start" in filters and "date_end" in filters and filters["date_start"] > filters["date_end"]:
        raise ExportError("--from is after --to: no record can match")
    if settings.status:
        status = settings.status.strip().casefold().replace(" ", "_")
        allowed = STATUSES[entity]
        if status == "all":
            pass
        elif status not in allowed:
            raise ExportError(f"{entity} have no status {settings.status!r}; choose one of {', '.join(allowed)}")
        else:
            filters["filter_by"] = f"Status.{status.title()}"
    if settings.customer:
        if entity not in ("salesorders", "creditnotes"):
            raise ExportError(f"{entity} cannot be filtered by customer; sales orders and credit notes can")
        customer = settings.customer.strip()
        filters["customer_id" if customer.isdigit() else "customer_name"] = customer
    if settings.search:
        text = settings.search.strip()
        if len(text) > 100:
            raise ExportError("the search text is longer than Zoho's 100 characters")
        filters["search_text"] = text
    return filters


def check_out(path: Path) -> None:
    """Refuse an output file the export could not write, before any call is made."""
    if path.suffix.lower() not in FORMATS:
        raise ExportError(f'The output file "{path}" must end in .xlsx or .csv')
    parent = path.resolve().parent
    if not parent.is_dir():
        raise ExportError(f'The folder "{parent}" of the output file does not exist')
    if path.exists() and path.is_dir():
        raise ExportError(f'"{path}" is a folder, not a file')


class ExportJob(ControlledJob[BooksClient]):
    """One export of one record type from one organization into one xlsx or csv file."""

    def __init__(self, settings: ExportSettings, *, client: BooksClient | None = None) -> None:
        super().__init__(client)
        self.settings = settings
        self.columns: list[Column] = []
        self.filters: dict[str, Any] = {}
        self.records: list[dict[str, Any]] = []
        self.job_id = ""
        self._plan: ExportPlan | None = None
        self._list_calls = 0
        self._detail_calls = 0
        self._failures: dict[int, str] = {}

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
        identity = {"entity": s.entity, "out": str(s.out.resolve()), "filters": self.filters,
                    "columns": [c.header for c in self.columns], "at": time.time()}
        self.job_id = "x" + hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:11]

    # --- step 2: list every page, count the detail calls ---

    def _new_client(self) -> BooksClient:
        if self.settings.target is None:
            raise ExportError("No target: choose a connection or the sandbox.")
        return self.settings.target.books()

    async def plan(self, on_progress: ProgressCallback | None = None) -> ExportPlan:
        """Check the options, list every page (200 records a call) and count the detail calls left.

        `on_progress` sees the listing (phase "listing", total = records listed so far).
        """
        if on_progress is not None:
            self._on_progress = on_progress
        if self._plan is not None:
            return self._plan
        if not self.job_id:
            self.prepare()
        self._started = time.monotonic()  # elapsed_s counts from the first list call
        client = await self.connect()
        self._meter = ProgressMeter(0)
        self._meter.phase = "listing"
        try:
            self.records = await self._list_all()
        except QuotaSpent as exc:
            self._stop(exc, "quota")
            raise
        except ZohoError as exc:  # nothing can be exported: the job is over, its client closed
            await self.close()
            if isinstance(exc, AuthError):
                raise ExportError(f"Signing in failed: {exc}") from None
            raise ExportError(f"Zoho could not list the {self.settings.entity}: {exc}") from None
        if not self.settings.columns:
            self.columns += extra_custom_columns(self.settings.entity, self.records, self.columns)
        detail = len(self.records) if self.needs_detail else 0
        throttle = client.throttle
        rate = throttle.per_minute * 60.0 / throttle.window_s
        timing = estimate(job_id=self.job_id, rows=0, documents=0, invalid=0, to_send=0,
                          already_done=0, lookup_calls=detail, write_calls=0,
                          quota_left=throttle.quota_remaining, daily_quota=throttle.daily_quota,
                          rate_per_min=rate, quota_resets_at=throttle.quota_resets_at)
        self._plan = ExportPlan(
            job_id=self.job_id, entity=self.settings.entity, records=len(self.records),
            columns=[c.header for c in self.columns], list_calls=self._list_calls,
            detail_calls=detail, quota_left=throttle.quota_remaining, rate_per_min=rate,
            eta_s=timing.eta_s, finishes_on=timing.finishes_on)
        return self._plan

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
        self._meter = ProgressMeter(total)
        self._meter.calls = self._list_calls
        if not self.needs_detail:
            self._meter.done = total
            self._emit()
            return
        self._meter.phase = "run"
        self._emit()
        workers = self.settings.workers or max(2, self.client.throttle.concurrency)
        await run_pool(range(total), self._fetch, workers=workers, control=self.control)

    async def _fetch(self, index: int) -> None:
        assert self._meter is not None
        entity = self.settings.entity
        record_id = str(self.records[index].get(ID_FIELDS[entity]))
        self._meter.started()
        self._detail_calls += 1
        self._count_call()
        try:
            self.records[index] = await self.client.get(entity, record_id)
        except QuotaSpent as exc:
            self._detail_calls -= 1
            self._meter.returned()
            self._stop(exc, "quota")
            return
        except AuthError as exc:
            self._meter.returned()
            self._stop(exc, "auth")
            return
        except ZohoError as exc:
            message = f"{self._name(self.records[index])}: {exc.message}"
            self._failures[index] = message
            self._meter.finished(failed=True, message=message)
            self._emit()
            return
        self._meter.finished()
        self._emit()

    def rows(self) -> list[list[object]]:
        """One row per record, or per line item (contact person) when line columns were fetched."""
        out: list[list[object]] = []
        lines_key = LINES.get(self.settings.entity)
        for index, record in enumerate(self.records):
            if index in self._failures:
                continue
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
            rows = await asyncio.to_thread(self.rows)
            headers = [c.header for c in self.columns]
            try:
                if s.out.suffix.lower() == ".csv":
                    await asyncio.to_thread(write_csv, s.out, headers, rows)
                else:
                    sheet = SheetData(SHEET_TITLES[s.entity], headers, rows)
                    await asyncio.to_thread(write_xlsx, s.out, [sheet])
                written = s.out
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
            failures=[self._failures[i] for i in sorted(self._failures)])
        await asyncio.to_thread(self._journal, result)  # off the loop: its fsync held a window still
        if self._meter is not None:
            self._meter.phase = "finished"
        self._emit()
        return result

    def _journal(self, result: ExportResult) -> None:
        """Record the export in the job list (kind "export"): one entry per record, the file as its report;
        one commit. Blocks on the disk: the run calls it on a worker thread."""
        if not self.job_id:
            return
        entity = self.settings.entity
        values = {
            "kind": "export", "entity": entity, "operation": "export", "file": str(self.settings.out.resolve()),
            "filters": self.filters, "columns": [c.header for c in self.columns], "created_at": time.time(),
            "status": "finished" if result.exit_code in (0, 1) else "stopped" if result.stopped else "failed",
            "report": str(result.out) if result.out else None, "summary": result.summary(),
        }
        with Journal.open(self.job_id) as journal:
            entries = [] if journal.has_entries() or result.stopped else [Entry(
                index=i, key=self._name(r), state=FAILED if i in self._failures else DONE,
                outcome="failed" if i in self._failures else "exported",
                zoho_id=str(r.get(ID_FIELDS[entity]) or ""), message=self._failures.get(i))
                for i, r in enumerate(self.records)]
            journal.together(*(partial(journal.set, name, value) for name, value in values.items()),
                             partial(journal.add, entries))

    # --- progress ---

    def _name(self, record: dict[str, Any]) -> str:
        return str(record.get(KEY_FIELDS[self.settings.entity]) or record.get(ID_FIELDS[self.settings.entity]))

    def _count_call(self) -> None:
        if self._meter is not None:
            self._meter.calls = self._list_calls + self._detail_calls
