"""Read delimited text (csv, tsv, txt): decode it, find the delimiter, and account for every physical line.

Decisions on broken files (each says the physical line):
- a quote never closed, or closed only after whole rows were swallowed into one cell: the file is refused,
  since no row below it can be trusted;
- text after a closing quote ("Acme" Ltd), more fields than the header, a NUL character: an error on that
  row (the row is not imported, the others are);
- fewer fields than the header: a warning on the row (Excel leaves trailing empty cells out of some rows);
- rows ending with different line endings: one warning naming the lines;
- an apostrophe before = + - @ (a formula guard): taken off when the file is our own export (UTF-8 with BOM,
  and no cell a spreadsheet would run left unguarded), else kept and warned about on each cell.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from app.sheets.encodings import decode
from app.sheets.errors import SheetError
from app.sheets.grid import MAX_CELLS
from app.sheets.table import (
    EXCEL_ERRORS,
    NEUTRALISED,
    ExcelError,
    Table,
    column_letter,
    needs_guard,
)

DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 50
# Largest delimited text file read (it is decoded whole; 100,000 rows x 20 columns is about 15 MB).
MAX_TEXT_BYTES = 200 * 1024 * 1024
# Longest single cell accepted (characters); csv's default of 131,072 is raised to this.
MAX_FIELD_CHARS = 10 * 1024 * 1024


def sniff_delimiter(sample_lines: list[str], suffix: str) -> str:
    """The delimiter among , ; tab | that splits the sample into the most consistent, widest rows."""
    best, best_score = ("\t" if suffix in (".tsv", ".tab") else ","), (-1.0, 0)
    sample = "\n".join(sample_lines)
    for delimiter in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        share = counts.count(mode) / len(counts)
        score = (share, mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


Note = tuple[Literal["error", "warning"], str, int, int | None]  # (severity, text, record index or -1, column index in the record)
ENDINGS = {"\r\n": "CR LF", "\n": "LF", "\r": "CR"}
MAX_GUARD_NOTES = 50
# Rows with fewer fields each get a warning up to this many, then one for the rest (Excel leaves the
# trailing empty cells out of whole stretches of rows, and a warning per row would bury the others).
MAX_SHORT_NOTES = 20


@dataclass
class Delimited:
    """A delimited file's records, with where each starts and what was noticed about them."""

    grid: list[list[object]]
    encoding: str
    lines: list[int] = field(default_factory=list)  # physical line (1-based) where each record starts
    fields: list[int] = field(default_factory=list)  # number of fields of each record as written
    notes: list[Note] = field(default_factory=list)
    endings: dict[str, list[int]] = field(default_factory=dict)  # line ending -> records ending with it


def read_delimited(path: Path, encoding: str | None = None) -> Delimited:
    """Read a delimited text file into a grid of str/None/ExcelError (row i is record i + 1).

    ``encoding`` is the user's choice; None detects it (EncodingUnsure when the detector cannot tell).
    """
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise SheetError(path, f"the text file is {size / 2**20:,.0f} MB; zoho-bulk reads text files up to "
                                   f"{MAX_TEXT_BYTES // 2**20:,} MB (split it, or save it as .xlsx)")
        raw = path.read_bytes()
    except PermissionError:
        raise SheetError(path, "permission to open it was denied") from None
    except OSError as exc:
        raise SheetError(path, f"it could not be opened ({exc.strerror or exc})") from None
    text, name = decode(path, raw, encoding)
    bom = raw.startswith(b"\xef\xbb\xbf")
    del raw
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise SheetError(path, "the file is empty")
    skipped = 0
    first = text[:8].split("\n", 1)[0].rstrip("\r")
    if len(first) == 5 and first.lower().startswith("sep=") and "\n" in text[:8]:
        # Excel's "sep=;" directive line names the delimiter and is not part of the sheet.
        delimiter, text = first[4], text[text.index("\n") + 1:]
        skipped = 1
    else:
        sample = text[: 256 * 1024].splitlines()[:SNIFF_LINES]
        delimiter = sniff_delimiter([line for line in sample if line.strip()], path.suffix.lower())
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    found = _parse(path, text, delimiter, skipped)
    found.encoding = name
    _clean(found, ours=bom, nul="\x00" in text, apostrophe="'" in text)
    return found


