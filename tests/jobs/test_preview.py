"""What `validate` and `import --dry-run` show before anything is sent: the mapping, its problems, the payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.mapping.schema import load_mapping
from app.sandbox import EmbeddedSandbox
from tests.jobs.conftest import ORDER_HEADERS, write_csv

ROWS = [
    ["PV-1", "2026-01-05", "Bowman and Co", "Laptop Stand", 2, 45],
    ["PV-2", "2026-01-06", "Bowman and Co", "Laptop Stand", "two", 45],
    ["PV-3", "2026-01-07", "Bowman and Co", "Laptop Stand", 1, 19.5],
]


def test_validate_shows_and_saves_the_proposed_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, ROWS)
    saved = tmp_path / "proposal.json"
    code = main(["validate", str(file), "--entity", "salesorders", "--show-mapping", "--save-mapping", str(saved)])
    out = capsys.readouterr().out
    assert code == 1
    assert "Mapping: salesorders, create; one document per value of \"Order Number\"" in out
    line = next(x for x in out.splitlines() if x.strip().startswith("line_items.quantity"))
    assert '<- "Quantity"' in line and "%]" in line  # the source column and auto-mapping's confidence
    mapping = load_mapping(saved)
    assert mapping.column_of("line_items.quantity") == "Quantity"
    assert "Errors (1):" in out and 'row 3, column "Quantity"' in out


def test_validate_prints_every_warning_not_only_their_count(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    file = write_csv(tmp_path / "orders.csv", [*ORDER_HEADERS, "Colour"], [[*r, "red"] for r in ROWS[:1]])
    main(["validate", str(file), "--entity", "salesorders", "--json"])
    out = capsys.readouterr().out
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["warnings"] >= 1
    assert f"Warnings ({summary['warnings']}):" in out and "Colour" in out


def test_a_dry_run_prints_the_payloads_exactly_as_they_would_be_sent(
        live_sandbox: EmbeddedSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, ROWS)
    code = main(["import", str(file), "--entity", "salesorders", "--dry-run", "--show-payloads", "5",
                 "--sandbox", live_sandbox.url, "--report-dir", str(tmp_path / "r")])
    captured = capsys.readouterr()
    assert code == 1  # row 3 is invalid
    assert 'row 3, column "Quantity"' in captured.err  # the problem, before the run
    out = captured.out
    assert 'row 2: create salesorder "PV-1" (?ignore_auto_number_generation=true)' in out
    assert 'row 4: create salesorder "PV-3"' in out
    assert '"PV-2"' not in out  # the invalid one is not sent
    lines = out.splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith('row 4: create salesorder "PV-3"')) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("  ")), len(lines))
    payload = json.loads("\n".join(lines[start:end]))
    customers = {c["contact_name"]: c["contact_id"] for c in live_sandbox.app.state.store.all("contacts")}
    assert payload["customer_id"] == customers["Bowman and Co"]  # names already resolved to IDs
    assert payload["line_items"][0]["rate"] == 19.5
    numbers = {o.get("salesorder_number") for o in live_sandbox.app.state.store.all("salesorders")}
    assert not numbers & {"PV-1", "PV-2", "PV-3"}  # a dry run sends nothing


def test_show_payloads_without_a_dry_run_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, ROWS)
    code = main(["import", str(file), "--entity", "salesorders", "--show-payloads", "2",
                 "--sandbox", "http://127.0.0.1:9"])
    assert code == 2
    assert "add --dry-run" in capsys.readouterr().err
