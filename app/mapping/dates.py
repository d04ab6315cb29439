"""Dates as people and spreadsheets write them: day-first, month-first or year-first text, Excel serials.

How a column's date order is decided (the README's paragraph):

- Real date cells of a workbook and ISO dates (``2026-04-03``) need no order. A text date ``25/01/2026`` can
  only be day-first and ``01/25/2026`` only month-first: the column takes the order its values show.
- When no value tells day-first from month-first (every date reads both ways, like ``03/04/2026``), the column
  is read day-first and gets a warning naming that assumption; the mapping records it (``"assumed": true`` in
  the field's date rule). When values disagree (one ``25/01/2026``, one ``01/25/2026``) the majority order is
  used, the column is reported as mixing orders and every date that needs the other order is an error.
- Override: ``--date-order day-first|month-first|year-first`` on ``import``/``validate``, the top-level
  ``"date_order"`` key of a mapping file (both apply to every date field whose own rule is absent or only
  assumed), the field's own ``{"op": "date", "order": ...}``, or the question the import wizard asks for an
  ambiguous column. An explicit order silences the warning.
- Two-digit years follow Excel: ``00``-``29`` are 2000-2029, ``30``-``99`` are 1930-1999; a column holding one
  gets a warning saying so.
- Excel serial numbers (a date cell formatted as a number, or a CSV of them) count days in the workbook's date
  system. In the 1900 system serials 1-59 are 1900-01-01..1900-02-28, serial 60 is Excel's non-existent
  29 February 1900 (refused: type the date you mean) and 61 onwards are one day less than a plain count from
  1900-01-01 would give. In the 1904 system (old Mac workbooks) serial 0 is 1904-01-01.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from app.mapping.errors import CellError
from app.mapping.tally import Tally

Order = Literal["day-first", "month-first", "year-first"]

EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 onwards: epoch + serial
EXCEL_BEFORE_LEAP_BUG = date(1899, 12, 31)  # serials 1..59: 1900-01-01..1900-02-28
EXCEL_EPOCH_1904 = date(1904, 1, 1)
PIVOT = 29  # two-digit years 00..29 are 2000..2029, 30..99 are 1930..1999 (Excel's rule)
_PARTS = re.compile(r"(\d{1,4})([./\-\s])(\d{1,2})\2(\d{1,4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?)?")
_MONTH_NAME_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d %b, %Y", "%b %d %Y",
                       "%B %d %Y", "%d. %B %Y", "%d-%b-%y", "%d %b %y", "%b %d, %y")
_NAMED_SHORT_YEAR = re.compile(r"[A-Za-z]{3,}\.?,?[ \-]\d{2}$|[A-Za-z]{3,}\.? \d{1,2},? \d{2}$")  # 25 Mar 26
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def excel_serial(number: float, date1904: bool = False) -> date:
    """The date of an Excel serial number in the 1900 system (or 1904, old Mac workbooks)."""
    day = int(number // 1)
    if date1904:
        if not 0 <= day <= 2957003:
            raise CellError("not a date")
        return EXCEL_EPOCH_1904 + timedelta(days=day)
    if day == 60:
        raise CellError("Excel's serial date 60, the 29 February 1900 that never existed (Excel's 1900 "
                        "leap-year bug): type the date you mean")
    if 1 <= day < 60:
        return EXCEL_BEFORE_LEAP_BUG + timedelta(days=day)
    if 61 <= day < 2958466:
        return EXCEL_EPOCH + timedelta(days=day)
    raise CellError("not a date")


def full_year(written: str) -> int:
    """A year as written; two digits follow Excel's rule (00-29: 2000s, 30-99: 1900s)."""
    y = int(written)
    if len(written) == 2:
        return 2000 + y if y <= PIVOT else 1900 + y
    return y


def _day(y: int, mo: int, d: int) -> date | None:
    try:
        return date(y, mo, d)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Parts:
    """A numeric text date split into its three numbers, before an order is chosen."""

    a: str
    b: str
    c: str
    sep: str

    def as_order(self, order: str) -> date | None:
        """The date under an order (None when it is no date that way)."""
        a, b, c = self.a, self.b, self.c
        if len(a) == 4:
            return _day(int(a), int(b), int(c)) if len(c) <= 2 else None
        if len(c) not in (2, 4) or len(a) > 2:
            return None
        y = full_year(c)
        if order == "day-first":
            return _day(y, int(b), int(a))
        if order == "month-first":
            return _day(y, int(a), int(b))
        return None


def parts_of(text: str) -> Parts | None:
    m = _PARTS.fullmatch(text.strip())
    return Parts(m.group(1), m.group(3), m.group(4), m.group(2)) if m else None


