"""The malformed-file corpus: each bad file ends in one plain sentence naming the file, fast and without a crash."""

from __future__ import annotations

import os
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.sheets import ExcelError, SheetError, delimited, preflight, read_table, sheet_names
from app.sheets import grid as grid_limits
from app.sheets.compound import stream_names as ole_stream_names
from tests.sheets import files


def message(path: Path, **kwargs: object) -> str:
    with pytest.raises(SheetError) as caught:
        read_table(path, **kwargs)  # type: ignore[arg-type]
    text = str(caught.value)
    assert text.startswith(f'Cannot read "{path.name}": ') and text.endswith(".")
    assert "\n" not in text and "Traceback" not in text and len(text) < 400
    assert caught.value.__suppress_context__ or caught.value.__cause__ is None
    return text


def valid_xlsx(tmp_path: Path) -> Path:
    return files.xlsx(tmp_path / "good.xlsx", [["Name", "Amount"], ["Acme", 1]] + [[f"n{i}", i] for i in range(300)])


def test_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in message(tmp_path / "nowhere.xlsx")
    with pytest.raises(SheetError, match="does not exist"):
        sheet_names(tmp_path / "nowhere.xlsx")


def test_folder(tmp_path: Path) -> None:
    (tmp_path / "dir.xlsx").mkdir()
    assert "folder" in message(tmp_path / "dir.xlsx")


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = valid_xlsx(tmp_path)
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the operating system's refusal explicit instead
        real_open = Path.open

        def refuse(self: Path, *args: object, **kwargs: object):
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "open", refuse)
    assert "permission" in message(path)


def test_zero_bytes(tmp_path: Path) -> None:
    for name in ("empty.xlsx", "empty.csv", "empty.xls"):
        (tmp_path / name).write_bytes(b"")
        assert "empty (0 bytes)" in message(tmp_path / name)


def test_blank_text_file(tmp_path: Path) -> None:
    (tmp_path / "blank.csv").write_text("\r\n  \r\n", encoding="utf-8")
    assert "empty" in message(tmp_path / "blank.csv")


