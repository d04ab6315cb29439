"""Reports and exports: typed cells, styled header, highlights, formula-safe text, BOM, atomic replace."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from app.sheets import SheetData, SheetWriteError, neutralise, read_table, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),  # a number written as text is not a formula
        ("+5", "+5"),
        ("plain", "plain"),
        ("", ""),
        (-12.5, -12.5),
        (-3, -3),
        (None, None),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
    ],
)
def test_neutralise(value: object, expected: object) -> None:
    result = neutralise(value)
    assert result == expected and type(result) is type(expected)


def test_xlsx_types_styles_highlights(tmp_path: Path) -> None:
    rows = [
        ["SO-1", dt.date(2026, 1, 25), -12.5, 3, "=1+2", True, None],
        ["SO-2", dt.datetime(2026, 1, 26, 9, 30), 100.0, 4, "fine", False, "x"],
    ]
    headers = ["Order Number", "Order Date", "Amount", "Quantity", "Notes", "Paid", "Extra"]
    path = tmp_path / "report.xlsx"
    write_xlsx(path, [SheetData("Results", headers, rows,
                                highlights={(0, 2): "error", (1, 4): "warning", (1, 0): "ok"},
                                comments={(0, 2): "Amount must be positive"}),
                      SheetData("Results", ["A"], [[1]])])  # a repeated sheet name is made unique
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Results", "Results (2)"]
    ws = book["Results"]
    assert [c.value for c in ws[1]] == headers
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:G3"
    assert ws["B2"].value == dt.datetime(2026, 1, 25) and ws["B2"].is_date
    assert ws["C2"].value == -12.5 and ws["C2"].data_type == "n"
    assert ws["D2"].value == 3
    assert ws["E2"].value == "=1+2" and ws["E2"].data_type == "s"  # text, never run: no apostrophe needed
    assert ws["F2"].value is True
    assert ws["C2"].fill.start_color.rgb.endswith("FFC7CE")
    assert ws["E3"].fill.start_color.rgb.endswith("FFEB9C")
    assert ws["A3"].fill.start_color.rgb.endswith("C6EFCE")
    assert ws["A2"].fill.fill_type is None
    assert ws["C2"].comment is not None and ws["C2"].comment.text == "Amount must be positive"
    assert 8 <= ws.column_dimensions["A"].width <= 60
    assert ws.column_dimensions["A"].width >= len("Order Number")
    # Our own reader reads the report back with the same values.
    table = read_table(path)
    assert table.headers == headers and table.rows[0][2] == -12.5 and table.rows[1][3] == 4


def test_csv_bom_neutralised_and_readable(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    write_csv(path, ["Name", "Date", "Amount", "Formula", "Paid"],
              [["Café", dt.date(2026, 1, 25), -7.0, "=cmd|' /C calc'!A0", True],
               ["Ann, Ltd", None, 2.5, "@x", False]])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["Name", "Date", "Amount", "Formula", "Paid"],
                    ["Café", "2026-01-25", "-7", "'=cmd|' /C calc'!A0", "true"],
                    ["Ann, Ltd", "", "2.5", "'@x", "false"]]
    assert read_table(path).rows[1][0] == "Ann, Ltd"
    write_csv(tmp_path / "plain.csv", ["A"], [["x"]], bom=False)
    assert (tmp_path / "plain.csv").read_bytes() == b"A\r\nx\r\n"


def test_failed_write_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    write_csv(path, ["A"], [["old"]])
    before = path.read_bytes()

    def rows():
        yield ["new"]
        raise RuntimeError("crash half way")

    with pytest.raises(RuntimeError):
        write_csv(path, ["A"], rows())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]  # no temp file left behind


def test_failed_xlsx_write_leaves_no_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_xlsx(path, [SheetData("S", ["A"], [["old"]])])
    before = path.read_bytes()

    def rows():
        yield ["new"]
        raise RuntimeError("crash half way")

    with pytest.raises(RuntimeError):
        write_xlsx(path, [SheetData("First", ["A"], [[1], [2]]), SheetData("S", ["A"], rows())])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_unwritable_destination_is_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(SheetWriteError) as caught:
        write_csv(blocker / "out.csv", ["A"], [["x"]])
    text = str(caught.value)
    assert text.startswith('Cannot write "out.csv": ') and text.endswith(".") and "\n" not in text


def test_large_report_round_trip(tmp_path: Path) -> None:
    rows = [[f"SO-{i}", i, i * 0.5, dt.date(2026, 1, 1 + i % 28)] for i in range(5_000)]
    path = write_xlsx(tmp_path / "big.xlsx", [SheetData("R", ["N", "I", "F", "D"], rows,
                                                        highlights={(4_999, 1): "error"})])
    table = read_table(path)
    assert len(table.rows) == 5_000 and table.rows[-1] == ["SO-4999", 4999, 2499.5, dt.date(2026, 1, 16)]
    assert table.row_numbers[-1] == 5_001
    assert os.path.getsize(path) > 0


def test_xlsx_drops_control_characters_and_cuts_overlong_text(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [SheetData("R", ["Name\x01", "Notes"],
                                                      [["Ac\x00me\x1b", "x" * 40_000], [object.__name__, "=1"]])])
    ws = openpyxl.load_workbook(path)["R"]
    assert ws["A1"].value == "Name" and ws["A2"].value == "Acme"
    assert len(ws["B2"].value) == 32_767 and ws["B2"].value.endswith("…")
    assert ws["B3"].value == "=1" and ws["B3"].data_type == "s"


def test_xlsx_text_is_written_as_it_is_and_reads_back_unchanged(tmp_path: Path) -> None:
    values = ["+49 89 1234567", "=SUM(A1:A3)", "@handle", "-dash", "'=kept apostrophe"]
    path = write_xlsx(tmp_path / "t.xlsx", [SheetData("T", ["=Header", "Phone"], [[v, v] for v in values],
                                                      highlights={(1, 0): "error"}, comments={(1, 1): "note"})])
    ws = openpyxl.load_workbook(path)["T"]
    assert ws["A1"].value == "=Header" and ws["A1"].data_type == "s"
    assert [ws.cell(r, 1).value for r in range(2, 7)] == values
    assert {ws.cell(r, c).data_type for r in range(2, 7) for c in (1, 2)} == {"s"}  # no formula cell
    table = read_table(path)
    assert table.headers == ["=Header", "Phone"] and table.rows == [[v, v] for v in values]
