"""How an import job sends a document: the one write its decision needs, through the core's run loop step.

An update whose list row cannot tell whether anything changes (or that names contact persons or
line items, whose IDs only the whole record shows) reads the record first, so each line the sheet
names is sent with its line_item_id (Zoho Books API: Sales Order, "Update a sales order": its
line_items carry line_item_id) and Zoho edits it in place instead of replacing it (merge_lines).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.jobs.importing.changes_file import where
from app.jobs.importing.decide import Action, Decision, same_values
from app.jobs.importing.identities import merge_lines, merge_persons
from app.jobs.importing.state import ImportState
from app.jobs.journal import State
from app.jobs.outcomes import StopReason
from app.jobs.sending import keep_to_resend
from app.jobs.undoing.reversal import Change, Reversal, after_values, before_values, modified_of
from app.zoho import ZohoError

WRITTEN = {Action.CREATE: "created", Action.UPDATE: "updated"}  # the outcome of each write that is not an upsert


class ImportWriting(ImportState):
    """Step 3 of `ImportJob`: settle a document that needs no call, or send its write."""

    async def _settle_without_call(self, index: int, d: Decision) -> None:
        assert self.journal is not None and self._meter is not None
        journal = self.journal
        dry = " (dry run)" if self.settings.dry_run else ""
        if d.action == Action.INVALID:
            await journal.write(journal.finish, index, State.FAILED, "invalid", message=d.message)
            await journal.write(journal.set, f"problems.{index}", d.problems)
            self._meter.counted(invalid=True, message=d.message)
        elif d.action == Action.FAIL:
            await journal.write(journal.finish, index, State.FAILED, "failed", message=d.message)
            self._meter.counted(failed=True, message=d.message)
        else:  # unchanged, skipped
            await self._settle_done(index, d.action, (d.message or "") + dry, zoho_id=d.zoho_id, number=d.number)
            return
        self._emit()

    async def _settle_done(self, index: int, outcome: str, message: str, *, zoho_id: str | None,
                           number: str | None, record: dict[str, Any] | None = None) -> None:
        """Settle a document Zoho holds as `outcome` without a write of this run (unchanged, or confirmed: then
        `record` is the record as Zoho shows it, kept for undo)."""
        assert self.journal is not None and self._meter is not None
        journal = self.journal
        reversal = self._reversal(index, outcome, record) if record is not None else None
        await journal.write(journal.together, lambda: journal.finish(
            index, State.DONE, outcome, zoho_id=zoho_id, number=number, message=message),
            *([lambda: journal.keep([reversal.kept()])] if reversal else []))
        self._meter.counted()
        self._emit()

    async def _send(self, index: int) -> None:
        d = self._decisions[index]
        refused = self._refused_fields.stops(d.payload)
        if refused is not None:
            assert self.journal is not None
            await keep_to_resend(self.journal, [index])  # the next run sends it (the field may be added)
            await self._settle_without_call(index, Decision(Action.FAIL, message=refused))
            return
        if d.marker.check and not await self._still_differs(index, d):
            return
        await self._write(index, d, d.action)

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
        name, zoho_id = self.facts.name, d.zoho_id
        try:
            record = await self._sender.read(lambda: self.client.get(name, zoho_id))
        except ZohoError as exc:
            if d.marker.lines:  # sent without their IDs, Zoho would replace every line
                await self._settle_without_call(index, Decision(Action.FAIL, message=(
                    f"the {self.facts.singular} could not be read to keep its lines' IDs: {exc.message}")))
                return False
            return True  # it could not be read: send the update as decided
        if record is None:
            return False  # never read (cancelled, or the run stopped): the document stays pending
        if d.marker.persons:
            d.payload["contact_persons"] = merge_persons(d.payload["contact_persons"],
                                                         record.get("contact_persons") or [])
        if d.marker.lines:
            d.payload["line_items"] = merge_lines(d.payload["line_items"], record.get("line_items") or [],
                                                  replace=self._replace_lines())
        self._held[index] = record
        if self.preview is not None and self.table is not None:
            self.preview.after_read(index, d, record, *where(self.table, self._documents[index]))
        if not same_values(d.payload, record):
            return True
        await self._settle_done(index, landed or Action.UNCHANGED,
                                f"{landed} (confirmed){note}" if landed else "Zoho already holds these values",
                                zoho_id=d.zoho_id, number=d.number, record=record)
        return False

    async def _write(self, index: int, d: Decision, action: Action, *,
                     confirmed_absent: bool = False) -> None:
        """One write for one document, journalled before it goes out and after its answer."""
        assert self.journal is not None and self._meter is not None and self.facts is not None
        journal, meter, f = self.journal, self._meter, self.facts
        if self.settings.dry_run:
            outcome = WRITTEN.get(action) or d.marker.outcome or "created"
            meter.started()
            await journal.write(journal.finish, index, State.DONE, outcome, zoho_id=d.zoho_id, number=d.number,
                                message=f"dry run: would {action}; nothing was sent")
            meter.finished()
            self._emit()
            return
        marker = replace(d.marker, action=action).as_json()
        if d.zoho_id and (action == Action.UPDATE or (action == Action.UPSERT and d.marker.outcome == "updated")):
            held = self._held.pop(index, None) or self._listed_record(d.zoho_id)
            if held is not None:  # journalled with "sent", before the write goes out: undo sends them back
                marker["before"] = before_values(d.payload, held)
        answer = await self._sender.write(index, marker, lambda: self._call(action, d),
                                          what=f"document {index + 1}")
        if isinstance(answer, ZohoError):
            if self._refused_fields.note(index, answer, d.payload):
                await keep_to_resend(journal, [index])  # the next run sends it (the field may be added)
            if self._storms.refused(index, answer):
                await keep_to_resend(journal, self._storms.indexes)  # refused alike: sent again once fixed
                assert self._storms.storm is not None
                self._stop(self._storms.storm, StopReason.STORM)
            self._emit()
            return
        if answer is None:
            return  # not sent, released or in doubt: the sender settled what there was to settle
        record = answer.answer
        self._storms.succeeded()
        outcome = WRITTEN.get(action) or d.marker.outcome or ("updated" if d.zoho_id else "created")
        note = " (checked: it was not in Zoho after a lost answer)" if confirmed_absent else ""
        reversal = self._reversal(index, outcome, record, marker.get("before"))
        await journal.write(journal.together, lambda: journal.finish(
            index, State.DONE, outcome, zoho_id=str(record.get(f.id_field) or d.zoho_id or ""),
            number=number_of(record, f.key_field) or d.number, message=(outcome + note) if note else None),
            *([lambda: journal.keep([reversal.kept()])] if reversal else []))
        meter.finished()
        self._emit()

    def _listed_record(self, zoho_id: str) -> dict[str, Any] | None:
        """The list row of the record with this ID (the record the update was decided on)."""
        assert self.facts is not None and self.catalog is not None
        if self._listed is None:
            f = self.facts
            rows = self.catalog.records(f.name) if self.catalog.loaded(f.name) else []
            self._listed = {str(r.get(f.id_field)): r for r in rows}
        return self._listed.get(zoho_id)

    def _reversal(self, index: int, outcome: str, record: dict[str, Any],
                  before: dict[str, Any] | None = None) -> Reversal | None:
        """What undo needs of a document that landed as `outcome` (None: nothing to take back); `before` are the
        values its write journalled (read from its journal entry when not given: a lost answer confirmed)."""
        assert self.facts is not None and self.journal is not None
        f = self.facts
        zoho_id = str(record.get(f.id_field) or "")
        if not zoho_id or outcome not in ("created", "updated"):
            return None
        name = number_of(record, f.key_field) or ""
        if outcome == "created":
            return Reversal(f.name, Change.CREATED, zoho_id, name, modified_of(record), record=record)
        if before is None:
            before = self.journal.entry(index).marker.get("before")
        if not before:
            return None  # no field was sent changed (or the record was never read): nothing to restore
        return Reversal(f.name, Change.UPDATED, zoho_id, name, modified_of(record), before=before,
                        after=after_values(before, record))

    async def _call(self, action: Action, d: Decision) -> dict[str, Any]:
        assert self.facts is not None
        name = self.facts.name
        if action == Action.CREATE:
            return await self.client.create(name, d.payload, **d.params)
        if action == Action.UPDATE:
            assert d.zoho_id is not None
            return await self.client.update(name, d.zoho_id, d.payload)
        assert d.marker.by is not None and d.marker.value is not None
        return await self.client.upsert(name, d.payload, d.marker.by, d.marker.value)


def number_of(record: dict[str, Any], key_field: str) -> str | None:
    """The record's number (or name) as Zoho answered it, or None."""
    value = record.get(key_field)
    return None if value in (None, "") else str(value)
