"""The undo job: take back what an import, a cleanup or an undo did, record by record, exactly once, resumable.

    job = UndoJob(UndoSettings("contacts", "undo", target=target, job="3f9a0c1d2e4b"))
    plan = await job.plan()   # reads the job's journal and the list pages (200 records a call), once
    result = await job.run()

Each record the job changed is one entry: created -> deleted, updated -> its changed fields sent
back, status changed -> marked as before, deleted -> created again (a new record, with a new Zoho
ID; a sales order or credit note keeps its number). Before anything is sent, the list pages show
each record as it is now: one modified since the job (its last_modified_time, or for a status
change its status) is left alone and reported. The undo keeps what it did in its own journal, so
an undo can be undone. It is a cleanup in all else: the same run loop, confirmation and report.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from app.jobs.catalog import Catalog
from app.jobs.cleanup.job import CleanupJob, CleanupSettings
from app.jobs.cleanup.operations import ID_FIELDS, NAME_FIELDS, NUMBER_FIELDS, OPERATIONS, Operation
from app.jobs.cleanup.pick import Pick, Picked
from app.jobs.errors import JobError
from app.jobs.journal import Entry, Journal, State, stored_values
from app.jobs.outcomes import StopReason
from app.jobs.sending import refused_at_door
from app.jobs.undoing.reversal import (
    Change,
    Reversal,
    added_persons,
    after_values,
    create_payload,
    modified_of,
    restore_payload,
)
from app.zoho import AuthError, BooksClient, QuotaSpent, Unreachable, ZohoError

KIND = "undo"
UNDONE = Operation("undo", ("contacts", "salesorders", "creditnotes"), None, "undone", "Undo", True)
HEADERS = ["Record type", "ID in the job", "Number or name", "The job", "Undo"]  # the report adds Zoho ID (now)
# A status a cleanup set, and the operation that sets it back (Books API calls, see cleanup.operations)
BACK_TO = {o.status: o for o in OPERATIONS.values() if o.status is not None}
WHAT_WAS_DONE = {Change.CREATED: "created", Change.UPDATED: "updated", Change.STATUS: "status changed",
                 Change.DELETED: "deleted"}


@dataclass
class UndoSettings(CleanupSettings):
    """The job to undo (`job`); `job_id` resumes an undo."""

    job: str = ""


@dataclass
class UndoPick(Pick):
    """One record to take back, or why it is left as it is."""

    reversal: Reversal | None = None
    left_alone: str | None = None  # modified since the job: reported, not sent
    gone: str | None = None  # nothing to take back: already as before


class UndoJob(CleanupJob):
    """Plan (what each record's undo is, checked against the list pages), confirm, run."""

    settings: UndoSettings

    def __init__(self, settings: UndoSettings, *, client: BooksClient | None = None) -> None:
        super().__init__(settings, client=client)
        self._source: Journal | None = None

    def _operation(self) -> Operation:
        return UNDONE

    @property
    def reads_first(self) -> bool:
        return False  # what undoing needs is in the job's journal

    def _open(self) -> dict[str, Any]:
        s = self.settings
        if s.job_id:
            mine = stored_values(s.job_id, JobError)
            if mine.get("kind") != KIND:
                raise JobError(f"Job {s.job_id} is no undo; undo it with: zoho-bulk undo {s.job_id}")
            s.job = str(mine.get("job"))
        if not s.job:
            raise JobError("Name the job to undo (its ID, as its report and the Jobs page name it).")
        source = stored_values(s.job, lambda m: JobError(m.replace("to resume", "to undo")))
        kind = source.get("kind") or "import"
        if kind not in ("import", "cleanup", KIND):
            raise JobError(f"Job {s.job} is {'an export' if kind == 'export' else 'a CRM conversion'}: "
                           "it changed nothing in Zoho Books that undo could take back.")
        if source.get("dry_run"):
            raise JobError(f"Job {s.job} was a dry run: it sent nothing, so there is nothing to undo.")
        here = s.target.identity if s.target else None
        if source.get("target") not in (None, here):
            raise JobError(f"Job {s.job} ran on another organization or connection than "
                           f"{s.target.name if s.target else 'this one'}; undo it there.")
        s.entity = str(source.get("entity") or s.entity)
        identity = {"kind": KIND, "job": s.job, "entity": s.entity, "operation": "undo", "target": here}
        if not self.job_id:
            self.job_id = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]
        if self.job_id == s.job:
            raise JobError(f"Job {s.job} cannot undo itself.")
        self._source = Journal.open(s.job)
        if not s.dry_run and not self._source.claim():
            raise JobError(f"Job {s.job} is running (in another window or terminal); undo it once it stopped.")
        self.journal = self._open_journal(self.job_id, dry_run=s.dry_run)
        self._resumed = self.journal.has_entries()
        if not self._resumed:
            for name, value in identity.items():
                self.journal.set(name, value)
            self.journal.set("file", None)
            self.journal.set("created_at", time.time())
            self.journal.set("status", "new")
        return self.journal.values()

    async def close(self) -> None:
        await super().close()
        if self._source is not None:
            self._source.close()
            self._source = None

    async def _pick(self, client: BooksClient) -> Picked:
        """The job's reversals, each checked against the record as the list pages show it now."""
        assert self._source is not None
        reversals = await asyncio.to_thread(reversals_of, self._source, self.settings.entity)
        if not reversals:
            raise JobError(f"Job {self.settings.job} changed no record that undo could take back (a job run "
                           "before this version of zoho-bulk kept nothing to undo with).")
        catalog = Catalog(client, on_call=self._count_lookup)
        now: dict[str, dict[str, Any]] = {}
        if any(r.change != Change.DELETED for r in reversals):
            await catalog.load([self.settings.entity])
            id_field = ID_FIELDS[self.settings.entity]
            now = {str(r.get(id_field)): r for r in catalog.records(self.settings.entity)}
        picks = [check(r, now.get(r.zoho_id), i) for i, r in enumerate(reversals)]
        rows: list[list[object]] = [[r.entity, r.zoho_id, r.name, WHAT_WAS_DONE[r.change], r.undo] for r in reversals]
        return Picked(list(HEADERS), rows, list(picks))

    def _entries(self, picks: list[Pick]) -> list[Entry]:
        entries: list[Entry] = []
        for index, pick in enumerate(picks):
            assert isinstance(pick, UndoPick) and pick.reversal is not None
            rev = pick.reversal
            marker = {"reversal": json.loads(rev.kept()[2])}
            common: dict[str, Any] = {"key": rev.zoho_id, "rows": pick.rows, "zoho_id": rev.zoho_id,
                                      "number": rev.name or None, "marker": marker}
            if pick.refused:
                entries.append(Entry(index, state=State.FAILED, outcome="failed", message=pick.refused, **common))
            elif pick.left_alone:
                entries.append(Entry(index, state=State.DONE, outcome="skipped", message=pick.left_alone, **common))
            elif pick.gone:
                entries.append(Entry(index, state=State.DONE, outcome="unchanged", message=pick.gone, **common))
            else:
                entries.append(Entry(index, **common))
        return entries

    # --- the calls ---

    async def _call(self, entry: Entry) -> dict[str, Any]:
        rev = Reversal.from_json(entry.marker["reversal"])
        entity, client = self.settings.entity, self.client
        if rev.change == Change.CREATED:
            await client.delete(entity, rev.zoho_id)
            return {}
        if rev.change == Change.UPDATED:
            return await client.update(entity, rev.zoho_id, restore_payload(rev))
        if rev.change == Change.STATUS:
            await client.mark(entity, rev.zoho_id, str(rev.before["status"]))
            return {}
        payload, params = create_payload(entity, rev.record)
        return await client.create(entity, payload, **params)

    async def _landed(self, entry: Entry, answer: dict[str, Any], note: str) -> None:
        """Settle an undone record, keeping how to undo the undo (in the same journal write)."""
        assert self.journal is not None and self._meter is not None
        rev = Reversal.from_json(entry.marker["reversal"])
        message, zoho_id, number = done_words(rev, answer), None, None
        undone = undo_of(rev, answer)
        if rev.change == Change.DELETED:
            zoho_id, number = undone.zoho_id, undone.name or None
        journal = self.journal
        await journal.write(journal.together,
                            lambda: journal.finish(entry.index, State.DONE, self.op.done, zoho_id=zoho_id,
                                                   number=number, message=message + note),
                            lambda: journal.keep([undone.kept()]))
        self._meter.finished()
        self._emit()

    async def _settle(self, index: int) -> None:
        """An undo whose answer was lost: a delete or a create is looked up first; a restore or a status change
        is the same request again (it sets the same values, so sending it twice changes nothing)."""
        assert self.journal is not None
        entry = self.journal.entry(index)
        rev = Reversal.from_json(entry.marker["reversal"])
        entity = self.settings.entity
        note = " (checked first: the call whose answer was lost had not landed)"
        try:
            if rev.change == Change.CREATED:
                self._count_lookup()
                try:
                    await self._call_out(self.client.get(entity, rev.zoho_id))
                except ZohoError as exc:
                    if exc.status != 404:
                        raise
                    await self._landed(entry, {}, " (confirmed: it is no longer in Zoho)")
                    return
            elif rev.change == Change.DELETED:
                found = await self._find_again(rev)
                if len(found) == 1:
                    await self._landed(entry, found[0], " (confirmed: found in Zoho by its number or name)")
                    return
                if found:
                    await self._settled(index, State.FAILED, "in_doubt", f"{len(found)} records in Zoho match "
                                        f"{rev.name}; check Zoho before undoing this record again")
                    return
            else:
                note = ""
        except (QuotaSpent, AuthError, Unreachable) as exc:
            self._stop(exc, refused_at_door(exc) or StopReason.UNREACHABLE)
            return
        except ZohoError:
            return  # still in doubt: the next round (or run) looks again
        await self._act(index, note=note)

    async def _find_again(self, rev: Reversal) -> list[dict[str, Any]]:
        """The records a lost re-create may have made: those with the deleted record's number (or name)."""
        entity = self.settings.entity
        by = NUMBER_FIELDS.get(entity, NAME_FIELDS[entity])
        value = rev.record.get(by)
        if value in (None, ""):
            return []
        found = await Catalog(self.client, on_call=self._count_lookup).find(entity, **{by: value})
        return [r for r in found if str(r.get(by)) == str(value)]


