"""Builders for the spreadsheets the sheets tests read: every file is generated in the test's tmp_path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

Rows = Sequence[Sequence[object]]


def xlsx(path: Path, rows: Rows, *, title: str = "Data", merges: Sequence[str] = (),
         date1904: bool = False, extra_sheets: dict[str, Rows] | None = None,
         first_sheets: dict[str, Rows] | None = None) -> Path:
    """An xlsx whose sheet ``title`` holds ``rows`` from A1 (None leaves a cell empty)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if date1904:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    for name, sheet_rows in (first_sheets or {}).items():
        _fill(book.create_sheet(name), sheet_rows)
    ws = book.create_sheet(title)
    _fill(ws, rows)
    for ref in merges:
        ws.merge_cells(ref)
    for name, sheet_rows in (extra_sheets or {}).items():
        _fill(book.create_sheet(name), sheet_rows)
    book.save(path)
    return path


def _fill(ws: object, rows: Rows) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)  # type: ignore[attr-defined]


def xls(path: Path, rows: Rows, *, title: str = "Data", merges: Sequence[tuple[int, int, int, int, str]] = (),
        date1904: bool = False) -> Path:
    """An .xls (BIFF8, via xlwt); merges are (r1, r2, c1, c2, value), 0-based and inclusive."""
    book = xlwt.Workbook()
    book.dates_1904 = date1904
    ws = book.add_sheet(title)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    merged_cells = set()
    for r1, r2, c1, c2, value in merges:
        ws.write_merge(r1, r2, c1, c2, value)
        merged_cells |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or (r, c) in merged_cells:
                continue
            if isinstance(value, dt.date):
                ws.write(r, c, value, date_style)
            else:
                ws.write(r, c, value)
    book.save(str(path))
    return path


def ods(path: Path, rows: Rows, *, title: str = "Data") -> Path:
    """An .ods (via odfpy) with typed cells: floats, dates and text."""
    doc = OpenDocumentSpreadsheet()
    table = Table(name=title)
    for row in rows:
        tr = TableRow()
        for value in row:
            if value is None:
                tr.addElement(TableCell())
            elif isinstance(value, bool):
                tr.addElement(TableCell(valuetype="boolean", booleanvalue=str(value).lower()))
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
                tr.addElement(cell)
            elif isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=value.isoformat()))
                tr.addElement(cell)
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
                tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def text(path: Path, rows: Rows, *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    """A delimited text file; cells are written as given (no quoting needed by the tests)."""
    body = "\r\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in rows) + "\r\n"
    path.write_bytes(body.encode(encoding))
    return path
