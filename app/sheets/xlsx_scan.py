"""What calamine does not tell about an xlsx sheet, found by streaming its XML: error cells, formulas without a
saved value, hidden rows."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import unescape

from app.sheets.table import ExcelError, column_index

_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</")
_CELL_START = re.compile(rb"<(?:\w+:)?c\s")
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\s[^>]*\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_TEXT_TYPE = re.compile(rb'\bt="(?:str|inlineStr)"')
CHUNK = 1 << 20
OVERLAP = 4096  # bytes of the previous chunk searched again, so that no cell is cut in two


@dataclass
class Scan:
    """Cells to put in the grid (0-based row, column, value) and the 0-based rows the sheet hides."""

    cells: dict[tuple[int, int], ExcelError] = field(default_factory=dict)
    hidden: set[int] = field(default_factory=set)
    serial_60: set[tuple[int, int]] = field(default_factory=set)  # cells storing 60 (in a date cell: 1900-02-29)


def scan_sheet(path: Path, member: str | None) -> Scan:
    """Stream a sheet's XML once; best effort (a part that cannot be read leaves the scan empty)."""
    scan = Scan()
    if not member:
        return scan
    tail = b""
    formula = b""  # how a formula element starts in this sheet: b"<f", or b":f" where tags carry a prefix
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as fh:
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                formula = formula or (b":f" if re.search(rb"<\w+:(?:worksheet|sheetData)\b", chunk) else b"<f")
                buf = tail + chunk
                if b't="e"' in buf:
                    _errors(buf, scan)
                if formula in buf:
                    _formulas(buf, scan)
                if b">60</" in buf:
                    _serial_60(buf, scan)
                if b"hidden=" in buf:
                    for m in _HIDDEN_ROW.finditer(buf):
                        number = _ROW_NUMBER.search(m.group(0))
                        if number:
                            scan.hidden.add(int(number.group(1)) - 1)
                tail = buf[-OVERLAP:]
    except Exception:
        pass  # best effort: those cells stay as calamine read them
    return scan


def _where(buf: bytes, start: int, close: int) -> tuple[int, int] | None:
    ref = _REF.search(buf, start, close)
    if not ref:
        return None
    return int(ref.group(2)) - 1, column_index(ref.group(1).decode())


def _errors(buf: bytes, scan: Scan) -> None:
    for m in _ERROR_TYPE.finditer(buf):
        start = buf.rfind(b"<", 0, m.start())
        close = buf.find(b">", m.end())
        if start < 0 or close < 0 or buf[close - 1: close] == b"/":
            continue
        where = _where(buf, start, close)
        end = _CELL_END.search(buf, close)
        if not where or not end:
            continue
        value = _VALUE.search(buf, close, end.start())
        text = value.group(1).decode("utf-8", "replace") if value else ""
        scan.cells[where] = ExcelError(text or "#VALUE!")


def _serial_60(buf: bytes, scan: Scan) -> None:
    """Cells storing the number 60: Excel's 29 February 1900 where the cell is a date (calamine says 28th).

    Found with bytes.find: a regex starting at every "<" of the XML took a second per 100 MB."""
    at = buf.find(b">60</")
    while at >= 0:
        if buf[at - 1: at] == b"v" and buf[at - 2: at - 1] in (b"<", b":"):
            starts = list(_CELL_START.finditer(buf, max(0, at - 512), at))
            if starts:
                where = _where(buf, starts[-1].start(), buf.find(b">", starts[-1].start()))
                if where is not None:
                    scan.serial_60.add(where)
        at = buf.find(b">60</", at + 5)


def _formula_tags(buf: bytes) -> list[int]:
    """Where each <f> (or <x:f>) element starts, found with bytes.find (fast on formula-free XML)."""
    found = []
    for tag in (b"<f", b":f"):
        at = buf.find(tag)
        while at >= 0:
            if buf[at + 2: at + 3] in (b" ", b">", b"/") and (
                    tag == b"<f" or buf[buf.rfind(b"<", 0, at) + 1: buf.rfind(b"<", 0, at) + 2] not in (b"/", b"")):
                found.append(at)
            at = buf.find(tag, at + 2)
    return found


def _saved_value_follows(buf: bytes, at: int) -> bool:
    """True when the formula element starting at ``at`` is followed by a <v> holding text."""
    end = buf.find(b">", at)
    if end < 0:
        return False
    if buf[end - 1: end] != b"/":  # <f>...</f>: to the end of the closing tag
        end = buf.find(b">", buf.find(b"</", end))
        if end < 0:
            return False
    if buf[end + 1: end + 2] != b"<":
        return False
    close = buf.find(b">", end + 1)
    name = buf[end + 2: close]
    return (name == b"v" or name.endswith(b":v")) and buf[close + 1: close + 2] not in (b"<", b"")


def _formulas(buf: bytes, scan: Scan) -> None:
    """Formula cells whose <v> is missing or empty: calamine reads them as empty cells."""
    for at in _formula_tags(buf):
        if _saved_value_follows(buf, at):
            continue  # the common case, told without regular expressions
        starts = list(_CELL_START.finditer(buf, max(0, at - 512), at))
        if not starts:
            continue
        start = starts[-1].start()
        close = buf.find(b">", start)
        end = _CELL_END.search(buf, at + 2)
        if close < 0 or not end:
            continue
        cell = buf[start: end.end()]
        value = _VALUE.search(cell)
        if value and (value.group(1) or _TEXT_TYPE.search(buf, start, close)):
            continue  # a saved result (an empty text result is a result too)
        where = _where(buf, start, close)
        if where is None or where in scan.cells:
            continue
        text = _FORMULA_TEXT.search(cell)
        formula = unescape(text.group(1).decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"}) if text else ""
        scan.cells[where] = ExcelError(f"={formula}" if formula else "=(a formula)")  # no saved value