def reversals_of(journal: Journal, entity: str) -> list[Reversal]:
    """What a job's journal keeps to undo it: its kept reversals, and the status changes of a cleanup (their
    previous status is in each entry's marker), in the order of the job's entries."""
    kept = journal.kept_records(journal.kept_versions())
    order = {str(e.zoho_id or e.key): e.index for e in journal.entries()}
    order.update({str(e.key): e.index for e in journal.entries() if e.key and str(e.key) not in order})
    found = [Reversal.from_json(text) for text in kept.values()]
    operation = journal.get("operation")
    status = OPERATIONS[operation].status if journal.get("kind") == "cleanup" and operation in OPERATIONS else None
    if status is not None:
        for e in journal.entries(State.DONE):
            before = e.marker.get("status")
            if e.outcome == OPERATIONS[operation].done and before and before != status and e.zoho_id:
                found.append(Reversal(entity, Change.STATUS, e.zoho_id, str(e.number or e.marker.get("name") or ""),
                                      before={"status": before}, after={"status": status}))
    # Only what landed is taken back: a write refused, or settled in doubt, or a record found unchanged, is not.
    landed: dict[str, str] = {}
    for e in journal.entries(State.DONE):
        for zoho_id in {str(e.key), str(e.zoho_id)}:
            if e.outcome not in (None, "unchanged", "skipped"):
                landed[zoho_id] = e.outcome
    found = [r for r in found if r.zoho_id in landed]
    return sorted(found, key=lambda r: order.get(r.zoho_id, len(order)))


