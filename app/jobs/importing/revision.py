"""How an import job takes a revised copy of its file (fixes made in the app): what was sent stays settled,
the rest is taken afresh from the copy."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from app.errors import ZohoBulkError
from app.jobs.journal import Entry, Journal, State
from app.jobs.sending import RESEND


class Regrouped(ZohoBulkError):
    """The copy groups rows already sent to Zoho otherwise than when they were sent."""


def taken_afresh(e: Entry) -> bool:
    """Whether an entry's document comes from the revised copy: never sent (pending), refused by the
    checks (invalid) or refused by Zoho in so many words (a 4xx other than 429: nothing was made).
    Everything else was sent or may have been (done, sent, in doubt, a lost answer) and stays as it is."""
    if e.state == State.FAILED and e.outcome == "invalid":
        return True
    if e.state == State.FAILED:
        return e.http_status is not None and 400 <= e.http_status < 500 and e.http_status != 429
    return e.state not in (State.DONE, State.SENT, State.IN_DOUBT)


def revise(journal: Journal, fresh: list[Entry], row_numbers: list[int]) -> int:
    """Put `fresh` (the copy's documents, as a new job would journal them) in place of the journal's entries,
    each settled entry kept in the place of the fresh document made of the same rows; returns how many were
    kept. Regrouped (nothing changed) when a settled entry's rows make no document of the copy."""
    old = journal.entries()
    by_rows = {tuple(e.rows): e for e in fresh}
    kept: dict[int, Entry] = {}
    moved: dict[int, int] = {}
    for e in old:
        if taken_afresh(e):
            continue
        twin = by_rows.get(tuple(e.rows))
        if twin is None:
            numbers = sorted(row_numbers[r] for r in e.rows if r < len(row_numbers))
            where = f"row {numbers[0]}" if len(numbers) == 1 else f"rows {numbers[0]}-{numbers[-1]}"
            raise Regrouped(f"{where} went to Zoho as one document before the changes, which group them "
                            "differently; undo the change to the key column of those rows, or import the "
                            "changed rows as a file of their own")
        kept[twin.index] = replace(e, index=twin.index)
        moved[e.index] = twin.index
    entries = [kept.get(e.index, e) for e in fresh]
    resend = [moved[i] for i in journal.get(RESEND) or [] if i in moved] or None  # renumbered with their entries
    journal.together(partial(journal.replace_entries, entries), partial(journal.forget, "problems."),
                     partial(journal.set, RESEND, resend))
    return len(kept)