def spoken(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]}"


def date_reader(order: Order | None, formats: Sequence[str] = (), date1904: bool = False) -> Callable[[Any], date]:
    """A function turning a cell into a date under `order` (None or year-first: only unambiguous texts)."""
    formats = tuple(formats)

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
        p = parts_of(text)
        if p is not None:
            if len(p.a) == 4:
                found = p.as_order("year-first")
                if found is None:
                    raise CellError("not a date")
                return found
            dmy, mdy = p.as_order("day-first"), p.as_order("month-first")
            if order in ("day-first", "month-first"):
                found = dmy if order == "day-first" else mdy
                if found is not None:
                    return found
                other = mdy if order == "day-first" else dmy
                if other is not None:
                    theirs = "month-first" if order == "day-first" else "day-first"
                    raise CellError(f"not a date {order}, this column's order; {theirs} it would be "
                                    f"{other.isoformat()}")
                raise CellError("not a date")
            if dmy is not None and mdy is not None and dmy != mdy:
                raise CellError(f"not a date in a known order: {spoken(dmy)} or {MONTHS[mdy.month - 1]} {mdy.day}? "
                                "pass --date-order day-first or --date-order month-first")
            found = dmy or mdy
            if found is None:
                raise CellError("not a date")
            return found
        for fmt in _MONTH_NAME_FORMATS:
            try:
                found = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if fmt.endswith("%y"):
                found = found.replace(year=full_year(f"{found.year % 100:02d}"))
            return found
        raise CellError("not a date")

    return parse


@dataclass(frozen=True, slots=True)
class DateEvidence:
    """What a column's text dates say about their order."""

    day_first: int = 0
    month_first: int = 0
    day_first_example: str = ""
    month_first_example: str = ""
    two_way: str = ""  # a date that reads both ways, when there is one
    two_digit_year: str = ""  # a date written with a two-digit year, when there is one
    year_first: int = 0

    @property
    def order(self) -> Order | None:
        if self.day_first > self.month_first:
            return "day-first"
        if self.month_first > self.day_first:
            return "month-first"
        return None

    def notes(self, order: str, assumed: bool) -> list[str]:
        """Column-level warnings for a column read in `order` (assumed: no value and no option chose it)."""
        found: list[str] = []
        if self.day_first and self.month_first:
            found.append(f'its dates mix orders: {self.day_first} can only be day-first (e.g. '
                         f'"{self.day_first_example}"), {self.month_first} only month-first (e.g. '
                         f'"{self.month_first_example}"); the column is read {order} and the others are errors')
        elif assumed and self.two_way and order in ("day-first", "month-first"):
            p = parts_of(self.two_way)
            read = p.as_order(order) if p else None
            other = "month-first" if order == "day-first" else "day-first"
            example = f' ("{self.two_way}" is read as {read.isoformat()})' if read else ""
            found.append(f"no date in this column tells day-first from month-first; they are read {order}{example}. "
                         f"Pass --date-order {other} if that is wrong, or --date-order {order} to confirm")
        if self.two_digit_year:
            found.append(f'it writes years with two digits (e.g. "{self.two_digit_year}"): 00-{PIVOT} are read as '
                         f"20{0:02d}-20{PIVOT}, {PIVOT + 1}-99 as 19{PIVOT + 1}-1999, as Excel does")
        return found


def evidence(values: Iterable[Any]) -> DateEvidence:
    """Count the text dates that can only be day-first, only month-first, or either."""
    orders = Tally()  # first: day-first, second: month-first
    ymd_n = 0
    two_digit = ""
    for v in values:
        if v.__class__ is not str:
            continue
        p = parts_of(v)
        if p is None:
            if not two_digit and _NAMED_SHORT_YEAR.search(v.strip()):
                two_digit = v.strip()
            continue
        if len(p.a) == 4:
            ymd_n += 1
            continue
        if len(p.c) == 2 and not two_digit:
            two_digit = v.strip()
        orders.add(v.strip(), p.as_order("day-first"), p.as_order("month-first"))
    return DateEvidence(orders.first, orders.second, orders.first_example, orders.second_example, orders.two_way,
                        two_digit, ymd_n)


def written_date(d: date, order: Order, sep: str = "/", two_digit_year: bool = False) -> str:
    """`d` written back in a column's order (zero-padded), for round trips."""
    year = f"{d.year % 100:02d}" if two_digit_year else f"{d.year:04d}"
    if order == "year-first":
        return f"{year}{sep}{d.month:02d}{sep}{d.day:02d}"
    first, second = (d.day, d.month) if order == "day-first" else (d.month, d.day)
    return f"{first:02d}{sep}{second:02d}{sep}{year}"
