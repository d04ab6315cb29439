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
from app.mapping.transforms import CellError, column_converter, convert_column, converter
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


# ---- issue 12: a thousands separator only where it belongs; the column's decimal mark ---------------------


@pytest.mark.parametrize(("text", "decimal", "says"), [
    ("12,50", ".", "12.50 or 1250? this column uses a decimal point"),
    ("1,5", ".", "1.5 or 15? this column uses a decimal point"),
    ("12.5", ",", "12.5 or 125? this column uses a decimal comma"),
    ("1,234.50", ",", "1234.50 or 1.23450? this column uses a decimal comma"),
    ("(12,50)", ".", "-12.50 or -1250? this column uses a decimal point"),
])
def test_a_value_that_reads_differently_under_the_columns_mark_shows_both_readings(
        text: str, decimal: str, says: str) -> None:
    assert bad(NUMBER, text, NumberFormat(decimal=decimal)) == says  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "decimal", "expected"), [
    ("1,234", ".", 1234.0),  # valid grouping in a decimal-point column
    ("1.234", ",", 1234.0),
    ("1,234,567.89", ".", 1234567.89),
    ("1.234.567,89", ",", 1234567.89),
    ("CHF 1'234.50", ".", 1234.5),  # Swiss apostrophe
    ("1\u00a0234,50 €", ",", 1234.5),  # French no-break space
    ("1\u202f234,50", ",", 1234.5),  # narrow no-break space
    ("Rs. 1,23,456.00", ".", 123456.0),  # Indian lakh grouping
    ("R$ 1.234,56", ",", 1234.56),
    ("1.234,50-", ",", -1234.5),  # trailing minus
    ("(1.234,50)", ",", -1234.5),
    ("\u22121.5", ".", -1.5),  # a real minus sign
])
def test_grouped_numbers_in_their_own_convention(text: str, decimal: str, expected: float) -> None:
    assert run(NUMBER, text, NumberFormat(decimal=decimal)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["1,23,4", "12,34,5", "1 23", "1,234 567", "1.234,567.8", "--5", "0,123,456"])
def test_separators_in_the_wrong_places_are_not_numbers(text: str) -> None:
    assert bad(NUMBER, text, NumberFormat(decimal=".")) == "not a number"


def test_with_no_decimal_mark_decided_a_two_way_value_is_refused_with_the_option() -> None:
    says = bad(NUMBER, "1,234")
    assert says.startswith("1234 or 1.234?") and "--decimal ." in says and "--decimal ," in says
    assert run(NUMBER, "12,50") == 12.5  # one reading only
    assert run(NUMBER, "1 234") == 1234.0  # the same under both
    fm = FieldMapping(field=NUMBER.path, columns=["A"])
    assert converter(fm, NUMBER, decimal=",")("1,234") == 1.234  # the mapping-wide choice fills the gap
    fixed = FieldMapping(field=NUMBER.path, columns=["A"], transforms=[NumberFormat(decimal=".")])
    assert converter(fixed, NUMBER, decimal=",")("1,234") == 1234.0  # ...but not over the field's own rule


def test_a_column_takes_the_mark_its_values_agree_on_and_says_when_they_mix() -> None:
    fm = FieldMapping(field=NUMBER.path, columns=["A"])
    convert, notes = column_converter(fm, NUMBER, ["1,234", "99.95", "7"])
    assert convert("1,234") == 1234.0 and notes == []
    convert, notes = column_converter(fm, NUMBER, ["1.234", "12,50", "7"])
    assert convert("1.234") == 1234.0 and notes == []
    convert, notes = column_converter(fm, NUMBER, ["1,234.50", "99.95", "12,50"])
    assert "12.50 or 1250?" in str(pytest.raises(CellError, convert, "12,50").value)
    assert len(notes) == 1 and "mix conventions: 2 with a decimal point" in notes[0]
    assert "pass --decimal ," in notes[0]
    convert, notes = column_converter(fm, NUMBER, ["1,234.50", "99.95", "12,50"], decimal=",")
    assert convert("12,50") == 12.5 and "read with a decimal comma" in notes[0]


