"""The corrected copy: a table with the user's fixes written as an xlsx that reads back to the same cells."""

from __future__ import annotations

from pathlib import Path

from app.sheets.table import Table
from app.sheets.writer import SheetData, write_xlsx


def write_corrected_copy(table: Table, folder: Path) -> Path:
    """The table with the user's fixes as `folder`/<file>.corrected.xlsx, which the engine reads as it read the
    file.

    Every row keeps its place: the header stays on its row (blank rows stand for the title rows
    above it, which the reader passes over) and blank rows stand where the sheet had them, so each
    message and report row number is the one of the user's file. Unreadable cells (a formula without
    a saved value, an error value) stay unreadable.
    """
    path = folder / f"{table.source.stem}.corrected.xlsx"
    blank: list[object] = [None] * len(table.headers)
    grid: list[list[object]] = [blank] * (table.header_row - 1) + [list(table.headers)]
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        grid.extend([blank] * (number - 1 - len(grid)))
        grid.append(row)
    if table.header_row == 1:  # the usual case: a bold, frozen header with its filter
        sheet = SheetData(table.sheet, table.headers, grid[1:], unreadable_kept=True)
    else:  # write_xlsx's own header row (row 1) left empty: the grid starts on row 2
        sheet = SheetData(table.sheet, [], grid[1:], freeze_header=False, autofilter=False, unreadable_kept=True)
    write_xlsx(path, [sheet])
    return path
