"""Precompiled cell converters: each mapped field's transforms plus its type, applied a column at a time."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any

from app.entities.catalogue import Field
from app.mapping.dates import date_reader, evidence
from app.mapping.errors import CellError
from app.mapping.numbers import DecimalMark, convention, number_reader
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


# ---- dates and numbers ------------------------------------------------------------------------


def date_parser(rule: DateFormat | None, date1904: bool = False) -> Callable[[Any], date]:
    """Dates under the rule's order (no rule: only texts that read one way); see app.mapping.dates."""
    return date_reader(rule.order if rule else None, rule.formats if rule else (), date1904)


def number_parser(rule: NumberFormat | None) -> Callable[[Any], float]:
    """Numbers under the rule's decimal mark (none: only texts that read one way); see app.mapping.numbers."""
    read = number_reader(rule.decimal if rule else None)
    percent = bool(rule and rule.percent)

    def parse(value: Any) -> float:
        if isinstance(value, bool):
            raise CellError("not a number")
        if isinstance(value, int | float):
            if value != value or value in (float("inf"), float("-inf")):
                raise CellError("not a number")
            return Percent(value) if percent else float(value)
        number, is_percent = read(str(value))
        return Percent(number) if percent or is_percent else number

    return parse


def effective_rules(fm: FieldMapping, date_order: str | None = None,
                    decimal: str | None = None) -> tuple[DateFormat | None, NumberFormat | None]:
    """The field's date and number rules, with the mapping-wide order and decimal mark filling what it leaves open.

    A date rule that is only assumed (auto-mapping saw no value deciding the order) or year-first (ISO dates read
    the same in every order) and a number rule without a decimal mark are open; so is a missing rule.
    """
    date_rule = next((t for t in fm.transforms if isinstance(t, DateFormat)), None)
    number_rule = next((t for t in fm.transforms if isinstance(t, NumberFormat)), None)
    if date_order and (date_rule is None or date_rule.assumed or date_rule.order == "year-first"):
        date_rule = DateFormat(order=date_order, formats=list(date_rule.formats) if date_rule else [])  # type: ignore[arg-type]  # pydantic checks it against its literals
    if decimal and (number_rule is None or number_rule.decimal is None):
        number_rule = NumberFormat(decimal=decimal, percent=bool(number_rule and number_rule.percent))  # type: ignore[arg-type]  # pydantic checks it against its literals
    return date_rule, number_rule


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


def converter(fm: FieldMapping, f: Field, date1904: bool = False, *, date_order: str | None = None,
              decimal: str | None = None) -> Callable[[Any], Any]:
    """One function turning a raw cell into the field's JSON value; None for empty; CellError if bad.

    `date_order` and `decimal` are the mapping-wide choices (top-level keys, --date-order, --decimal); they fill
    what the field's own rules leave open.
    """
    date_rule, number_rule = effective_rules(fm, date_order, decimal)
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
            raise CellError(value.reason)  # a formula error, or a formula without a saved value
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


def column_converter(fm: FieldMapping, f: Field, values: Sequence[Any], date1904: bool = False, *,
                     date_order: str | None = None, decimal: DecimalMark | None = None) -> tuple[Callable[[Any], Any], list[str]]:
    """The converter for one column, with what its values decide, and the column's warnings.

    A number column whose decimal mark nothing fixed takes the one its values agree on; a date column whose
    order nothing fixed takes the one its values show. The warnings name an assumed date order, two-digit
    years, and values mixing conventions.
    """
    notes: list[str] = []
    used: DecimalMark | None
    own_date = next((t for t in fm.transforms if isinstance(t, DateFormat)), None)
    own_number = next((t for t in fm.transforms if isinstance(t, NumberFormat)), None)
    if f.type in ("number", "integer", "discount") or (fm.lookup is not None and fm.lookup.by == "rate"):
        found = convention(dict.fromkeys(values))
        if own_number is not None and own_number.decimal is not None:
            used = own_number.decimal
        else:
            used = decimal = decimal or found.decimal  # the option, else what the values agree on
        if found.mixed and used is not None:
            notes.append(found.note(used))
    elif f.type == "date" and fm.lookup is None:
        seen = evidence(dict.fromkeys(values))
        order: str | None = None
        assumed = False
        if own_date is not None and not own_date.assumed and own_date.order != "year-first":
            order = own_date.order
        elif date_order or seen.order:
            order = date_order = date_order or seen.order  # the option, else what the values show
        elif own_date is not None:
            order, assumed = own_date.order, own_date.assumed
        notes.extend(seen.notes(order or "year-first", assumed))
    return converter(fm, f, date1904, date_order=date_order, decimal=decimal), notes


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
