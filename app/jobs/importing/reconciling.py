"""How an import job settles a document whose answer was lost: find it in Zoho, send again only what is absent."""

from __future__ import annotations

from app.jobs.importing.decide import Action, Decision, Marker, match_marker
from app.jobs.importing.writing import ImportWriting, number_of
from app.jobs.journal import Entry, State
from app.jobs.outcomes import Outcome, StopReason
from app.zoho import QuotaSpent, ZohoError


class ImportReconciling(ImportWriting):
    """The reconciling step of `ImportJob` (at the start of a resumed run, and after answers lost in this one)."""

    async def _reconcile(self, index: int, *, resend: bool) -> None:
        """A document whose answer was lost: find it in Zoho; send again only if it is absent."""
        assert self.journal is not None and self.facts is not None and self.catalog is not None
        entry = self.journal.entry(index)
        d = self._decisions.get(index)
        marker = Marker.from_json(entry.marker)
        action = marker.action or (d.action if d else Action.CREATE)
        if d is None:
            return
        unique_field = self.mapping.upsert_key if self.mapping else None
        if action in (Action.UPDATE, Action.UPSERT) or (marker.by == unique_field and marker.by):
            # Idempotent: sending the same update (or an upsert on the unique key) cannot duplicate.
            outcome = "created" if action == Action.CREATE else (marker.outcome or "updated")
            if d.action == Action.UNCHANGED:  # the lost write had landed: Zoho shows its values
                await self._settle_done(index, outcome, f"{outcome} (confirmed){doubt_note(entry)}",
                                        zoho_id=d.zoho_id, number=d.number,
                                        record=self._listed_record(d.zoho_id) if d.zoho_id else None)
            elif not d.writes:
                await self._settle_without_call(index, d)
            elif resend:
                if action == Action.CREATE:  # a create keyed by the unique custom field: resend as upsert
                    d = Decision(Action.UPSERT, d.payload, marker=Marker(by=marker.by, value=marker.value,
                                                                        outcome="created"))
                    action = Action.UPSERT
                elif d.zoho_id and not await self._still_differs(index, d, landed=outcome,
                                                                  note=doubt_note(entry)):
                    # A 5xx answer to a write does not prove nothing was saved (Zoho Books API, Errors:
                    # 500 is an "unexpected and unhandled exception in the server"), so the record is
                    # read (one call) before anything is resent: the whole record shows whether the
                    # write landed (and gives persons their IDs).
                    return
                await self._write(index, d, d.action if d.writes else action)
            return
        if not marker.findable:
            if resend:
                # Settled as in doubt for good: no rerun may send it again (it may be in Zoho).
                await self.journal.write(self.journal.finish, index, State.FAILED, Outcome.IN_DOUBT, message=(
                    "Zoho's answer was lost and the record has no key to look it up by; "
                    "check Zoho before importing this row again"))
            return
        assert marker.by is not None
        try:
            records = await self.catalog.find(self.facts.name, **{marker.by: marker.value})
        except QuotaSpent as exc:
            self._stop(exc, StopReason.QUOTA)
            return
        except ZohoError:
            return  # still in doubt; the next run tries again
        found = match_marker(records, marker)
        if len(found) == 1:
            record = found[0]
            await self._settle_done(index, "created", f"created (confirmed): found in Zoho by its "
                                    f"{marker.by.replace('_', ' ')}{doubt_note(entry)}",
                                    zoho_id=str(record.get(self.facts.id_field)),
                                    number=number_of(record, self.facts.key_field), record=record)
            return
        if len(found) > 1:
            ids = ", ".join(str(r.get(self.facts.id_field)) for r in found[:5])
            await self.journal.write(self.journal.finish, index, State.FAILED, Outcome.IN_DOUBT,
                                     message=f"several records in Zoho match {marker.value}: {ids}; "
                                             "check Zoho before importing this row again")
            return
        if resend:
            await self._write(index, d, Action.CREATE, confirmed_absent=True)
        else:
            await self.journal.write(self.journal.finish, index, State.PENDING, None, message="not sent yet")


def doubt_note(entry: Entry) -> str:
    """Why a write was in doubt, for the report's message: ", though Zoho answered HTTP 500" or its answer lost."""
    if entry.http_status and entry.http_status >= 500:
        return f", though Zoho answered HTTP {entry.http_status}"
    return ", though its answer was lost"