def _parse(path: Path, text: str, delimiter: str, skipped: int) -> Delimited:
    """Every record with its first physical line; a quote left open refuses the file."""
    found = Delimited([], "")
    grid: list[list[Any]] = found.grid  # rows of str here; the grid's cells are objects once cleaned
    lines, fields, notes = found.lines, found.fields, found.notes
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    raw: list[str] = []  # the physical lines, split only when a record must be read again
    cells = 0
    line = skipped
    spans: list[tuple[int, int]] = []  # records over several lines: (record index, last line)
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "end of data" in str(exc):
                rest = reader.line_num + skipped - start
                raise SheetError(path, f"line {start} opens a quote that is never closed, so the "
                                       f"{rest:,} line{'s' if rest != 1 else ''} below it would be read as one "
                                       "cell; close the quote (or remove it) and save the file again") from None
            raw = raw or io.StringIO(text, newline="").readlines()
            own = raw[start - 1 - skipped: reader.line_num]
            row = next(csv.reader(own, delimiter=delimiter), [])  # the lenient reading, flagged
            notes.append(("error", f"line {start}: a quote ends in the middle of a value (a value must be "
                                   "wholly in quotes, with the quotes inside it doubled), so this row cannot be "
                                   "read one way only; fix the quotes and save the file again", len(grid), None))
        line = reader.line_num + skipped
        cells += len(row)
        if cells > MAX_CELLS:
            raise SheetError(path, f"it holds more than zoho-bulk reads at once ({MAX_CELLS:,} cells); "
                                   "split the file")
        if line > start:
            spans.append((len(grid), line))
        grid.append(row)
        lines.append(start)
        fields.append(len(row))
    crlf = text.count("\r\n")
    counts = {"\r\n": crlf, "\n": text.count("\n") - crlf, "\r": text.count("\r") - crlf}
    total = counts["\r\n"] + counts["\n"] + counts["\r"] + (not text.endswith(("\n", "\r")))
    if line != total + skipped:
        raise SheetError(path, f"it has {total + skipped:,} lines but only {line:,} could be read; "
                               "save it again as CSV")
    _check_spans(path, found, spans, delimiter)
    if sum(1 for n in counts.values() if n) > 1:  # mixed: which ending ends each record (not a cell's own)
        raw = raw or io.StringIO(text, newline="").readlines()
        for record in range(len(lines)):
            last = raw[(lines[record + 1] if record + 1 < len(lines) else line + 1) - 2 - skipped]
            ending = "\r\n" if last.endswith("\r\n") else last[-1:] if last[-1:] in ("\n", "\r") else ""
            if ending:
                found.endings.setdefault(ending, []).append(record)
    return found


def _check_spans(path: Path, found: Delimited, spans: list[tuple[int, int]], delimiter: str) -> None:
    """Refuse a cell over several lines whose lines look like whole rows: a stray quote swallowed them."""
    if not spans:
        return
    width = Counter(found.fields).most_common(1)[0][0]
    if width < 3:
        return
    for record, last in spans:
        for value in found.grid[record]:
            inner = str(value).splitlines()[1:]
            if sum(1 for piece in inner if piece.count(delimiter) >= width - 1) >= 1:
                start = found.lines[record]
                raise SheetError(path, f"line {start} opens a quote that closes only on line {last}, so lines "
                                       f"{start + 1}-{last} (rows of their own, by the look of them) would be read "
                                       "as one cell; fix the quote on line "
                                       f"{start} and save the file again")


