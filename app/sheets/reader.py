"""Read any supported spreadsheet into a Table: the one entry point other rooms call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from app.sheets.delimited import read_delimited, structure_notes
from app.sheets.errors import SheetError
from app.sheets.grid import build_table
from app.sheets.preflight import Kind, check_file
from app.sheets.table import Table
from app.sheets.workbook import read_workbook, workbook_sheet_names

T = TypeVar("T")


def sheet_names(path: str | Path) -> list[str]:
    """Worksheet names in workbook order; a delimited text file has one sheet named after the file."""
    path = Path(path)

    def names() -> list[str]:
        kind = check_file(path)
        return [path.stem] if kind is Kind.DELIMITED else workbook_sheet_names(path, kind)

    return _plainly(path, names)


def _plainly(path: Path, read: Callable[[], T]) -> T:
    """The last line of defence: whatever `read` raises ends as one plain SheetError, never a traceback."""
    try:
        return read()
    except SheetError:
        raise
    except MemoryError:
        raise SheetError(path, "it is too large to read into memory") from None
    except Exception as exc:
        raise SheetError(path, f"it could not be read ({type(exc).__name__}: {exc})") from None


def read_table(path: str | Path, *, sheet: str | None = None, header_row: int | None = None,
               encoding: str | None = None) -> Table:
    """Read one sheet of ``path`` (default: the first non-empty one) into a Table; raises SheetError.

    ``header_row`` is 1-based as the spreadsheet shows it; None finds it (title rows and blank
    rows above the header are passed over). ``encoding``: a text file's encoding as the user
    chose it; None detects it (EncodingUnsure, a SheetError, lists the candidates when unsure).
    """
    path = Path(path)

    def read() -> Table:
        kind = check_file(path)
        if kind is Kind.DELIMITED:
            found = read_delimited(path, encoding)
            name = path.stem
            if sheet is not None and sheet.strip().casefold() != name.casefold():
                raise SheetError(path, f'it is a text file with one sheet ("{name}"), not "{sheet}"')
            table = build_table(path, found.grid, sheet=name, sheets=[name], header_row=header_row)
            table.encoding = found.encoding
            structure_notes(found, table)
            return table
        name, names, grid, merged, date1904, hidden = read_workbook(path, kind, sheet)
        return build_table(path, grid, sheet=name, sheets=names, header_row=header_row,
                           merged=merged, date1904=date1904, hidden=hidden)

    return _plainly(path, read)
