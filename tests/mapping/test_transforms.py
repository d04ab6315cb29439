"""Every transform: trim, case, dates, numbers, booleans, value maps, split, default, types."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from app.entities import Field, entity
from app.mapping.schema import (
    BooleanWords,
    Case,
    DateFormat,
    Default,
    FieldMapping,
    LookupRule,
    NumberFormat,
    Split,
    Trim,
    ValueMap,
)
from app.mapping.transforms import CellError, convert_column, converter
from app.sheets import ExcelError

TEXT = Field("notes", "Notes")
DATE = Field("date", "Order Date", "date")
NUMBER = Field("line_items.rate", "Rate", "number", "line")
INTEGER = Field("payment_terms", "Payment Terms", "integer")
BOOLEAN = Field("is_inclusive_tax", "Is Inclusive Tax", "boolean")
DISCOUNT = Field("line_items.discount", "Discount", "discount", "line")


def run(f: Field, value: Any, *rules: Any, **extra: Any) -> Any:
    return converter(FieldMapping(field=f.path, columns=["A"], transforms=list(rules), **extra), f)(value)


def bad(f: Field, value: Any, *rules: Any) -> str:
    with pytest.raises(CellError) as err:
        run(f, value, *rules)
    return str(err.value)


def test_trim_collapses_spaces_and_case_changes_letters() -> None:
    assert run(TEXT, "  Bowman   and Co ", Trim()) == "Bowman and Co"
    assert run(TEXT, "acme ltd", Case(to="upper")) == "ACME LTD"
    assert run(TEXT, "ACME LTD", Case(to="lower")) == "acme ltd"
    assert run(TEXT, "acme ltd", Case(to="title")) == "Acme Ltd"


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("25/01/2026", "day-first", "2026-01-25"),
    ("01/25/2026", "month-first", "2026-01-25"),
    ("03.02.2026", "day-first", "2026-02-03"),
    ("03-02-26", "month-first", "2026-03-02"),
    ("2026-01-25", "day-first", "2026-01-25"),
    ("2026/1/5", "month-first", "2026-01-05"),
    ("25 Jan 2026", "day-first", "2026-01-25"),
    ("January 25, 2026", "month-first", "2026-01-25"),
    ("2026-01-25 10:30:00", "year-first", "2026-01-25"),
])
def test_dates_in_either_order_become_iso(text: str, order: str, expected: str) -> None:
    assert run(DATE, text, DateFormat(order=order)) == expected  # type: ignore[arg-type]


def test_dates_from_cells_serials_and_explicit_formats() -> None:
    assert run(DATE, date(2026, 1, 25)) == "2026-01-25"
    assert run(DATE, datetime(2026, 1, 25, 13, 5)) == "2026-01-25"
    assert run(DATE, 46047) == "2026-01-25"  # Excel serial, 1900 system
    assert run(DATE, "46047") == "2026-01-25"
    fm = FieldMapping(field="date", columns=["A"])
    assert converter(fm, DATE, date1904=True)(44585) == "2026-01-25"  # 1904 system
    assert run(DATE, "20260125", DateFormat(formats=["%Y%m%d"])) == "2026-01-25"


def test_impossible_or_ambiguous_dates_are_errors() -> None:
    assert bad(DATE, "31/02/2026", DateFormat(order="day-first")) == "not a date"
    assert bad(DATE, "soon") == "not a date"
    assert "order" in bad(DATE, "05/06/2026")  # no order given and both readings possible
    assert run(DATE, "25/06/2026") == "2026-06-25"  # ...but an unambiguous one is read
    assert bad(DATE, True) == "not a date"


@pytest.mark.parametrize(("text", "rule", "expected"), [
    ("1,234.50", NumberFormat(), 1234.5),
    ("1.234,50", NumberFormat(decimal=","), 1234.5),
    ("1 234,5", NumberFormat(decimal=","), 1234.5),
    ("$1,234.50", NumberFormat(), 1234.5),
    ("€ 12,30", NumberFormat(decimal=","), 12.3),
    ("£99", NumberFormat(), 99.0),
    ("USD 10", NumberFormat(), 10.0),
    ("(12.50)", NumberFormat(), -12.5),
    ("12.50-", NumberFormat(), -12.5),
    ("1'000.25", NumberFormat(), 1000.25),
    (7, NumberFormat(), 7.0),
])
def test_numbers_with_separators_and_symbols(text: Any, rule: NumberFormat, expected: float) -> None:
    assert run(NUMBER, text, rule) == expected


def test_bad_numbers_and_whole_numbers() -> None:
    assert bad(NUMBER, "12 apples") == "not a number"
    assert bad(NUMBER, "nan") == "not a number"
    assert run(INTEGER, "30") == 30 and isinstance(run(INTEGER, 30.0), int)
    assert bad(INTEGER, "30.5") == "not a whole number"


def test_percentages_and_discounts() -> None:
    assert run(DISCOUNT, "12.5%") == "12.5%"
    assert run(DISCOUNT, "12,5 %", NumberFormat(decimal=",")) == "12.5%"
    assert run(DISCOUNT, 10, NumberFormat(percent=True)) == "10%"
    assert run(DISCOUNT, "190") == "190"
    assert run(DISCOUNT, "$19.90") == "19.9"
    assert run(NUMBER, "20%") == 20.0
    assert "discount" in bad(DISCOUNT, "lots")
    assert bad(DISCOUNT, "-5") == "a negative discount"


@pytest.mark.parametrize(("value", "expected"), [
    ("yes", True), ("No", False), ("TRUE", True), ("false", False), (1, True), (0, False), ("1", True),
    ("0", False), ("x", True), ("X", True), (True, True), (False, False),
])
def test_booleans(value: Any, expected: bool) -> None:
    assert run(BOOLEAN, value) is expected


def test_boolean_words_can_be_chosen_and_others_are_errors() -> None:
    assert run(BOOLEAN, "ja", BooleanWords(true=["ja"], false=["nein"])) is True
    assert run(BOOLEAN, "Nein", BooleanWords(true=["ja"], false=["nein"])) is False
    assert bad(BOOLEAN, "maybe") == "not yes or no"


def test_value_maps_loose_and_strict() -> None:
    pay = Field("payment_mode", "Payment Mode")
    assert run(pay, "Cash", ValueMap(values={"Cash": "cash", "Bank Transfer": "banktransfer"})) == "cash"
    assert run(pay, " bank transfer ", ValueMap(values={"Bank Transfer": "banktransfer"})) == "banktransfer"
    assert run(pay, "Cheque", ValueMap(values={"Cash": "cash"})) == "Cheque"
    assert run(pay, "CASH", ValueMap(values={"Cash": "cash"}, ignore_case=False)) == "CASH"
    assert "mapped values" in bad(pay, "Cheque", ValueMap(values={"Cash": "cash"}, strict=True))


def test_allowed_values_are_matched_loosely() -> None:
    f = entity("salesorders").field("discount_type")
    assert f is not None
    assert run(f, "Entity Level") == "entity_level"
    assert run(f, "item-level") == "item_level"
    kind = entity("salesorders").field("line_items.product_type")
    assert kind is not None and run(kind, "Goods") == "goods" and run(kind, "Services") == "service"
    assert run(f, "whole order") == "whole order"  # left for validation to reject with the choices


def test_split_default_and_constant() -> None:
    assert run(TEXT, "Smith, John", Split(separator=",", index=1)) == "John"
    assert run(TEXT, "Smith, John", Split(separator=",", index=-2)) == "Smith"
    assert run(TEXT, "Smith", Split(separator=",", index=3)) is None
    assert run(TEXT, None, Default(value="n/a")) == "n/a"
    assert run(TEXT, "  ", Trim(), Default(value="n/a")) == "n/a"
    assert run(TEXT, "kept", Default(value="n/a")) == "kept"
    assert run(DATE, None) is None


def test_text_fields_show_numbers_and_dates_as_written() -> None:
    assert run(TEXT, 1200.0) == "1200"
    assert run(TEXT, 12.5) == "12.5"
    assert run(TEXT, date(2026, 1, 2)) == "2026-01-02"
    assert run(TEXT, True) == "true"


def test_lookup_values_are_text_and_rates_are_numbers() -> None:
    tax = Field("line_items.tax_id", "Tax", "id", "line", lookup="tax")
    assert run(tax, " Standard Rate ", Trim(), lookup=LookupRule(kind="tax")) == "Standard Rate"
    assert run(tax, "20 %", lookup=LookupRule(kind="tax", by="rate")) == "20"
    assert run(tax, "8,25%", NumberFormat(decimal=","), lookup=LookupRule(kind="tax", by="rate")) == "8.25"


def test_spreadsheet_error_values_are_errors() -> None:
    assert "formula error" in bad(TEXT, ExcelError("#N/A"))


def test_convert_column_converts_equal_cells_once_and_reports_each_bad_cell() -> None:
    calls: list[Any] = []

    def convert(v: Any) -> Any:
        calls.append(v)
        if v == "bad":
            raise CellError("not good")
        return v

    values, errors = convert_column(["a", "a", "bad", "a", "bad", 1, 1.0], convert)
    assert values == ["a", "a", None, "a", None, 1, 1]
    assert errors == {2: "not good", 4: "not good"}
    assert calls.count("a") == 1 and calls.count("bad") == 1


def test_convert_column_keeps_booleans_apart_from_ones() -> None:
    f = Field("notes", "Notes")
    convert = converter(FieldMapping(field="notes", columns=["A"]), f)
    values, errors = convert_column([True, 1, "x", 1.5, False, 0], convert)
    assert values == ["true", "1", "x", "1.5", "false", "0"] and errors == {}
