"""`zoho-bulk convert` as a user runs it, against a sandbox on loopback: the --json line, exit codes, plain refusals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.sandbox import EmbeddedSandbox
from tests.holds import RequestHold
from tests.jobs.test_convert_env import quote_id, write_rows

pytestmark = pytest.mark.slow  # runs the command in child processes

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_KEYS = {"job_id", "from", "to", "rows", "converted", "failed", "invalid", "skipped", "in_doubt",
                "not_sent", "calls", "elapsed_s", "report", "report_csv"}


@pytest.fixture
def live(make_live_sandbox: Callable[..., EmbeddedSandbox]) -> EmbeddedSandbox:
    sb = make_live_sandbox(rate_limit=100_000, concurrency=1_000, daily_quota=10_000_000)
    sb.app.state.crm.mass_convert_polls = 0
    return sb


def cli(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ZOHO_BULK_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "app", "convert", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def summary(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_json_summary_and_exit_1_when_some_fail(live: EmbeddedSandbox, tmp_path: Path, data_dir: Path) -> None:
    numbers = [f"QT-{n:05d}" for n in range(1, 7)] + ["QT-00027", "QT-00099"]
    file = write_rows(tmp_path / "quotes.csv", ["Quote Number"], [[n] for n in numbers])

    done = cli(str(file), "--from", "Quotes", "--to", "Sales_Orders", "--sandbox", live.url, "--json",
               "--report-dir", str(tmp_path / "out"), data=data_dir)

    assert done.returncode == 1, done.stderr
    result = summary(done)
    assert set(result) >= SUMMARY_KEYS
    assert (result["rows"], result["converted"], result["failed"], result["invalid"]) == (8, 6, 1, 1)
    calls = result["calls"]
    assert isinstance(calls, dict)
    assert (calls["mass_convert"], calls["single_convert"], calls["convert"]) == (1, 1, 2)
    assert Path(str(result["report"])).is_file() and Path(str(result["report_csv"])).parent == tmp_path / "out"
    assert "Traceback" not in done.stderr


def test_exit_0_when_every_row_converts(live: EmbeddedSandbox, tmp_path: Path, data_dir: Path) -> None:
    file = write_rows(tmp_path / "orders.csv", ["Record Id"], [[str(460000000200005)], [str(460000000200006)]])
    done = cli(str(file), "--from", "Sales_Orders", "--to", "Invoices", "--carry-over-tags", "--sandbox", live.url,
               "--json", data=data_dir)
    assert done.returncode == 0, done.stderr
    result = summary(done)
    assert result["converted"] == 2 and result["to"] == ["Invoices"]
    assert Path(str(result["report"])).parent == tmp_path  # beside the input by default


@pytest.mark.parametrize(("to", "words"), [
    ("Quotes", "not something to convert to"),
    ("Sales_Orders", "converts only to an invoice"),
])
def test_impossible_targets_send_nothing(live: EmbeddedSandbox, tmp_path: Path, data_dir: Path, to: str,
                                         words: str) -> None:
    file = write_rows(tmp_path / "orders.csv", ["SO Number"], [["SO-00005"]])
    done = cli(str(file), "--from", "Sales_Orders", "--to", to, "--sandbox", live.url, "--json", data=data_dir)
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr
    assert summary(done)["exit_code"] == 2
    assert live.app.state.crm.summary()["Invoices"] == 5  # nothing converted


def test_unreadable_file_sends_nothing(live: EmbeddedSandbox, tmp_path: Path, data_dir: Path) -> None:
    missing = tmp_path / "nope.xlsx"
    done = cli(str(missing), "--from", "Quotes", "--to", "Invoices", "--sandbox", live.url, data=data_dir)
    assert done.returncode == 2 and "does not exist" in done.stderr and "Traceback" not in done.stderr

    garbage = tmp_path / "broken.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a workbook")
    done = cli(str(garbage), "--from", "Quotes", "--to", "Invoices", "--sandbox", live.url, data=data_dir)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert live.app.state.crm.get("Quotes", quote_id(1))["$converted"] is False


def test_column_named_on_the_command_line(live: EmbeddedSandbox, tmp_path: Path, data_dir: Path) -> None:
    file = write_rows(tmp_path / "mixed.csv", ["Our ref", "Zoho"], [["QT-00001", "QT-00017"], ["QT-00002", "QT-00018"]])
    done = cli(str(file), "--from", "Quotes", "--to", "Invoices", "--column", "Zoho", "--sandbox", live.url,
               "--json", data=data_dir)
    assert done.returncode == 0, done.stderr
    assert summary(done)["converted"] == 2
    crm = live.app.state.crm
    assert crm.get("Quotes", quote_id(17))["$converted"] and not crm.get("Quotes", quote_id(1))["$converted"]


def test_ctrl_c_stops_with_exit_3_and_the_rerun_converts_each_quote_once(
        live: EmbeddedSandbox, tmp_path: Path, data_dir: Path) -> None:
    live.app.state.crm.mass_convert_polls = 1  # the job takes two status checks
    approved = [*range(1, 26), 40]
    numbers = [f"QT-{n:05d}" for n in range(1, 41)]
    file = write_rows(tmp_path / "quotes.csv", ["Quote Number"], [[n] for n in numbers])
    args = [sys.executable, "-m", "app", "convert", str(file), "--from", "Quotes", "--to", "Invoices",
            "--sandbox", live.url, "--json"]
    env = {**os.environ, "ZOHO_BULK_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    hold = RequestHold(live.app, "POST", "/actions/mass_convert")  # Ctrl-C lands while it is out
    with subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as run:
        try:
            assert run.stderr is not None
            hold.wait_held(1, run)
            run.send_signal(signal.SIGINT)
            said = ""
            while "Stopping" not in said:  # the signal was taken while the mass conversion was out
                line = run.stderr.readline()
                assert line, said
                said += line
        finally:
            hold.release()
        out, err = run.communicate(timeout=120)
    assert run.returncode == 3, err
    first = json.loads(out.strip().splitlines()[-1])
    assert first["exit_code"] == 3
    assert "Traceback" not in err

    done = cli(str(file), "--from", "Quotes", "--to", "Invoices", "--sandbox", live.url, "--json", data=data_dir)

    assert done.returncode == 1, done.stderr  # the quotes Zoho refuses stay failures
    second = summary(done)
    assert second["converted"] == len(approved) + 3  # and QT-00033..35, which have sales orders, not invoices
    crm = live.app.state.crm
    invoices, _more = crm.page("Invoices", 1, 200)
    sources = [i["Quote_Name"]["id"] for i in invoices if i.get("Quote_Name")]
    assert len(sources) == len(set(sources))  # never two invoices from one quote
