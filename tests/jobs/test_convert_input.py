"""Reading what to convert (no network): columns, headerless lists, IDs from Excel, targets, and plain reasons."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from app.jobs.converting.input_file import check_rows, mark_duplicates, parse_targets, read_input
from app.jobs.converting.reasons import REASONS, plain_reason
from app.jobs.errors import JobError
from tests.jobs.test_convert_env import write_rows

SEED_000 = Path(__file__).resolve().parents[2] / "docs" / "zoho" / "000_09af45d5c6022125.txt"
SEED_CODES = ("MANDATORY_NOT_FOUND", "AMBIGUITY_DURING_PROCESSING", "EXPECTED_FIELD_MISSING", "INVALID_DATA",
              "ID_ALREADY_CONVERTED", "NOT_APPROVED", "NOT_REVIEWED", "INVALID_REQUEST_METHOD", "DUPLICATE_DATA",
              "OAUTH_SCOPE_MISMATCH", "AUTHENTICATION_FAILURE", "NO_PERMISSION", "INVALID_URL_PATTERN",
              "INTERNAL_ERROR")


def test_every_error_code_of_seed_000_has_plain_words() -> None:
    listed = set(re.findall(r"\b([A-Z_]{6,})HTTP \d{3}", SEED_000.read_text(encoding="utf-8")))
    assert listed == set(SEED_CODES)  # the seed's own list
    for code in SEED_CODES:
        assert code in REASONS
        words = plain_reason(code, "raw zoho text", "Quotes", ("Sales_Orders",))
        assert "raw zoho text" not in words and "{" not in words and code not in words
    assert "sales order" in plain_reason("NOT_APPROVED", "", "Sales_Orders", ("Invoices",))
    assert "an invoice" in plain_reason("ID_ALREADY_CONVERTED", "", "Sales_Orders", ("Invoices",))
    assert plain_reason("SOMETHING_NEW", "odd thing", "Quotes", ("Invoices",)) == \
        "Zoho refused the conversion: odd thing"
    assert plain_reason(None, "could not connect to Zoho at www.zohoapis.eu", "Quotes", ("Invoices",)) == \
        "Could not connect to Zoho at www.zohoapis.eu; run the same file again to convert it."


@pytest.mark.parametrize(("text", "source", "expected"), [
    ("Sales_Orders,Invoices", "Quotes", ("Sales_Orders", "Invoices")),
    ("invoice and sales order", "Quotes", ("Sales_Orders", "Invoices")),
    ("Invoices", "Sales_Orders", ("Invoices",)),
    ("SO; INV", None, ("Sales_Orders", "Invoices")),
])
def test_targets_in_the_users_words(text: str, source: str | None, expected: tuple[str, ...]) -> None:
    assert parse_targets(text, source) == expected


@pytest.mark.parametrize(("text", "source", "words"), [
    ("Sales_Orders", "Sales_Orders", "converts only to an invoice"),
    ("Quotes", "Quotes", "not something to convert to"),
    ("", "Quotes", "no module"),
])
def test_impossible_targets(text: str, source: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_targets(text, source)


def test_headerless_list_keeps_its_first_line(tmp_path: Path) -> None:
    file = tmp_path / "ids.txt"
    file.write_text("460000000100001\n460000000100002\nQT-00003\n", encoding="utf-8")
    data = read_input(file)
    assert [r[0] for r in data.rows] == ["460000000100001", "460000000100002", "QT-00003"]
    assert data.row_numbers == [1, 2, 3]
    rows = check_rows(data, "Quotes", ("Invoices",), False)
    assert [(r.record_id, r.number) for r in rows] == [
        ("460000000100001", None), ("460000000100002", None), (None, "QT-00003")]


def test_record_column_found_by_header_or_content(tmp_path: Path) -> None:
    by_header = write_rows(tmp_path / "a.csv", ["Customer", "Quote Number", "Record Id"],
                           [["Acme", "QT-00001", "460000000100001"]])
    assert read_input(by_header).record_column == 2  # an ID needs no lookup: preferred
    by_content = write_rows(tmp_path / "b.csv", ["Customer", "Whatever"], [["Acme", "QT-00001"], ["Zylker", "QT-2"]])
    assert read_input(by_content).record_column == 1
    assert read_input(by_content, column="B").record_column == 1
    nothing = write_rows(tmp_path / "c.csv", ["Customer", "City"], [["Acme", "Paris"]])
    with pytest.raises(JobError, match="Record Id"):
        read_input(nothing)
    with pytest.raises(JobError, match="no column"):
        read_input(by_header, column="Deal")


def test_ids_typed_into_excel_as_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Quote Id"])
    sheet.append([460000000100001])  # 15 digits: Excel keeps them all
    sheet.append([4600000001000010012])  # 19 digits: Excel would have rounded it
    sheet.append(["4.60000000100001E+18"])  # what a CSV saved by Excel shows
    file = tmp_path / "ids.xlsx"
    book.save(file)
    rows = check_rows(read_input(file), "Quotes", ("Invoices",), False)
    assert rows[0].record_id == "460000000100001" and rows[0].valid
    assert not rows[1].valid and "15 digits" in str(rows[1].problem)
    assert not rows[2].valid and "Excel" in str(rows[2].problem)


def test_duplicates_by_id_and_by_number_are_invalid_after_the_first(tmp_path: Path) -> None:
    file = write_rows(tmp_path / "d.csv", ["Record Id"], [["460000000100001"], ["zcrm_460000000100001"],
                                                          ["460000000100002"]])
    data = read_input(file)
    rows = check_rows(data, "Quotes", ("Invoices",), False)
    mark_duplicates(rows, data.record_column)
    assert [r.valid for r in rows] == [True, False, True]
    assert "row 2" in str(rows[1].problem)


def test_carry_over_tags_per_row(tmp_path: Path) -> None:
    file = write_rows(tmp_path / "t.csv", ["Quote Number", "Carry Over Tags"],
                      [["QT-00001", "yes"], ["QT-00002", ""], ["QT-00003", "maybe"]])
    rows = check_rows(read_input(file), "Quotes", ("Invoices",), False)
    assert [r.carry_over_tags for r in rows[:2]] == [True, False]
    assert "yes or no" in str(rows[2].problem)


def test_empty_paste_is_refused() -> None:
    with pytest.raises(JobError, match="no record IDs"):
        read_input(text=" \n , ")
