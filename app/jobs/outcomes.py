"""The one vocabulary of what happened to a document (or a row): the terminal, the GUI, the reports and --json use it.

Each `Outcome`'s value is its `--json` key (CLI.md's keys, plus "not_sent"); `words` is what a
person reads, in the terminal summary, the GUI's run and results steps, and the reports' Status
column. "skipped" is only ever a choice (skip-existing, an empty or totals row); a row a stopped
run never sent is "not sent", and the run can be resumed to send it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # Zoho already held these values: nothing was written
    SKIPPED = "skipped"  # by the user's choice (skip-existing), or a row that is no document
    NOT_SENT = "not_sent"  # the run stopped (cancelled, quota, sign-in, unreachable) before sending it
    INVALID = "invalid"  # refused before sending: a cell to fix
    FAILED = "failed"  # Zoho refused it
    IN_DOUBT = "in_doubt"  # sent, answer lost: looked up (never sent twice) when the job runs again

    @property
    def words(self) -> str:
        """What a person reads: "not sent", "in doubt", the others as they are."""
        return self.value.replace("_", " ")

    @property
    def settled(self) -> bool:
        """Whether a rerun leaves it alone (it is not sent, or looked up, again)."""
        return self not in (Outcome.NOT_SENT, Outcome.IN_DOUBT)


# The order every summary lists them in.
ORDER: tuple[Outcome, ...] = tuple(Outcome)
# The report statuses that go to the "rows to fix and re-run" file. In-doubt rows never do: a
# re-import of that file as a new job could make them twice; running the same job settles them.
TO_FIX: tuple[str, ...] = (Outcome.INVALID.words, Outcome.FAILED.words)


def summary_line(counts: Mapping[str, int], outcomes: tuple[Outcome, ...] = ORDER) -> str:
    """"3 created, 0 updated, ..., 2 not sent, 1 in doubt": every outcome, counted by its `--json` key."""
    return ", ".join(f"{counts.get(o.value, 0)} {o.words}" for o in outcomes)


def already_done(counts: Mapping[str, int]) -> int:
    """Documents an earlier run of the job settled by sending (or by choosing not to): never negative.

    `counts` are a journal's counts per outcome (Journal.counts()).
    """
    return sum(counts.get(o.value, 0) for o in ORDER if o.settled and o is not Outcome.INVALID)


@dataclass(kw_only=True)
class Answer:
    """What Zoho answered for a document: its record's ID and number, the message, the HTTP status and
    Zoho's code, and the attempts it took. The journal keeps it per document (Entry) and the report shows
    it per row (RowResult)."""

    zoho_id: str | None = None
    number: str | None = None
    message: str | None = None
    http_status: int | None = None
    zoho_code: str | None = None
    attempts: int = 0
