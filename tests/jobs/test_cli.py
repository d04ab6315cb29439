"""`zoho-bulk import` and `zoho-bulk demo` as a user runs them: exit codes, the --json line, resume, SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.jobs.journal import Journal
from app.sandbox import EmbeddedSandbox, SandboxSettings
from tests.commands import interrupt_twice
from tests.holds import RequestHold
from tests.jobs.conftest import ORDER_HEADERS, read_report, write_csv

pytestmark = pytest.mark.slow  # runs the command in child processes

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_KEYS = {"job_id", "entity", "operation", "rows", "documents", "created", "updated",
                "unchanged", "skipped", "not_sent", "failed", "invalid", "in_doubt", "calls", "elapsed_s",
                "report", "report_csv"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("live") / "sandbox.sqlite"
    with EmbeddedSandbox(SandboxSettings(rate_limit=100_000, rate_window_s=60.0), db_path=db) as sb:
        yield sb


def cli(*args: str, data: Path, rate: str = "100000/60/10", **popen) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ZOHO_BULK_DATA_DIR": str(data), "ZOHO_BULK_SANDBOX_RATE": rate,
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, **popen)


def test_import_prints_the_contract_json_and_exits_1_when_rows_are_invalid(live, tmp_path: Path, data_dir: Path) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, [
        ["CLI-1", "2026-01-05", "Bowman and Co", "Laptop Stand", 2, 45],
        ["CLI-2", "2026-01-05", "Bowman and Co", "Laptop Stand", "x", 45]])
    run = cli("import", str(file), "--entity", "salesorders", "--sandbox", live.url, "--json",
              "--report-dir", str(tmp_path / "r"), data=data_dir)
    assert run.returncode == 1, run.stderr
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(summary) == SUMMARY_KEYS
    assert set(summary["calls"]) == {"total", "lookup", "write", "retries", "rate_limited"}
    assert (summary["created"], summary["invalid"], summary["rows"]) == (1, 1, 2)
    assert summary["calls"]["write"] == 1
    assert Path(summary["report"]).is_file() and Path(summary["report_csv"]).is_file()
    assert "[" in run.stderr and "Traceback" not in run.stderr  # the progress bar, no traceback
    # one vocabulary: the plan, the bar, the summary and the report say "invalid", never "failed", of the bad row
    assert "2 documents (1 invalid, 0 already done)" in run.stderr
    assert re.search(r"\] 2/2 failed 0 invalid 1 ", run.stderr), run.stderr
    assert "1 created, 0 updated, 0 unchanged, 0 skipped, 0 not sent, 1 invalid, 0 failed, 0 in doubt" in run.stdout
    assert [r["Status"] for r in read_report(Path(summary["report_csv"]))] == ["created", "invalid"]

    again = cli("import", str(file), "--entity", "salesorders", "--sandbox", live.url, "--json",
                "--report-dir", str(tmp_path / "r"), data=data_dir)
    second = json.loads(again.stdout.strip().splitlines()[-1])
    assert second["job_id"] == summary["job_id"] and second["calls"]["total"] == 0
    assert "2 documents (1 invalid, 1 already done)" in again.stderr  # never negative


def test_all_rows_done_exits_0_and_resume_by_job_id(live, tmp_path: Path, data_dir: Path) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, [
        ["CLI-10", "2026-01-05", "Zylker Corp", "USB-C Hub", 1, 60]])
    run = cli("import", str(file), "--entity", "salesorders", "--sandbox", live.url, "--json",
              data=data_dir)
    assert run.returncode == 0, run.stderr
    job_id = json.loads(run.stdout.strip().splitlines()[-1])["job_id"]
    # the report lands beside the input when no --report-dir is given
    assert (tmp_path / f"orders.report-{job_id}.xlsx").is_file()
    resumed = cli("import", str(file), "--entity", "salesorders", "--sandbox", live.url,
                  "--resume", job_id, "--json", data=data_dir)
    assert resumed.returncode == 0
    assert json.loads(resumed.stdout.strip().splitlines()[-1])["created"] == 1
    unknown = cli("import", str(file), "--entity", "salesorders", "--sandbox", live.url,
                  "--resume", "nosuchjob", data=data_dir)
    assert unknown.returncode == 2 and "no job nosuchjob" in unknown.stderr.lower()


@pytest.mark.parametrize("case", ["missing file", "refused mapping", "no sandbox"])
def test_nothing_sent_exits_2_with_a_plain_message(case: str, live, tmp_path: Path, data_dir: Path) -> None:
    url = live.url
    file = tmp_path / "missing.csv"
    if case == "refused mapping":
        file = write_csv(tmp_path / "odd.csv", ["Colour", "Size"], [["red", "L"]])
    if case == "no sandbox":
        file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, [
            ["CLI-20", "2026-01-05", "Zylker Corp", "USB-C Hub", 1, 60]])
        url = "http://127.0.0.1:9"  # nothing listens on the discard port
    run = cli("import", str(file), "--entity", "salesorders", "--sandbox", url, "--json",
              data=data_dir, rate="")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and run.stderr.strip()
    assert json.loads(run.stdout.strip().splitlines()[-1])["error"]


def test_demo_imports_the_samples_into_a_fresh_sandbox(tmp_path: Path, data_dir: Path) -> None:
    run = cli("demo", data=data_dir, rate="6000/60")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Reports are in" in run.stdout
    reports = list((data_dir / "demo").glob("*/*.report-*.csv"))
    assert {p.name.split(".")[0] for p in reports} == {"contacts", "salesorders", "creditnotes"}
    for report in reports:
        assert {r["Status"] for r in read_report(report)} == {"created"}


def test_sigterm_stops_the_demo_cleanly_with_exit_3(tmp_path: Path, data_dir: Path) -> None:
    env = {**os.environ, "ZOHO_BULK_DATA_DIR": str(data_dir), "ZOHO_BULK_SANDBOX_RATE": "60/60",
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "app", "demo"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until the first document is settled
        settled = re.search(r"\] (\d+)/\d+", line)
        if settled and int(settled.group(1)) >= 1:
            break
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3
    assert "stopped before the end" in out and "Traceback" not in err
    states: set[str] = set()
    for path in (data_dir / "jobs").glob("*.sqlite"):
        with Journal(path) as journal:
            states |= {e.state for e in journal.entries()}
    assert states <= {"done", "pending"} and "pending" in states  # nothing ambiguous


def test_quota_spent_during_the_lookups_exits_3_and_sends_nothing(tmp_path: Path, data_dir: Path) -> None:
    settings = SandboxSettings(rate_limit=100_000, rate_window_s=60.0, daily_quota=1)
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, [
        ["CLI-30", "2026-01-05", "Zylker Corp", "USB-C Hub", 1, 60]])
    with EmbeddedSandbox(settings, db_path=tmp_path / "quota.sqlite") as sb:
        run = cli("import", str(file), "--entity", "salesorders", "--sandbox", sb.url, "--json",
                  data=data_dir)
        orders = [r for r in sb.app.state.store.all("salesorders") if r["salesorder_number"] == "CLI-30"]
    assert run.returncode == 3, run.stderr
    assert "quota" in run.stderr and "Traceback" not in run.stderr
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["created"] == 0 and summary["calls"]["write"] == 0 and not orders
    [row] = read_report(Path(summary["report_csv"]))
    assert row["Status"] == "not sent" and "quota" in row["Message"]


def test_a_second_ctrl_c_while_a_request_waits_to_go_out_leaves_no_task_behind(
        make_live_sandbox, tmp_path: Path, data_dir: Path) -> None:
    """The first write waits for its access token (held by the sandbox): both Ctrl-Cs land then, so
    the request is abandoned before it went out. Nothing may be reported about it ("Task exception
    was never retrieved"), and the rerun sends each row once."""
    sb = make_live_sandbox(rate_limit=100_000, concurrency=2, daily_quota=10_000_000)
    hold = RequestHold(sb.app, "POST", "/oauth/v2/token")
    names = [f"Waiting Co {i}" for i in range(5)]
    file = write_csv(tmp_path / "people.csv", ["Display Name"], [[n] for n in names])
    env = {**os.environ, "ZOHO_BULK_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "app", "import", str(file), "--entity", "contacts",
                             "--sandbox", sb.url, "--json"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        hold.wait_held(1, proc)
        out, seen, err = interrupt_twice(proc)
    finally:
        hold.release()
    assert proc.returncode == 3, seen + err
    assert "never retrieved" not in err and "Traceback" not in err, err
    assert json.loads(out.strip().splitlines()[-1])["exit_code"] == 3

    done = cli("import", str(file), "--entity", "contacts", "--sandbox", sb.url, "--json", data=data_dir)
    assert done.returncode == 0, done.stderr
    made = [c["contact_name"] for c in sb.app.state.store.all("contacts")]
    assert all(made.count(n) == 1 for n in names)
