"""sheets room: read spreadsheets into tables of cells with coordinates; write reports and exports."""

from app.sheets.errors import SheetError, SheetWriteError
from app.sheets.reader import read_table, sheet_names
from app.sheets.table import EXCEL_ERRORS, CellRef, ExcelError, Table, column_letter, is_error

__all__ = [
    "EXCEL_ERRORS", "CellRef", "ExcelError", "SheetError", "SheetWriteError", "Table",
    "column_letter", "is_error", "read_table", "sheet_names",
]
