"""Turn a raw grid of cells into a Table: find the header row, name the columns, drop empty edges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from app.sheets.errors import SheetError
from app.sheets.table import ExcelError, Table, column_letter

# How far down a sheet the header row is looked for (title rows, notes, blank rows above it).
HEADER_SEARCH_ROWS = 30
# Most columns a table may use (Excel's own limit is 16,384); wider sheets are refused plainly.
MAX_COLUMNS = 1_024
# Most data rows a table may hold (Excel's own limit is 1,048,576 rows).
MAX_ROWS = 1_048_576
# Most cells (rows x columns) read into memory at once.
MAX_CELLS = 10_000_000

Merged = tuple[tuple[int, int], tuple[int, int]]  # ((first_row, first_col), (last_row, last_col)), 0-based


def header_text(value: object) -> str:
    """A header cell as text: whitespace collapsed, whole numbers without ".0", dates as ISO."""
    if value is None or isinstance(value, ExcelError):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        value = value.isoformat()
    return " ".join(str(value).split())


def disambiguate(names: Sequence[str]) -> list[str]:
    """Make header names unique, case-insensitively: "Amount", "Amount (2)", "Amount (3)"."""
    taken = {n.casefold() for n in names}
    seen: set[str] = set()
    result = []
    for name in names:
        key = name.casefold()
        if key in seen:
            n = 2
            while f"{name} ({n})".casefold() in taken or f"{name} ({n})".casefold() in seen:
                n += 1
            name = f"{name} ({n})"
            key = name.casefold()
        seen.add(key)
        result.append(name)
    return result


def name_columns(names: Sequence[str], letters: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    """Unique headers: a header repeated (ignoring case) is named with each column's letter, "Email (E)" and
    "Email (F)", so each can be mapped on its own; also the groups of repeated columns."""
    groups: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        groups.setdefault(name.casefold(), []).append(i)
    repeated = [g for g in groups.values() if len(g) > 1]
    out = list(names)
    for group in repeated:
        for i in group:
            out[i] = f"{names[i]} ({letters[i]})"
    return disambiguate(out), repeated


def _filled(row: Sequence[object]) -> int:
    return sum(1 for v in row if v is not None)


def _looks_like_header(row: Sequence[object]) -> bool:
    return all(isinstance(v, str) for v in row if v is not None)


def _merged_row(grid: Sequence[Sequence[object]], r: int, width: int, merged: Sequence[Merged]) -> list[object]:
    """Row ``r`` cut to ``width``, where a cell left empty by a merge takes the merged cell's value."""
    row = list(grid[r][:width]) + [None] * (width - len(grid[r]))
    for (r0, c0), (r1, c1) in merged:
        if r0 <= r <= r1 and c0 < width:
            value = grid[r0][c0] if c0 < len(grid[r0]) else None
            for c in range(c0, min(c1 + 1, width)):
                if row[c] is None:
                    row[c] = value
    return row


def _only_errors(grid: Sequence[Sequence[object]], start: int) -> bool:
    return all(v is None or isinstance(v, ExcelError) for row in grid[start:] for v in row)


