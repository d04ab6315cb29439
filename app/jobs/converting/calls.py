"""The calls of the CRM conversion job: mass conversions (50 a call, status polls, what they made) and single ones.

A mass conversion's job status gives counts only, so the records it made are found by listing
the target module's back-pointers (app.jobs.converting.backrefs). Every call converts into one
module (app.jobs.converting.legs). ConvertJob (app.jobs.converting.job) mixes this in; the methods use
its journal, client, settings and progress.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from app.jobs.converting.backrefs import Made, find_made
from app.jobs.converting.legs import Leg, made_of, made_words, sent_at
from app.jobs.converting.reasons import SINGULAR, plain_reason, target_words
from app.jobs.journal import Entry, State
from app.jobs.outcomes import StopReason
from app.jobs.sending import refused_at_door
from app.zoho import AuthError, InDoubt, QuotaSpent, ZohoError

STILL_RUNNING = {"IN PROGRESS", "INPROGRESS", "SCHEDULED", "RUNNING", "ADDED", "QUEUED", "PENDING"}


@dataclass
class Batch:
    """Up to 50 rows converted by one mass conversion: the same source module, target and tag choice."""

    number: int
    key: tuple[str, str, bool]  # (source module, target module, carry over tags)
    indexes: list[int]


def stops_the_run(exc: ZohoError) -> bool:
    """Quota spent, sign-in refused, or Zoho not reachable at all (nothing was sent): stop, resume later."""
    return isinstance(exc, QuotaSpent | AuthError) or (exc.status is None and exc.code is None)


def stop_reason(exc: ZohoError) -> StopReason:
    return refused_at_door(exc) or StopReason.UNREACHABLE


class ConversionCalls:
    """Mass and single conversions and the search for what they made; mixed into ConvertJob."""

    journal: Any
    settings: Any
    client: Any
    control: Any
    _calls: Any
    _doubted: set[int]  # sent once with no clear answer: Zoho may have converted them
    _in_flight: set[int]
    _rechecked: set[int]
    _single_after_mass: set[int]

    if TYPE_CHECKING:  # the steps ConvertJob, which mixes these calls in, provides
        def _stop(self, exc: ZohoError, reason: str) -> None: ...
        def _emit(self) -> None: ...
        def _leg(self, e: Entry, made: dict[str, Made] | None = None) -> Leg | None: ...
        def _module(self, target: str) -> dict[str, str]: ...
        def _start(self, index: int) -> None: ...
        def _done(self, *indexes: int, failed: bool = False, message: str | None = None) -> None: ...
        def _meter_returned(self) -> None: ...
        def _phase(self, phase: str) -> None: ...
        async def _made_first(self, made: dict[int, dict[str, Made]]) -> None: ...
        async def _converted(self, made: dict[int, dict[str, Made]], note: str | None = None) -> None: ...

    async def _finish_earlier_jobs(self) -> None:
        """A resumed run: wait for the mass conversions an earlier run scheduled and did not see end."""
        assert self.journal is not None
        values = self.journal.values()
        open_jobs = [v for k, v in values.items() if k.startswith("batch.") and isinstance(v, dict)
                     and v.get("job_id") and v.get("status") == "scheduled"]
        if not open_jobs:
            return
        self._phase("waiting for earlier mass conversions")
        await asyncio.gather(*(self._wait_for(str(v["job_id"]), int(v["number"]),
                                              str(v.get("source") or self.settings.source)) for v in open_jobs))

    async def _mass(self, batch: Batch) -> None:
        """One mass conversion of up to 50 records into one module, then its status polled until it is complete."""
        assert self.journal is not None
        journal = self.journal
        source, target, carry = batch.key
        entries = [journal.entry(i) for i in batch.indexes]
        legs = [self._leg(e) for e in entries]
        ids = [leg.record_id for leg in legs if leg is not None]
        record = {"number": batch.number, "ids": ids, "source": source, "target": target, "sent_at": time.time(),
                  "job_id": None, "status": "sent"}
        # every record of the batch "sent", and the batch itself, durable in one commit before the request
        await journal.write(journal.together, *(
            partial(journal.mark_sent, e.index, {**e.marker, "via": "mass", "batch": batch.number,
                                                 f"sent.{target}": e.marker.get(f"sent.{target}", record["sent_at"])})
            for e in entries), partial(journal.set, f"batch.{batch.number}", record))
        for e in entries:
            self._start(e.index)
        self._calls["mass_convert"] += 1
        self._emit()
        try:
            job_id = await self.client.mass_convert(source, ids, self._module(target), carry_over_tags=carry)
        except InDoubt as exc:
            await journal.write(journal.together, *(
                partial(journal.finish, e.index, State.IN_DOUBT, None, message=f"answer lost: {exc}",
                        http_status=exc.status, zoho_code=exc.code) for e in entries))
            self._doubted.update(batch.indexes)
            return
        except ZohoError as exc:
            if stops_the_run(exc):
                self._stop(exc, stop_reason(exc))  # first: no other worker sends while the journal writes
                await journal.write(journal.together, *(partial(journal.release, e.index) for e in entries))
                for e in entries:
                    self._in_flight.discard(e.index)
                    self._meter_returned()
                self._calls["mass_convert"] -= 1
                return
            if exc.field == "ids":  # Zoho refused one of the IDs: each record on its own says which
                await journal.write(journal.together, *(
                    partial(journal.finish, e.index, State.SENT, None, message=f"mass conversion refused: {exc}")
                    for e in entries))
                return
            reason = plain_reason(exc.code, exc.message, source, (target,))
            messages = {e.index: self._not_made(e, leg, reason) for e, leg in zip(entries, legs, strict=True)
                        if leg is not None}
            await journal.write(journal.together, *(
                partial(journal.finish, e.index, State.FAILED, "failed", message=messages.get(e.index, reason),
                        http_status=exc.status, zoho_code=exc.code) for e in entries))
            self._done(*batch.indexes, failed=True, message=reason)
            return
        record.update(job_id=job_id, status="scheduled")
        await journal.write(journal.set, f"batch.{batch.number}", record)
        await self._wait_for(job_id, batch.number, source)
        if journal.get(f"batch.{batch.number}", {}).get("status") != "completed":
            self._doubted.update(batch.indexes)  # still running for all we know

    async def _wait_for(self, job_id: str, number: int, source: str) -> None:
        """Poll a mass conversion's status with backoff until COMPLETED (or the wait limit)."""
        assert self.journal is not None
        s = self.settings
        delay, waited, errors = s.poll_first_s, 0.0, 0
        while waited <= s.poll_timeout_s:
            await asyncio.sleep(delay)
            waited += delay
            delay = min(max(delay * 2, 0.05), s.poll_max_s)
            self._calls["status"] += 1
            try:
                status = await self.client.mass_convert_status(source, job_id)
            except (QuotaSpent, AuthError) as exc:
                self._stop(exc, stop_reason(exc))
                return
            except ZohoError:
                errors += 1
                if errors >= 5:
                    return  # its records are looked for and, where absent, converted singly
                continue
            self._emit()
            word = str(status.get("status", "")).upper().replace("_", " ")
            if word in STILL_RUNNING:
                continue
            record = self.journal.get(f"batch.{number}", {})
            if word == "COMPLETED":
                record.update(status="completed", counts={k: v for k, v in status.items() if k.endswith("_count")})
            else:  # ended otherwise (e.g. State.FAILED): its counts are not trusted, its records are looked for
                record.update(status=f"ended {word.lower() or 'without a status'}")
            await self.journal.write(self.journal.set, f"batch.{number}", record)
            return

    async def _check(self, entries: list[Entry]) -> None:
        """Find the records made for `entries` (list pages of each target module) and settle those converted."""
        assert self.journal is not None
        legs = {e.index: leg for e in entries if (leg := self._leg(e)) is not None}
        if not legs:
            return
        self._phase("checking")
        wanted: dict[tuple[str, str], dict[str, float]] = {}
        for e in entries:
            if e.index in legs:
                leg = legs[e.index]
                asked = sent_at(e, leg) or e.sent_at or time.time()
                wanted.setdefault(leg.key, {})[leg.record_id] = float(asked)
        expected = self._expected_made(entries, legs)
        found: dict[tuple[str, str], dict[str, Made]] = {}
        for (source, target), sources in wanted.items():
            if expected.get((source, target)) == 0:
                found[source, target] = {}  # the mass conversions made none: nothing to list
                continue
            before = self.client.counters.calls
            try:
                found[source, target] = await find_made(self.client, source, target, sources,
                                                        expect=expected.get((source, target)))
            except (QuotaSpent, AuthError) as exc:
                self._stop(exc, stop_reason(exc))
                found[source, target] = {}
            except ZohoError:
                found[source, target] = {}  # not settled: a single convert will tell
            finally:
                self._calls["lookup"] += self.client.counters.calls - before
        converted: dict[int, dict[str, Made]] = {}
        onward: dict[int, dict[str, Made]] = {}
        for e in entries:
            leg = legs.get(e.index)
            made_now = found.get(leg.key, {}).get(leg.record_id) if leg else None
            if leg is None or made_now is None:
                continue
            made = {**made_of(e), leg.target: made_now}
            (converted if self._leg(e, made) is None else onward)[e.index] = made
        await self._converted(converted)
        await self._made_first(onward)

    def _expected_made(self, entries: list[Entry], legs: dict[int, Leg]) -> dict[tuple[str, str], int | None]:
        """Per conversion (source and target module), how many records the completed mass conversions of
        `entries` say they made (None when some entry has no such count: a lost answer, a single convert,
        an unfinished job)."""
        assert self.journal is not None
        expected: dict[tuple[str, str], int | None] = {}
        counted: set[int] = set()
        batches: dict[int, Any] = {}
        for e in entries:
            leg = legs.get(e.index)
            if leg is None:
                continue
            number = e.marker.get("batch") if e.marker.get("via") == "mass" else None
            if number is not None and number not in batches:
                batches[number] = self.journal.get(f"batch.{number}", {})
            record = batches.get(number) if number is not None else None
            counts = record.get("counts") if isinstance(record, dict) and record.get("status") == "completed" else None
            if counts is None or not isinstance(counts.get("converted_count"), int):
                expected[leg.key] = None
            elif expected.setdefault(leg.key, 0) is not None and int(str(number)) not in counted:
                counted.add(int(str(number)))
                expected[leg.key] = int(expected[leg.key] or 0) + int(counts["converted_count"])
        return expected

    def _not_made(self, e: Entry, leg: Leg, reason: str) -> str:
        """A failure's message; a chain's second conversion also says what the first one made."""
        made = made_of(e)
        if not made:
            return reason
        return f"{made_words(made)} made; the {SINGULAR[leg.target]} was not: {reason}"

    async def _single(self, index: int) -> None:
        """One single conversion into one module: converts the record, or answers why it cannot be converted.

        A chain's first conversion done, its second follows at once (the sales order just made
        becomes the invoice), each its own call and its own journal step.
        """
        assert self.journal is not None
        journal = self.journal
        e = journal.entry(index)
        leg = self._leg(e)
        if leg is None:  # everything made (a resumed run): nothing to send
            await self._converted({index: made_of(e)})
            return
        carry = bool(e.marker.get("carry"))
        marker = {k: v for k, v in e.marker.items() if k not in ("via", "batch")}
        await journal.write(journal.mark_sent, index, {
            **marker, "via": "single", f"sent.{leg.target}": marker.get(f"sent.{leg.target}", time.time())})
        self._start(index)
        self._calls["single_convert"] += 1
        self._emit()
        try:
            details = await self.client.convert(leg.source, leg.record_id, self._module(leg.target),
                                                carry_over_tags=carry)
        except InDoubt as exc:
            await journal.write(journal.finish, index, State.IN_DOUBT, None, message=f"answer lost: {exc}",
                                http_status=exc.status, zoho_code=exc.code)
            self._doubted.add(index)
            return
        except ZohoError as exc:
            if stops_the_run(exc):
                self._stop(exc, stop_reason(exc))  # first: no other worker sends while the journal writes
                if e.state == State.PENDING:
                    await journal.write(journal.release, index)  # never went out: the next run sends it
                else:  # in an earlier request: the next run looks for what it made first
                    await journal.write(journal.finish, index, State.IN_DOUBT, None, message=f"not settled: {exc}")
                self._calls["single_convert"] -= 1
                self._in_flight.discard(index)
                self._meter_returned()
                return
            if exc.code == "ID_ALREADY_CONVERTED" and index in self._doubted and index not in self._rechecked:
                # Perhaps by this job's own earlier request whose answer was lost: look once more.
                self._rechecked.add(index)
                await journal.write(journal.finish, index, State.IN_DOUBT, None,
                                    message="Zoho says it is converted; looking for the record",
                                    http_status=exc.status, zoho_code=exc.code)
                return
            reason = self._not_made(e, leg, plain_reason(exc.code, exc.message, leg.source, (leg.target,)))
            await journal.write(journal.finish, index, State.FAILED, "failed", message=reason, http_status=exc.status,
                                zoho_code=exc.code)
            self._done(index, failed=True, message=f"row {e.index + 1}: {reason}")
            return
        entry = details.get(leg.target) if isinstance(details, dict) else None
        if not (isinstance(entry, dict) and entry.get("id")):
            message = self._not_made(e, leg, f"Zoho said it converted the record but named no "
                                             f"{target_words([leg.target])} made")
            await journal.write(journal.finish, index, State.FAILED, "failed", message=message)
            self._done(index, failed=True, message=message)
            return
        made = {**made_of(e), leg.target: Made(str(entry["id"]))}
        if self._leg(e, made) is not None:
            await self._made_first({index: made})
            self._doubted.discard(index)
            if not self.control.cancelled:  # else the row waits, pending, for the next run
                await self._single(index)  # the chain's next conversion, from the record just made
            return
        note = None
        if index in self._single_after_mass:
            note = "converted on its own after the mass conversion left it"
        await self._converted({index: made}, note)