def check(rev: Reversal, now: dict[str, Any] | None, row: int) -> UndoPick:
    """Whether a record is still as the job left it, and so what its undo is."""
    pick = UndoPick([row], rev.zoho_id, rev.name, reversal=rev)
    if rev.change == Change.DELETED:
        return pick  # created again as a new record: nothing of it is in Zoho to compare
    if now is None:
        if rev.change == Change.CREATED:
            pick.gone = "already not in Zoho: nothing was sent"
        else:
            pick.refused = "it is no longer in Zoho"
        return pick
    if rev.change == Change.STATUS:
        status, wanted = now.get("status"), rev.before.get("status")
        if status != rev.after.get("status"):
            pick.left_alone = (f"left alone: its status changed since the job (the job made it {rev.after.get('status')}, "
                               f"it is now {status})")
        elif wanted not in BACK_TO or rev.entity not in BACK_TO[wanted].entities:
            pick.refused = (f"it was {wanted} before the job, and Zoho Books has no call that marks a "
                            f"{rev.entity.rstrip('s')} {wanted} again")
        return pick
    if rev.modified is not None and modified_of(now) != rev.modified:
        pick.left_alone = (f"left alone: modified in Zoho since the job (last modified {modified_of(now)}; "
                           f"the job left it at {rev.modified})")
    elif rev.modified is None:
        pick.left_alone = "left alone: the job's answer for it was lost, so whether it changed since is not known"
    return pick


