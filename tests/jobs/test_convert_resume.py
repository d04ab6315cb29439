"""CRM conversion that survives lost answers, crashes, cancels and reruns: each record converted once, none lost."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.jobs.converting import ConvertJob, resume_settings
from app.jobs.errors import JobError
from app.jobs.journal import Journal, journal_path
from app.jobs.progress import Progress
from app.jobs.target import sandbox_target
from app.zoho import CrmClient, RetryPolicy, TokenSource
from tests.jobs.test_convert_env import (
    URL,
    CrmBox,
    Sent,
    convert,
    create_quotes,
    quote_id,
    report_rows,
    settings,
    write_rows,
)

pytestmark = pytest.mark.slow  # crashes, faults and reruns of whole conversions

APPROVED = [f"QT-{n:05d}" for n in range(1, 9)]


@pytest.fixture
def box(tmp_path: Path) -> Iterator[CrmBox]:
    made = CrmBox(tmp_path / "sandbox.sqlite")
    yield made
    made.close()


def quotes_file(tmp_path: Path, numbers: list[str]) -> Path:
    return write_rows(tmp_path / "quotes.csv", ["Quote Number"], [[n] for n in numbers])


def made_once(box: CrmBox, numbers: list[str], module: str = "Sales_Orders") -> list[str]:
    """The one record of `module` made from each quote (fails on none or two)."""
    ids = []
    for number in numbers:
        made = box.made_from(module, quote_id(int(number[3:])))
        made = [m for m in made if m["Created_Time"] >= "2026-11"]  # not the seeded ones
        assert len(made) == 1, (number, made)
        ids.append(made[0]["id"])
    return ids


async def test_lost_mass_convert_answer_is_settled_from_back_pointers(box: CrmBox, tmp_path: Path) -> None:
    box.transport.lose_answer("mass_convert")
    box.crm.mass_convert_polls = 0  # Zoho did the job although its answer never came back
    file = quotes_file(tmp_path, [*APPROVED, "QT-00026"])

    result = await convert(box, "Quotes", ("Sales_Orders",), file)

    rows = report_rows(result)
    assert [r["Status"] for r in rows] == ["converted"] * 8 + ["failed"]
    assert [r["Sales Order ID"] for r in rows[:8]] == made_once(box, APPROVED)
    assert rows[8]["Code"] == "NOT_APPROVED"
    assert box.transport.count("mass_convert") == 1  # never sent again
    assert box.transport.count("status") == 0  # no job ID to ask about
    assert box.transport.count("convert") == 1  # only the quote nothing was made for
    assert result.exit_code == 1


async def test_lost_single_convert_answer_is_not_converted_twice(box: CrmBox, tmp_path: Path) -> None:
    box.transport.lose_answer("convert")
    file = quotes_file(tmp_path, ["QT-00011", "QT-00012"])

    result = await convert(box, "Quotes", ("Invoices",), file)

    rows = report_rows(result)
    assert [r["Status"] for r in rows] == ["converted", "converted"]
    assert [r["Invoice ID"] for r in rows] == made_once(box, ["QT-00011", "QT-00012"], "Invoices")
    assert box.transport.count("convert") == 2  # the lost one was found, not resent
    assert result.exit_code == 0


async def test_crash_while_polling_resumes_without_converting_again(box: CrmBox, tmp_path: Path) -> None:
    file = quotes_file(tmp_path, [*APPROVED, "QT-00030"])

    def power_cut(sent: Sent) -> None:
        if sent.kind == "status":
            raise RuntimeError("the laptop went to sleep")

    box.transport.fail_with = power_cut
    first = ConvertJob(settings(box, "Quotes", ("Sales_Orders",), file))
    with pytest.raises(RuntimeError):
        await first.run()
    job_id = first.job_id
    with Journal.open(job_id) as journal:
        assert {e.state for e in journal.entries()} == {"sent"}
        batch = journal.get("batch.1")
        assert batch["job_id"] and batch["status"] == "scheduled"

    box.transport.fail_with = None
    box.transport.sent.clear()
    second = await convert(box, "Quotes", ("Sales_Orders",), file)

    assert second.job_id == job_id
    rows = report_rows(second)
    assert [r["Status"] for r in rows] == ["converted"] * 8 + ["failed"]
    assert rows[8]["Code"] == "NOT_REVIEWED"
    assert [r["Sales Order ID"] for r in rows[:8]] == made_once(box, APPROVED)
    assert box.transport.count("mass_convert") == 0  # the earlier job was polled, not scheduled again
    assert box.transport.count("status") >= 1
    assert box.transport.converted_ids() == [quote_id(30)]


async def test_cancel_then_rerun_settles_the_rest(box: CrmBox, tmp_path: Path) -> None:
    numbers = [*APPROVED, "QT-00026", "QT-00039"]
    file = quotes_file(tmp_path, numbers)
    job = ConvertJob(settings(box, "Quotes", ("Sales_Orders",), file))

    def cancel_once_sent(p: Progress) -> None:
        if p.phase == "mass conversion" and p.in_flight:
            job.cancel()

    first = await job.run(cancel_once_sent)

    assert first.exit_code == 3 and first.stopped == "cancelled"
    assert box.transport.count("mass_convert") == 1 and box.transport.count("convert") == 0
    assert first.counts["converted"] == 8 and first.counts["in_doubt"] == 2  # the job ran; 2 left unexplained
    box.transport.sent.clear()

    second = await convert(box, "Quotes", ("Sales_Orders",), file)

    assert second.exit_code == 1
    assert [r["Code"] for r in report_rows(second)][8:] == ["NOT_APPROVED", "AMBIGUITY_DURING_PROCESSING"]
    assert box.transport.count("mass_convert") == 0
    assert sorted(box.transport.converted_ids()) == [quote_id(26), quote_id(39)]
    made_once(box, APPROVED)


async def test_rerun_after_approval_converts_only_what_changed(box: CrmBox, tmp_path: Path) -> None:
    file = quotes_file(tmp_path, [*APPROVED, "QT-00026", "QT-00033"])
    first = await convert(box, "Quotes", ("Sales_Orders",), file)
    assert [r["Status"] for r in report_rows(first)][8:] == ["failed", "failed"]

    box.set_approval(quote_id(26), "approved")  # the manager approves it in Zoho CRM
    box.transport.sent.clear()
    second = await convert(box, "Quotes", ("Sales_Orders",), file)

    rows = report_rows(second)
    assert rows[8]["Status"] == "converted" and rows[8]["Sales Order ID"]
    assert (rows[9]["Status"], rows[9]["Code"]) == ("failed", "ID_ALREADY_CONVERTED")  # not asked again
    assert [r["Sales Order ID"] for r in rows[:8]] == [r["Sales Order ID"] for r in report_rows(first)[:8]]
    assert box.transport.converted_ids() == [quote_id(26)]
    made_once(box, [*APPROVED, "QT-00026"])


async def test_rerun_of_a_finished_job_sends_nothing(box: CrmBox, tmp_path: Path) -> None:
    file = quotes_file(tmp_path, APPROVED)
    first = await convert(box, "Quotes", ("Sales_Orders",), file)
    assert first.exit_code == 0
    box.transport.sent.clear()
    second = await convert(box, "Quotes", ("Sales_Orders",), file)
    assert second.exit_code == 0 and second.counts["converted"] == 8
    assert box.transport.sent == []


async def test_a_pasted_list_resumes_from_its_job_id(box: CrmBox, tmp_path: Path) -> None:
    first_job = ConvertJob(settings(box, "Quotes", ("Invoices",), None, text="QT-00014 QT-00015 QT-00027",
                                    report_dir=tmp_path))
    first = await first_job.run()
    assert first.counts == {**first.counts, "converted": 2, "failed": 1}
    box.set_approval(quote_id(27), "approved")
    box.transport.sent.clear()

    again = resume_settings(first.job_id, box.target(), report_dir=tmp_path, poll_first_s=0.001)
    second = await ConvertJob(again).run()

    assert (again.source, again.targets, again.text) == ("Quotes", ("Invoices",), "QT-00014 QT-00015 QT-00027")
    assert second.job_id == first.job_id and second.counts["converted"] == 3 and second.exit_code == 0
    assert box.transport.converted_ids() == [quote_id(27)]


async def test_already_converted_after_a_lost_answer_is_looked_up_again(box: CrmBox, tmp_path: Path) -> None:
    box.crm.mass_convert_polls = 0  # Zoho runs the job although its answer is lost...
    box.transport.lose_answer("mass_convert")
    box.transport.stale_lists["Sales_Orders"] = 1  # ...and the first look at the sales orders does not show them yet
    file = quotes_file(tmp_path, [*APPROVED, "QT-00033"])

    result = await convert(box, "Quotes", ("Sales_Orders",), file)

    rows = report_rows(result)
    assert [r["Status"] for r in rows] == ["converted"] * 8 + ["failed"]
    assert [r["Sales Order ID"] for r in rows[:8]] == made_once(box, APPROVED)
    assert rows[8]["Code"] == "ID_ALREADY_CONVERTED"  # converted long before this run: stays a failure
    assert box.transport.count("convert") == 9 + 1  # one each, QT-00033 asked twice: nothing converted twice
    assert result.exit_code == 1


async def test_server_errors_and_lost_answers_never_convert_twice(tmp_path: Path) -> None:
    box = CrmBox(tmp_path / "faults.sqlite", seed=11)
    try:
        made = await create_quotes(box, 60)
        box.app.state.settings.fail_rate = 0.2  # 500 / 503 answers
        box.app.state.settings.drop_rate = 0.2  # writes done, answers lost
        file = write_rows(tmp_path / "q.csv", ["Record Id"], [[i] for i in made] + [[quote_id(26)], [quote_id(37)]])

        result = await convert(box, "Quotes", ("Sales_Orders", "Invoices"), file)

        rows = report_rows(result)
        assert [r["Status"] for r in rows] == ["converted"] * 60 + ["failed", "failed"]
        assert [r["Code"] for r in rows[60:]] == ["NOT_APPROVED", "ID_ALREADY_CONVERTED"]
        for row, quote in zip(rows, made, strict=False):
            orders = box.made_from("Sales_Orders", quote)
            assert [o["id"] for o in orders] == [row["Sales Order ID"]]
            invoices = box.made_from("Invoices", row["Sales Order ID"])  # each made from its sales order
            assert [i["id"] for i in invoices] == [row["Invoice ID"]]
        assert result.exit_code == 1 and result.calls["retries"] > 0
    finally:
        box.close()


async def test_a_job_resumes_only_on_the_organization_it_began_on(box: CrmBox, tmp_path: Path) -> None:
    first = await convert(box, "Quotes", ("Invoices",), None, text="QT-00014 QT-00027", report_dir=tmp_path)
    assert first.exit_code == 1
    box.transport.sent.clear()
    elsewhere = sandbox_target("http://sandbox.test", transport=box.transport, identity="connection Acme 998877")

    with pytest.raises(JobError, match="choose that connection"):
        await ConvertJob(resume_settings(first.job_id, elsewhere, report_dir=tmp_path)).run()
    assert box.transport.sent == []


async def test_a_mass_conversion_that_ends_badly_leaves_its_records_to_single_converts(
        box: CrmBox, tmp_path: Path) -> None:
    def job_failed(sent: Sent) -> httpx.Response | None:
        if sent.kind == "status":
            return httpx.Response(200, json={"total_count": 8, "converted_count": 0, "not_converted_count": 0,
                                             "failed_count": 8, "status": "FAILED"})
        return None

    box.transport.answer_with = job_failed
    file = quotes_file(tmp_path, APPROVED)

    result = await convert(box, "Quotes", ("Sales_Orders",), file)

    assert result.exit_code == 0
    assert [r["Sales Order ID"] for r in report_rows(result)] == made_once(box, APPROVED)
    assert (box.transport.count("mass_convert"), box.transport.count("status"), box.transport.count("convert")) == (
        1, 1, 8)
    assert all("on its own" in r["Message"] for r in report_rows(result))


async def test_zoho_out_of_reach_stops_with_nothing_failed_and_the_rerun_finishes(box: CrmBox, tmp_path: Path) -> None:
    file = quotes_file(tmp_path, [*APPROVED, "QT-00026", "QT-00027", "QT-00028"])
    sent_before_the_outage: list[Sent] = []

    def outage_after_scheduling(sent: Sent) -> None:
        if any(s.kind == "mass_convert" for s in sent_before_the_outage):
            raise httpx.ConnectError("connection refused")
        sent_before_the_outage.append(sent)

    box.transport.fail_with = outage_after_scheduling
    client = CrmClient(URL, TokenSource.for_sandbox(URL, box.transport), transport=box.transport,
                       retry=RetryPolicy(attempts=2, base_s=0.001, cap_s=0.001))
    async with client:
        first = await ConvertJob(settings(box, "Quotes", ("Sales_Orders",), file), client=client).run()

    assert first.exit_code == 3 and first.stopped == "unreachable"
    assert first.counts["failed"] == 0 and first.counts["converted"] == 0
    assert first.counts["in_doubt"] == 11  # all went out in the mass conversion; none could be checked
    assert all("run the same file again" in r["Message"] for r in report_rows(first))
    box.transport.fail_with = None
    box.transport.sent.clear()

    second = await convert(box, "Quotes", ("Sales_Orders",), file)

    rows = report_rows(second)
    assert [r["Status"] for r in rows] == ["converted"] * 8 + ["failed"] * 3
    assert [r["Sales Order ID"] for r in rows[:8]] == made_once(box, APPROVED)


async def test_a_crash_mid_batch_resumes_without_converting_anything_twice(tmp_path: Path) -> None:
    box = CrmBox(tmp_path / "crash.sqlite")
    try:
        made = await create_quotes(box, 110)  # three mass conversions: 50, 50 and 10 records
        file = write_rows(tmp_path / "q.csv", ["Record Id"], [[i] for i in made])
        job = ConvertJob(settings(box, "Quotes", ("Sales_Orders",), file, workers=1))
        seen_sent: list[set[str]] = []

        def committed_states(ids: list[str]) -> set[str]:
            """What another process reads in the journal file now: committed rows only."""
            db = sqlite3.connect(f"file:{journal_path(job.job_id)}?mode=ro", uri=True)
            try:
                marks = ", ".join("?" * len(ids))
                return {s for (s,) in db.execute(f"SELECT state FROM entries WHERE key IN ({marks})", ids)}
            finally:
                db.close()

        def power_cut_on_the_second_batch(sent: Sent) -> None:
            if sent.kind == "mass_convert":
                seen_sent.append(committed_states(sent.body["ids"]))  # durably "sent" before it goes out
                if len(seen_sent) == 2:
                    raise RuntimeError("the laptop lost power")

        box.transport.fail_with = power_cut_on_the_second_batch
        with pytest.raises(RuntimeError):
            await job.run()
        assert seen_sent == [{"sent"}, {"sent"}]
        delivered = set(box.transport.sent[[s.kind for s in box.transport.sent].index("mass_convert")].body["ids"])
        assert delivered == set(made[:50])
        with Journal.open(job.job_id) as journal:
            assert journal.states() == {"sent": 100, "pending": 10}  # records made are looked for at the end
            assert journal.get("batch.1")["status"] == "completed" and journal.get("batch.2")["job_id"] is None

        box.transport.fail_with = None
        box.transport.sent.clear()
        second = await convert(box, "Quotes", ("Sales_Orders",), file, workers=1)

        assert second.job_id == job.job_id and second.exit_code == 0 and second.counts["converted"] == 110
        assert not delivered & set(box.transport.converted_ids())  # what Zoho converted is never asked again
        assert (box.transport.count("mass_convert"), box.transport.count("convert")) == (1, 50)
        for quote in made:
            assert len(box.made_from("Sales_Orders", quote)) == 1, quote
    finally:
        box.close()
