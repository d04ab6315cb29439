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


class OdsError(str):
    """A cell the ods builder writes as LibreOffice writes a formula whose result is an error."""


CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def ods(path: Path, rows: Rows, *, title: str = "Data") -> Path:
    """An .ods (via odfpy) with typed cells: floats, dates, text and (OdsError) error results."""
    doc = OpenDocumentSpreadsheet()
    table = Table(name=title)
    for row in rows:
        tr = TableRow()
        blanks = 0
        for i, value in enumerate(row):
            if value is None:  # runs of empty cells are one repeated cell, as LibreOffice writes them
                blanks += 1
                if i + 1 == len(row) or row[i + 1] is not None:
                    tr.addElement(TableCell(numbercolumnsrepeated=blanks) if blanks > 1 else TableCell())
                    blanks = 0
            elif isinstance(value, OdsError):
                cell = TableCell(valuetype="float", value="0", formula="of:=1/0")
                cell.setAttrNS(CALCEXT, "value-type", "error")
                cell.addElement(P(text=str(value)))
                tr.addElement(cell)
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


def ole(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal OLE compound file (CFB v3, 512-byte sectors) holding ``streams`` in its root storage.

    Each stream is padded to at least 4096 bytes so it lives in ordinary sectors (no mini stream).
    Excel wraps a password-protected xlsx in exactly such a container, with the streams
    "EncryptionInfo" and "EncryptedPackage".
    """
    import struct

    sector = 512
    free, end_of_chain, fat_sector = -1, -2, -3
    names = list(streams)
    assert len(names) <= 3
    data = [streams[n].ljust(4096, b"\0") for n in names]
    data = [d.ljust(-(-len(d) // sector) * sector, b"\0") for d in data]
    fat = [fat_sector, end_of_chain]  # sector 0: FAT, sector 1: directory
    starts = []
    for d in data:
        count = len(d) // sector
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + count))
        fat.append(end_of_chain)
    assert len(fat) <= sector // 4
    fat.extend([free] * (sector // 4 - len(fat)))

    def entry(name: str, kind: int, child: int = -1, right: int = -1, start: int = end_of_chain,
              size: int = 0) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<iii", -1, right, child) + b"\0" * 16 + struct.pack("<I", 0)
                + b"\0" * 16 + struct.pack("<iII", start, size, 0))

    entries = [entry("Root Entry", 5, child=1 if names else -1)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else -1
        entries.append(entry(name, 2, right=right, start=starts[i], size=len(streams[name])))
    directory = b"".join(entries).ljust(sector, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIiIIiIiI", 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
              + struct.pack("<109i", 0, *([free] * 108)))
    assert len(header) == 512
    path.write_bytes(header + struct.pack(f"<{sector // 4}i", *fat) + directory + b"".join(data))
    return path


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a password-protected workbook: an OLE container, not a zip."""
    info = struct_pack_encryption_info()
    return ole(path, {"EncryptionInfo": info, "EncryptedPackage": b"\x10\x00\x00\x00\x00\x00\x00\x00" + b"\x5a" * 4000})


def struct_pack_encryption_info() -> bytes:
    """An agile EncryptionInfo stream header (version 4.4) followed by its XML descriptor."""
    import struct

    xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
           b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
           b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
           b"</encryption>")
    return struct.pack("<HHI", 4, 4, 0x40) + xml


def _record(kind: int, payload: bytes = b"") -> bytes:
    """One BIFF12 record: type and size as 7-bit varints, then the payload (MS-XLSB 2.1.4)."""
    head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
    size, out = len(payload), bytearray()
    while True:
        byte = size & 0x7F
        size >>= 7
        out.append(byte | (0x80 if size else 0))
        if not size:
            break
    return head + bytes(out) + payload


def _wide(text: str) -> bytes:
    import struct

    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


XLSB_ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D,
                    "#NUM!": 0x24, "#N/A": 0x2A}


