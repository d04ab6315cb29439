"""Reading never changes a value silently: encodings, broken CSV structure, formulas without values, merges,
hidden rows and formula guards are read as written or said, with their line, row and column."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from app.sheets import ExcelError, SheetError, read_table, write_csv
from app.sheets.encodings import EncodingUnsure


def _csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(("codec", "name", "text"), [
    ("cp1251", "windows-1251", "Название,Город\nООО Ромашка,Москва\nИП Иванов,Санкт-Петербург\nЗАО Вектор,Новосибирск\n"),
    ("cp1250", "windows-1250", "Nazwa,Miasto\nŁódzkie Zakłady Sp. z o.o.,Łódź\nŻabka Polska,Poznań\n"),
    ("cp1256", "windows-1256", "الاسم,المدينة\nشركة النور,الرياض\nمؤسسة الأمل,جدة\n"),
    ("cp1252", "windows-1252", "Nom,Ville\nSociété Générale,Paris\nCœur de Lion SARL,Besançon\n"),
    ("cp1252", "windows-1252", "Nombre,Ciudad\nCompañía Española,Logroño\nJosé Núñez,Cádiz\n"),
    ("cp1250", "windows-1250", "Název,Město\nČeská spořitelna,Praha\nŠkoda Auto a.s.,Mladá Boleslav\n"),
    ("iso8859_9", "windows-1254", "Ad,Şehir\nŞişecam A.Ş.,İstanbul\nGüneş Ltd,İzmir\n"),
    ("iso8859_7", "iso-8859-7", "Όνομα,Πόλη\nΑθήνα ΑΕ,Αθήνα\nΘεσσαλονίκη ΕΠΕ,Θεσσαλονίκη\n"),
    ("cp932", "shift_jis", "会社名,都市\n株式会社テスト,東京\n有限会社サンプル,大阪\n"),
    ("euc_jp", "euc-jp", "会社名,都市\n株式会社テスト,東京\n有限会社サンプル,大阪\n"),
    ("gb18030", "gb18030", "公司名称,城市\n北京测试有限公司,北京\n上海样品贸易公司,上海\n"),
    ("big5", "big5", "公司名稱,城市\n台北測試有限公司,台北\n高雄樣品貿易公司,高雄\n"),
    ("cp949", "euc-kr", "회사명,도시\n주식회사 테스트,서울\n샘플 상사,부산\n삼성전자,수원\n"),
    ("utf_16_le", "utf-16-le", "Name,City\nMüller,Köln\n"),
    ("utf_16_be", "utf-16-be", "Name,City\nMüller,Köln\n"),
])
def test_each_market_encoding_is_read_as_written_and_named(tmp_path: Path, codec: str, name: str, text: str) -> None:
    table = read_table(_csv(tmp_path / "f.csv", text, codec))
    lines = [line.split(",") for line in text.splitlines()]
    assert table.headers == lines[0] and table.rows == lines[1:]
    assert table.encoding == name


def test_an_unsure_encoding_names_its_candidates_with_a_preview_and_the_choice_is_taken(tmp_path: Path) -> None:
    path = _csv(tmp_path / "one.csv", "Display Name\nООО Ромашка\n", "cp1251")
    with pytest.raises(EncodingUnsure) as caught:
        read_table(path)
    first = caught.value.candidates[0]
    assert (first.encoding, first.preview) == ("windows-1251", "ООО Ромашка")
    assert len(caught.value.candidates) > 1 and "--encoding NAME" in str(caught.value)
    assert isinstance(caught.value, SheetError)
    table = read_table(path, encoding="windows-1251")
    assert table.rows == [["ООО Ромашка"]] and table.encoding == "windows-1251"


def test_a_chosen_encoding_that_does_not_fit_or_does_not_exist_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path / "j.csv", "Name\n株式会社テスト\n", "cp932")
    with pytest.raises(SheetError, match="not valid euc-jp .line 2 holds byte 0x8A"):
        read_table(path, encoding="euc-jp")
    with pytest.raises(SheetError, match='"klingon" is not an encoding'):
        read_table(path, encoding="klingon")


@pytest.mark.parametrize("codec", ["utf_16_le", "utf_16_be"])
def test_plain_ascii_in_utf16_without_bom_is_not_read_as_utf8_full_of_nuls(tmp_path: Path, codec: str) -> None:
    table = read_table(_csv(tmp_path / "w.csv", "Name,Email\r\nAcme,a@acme.example\r\n", codec))
    assert table.rows == [["Acme", "a@acme.example"]] and table.notes == []
    assert table.encoding == codec.replace("_", "-")


def test_utf8_without_bom_stays_utf8(tmp_path: Path) -> None:
    table = read_table(_csv(tmp_path / "u.csv", "Name\nZoë Café\n"))
    assert table.rows == [["Zoë Café"]] and table.encoding == "utf-8"


def test_an_unclosed_quote_refuses_the_file_with_its_line(tmp_path: Path) -> None:
    path = _csv(tmp_path / "q.csv", 'A,B,C\n1,2,3\n4,"5,6\n7,8,9\n10,11,12\n')
    with pytest.raises(SheetError, match="line 3 opens a quote that is never closed, so the 2 lines below"):
        read_table(path)


def test_a_quote_that_swallows_rows_refuses_the_file(tmp_path: Path) -> None:
    path = _csv(tmp_path / "q.csv", 'A,B,C\n1,"2,3\n4,5,6\n7,8",9\n')
    with pytest.raises(SheetError, match="line 2 opens a quote that closes only on line 4"):
        read_table(path)


def test_a_multi_line_cell_is_fine_and_rows_keep_their_record_numbers(tmp_path: Path) -> None:
    table = read_table(_csv(tmp_path / "m.csv", 'Name,Address,City\r\nAcme,"1 Main St\r\nSuite 4, back",Oslo\r\n'
                                                 "Globex,2 Side St,Rome\r\n"))
    assert table.rows == [["Acme", "1 Main St\r\nSuite 4, back", "Oslo"], ["Globex", "2 Side St", "Rome"]]
    assert table.row_numbers == [2, 3] and table.notes == []


def test_ragged_rows_nuls_and_mixed_endings_are_noted_on_their_rows(tmp_path: Path) -> None:
    table = read_table(_csv(tmp_path / "r.csv", "A,B,C\r\n1,2,3\r\n4,5,6,7\r\n8\r\n9,1\x002,3\n4,5,6\r\n"))
    assert [(n.severity, n.row, n.column) for n in table.notes] == [
        ("error", 5, 1), ("error", 3, None), ("warning", 4, None), ("warning", None, None)]
    assert "line 5: this cell holds a NUL character" in table.notes[0].message
    assert "line 3 has 4 fields where the header has 3" in table.notes[1].message
    assert "line 4 has 1 field where the header has 3; its last cells (B, C)" in table.notes[2].message
    assert "rows end with CR LF, but 1 end with LF (line 5)" in table.notes[3].message
    assert table.rows[3] == ["9", "12", "3", None]  # the NUL is gone, and the row is an error


def test_text_after_a_closing_quote_is_an_error_on_its_row(tmp_path: Path) -> None:
    table = read_table(_csv(tmp_path / "t.csv", 'A,B\n"Acme" Ltd,1\nGlobex,2\n'))
    assert table.rows == [["Acme Ltd", "1"], ["Globex", "2"]]
    (note,) = table.notes
    assert note.row == 2 and note.severity == "error" and "a quote ends in the middle" in note.message


def test_our_own_csv_reads_back_unchanged_and_a_foreign_guard_is_kept_and_said(tmp_path: Path) -> None:
    rows = [["=SUM(A1)", "+49 89 1234567", "-12.50", "@team", "'quoted"]]
    ours = write_csv(tmp_path / "ours.csv", ["A", "B", "C", "D", "E"], rows)
    assert b"'=SUM(A1)" in ours.read_bytes()  # the guard is in the file...
    table = read_table(ours)
    assert table.rows == rows and table.notes == []  # ...and not in the values
    edited = _csv(tmp_path / "edited.csv", "\ufeffA,B\n'+49 1,+49 2\n")  # a cell someone left unguarded
    table = read_table(edited)
    assert table.rows == [["'+49 1", "+49 2"]]
    (note,) = table.notes
    assert (note.row, note.column, note.severity) == (2, 0, "warning") and "apostrophe is kept" in note.message


def test_xlsx_formula_without_value_hidden_rows_and_merged_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    for row in (["Name", "Total", "Note"], ["Acme", "=SUM(1,2)", "x"], ["Globex", 5, None], ["Initech", 6, None]):
        ws.append(row)
    ws["C6"] = "=A2&\"!\""  # a formula without value below the area calamine reads
    ws.merge_cells("C2:C4")
    ws.row_dimensions[3].hidden = True
    book.save(tmp_path / "f.xlsx")
    table = read_table(tmp_path / "f.xlsx")
    assert table.rows[0] == ["Acme", ExcelError("=SUM(1,2)"), "x"] and table.rows[0][1].formula
    assert "open and save the file in Excel, or paste values" in table.rows[0][1].reason
    assert table.rows[-1] == [None, None, ExcelError('=A2&"!"')] and table.row_numbers[-1] == 6
    messages = [n.message for n in table.notes]
    assert messages == ['row 2, column "Note": cells C2:C4 are merged: "x" is read in C2 only, and the other '
                        "cells of the range as empty",
                        "1 hidden row (row 3) will be imported like the others; unhide them in the spreadsheet "
                        "to check them"]


def test_many_short_rows_are_warned_about_one_by_one_up_to_twenty_then_together(tmp_path: Path) -> None:
    lines = ["A,B,C"] + [f"{n},x" for n in range(25)]
    table = read_table(_csv(tmp_path / "s.csv", "\n".join(lines) + "\n"))
    assert [n.row for n in table.notes] == [*range(2, 22), None]
    assert table.notes[-1].message == ("5 more rows have fewer fields than the header (line 22, 23, 24, 25, 26); "
                                       "their last cells are read as empty")
    assert len(table.rows) == 25


def test_past_fifty_kept_guards_one_warning_counts_the_rest(tmp_path: Path) -> None:
    lines = ["Phone"] + [f"'+49 {n}" for n in range(53)]
    table = read_table(_csv(tmp_path / "g.csv", "\n".join(lines) + "\n"))
    assert [n.row for n in table.notes] == [*range(2, 52), None]
    assert table.notes[-1].message.startswith("3 more cells start with an apostrophe before = + - or @ (line 52, 53, 54)")
    assert all(row[0].startswith("'+49") for row in table.rows)
