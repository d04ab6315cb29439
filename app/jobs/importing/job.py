"""The import job: read and map the file, resolve names once, plan, send each document once, journal, report.

    job = ImportJob(JobSettings(file, "salesorders", target=target))
    plan = await job.plan()
    result = await job.run(on_progress)      # job.pause() / job.resume() / job.cancel()
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import hashlib
import json
import shutil
import time
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.entities import entity as entity_facts
from app.jobs.catalog import SOURCES, Catalog, LookupMiss, normalise
from app.jobs.control import Cancelled, ControlledJob
from app.jobs.errors import JobError
from app.jobs.importing.changes import ChangePreview
from app.jobs.importing.changes_file import ChangesSummary, plan_preview, where
from app.jobs.importing.decide import (
    Decider,
    Decision,
    EntityFacts,
    match_marker,
    same_values,
    set_path,
)
from app.jobs.importing.identities import merge_lines, merge_persons
from app.jobs.importing.refused_fields import RefusedFields
from app.jobs.importing.results import ImportResults, check_report_dir
from app.jobs.importing.revision import Regrouped, revise
from app.jobs.importing.storm import SAME_ERROR_LIMIT, StormWatch
from app.jobs.journal import (
    DONE,
    FAILED,
    IN_DOUBT,
    PENDING,
    SENT,
    Entry,
    Journal,
    journal_path,
)
from app.jobs.outcomes import ORDER, Outcome, already_done
from app.jobs.plan import Plan, estimate
from app.jobs.pool import run_pool
from app.jobs.progress import ProgressCallback, ProgressMeter
from app.jobs.target import Target
from app.mapping import Mapping, MappingError, automap, load_mapping, prepare
from app.mapping.documents import Document, Prepared, Problem
from app.sheets import SheetError, Table, read_table
from app.zoho import (
    AuthError,
    BooksClient,
    InDoubt,
    MissingScope,
    QuotaSpent,
    Unreachable,
    ZohoError,
)


@dataclass
class JobSettings:
    """What the user chose: the file, the record type and operation, the mapping, the target."""

    file: Path
    entity: str
    operation: str = "create"
    mapping: Path | Mapping | None = None  # None: auto-map
    sheet: str | None = None
    dry_run: bool = False
    report_dir: Path | None = None
    target: Target | None = None
    job_id: str | None = None  # resume this job
    wait_for_quota: bool = False  # when the daily quota runs out: wait for the reset and go on
    unique_field: str | None = None  # --upsert-key: a custom field marked unique in Zoho (else the mapping's)
    replace_lines: bool = False  # --replace-lines: an update deletes the lines its sheet leaves out
    workers: int | None = None  # default: the organization's concurrency
    same_error_limit: int = SAME_ERROR_LIMIT  # identical refusals in a row that pause the run; 0: never
    date_order: str | None = None  # --date-order: for date columns whose values and mapping leave it open
    decimal: str | None = None  # --decimal: for number columns whose values and mapping leave it open
    encoding: str | None = None  # --encoding: a text file's encoding when detection is unsure
    # The user's file when `file` is a copy of it with fixes made in the app: the job is that file's job (its
    # id, report and name in the Jobs page); each run takes the copy's documents, settled ones staying settled.
    source: Path | None = None

    def __post_init__(self) -> None:
        self.file = Path(self.file)
        if self.source is not None:
            self.source = Path(self.source)
        if isinstance(self.mapping, str):
            self.mapping = Path(self.mapping)
        if self.report_dir is not None:
            self.report_dir = Path(self.report_dir)


@dataclass
class JobResult:
    """How a run ended: counts per outcome (documents), calls, report paths and the CLI's exit code."""

    job_id: str
    entity: str
    operation: str
    rows: int
    documents: int
    counts: dict[str, int]
    calls: dict[str, int]
    elapsed_s: float
    report: Path | None
    report_csv: Path | None
    failed_rows: Path | None
    exit_code: int
    stopped: str | None = None  # why the run stopped early: cancelled, quota, auth, unreachable
    message: str = ""
    dry_run: bool = False
    report_note: str = ""  # where the report went when its folder could not take it
    changes: ChangesSummary | None = None  # a dry run of an update: what it would change (FILE.changes-JOB.xlsx)

    def summary(self) -> dict[str, Any]:
        """The `--json` object of CLI.md."""
        c = self.counts
        return {
            "job_id": self.job_id, "entity": self.entity, "operation": self.operation,
            "rows": self.rows, "documents": self.documents,
            **{o.value: c.get(o.value, 0) for o in ORDER},  # CLI.md's keys, and "not_sent"
            "calls": self.calls, "elapsed_s": round(self.elapsed_s, 1),
            "report": str(self.report) if self.report else None,
            "report_csv": str(self.report_csv) if self.report_csv else None,
            **({"changes": self.changes.as_json()} if self.changes else {}),
        }


