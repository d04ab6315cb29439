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


class StopReason(StrEnum):
    """Why a run stopped before its end: the `--json` "stopped" value and the journal's."""

    CANCELLED = "cancelled"  # the user (Ctrl-C, Cancel, closing the window)
    QUOTA = "quota"  # Zoho's daily quota ran out
    AUTH = "auth"  # signing in failed
    UNREACHABLE = "unreachable"  # Zoho could not be reached at all
    STORM = "storm"  # Zoho refused several documents in a row with the same error
    LIMIT = "limit"  # --limit N calls were sent

    @property
    def words(self) -> str:
        """Why, as the reports' "not sent: ..." messages say it."""
        return _STOP_WORDS[self]


_STOP_WORDS = {StopReason.CANCELLED: "the run was cancelled", StopReason.QUOTA: "the daily quota ran out",
               StopReason.AUTH: "signing in failed", StopReason.UNREACHABLE: "Zoho could not be reached",
               StopReason.STORM: "Zoho refused several documents in a row with the same error",
               StopReason.LIMIT: "beyond --limit"}


def stop_words(stopped: str | None) -> str:
    """Why a run stopped, in words (a run stopped for no known reason was cancelled)."""
    return StopReason(stopped).words if stopped in _STOP_WORDS else StopReason.CANCELLED.words


def exit_code(*, stopped: str | None, writes: int, unfinished: int, refused: int) -> int:
    """The exit code of every job kind (README "Exit codes"): 2 when signing in failed before anything was
    written (nothing was sent: fix the credentials and run again), 3 when the run stopped early or left
    items to settle (resumable), 1 when it finished and some rows were refused, 0 when every row succeeded."""
    if stopped == StopReason.AUTH and not writes:
        return 2
    if stopped or unfinished:
        return 3
    return 1 if refused else 0


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
