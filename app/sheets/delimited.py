"""Read delimited text (csv, tsv, txt): detect the encoding and the delimiter, keep every cell as text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from app.sheets.errors import SheetError
from app.sheets.grid import MAX_CELLS
from app.sheets.table import EXCEL_ERRORS, NEUTRALISED, ExcelError

DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 50
# Largest delimited text file read (it is decoded whole; 100,000 rows x 20 columns is about 15 MB).
MAX_TEXT_BYTES = 200 * 1024 * 1024
# Longest single cell accepted (characters); csv's default of 131,072 is raised to this.
MAX_FIELD_CHARS = 10 * 1024 * 1024


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp1252", "latin-1"]
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise SheetError(path, "it is not a text file (it contains binary data)")
        return text, encoding
    raise SheetError(path, f"its text is not valid {encodings[0].upper()}")


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


def read_delimited(path: Path) -> list[list[object]]:
    """Read a delimited text file into a grid of str/None/ExcelError (row i is line-row i + 1)."""
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
    text, _ = decode(path, raw)
    del raw
    if not text.strip():
        raise SheetError(path, "the file is empty")
    first = text[:8].split("\n", 1)[0].rstrip("\r")
    if len(first) == 5 and first.lower().startswith("sep=") and "\n" in text[:8]:
        # Excel's "sep=;" directive line names the delimiter and is not part of the sheet.
        delimiter, text = first[4], text[text.index("\n") + 1:]
    else:
        sample = text[: 256 * 1024].splitlines()[:SNIFF_LINES]
        delimiter = sniff_delimiter([line for line in sample if line.strip()], path.suffix.lower())
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    grid: list[list[object]] = []
    cells = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells += len(row)
            if cells > MAX_CELLS:
                raise SheetError(path, f"it holds more than zoho-bulk reads at once ({MAX_CELLS:,} cells); "
                                       "split the file")
            grid.append(row)  # type: ignore[arg-type]
    except csv.Error as exc:
        raise SheetError(path, f"it is not a well-formed delimited file (line {len(grid) + 1}: {exc})") from None
    errors = EXCEL_ERRORS
    for row in grid:
        for i, v in enumerate(row):
            if not v:
                row[i] = None
            elif v[0] == "#" and v in errors:
                row[i] = ExcelError(v)
            elif v[0] == "'" and v[1:2] in NEUTRALISED:  # undo the writers' neutralise()
                row[i] = v[1:]
    return grid
