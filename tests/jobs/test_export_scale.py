"""10,000 contacts export in exactly 50 list calls, as the CLI's --json summary says, over real HTTP."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.jobs.target import RATE_ENV
from tests.perf.bench_export import seed_contacts


@pytest.mark.slow
def test_ten_thousand_contacts_in_fifty_list_calls(live_sandbox: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(RATE_ENV, "100000/60/10")  # this test counts calls; it does not time them
    monkeypatch.setenv("ZOHO_BULK_DATA_DIR", str(tmp_path / "data"))
    seed_contacts(live_sandbox.app.state.store, 10_000 - 3)  # plus the demo's 3 contacts
    out = tmp_path / "contacts.csv"
    code = main(["export", "contacts", "--out", str(out), "--sandbox", live_sandbox.url, "--json"])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    assert summary["records"] == summary["rows"] == 10_000
    assert summary["calls"]["list"] == summary["calls"]["total"] == 50
    assert summary["calls"]["detail"] == 0 and summary["out"] == str(out)
    assert isinstance(summary["elapsed_s"], float)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 10_000 and len({r["Contact ID"] for r in rows}) == 10_000
    last = rows[-1]
    assert (last["Display Name"], last["EmailID"], last["CF.External ID"]) == (
        "Contact 09997", "buyer9997@contact9997.example", "EXT-09997")


def test_cli_refuses_bad_usage_with_exit_2_and_writes_nothing(live_sandbox: Any, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["export", "contacts", "--out", str(tmp_path / "c.txt")],
                 ["export", "contacts", "--out", str(tmp_path / "c.csv"), "--from", "2026-01-01"],
                 ["export", "salesorders", "--out", str(tmp_path / "s.csv"), "--columns", "Colour"]):
        assert main([*argv, "--sandbox", live_sandbox.url, "--json"]) == 2
        captured = capsys.readouterr()
        assert json.loads(captured.out.strip().splitlines()[-1])["exit_code"] == 2
        assert "Nothing was exported" in captured.err and "Traceback" not in captured.err
    assert not list(tmp_path.glob("*.csv"))