def xlsb(path: Path, rows: Rows, *, title: str = "Data", date1904: bool = False,
         stray: tuple[int, int, str] | None = None) -> Path:
    """An .xlsb (Excel binary workbook) built record by record from the MS-XLSB specification.

    No Python library writes xlsb, so this writes the BIFF12 parts itself: workbook.bin with
    BrtWbProp (the 1904 flag) and BrtBundleSh, styles.bin with two cell formats (General and
    the built-in date format 14), and a sheet of BrtCellReal / BrtCellSt / BrtCellBool /
    BrtCellError records. Dates are written as serial numbers in the requested date system.
    ``stray`` adds one text cell at (row, column), 0-based, far from the rest.
    """
    import struct
    import zipfile

    epoch = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
    wb_prop = struct.pack("<III", 1 if date1904 else 0, 0, 0xFFFFFFFF)
    workbook = b"".join([
        _record(0x0083),  # BrtBeginBook
        _record(0x0099, wb_prop),  # BrtWbProp
        _record(0x008F),  # BrtBeginBundleShs
        _record(0x009C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide(title)),  # BrtBundleSh
        _record(0x0090),  # BrtEndBundleShs
        _record(0x009D, bytes(26)),  # BrtCalcProp
        _record(0x0084),  # BrtEndBook
    ])
    xf_general = struct.pack("<HH", 0xFFFF, 0) + bytes(12)
    xf_date = struct.pack("<HH", 0xFFFF, 14) + bytes(12)
    styles = _record(0x0269, struct.pack("<I", 2)) + _record(0x002F, xf_general) + _record(0x002F, xf_date) \
        + _record(0x026A)
    last_row, last_col = max(len(rows) - 1, 0), max(max((len(r) for r in rows), default=1) - 1, 0)
    if stray:
        last_row, last_col = max(last_row, stray[0]), max(last_col, stray[1])
    body = [_record(0x0081),  # BrtBeginSheet
            _record(0x0094, struct.pack("<IIII", 0, last_row, 0, last_col)),  # BrtWsDim
            _record(0x0091)]  # BrtBeginSheetData
    for r, row in enumerate(rows):
        body.append(_record(0x0000, struct.pack("<IIH", r, 0, 300) + bytes(3) + struct.pack("<I", 0)))
        for c, value in enumerate(row):
            cell = struct.pack("<I", c)
            if value is None:
                continue
            if isinstance(value, bool):
                body.append(_record(0x0004, cell + struct.pack("<I", 0) + bytes([value])))
            elif isinstance(value, int | float):
                body.append(_record(0x0005, cell + struct.pack("<I", 0) + struct.pack("<d", value)))
            elif isinstance(value, dt.date):
                serial = (value - epoch).days
                body.append(_record(0x0005, cell + struct.pack("<I", 1) + struct.pack("<d", serial)))
            elif isinstance(value, str) and value in XLSB_ERROR_CODES:
                body.append(_record(0x0003, cell + struct.pack("<I", 0) + bytes([XLSB_ERROR_CODES[value]])))
            else:
                body.append(_record(0x0006, cell + struct.pack("<I", 0) + _wide(str(value))))
    if stray:
        body.append(_record(0x0000, struct.pack("<IIH", stray[0], 0, 300) + bytes(3) + struct.pack("<I", 0)))
        body.append(_record(0x0006, struct.pack("<II", stray[1], 0) + _wide(stray[2])))
    body += [_record(0x0092), _record(0x0082)]  # BrtEndSheetData, BrtEndSheet
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled'
        '.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
        '<Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>')
    wb_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
               'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
               'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/><Relationship '
               'Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
               'Target="styles.bin"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.bin", workbook)
        archive.writestr("xl/_rels/workbook.bin.rels", wb_rels)
        archive.writestr("xl/styles.bin", styles)
        archive.writestr("xl/worksheets/sheet1.bin", b"".join(body))
    return path