def undo_of(rev: Reversal, answer: dict[str, Any]) -> Reversal:
    """What undoing the undo of `rev` needs, once it landed with `answer`."""
    if rev.change == Change.CREATED:
        return Reversal(rev.entity, Change.DELETED, rev.zoho_id, rev.name, record=rev.record)
    if rev.change == Change.UPDATED:
        return Reversal(rev.entity, Change.UPDATED, rev.zoho_id, rev.name, modified=modified_of(answer),
                        before=rev.after, after=after_values(rev.before, answer))
    if rev.change == Change.STATUS:
        return Reversal(rev.entity, Change.STATUS, rev.zoho_id, rev.name, before=rev.after, after=rev.before)
    e = rev.entity
    new_id = str(answer.get(ID_FIELDS[e]) or "")
    name = str(answer.get(NUMBER_FIELDS.get(e, NAME_FIELDS[e])) or rev.name)
    return Reversal(e, Change.CREATED, new_id, name, modified=modified_of(answer), record=answer)


def done_words(rev: Reversal, answer: dict[str, Any]) -> str:
    """The report's message for an undone record."""
    if rev.change == Change.CREATED:
        return "deleted (the job had created it)"
    if rev.change == Change.STATUS:
        return f"marked {rev.before.get('status')} again (the job had made it {rev.after.get('status')})"
    if rev.change == Change.UPDATED:
        left = added_persons(rev)
        kept = (f"; contact person {', '.join(left)}, added by the job, is still there (Zoho keeps a contact "
                "person an update leaves out)") if left else ""
        return f"restored {', '.join(sorted(rev.before))} to the values before the job{kept}"
    e = rev.entity
    new_id = answer.get(ID_FIELDS[e])
    number = answer.get(NUMBER_FIELDS.get(e, NAME_FIELDS[e]))
    return (f"created again as a new record: Zoho ID {new_id} (it was {rev.zoho_id})"
            + (f", {'number' if e in NUMBER_FIELDS else 'name'} {number}" if number else ""))
