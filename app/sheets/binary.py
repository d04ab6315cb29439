"""What calamine does not tell about .xlsb, .xls and .ods files: error cells, the date system, the declared used range."""

from __future__ import annotations

import posixpath
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from app.sheets.compound import Compound
from app.sheets.table import column_letter

# Sheets whose binary part is larger than this are not scanned (their error cells stay empty);
# the scan runs beside calamine, and this keeps it from outlasting calamine on huge files.
MAX_SCAN_BYTES = 48 * 1024 * 1024

# Error codes shared by BIFF8 and BIFF12 (MS-XLS 2.5.97, MS-XLSB 2.5.97.2).
ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
               0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}

Found = list[tuple[int, int, str]]  # (row, column, error text), 0-based


def xlsb_error_cells(path: Path, sheet: str) -> Found:
    """Error cells of one xlsb sheet: BrtCellError and BrtFmlaError records."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = xlsb_sheet_member(archive, sheet)
            if not member or archive.getinfo(member).file_size > MAX_SCAN_BYTES:
                return []
            data = archive.read(member)
    except Exception:
        return []
    found: Found = []
    pos, end, row = 0, len(data), 0
    while pos < end:
        kind = data[pos]
        pos += 1
        if kind & 0x80:
            kind = (kind & 0x7F) | ((data[pos] & 0x7F) << 7) if pos < end else -1
            pos += 1
        size = shift = 0
        while pos < end:
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80 or shift >= 28:
                break
        if kind == 0x0000 and size >= 4:  # BrtRowHdr
            row = int.from_bytes(data[pos: pos + 4], "little")
        elif (kind == 0x0003 or kind == 0x000B) and size >= 9:  # BrtCellError, BrtFmlaError
            col = int.from_bytes(data[pos: pos + 4], "little")
            found.append((row, col, ERROR_CODES.get(data[pos + 8], "#VALUE!")))
        elif kind == 0x0092:  # BrtEndSheetData
            break
        pos += size
    return found


def xlsb_sheet_member(archive: zipfile.ZipFile, sheet: str) -> str:
    """Zip path of an xlsb sheet's part, from workbook.bin's BrtBundleSh and its relationships."""
    targets = {r.get("Id"): r.get("Target", "") for r in
               ElementTree.fromstring(archive.read("xl/_rels/workbook.bin.rels"))}
    for kind, payload in records(archive.read("xl/workbook.bin")):
        if kind == 0x009C:  # BrtBundleSh: state, tab id, relationship id, name
            rel, at = _wide(payload, 8)
            name, _ = _wide(payload, at)
            if name == sheet:
                target = targets.get(rel, "")
                return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        elif kind == 0x0090:  # BrtEndBundleShs
            break
    return ""


def _wide(payload: bytes, pos: int) -> tuple[str, int]:
    count = int.from_bytes(payload[pos: pos + 4], "little")
    if count == 0xFFFFFFFF:
        return "", pos + 4
    return payload[pos + 4: pos + 4 + 2 * count].decode("utf-16-le", "replace"), pos + 4 + 2 * count


def xls_error_cells(path: Path, sheet: str) -> Found:
    """Error cells of one .xls sheet: BOOLERR records flagged as errors and FORMULA results that are errors."""
    try:
        with path.open("rb") as fh:
            book = Compound(fh)
            stream = book.read_stream("Workbook", MAX_SCAN_BYTES + 1) or book.read_stream("Book", MAX_SCAN_BYTES + 1)
    except (OSError, ValueError, struct.error):
        return []
    if not stream or len(stream) > MAX_SCAN_BYTES:
        return []
    offset = _xls_sheet_offset(stream, sheet)
    if offset is None:
        return []
    found: Found = []
    pos, end = offset, len(stream)
    unpack = struct.unpack_from
    while pos + 4 <= end:
        kind, size = unpack("<HH", stream, pos)
        pos += 4
        if kind == 0x0205 and size >= 8 and stream[pos + 7] == 1:  # BOOLERR holding an error
            row, col = unpack("<HH", stream, pos)
            found.append((row, col, ERROR_CODES.get(stream[pos + 6], "#VALUE!")))
        elif kind == 0x0006 and size >= 14 and stream[pos + 6] == 2 and stream[pos + 12: pos + 14] == b"\xff\xff":
            row, col = unpack("<HH", stream, pos)  # FORMULA whose cached result is an error
            found.append((row, col, ERROR_CODES.get(stream[pos + 8], "#VALUE!")))
        elif kind == 0x000A:  # EOF of the sheet substream
            break
        pos += size
    return found


def _xls_sheet_offset(stream: bytes, sheet: str) -> int | None:
    """Stream offset of a sheet's BOF, from the BOUNDSHEET records of the workbook globals."""
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4: pos + 4 + size]
        if kind == 0x0085 and len(body) >= 8:  # BOUNDSHEET8: offset, state, type, ShortXLUnicodeString
            count, high = body[6], body[7] & 1
            raw = body[8: 8 + count * (2 if high else 1)]
            name = raw.decode("utf-16-le" if high else "latin-1", "replace")
            if name == sheet:
                return int.from_bytes(body[:4], "little")
        elif kind == 0x000A and pos > 0:  # EOF of the globals
            return None
        pos += 4 + size
    return None


