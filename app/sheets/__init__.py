"""sheets room: read spreadsheets into tables of cells with coordinates; write reports and exports."""

from app.sheets.encodings import Candidate, EncodingUnsure
from app.sheets.errors import SheetError, SheetWriteError
from app.sheets.reader import read_table, sheet_names
from app.sheets.table import (
    EXCEL_ERRORS,
    CellRef,
    ExcelError,
    SheetNote,
    Table,
    column_letter,
    is_error,
)
from app.sheets.writer import SheetData, neutralise, write_csv, write_xlsx

__all__ = [
    "EXCEL_ERRORS", "Candidate", "CellRef", "EncodingUnsure", "ExcelError", "SheetError", "SheetNote",
    "SheetWriteError", "Table",
    "SheetData", "column_letter", "is_error", "neutralise", "read_table", "sheet_names",
    "write_csv", "write_xlsx",
]
