"""--date-order and --decimal on `import` and `validate`, and the mapping file's top-level date_order/decimal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.mapping.errors import MappingError
from app.mapping.schema import DateFormat, load_mapping
from app.sandbox import EmbeddedSandbox
from tests.jobs.conftest import ORDER_HEADERS, write_csv

TWO_WAY = [
    ["CV-1", "03/04/2026", "Bowman and Co", "Laptop Stand", 2, "1,234"],
    ["CV-2", "05/06/2026", "Bowman and Co", "Laptop Stand", 1, "45"],
]


def payloads(out: str) -> dict[str, dict[str, object]]:
    """The payloads a dry run printed, by document number."""
    lines = out.splitlines()
    found: dict[str, dict[str, object]] = {}
    for i, line in enumerate(lines):
        if line.startswith("row ") and "create salesorder" in line:
            end = next((j for j in range(i + 1, len(lines)) if not lines[j].startswith("  ")), len(lines))
            body = json.loads("\n".join(lines[i + 1:end]))
            found[body["salesorder_number"]] = body
    return found


@pytest.mark.slow
def test_import_dry_run_reads_dates_and_numbers_as_the_options_say(
        live_sandbox: EmbeddedSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, TWO_WAY)
    common = ["import", str(file), "--entity", "salesorders", "--dry-run", "--show-payloads", "5",
              "--sandbox", live_sandbox.url, "--report-dir", str(tmp_path / "r")]
    assert main(common) == 1  # "1,234": 1234 or 1.234? refused, pinned to its cell
    captured = capsys.readouterr()
    assert 'row 2, column "Rate": "1,234" is 1234 or 1.234?' in captured.err
    assert "--decimal ." in captured.err
    assert "they are read day-first" in captured.err  # the assumed order is a printed warning

    assert main([*common, "--date-order", "month-first", "--decimal", ","]) == 0
    captured = capsys.readouterr()
    sent = payloads(captured.out)
    assert sent["CV-1"]["date"] == "2026-03-04" and sent["CV-2"]["date"] == "2026-05-06"
    assert sent["CV-1"]["line_items"][0]["rate"] == 1.234  # type: ignore[index]
    assert "day-first" not in captured.err  # an explicit order silences the warning

    assert main([*common, "--date-order", "day-first", "--decimal", "."]) == 0
    sent = payloads(capsys.readouterr().out)
    assert sent["CV-1"]["date"] == "2026-04-03" and sent["CV-1"]["line_items"][0]["rate"] == 1234  # type: ignore[index]


def test_validate_saves_the_options_into_the_mapping_and_the_file_applies_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_HEADERS, TWO_WAY)
    saved = tmp_path / "orders.mapping.json"
    assert main(["validate", str(file), "--entity", "salesorders", "--date-order", "month-first", "--decimal", ",",
                 "--save-mapping", str(saved), "--report-dir", str(tmp_path / "r")]) == 0
    mapping = load_mapping(saved)
    assert (mapping.date_order, mapping.decimal) == ("month-first", ",")
    date_rule = next(t for t in mapping.for_field("date").transforms if isinstance(t, DateFormat))  # type: ignore[union-attr]
    assert date_rule.assumed  # auto-mapping's own guess is kept; the file-wide order decides over it
    capsys.readouterr()
    assert main(["validate", str(file), "--entity", "salesorders", "--mapping", str(saved), "--json",
                 "--report-dir", str(tmp_path / "r")]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["warnings"] == 0 and summary["valid"] == 2


def test_a_version_1_mapping_without_the_new_keys_still_loads(tmp_path: Path) -> None:
    old = {"version": 1, "entity": "salesorders", "fields": [
        {"field": "date", "columns": ["Order Date"], "transforms": [{"op": "date", "order": "day-first"}]},
        {"field": "line_items.rate", "columns": ["Rate"], "transforms": [{"op": "number", "decimal": ","}]}]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    mapping = load_mapping(path)
    assert mapping.date_order is None and mapping.decimal is None
    assert mapping.fields[0].transforms[0] == DateFormat(order="day-first")
    path.write_text(json.dumps({**old, "date_order": "sideways"}), encoding="utf-8")
    with pytest.raises(MappingError, match="date_order"):
        load_mapping(path)
