"""Precompiled cell converters: each mapped field's transforms plus its type, applied a column at a time."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from app.entities.catalogue import Field
from app.mapping.schema import (
    BooleanWords,
    Case,
    DateFormat,
    Default,
    FieldMapping,
    NumberFormat,
    Split,
    Transform,
    Trim,
    ValueMap,
)
from app.sheets import ExcelError


class CellError(ValueError):
    """A cell that cannot become the field's value; str(e) says why in the user's words."""


class Percent(float):
    """A number that was written as a percentage."""


def shown(value: object) -> str:
    """The value as the user sees it in a message."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time() else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---- dates ---------------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_EPOCH_1904 = date(1904, 1, 1)
_DATE_PARTS = re.compile(r"^\s*(\d{1,4})[./\-\s](\d{1,2})[./\-\s](\d{1,4})(?:[ T].*)?\s*$")
_MONTH_NAME_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %y", "%b %d %Y", "%B %d %Y", "%d. %B %Y")


def excel_serial(number: float, date1904: bool = False) -> date:
    """The date of an Excel serial number (1900 system, or 1904 for old Mac workbooks)."""
    if not 1 <= number < 2958466:
        raise CellError("not a date")
    return (EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH) + timedelta(days=int(number))


def date_parser(rule: DateFormat | None, date1904: bool = False) -> Callable[[Any], date]:
    order = rule.order if rule else "year-first"
    formats = tuple(rule.formats) if rule else ()

    def parse(value: Any) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, bool):
            raise CellError("not a date")
        if isinstance(value, int | float):
            return excel_serial(float(value), date1904)
        text = str(value).strip()
        for fmt in formats:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                pass
        if text.isdigit() and 3 <= len(text) <= 6:
            return excel_serial(float(text), date1904)
        m = _DATE_PARTS.match(text)
        if m:
            a, b, c = m.groups()
            if len(a) == 4:
                y, mo, d = int(a), int(b), int(c)
            elif order == "month-first":
                mo, d, y = int(a), int(b), int(c)
            elif order == "day-first":
                d, mo, y = int(a), int(b), int(c)
            else:  # year-first order, but the year is not first: take the unambiguous reading
                x, z = int(a), int(b)
                if x > 12 >= z:
                    d, mo = x, z
                elif z > 12 >= x:
                    mo, d = x, z
                else:
                    raise CellError("not a date in a known order (day-first or month-first?)")
                y = int(c)
            if len(c) <= 2 and len(a) != 4:
                y += 2000
            try:
                return date(y, mo, d)
            except ValueError:
                raise CellError("not a date") from None
        for fmt in _MONTH_NAME_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                pass
        raise CellError("not a date")

    return parse


# ---- numbers -------------------------------------------------------------------------------

