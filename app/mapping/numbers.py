"""Numbers as people write them: a decimal point or comma, thousands groups only where they belong.

How a column's decimal convention is decided (the README's paragraph):

- A value is *decisive* when it reads as a number under one convention only: ``1,234.50`` and ``12.5`` need
  a decimal point, ``1.234,50``, ``12,50``, ``1,5`` and ``0,500`` a decimal comma. A thousands separator (``,`` or ``.``, the one that is not the decimal
  separator, or a space, no-break space or apostrophe as in Swiss ``1'234.50``) is valid only between groups of
  three digits after a first group of one to three, the same separator throughout the value (Indian lakh
  grouping ``1,23,456.50`` is read with a decimal point).
- The column's convention is the one its decisive values agree on. When they disagree the column is reported
  as mixing conventions, the majority is used and every value that needs the other convention is an error
  showing both readings (``"12,50": 12.50 or 1250? this column uses a decimal point``).
- A column with no decisive value has no convention: a value that reads two ways there (``1,234``: 1234 or
  1.234?) is an error naming the option to pass; values that read one way only (``12``, ``1 234``) are fine.
- Override: ``--decimal .`` or ``--decimal ,`` on ``import``/``validate``, the top-level ``"decimal"`` key of a
  mapping file (both apply to every number field whose own ``{"op": "number", "decimal": ...}`` does not fix
  one), the field's own rule, or the question the import wizard asks for an ambiguous column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from app.mapping.errors import CellError
from app.mapping.tally import Tally

DecimalMark = Literal[".", ","]
NAMES = {".": "a decimal point", ",": "a decimal comma"}

_CURRENCY = re.compile(
    r"R\$|\b(?:Rs|Fr)\.|[$€£¥₹₩₽¢]|\b(?:USD|EUR|GBP|INR|AUD|CAD|JPY|CHF|NZD|ZAR|SGD|AED|BRL|MXN|SEK|NOK|DKK|"
    r"PLN|CZK|HUF|Rs|kr|Fr)\b",
    re.IGNORECASE,
)
_SPACE_GROUPS = " \u00a0\u202f'’"
_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {}


def _patterns(decimal: str) -> tuple[re.Pattern[str], ...]:
    """The shapes a number may take with this decimal mark: plain, grouped by threes, lakh, exponent."""
    found = _PATTERNS.get(decimal)
    if found is None:
        d = re.escape(decimal)
        groups = "[" + re.escape(("," if decimal == "." else ".") + _SPACE_GROUPS) + "]"
        found = (
            re.compile(rf"(\d*)(?:{d}(\d+))?"),
            re.compile(rf"([1-9]\d{{0,2}})({groups})(\d{{3}}(?:\2\d{{3}})*)(?:{d}(\d+))?"),
            *((re.compile(r"([1-9]\d?)(,)(\d\d(?:,\d\d)*,\d{3})(?:\.(\d+))?"),
               re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")) if decimal == "." else ()),
        )
        _PATTERNS[decimal] = found
    return found


@dataclass(frozen=True, slots=True)
class Written:
    """A cell's text taken apart: its sign, percent sign and the number's own characters."""

    core: str
    negative: bool
    percent: bool


def take_apart(text: str) -> Written | None:
    """Currency, sign, parentheses and percent removed; None when nothing number-like is left."""
    t = _CURRENCY.sub("", text).strip()
    negative = percent = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    if t.endswith("%"):
        percent, t = True, t[:-1].strip()
    if t.endswith("-") and not negative:
        negative, t = True, t[:-1].strip()
    if t[:1] in ("-", "+", "\u2212"):
        if t[0] != "+":
            if negative:
                return None
            negative = True
        t = t[1:].strip()
    if t.endswith("%") and not percent:
        percent, t = True, t[:-1].strip()
    t = _CURRENCY.sub("", t).strip()
    if not t or not any(c.isdigit() for c in t):
        return None
    return Written(t, negative, percent)


def reading(core: str, decimal: str) -> str | None:
    """The number `core` writes under this decimal mark, as plain digits with a point ("1234.50"), or None."""
    for i, pattern in enumerate(_patterns(decimal)):
        m = pattern.fullmatch(core)
        if m is None:
            continue
        if i == 0:
            whole, frac = m.group(1), m.group(2)
            if not whole and frac is None:
                return None
            return (whole or "0") + (f".{frac}" if frac is not None else "")
        if i == 3:
            return core
        first, sep, rest, frac = m.groups()
        return first + rest.replace(sep, "") + (f".{frac}" if frac is not None else "")
    return None


def forced(core: str, decimal: str) -> str | None:
    """What a careless reader makes of `core` under this mark: every other separator dropped (None: nothing)."""
    other = "," if decimal == "." else "."
    text = re.sub(f"[{re.escape(other + _SPACE_GROUPS)}]", "", core).replace(decimal, ".")
    if not re.fullmatch(r"\d*\.?\d+", text):
        return None
    whole, dot, frac = text.partition(".")
    return (whole.lstrip("0") or "0") + dot + frac


def number_reader(decimal: DecimalMark | None) -> Callable[[str], tuple[float, bool]]:
    """A function reading a cell's text as (number, written as a percentage) under `decimal` (None: undecided)."""

    def read(text: str) -> tuple[float, bool]:
        w = take_apart(text)
        if w is None:
            raise CellError("not a number")
        sign = "-" if w.negative else ""
        if decimal is None:
            point, comma = reading(w.core, "."), reading(w.core, ",")
            if point is not None and comma is not None and float(point) != float(comma):
                raise CellError(
                    f"{sign}{point} or {sign}{comma}? no value in this column shows whether it uses a decimal point or a "
                    'decimal comma: pass --decimal . or --decimal , (or answer the question in the import wizard)')
            found = point if point is not None else comma
        else:
            found = reading(w.core, decimal)
            if found is None:
                other = "," if decimal == "." else "."
                theirs = reading(w.core, other)
                if theirs is not None:
                    careless = forced(w.core, decimal)
                    if careless is not None and float(careless) != float(theirs):
                        raise CellError(f"{sign}{theirs} or {sign}{careless}? this column uses {NAMES[decimal]}")
                    raise CellError(f"{sign}{theirs} written with {NAMES[other]}, but this column uses "
                                      f"{NAMES[decimal]}")
        if found is None:
            raise CellError("not a number")
        number = float(found)
        if number != number or number in (float("inf"), float("-inf")):
            raise CellError("not a number")
        return (-number if w.negative else number), w.percent

    return read


