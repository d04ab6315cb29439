"""How an import job decides: each document's payload with its names resolved, and the one request it needs."""

from __future__ import annotations

import gc
import json
from collections import Counter
from typing import Any

from app.jobs.catalog import SOURCES, LookupMiss, normalise
from app.jobs.importing.decide import Action, Decider, Decision, Marker, set_path
from app.jobs.importing.state import ImportState
from app.jobs.journal import Entry, State
from app.mapping.documents import Document, Prepared, Problem

DECIDE_CHUNK = 2_000  # documents decided between two gc.freeze() calls (about 5 ms of collector walk)


class ImportDeciding(ImportState):
    """Step 2 of `ImportJob` (CPU only): the documents still to do, decided, and what sending them costs."""

    def _markers_shown(self) -> tuple[str, ...]:
        """How creates the sheet gives no key for are found again if Zoho's answer is lost (or that they cannot be)."""
        tagged = [d.marker.value or "" for d in self._decisions.values()
                  if d.action == Action.CREATE and d.marker.tagged]
        keyless = sum(1 for d in self._decisions.values() if d.action == Action.CREATE and not d.marker.by)
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
            for p in d.problems:
                r, column = p["row_index"], p["column"]
                letter = table.letters[table.headers.index(column)] if column in table.headers else None
                found.append(Problem("error", p["message"], row=table.row_numbers[r], row_index=r,
                                     column=column, column_letter=letter, document=index))
        return found

    def _survey(self, prepared: Prepared) -> tuple[list[Entry], Decider, set[str]]:
        """The documents still to do, their decider and the reference data they need (CPU only)."""
        assert self.journal is not None and self.facts is not None
        work = self.journal.entries(State.PENDING, State.SENT, State.IN_DOUBT)
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
                    self._decisions[e.index] = Decision(Action.INVALID, message="; ".join(
                        p["message"] for p in problems), problems=problems)
                    continue
                self._decisions[e.index] = decider.decide(doc.index, payload, doc.key, doc.zoho_id)
            gc.freeze()
        assert self.journal is not None
        counts = self.journal.counts()
        decisions = [self._decisions[e.index] for e in work]
        writes = sum(1 for d in decisions if d.writes)
        reconcile = sum(1 for e in work if e.state in (State.SENT, State.IN_DOUBT) and Marker.from_json(e.marker).findable)
        reconcile += sum(1 for d in decisions if d.marker.check)  # reads
        invalid = counts.get("invalid", 0) + sum(1 for d in self._decisions.values() if d.action == Action.INVALID)
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


def _plural(n: int, word: str) -> str:
    return f"1 {word}" if n == 1 else f"{n} {word}s"
