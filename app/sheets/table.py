"""The table a spreadsheet becomes: headers, typed data rows and each cell's coordinates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

# First characters that make text a formula; the writers' neutralise() puts a "'" before them
# and the readers take it off again, so a file we wrote reads back to the same values.
NEUTRALISED = ("=", "+", "-", "@", "\t", "\r", "\n")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)([eE][+-]?\d+)?%?")


def needs_guard(text: str) -> bool:
    """True when a spreadsheet opening this text from a CSV would run it as a formula (a plain number
    such as "-12.50" is not)."""
    return bool(text) and text[0] in NEUTRALISED and not PLAIN_NUMBER.fullmatch(text)
# Values a spreadsheet formula can produce instead of a result.
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
     "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
)


class ExcelError(str):
    """A cell holding a formula error such as ``#N/A`` or ``#DIV/0!``, or a formula without a saved value
    (``=SUM(B2:B4)``); still a ``str``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"ExcelError({str.__repr__(self)})"

    @property
    def reason(self) -> str:
        """What the cell is, completing "<cell> is ...": an error value, or (text starting with "=") a formula
        whose result was never saved, as files written by programs that do not calculate hold."""
        if self.startswith("="):
            return ("a formula without a saved value, so there is nothing to read; open and save the file in "
                    "Excel, or paste values")
        return "a formula error in the spreadsheet, not a value"

    @property
    def formula(self) -> bool:
        """True for a formula without a saved value (its text is the formula, ``=SUM(B2:B4)``)."""
        return self.startswith("=")


def is_error(value: object) -> bool:
    """True when a cell value is a spreadsheet error value (``#N/A``, ``#DIV/0!`` ...)."""
    return isinstance(value, ExcelError)


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index: 0 -> "A", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """0-based column index of a spreadsheet letter: "A" -> 0, "AA" -> 26."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


class CellRef(NamedTuple):
    """Where a value came from, in the words a spreadsheet user knows."""

    sheet: str
    row: int  # row number as the spreadsheet shows it (1-based)
    column: str  # column letter ("A", "B", ... "AA")
    header: str

    def __str__(self) -> str:
        return f'{self.sheet}!{self.column}{self.row} (column "{self.header}")'


@dataclass(frozen=True)
class SheetNote:
    """Something noticed while reading, for the user: pinned to a row and a column where there is one."""

    severity: Literal["error", "warning"]
    message: str  # a full sentence, its place included ("row 5, column "Email": ...")
    row: int | None = None  # spreadsheet row number (1-based), None for the whole sheet
    column: int | None = None  # index into Table.headers

    def __str__(self) -> str:
        return self.message


@dataclass
class Table:
    """One sheet's data below its header row; every value keeps its spreadsheet coordinates."""

    source: Path
    sheet: str
    sheets: list[str]
    header_row: int  # 1-based, as shown
    headers: list[str]  # disambiguated: "Amount", "Amount (2)"
    letters: list[str]  # column letter of each header
    rows: list[list[object]]  # each len(headers); str|int|float|bool|date|datetime|time|None|ExcelError
    row_numbers: list[int]  # spreadsheet row number of each data row
    date1904: bool = False  # workbook counts serial dates from 1904 (Mac Excel); plain numbers are serials in it
    notes: list[SheetNote] = field(default_factory=list)  # what reading noticed (repeated headers, ragged rows...)
    encoding: str | None = None  # a text file's encoding ("utf-8", "windows-1251"); None for workbooks

    def note(self, severity: Literal["error", "warning"], text: str, row: int | None = None,
             column: int | None = None) -> None:
        """Add a note; ``text`` is said of the row (a spreadsheet row number) and column (a header index)."""
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f'column "{self.headers[column]}"')
        self.notes.append(SheetNote(severity, f"{', '.join(where)}: {text}" if where else text, row, column))

    def column_of_letter(self, letter: str) -> int | None:
        """Index into headers of a spreadsheet column letter, None when that column was dropped (empty)."""
        try:
            return self.letters.index(letter)
        except ValueError:
            return None

    def ref(self, row_index: int, col_index: int) -> CellRef:
        """Coordinates of ``rows[row_index][col_index]``."""
        return CellRef(self.sheet, self.row_numbers[row_index], self.letters[col_index],
                       self.headers[col_index])

    def column(self, header: str) -> int:
        """Index of a header (exact match first, then case- and space-insensitive); KeyError if absent."""
        try:
            return self.headers.index(header)
        except ValueError:
            wanted = " ".join(header.split()).casefold()
            for i, name in enumerate(self.headers):
                if " ".join(name.split()).casefold() == wanted:
                    return i
            raise KeyError(header) from None

    def __len__(self) -> int:
        return len(self.rows)