@dataclass(frozen=True, slots=True)
class Convention:
    """What a column's values say about its decimal mark: the decisive values of each kind and one example."""

    point: int = 0
    comma: int = 0
    point_example: str = ""
    comma_example: str = ""
    two_way: str = ""  # a value that reads two ways, when there is one

    @property
    def decimal(self) -> DecimalMark | None:
        """The majority's mark (a tie: the point, so that the comma values are questioned); None: undecided."""
        if self.point and self.point >= self.comma:
            return "."
        if self.comma:
            return ","
        return None

    @property
    def mixed(self) -> bool:
        return bool(self.point and self.comma)

    def note(self, used: DecimalMark) -> str:
        """The column-level message when its values mix conventions and the column is read with `used`."""
        other = "," if used == "." else "."
        return (f'its numbers mix conventions: {self.point} with a decimal point (e.g. "{self.point_example}"), '
                f'{self.comma} with a decimal comma (e.g. "{self.comma_example}"); the column is read with '
                f"{NAMES[used]} and the others are errors (pass --decimal {other} if the column uses "
                f"{NAMES[other]})")


def convention(values: Iterable[Any]) -> Convention:
    """Count the values that read as a number under one decimal mark only."""
    marks = Tally()  # first: the decimal point, second: the decimal comma
    for v in values:
        if v.__class__ is not str:
            continue
        w = take_apart(v)
        if w is None:
            continue
        core = w.core
        if core.isdigit():
            continue
        p, c = reading(core, "."), reading(core, ",")
        marks.add(v.strip(), None if p is None else float(p), None if c is None else float(c))
    return Convention(marks.first, marks.second, marks.first_example, marks.second_example, marks.two_way)


def written(number: float, decimal: DecimalMark, group: str | None = None, lakh: bool = False) -> str:
    """`number` written back in a column's convention, grouped with `group` when given (for round trips)."""
    from decimal import Decimal

    text = format(Decimal(repr(abs(number))), "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if group:
        if lakh and len(whole) > 3:
            head, tail = whole[:-3], whole[-3:]
            pairs = [head[max(0, i - 2):i] for i in range(len(head), 0, -2)][::-1]
            whole = group.join([*pairs, tail])
        else:
            whole = f"{int(whole):,}".replace(",", group)
    out = whole + (decimal + frac if frac else "")
    return ("-" + out) if number < 0 else out
