"""`zoho-bulk validate`: exit codes, the --json summary and the problems report."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def summary(capsys: pytest.CaptureFixture[str]) -> tuple[dict, str]:
    out, err = capsys.readouterr()
    return json.loads(out.strip().splitlines()[-1]), out + err


@pytest.mark.parametrize(("name", "documents"), [("contacts", 11), ("salesorders", 8), ("creditnotes", 4)])
def test_the_samples_are_all_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, documents: int) -> None:
    code = main(["validate", str(SAMPLES / f"{name}.xlsx"), "--entity", name, "--report-dir", str(tmp_path), "--json"])
    result, _ = summary(capsys)
    assert code == 0
    assert (result["documents"], result["valid"], result["invalid"]) == (documents, documents, 0)
    assert Path(result["report"]).parent == tmp_path and Path(result["report"]).exists()


def test_the_sample_template_mapping_file_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(SAMPLES / "salesorders.xlsx"), "--entity", "salesorders", "--mapping",
                 str(MAPPINGS / "template-salesorders.json"), "--report-dir", str(tmp_path), "--json"])
    assert code == 0 and summary(capsys)[0]["valid"] == 8


def test_problems_exit_1_and_the_report_pins_each_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = shutil.copy(SAMPLES / "salesorders-with-problems.csv", tmp_path / "orders.csv")
    code = main(["validate", str(source), "--entity", "salesorders", "--json"])  # report beside the input
    result, text = summary(capsys)
    assert code == 1
    assert (result["rows"], result["documents"], result["valid"], result["invalid"]) == (5, 4, 1, 3)
    assert result["report"] == str(tmp_path / "orders-problems.xlsx")
    assert 'row 4, column "Order Date": "31/02/2026" is not a date' in text
    with open(result["report_csv"], encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.DictReader(fh))
    assert {(r["Row"], r["Column"], r["Cell"]) for r in lines} >= {("4", "Order Date", "B4"), ("4", "Quantity", "J4"),
                                                                  ("5", "Customer", "D5"), ("3", "Order Date", "B3")}
    book = load_workbook(result["report"])
    assert book.sheetnames == ["Problems", "Rows with problems"]
    rows = list(book["Rows with problems"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Row", "Status", "Problems", "Order Number")
    assert {r[0] for r in rows[1:]} == {3, 4, 5}


def test_unreadable_file_exits_2_with_a_plain_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"\x00\x01 definitely not a workbook" * 10)
    code = main(["validate", str(bad), "--entity", "contacts", "--json"])
    result, text = summary(capsys)
    assert code == 2 and "broken.xlsx" in result["error"] and "Traceback" not in text


def test_a_refused_mapping_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "people.csv"
    source.write_text("Colour,Size\nred,L\n", encoding="utf-8")
    code = main(["validate", str(source), "--entity", "contacts", "--json"])
    result, _ = summary(capsys)
    assert code == 2 and "Display Name" in result["error"] and "not mapped" in result["error"]
    assert not (tmp_path / "people-problems.xlsx").exists()


def test_a_mapping_for_another_entity_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(SAMPLES / "contacts.xlsx"), "--entity", "contacts", "--mapping",
                 str(MAPPINGS / "template-salesorders.json"), "--report-dir", str(tmp_path), "--json"])
    assert code == 2 and "salesorders" in summary(capsys)[0]["error"]