HAND_OVER_S = 0.05  # a document is handed to the client this long before its turn
DECIDE_CHUNK = 2_000  # documents decided between two gc.freeze() calls (about 5 ms of collector walk)
OUTCOMES = ("created", "updated", "unchanged", "skipped", "failed", "invalid")  # settled in the journal


def fingerprint(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


class ImportJob(ImportResults, ControlledJob[BooksClient]):
    """One import of one sheet into one organization; resumable through its journal."""

    def __init__(self, settings: JobSettings, *, client: BooksClient | None = None) -> None:
        super().__init__(client)
        self.settings = settings
        self.table: Table | None = None
        self.mapping: Mapping | None = None
        self.prepared: Prepared | None = None
        self.job_id: str = settings.job_id or ""
        self.facts: EntityFacts | None = None
        self.catalog: Catalog | None = None
        self._decisions: dict[int, Decision] = {}
        self._documents: dict[int, Document] = {}
        self._plan: Plan | None = None
        self._lookup_calls = 0
        self._write_calls = 0
        self._resumed = False
        self._dispatch = asyncio.Lock()
        self._storms = StormWatch(settings.same_error_limit)
        self._refused_fields = RefusedFields()  # custom fields Zoho refused: not sent again this run
        self.preview: ChangePreview | None = None  # an update's changes, field by field

    # --- step 1: read, map, journal (no network) ---

    def load(self) -> Prepared:
        """Read the file, apply the mapping, open (or create) the job's journal."""
        if self.prepared is not None:
            return self.prepared
        s = self.settings
        if s.report_dir is not None:
            check_report_dir(s.report_dir)
        stored: dict[str, Any] = {}
        if s.job_id:
            if not s.dry_run and not journal_path(s.job_id).exists():
                raise JobError(f"There is no job {s.job_id} to resume.")
            if not s.dry_run:
                with Journal.open(s.job_id) as j:
                    stored = j.values()
        if stored.get("input") and s.source is None and Path(stored["input"]).exists():
            s.source, s.file = s.file, Path(stored["input"])  # resumed: the fixes made in the app go on
        origin = s.source or s.file  # the user's file: what the job is of
        if stored:
            _check_resumed_from(s.job_id or "", stored, origin)
        try:
            table = read_table(s.file, sheet=stored.get("sheet", s.sheet), encoding=stored.get("encoding", s.encoding))
        except SheetError as exc:
            raise JobError(str(exc)) from None
        print_fp = fingerprint(origin)
        if stored and stored.get("fingerprint") != print_fp:
            raise JobError(f'The file "{origin.name}" changed since job {s.job_id} started; '
                           "run it as a new import instead of resuming.")
        try:
            mapping = self._mapping(table, stored)
            prepared = prepare(table, mapping)
        except MappingError as exc:
            raise JobError(str(exc)) from None
        self.table, self.mapping, self.prepared = table, mapping, prepared
        ent = entity_facts(mapping.entity)
        self.facts = EntityFacts(ent.name, ent.id_field, ent.key_field, ent.singular)
        self._documents = {d.index: d for d in prepared.documents}
        settings = {
            "entity": mapping.entity, "operation": mapping.operation, "sheet": table.sheet,
            "target": s.target.identity if s.target else None, "dry_run": s.dry_run,
            "unique_field": s.unique_field, **({"encoding": table.encoding} if table.encoding else {}),
        }
        mapping_json = json.loads(mapping.model_dump_json())
        if not self.job_id:
            digest = hashlib.sha256(json.dumps(
                {"fingerprint": print_fp, "settings": settings, "mapping": mapping_json},
                sort_keys=True).encode()).hexdigest()
            self.job_id = digest[:12]
        self.journal = Journal(":memory:") if s.dry_run else Journal.open(self.job_id)
        if not s.dry_run and not self.journal.claim():
            self.journal.close()
            self.journal = None
            raise JobError(f"Job {self.job_id} is already running (in another terminal or window); "
                           "let it finish or stop it, then run this again.")
        self._resumed = self.journal.has_entries()
        if self._resumed and (s.source is not None or self.journal.get("input")):
            self._revise(prepared, table)
        if not s.dry_run and (s.source is not None or self.journal.get("input")):
            self.journal.set("input", str(self._keep_input()) if s.source is not None else None)
        if not self._resumed:
            self.journal.set("kind", "import")
            self.journal.set("file", str(origin.resolve()))
            self.journal.set("fingerprint", print_fp)
            self.journal.set("mapping", mapping_json)
            self.journal.set("created_at", time.time())
            self.journal.set("status", "new")
            for name, value in settings.items():
                self.journal.set(name, value)
            self.journal.add(self._entries(prepared))
        return prepared

    def _revise(self, prepared: Prepared, table: Table) -> None:
        """The file was revised in the app (or its revision dropped): its documents replace those not sent."""
        assert self.journal is not None
        try:
            revise(self.journal, self._entries(prepared), table.row_numbers)
        except Regrouped as exc:
            self.journal.close()
            self.journal = None
            raise JobError(f"Job {self.job_id} cannot take the changes: {exc}.") from None

    def _keep_input(self) -> Path:
        """The job's own copy of the revised file it reads (the app's copy is written again at each fix)."""
        folder = journal_path(self.job_id).with_suffix(".input")  # the file keeps its name (a CSV's sheet)
        kept = folder / self.settings.file.name
        if self.settings.file.resolve() != kept.resolve():
            folder.mkdir(mode=0o700, exist_ok=True)
            shutil.copyfile(self.settings.file, kept)
            kept.chmod(0o600)
        return kept

    def _mapping(self, table: Table, stored: dict[str, Any]) -> Mapping:
        s = self.settings
        if stored.get("mapping"):
            return Mapping.model_validate(stored["mapping"])
        if isinstance(s.mapping, Mapping):
            mapping = s.mapping
        elif s.mapping is not None:
            mapping = load_mapping(s.mapping)
        else:
            mapping = automap(table, s.entity, s.operation)
        if mapping.entity != s.entity:
            raise JobError(f"The mapping is for {mapping.entity}, not {s.entity}.")
        if mapping.operation != s.operation:
            mapping = mapping.model_copy(update={"operation": s.operation})
        if s.replace_lines:
            mapping = mapping.model_copy(update={"replace_lines": True})
        if s.unique_field:
            mapping = mapping.model_copy(update={"upsert_key": s.unique_field})
        return mapping.with_conventions(s.date_order, s.decimal)

    def _entries(self, prepared: Prepared) -> list[Entry]:
        entries = []
        for d in prepared.documents:
            if d.valid:
                entries.append(Entry(index=d.index, key=d.key, rows=list(d.row_indexes)))
            else:
                errors = [p.message for p in d.problems if p.severity == "error"]
                entries.append(Entry(index=d.index, key=d.key, rows=list(d.row_indexes),
                                     state=FAILED, outcome="invalid",
                                     message="; ".join(errors)))
        return entries

    # --- step 2: connect, list reference data once, decide every document ---

    def _new_client(self) -> BooksClient:
        if self.settings.target is None:
            raise JobError("No target: choose a connection or the sandbox.")
        return self.settings.target.books()

    async def plan(self) -> Plan:
        """Read, map, list what the run needs (names, existing records) and count the calls left."""
        if self._plan is not None:
            return self._plan
        # Reading and validating a big sheet takes seconds: off the event loop (the GUI's).
        prepared = self.prepared or await asyncio.to_thread(self.load)
        assert self.journal is not None and self.facts is not None and self.mapping is not None
        if self._resumed and not self.settings.dry_run:
            retried = [int(name.split(".", 1)[1]) for name in self.journal.values()
                       if name.startswith("problems.")]
            retried += self.journal.get("storm") or []  # refused alike: the user fixed the cause
            retried += self.journal.get("custom_field_refused") or []  # never sent for a refused custom field
            self.journal.retry_unsettled_failures(retried)
            self.journal.set("storm", None)
            self.journal.set("custom_field_refused", None)
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
            rate_per_min=throttle.per_minute * 60.0 / throttle.window_s,
            quota_resets_at=throttle.quota_resets_at, resumed=self._resumed, problems=problems)
        self._plan = dataclasses.replace(self._plan, markers=self._markers_shown()
                                         + (self.preview.plan_lines() if self.preview else ()))
        return self._plan

    def _markers_shown(self) -> tuple[str, ...]:
        """How creates the sheet gives no key for are found again if Zoho's answer is lost (or that they cannot be)."""
        tagged = [d.marker["value"] for d in self._decisions.values()
                  if d.action == "create" and d.marker.get("tagged")]
        keyless = sum(1 for d in self._decisions.values() if d.action == "create" and not d.marker.get("by"))
        out = []
        if tagged:
            out.append(f"{_plural(len(tagged), 'document')} without a number get the reference number "
                       f"{tagged[0]}{' ... ' + tagged[-1] if len(tagged) > 1 else ''}: "
                       "it finds each again in Zoho if the answer to its create is lost")
        if keyless:
            out.append(f"{_plural(keyless, 'document')} without a number share a reference number: "
                       "if the answer to such a create is lost, the report asks you to check Zoho")
        return tuple(out)

    def payloads_to_send(self) -> list[tuple[str, dict[str, Any]]]:
        """After the plan: each write the run would make, in document order, headed by its rows and action."""
        assert self.table is not None and self.facts is not None
        found = []
        for index, d in sorted(self._decisions.items()):
            if not d.writes:
                continue
            doc = self._documents[index]
            rows = sorted(self.table.row_numbers[r] for r in doc.row_indexes)
            where = f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}-{rows[-1]}"
            target = f" {d.zoho_id}" if d.zoho_id else ""
            query = ("?" + "&".join(f"{k}={json.dumps(v) if isinstance(v, bool) else v}"
                                    for k, v in d.params.items())) if d.params else ""
            found.append((f"{where}: {d.action} {self.facts.singular}{target}"
                          + (f' "{doc.key}"' if doc.key else "") + (f" ({query})" if query else ""), d.payload))
        return found

    def _plan_problems(self) -> list[Problem]:
        """What planning found wrong (names Zoho does not know), each pinned to its cell like mapping's problems."""
        assert self.table is not None
        table, found = self.table, []
        for index, d in sorted(self._decisions.items()):
            for p in d.marker.get("problems", []) if d.action == "invalid" else []:
                r, column = p["row_index"], p["column"]
                letter = table.letters[table.headers.index(column)] if column in table.headers else None
                found.append(Problem("error", p["message"], row=table.row_numbers[r], row_index=r,
                                     column=column, column_letter=letter, document=index))
        return found

    def _survey(self, prepared: Prepared) -> tuple[list[Entry], Decider, set[str]]:
        """The documents still to do, their decider and the reference data they need (CPU only)."""
        assert self.journal is not None and self.facts is not None
        work = self.journal.entries(PENDING, SENT, IN_DOUBT)
        docs = [self._documents[e.index] for e in work]
        decider = self._decider(prepared)
        entities = {SOURCES[lk.kind].entity for d in docs for lk in d.lookups if lk.kind in SOURCES}
        if docs and decider.needs_existing(d.payload for d in docs):
            entities.add(self.facts.name)
        return work, decider, entities

    def _decide_all(self, work: list[Entry], decider: Decider
                    ) -> tuple[dict[str, int], int, int, int, list[Problem]]:
        """Decide every document still to do, then count what the run costs: the journal's counts,
        writes, reads and lookups to reconcile, invalid documents and their problems (CPU only).

        The decisions live as long as the job, and a full collection walks every object the
        collector tracks while it holds the GIL: once 20,000 sales orders are decided that is
        55 ms, in which no other thread (the GUI's) runs, and the collector gets there several
        times as the decisions pile up. So each chunk's decisions are moved out of its sight as
        they are made (gc.freeze). They are plain dicts and lists without reference cycles, so
        reference counting still frees them when the job goes (which itself is in no cycle).
        """
        for start in range(0, len(work), DECIDE_CHUNK):
            for e in work[start:start + DECIDE_CHUNK]:
                doc = self._documents[e.index]
                payload, problems = self._resolve(doc)
                if problems:
                    self._decisions[e.index] = Decision("invalid", message="; ".join(
                        p["message"] for p in problems), marker={"problems": problems})
                    continue
                self._decisions[e.index] = decider.decide(doc.index, payload, doc.key, doc.zoho_id)
            gc.freeze()
        assert self.journal is not None
        counts = self.journal.counts()
        decisions = [self._decisions[e.index] for e in work]
        writes = sum(1 for d in decisions if d.writes)
        reconcile = sum(1 for e in work if e.state in (SENT, IN_DOUBT) and _lookup_marker(e.marker))
        reconcile += sum(1 for d in decisions if d.marker.get("check"))  # reads
        invalid = counts.get("invalid", 0) + sum(1 for d in self._decisions.values() if d.action == "invalid")
        return counts, writes, reconcile, invalid, self._plan_problems()

    def _decider(self, prepared: Prepared) -> Decider:
        assert self.facts is not None and self.mapping is not None and self.catalog is not None
        refs = Counter(normalise(d.payload.get("reference_number")) for d in prepared.documents
                       if d.payload.get("reference_number"))
        return Decider(self.facts, self.mapping.operation, self.catalog, job_id=self.job_id,
                       unique_field=self.mapping.upsert_key,
                       user_references={r for r, n in refs.items() if n == 1})

    def _resolve(self, doc: Document) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The payload with every looked-up name replaced by its ID, or the problems."""
        assert self.catalog is not None
        payload = json.loads(json.dumps(doc.payload, default=str))
        problems: list[dict[str, Any]] = []
        for lk in doc.lookups:
            try:
                set_path(payload, lk.target, self.catalog.resolve(lk.kind, lk.by, lk.value))
            except LookupMiss as exc:
                problems.append({"row_index": lk.row_index, "column": lk.column,
                                 "message": f'column "{lk.column}": {exc}'})
        return payload, problems

    def _count_lookup(self) -> None:
        self._lookup_calls += 1
        if self._meter:
            self._meter.calls = self._lookup_calls + self._write_calls

    # --- step 3: run ---

    async def run(self, on_progress: ProgressCallback | None = None) -> JobResult:
        """Send every document still to do; returns when all are settled, or the run stopped."""
        self._started = time.monotonic()
        self._on_progress = on_progress
        try:
            while True:
                try:
                    await self.plan()
                    break
                except QuotaSpent as exc:
                    if self.settings.wait_for_quota and await self._wait_for_quota(exc):
                        continue
                    self._stop_error = exc
                    self.control.cancel("quota")
                    break
            return await self._run()
        finally:
            await self.close()

    async def _run(self) -> JobResult:
        assert self.journal is not None and self.prepared is not None
        journal = self.journal
        total = len(self.prepared.documents)
        counts = journal.states()
        self._meter = ProgressMeter(
            total, done=counts.get(DONE, 0),
            failed=counts.get(FAILED, 0), invalid=journal.counts().get(Outcome.INVALID, 0))
        self._meter.calls = self._lookup_calls
        await journal.write(journal.interrupted_to_in_doubt)
        await journal.write(journal.set, "status", "running")
        self._emit()
        if not self.control.cancelled:
            for e in journal.entries(PENDING):
                d = self._decisions.get(e.index)
                if d is not None and not d.writes:
                    await self._settle_without_call(e.index, d)
            doubtful = [e.index for e in journal.entries(IN_DOUBT)]
            if doubtful:
                self._meter.phase = "reconcile"
                await run_pool(doubtful, lambda i: self._reconcile(i, resend=True),
                               workers=self._workers(), control=self.control)
                self._meter.phase = "run"
            todo = [e.index for e in journal.entries(PENDING) if e.index in self._decisions]
            await run_pool(todo, self._send, workers=self._workers(), control=self.control)
            # Answers lost during this run: look them up, resend only what is absent.
            for _round in range(3):
                doubtful = [e.index for e in journal.entries(IN_DOUBT)]
                if not doubtful or self.control.cancelled:
                    break
                self._meter.phase = "reconcile"
                await run_pool(doubtful, lambda i: self._reconcile(i, resend=True),
                               workers=self._workers(), control=self.control)
        if self.control.cancelled:
            # Stopped: settle what can be settled without sending anything (not when Zoho cannot
            # be reached: each look-up would retry for minutes; the next run looks them up).
            doubtful = [e.index for e in journal.entries(IN_DOUBT)]
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

    async def _settle_without_call(self, index: int, d: Decision) -> None:
        assert self.journal is not None and self._meter is not None
        journal = self.journal
        dry = " (dry run)" if self.settings.dry_run else ""
        if d.action == "invalid":
            await journal.write(journal.finish, index, FAILED, "invalid", message=d.message)
            await journal.write(journal.set, f"problems.{index}", d.marker.get("problems", []))
            self._meter.counted(invalid=True, message=d.message)
        elif d.action == "fail":
            await journal.write(journal.finish, index, FAILED, "failed", message=d.message)
            self._meter.counted(failed=True, message=d.message)
        else:  # unchanged, skipped
            await journal.write(journal.finish, index, DONE, d.action, zoho_id=d.zoho_id,
                                number=d.number, message=(d.message or "") + dry)
            self._meter.counted()
        self._emit()

    async def _send(self, index: int) -> None:
        d = self._decisions[index]
        refused = self._refused_fields.stops(d.payload)
        if refused is not None:
            await self._retry_later(index)
            await self._settle_without_call(index, Decision("fail", message=refused))
            return
        if d.marker.get("check") and not await self._still_differs(index, d):
            return
        await self._write(index, d, d.action)

    async def _retry_later(self, index: int) -> None:
        """A document failed for a custom field the organization refused: the next run sends it again."""
        assert self.journal is not None
        self._refused_fields.documents.append(index)
        await self.journal.write(self.journal.set, "custom_field_refused", list(self._refused_fields.documents))

    def _replace_lines(self) -> bool:
        """Whether an update leaves out (so Zoho deletes) the lines its sheet does not mention."""
        return bool(self.mapping and self.mapping.replace_lines)

    async def _still_differs(self, index: int, d: Decision, *, landed: str | None = None,
                             note: str = "") -> bool:
        """The list row matched but does not show every field (line items, addresses, contact
        persons): read the record (one call), give the sheet's persons their IDs, and settle the
        document as unchanged when Zoho holds its values (as `landed` when they are there because
        a write whose answer was lost did land)."""
        assert self.facts is not None and d.zoho_id is not None
        try:
            async with self._dispatch:
                await self._turn()
                self._count_lookup()
                call = self._call_out(self.client.get(self.facts.name, d.zoho_id))
                await self._until_sent(call)
        except Cancelled:
            return False  # never read: the document stays pending
        try:
            record = await call
        except (QuotaSpent, AuthError, Unreachable) as exc:
            self._stop(exc, "quota" if isinstance(exc, QuotaSpent) else
                       "auth" if isinstance(exc, AuthError) else "unreachable")
            return False
        except ZohoError as exc:
            if d.marker.get("lines"):  # sent without their IDs, Zoho would replace every line (seed 003)
                await self._settle_without_call(index, Decision("fail", message=(
                    f"the {self.facts.singular} could not be read to keep its lines' IDs: {exc.message}")))
                return False
            return True  # it could not be read: send the update as decided
        if d.marker.get("persons"):
            d.payload["contact_persons"] = merge_persons(d.payload["contact_persons"],
                                                         record.get("contact_persons") or [])
        if d.marker.get("lines"):
            d.payload["line_items"] = merge_lines(d.payload["line_items"], record.get("line_items") or [],
                                                  replace=self._replace_lines())
        if self.preview is not None and self.table is not None:
            self.preview.after_read(index, d, record, *where(self.table, self._documents[index]))
        if not same_values(d.payload, record):
            return True
        await self._settle_without_call(index, Decision(
            landed or "unchanged", zoho_id=d.zoho_id, number=d.number,
            message=f"{landed} (confirmed){note}" if landed else "Zoho already holds these values"))
        return False

    async def _write(self, index: int, d: Decision, action: str, *,
                     confirmed_absent: bool = False) -> None:
        """One write for one document, journalled before it goes out and after its answer."""
        assert self.journal is not None and self._meter is not None and self.facts is not None
        journal, meter, f = self.journal, self._meter, self.facts
        if self.settings.dry_run:
            outcome = {"create": "created", "update": "updated",
                       "upsert": d.marker.get("outcome", "created")}[action]
            meter.started()
            await journal.write(journal.finish, index, DONE, outcome, zoho_id=d.zoho_id, number=d.number,
                                message=f"dry run: would {action}; nothing was sent")
            meter.finished()
            self._emit()
            return
        while True:
            try:
                async with self._dispatch:  # one document at a time waits for its turn
                    await self._turn()
                    meter.started()
                    await journal.write(journal.mark_sent, index, {**d.marker, "action": action})
                    self._write_calls += 1
                    meter.calls = self._lookup_calls + self._write_calls
                    self._emit()
                    call = self._call_out(self._call(action, d))
                    await self._until_sent(call)
            except Cancelled:
                return  # never sent: the document stays pending
            try:
                record = await call
                if action == "upsert":
                    outcome = d.marker.get("outcome") or ("updated" if d.zoho_id else "created")
                else:
                    outcome = {"create": "created", "update": "updated"}[action]
            except InDoubt as exc:
                await journal.write(journal.finish, index, IN_DOUBT, None, message=f"answer lost: {exc}",
                                    http_status=exc.status, zoho_code=exc.code)
                meter.returned()  # not settled yet: counted once reconciled
                self._emit()
                return
            except QuotaSpent as exc:
                await journal.write(journal.release, index)
                meter.returned()
                self._write_calls -= 1
                if self.settings.wait_for_quota and await self._wait_for_quota(exc):
                    continue
                self._stop(exc, "quota")
                return
            except AuthError as exc:
                await journal.write(journal.release, index)
                meter.returned()
                self._write_calls -= 1  # refused at the door: nothing was written
                self._stop(exc, "auth")
                return
            except Unreachable as exc:  # never sent: stop rather than fail every row in turn
                await journal.write(journal.release, index)
                meter.returned()
                self._write_calls -= 1
                self._stop(exc, "unreachable")
                return
            except ZohoError as exc:
                await journal.write(journal.finish, index, FAILED, "failed", message=exc.message,
                                    http_status=exc.status, zoho_code=exc.code)
                meter.finished(failed=True, message=f"document {index + 1}: {exc.message}")
                if self._refused_fields.note(index, exc, d.payload):
                    await self._retry_later(index)
                if self._storms.refused(index, exc):
                    await journal.write(journal.set, "storm", list(self._storms.indexes))
                    assert self._storms.storm is not None
                    self._stop(self._storms.storm, "storm")
                self._emit()
                return
            except asyncio.CancelledError:
                raise  # the entry stays "sent" and is reconciled when the job resumes
            except Exception as exc:  # noqa: BLE001 - an unknown failure after sending is a doubt
                await journal.write(journal.finish, index, IN_DOUBT, None,
                                    message=f"unexpected error: {exc}")
                meter.returned()
                self._emit()
                return
            self._storms.succeeded()
            note = " (checked: it was not in Zoho after a lost answer)" if confirmed_absent else ""
            await journal.write(journal.finish, index, DONE, outcome,
                                zoho_id=str(record.get(f.id_field) or d.zoho_id or ""),
                                number=_number_of(record, f.key_field) or d.number,
                                message=(outcome + note) if note else None)
            meter.finished()
            self._emit()
            return

    async def _call(self, action: str, d: Decision) -> dict[str, Any]:
        assert self.facts is not None
        name = self.facts.name
        if action == "create":
            return await self.client.create(name, d.payload, **d.params)
        if action == "update":
            assert d.zoho_id is not None
            return await self.client.update(name, d.zoho_id, d.payload)
        return await self.client.upsert(name, d.payload, d.marker["by"], d.marker["value"])

    async def _turn(self) -> None:
        """Wait until the throttle would send a request now, honouring pause and cancel meanwhile.

        Documents wait here rather than inside the client, so pause and cancel take effect
        at once instead of after a queue of requests that were already handed over.
        """
        throttle = self.client.throttle
        while True:
            await self.control.checkpoint()
            wait = throttle.next_turn_in() - HAND_OVER_S
            if wait <= 0 and throttle.in_flight < throttle.concurrency:
                return  # the client's throttle times the last few milliseconds exactly
            await asyncio.sleep(min(max(wait, 0.002), 0.1))

    async def _until_sent(self, call: asyncio.Future[Any]) -> None:
        """Hold the dispatch gate until the client has taken its throttle slot (or finished)."""
        throttle = self.client.throttle
        before = throttle.sent
        while throttle.sent == before and not call.done():
            await asyncio.sleep(0.001)

    async def _reconcile(self, index: int, *, resend: bool) -> None:
        """A document whose answer was lost: find it in Zoho; send again only if it is absent."""
        assert self.journal is not None and self.facts is not None and self.catalog is not None
        entry = self.journal.entry(index)
        d = self._decisions.get(index)
        action = entry.marker.get("action") or (d.action if d else "create")
        marker = entry.marker
        if d is None:
            return
        unique_field = self.mapping.upsert_key if self.mapping else None
        if action in ("update", "upsert") or (marker.get("by") == unique_field and marker.get("by")):
            # Idempotent: sending the same update (or an upsert on the unique key) cannot duplicate.
            outcome = "created" if action == "create" else (marker.get("outcome") or "updated")
            if d.action == "unchanged":  # the lost write had landed: Zoho shows its values
                await self.journal.write(self.journal.finish, index, DONE, outcome, zoho_id=d.zoho_id,
                                         number=d.number, message=f"{outcome} (confirmed){_doubt_note(entry)}")
                if self._meter:
                    self._meter.counted()
                self._emit()
            elif not d.writes:
                await self._settle_without_call(index, d)
            elif resend:
                if action == "create":  # a create keyed by the unique custom field: resend as upsert
                    d = Decision("upsert", d.payload, marker={
                        "by": marker["by"], "value": marker["value"], "outcome": "created"})
                    action = "upsert"
                elif d.zoho_id and not await self._still_differs(index, d, landed=outcome,
                                                                  note=_doubt_note(entry)):
                    # ZOHO-FACTS: a 5xx answer to a write does not prove nothing was saved, so the
                    # record is read (one call) before anything is resent: the whole record shows
                    # whether the write landed (and gives persons their IDs).
                    return
                await self._write(index, d, d.action if d.writes else action)
            return
        if not _lookup_marker(marker):
            if resend:
                # Settled as in doubt for good: no rerun may send it again (it may be in Zoho).
                await self.journal.write(self.journal.finish, index, FAILED, Outcome.IN_DOUBT, message=(
                    "Zoho's answer was lost and the record has no key to look it up by; "
                    "check Zoho before importing this row again"))
            return
        try:
            records = await self.catalog.find(self.facts.name, **{marker["by"]: marker["value"]})
        except QuotaSpent as exc:
            self._stop(exc, "quota")
            return
        except ZohoError:
            return  # still in doubt; the next run tries again
        found = match_marker(records, marker)
        if len(found) == 1:
            record = found[0]
            await self.journal.write(
                self.journal.finish, index, DONE, "created", zoho_id=str(record.get(self.facts.id_field)),
                number=_number_of(record, self.facts.key_field),
                message=f"created (confirmed): found in Zoho by its {marker['by'].replace('_', ' ')}"
                        f"{_doubt_note(entry)}")
            if self._meter:
                self._meter.counted()
            self._emit()
            return
        if len(found) > 1:
            ids = ", ".join(str(r.get(self.facts.id_field)) for r in found[:5])
            await self.journal.write(self.journal.finish, index, FAILED, Outcome.IN_DOUBT,
                                     message=f"several records in Zoho match {marker['value']}: {ids}; "
                                             "check Zoho before importing this row again")
            return
        if resend:
            await self._write(index, d, "create", confirmed_absent=True)
        else:
            await self.journal.write(self.journal.finish, index, PENDING, None, message="not sent yet")

    async def _wait_for_quota(self, exc: QuotaSpent) -> bool:
        """Sleep until the daily quota resets (or the run is cancelled); True to go on."""
        if self._meter:
            self._meter.phase = "waiting for quota"
        self._emit()
        while not self.control.cancelled:
            left = (exc.resets_at - datetime.now(UTC)).total_seconds()
            if left <= 0:
                if self._meter:
                    self._meter.phase = "run"
                return True
            await asyncio.sleep(min(left, 1.0))
        return False

    # --- step 4: report ---

def _check_resumed_from(job_id: str, stored: dict[str, Any], file: Path) -> None:
    """Refuse --resume of another kind of job, or with another file, in those words (before the
    journal's sheet name is tried on a file it does not belong to)."""
    kind = stored.get("kind") or "import"
    if kind != "import":
        what = {"export": "an export", "convert": "a CRM conversion"}.get(kind, f'a "{kind}" job')
        raise JobError(f"Job {job_id} is {what}, not an import; it cannot be resumed here.")
    try:
        same = fingerprint(file) == stored.get("fingerprint")
    except OSError:
        return  # reading the file says plainly what is wrong with it
    if not same:
        started = Path(str(stored.get("file") or "")).name
        was = f' (it was started from "{started}")' if started and started != file.name else ""
        raise JobError(f'The file "{file.name}" is not the one job {job_id} imported{was}, or it '
                       "changed since; run it as a new import instead of resuming.")


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


def _plural(n: int, word: str) -> str:
    return f"1 {word}" if n == 1 else f"{n} {word}s"


def _doubt_note(entry: Entry) -> str:
    """Why a write was in doubt, for the report's message: ", though Zoho answered HTTP 500" or its answer lost."""
    if entry.http_status and entry.http_status >= 500:
        return f", though Zoho answered HTTP {entry.http_status}"
    return ", though its answer was lost"


def _lookup_marker(marker: dict[str, Any]) -> bool:
    """Whether a create's marker can be found with a list filter."""
    return bool(marker.get("by")) and not str(marker.get("by")).startswith("cf_")


def _number_of(record: dict[str, Any], key_field: str) -> str | None:
    value = record.get(key_field)
    return None if value in (None, "") else str(value)


__all__ = ["ImportJob", "JobError", "JobResult", "JobSettings", "fingerprint"]