_CURRENCY = re.compile(r"[$€£¥₹₩₽¢]|\b(?:USD|EUR|GBP|INR|AUD|CAD|JPY|CHF|NZD|ZAR|SGD|AED|Rs\.?|R\$|kr)\b", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f'’]")


def number_parser(rule: NumberFormat | None) -> Callable[[Any], float]:
    decimal = rule.decimal if rule else "."
    thousands = "." if decimal == "," else ","
    percent = bool(rule and rule.percent)

    def parse(value: Any) -> float:
        if isinstance(value, bool):
            raise CellError("not a number")
        if isinstance(value, int | float):
            return Percent(value) if percent else float(value)
        text = _SPACES.sub("", _CURRENCY.sub("", str(value)))
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1]
        if text.endswith("-"):
            negative, text = True, text[:-1]
        is_percent = percent or text.endswith("%")
        text = text.rstrip("%").replace(thousands, "")
        if decimal == ",":
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise CellError("not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise CellError("not a number")
        if negative:
            number = -number
        return Percent(number) if is_percent else number

    return parse


# ---- booleans ------------------------------------------------------------------------------


def boolean_parser(rule: BooleanWords | None) -> Callable[[Any], bool]:
    words = rule or BooleanWords()
    true = {w.strip().casefold() for w in words.true}
    false = {w.strip().casefold() for w in words.false}

    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        key = shown(value).strip().casefold()
        if key in true:
            return True
        if key in false:
            return False
        raise CellError("not yes or no")

    return parse


# ---- text rules ----------------------------------------------------------------------------


def _text_rule(rule: Transform) -> Callable[[Any], Any]:
    if isinstance(rule, Trim):
        return lambda v: " ".join(v.split()) if isinstance(v, str) else v
    if isinstance(rule, Case):
        method = {"upper": str.upper, "lower": str.lower, "title": str.title}[rule.to]
        return lambda v: method(v) if isinstance(v, str) else v
    if isinstance(rule, Split):
        sep, index = rule.separator, rule.index

        def split(v: Any) -> Any:
            if not isinstance(v, str):
                return v
            parts = v.split(sep)
            try:
                return parts[index].strip()
            except IndexError:
                return None

        return split
    if isinstance(rule, ValueMap):
        fold = rule.ignore_case
        table = {(k.strip().casefold() if fold else k.strip()): v for k, v in rule.values.items()}
        strict = rule.strict

        def remap(v: Any) -> Any:
            key = shown(v).strip()
            key = key.casefold() if fold else key
            if key in table:
                return table[key]
            if strict:
                raise CellError(f"not one of the mapped values ({', '.join(rule.values)})")
            return v

        return remap
    raise TypeError(rule)  # pragma: no cover - every rule kind is handled above


# ---- final types ---------------------------------------------------------------------------


def _norm_choice(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


def to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _finisher(f: Field, date_rule: DateFormat | None, number_rule: NumberFormat | None,
              bool_rule: BooleanWords | None, date1904: bool) -> Callable[[Any], Any]:
    kind = f.type
    if f.allowed and kind == "string":
        choices = {_norm_choice(a): a for a in f.allowed}

        def choose(v: Any) -> str:
            key = _norm_choice(to_text(v))
            found = choices.get(key) or (choices.get(key[:-1]) if key.endswith("s") else None)
            return found if found is not None else to_text(v)

        return choose
    if kind == "date":
        parse_date = date_parser(date_rule, date1904)
        return lambda v: parse_date(v).isoformat()
    if kind == "number":
        return number_parser(number_rule)
    if kind == "integer":
        parse_number = number_parser(number_rule)

        def whole(v: Any) -> int:
            n = parse_number(v)
            if not float(n).is_integer():
                raise CellError("not a whole number")
            return int(n)

        return whole
    if kind == "boolean":
        return boolean_parser(bool_rule)
    if kind == "discount":
        parse_number = number_parser(number_rule)

        def discount(v: Any) -> str:
            try:
                n = parse_number(v)
            except CellError:
                raise CellError('not a discount like "12.5%" or "190"') from None
            if n < 0:
                raise CellError("a negative discount")
            text = to_text(float(n))
            return f"{text}%" if isinstance(n, Percent) else text

        return discount
    if kind == "email":
        return lambda v: to_text(v).strip()
    return to_text


def converter(fm: FieldMapping, f: Field, date1904: bool = False) -> Callable[[Any], Any]:
    """One function turning a raw cell into the field's JSON value; None for empty; CellError if bad."""
    date_rule = next((t for t in fm.transforms if isinstance(t, DateFormat)), None)
    number_rule = next((t for t in fm.transforms if isinstance(t, NumberFormat)), None)
    bool_rule = next((t for t in fm.transforms if isinstance(t, BooleanWords)), None)
    default = next((t.value for t in fm.transforms if isinstance(t, Default)), None)
    steps = [
        _text_rule(t)
        for t in fm.transforms
        if not isinstance(t, DateFormat | NumberFormat | BooleanWords | Default)
    ]
    finish = _finisher(f, date_rule, number_rule, bool_rule, date1904)
    if fm.lookup is not None:
        plain = number_parser(number_rule)
        if fm.lookup.by == "rate":

            def finish(v: Any) -> str:
                return to_text(float(plain(v)))

        else:
            finish = to_text

    def convert(value: Any) -> Any:
        if value.__class__ is ExcelError:
            raise CellError("a formula error in the spreadsheet, not a value")
        for step in steps:
            if is_empty(value):
                break
            value = step(value)
        if is_empty(value):
            if default is None:
                return None
            value = default
        return finish(value)

    return convert


def convert_column(values: Sequence[Any], convert: Callable[[Any], Any]) -> tuple[list[Any], dict[int, str]]:
    """Convert a whole column; equal cells are converted once. Returns (values, {row index: reason})."""
    distinct = dict.fromkeys(values)
    if any(v.__class__ is bool for v in distinct):
        return _convert_each(values, convert)  # True == 1 as dict keys: convert cell by cell
    bad: dict[Any, str] = {}
    for v in distinct:
        try:
            distinct[v] = convert(v)
        except CellError as exc:
            bad[v] = str(exc)
    out = [distinct[v] for v in values]
    errors = {i: bad[v] for i, v in enumerate(values) if v in bad} if bad else {}
    return out, errors


def _convert_each(values: Sequence[Any], convert: Callable[[Any], Any]) -> tuple[list[Any], dict[int, str]]:
    out: list[Any] = []
    errors: dict[int, str] = {}
    for i, v in enumerate(values):
        try:
            out.append(convert(v))
        except CellError as exc:
            errors[i] = str(exc)
            out.append(None)
    return out, errors
