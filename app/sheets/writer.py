"""Write reports and exports: styled xlsx (openpyxl) and Excel-friendly csv, atomically and formula-safe."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.sheets.errors import SheetWriteError
from app.sheets.table import ExcelError, needs_guard

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Highlight = Literal["error", "warning", "ok"]
FILLS: dict[str, PatternFill] = {
    "error": PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    "warning": PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
    "ok": PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE"),
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
WIDTH_SAMPLE_ROWS = 500
MIN_WIDTH, MAX_WIDTH = 8, 60
SHEET_NAME_MAX = 31



def neutralise(value: object) -> object:
    """Make a text a spreadsheet would execute inert by prefixing a single quote.

    Text starting with = + - @ tab, CR or LF is a formula to Excel, LibreOffice and Google
    Sheets; such text gets a leading ``'``. Numbers, dates and text that is just a number
    written with a sign ("-12.50") are returned unchanged.
    """
    if isinstance(value, str):
        text = str(value)
        if needs_guard(text):
            return "'" + text
    return value


@dataclass
class SheetData:
    """One sheet to write: headers, rows and which cells to colour or annotate (0-based data indexes)."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    highlights: Mapping[tuple[int, int], Highlight] = field(default_factory=dict)
    comments: Mapping[tuple[int, int], str] = field(default_factory=dict)
    freeze_header: bool = True
    autofilter: bool = True
    # A copy the engine reads back (the wizard's corrected copy): a formula without a saved value and an
    # error value stay what they were, so reading the copy refuses them again instead of taking the text.
    unreadable_kept: bool = False


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_error(path: Path, exc: OSError) -> SheetWriteError:
    if isinstance(exc, PermissionError):
        return SheetWriteError(path, "permission was denied (is the file open in another program?)")
    return SheetWriteError(path, exc.strerror or str(exc))


def _sheet_title(name: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "Sheet"
    title = title[:SHEET_NAME_MAX]
    base, n = title, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    taken.add(title.casefold())
    return title


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_xlsx(path: str | Path, sheets: Sequence[SheetData]) -> Path:
    """Write an xlsx with typed cells, a bold frozen header, autofilter, fitted widths and highlights.

    Uses openpyxl's write-only mode (fast on 100k-row reports); the file appears atomically.
    Raises SheetWriteError with one plain sentence when it cannot be written.
    """
    path = Path(path)
    if not sheets:
        raise SheetWriteError(path, "there is nothing to write")
    try:
        with atomic_path(path) as tmp:
            book = Workbook(write_only=True)
            taken: set[str] = set()
            try:
                for data in sheets:
                    _write_sheet(book, data, _sheet_title(data.name, taken))
            except BaseException:
                for ws in book.worksheets:  # finish openpyxl's half-written parts before giving up
                    with contextlib.suppress(Exception):
                        ws.close()
                raise
            book.save(tmp)
    except OSError as exc:
        raise _write_error(path, exc) from None
    return path


def _write_sheet(book: Workbook, data: SheetData, title: str) -> None:
    ws = book.create_sheet(title)
    headers = list(data.headers)
    rows = data.rows if isinstance(data.rows, list) else list(data.rows)
    widths = [_display_width(h) + 2 for h in headers]  # room for the filter button
    for row in rows[:WIDTH_SAMPLE_ROWS]:
        for j, v in enumerate(row[: len(widths)]):
            w = _display_width(v)
            if w > widths[j]:
                widths[j] = w
    for j, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(j + 1)].width = max(MIN_WIDTH, min(MAX_WIDTH, w + 1))
    if data.freeze_header:
        ws.freeze_panes = "A2"
    if data.autofilter and headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"

    header_cells = []
    for h in headers:
        cell = _text_cell(ws, _cell_value(h))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top")
        header_cells.append(cell)
    ws.append(header_cells)

    marked: dict[int, set[int]] = {}
    for (r, c) in list(data.highlights) + list(data.comments):
        marked.setdefault(r, set()).add(c)
    for r, row in enumerate(rows):
        values: list[Any] = [_cell_value(v) for v in row]  # values, then cells where marked
        if data.unreadable_kept:
            for c, v in enumerate(row):
                if isinstance(v, ExcelError):
                    values[c] = WriteOnlyCell(ws, value=str(v))  # a formula ("=...") or an error ("#N/A")
        cols = marked.get(r)
        if cols:
            for c in cols:
                if 0 <= c < len(values):
                    values[c] = _styled(ws, values[c], data.highlights.get((r, c)), data.comments.get((r, c)))
        for c, v in enumerate(values):
            if v.__class__ is str and v[:1] == "=":
                values[c] = _text_cell(ws, v)
        ws.append(values)


_XLSX_TYPES = (str, int, float, bool, dt.date, dt.datetime, dt.time, dt.timedelta, Decimal)


EXCEL_MAX_TEXT = 32_767  # characters a cell can hold


def _cell_value(value: object) -> object:
    """A value openpyxl can write and Excel will open: control characters dropped, long text cut.

    Text is written as it is, with no apostrophe: an xlsx text cell is never run as a formula (text
    starting with "=" is marked as text, see _text_cell).
    """
    if value is None or (isinstance(value, _XLSX_TYPES) and not isinstance(value, str)):
        return value
    text = str(value)
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > EXCEL_MAX_TEXT:
        text = text[: EXCEL_MAX_TEXT - 1] + "…"
    return text


def _text_cell(ws: WriteOnlyWorksheet, value: Any) -> Cell:  # Any: openpyxl's stubs know fewer cell types than it writes
    """A cell openpyxl would take for a formula ("=..."), marked as text so that no spreadsheet runs it."""
    cell = value if isinstance(value, Cell) else WriteOnlyCell(ws, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _styled(ws: WriteOnlyWorksheet, value: object, highlight: str | None, comment: str | None) -> Cell:
    cell = _text_cell(ws, value)
    if highlight in FILLS:
        cell.fill = FILLS[highlight]
    if comment:
        note = Comment(comment, "zoho-bulk")
        note.width, note.height = 300, 120
        cell.comment = note
    return cell


def csv_text(value: object) -> str:
    """A cell as csv text: ISO dates, true/false, numbers as Python writes them, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def write_csv(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[object]],
              *, bom: bool = True) -> Path:
    """Write a comma-separated UTF-8 file (with a BOM so Excel opens it right), formula-safe and atomic."""
    path = Path(path)
    try:
        with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            _write_rows(fh, headers, rows)
    except OSError as exc:
        raise _write_error(path, exc) from None
    return path


def _write_rows(fh: IO[str], headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    out = csv.writer(fh, lineterminator="\r\n")
    out.writerow([csv_text(neutralise(h)) for h in headers])
    out.writerows([csv_text(neutralise(v)) for v in row] for row in rows)