def _clean(found: Delimited, *, ours: bool, nul: bool, apostrophe: bool) -> None:
    """In place: "" -> None, error literals -> ExcelError, NULs noted, our own formula guards taken off."""
    errors = EXCEL_ERRORS
    grid: list[list[Any]] = found.grid  # str, None or ExcelError: the loops test v.__class__, which mypy cannot follow
    for row in grid:
        for i, v in enumerate(row):
            if not v:
                row[i] = None
            elif v[0] == "#" and v in errors:
                row[i] = ExcelError(v)
    if nul:
        for r, row in enumerate(grid):
            for i, v in enumerate(row):
                if v is not None and "\x00" in v:
                    row[i] = v.replace("\x00", "") or None
                    found.notes.append(("error", f"line {found.lines[r]}: this cell holds a NUL character (byte "
                                                 "00), which no text has (the file may be damaged here); remove it "
                                                 "and save the file again", r, i))
    if not apostrophe:
        return
    guarded = [(r, i) for r, row in enumerate(grid) for i, v in enumerate(row)
               if v.__class__ is str and v[0] == "'" and v[1:2] in NEUTRALISED]
    if not guarded:
        return
    if ours and not any(v.__class__ is str and needs_guard(v) for row in grid for v in row):
        for r, i in guarded:
            grid[r][i] = grid[r][i][1:]
        return
    for r, i in guarded[:MAX_GUARD_NOTES]:
        found.notes.append(("warning", "it starts with an apostrophe before = + - or @, as spreadsheets guard a "
                                       "formula; the file is not an untouched zoho-bulk export, so the apostrophe "
                                       "is kept as part of the value (remove it if it is not)", r, i))
    rest = guarded[MAX_GUARD_NOTES:]
    if rest:
        listed = ", ".join(str(found.lines[r]) for r, _ in rest[:10]) + (" ..." if len(rest) > 10 else "")
        found.notes.append(("warning", f"{len(rest):,} more cells start with an apostrophe before = + - or @ "
                                       f"(line {listed}); it is kept in each of them", -1, None))


def structure_notes(found: Delimited, table: Table) -> None:
    """Put what reading noticed on the table: per row and column, and rows whose field count is off."""
    number_of = {n: ri for ri, n in enumerate(table.row_numbers)}
    for severity, text, record, column in found.notes:  # record -1: the whole sheet
        table.note(severity, text, record + 1 if record >= 0 else None,
                   None if column is None else table.column_of_letter(column_letter(column)))
    header = table.header_row - 1
    short: list[int] = []  # records with fewer fields than the header
    width = found.fields[header]
    while width and not found.grid[header][width - 1]:
        width -= 1
    for record in range(header + 1, len(found.grid)):
        if record + 1 not in number_of:
            continue  # a blank line
        n = found.fields[record]
        row = found.grid[record]
        filled = len(row)
        while filled and row[filled - 1] is None:
            filled -= 1
        if filled > width:
            table.note("error", f"line {found.lines[record]} has {filled} fields where the header has {width}; "
                                "a value holding the delimiter must be in quotes, else every cell after it "
                                "moves one column; fix it and save the file again", record + 1)
        elif n < found.fields[header] and n < width:
            short.append(record)
            if len(short) > MAX_SHORT_NOTES:
                continue
            gone = ", ".join(column_letter(c) for c in range(n, width))
            table.note("warning", f"line {found.lines[record]} has {n} field{'s' if n != 1 else ''} where the "
                                  f"header has {width}; its last cells ({gone}) are read as empty; check that no "
                                  "value moved to another column", record + 1)
    if len(short) > MAX_SHORT_NOTES:
        rest = short[MAX_SHORT_NOTES:]
        listed = ", ".join(str(found.lines[r]) for r in rest[:10]) + (" ..." if len(rest) > 10 else "")
        table.note("warning", f"{len(rest):,} more rows have fewer fields than the header (line {listed}); "
                              "their last cells are read as empty")
    if len(found.endings) > 1:
        common = max(found.endings, key=lambda e: len(found.endings[e]))
        odd = sorted(r for e, rs in found.endings.items() if e != common for r in rs)
        listed = ", ".join(str(found.lines[r]) for r in odd[:10]) + (" ..." if len(odd) > 10 else "")
        others = "/".join(ENDINGS[e] for e in found.endings if e != common)
        table.note("warning", f"the file mixes line endings: rows end with {ENDINGS[common]}, but {len(odd)} "
                              f"end with {others} (line {listed}); each was read as the end of a row, so check "
                              "that those rows are whole")