def records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """BIFF12 records (type, payload) of an xlsb part, stopping quietly at a truncated one."""
    pos, end = 0, len(data)
    while pos < end:
        kind = data[pos]
        pos += 1
        if kind & 0x80:
            if pos >= end:
                return
            kind = (kind & 0x7F) | ((data[pos] & 0x7F) << 7)
            pos += 1
        size = shift = 0
        for _ in range(4):
            if pos >= end:
                return
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if pos + size > end:
            return
        yield kind, data[pos: pos + size]
        pos += size


def xlsb_date1904(path: Path) -> bool:
    """True when an xlsb workbook's BrtWbProp record says it counts dates from 1904."""
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("xl/workbook.bin")[: 64 * 1024]
    except Exception:
        return False
    for kind, payload in records(data):
        if kind == 0x0099:  # BrtWbProp: bit 0 of its flags is f1904
            return bool(payload[:1]) and bool(payload[0] & 1)
        if kind == 0x008F:  # BrtBeginBundleShs comes after BrtWbProp
            break
    return False


def xlsb_dimension(path: Path, sheet: str) -> tuple[int, int, str] | None:
    """(rows, columns, "A1:T100") of an xlsb sheet's declared used range (BrtWsDim); None if unknown."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = xlsb_sheet_member(archive, sheet)
            if not member:
                return None
            with archive.open(member) as fh:
                head = fh.read(64 * 1024)
    except Exception:
        return None  # calamine will say what is wrong
    for kind, payload in records(head):
        if kind == 0x0094 and len(payload) >= 16:  # BrtWsDim: first row, last row, first col, last col
            first_row, last_row, first_col, last_col = struct.unpack_from("<IIII", payload)
            area = f"{column_letter(first_col)}{first_row + 1}:{column_letter(last_col)}{last_row + 1}"
            return last_row - first_row + 1, last_col - first_col + 1, area
        if kind == 0x0091:  # BrtBeginSheetData: no dimension before the cells
            break
    return None


def xls_date1904(path: Path) -> bool:
    """True when an .xls workbook's DATEMODE record says it counts dates from 1904."""
    try:
        with path.open("rb") as fh:
            book = Compound(fh)
            stream = book.read_stream("Workbook", 256 * 1024) or book.read_stream("Book", 256 * 1024)
    except (OSError, ValueError, struct.error):
        return False
    pos = 0
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        if kind == 0x0022 and size == 2 and pos + 6 <= len(stream):  # DATEMODE
            return struct.unpack_from("<H", stream, pos + 4)[0] == 1
        if kind == 0x000A and pos > 0:  # EOF of the workbook globals
            return False
        pos += 4 + size
    return False


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"


def ods_error_cells(path: Path, sheet: str) -> Found:
    """Error cells of one .ods sheet (calamine reads them as 0 or empty).

    LibreOffice marks a formula whose result is an error with ``calcext:value-type="error"`` and
    shows the error text in the cell's paragraph. The content is only parsed when that marker occurs.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open("content.xml") as fh:
                tail, marked = b"", False
                while chunk := fh.read(1 << 20):
                    if b'value-type="error"' in tail + chunk:
                        marked = True
                        break
                    tail = chunk[-32:]
            if not marked:
                return []
            with archive.open("content.xml") as fh:
                return _ods_errors(fh, sheet)
    except Exception:
        return []


def _ods_errors(fh: IO[bytes], sheet: str) -> Found:
    found: Found = []
    inside, row, col = False, 0, 0
    cell_tags = {f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell"}
    for event, elem in ElementTree.iterparse(fh, events=("start", "end")):
        tag = elem.tag
        if tag == f"{_ODS_TABLE}table":
            if event == "start":
                inside, row = elem.get(f"{_ODS_TABLE}name") == sheet, 0
            elif inside:
                break
            continue
        if not inside:
            if event == "end" and tag in cell_tags:
                elem.clear()
            continue
        if tag == f"{_ODS_TABLE}table-row":
            if event == "start":
                col = 0
            else:
                row += int(elem.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
                elem.clear()
        elif tag in cell_tags and event == "end":
            repeat = int(elem.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
            if elem.get(f"{_ODS_CALCEXT}value-type") == "error":
                text = "".join(elem.itertext()).strip()
                for c in range(col, col + min(repeat, 16_384)):
                    found.append((row, c, text if text.startswith("#") else "#VALUE!"))
            col += repeat
    return found
