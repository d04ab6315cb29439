"""Each reader format gives the same table: headers, typed values, coordinates."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from app.sheets import ExcelError, read_table, sheet_names
from tests.sheets import files

ROWS = [
    ["Customer", "Order Date", "Quantity", "Rate", "Paid"],
    ["Acme", dt.date(2026, 1, 25), 3, 12.5, True],
    ["Zylker", dt.date(2025, 12, 31), 10, 0.99, False],
]


def check_typed(table) -> None:
    assert table.headers == ["Customer", "Order Date", "Quantity", "Rate", "Paid"]
    assert table.letters == ["A", "B", "C", "D", "E"]
    assert table.header_row == 1
    assert table.row_numbers == [2, 3]
    first = table.rows[0]
    assert first[0] == "Acme"
    assert first[1] == dt.date(2026, 1, 25) or first[1] == dt.datetime(2026, 1, 25)
    assert first[2] == 3 and isinstance(first[2], int)
    assert first[3] == 12.5
    assert table.rows[1][2] == 10


def test_xlsx(tmp_path: Path) -> None:
    table = read_table(files.xlsx(tmp_path / "orders.xlsx", ROWS, title="Orders"))
    check_typed(table)
    assert table.rows[0][4] is True and table.rows[1][4] is False
    assert table.sheet == "Orders" and table.sheets == ["Orders"]
    ref = table.ref(1, 3)
    assert (ref.sheet, ref.row, ref.column, ref.header) == ("Orders", 3, "D", "Rate")


def test_xlsm_and_misnamed_workbook_read_by_content(tmp_path: Path) -> None:
    source = files.xlsx(tmp_path / "orders.xlsx", ROWS)
    xlsm = tmp_path / "macro.xlsm"
    shutil.copy(source, xlsm)
    check_typed(read_table(xlsm))
    misnamed = tmp_path / "really-xlsx.xls"
    shutil.copy(source, misnamed)
    check_typed(read_table(misnamed))


def test_xls(tmp_path: Path) -> None:
    table = read_table(files.xls(tmp_path / "orders.xls", ROWS))
    check_typed(table)
    assert table.rows[0][4] is True


def test_xlsb(tmp_path: Path) -> None:
    # Built record by record from MS-XLSB (no Python library writes xlsb); read through calamine.
    table = read_table(files.xlsb(tmp_path / "orders.xlsb", ROWS, title="Orders"))
    check_typed(table)
    assert table.sheet == "Orders" and table.rows[0][4] is True
    assert sheet_names(tmp_path / "orders.xlsb") == ["Orders"]


def test_ods(tmp_path: Path) -> None:
    table = read_table(files.ods(tmp_path / "orders.ods", ROWS))
    check_typed(table)
    assert table.rows[0][4] is True


@pytest.mark.parametrize(
    ("name", "delimiter", "encoding"),
    [
        ("plain.csv", ",", "utf-8"),
        ("bom.csv", ",", "utf-8-sig"),
        ("semicolon.csv", ";", "utf-8"),
        ("pipes.txt", "|", "utf-8"),
        ("tabs.tsv", "\t", "utf-8"),
        ("tabs.txt", "\t", "utf-16"),  # Excel's "Unicode text": UTF-16 with BOM
        ("windows.csv", ";", "cp1252"),
    ],
)
def test_delimited(tmp_path: Path, name: str, delimiter: str, encoding: str) -> None:
    rows = [["Name", "Street", "Amount"], ["Café Müller", "Rue de l'Été, 5", "1.234,50"], ["Ørsted", "", "-7"]]
    if delimiter == ",":
        rows[1][1:] = ["Rue de l'Été 5", "1234.50"]  # keep the test file free of quoting
    # "Ørsted" alone reads as "Řrsted" in windows-1250 too: the detector asks (tests/sheets/test_encodings.py)
    chosen = "windows-1252" if encoding == "cp1252" else None
    table = read_table(files.text(tmp_path / name, rows, delimiter=delimiter, encoding=encoding), encoding=chosen)
    assert table.headers == ["Name", "Street", "Amount"]
    assert table.rows[0] == rows[1]
    assert table.rows[1] == ["Ørsted", None, "-7"]  # empty cell is None; text stays text
    assert table.sheet == Path(name).stem and table.row_numbers == [2, 3]
    assert not table.rows[0][0].startswith("\ufeff") and table.headers[0] == "Name"


def test_csv_quoted_delimiters_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('Name,Notes\n"Smith, John","line one\nline two"\nDoe,plain\n', encoding="utf-8")
    table = read_table(path)
    assert table.rows == [["Smith, John", "line one\nline two"], ["Doe", "plain"]]
    assert table.row_numbers == [2, 3]


def test_csv_error_literals_become_error_values(tmp_path: Path) -> None:
    table = read_table(files.text(tmp_path / "e.csv", [["A", "B"], ["#N/A", "#hashtag"]]))
    assert isinstance(table.rows[0][0], ExcelError) and table.rows[0][0] == "#N/A"
    assert not isinstance(table.rows[0][1], ExcelError)


def test_sheet_choice_and_names(tmp_path: Path) -> None:
    path = files.xlsx(tmp_path / "book.xlsx", ROWS, title="Orders",
                      first_sheets={"Cover": []}, extra_sheets={"Lines": [["SKU"], ["LS-100"]]})
    assert sheet_names(path) == ["Cover", "Orders", "Lines"]
    table = read_table(path)  # first non-empty sheet
    assert table.sheet == "Orders" and table.sheets == ["Cover", "Orders", "Lines"]
    lines = read_table(path, sheet="lines")  # names match case-insensitively
    assert lines.sheet == "Lines" and lines.rows == [["LS-100"]]
    assert sheet_names(files.text(tmp_path / "x.csv", [["a"], ["1"]])) == ["x"]


def test_xlsx_error_cells_are_error_values(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Name", "Rate", "Total"])
    ws.append(["Acme", 1, None])
    ws["B2"] = "#DIV/0!"
    ws["B2"].data_type = "e"
    ws["C2"] = "#N/A"
    ws["C2"].data_type = "e"
    book.save(tmp_path / "errors.xlsx")
    table = read_table(tmp_path / "errors.xlsx")
    assert table.rows[0][1] == "#DIV/0!" and isinstance(table.rows[0][1], ExcelError)
    assert table.rows[0][2] == "#N/A" and isinstance(table.rows[0][2], ExcelError)
    assert table.rows[0][0] == "Acme"


def test_csv_sep_directive_line(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\r\nName;Amount\r\nAcme;1,5\r\n", encoding="utf-8")
    table = read_table(path)
    assert table.headers == ["Name", "Amount"] and table.rows == [["Acme", "1,5"]]
    assert table.header_row == 1  # Excel hides the directive line, so the header is its row 1


def test_default_sheet_skips_hidden_sheets(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    secret = book.active
    secret.title = "Lookup"
    secret.append(["Code"])
    secret.append(["X1"])
    secret.sheet_state = "hidden"
    visible = book.create_sheet("Orders")
    visible.append(["Order Number"])
    visible.append(["SO-1"])
    book.save(tmp_path / "h.xlsx")
    assert read_table(tmp_path / "h.xlsx").sheet == "Orders"
    assert read_table(tmp_path / "h.xlsx", sheet="Lookup").rows == [["X1"]]


def test_xlsb_error_cells_are_error_values(tmp_path: Path) -> None:
    rows = [["Name", "Rate", "Total"], ["Acme", "#DIV/0!", "#N/A"], ["Zylker", 2, 4]]
    table = read_table(files.xlsb(tmp_path / "e.xlsb", rows))
    assert table.rows[0][1] == "#DIV/0!" and isinstance(table.rows[0][1], ExcelError)
    assert table.rows[0][2] == "#N/A" and isinstance(table.rows[0][2], ExcelError)
    assert table.rows[1] == ["Zylker", 2, 4]


def test_xls_error_cells_are_error_values(tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("First")
    ws.write(0, 0, "x")
    ws = book.add_sheet("Orders")
    for c, header in enumerate(["Name", "Rate", "Total"]):
        ws.write(0, c, header)
    ws.write(1, 0, "Acme")
    ws.row(1).set_cell_error(1, "#DIV/0!")
    ws.row(1).set_cell_error(2, 0x2A)  # #N/A by its BIFF code (xlwt spells the name "#N/A!")
    ws.write(2, 0, "Zylker")
    ws.write(2, 1, 2)
    book.save(str(tmp_path / "e.xls"))
    table = read_table(tmp_path / "e.xls", sheet="Orders")
    assert table.rows[0][1] == "#DIV/0!" and isinstance(table.rows[0][1], ExcelError)
    assert table.rows[0][2] == "#N/A" and isinstance(table.rows[0][2], ExcelError)
    assert table.rows[1] == ["Zylker", 2, None]


def test_ods_error_cells_are_error_values_not_zero(tmp_path: Path) -> None:
    rows = [["Name", "Rate", "Total", None, None, "Note"], ["Acme", files.OdsError("#DIV/0!"), 3, None, None, "n"],
            ["Zylker", 0, None, None, files.OdsError("#N/A"), None]]
    table = read_table(files.ods(tmp_path / "e.ods", rows))
    assert table.headers == ["Name", "Rate", "Total", "Column E", "Note"]
    assert table.rows[0][1] == "#DIV/0!" and isinstance(table.rows[0][1], ExcelError)
    assert table.rows[0][2] == 3 and table.rows[1][1] == 0  # a real zero stays a zero
    assert table.rows[1][3] == "#N/A" and isinstance(table.rows[1][3], ExcelError)
    assert table.ref(1, 3).column == "E"  # found past a run of repeated empty cells
