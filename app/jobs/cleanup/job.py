"""The cleanup job: delete, void, open, draft, activate or deactivate picked records, each exactly once, resumable.

    job = CleanupJob(CleanupSettings("salesorders", "void", file=Path("orders.xlsx"), target=target))
    plan = await job.plan()       # resolves the sheet (or lists the filter) once, 200 a page
    print(job.question())         # "Void 37 sales orders in Zylker Inc (connection prod)?"
    result = await job.run(on_progress)

Every record is one journal entry, marked "sent" before its call goes out. An answer that is
lost is settled by reading the record back (deleted: Zoho answers 404; a status change: the
record shows the new status) and the call is sent again only when the record shows it did not
land. Zoho's refusals (a contact with transactions, an invoiced sales order) are that record's
result; the run goes on with the next one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.jobs.catalog import Catalog
from app.jobs.cleanup.operations import NOUNS, Operation, noun, operation_for
from app.jobs.cleanup.outcome import CleanupResult, finish
from app.jobs.cleanup.pick import Pick, Picked, filters_of, pick_listed, pick_rows, read_sheet
from app.jobs.control import ControlledJob
from app.jobs.errors import JobError
from app.jobs.importing.job import fingerprint
from app.jobs.journal import Entry, State, stored_values
from app.jobs.outcomes import StopReason
from app.jobs.plan import Plan, estimate
from app.jobs.pool import run_pool
from app.jobs.progress import ProgressCallback, ProgressMeter
from app.jobs.sending import Sender, Sent, refused_at_door
from app.jobs.target import Target
from app.jobs.undoing.reversal import Change, Reversal
from app.zoho import (
    AuthError,
    BooksClient,
    MissingScope,
    QuotaSpent,
    Unreachable,
    ZohoError,
)

KIND = "cleanup"
RECONCILE_ROUNDS = 3  # answers lost during a run are looked up this many times before the run ends


@dataclass
class CleanupSettings:
    """What the user chose: the record type, the operation, and a sheet or a filter picking the records."""

    entity: str
    operation: str
    file: Path | None = None  # a sheet of Zoho IDs, numbers (sales orders, credit notes) or names (contacts)
    sheet: str | None = None
    column: str | None = None  # the sheet's header naming the records (default: found)
    date_from: dt.date | str | None = None
    date_to: dt.date | str | None = None
    status: str | None = None
    customer: str | None = None
    limit: int | None = None  # send at most this many calls in this run
    dry_run: bool = False
    report_dir: Path | None = None
    target: Target | None = None
    job_id: str | None = None  # resume this job
    workers: int | None = None

    def __post_init__(self) -> None:
        if self.file is not None:
            self.file = Path(self.file)
        if self.limit is not None and self.limit < 1:
            raise JobError("--limit takes a number of records, 1 or more.")


class CleanupJob(ControlledJob[BooksClient]):
    """Plan, confirm (the caller asks), run; pause/resume/cancel as every job."""

    def __init__(self, settings: CleanupSettings, *, client: BooksClient | None = None) -> None:
        super().__init__(client)
        self.settings = settings
        self.job_id = settings.job_id or ""
        self.op: Operation = self._operation()
        self.headers: list[str] = []
        self.rows: list[list[object]] = []
        self.organization = ""
        self._plan: Plan | None = None
        self._resumed = False
        self._lookup_calls = 0
        self._write_calls = 0
        self._budget: int | None = settings.limit
        self._sender = Sender(self, on_call=self._count_call)
        self._limited = 0  # records the --limit kept from being sent in this run
        self._filters: dict[str, Any] = {}  # a filter run's list filters (export's)

    # --- step 1: pick the records and plan ---

    def _operation(self) -> Operation:
        return operation_for(self.settings.operation, self.settings.entity)

    @property
    def reads_first(self) -> bool:
        """Whether each record is read (one call) before its write: a delete keeps the whole record, so that
        undo can create it again."""
        return self.op.status is None

    def _new_client(self) -> BooksClient:
        if self.settings.target is None:
            raise JobError("No target: choose a connection or the sandbox.")
        return self.settings.target.books()

    def _open(self) -> dict[str, Any]:
        """Open (or create) the job's journal; the stored values of a resumed job."""
        s = self.settings
        stored: dict[str, Any] = {}
        if s.job_id:
            stored = stored_values(s.job_id, JobError)
            if stored.get("kind") != KIND:
                raise JobError(f"Job {s.job_id} is no cleanup (delete, void, status change); it cannot be "
                               "resumed with this operation.")
            if (stored.get("entity"), stored.get("operation")) != (s.entity, s.operation):
                raise JobError(f"Job {s.job_id} is {stored.get('operation')} {stored.get('entity')}, "
                               f"not {s.operation} {s.entity}.")
        if s.file is None and not stored and not any((s.date_from, s.date_to, s.status, s.customer)):
            raise JobError(f"Name the {NOUNS[s.entity][1]} to {s.operation}: a sheet of IDs or numbers, or a "
                           "filter (--from, --to, --status, --customer). A cleanup never acts on every record "
                           "unasked.")
        identity: dict[str, Any] = {"kind": KIND, "entity": s.entity, "operation": s.operation,
                                    "target": s.target.identity if s.target else None}
        if s.file is not None:
            identity.update(fingerprint=fingerprint(s.file), sheet=s.sheet, column=s.column)
            if stored and stored.get("fingerprint") != identity["fingerprint"]:
                raise JobError(f'The file "{s.file.name}" is not the one job {s.job_id} started from, or it '
                               "changed since; run it as a new cleanup instead of resuming.")
        else:
            self._filters = filters_of(s.entity, s.date_from, s.date_to, s.status, s.customer)
            identity.update(filters=self._filters, at=time.time())  # a filter picks afresh each new run
        if not self.job_id:
            self.job_id = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:12]
        self.journal = self._open_journal(self.job_id, dry_run=s.dry_run)
        self._resumed = self.journal.has_entries()
        if not self._resumed:
            for name, value in identity.items():
                self.journal.set(name, value)
            self.journal.set("file", str(s.file.resolve()) if s.file else None)
            self.journal.set("created_at", time.time())
            self.journal.set("status", "new")
        return self.journal.values()

    async def plan(self) -> Plan:
        """Pick the records (list pages, 200 each, once) and count the calls; nothing is sent."""
        if self._plan is not None:
            return self._plan
        stored = await asyncio.to_thread(self._open)
        assert self.journal is not None
        journal, s = self.journal, self.settings
        client = await self.connect()
        try:
            if self._resumed:
                self.headers, self.rows = stored["headers"], stored["rows"]
                journal.retry_unsettled_failures()
            else:
                picked = await self._pick(client)
                self.headers, self.rows = picked.headers, picked.rows
                journal.set("headers", self.headers)
                journal.set("rows", json.loads(json.dumps(self.rows, default=str)))
                journal.set("empty", picked.empty)
                journal.add(self._entries(picked.picks))
            if self.op.destructive and not s.dry_run:
                self.organization = await self._organization(client)
        except AuthError as exc:
            raise JobError(str(exc) if isinstance(exc, MissingScope) else f"Signing in failed: {exc}") from None
        except (QuotaSpent, JobError):
            raise
        except ZohoError as exc:
            raise JobError(f"Zoho could not list the {NOUNS[s.entity][1]}: {exc}") from None
        states = journal.states()
        counts = journal.counts()
        to_send = states.get(State.PENDING, 0) + states.get(State.IN_DOUBT, 0) + states.get("sent", 0)
        writes = to_send if self._budget is None else min(to_send, self._budget)
        throttle = client.throttle
        self._plan = estimate(
            job_id=self.job_id, rows=len(self.rows), documents=len(journal.entries()),
            invalid=counts.get("invalid", 0), to_send=writes,
            already_done=counts.get(self.op.done, 0) + counts.get("unchanged", 0),
            lookup_calls=self._lookup_calls + states.get(State.IN_DOUBT, 0) + states.get("sent", 0)
            + (writes if self.reads_first else 0),
            write_calls=writes, quota_left=throttle.quota_remaining, daily_quota=throttle.daily_quota,
            rate_per_min=throttle.rate_per_minute,
            quota_resets_at=throttle.quota_resets_at, resumed=self._resumed)
        return self._plan

    async def _pick(self, client: BooksClient) -> Picked:
        s = self.settings
        catalog = Catalog(client, on_call=self._count_lookup)
        if s.file is not None:
            table, column = await asyncio.to_thread(read_sheet, s.file, s.entity, sheet=s.sheet, column=s.column)
            await catalog.load([s.entity])
            return await asyncio.to_thread(pick_rows, table, column, s.entity, catalog.records(s.entity))
        return pick_listed(s.entity, await catalog.find(s.entity, **self._filters))

    def _entries(self, picks: list[Pick]) -> list[Entry]:
        entries: list[Entry] = []
        for index, pick in enumerate(picks):
            if pick.refused:
                entries.append(Entry(index, rows=pick.rows, state=State.FAILED, outcome="invalid", message=pick.refused))
            elif self.op.status is not None and pick.status == self.op.status:
                entries.append(Entry(index, key=pick.zoho_id, rows=pick.rows, state=State.DONE, outcome="unchanged",
                                     zoho_id=pick.zoho_id, number=pick.number, marker=pick.marker(),
                                     message=f"already {self.op.status}: nothing was sent"))
            else:
                entries.append(Entry(index, key=pick.zoho_id, rows=pick.rows, zoho_id=pick.zoho_id,
                                     number=pick.number, marker=pick.marker()))
        return entries

    async def _organization(self, client: BooksClient) -> str:
        """The organization's name, for the question before a destructive run (one call)."""
        self._count_lookup()
        try:
            for org in await client.organizations():
                if str(org.get("organization_id")) == client.organization_id:
                    return str(org.get("name") or "")
        except (QuotaSpent, AuthError):
            raise
        except ZohoError:
            pass  # the question names the target alone
        return ""

    def _count_lookup(self) -> None:
        self._lookup_calls += 1
        if self._meter:
            self._meter.calls = self._lookup_calls + self._write_calls

    def to_send(self) -> tuple[int, int]:
        """(records this run will send, records left to send): they differ under --limit."""
        assert self.journal is not None
        left = sum(n for state, n in self.journal.states().items() if state in (State.PENDING, State.IN_DOUBT, "sent"))
        return (left if self._budget is None else min(left, self._budget)), left

    def question(self) -> str:
        """What the user confirms before a destructive run: the count and where."""
        sending, left = self.to_send()
        target = self.settings.target.name if self.settings.target else "Zoho"
        where = f"{self.organization} ({target})" if self.organization else target
        of = f"{sending} of {noun(self.settings.entity, left)} (--limit {self._budget})" \
            if sending < left else noun(self.settings.entity, sending)
        return f"{self.op.verb} {of} in {where}?"

    # --- step 2: run ---

    async def run(self, on_progress: ProgressCallback | None = None) -> CleanupResult:
        """Send every call still to do; returns when all are settled, or the run stopped."""
        return await self._plan_then(on_progress, self._run)

    async def _run(self) -> CleanupResult:
        assert self.journal is not None
        journal = self.journal
        states, counts = journal.states(), journal.counts()
        self._meter = ProgressMeter(sum(states.values()), done=states.get(State.DONE, 0), failed=states.get(State.FAILED, 0),
                                    invalid=counts.get("invalid", 0))
        self._meter.calls = self._lookup_calls
        await journal.write(journal.interrupted_to_in_doubt)
        if not self.settings.dry_run:
            await journal.write(journal.set, "status", "running")
        self._emit()
        workers = self.settings.workers or max(2, self.client.throttle.concurrency)
        if not self.control.cancelled:
            doubtful = [e.index for e in journal.entries(State.IN_DOUBT)]
            await run_pool(doubtful, self._settle, workers=workers, control=self.control)
            todo = [e.index for e in journal.entries(State.PENDING)]
            await run_pool(todo, self._act, workers=workers, control=self.control)
            for _round in range(RECONCILE_ROUNDS):
                doubtful = [e.index for e in journal.entries(State.IN_DOUBT)]
                if not doubtful or self.control.cancelled:
                    break
                await run_pool(doubtful, self._settle, workers=workers, control=self.control)
        self._meter.phase = "finished"
        self._emit()
        return await finish(self)

    async def _act(self, index: int, note: str = "") -> None:
        """One call for one record, journalled "sent" before it goes out and settled by its answer."""
        assert self.journal is not None and self._meter is not None
        journal, meter, op = self.journal, self._meter, self.op
        entry = journal.entry(index)
        if self._budget is not None:
            if self._budget <= 0:
                self._limited += 1  # stays pending: the next run sends it
                return
            self._budget -= 1
        if self.settings.dry_run:
            await journal.write(journal.finish, index, State.DONE, op.done,
                                message=f"dry run: would {op.name}; nothing was sent")
            meter.counted()
            self._emit()
            return
        if self.reads_first and not await self._read_first(entry):
            if self._budget is not None and journal.entry(index).state == State.PENDING:
                self._budget += 1  # not sent: the next run sends it
            return
        answer = await self._sender.write(index, None, lambda: self._call(entry),
                                          what=str(entry.number or entry.key))
        if isinstance(answer, Sent):
            await self._landed(entry, answer.answer, note)
        elif answer is None and self._budget is not None and journal.entry(index).state == State.PENDING:
            self._budget += 1  # never sent, or refused at the door: the next run sends it

    async def _landed(self, entry: Entry, answer: dict[str, Any], note: str) -> None:
        """Settle an entry whose call Zoho answered."""
        assert self.journal is not None and self._meter is not None
        op = self.op
        await self.journal.write(self.journal.finish, entry.index, State.DONE, op.done,
                                 message=(op.done_words + note) if note else None)
        self._meter.finished()
        self._emit()

    async def _read_first(self, entry: Entry) -> bool:
        """Before a delete: read the whole record and keep it, so that undo can create it again (one call).
        False when nothing is to be sent now: the record is gone already, could not be read, or the run stopped."""
        assert self.journal is not None
        zoho_id = str(entry.key)
        if await asyncio.to_thread(self.journal.kept_records, [zoho_id]):
            return True  # kept by an earlier run
        try:
            record = await self._sender.read(lambda: self.client.get(self.settings.entity, zoho_id))
        except ZohoError as exc:
            if exc.status == 404:
                await self._settled(entry.index, State.DONE, "unchanged", "already not in Zoho: nothing was sent")
            else:
                await self._settled(entry.index, State.FAILED, "failed", f"it could not be read before the delete "
                                    f"(undo needs the whole record): {exc.message}", http_status=exc.status)
            return False
        if record is None:
            return False
        reversal = Reversal(self.settings.entity, Change.DELETED, zoho_id, str(entry.number or ""),
                            record=record)
        await self.journal.write(self.journal.keep, [reversal.kept()])
        return True

    def _count_call(self, kind: str, n: int) -> None:
        """Count `n` calls of `kind` ("read" or "write"; -1 takes back a write refused at the door)."""
        if kind == "write":
            self._write_calls += n
        else:
            self._lookup_calls += n
        if self._meter is not None:
            self._meter.calls = self._lookup_calls + self._write_calls

    async def _call(self, entry: Entry) -> dict[str, Any]:
        if self.op.status is None:
            await self.client.delete(self.settings.entity, str(entry.key))
        else:
            await self.client.mark(self.settings.entity, str(entry.key), self.op.status)
        return {}

    async def _settle(self, index: int) -> None:
        """A call whose answer was lost: read the record back; send again only if it shows the call did not land."""
        assert self.journal is not None
        journal, op = self.journal, self.op
        entry = journal.entry(index)
        self._count_lookup()
        try:
            record = await self._call_out(self.client.get(self.settings.entity, str(entry.key)))
        except (QuotaSpent, AuthError, Unreachable) as exc:
            self._stop(exc, refused_at_door(exc) or StopReason.UNREACHABLE)
            return
        except ZohoError as exc:
            if exc.status != 404:
                return  # still in doubt: the next round (or run) reads it again
            if op.status is None:
                await self._settled(index, State.DONE, op.done, f"{op.done_words} (confirmed: it is no longer in Zoho)")
            else:
                await self._settled(index, State.FAILED, "failed", "the record is no longer in Zoho", http_status=404)
            return
        if op.status is not None and record.get("status") == op.status:
            await self._settled(index, State.DONE, op.done, f"{op.done_words} (confirmed: Zoho shows it {op.status})")
            return
        await self._act(index, note=" (checked first: the call whose answer was lost had not landed)")

    async def _settled(self, index: int, state: str, outcome: str, message: str,
                       http_status: int | None = None) -> None:
        assert self.journal is not None and self._meter is not None
        await self.journal.write(self.journal.finish, index, state, outcome, message=message,
                                 http_status=http_status)
        self._meter.counted(failed=state == State.FAILED, message=message if state == State.FAILED else None)
        self._emit()

    @property
    def limited(self) -> int:
        """Records the --limit kept from being sent in this run."""
        return self._limited

    @property
    def calls(self) -> tuple[int, int]:
        """(lookup calls, write calls) made by this run."""
        return self._lookup_calls, self._write_calls