def find_header_row(grid: Sequence[Sequence[object]]) -> int:
    """0-based index of the likely header row: the first mostly-text row about as wide as the data.

    Title rows (one cell, often merged across the table), notes and blank rows above the
    header are passed over; when nothing looks like a header the first non-empty row is used.
    """
    candidates: list[tuple[int, int]] = []
    for i, row in enumerate(grid):
        n = _filled(row)
        if n:
            candidates.append((i, n))
            if len(candidates) == HEADER_SEARCH_ROWS:
                break
    if not candidates:
        return 0
    widest = max(n for _, n in candidates)
    needed = max(1, -(-widest * 6 // 10))  # at least 60% as wide as the widest row seen
    if widest >= 3:
        needed = max(needed, 2)
    for i, n in candidates:
        if n >= needed and _looks_like_header(grid[i]):
            return i
    return candidates[0][0]


def build_table(
    path: Path,
    grid: list[list[object]],
    *,
    sheet: str,
    sheets: list[str],
    header_row: int | None = None,
    merged: Sequence[Merged] = (),
    date1904: bool = False,
    hidden: Sequence[int] = (),
) -> Table:
    """Build a Table from ``grid`` (row i is spreadsheet row i + 1, column j is letter j); mutates grid.

    ``header_row`` is 1-based as shown in the spreadsheet; None detects it. ``hidden``: 0-based rows
    the spreadsheet hides (read, and counted in a warning).
    """
    # Drop trailing empty rows.
    end = len(grid)
    while end and not any(v is not None for v in grid[end - 1]):
        end -= 1
    if end == 0:
        raise SheetError(path, f'the sheet "{sheet}" is empty')
    del grid[end:]

    if header_row is None:
        hdr = find_header_row(grid)
    else:
        hdr = header_row - 1
        if hdr < 0 or hdr >= len(grid):
            raise SheetError(path, f'the sheet "{sheet}" has no row {header_row} to use as the header '
                                   f"(it has {len(grid)} rows)")

    # Columns in use: up to the last non-empty cell of any row from the header down.
    width = 0
    for r in range(hdr, len(grid)):
        row = grid[r]
        j = len(row) - 1
        while j >= width and row[j] is None:
            j -= 1
        if j + 1 > width:
            width = j + 1
    if width > MAX_COLUMNS:
        raise SheetError(path, f'the sheet "{sheet}" uses {width:,} columns; zoho-bulk reads at most '
                               f"{MAX_COLUMNS:,} (delete the unused columns and save again)")
    data_rows = len(grid) - hdr - 1
    if data_rows > MAX_ROWS or data_rows * width > MAX_CELLS:
        raise SheetError(path, f'the sheet "{sheet}" has {data_rows:,} rows of {width:,} columns, more than '
                               f"zoho-bulk reads at once ({MAX_CELLS:,} cells); split the file")

    if all(v is None or isinstance(v, ExcelError) for v in grid[hdr]) and _only_errors(grid, hdr):
        raise SheetError(path, f'every cell of the sheet "{sheet}" holds a formula error such as #N/A or '
                               "#DIV/0!, so there is nothing to read; fix the formulas or paste the values")

    header_cells = _merged_row(grid, hdr, width, merged)
    if header_row is None:
        # Two-row header: a group title merged across columns ("Billing Address" over B:C) with
        # the column names below it ("Street", "City"): the names become "Billing Address Street".
        spans = [(c0, c1) for (r0, c0), (r1, c1) in merged if r0 <= hdr <= r1 and c1 > c0 and c0 < width]
        below = _merged_row(grid, hdr + 1, width, merged) if hdr + 1 < len(grid) else []
        if spans and below and _looks_like_header(below) and all(
                any(below[c] is not None for c in range(c0, min(c1 + 1, width))) for c0, c1 in spans):
            grouped = {c for c0, c1 in spans for c in range(c0, min(c1 + 1, width))}
            for c in range(width):
                top, low = header_text(header_cells[c]), header_text(below[c])
                if c in grouped and top and low and top != low:
                    header_cells[c] = f"{top} {low}"
                elif low:
                    header_cells[c] = low
            hdr += 1

    body = grid[hdr + 1:]
    # Keep columns that have a header or any data; name headerless data columns by letter.
    keep: list[int] = []
    names: list[str] = []
    for c in range(width):
        name = header_text(header_cells[c])
        if not name:
            if not any(c < len(row) and row[c] is not None for row in body):
                continue
            name = f"Column {column_letter(c)}"
        keep.append(c)
        names.append(name)
    letters = [column_letter(c) for c in keep]
    headers, repeated = name_columns(names, letters)

    rows: list[list[object]] = []
    row_numbers: list[int] = []
    contiguous = keep == list(range(width))
    first = hdr + 2  # spreadsheet number of the first body row
    for offset, row in enumerate(body):
        if contiguous:
            if len(row) > width:
                row = row[:width]
            elif len(row) < width:
                row = row + [None] * (width - len(row))
        else:
            n = len(row)
            row = [row[c] if c < n else None for c in keep]
        for v in row:
            if v is not None:
                break
        else:
            continue  # blank row
        rows.append(row)
        row_numbers.append(first + offset)
    if not rows:
        raise SheetError(path, f'the sheet "{sheet}" has a header row (row {hdr + 1}) but no data rows')
    table = Table(source=path, sheet=sheet, sheets=sheets, header_row=hdr + 1, headers=headers,
                  letters=letters, rows=rows, row_numbers=row_numbers, date1904=date1904)
    for group in repeated:
        both = " and ".join(f'"{headers[i]}"' for i in group)
        table.note("warning", f'the header "{names[group[0]]}" repeats in columns '
                              f'{", ".join(letters[i] for i in group)}; they are read as {both}, each mapped '
                              "on its own", column=group[0])
    _note_merged(table, grid, merged, hdr)
    _note_hidden(table, hidden)
    return table


def _note_merged(table: Table, grid: Sequence[Sequence[object]], merged: Sequence[Merged], hdr: int) -> None:
    """A warning for each merged range below the header that holds a value: only its top-left cell has it."""
    for (r0, c0), (r1, c1) in merged:
        if r0 <= hdr or r0 >= len(grid):
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else None
        if value is None:
            continue
        first = f"{column_letter(c0)}{r0 + 1}"
        area = f"{first}:{column_letter(c1)}{r1 + 1}"
        table.note("warning", f'cells {area} are merged: "{header_text(value)}" is read in {first} only, and '
                              "the other cells of the range as empty", r0 + 1, table.column_of_letter(column_letter(c0)))


def _note_hidden(table: Table, hidden: Sequence[int]) -> None:
    """One warning counting the hidden rows that are read like the others."""
    numbers = set(table.row_numbers)
    rows = sorted(r + 1 for r in hidden if r + 1 in numbers)
    if rows:
        listed = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
        table.note("warning", f"{len(rows)} hidden row{'s' if len(rows) > 1 else ''} (row{'s' if len(rows) > 1 else ''} "
                              f"{listed}) will be imported like the others; unhide them in the spreadsheet to "
                              "check them")
