"""Property tests: a number or date the tool accepts, written back in its column's convention, is the text it read.

"Written back" normalises only what the convention allows: leading zeros of the whole part, trailing zeros of
the decimals, zero-padding of day and month. Grouping is written back with the separator the text used, so a
separator dropped from a wrong place ("12,50" read as 1250) would show as "1,250" and fail.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from app.entities import Field
from app.mapping.dates import date_reader, excel_serial, written_date
from app.mapping.errors import CellError
from app.mapping.numbers import written
from app.mapping.schema import DateFormat, FieldMapping, NumberFormat
from app.mapping.transforms import converter

RATE = Field("line_items.rate", "Rate", "number", "line")
DATE = Field("date", "Order Date", "date")
GROUPS = {".": [",", " ", "\u00a0", "'"], ",": [".", " ", "\u00a0", "'"]}


def read_number(text: str, decimal: str | None) -> float:
    """Through the converter the import uses for a rate column."""
    rules = [NumberFormat(decimal=decimal)] if decimal else []  # type: ignore[arg-type]
    return converter(FieldMapping(field=RATE.path, columns=["Rate"], transforms=rules), RATE)(text)


def read_date(text: str, order: str) -> date:
    fm = FieldMapping(field="date", columns=["Order Date"], transforms=[DateFormat(order=order)])  # type: ignore[arg-type]
    return date.fromisoformat(converter(fm, DATE)(text))


def canonical(text: str, decimal: str) -> tuple[str, str | None, bool]:
    """(text with what the convention allows normalised, its group separator, lakh grouping?)."""
    negative = text.startswith("-")
    body = text.lstrip("-")
    whole, mark, frac = body.partition(decimal)
    group = next((c for c in whole if not c.isdigit()), None)
    groups = whole.split(group) if group else [whole]
    lakh = group == "," and len(groups) > 2 and len(groups[1]) == 2
    digits = "".join(groups).lstrip("0") or "0"
    if group:
        digits = whole  # grouped: the first group has no leading zero, keep it as written
    frac = frac.rstrip("0")
    out = digits + (decimal + frac if frac else "")
    return ("-" + out if negative and out.strip("0" + decimal) else out), group, lakh


@st.composite
def written_numbers(draw: st.DrawFn) -> tuple[str, str]:
    decimal = draw(st.sampled_from([".", ","]))
    whole = draw(st.integers(0, 10**12))
    frac = draw(st.text("0123456789", max_size=3))
    style = draw(st.sampled_from(["plain", "grouped", "lakh"]))
    if style == "grouped":
        text = f"{whole:,}".replace(",", draw(st.sampled_from(GROUPS[decimal])))
    elif style == "lakh" and decimal == ".":
        text = written(float(whole), ".", ",", lakh=True)
    else:
        text = str(whole)
    if frac:
        text += decimal + frac
    if draw(st.booleans()):
        text = "-" + text
    return text, decimal


@given(written_numbers())
@example(("12,50", "."))  # the bug of issue 12: read as 1250
@example(("1,234.50", ","))
@example(("1'234.50", "."))
@example(("1,23,456.50", "."))
def test_a_well_written_number_reads_back_as_written(case: tuple[str, str]) -> None:
    text, decimal = case
    try:
        value = read_number(text, decimal)
    except CellError:
        assert text in ("12,50", "1,234.50")  # the two examples written in the other convention
        return
    expected, group, lakh = canonical(text, decimal)
    assert written(value, decimal, group, lakh) == expected  # type: ignore[arg-type]


@settings(max_examples=400)
@given(st.text("0123456789,. '-", min_size=1, max_size=14), st.sampled_from([".", ",", None]))
@example("12,50", ".")
@example("1,5", ".")
@example("12.5", ",")
@example("1,234", None)
def test_whatever_text_is_accepted_reads_back_as_written(text: str, decimal: str | None) -> None:
    assume(re.fullmatch(r"-?[0-9,.']+(?: [0-9,.']+)*", text) is not None)
    try:
        value = read_number(text, decimal)
    except CellError:
        return
    marks = [decimal] if decimal else [".", ","]
    backs = []
    for mark in marks:
        expected, group, lakh = canonical(text, mark)
        backs.append(written(value, mark, group, lakh))  # type: ignore[arg-type]
        if backs[-1] == expected:
            return
    pytest.fail(f"{text!r} was read as {value}, which writes back as {backs}")


@st.composite
def written_dates(draw: st.DrawFn) -> tuple[str, str, date]:
    order = draw(st.sampled_from(["day-first", "month-first", "year-first"]))
    two_digit = order != "year-first" and draw(st.booleans())
    low, high = (date(1930, 1, 1), date(2029, 12, 31)) if two_digit else (date(1900, 1, 1), date(9999, 12, 31))
    d = draw(st.dates(low, high))
    sep = draw(st.sampled_from(["/", ".", "-"]))
    text = written_date(d, order, sep, two_digit)  # type: ignore[arg-type]
    if draw(st.booleans()):  # unpadded day and month, as many systems write them: 3/4/2026
        parts = text.split(sep)
        days = (1, 2) if order == "year-first" else (0, 1)
        text = sep.join(p.lstrip("0") if i in days else p for i, p in enumerate(parts))
    return text, order, d


@given(written_dates())
def test_a_written_date_reads_back_as_written(case: tuple[str, str, date]) -> None:
    text, order, d = case
    read = read_date(text, order)
    sep = re.search(r"[/.\-]", text).group(0)  # type: ignore[union-attr]
    two_digit = order != "year-first" and len(re.split(r"[/.\-]", text)[2]) == 2
    padded = re.sub(r"(?<![0-9])([0-9])(?![0-9])", r"0\1", text)
    assert read == d
    assert written_date(read, order, sep, two_digit) == padded  # type: ignore[arg-type]


@pytest.mark.slow
@settings(max_examples=400)
@given(st.from_regex(r"\A[0-9]{1,4}[/.\-][0-9]{1,2}[/.\-][0-9]{1,4}\Z"),
       st.sampled_from(["day-first", "month-first", "year-first"]))
@example("03/04/2026", "day-first")
@example("25/01/2026", "month-first")
def test_whatever_date_text_is_accepted_reads_back_as_written(text: str, order: str) -> None:
    seps = re.findall(r"[/.\-]", text)
    try:
        read = date_reader(order)(text)  # type: ignore[arg-type]
    except CellError:
        return
    first, _, last = re.split(r"[/.\-]", text)
    back_order = "year-first" if len(first) == 4 else order
    if back_order == "year-first" and len(first) != 4:
        # year-first reads dd/mm only when one order is possible: it is one of the two
        padded = re.sub(r"(?<![0-9])([0-9])(?![0-9])", r"0\1", text)
        assert padded in (written_date(read, "day-first", seps[0], len(last) == 2),
                          written_date(read, "month-first", seps[0], len(last) == 2))
        return
    assert seps[0] == seps[1]
    padded = re.sub(r"(?<![0-9])([0-9])(?![0-9])", r"0\1", text)
    two_digit = back_order != "year-first" and len(last) == 2
    assert written_date(read, back_order, seps[0], two_digit) == padded  # type: ignore[arg-type]


def excel_count(d: date) -> int:
    """Excel's serial of a date in its 1900 system, counted the way Excel counts (with 29 February 1900)."""
    return (d - date(1899, 12, 31)).days + (1 if d >= date(1900, 3, 1) else 0)


@given(st.integers(1, 2958465))
@example(1)
@example(59)
@example(61)
def test_excel_serials_read_back_as_excel_counts(serial: int) -> None:
    if serial == 60:
        with pytest.raises(CellError, match="29 February 1900"):
            excel_serial(serial)
        return
    assert excel_count(excel_serial(serial)) == serial


@given(st.dates(date(1904, 1, 1), date(9999, 12, 31)))
def test_1904_serials_count_from_new_year_1904(d: date) -> None:
    serial = (d - date(1904, 1, 1)).days
    assert excel_serial(serial, date1904=True) == d
    assert excel_serial(serial + 0.75, date1904=True) == d  # a time of day does not move the date
    assert d - timedelta(days=serial) == date(1904, 1, 1)