def test_truncated_zip(tmp_path: Path) -> None:
    good = valid_xlsx(tmp_path).read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(good[: len(good) // 2])
    assert "damaged" in message(tmp_path / "cut.xlsx")


def test_random_bytes_named_xlsx_and_xls(tmp_path: Path) -> None:
    noise = random.Random(7).randbytes(20_000)
    for name in ("noise.xlsx", "noise.xls", "noise.ods", "noise.xlsb"):
        (tmp_path / name).write_bytes(noise)
        assert "not a valid" in message(tmp_path / name)


def test_random_bytes_named_csv(tmp_path: Path) -> None:
    (tmp_path / "noise.csv").write_bytes(random.Random(8).randbytes(5_000))
    assert "binary data" in message(tmp_path / "noise.csv")


def test_html_saved_as_xls(tmp_path: Path) -> None:
    page = ("<html><head><meta charset='utf-8'></head><body><table><tr><td>Name</td></tr>"
            "<tr><td>Acme</td></tr></table></body></html>")
    (tmp_path / "export.xls").write_text(page, encoding="utf-8")
    assert "web page (HTML)" in message(tmp_path / "export.xls")


def test_excel_2003_xml(tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_text('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:'
                                      'spreadsheet"></Workbook>', encoding="utf-8")
    assert "Excel 2003 XML" in message(tmp_path / "old.xls")


def test_password_protected_xlsx(tmp_path: Path) -> None:
    path = files.encrypted_xlsx(tmp_path / "secret.xlsx")
    assert set(ole_stream_names(path)) >= {"Root Entry", "EncryptionInfo", "EncryptedPackage"}
    assert "password-protected" in message(path)


def test_password_protected_xls(tmp_path: Path) -> None:
    # An .xls with a password carries a FILEPASS record in its workbook globals. Turn xlwt's
    # WRITEACCESS record (type 0x005C, 112 bytes) into one: calamine then reports the password.
    path = files.xls(tmp_path / "locked.xls", [["a"], [1]])
    data = path.read_bytes()
    at = data.find(b"\x5c\x00\x70\x00")
    assert at > 512
    path.write_bytes(data[:at] + b"\x2f\x00" + data[at + 2:])
    assert "password-protected" in message(path)


def test_ole_reader_agrees_with_xlwt(tmp_path: Path) -> None:
    # An independent writer's container: our directory reader must find its Workbook stream.
    path = files.xls(tmp_path / "plain.xls", [["a"], [1]])
    assert "Workbook" in ole_stream_names(path)


def test_ole_file_without_workbook(tmp_path: Path) -> None:
    path = files.ole(tmp_path / "doc.xls", {"WordDocument": b"x" * 10})
    assert "Word document" in message(path)


def test_zip_that_is_not_a_spreadsheet(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "photos.xlsx", "w") as archive:
        archive.writestr("a.txt", "hello")
    assert "zip archive, not a spreadsheet" in message(tmp_path / "photos.xlsx")


def test_header_only(tmp_path: Path) -> None:
    path = files.xlsx(tmp_path / "header.xlsx", [["Name", "Email", "Phone"]])
    assert "header row (row 1) but no data rows" in message(path)
    csv_path = files.text(tmp_path / "header.csv", [["Name", "Email", "Phone"]])
    assert "no data rows" in message(csv_path)


def test_empty_workbook(tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "blank.xlsx")
    assert "every sheet in the workbook is empty" in message(tmp_path / "blank.xlsx")


def test_unknown_sheet(tmp_path: Path) -> None:
    text = message(valid_xlsx(tmp_path), sheet="Invoices")
    assert 'no sheet named "Invoices"' in text and '"Data"' in text


def test_error_value_in_every_cell(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    for r in range(1, 5):
        for c in range(1, 4):
            cell = ws.cell(row=r, column=c, value=["#N/A", "#DIV/0!", "#REF!"][c - 1])
            cell.data_type = "e"
    book.save(tmp_path / "errors.xlsx")
    assert "formula error" in message(tmp_path / "errors.xlsx")


def test_error_values_in_every_data_cell_are_kept_for_validation(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Name", "Rate"])
    for r in range(2, 5):
        for c in (1, 2):
            cell = ws.cell(row=r, column=c, value="#VALUE!")
            cell.data_type = "e"
    book.save(tmp_path / "errors.xlsx")
    table = read_table(tmp_path / "errors.xlsx")
    assert table.headers == ["Name", "Rate"] and len(table.rows) == 3
    assert all(isinstance(v, ExcelError) and v == "#VALUE!" for row in table.rows for v in row)


def test_16384_columns(tmp_path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("Wide")
    ws.append([f"C{i}" for i in range(16_384)])
    ws.append(list(range(16_384)))
    book.save(tmp_path / "wide.xlsx")
    text = message(tmp_path / "wide.xlsx")
    assert "16,384 columns" in text and f"at most {grid_limits.MAX_COLUMNS:,}" in text


def test_far_away_stray_cell_does_not_allocate_the_whole_grid(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws["A1"] = "Name"
    ws["A2"] = "Acme"
    ws["XFD1048576"] = "stray"
    book.save(tmp_path / "stray.xlsx")
    assert "1,048,576 rows by 16,384 columns" in message(tmp_path / "stray.xlsx")


def test_far_away_stray_cell_in_xlsb(tmp_path: Path) -> None:
    path = files.xlsb(tmp_path / "stray.xlsb", [["Name"], ["Acme"]], stray=(1_048_575, 16_383, "stray"))
    assert "1,048,576 rows by 16,384 columns (A1:XFD1048576)" in message(path)


def _bomb(path: Path, inflated: int) -> Path:
    """A structurally valid xlsx whose sheet part inflates to ``inflated`` bytes, written streaming."""
    row = b'<row><c t="inlineStr"><is><t>zip bomb</t></is></c></row>' * 64
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                         'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                         '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
                         '.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                         "</Relationships>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            written = 0
            while written < inflated:
                member.write(row)
                written += len(row)
            member.write(b"</sheetData></worksheet>")
    return path


@pytest.mark.slow
def test_zip_bomb_200_mb_inflated(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", 200 * 1024 * 1024)
    assert path.stat().st_size < 2 * 1024 * 1024  # the test itself stays small on disk
    text = message(path)
    assert "zip bomb" in text and "xl/worksheets/sheet1.xml" in text


def test_unpacked_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = valid_xlsx(tmp_path)
    assert read_table(path).rows[0] == ["Acme", 1]
    monkeypatch.setattr(preflight, "MAX_UNCOMPRESSED_BYTES", 1000)
    assert "once unpacked" in message(path)


def test_file_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = files.text(tmp_path / "big.csv", [["a"], ["1"]] * 100)
    monkeypatch.setattr(delimited, "MAX_TEXT_BYTES", 200)
    assert "reads text files up to" in message(path)
    monkeypatch.setattr(preflight, "MAX_FILE_BYTES", 100)
    assert "reads files up to" in message(path)


def test_cell_limit_while_reading_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = files.text(tmp_path / "many.csv", [["a", "b"]] + [["1", "2"]] * 100)
    monkeypatch.setattr(delimited, "MAX_CELLS", 50)
    assert "more than zoho-bulk reads at once (50 cells)" in message(path)
