"""Hostile files at the level of the file itself: encodings, broken CSV structure, repeated headers, formulas
without values, merged cells, hidden rows, formula guards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl

from app.sheets import write_csv
from tests.hostile.corpus import Case, error, warning
from tests.sheets import files

CONTACT = "Display Name,Email,Phone"


def _raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path
    return build


def _text(name: str, lines: list[str], encoding: str = "utf-8", ending: str = "\r\n") -> Callable[[Path], Path]:
    return _raw(name, (ending.join(lines) + ending).encode(encoding))


def _xlsx(rows: list[list[object]], *, merges: tuple[str, ...] = (), hidden: tuple[int, ...] = ()
          ) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = "Contacts"
        for row in rows:
            ws.append(row)
        for area in merges:
            ws.merge_cells(area)
        for number in hidden:
            ws.row_dimensions[number].hidden = True
        path = folder / "contacts.xlsx"
        book.save(path)
        return path
    return build


def _xls_merged(folder: Path) -> Path:
    """An Excel 97-2003 list where one phone number was merged down over three contacts of one office."""
    return files.xls(folder / "contacts.xls", [
        ["Display Name", "Email", "Phone"], ["Acme", "a@acme.example", None],
        ["Acme Berlin", "berlin@acme.example", None], ["Acme Paris", "paris@acme.example", None],
    ], title="Contacts", merges=[(1, 3, 2, 2, "+49 30 1234567")])


def _our_export(folder: Path) -> Path:
    """A contacts export written by zoho-bulk itself: phone numbers and a note carry the CSV formula guard."""
    return write_csv(folder / "export.csv", ["Display Name", "Email", "Phone"], [
        ["Müller GmbH", "info@mueller.example", "+49 89 1234567"],
        ["=Acme Ltd", "sales@acme.example", "-"],
    ])


RUSSIAN = [CONTACT, "ООО Ромашка,info@romashka.example,+7 495 123-45-67",
           "ИП Иванов Сергей,ivanov@example.ru,+7 812 765-43-21", "ЗАО Вектор Плюс,office@vektor.example,"]
JAPANESE = [CONTACT, "株式会社テスト,info@test.example.jp,03-1234-5678", "有限会社サンプル,sample@example.jp,",
            "東京商事株式会社,tokyo@example.jp,06-9876-5432"]

CASES = [
    # Encodings: a 1C (Russian) export in Windows-1251 and a Japanese one in Shift-JIS are read as written.
    Case("windows-1251-contacts", "contacts", _text("contacts-1c.csv", RUSSIAN, "cp1251"), documents=3, valid=3),
    Case("shift-jis-contacts", "contacts", _text("contacts-sjis.csv", JAPANESE, "cp932"), documents=3, valid=3),
    # One short name in Windows-1251: it reads as Russian, Serbian-like or Greek text alike; the CLI asks.
    Case("encoding-unsure", "contacts", _text("one.csv", [CONTACT, "ООО Ромашка,info@romashka.example,"], "cp1251"),
         refused="--encoding NAME (e.g. --encoding windows-1251)"),
    Case("encoding-chosen", "contacts", _text("one.csv", [CONTACT, "ООО Ромашка,info@romashka.example,"], "cp1251"),
         args=("--encoding", "windows-1251"), documents=1, valid=1),
    # Excel's "Unicode text" saved by a tool that dropped the BOM: UTF-16 LE without it.
    Case("utf-16-without-bom", "contacts", _text("unicode.csv", [CONTACT, "Zoë Café,zoe@example.com,"], "utf-16-le"),
         documents=1, valid=1),
    # CSV structure.
    Case("unclosed-quote", "contacts", _text("unclosed.csv", [
        CONTACT, "Acme,a@acme.example,", '"Globex, Inc,g@globex.example,', "Initech,i@initech.example,",
        "Umbrella,u@umbrella.example,"]), refused="line 3 opens a quote that is never closed"),
    Case("quote-swallows-rows", "contacts", _text("swallow.csv", [
        CONTACT, 'Acme,"a@acme.example,', "Globex,g@globex.example,+1 555 0100", "Initech,i@initech.example,",
        'Umbrella,u@umbrella.example",']), refused="line 2 opens a quote that closes only on line 5"),
    Case("text-after-closing-quote", "contacts", _text("quotes.csv", [
        CONTACT, '"Acme" Ltd,a@acme.example,', "Globex,g@globex.example,"]),
        expect={2: [error("a quote ends in the middle of a value")]}, documents=2, valid=1, invalid=1),
    Case("row-with-extra-field", "contacts", _text("extra.csv", [
        CONTACT, "Acme,a@acme.example,+1 555 0100", "Smith, John,j@smith.example,+1 555 0101",
        "Globex,g@globex.example,"]),
        expect={0: [warning("is not mapped", "Column D")],
                3: [error("line 3 has 4 fields where the header has 3"),
                    error('" John" is not an email address', "Email")]}, documents=3, valid=2, invalid=1),
    Case("row-with-missing-fields", "contacts", _text("short.csv", [
        CONTACT, "Acme,a@acme.example,+1 555 0100", "Globex", "Initech,i@initech.example,"]),
        expect={3: [warning("line 3 has 1 field where the header has 3")]}, documents=3, valid=3),
    Case("nul-byte", "contacts", _raw("nul.csv", b"Display Name,Email,Phone\r\nAcme,a@acme.ex\x00ample,\r\n"
                                                 b"Globex,g@globex.example,\r\n"),
         expect={2: [error("holds a NUL character", "Email")]}, documents=2, valid=1, invalid=1),
    Case("mixed-line-endings", "contacts", _raw("mixed.csv", b"Display Name,Email,Phone\r\nAcme,a@acme.example,\r\n"
                                                             b"Globex,g@globex.example,\nInitech,i@initech.example,\r\n"),
         expect={0: [warning("rows end with CR LF, but 1 end with LF (line 3)")]}, documents=3, valid=3),
    # Headers and cells.
    Case("repeated-header", "contacts", _text("dup.csv", [
        "Display Name,Email,Email", "Acme,a@acme.example,billing@acme.example"]),
        expect={0: [warning('the header "Email" repeats in columns B, C')]}, documents=1, valid=1),
    Case("formula-without-value", "contacts", _xlsx([
        ["Display Name", "Email"], ["Acme", "a@acme.example"], ['=UPPER("globex")', "g@globex.example"]]),
        expect={3: [error("a formula without a saved value", "Display Name")]}, documents=2, valid=1, invalid=1),
    Case("merged-cells", "contacts", _xlsx([
        ["Display Name", "Email", "Phone"], ["Acme", "a@acme.example", "+1 555 0100"],
        ["Globex", "g@globex.example", None], ["Initech", "i@initech.example", None]], merges=("C2:C4",)),
        expect={2: [warning("cells C2:C4 are merged", "Phone")]}, documents=3, valid=3),
    Case("xls-merged-cells", "contacts", _xls_merged,
         expect={2: [warning('cells C2:C4 are merged: "+49 30 1234567" is read in C2 only', "Phone")]},
         documents=3, valid=3),
    Case("hidden-rows", "contacts", _xlsx([
        ["Display Name", "Email"], ["Acme", "a@acme.example"], ["Old Acme", "old@acme.example"],
        ["Globex", "g@globex.example"]], hidden=(3,)),
        expect={0: [warning("1 hidden row (row 3) will be imported")]}, documents=3, valid=3),
    # Formula guards: our own export reads back unchanged; a guard in someone else's file is kept and said.
    Case("our-own-csv-export", "contacts", _our_export, documents=2, valid=2),
    Case("foreign-formula-guard", "contacts", _text("guarded.csv", [CONTACT, "Acme,a@acme.example,'+1 555 0100",
                                                                    "Globex,g@globex.example,+1 555 0101"]),
         expect={2: [warning("the apostrophe is kept", "Phone")]}, documents=2, valid=2),
]
