"""The corrected copy: the user's fixes written so that reading it gives the same cells on the same row numbers."""

from __future__ import annotations

from pathlib import Path

from app.sheets.corrected import write_corrected_copy


def test_the_corrected_copy_keeps_the_sheet_row_numbers(tmp_path: Path) -> None:
    from app.sheets import SheetData, read_table, write_xlsx

    source = write_xlsx(tmp_path / "gaps.xlsx", [SheetData("Orders", ["Name", "Email"], [
        ["Ann", "ann@example.com"], [None, None], [None, None], ["Bob", "bob-at-example"], ["Cy", "cy@example.com"]])])
    table = read_table(source)
    assert table.row_numbers == [2, 5, 6]
    table.rows[1][1] = "bob@example.com"  # the user's fix
    copy = read_table(write_corrected_copy(table, tmp_path / "corrected"))
    assert copy.row_numbers == table.row_numbers and copy.rows == table.rows and copy.headers == table.headers
    assert copy.source == tmp_path / "corrected" / "gaps.corrected.xlsx"


def test_the_corrected_copy_keeps_a_header_on_row_3_on_row_3(tmp_path: Path) -> None:
    import openpyxl

    from app.sheets import read_table

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Customers"
    sheet["A1"] = "Customer list, March"  # a title row and a blank one above the header
    rows = {3: ["Name", "Email", "Phone"], 4: ["Ann", "ann@example.com", "555-0100"],
            6: ["Bob", "bob-at-example", "555-0101"]}
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    source = tmp_path / "titled.xlsx"
    book.save(source)
    table = read_table(source)
    assert table.header_row == 3 and table.row_numbers == [4, 6]
    table.rows[1][1] = "bob@example.com"  # the user's fix
    copy = read_table(write_corrected_copy(table, tmp_path / "corrected"))
    assert copy.header_row == 3 and copy.row_numbers == [4, 6]
    assert copy.headers == table.headers and copy.rows == table.rows and copy.sheet == "Customers"
    assert copy.ref(1, 1).row == 6  # the fixed cell keeps its number: a report on the copy names row 6


def test_the_corrected_copy_keeps_unreadable_cells_unreadable(tmp_path: Path) -> None:
    """A fix elsewhere in the sheet must not turn a formula without a saved value (or an error value) into text
    that would be sent: the copy holds them as they were, and reading it refuses them again."""
    import openpyxl

    from app.sheets import ExcelError, read_table

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["Name", "Email", "Company"], ["Ann", "ann-at-example", "=UPPER(A2)"], ["Bob", "bob@example.com", "#N/A"]):
        sheet.append(row)
    source = tmp_path / "formulas.xlsx"
    book.save(source)  # openpyxl saves no results: C2 is a formula without a saved value
    table = read_table(source)
    assert isinstance(table.rows[0][2], ExcelError) and isinstance(table.rows[1][2], ExcelError)
    table.rows[0][1] = "ann@example.com"  # the user's fix
    copy = read_table(write_corrected_copy(table, tmp_path / "corrected"))
    assert copy.rows[0][1] == "ann@example.com"
    formula, error = copy.rows[0][2], copy.rows[1][2]
    assert isinstance(formula, ExcelError) and formula.formula and str(formula) == "=UPPER(A2)"
    assert isinstance(error, ExcelError) and str(error) == "#N/A"