# ---- issue 12: dates ------------------------------------------------------------------------------------


def test_excel_serials_and_the_1900_leap_year_bug() -> None:
    assert run(DATE, 1) == "1900-01-01"  # Excel shows serial 1 as 1 January 1900
    assert run(DATE, 59) == "1900-02-28"
    assert "29 February 1900" in bad(DATE, 60) and "leap-year bug" in bad(DATE, 60)
    assert run(DATE, 61) == "1900-03-01"
    assert bad(DATE, 0) == "not a date"
    fm = FieldMapping(field="date", columns=["A"])
    assert converter(fm, DATE, date1904=True)(0) == "1904-01-01"
    assert converter(fm, DATE, date1904=True)(60) == "1904-03-01"  # no leap-year bug in the 1904 system


def test_two_digit_years_follow_excel() -> None:
    assert run(DATE, "03/04/29", DateFormat(order="day-first")) == "2029-04-03"
    assert run(DATE, "03/04/30", DateFormat(order="day-first")) == "1930-04-03"
    assert run(DATE, "03-Apr-26") == "2026-04-03"
    assert run(DATE, "03-Apr-45") == "1945-04-03"  # Python alone would say 2045
    assert bad(DATE, "03/04/026", DateFormat(order="day-first")) == "not a date"
    assert run(DATE, "25 Mar 26") == "2026-03-25"
    for text in ("25 Mar 26", "Mar 25, 26", "03-Apr-26"):  # named months with short years are warned about too
        assumed = FieldMapping(field="date", columns=["A"])
        assert any("two digits" in n for n in column_converter(assumed, DATE, [text])[1]), text


def test_a_date_that_only_reads_in_the_other_order_says_so() -> None:
    says = bad(DATE, "01/25/2026", DateFormat(order="day-first"))
    assert says == "not a date day-first, this column's order; month-first it would be 2026-01-25"
    says = bad(DATE, "05/06/2026")
    assert says.startswith("not a date in a known order: 5 June or May 6?") and "--date-order" in says


def test_a_date_column_warns_about_an_assumed_order_and_two_digit_years() -> None:
    assumed = FieldMapping(field="date", columns=["A"], transforms=[DateFormat(order="day-first", assumed=True)])
    convert, notes = column_converter(assumed, DATE, ["03/04/2026", "05/06/2026"])
    assert convert("03/04/2026") == "2026-04-03"
    assert len(notes) == 1 and "read day-first" in notes[0] and "--date-order month-first" in notes[0]
    convert, notes = column_converter(assumed, DATE, ["03/04/2026"], date_order="month-first")
    assert convert("03/04/2026") == "2026-03-04" and notes == []  # an explicit order silences it
    fixed = FieldMapping(field="date", columns=["A"], transforms=[DateFormat(order="day-first")])
    convert, notes = column_converter(fixed, DATE, ["03/04/2026"], date_order="month-first")
    assert convert("03/04/2026") == "2026-04-03" and notes == []  # the field's own order wins
    convert, notes = column_converter(assumed, DATE, ["03/04/2026", "25/12/2026"])
    assert notes == []  # a value decides: nothing was assumed
    convert, notes = column_converter(assumed, DATE, ["03/04/26", "25/12/26"])
    assert len(notes) == 1 and "two digits" in notes[0] and "1930-1999" in notes[0]
    convert, notes = column_converter(assumed, DATE, ["25/01/2026", "25/02/2026", "01/25/2026"])
    assert "mix orders: 2 can only be day-first" in notes[0]
    assert "month-first it would be" in str(pytest.raises(CellError, convert, "01/25/2026").value)


def test_an_iso_rule_is_open_to_the_mapping_wide_order() -> None:
    iso = FieldMapping(field="date", columns=["A"], transforms=[DateFormat(order="year-first")])
    assert "--date-order" in bad(DATE, "03/04/2026", DateFormat(order="year-first"))
    convert, notes = column_converter(iso, DATE, ["2026-01-05", "03/04/2026"], date_order="month-first")
    assert convert("03/04/2026") == "2026-03-04" and convert("2026-01-05") == "2026-01-05" and notes == []
