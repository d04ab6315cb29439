"""Read workbooks (xlsx, xlsm, xlsb, xls, ods) with python-calamine into a raw grid of typed cells."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import python_calamine as calamine

from app.sheets.binary import (
    Found,
    ods_error_cells,
    xls_date1904,
    xls_error_cells,
    xlsb_date1904,
    xlsb_dimension,
    xlsb_error_cells,
)
from app.sheets.errors import SheetError
from app.sheets.grid import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, Merged
from app.sheets.preflight import Kind
from app.sheets.table import EXCEL_ERRORS, ExcelError, column_index
from app.sheets.xlsx_scan import Scan, scan_sheet

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_ERROR_SCAN = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheets-error-scan")
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


_SUFFIXES = {Kind.XLSX: {".xlsx", ".xlsm", ".xltx", ".xltm"}, Kind.XLSB: {".xlsb"},
             Kind.XLS: {".xls", ".xla"}, Kind.ODS: {".ods"}}


def open_workbook(path: Path, kind: Kind) -> calamine.CalamineWorkbook:
    """Open a workbook with calamine, turning its failures into one plain SheetError.

    A workbook whose name does not match its content (an xlsx saved as .xls) is read by content.
    """
    try:
        if path.suffix.lower() in _SUFFIXES.get(kind, set()):
            return calamine.CalamineWorkbook.from_path(str(path))
        with path.open("rb") as fh:
            return calamine.CalamineWorkbook.from_filelike(fh)
    except calamine.PasswordError:
        raise SheetError(path, "it is password-protected; remove the password in Excel and try again") from None
    except PermissionError:
        raise SheetError(path, "permission to open it was denied") from None
    except Exception as exc:  # calamine raises several error types for damaged files
        raise SheetError(path, f"the file is damaged or not a valid workbook ({_short(exc)})") from None


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def workbook_sheet_names(path: Path, kind: Kind) -> list[str]:
    """Names of the worksheets (chart sheets left out), in workbook order."""
    with open_workbook(path, kind) as book:
        return _worksheets(book)


def _worksheets(book: calamine.CalamineWorkbook) -> list[str]:
    try:
        return [m.name for m in book.sheets_metadata if m.typ != calamine.SheetTypeEnum.ChartSheet]
    except Exception:
        return list(book.sheet_names)


def read_workbook(path: Path, kind: Kind, sheet: str | None
                  ) -> tuple[str, list[str], list[list[object]], list[Merged], bool, list[int]]:
    """Read one sheet: (sheet name, all sheet names, grid, merged ranges, date1904, hidden rows).

    The grid starts at A1 (row i is spreadsheet row i + 1); empty cells are None, whole-number
    floats become ints, error cells become ExcelError values and (xlsx) formulas without a saved
    value ExcelError("=formula") ones; hidden rows (0-based) are known for xlsx only.
    """
    parts = _xlsx_parts(path) if kind is Kind.XLSX else None
    with open_workbook(path, kind) as book:
        names = _worksheets(book)
        if not names:
            raise SheetError(path, "the workbook has no worksheets")
        if sheet is not None:
            chosen = _match_sheet(path, names, sheet)
            order = [chosen]
        else:
            order = _visible_first(book, names)
        for name in order:
            if parts is not None:
                _check_dimension(path, parts, name)
            elif kind is Kind.XLSB and (dimension := xlsb_dimension(path, name)):
                _refuse_area(path, name, *dimension)
            # The error-cell scan runs beside calamine, which parses without holding the GIL.
            errors: Future[Scan | Found] | None
            if parts is not None:
                errors = _ERROR_SCAN.submit(scan_sheet, path, parts.sheet_paths.get(name))
            elif kind is Kind.XLSB:
                errors = _ERROR_SCAN.submit(xlsb_error_cells, path, name)
            elif kind is Kind.XLS:
                errors = _ERROR_SCAN.submit(xls_error_cells, path, name)
            elif kind is Kind.ODS:
                errors = _ERROR_SCAN.submit(ods_error_cells, path, name)
            else:
                errors = None
            try:
                data = book.get_sheet_by_name(name)
                if data.end is None and sheet is None:
                    continue
                grid = _rows_from_a1(data)
                merged = data.merged_cell_ranges or []
            except SheetError:
                raise
            except MemoryError:
                raise SheetError(path, f'the sheet "{name}" is too large to read') from None
            except Exception as exc:
                raise SheetError(path, f'the sheet "{name}" is damaged ({_short(exc)})') from None
            clean(grid)
            hidden: list[int] = []
            if errors is not None:
                found = errors.result()
                if isinstance(found, Scan):
                    cells, hidden = found.cells, sorted(found.hidden)
                    if found.serial_60 and not (parts is not None and parts.date1904):
                        _excel_leap_day(grid, found.serial_60)
                else:
                    cells = {(r, c): ExcelError(text) for r, c, text in found}
                _apply_errors(grid, cells, replace=kind is Kind.ODS)
            date1904 = False
            if parts is not None:
                date1904 = parts.date1904
            elif kind is Kind.XLS:
                date1904 = xls_date1904(path)
            elif kind is Kind.XLSB:
                date1904 = xlsb_date1904(path)
            if sheet is None and not any(any(v is not None for v in row) for row in grid):
                continue
            return name, names, grid, list(merged), date1904, hidden
    if sheet is not None:
        raise SheetError(path, f'the sheet "{sheet}" is empty')
    raise SheetError(path, "every sheet in the workbook is empty")


def _visible_first(book: calamine.CalamineWorkbook, names: list[str]) -> list[str]:
    """Worksheet names with the hidden ones moved last (the default sheet is one the user can see)."""
    try:
        hidden = {m.name for m in book.sheets_metadata if m.visible != calamine.SheetVisibleEnum.Visible}
    except Exception:
        return names
    return [n for n in names if n not in hidden] + [n for n in names if n in hidden]


def _match_sheet(path: Path, names: list[str], wanted: str) -> str:
    if wanted in names:
        return wanted
    folded = [n for n in names if n.strip().casefold() == wanted.strip().casefold()]
    if folded:
        return folded[0]
    listed = ", ".join(f'"{n}"' for n in names)
    raise SheetError(path, f'it has no sheet named "{wanted}" (its sheets are {listed})')


def _rows_from_a1(data: calamine.CalamineSheet) -> list[list[Any]]:
    """The sheet's cells from A1, row by row. One to_python() call holds the GIL for 0.2 s per
    100,000 rows, freezing the GUI thread meanwhile; iter_rows() lets other threads run between rows."""
    if data.start is None or data.end is None:
        return data.to_python(skip_empty_area=False)
    pad: list[object] = [""] * data.start[1]  # iter_rows starts at row 1 but at the first used column
    # A Python loop, not list(): list() would pull every row in one C call, the GIL held throughout.
    grid: list[list[Any]] = [pad + row for row in data.iter_rows()] if pad else [
        row for row in data.iter_rows()]
    if len(grid) != data.end[0] + 1:  # another python-calamine may start elsewhere: the one-call way
        return data.to_python(skip_empty_area=False)
    return grid


def clean(grid: list[list[Any]]) -> None:  # Any: the loop tests v.__class__ (fast), which mypy cannot follow
    """In place: "" -> None, whole-number floats -> int, error literals -> ExcelError.

    A leading apostrophe stays: zoho-bulk writes none into xlsx (its text cells are never run), so
    one found in a workbook is the user's own.
    """
    errors = EXCEL_ERRORS
    for row in grid:
        for i, v in enumerate(row):
            cls = v.__class__
            if cls is str:
                if not v:
                    row[i] = None
                elif v[0] == "#" and v in errors:
                    row[i] = ExcelError(v)
            elif cls is float and v.is_integer():
                row[i] = int(v)


class _XlsxParts:
    """Where each sheet's XML lives inside an xlsx, and the workbook's date system."""

    def __init__(self, sheet_paths: dict[str, str], date1904: bool) -> None:
        self.sheet_paths = sheet_paths
        self.date1904 = date1904


def _xlsx_parts(path: Path) -> _XlsxParts | None:
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:
        return None  # calamine will say what is wrong
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    date1904 = False
    sheet_paths: dict[str, str] = {}
    for el in workbook.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "workbookPr":
            date1904 = el.get("date1904", "0").lower() in ("1", "true")
        elif tag == "sheet":
            target = targets.get(el.get(f"{_REL_NS}id"), "")
            if target:
                full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                sheet_paths[el.get("name", "")] = full
    return _XlsxParts(sheet_paths, date1904)


def _check_dimension(path: Path, parts: _XlsxParts, name: str) -> None:
    """Refuse a sheet whose declared used range is too large to hold in memory."""
    member = parts.sheet_paths.get(name)
    if not member:
        return
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as fh:
            head = fh.read(8192)
    except Exception:
        return
    m = _DIMENSION.search(head)
    if not m or not m.group(3):
        return
    rows = int(m.group(4)) - int(m.group(2)) + 1
    cols = column_index(m.group(3).decode()) - column_index(m.group(1).decode()) + 1
    _refuse_area(path, name, rows, cols, (m.group(1) + m.group(2) + b":" + m.group(3) + m.group(4)).decode())


def _refuse_area(path: Path, name: str, rows: int, cols: int, area: str) -> None:
    if rows * cols > MAX_CELLS:
        raise SheetError(path, f'the sheet "{name}" spans {rows:,} rows by {cols:,} columns ({area}), more '
                               f"than zoho-bulk reads at once ({MAX_CELLS:,} cells); delete unused rows and "
                               "columns or split the file")


EXCEL_LEAP_DAY = (dt.date(1900, 2, 28), dt.datetime(1900, 2, 28))  # calamine's reading of serials 59 and 60


def _excel_leap_day(grid: list[list[object]], cells: set[tuple[int, int]]) -> None:
    """Serial 60 back into the date cells calamine read as 1900-02-28: Excel's 29 February 1900, a day that never
    was (its 1900 leap-year bug), for the date reader to refuse rather than send the 28th."""
    for r, c in cells:
        if r < len(grid) and c < len(grid[r]) and grid[r][c] in EXCEL_LEAP_DAY:
            grid[r][c] = 60


def _apply_errors(grid: list[list[object]], cells: dict[tuple[int, int], ExcelError], *,
                  replace: bool = False) -> None:
    """Put ExcelError values in; ``replace`` overwrites what calamine read there (ods gives errors as 0).

    A formula without a saved value may lie outside the area calamine read: the grid grows to hold it.
    """
    for (r, c), value in cells.items():
        if r < 0 or c < 0 or c > MAX_COLUMNS:
            continue
        if r >= len(grid):
            if r - len(grid) > MAX_ROWS:
                continue
            grid.extend([] for _ in range(r + 1 - len(grid)))
        row = grid[r]
        if c >= len(row):
            row.extend([None] * (c + 1 - len(row)))
        if replace or row[c] is None:
            row[c] = value
