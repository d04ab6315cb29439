"""The one stop-reason vocabulary and the one exit-code rule every job kind ends with (README "Exit codes")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.jobs.outcomes import StopReason, exit_code, stop_words
from app.jobs.sending import refused_at_door
from app.zoho import AuthError, QuotaSpent, Unreachable, ZohoError


@pytest.mark.parametrize(("stopped", "writes", "unfinished", "refused", "code"), [
    (None, 10, 0, 0, 0),  # every row succeeded
    (None, 10, 0, 2, 1),  # finished, some refused
    (None, 10, 1, 0, 3),  # an answer still in doubt: run again to settle it
    (StopReason.QUOTA, 4, 6, 0, 3),  # stopped early: resumable
    (StopReason.CANCELLED, 0, 10, 0, 3),
    (StopReason.AUTH, 0, 10, 0, 2),  # sign-in failed before anything was written: nothing was sent
    (StopReason.AUTH, 3, 7, 0, 3),  # ... after some were: resumable
])
def test_the_exit_code_follows_the_readme(stopped: StopReason | None, writes: int, unfinished: int, refused: int,
                                          code: int) -> None:
    assert exit_code(stopped=stopped, writes=writes, unfinished=unfinished, refused=refused) == code


def test_a_refusal_at_the_door_names_its_stop_reason_and_the_reports_say_it_in_words() -> None:
    assert refused_at_door(QuotaSpent(datetime(2026, 12, 6, tzinfo=UTC))) is StopReason.QUOTA
    assert refused_at_door(AuthError("no")) is StopReason.AUTH
    assert refused_at_door(Unreachable("down")) is StopReason.UNREACHABLE
    assert refused_at_door(ZohoError("a bad value", status=400)) is None
    assert stop_words("quota") == "the daily quota ran out" and stop_words(None) == "the run was cancelled"
    assert {r.value for r in StopReason} == {"cancelled", "quota", "auth", "unreachable", "storm", "limit"}
