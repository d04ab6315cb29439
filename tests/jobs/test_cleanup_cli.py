"""`zoho-bulk import --operation delete|void|...` against a sandbox on loopback: asked first, --yes, --limit, refusals."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.cli.cleanup import run_cleanup
from app.jobs import ImportJob, JobSettings, list_jobs, sandbox_target
from app.jobs.cleanup import CleanupJob, CleanupSettings
from app.sandbox import EmbeddedSandbox
from tests.holds import RequestHold
from tests.jobs.conftest import ORDER_HEADERS, read_report, write_csv


class Terminal(io.StringIO):
    """What the user types at a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def orders(live_sandbox: EmbeddedSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    numbers = [f"CLI-DEL-{i}" for i in range(3)]
    file = write_csv(tmp_path / "make.csv", ORDER_HEADERS,
                     [[n, "2026-08-03", "Zylker Corp", "Desk Lamp", 1, 35] for n in numbers])
    assert cli.main(["import", str(file), "--entity", "salesorders", "--sandbox", live_sandbox.url,
                     "--report-dir", str(tmp_path / "made")]) == 0
    capsys.readouterr()
    return numbers


def cleanups() -> list[str]:
    return [j.job_id for j in list_jobs() if j.kind == "cleanup"]


def numbers_left(sb: EmbeddedSandbox) -> set[str]:
    return {r["salesorder_number"] for r in sb.app.state.store.all("salesorders")}


DELETE = ("import", "--entity", "salesorders", "--operation", "delete", "--from", "2026-08-03", "--to", "2026-08-03")


def test_delete_without_yes_off_a_terminal_says_the_count_and_the_flag_and_sends_nothing(
        live_sandbox: EmbeddedSandbox, orders: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script: no terminal to ask at
    code = cli.main([*DELETE, "--sandbox", live_sandbox.url, "--json"])
    out, err = capsys.readouterr()
    assert code == 2
    assert f"Delete 3 sales orders in Zylker Demo Ltd (sandbox at {live_sandbox.url})?" in err
    assert "add --yes to the command" in err
    assert json.loads(out.strip().splitlines()[-1])["exit_code"] == 2
    assert set(orders) <= numbers_left(live_sandbox)
    assert cleanups() == []  # a plan never run leaves no job behind


def test_delete_with_yes_deletes_and_prints_the_json_summary(
        live_sandbox: EmbeddedSandbox, orders: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main([*DELETE, "--sandbox", live_sandbox.url, "--json", "--yes"])
    out, err = capsys.readouterr()
    assert code == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary["operation"], summary["deleted"], summary["failed"], summary["documents"]) == ("delete", 3, 0, 3)
    assert summary["calls"]["write"] == 3
    assert not set(orders) & numbers_left(live_sandbox)
    assert "3 deleted" in out and "yes (--yes)" in err


async def test_at_a_terminal_the_user_types_the_count_or_nothing_is_sent(
        live_sandbox: EmbeddedSandbox, orders: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = write_csv(tmp_path / "two.csv", ["Sales Order Number"], [[orders[0]], [orders[1]]])

    def settings() -> CleanupSettings:
        return CleanupSettings("salesorders", "void", file=sheet, target=sandbox_target(live_sandbox.url))

    err = io.StringIO()
    assert await run_cleanup(settings(), yes=False, stdin=Terminal("yes\n"), err=err, out=io.StringIO()) == 2
    assert "Void 2 sales orders in Zylker Demo Ltd" in err.getvalue() and "Type 2 to go on" in err.getvalue()
    assert "Nothing was sent: not confirmed" in capsys.readouterr().err
    assert not (tmp_path / "two.report").exists() and cleanups() == []

    out = io.StringIO()
    assert await run_cleanup(settings(), yes=False, stdin=Terminal("2\n"), err=io.StringIO(), out=out) == 0
    voided = {r["salesorder_number"] for r in live_sandbox.app.state.store.all("salesorders")
              if r["status"] == "void"}
    assert voided == {orders[0], orders[1]}
    assert "2 voided" in out.getvalue()


def test_limit_sends_two_then_the_same_job_resumed_sends_the_last(
        live_sandbox: EmbeddedSandbox, orders: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*DELETE, "--sandbox", live_sandbox.url, "--yes", "--limit", "2", "--json"]) == 3
    out, err = capsys.readouterr()
    first = json.loads(out.strip().splitlines()[-1])
    assert (first["deleted"], first["not_sent"], first["limit"], first["stopped"]) == (2, 1, 2, "limit")
    assert "Delete 2 of 3 sales orders (--limit 2)" in err
    assert len(set(orders) & numbers_left(live_sandbox)) == 1
    rows = read_report(Path(first["report_csv"]))
    assert [r["Status"] for r in rows].count("not sent") == 1

    assert cli.main(["import", "--entity", "salesorders", "--operation", "delete", "--resume", first["job_id"],
                     "--sandbox", live_sandbox.url, "--yes", "--json"]) == 0
    rest = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (rest["deleted"], rest["calls"]["write"]) == (3, 1)
    assert not set(orders) & numbers_left(live_sandbox)


@pytest.mark.parametrize(("args", "words"), [
    (("import", "x.csv", "--entity", "contacts", "--limit", "3"), "--limit applies to delete"),
    (("import", "--entity", "contacts"), "create needs a FILE"),
    (("import", "x.csv", "--entity", "salesorders", "--operation", "void", "--status", "open"),
     "either by FILE or by a filter"),
    (("import", "x.csv", "--entity", "contacts", "--operation", "delete", "--mapping", "m.json"),
     "--mapping applies to create"),
    (("import", "--entity", "contacts", "--operation", "delete", "--limit", "0"), "1 or more"),
])
def test_options_that_do_not_fit_are_refused_before_anything(args: tuple[str, ...], words: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*args, "--sandbox", "http://127.0.0.1:9"]) == 2
    assert words in capsys.readouterr().err


def test_a_filter_that_does_not_apply_is_a_plain_refusal(live_sandbox: EmbeddedSandbox,
                                                        capsys: pytest.CaptureFixture[str], **_: Any) -> None:
    assert cli.main(["import", "--entity", "contacts", "--operation", "deactivate", "--from", "2026-01-01",
                     "--sandbox", live_sandbox.url]) == 2
    assert "contacts cannot be filtered by date" in capsys.readouterr().err


async def test_a_cancel_lets_the_call_out_come_back_and_the_resumed_job_sends_the_rest(
        make_live_sandbox: Any, tmp_path: Path) -> None:
    sb = make_live_sandbox(rate_limit=100_000)
    numbers = [f"CXL-{i}" for i in range(6)]
    file = write_csv(tmp_path / "make.csv", ORDER_HEADERS,
                     [[n, "2026-10-05", "Zylker Corp", "Desk Lamp", 1, 35] for n in numbers])
    made = ImportJob(JobSettings(file, "salesorders", "create", report_dir=tmp_path / "made",
                                 target=sandbox_target(sb.url)))
    assert (await made.run()).counts["created"] == 6
    hold = RequestHold(sb.app, "DELETE", "/books/v3/salesorders/", after=2)

    def settings(**more: Any) -> CleanupSettings:
        return CleanupSettings("salesorders", "delete", date_from="2026-10-05", date_to="2026-10-05",
                               target=sandbox_target(sb.url), workers=1, **more)

    job = CleanupJob(settings())
    await job.plan()
    running = asyncio.ensure_future(job.run())
    await asyncio.to_thread(hold.wait_held, 1)  # the third delete is out
    job.cancel()
    hold.release()
    first = await running
    assert (first.counts["deleted"], first.counts["not_sent"], first.exit_code) == (3, 3, 3)
    assert first.stopped == "cancelled"
    assert len(set(numbers) & numbers_left(sb)) == 3

    rest = await CleanupJob(settings(job_id=first.job_id)).run()
    assert (rest.counts["deleted"], rest.calls["write"], rest.exit_code) == (6, 3, 0)
    assert not set(numbers) & numbers_left(sb)
