"""An error storm: Zoho refusing document after document the same way pauses the run instead of spending the quota."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx

from app.jobs import sandbox_target
from app.jobs.journal import Journal
from app.jobs.sending import RESEND
from app.zoho import Throttle
from tests.jobs.conftest import ORDER_HEADERS, read_report, run_job, write_csv


class RefusingZoho:
    """The sandbox behind a door that refuses the creates of orders numbered BAD-* as Zoho refuses a field it
    lacks (while `refusing`); everything else reaches the sandbox unchanged."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.refusing = True
        self.refused = 0

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if self.refusing and scope["type"] == "http" and scope["method"] == "POST" \
                and scope["path"].endswith("/salesorders"):
            chunks = []
            while True:
                message = await receive()
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
            body = b"".join(chunks)
            if b'"BAD-' in body:
                self.refused += 1
                answer = json.dumps({"code": 2, "message": 'Invalid field "cf_region" passed.'}).encode()
                await send({"type": "http.response.start", "status": 400,
                            "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": answer})
                return
            sent = False

            async def replay() -> dict[str, Any]:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)


def _target(door: RefusingZoho):
    return sandbox_target("http://sandbox.test", transport=httpx.ASGITransport(app=door),
                          throttle=Throttle(calls=100_000, window_s=60.0, concurrency=10, daily_quota=None))


ROWS = [["OK-1", "2026-01-05", "Bowman and Co", "Laptop Stand", 1, 45],
        *[[f"BAD-{n}", "2026-01-05", "Bowman and Co", "Laptop Stand", 1, 45] for n in range(1, 9)],
        ["OK-2", "2026-01-06", "Zylker Corp", "USB-C Hub", 3, 60]]


async def test_five_identical_refusals_in_a_row_pause_the_run_and_the_rerun_sends_each_once(
        books, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, ROWS)
    door = RefusingZoho(books.transport.app)
    first = await run_job(books, file, "salesorders", target=_target(door), workers=1)

    assert first.exit_code == 3 and first.stopped == "storm"
    assert "5 documents in a row with the same error (code 2, field cf_region)" in first.message
    assert "run the same import again" in first.message
    assert door.refused == 5  # not 8: the run stopped at the fifth identical refusal
    assert first.report_csv is not None
    rows = read_report(first.report_csv)  # one line per sheet row, in order
    assert rows[0]["Status"] == "created"
    assert [r["Status"] for r in rows[1:6]] == ["failed"] * 5
    assert all("not sent" in r["Message"] and r["Status"] != "failed" for r in rows[6:])

    door.refusing = False  # the user added the field in Zoho
    second = await run_job(books, file, "salesorders", target=_target(door), workers=1)
    assert second.exit_code == 0 and second.job_id == first.job_id
    numbers = [str(o["salesorder_number"]) for o in books.records("salesorders")]
    wanted = [str(r[0]) for r in ROWS]
    assert sorted(n for n in numbers if n in wanted) == sorted(wanted)  # each exactly once
    assert second.counts["created"] == len(ROWS)


async def test_a_success_between_refusals_breaks_the_streak(books, tmp_path: Path) -> None:
    mixed = [ROWS[1], ROWS[2], ROWS[3], ROWS[4], ROWS[0], ROWS[5], ROWS[6], ROWS[7], ROWS[9]]
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, mixed)
    door = RefusingZoho(books.transport.app)
    result = await run_job(books, file, "salesorders", target=_target(door), workers=1)
    assert result.stopped is None and result.exit_code == 1
    assert door.refused == 7 and result.counts["created"] == 2


async def test_a_journal_of_the_earlier_version_keeps_its_two_resend_lists(books, tmp_path: Path) -> None:
    """Journals written before the one resend list kept the documents to send again under "storm" and
    "custom_field_refused": a resumed job still sends each of them (once)."""
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, ROWS)
    door = RefusingZoho(books.transport.app)
    first = await run_job(books, file, "salesorders", target=_target(door), workers=1)
    assert first.stopped == "storm"
    with Journal.open(first.job_id) as journal:  # written as the earlier version wrote it
        resend = journal.get(RESEND)
        assert len(resend) == 5
        journal.set(RESEND, None)
        journal.set("storm", resend[:3])
        journal.set("custom_field_refused", resend[3:])

    door.refusing = False
    second = await run_job(books, file, "salesorders", target=_target(door), workers=1)
    assert second.exit_code == 0 and second.counts["created"] == len(ROWS)
    numbers = [str(o["salesorder_number"]) for o in books.records("salesorders")]
    wanted = [str(r[0]) for r in ROWS]
    assert sorted(n for n in numbers if n in wanted) == sorted(wanted)  # each exactly once
    with Journal.open(first.job_id) as journal:
        assert (journal.get("storm"), journal.get("custom_field_refused"), journal.get(RESEND)) == (None,) * 3
