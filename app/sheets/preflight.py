"""Look at a file before reading it: does it exist, what is it really, is it encrypted, would it inflate too far."""

from __future__ import annotations

import zipfile
from enum import Enum
from pathlib import Path

from app.sheets.compound import MAGIC as OLE_MAGIC
from app.sheets.compound import stream_names
from app.sheets.errors import SheetError

# Limits (documented in app/sheets/README.md). A zip-based workbook (xlsx, xlsm, xlsb, ods) is
# refused when its members would inflate beyond MAX_UNCOMPRESSED_BYTES in total, or when a
# member larger than RATIO_CHECK_BYTES inflates more than MAX_COMPRESSION_RATIO times
# (ordinary workbooks compress 5-50x; zip bombs compress hundreds to thousands of times).
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_BYTES = 8 * 1024 * 1024
# Largest file of any kind read at all (xls, csv and the compressed size of zips).
MAX_FILE_BYTES = 512 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
DELIMITED_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".xltx", ".xltm"}


class Kind(Enum):
    """What a file really is, judged by its bytes first and its name second."""

    XLSX = "xlsx"  # also .xlsm / templates
    XLSB = "xlsb"
    XLS = "xls"
    ODS = "ods"
    DELIMITED = "csv"


def check_file(path: Path) -> Kind:
    """Return what ``path`` is, or raise SheetError saying plainly why it cannot be read."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SheetError(path, "the file does not exist") from None
    except PermissionError:
        raise SheetError(path, "permission to open it was denied") from None
    except OSError as exc:
        raise SheetError(path, f"it could not be opened ({exc.strerror or exc})") from None
    if path.is_dir():
        raise SheetError(path, "it is a folder, not a file")
    if st.st_size == 0:
        raise SheetError(path, "the file is empty (0 bytes)")
    if st.st_size > MAX_FILE_BYTES:
        raise SheetError(path, f"the file is {st.st_size / 2**20:,.0f} MB; zoho-bulk reads files up to "
                               f"{MAX_FILE_BYTES // 2**20:,} MB")
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except PermissionError:
        raise SheetError(path, "permission to open it was denied") from None
    except OSError as exc:
        raise SheetError(path, f"it could not be opened ({exc.strerror or exc})") from None

    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC) or (suffix in {".xlsx", ".xlsm", ".xlsb", ".ods"} and head.startswith(b"PK")):
        return _check_zip(path)
    if head.startswith(OLE_MAGIC):
        return _check_ole(path)
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text_head.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<body", b"<meta")) or (
        text_head.startswith(b"<") and b"<table" in head.lower()
    ):
        raise SheetError(path, "it is a web page (HTML) saved with a spreadsheet name, not a real workbook; "
                               "open it in Excel and save it as .xlsx")
    if text_head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        raise SheetError(path, "it is an Excel 2003 XML spreadsheet, which is not supported; "
                               "open it in Excel and save it as .xlsx")
    if suffix in DELIMITED_SUFFIXES:
        return Kind.DELIMITED
    if suffix in WORKBOOK_SUFFIXES:
        raise SheetError(path, f"it is not a valid {suffix} workbook (the file is damaged or is not a spreadsheet)")
    if _is_text(head):
        return Kind.DELIMITED
    raise SheetError(path, "it is not a spreadsheet zoho-bulk can read "
                           "(use .xlsx, .xlsm, .xlsb, .xls, .ods, .csv, .tsv or .txt)")


def _is_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    return b"\x00" not in head


def _check_zip(path: Path) -> Kind:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            mimetype = b""
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size < 200:
                    mimetype = archive.read(info)
    except zipfile.BadZipFile:
        raise SheetError(path, "the file is damaged (its zip structure is incomplete or corrupt)") from None
    except (OSError, EOFError, ValueError, NotImplementedError, zipfile.LargeZipFile) as exc:
        raise SheetError(path, f"the file is damaged ({exc})") from None
    except RuntimeError:  # zipfile's "is encrypted, password required for extraction"
        raise SheetError(path, "its parts are encrypted with a password; save it again without one and try again") \
            from None

    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise SheetError(path, "it is password-protected; remove the password in Excel and try again")
    if any(i.flag_bits & 0x1 for i in infos):  # zip encryption (a password on the archive itself)
        raise SheetError(path, "its parts are encrypted with a password; save it again without one and try again")
    if "xl/workbook.xml" in names:
        kind = Kind.XLSX
    elif "xl/workbook.bin" in names:
        kind = Kind.XLSB
    elif "content.xml" in names and (not mimetype or b"opendocument.spreadsheet" in mimetype):
        kind = Kind.ODS
    elif mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise SheetError(path, "it is an OpenDocument file but not a spreadsheet")
    elif "word/document.xml" in names:
        raise SheetError(path, "it is a Word document, not a spreadsheet")
    elif "ppt/presentation.xml" in names:
        raise SheetError(path, "it is a PowerPoint presentation, not a spreadsheet")
    else:
        raise SheetError(path, "it is a zip archive, not a spreadsheet")

    total = 0
    for info in infos:
        total += info.file_size
        if (info.file_size > RATIO_CHECK_BYTES
                and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
            raise SheetError(
                path, f"its part {info.filename} would inflate from {info.compress_size:,} bytes to "
                      f"{info.file_size:,} bytes ({info.file_size // max(info.compress_size, 1):,} times), "
                      "which looks like a zip bomb; zoho-bulk refuses parts that inflate more than "
                      f"{MAX_COMPRESSION_RATIO} times")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SheetError(path, f"it would take {total / 2**20:,.0f} MB once unpacked; zoho-bulk reads "
                               f"workbooks up to {MAX_UNCOMPRESSED_BYTES // 2**20:,} MB unpacked (split the file)")
    return kind


def _check_ole(path: Path) -> Kind:
    names = {n.lower() for n in stream_names(path)}
    if "encryptedpackage" in names or "encryptioninfo" in names:
        raise SheetError(path, "it is password-protected; remove the password in Excel and try again")
    if names and not ({"workbook", "book"} & names):
        if "worddocument" in names:
            raise SheetError(path, "it is a Word document, not a spreadsheet")
        raise SheetError(path, "it is an Office file but holds no workbook")
    return Kind.XLS
