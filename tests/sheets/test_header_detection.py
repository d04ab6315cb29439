"""Finding the header row, naming columns and trimming empty edges, as a spreadsheet user would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.sheets import SheetError, read_table
from app.sheets.grid import disambiguate
from tests.sheets import files


def test_title_and_blank_rows_above_header_are_skipped(tmp_path: Path) -> None:
    rows = [
        ["Sales orders export — January"],
        [None],
        ["Generated 2026-01-31", None, None],
        [None],
        [None, "Order Number", "Customer", "Amount"],
        [None, "SO-1", "Acme", 10],
        [None, None, None, None],
        [None, "SO-2", "Zylker", 20],
    ]
    table = read_table(files.xlsx(tmp_path / "t.xlsx", rows, merges=["A1:D1"]))
    assert table.header_row == 5
    assert table.headers == ["Order Number", "Customer", "Amount"]
    assert table.letters == ["B", "C", "D"]  # empty column A dropped, letters stay true
    assert table.rows == [["SO-1", "Acme", 10], ["SO-2", "Zylker", 20]]
    assert table.row_numbers == [6, 8]  # blank row 7 skipped, numbering kept
    assert str(table.ref(1, 2)) == 'Data!D8 (column "Amount")'


def test_explicit_header_row(tmp_path: Path) -> None:
    rows = [["a", "b"], ["Name", "City"], ["x", "y"]]
    table = read_table(files.xlsx(tmp_path / "t.xlsx", rows), header_row=2)
    assert table.headers == ["Name", "City"] and table.rows == [["x", "y"]]
    with pytest.raises(SheetError, match="no row 9"):
        read_table(tmp_path / "t.xlsx", header_row=9)


def test_csv_title_row(tmp_path: Path) -> None:
    rows = [["Contacts from CRM"], [], ["Name", "Email", "Phone"], ["Ann", "ann@example.com", "+1 555"]]
    table = read_table(files.text(tmp_path / "c.csv", rows))
    assert table.header_row == 3 and table.headers == ["Name", "Email", "Phone"]
    assert table.row_numbers == [4]


def test_repeated_headers_are_each_named_with_their_column_letter_and_warned_about(tmp_path: Path) -> None:
    rows = [["Amount", "amount", "Amount (B)", "Amount", "Notes\nextra"], [1, 2, 3, 4, "n"]]
    table = read_table(files.xlsx(tmp_path / "d.xlsx", rows))
    assert table.headers == ["Amount (A)", "amount (B)", "Amount (B) (2)", "Amount (D)", "Notes extra"]
    assert table.rows == [[1, 2, 3, 4, "n"]]
    (note,) = table.notes
    assert note.severity == "warning" and note.column == 0 and note.row is None
    assert 'the header "Amount" repeats in columns A, B, D' in note.message
    assert disambiguate(["A", "A", "A"]) == ["A", "A (2)", "A (3)"]
    assert disambiguate(["A", "A", "A"]) == ["A", "A (2)", "A (3)"]


def test_trailing_empty_rows_and_columns_dropped(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Name", "City"])
    ws.append(["Ann", "Oslo"])
    ws["H40"] = ""  # a touched but empty cell far away
    ws["H40"].number_format = "0.00"
    ws["F30"].value = None
    book.save(tmp_path / "t.xlsx")
    table = read_table(tmp_path / "t.xlsx")
    assert table.headers == ["Name", "City"]
    assert table.rows == [["Ann", "Oslo"]]


def test_headerless_data_column_is_named_by_letter(tmp_path: Path) -> None:
    rows = [["Name", None, "City"], ["Ann", "x", "Oslo"]]
    table = read_table(files.xlsx(tmp_path / "t.xlsx", rows))
    assert table.headers == ["Name", "Column B", "City"]


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_merged_header_cells_take_the_merged_value(tmp_path: Path, fmt: str) -> None:
    # Row 1: "Customer" merged down A1:A2; "Billing Address" merged across B1:C1; row 2 is the header.
    rows = [["Customer", "Billing Address", None, "Total"],
            [None, "Street", "City", None],
            ["Acme", "1 Main St", "Oslo", 5]]
    if fmt == "xlsx":
        path = files.xlsx(tmp_path / "m.xlsx", rows, merges=["A1:A2", "B1:C1", "D1:D2"])
    else:
        path = files.xls(tmp_path / "m.xls", rows, merges=[(0, 1, 0, 0, "Customer"), (0, 0, 1, 2, "Billing Address"),
                                                          (0, 1, 3, 3, "Total")])
    table = read_table(path, header_row=2)
    assert table.headers == ["Customer", "Street", "City", "Total"]
    assert table.rows == [["Acme", "1 Main St", "Oslo", 5]]
    across = read_table(path, header_row=1)  # a header merged across columns repeats, disambiguated
    assert across.headers[:3] == ["Customer", "Billing Address (B)", "Billing Address (C)"]
    found = read_table(path)  # detected: a two-row header, the group title joined to each name
    assert found.header_row == 2
    assert found.headers == ["Customer", "Billing Address Street", "Billing Address City", "Total"]
    assert found.rows == [["Acme", "1 Main St", "Oslo", 5]] and found.row_numbers == [3]


def test_excel_serial_dates_1900_and_1904(tmp_path: Path) -> None:
    day = dt.date(2026, 1, 25)
    rows = [["Date", "Serial"], [day, 45000]]
    plain = read_table(files.xlsx(tmp_path / "1900.xlsx", rows))
    mac = read_table(files.xlsx(tmp_path / "1904.xlsx", rows, date1904=True))
    assert plain.rows[0][0] == day and mac.rows[0][0] == day  # dates are dates in both systems
    assert plain.date1904 is False and mac.date1904 is True  # plain numbers: the system is told
    assert plain.rows[0][1] == 45000 and mac.rows[0][1] == 45000


@pytest.mark.parametrize("fmt", ["xls", "xlsb"])
@pytest.mark.parametrize("date1904", [False, True])
def test_binary_formats_1904(tmp_path: Path, fmt: str, date1904: bool) -> None:
    day = dt.date(2026, 1, 25)
    build = files.xls if fmt == "xls" else files.xlsb
    table = read_table(build(tmp_path / f"d.{fmt}", [["Date", "N"], [day, 1]], date1904=date1904))
    value = table.rows[0][0]
    assert (value.date() if isinstance(value, dt.datetime) else value) == day
    assert table.date1904 is date1904


def test_xlsx_1900_leap_bug_and_datetimes(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["When", "Early"])
    ws.append([dt.datetime(2026, 3, 1, 14, 30), dt.date(1900, 3, 1)])
    book.save(tmp_path / "t.xlsx")
    table = read_table(tmp_path / "t.xlsx")
    assert table.rows[0][0] == dt.datetime(2026, 3, 1, 14, 30)
    early = table.rows[0][1]
    assert (early.date() if isinstance(early, dt.datetime) else early) == dt.date(1900, 3, 1)


def test_table_far_down_the_sheet(tmp_path: Path) -> None:
    rows = [[None]] * 500 + [["Name", "City"], ["Ann", "Oslo"]]
    table = read_table(files.text(tmp_path / "far.csv", rows))
    assert table.header_row == 501 and table.rows == [["Ann", "Oslo"]] and table.row_numbers == [502]
