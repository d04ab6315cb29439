"""Hostile files about numbers and dates: decimal marks, thousands groups, date orders, Excel serials.

Exports of US, German, French, Swiss and Indian systems; a colleague who typed one price the other way; a
column of prices that never shows its decimal mark; dates that read both ways; two-digit years; a CSV of Excel
serial numbers; Excel's non-existent 29 February 1900; an old Mac workbook counting from 1904.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl
import openpyxl.utils.datetime

from tests.hostile.corpus import (
    ORDER,
    Build,
    Case,
    Rows,
    csv_file,
    error,
    warning,
    with_mapping,
    xlsx_file,
)

NBSP, NNBSP = "\u00a0", "\u202f"


def _csv(name: str, rows: Rows, headers: Sequence[str] = ORDER, encoding: str = "utf-8") -> Build:
    if encoding == "utf-8":
        return csv_file(name, headers, rows)

    def build(folder: Path) -> Path:
        path = folder / name
        text = "\r\n".join(";".join(str(c) for c in r) for r in [headers, *rows]) + "\r\n"
        path.write_bytes(text.encode(encoding))
        return path
    return build


def _xlsx(name: str, rows: Rows, *, date1904: bool = False, date_cells: bool = False) -> Build:
    """An xlsx of ORDER rows; Order Date numbers stay numbers (General format) unless `date_cells`."""
    def dress(book: openpyxl.Workbook) -> None:
        if date1904:
            book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
        if date_cells:
            for r in range(2, len(rows) + 2):
                book.active.cell(row=r, column=2).number_format = "dd/mm/yyyy"
    return xlsx_file(name, ORDER, rows, dress)


def _order(n: int, when: object, rate: object, quantity: object = 1) -> list[object]:
    return [f"SO-{n}", when, "Acme Ltd", "Widget", quantity, rate]


def _priced(name: str, *dates_and_rates: tuple[object, object], encoding: str = "utf-8") -> Build:
    """A CSV of orders SO-1, SO-2, ... of one Widget each, that differ only in their Order Date and Rate."""
    return _csv(name, [_order(n, when, rate) for n, (when, rate) in enumerate(dates_and_rates, start=1)],
                encoding=encoding)


def _dated(name: str, *dates: object) -> Build:
    """A CSV of orders SO-1, SO-2, ... that differ only in their Order Date (each at 10.00)."""
    return _priced(name, *((when, "10.00") for when in dates))


def _serials(name: str, *serials: int, date1904: bool = False) -> Build:
    """An xlsx of orders SO-1, SO-2, ... whose Order Date cells are the Excel serial numbers `serials`."""
    return _xlsx(name, [_order(n, serial, 10) for n, serial in enumerate(serials, start=1)], date1904=date1904)


MIXED = "12.50 or 1250? this column uses a decimal point"

# The wholesale file of the thousands-that-could-be-decimals cases: whole prices grouped by commas, nothing else.
WHOLESALE = _priced("wholesale.csv", ("2026-03-02", "1,234"), ("2026-03-02", "2,500"), ("2026-03-03", "12"))

CASES = [
    # A US web shop's export; one price was pasted from a German invoice.
    Case("us-prices-with-one-european-price", "salesorders", _csv("shop-orders.csv", [
        _order(1, "2026-03-02", "1,234.50"),
        _order(2, "2026-03-02", "99.95"),
        _order(3, "2026-03-03", "12,50"),
        _order(4, "2026-03-03", "1,250"),  # valid grouping in a decimal-point column: 1250
    ]), expect={
        0: [warning("its numbers mix conventions: 2 with a decimal point", "Rate")],
        4: [error(f'"12,50" is {MIXED}', "Rate")],
    }, documents=4, valid=3, invalid=1),

    # A DATEV-style German export (semicolons, Windows-1252); one price typed the English way.
    Case("german-prices-with-one-english-price", "salesorders", _priced(
        "auftraege.csv", ("02.03.2026", "1.234,50"), ("02.03.2026", "12,5"), ("03.03.2026", "0,99"),
        ("13.03.2026", "12.5"), encoding="cp1252"), expect={
        0: [warning("its numbers mix conventions: 1 with a decimal point (e.g. \"12.5\"), 3 with a decimal comma "
                    '(e.g. "1.234,50"); the column is read with a decimal comma', "Rate")],
        5: [error('"12.5" is 12.5 or 125? this column uses a decimal comma', "Rate")],
    }, documents=4, valid=3, invalid=1),

    # The same German file, with the user saying the column is decimal-comma: no mixing left to report...
    # ...but "12.5" still cannot be a decimal-comma number: the cell stays an error.
    Case("german-prices-told-decimal-comma", "salesorders", _priced(
        "auftraege.csv", ("02.03.2026", "1.234,50"), ("25.03.2026", "12.5"), encoding="cp1252"),
        args=("--decimal", ","), expect={
        0: [warning("read with a decimal comma", "Rate")],
        3: [error('"12.5" is 12.5 or 125? this column uses a decimal comma', "Rate")],
    }, documents=2, valid=1, invalid=1),

    # Swiss francs with apostrophe thousands, as Abacus and Bexio print them.
    Case("swiss-apostrophe-thousands", "salesorders", _priced(
        "bestellungen.csv", ("02.03.2026", "CHF 1'234.50"), ("02.03.2026", "CHF 12'000.00"),
        ("25.03.2026", "Fr. 99.90")), documents=3, valid=3, invalid=0),

    # Indian rupees in lakh grouping, as Tally exports them.
    Case("indian-lakh-grouping", "salesorders", _priced(
        "tally-orders.csv", ("25-03-2026", "₹1,23,456.50"), ("26-03-2026", "Rs. 12,34,567.00"),
        ("27-03-2026", "₹ 999.00")), documents=3, valid=3, invalid=0),

    # A French export: no-break spaces (and Excel's narrow ones) between thousands, a decimal comma, euros.
    Case("french-no-break-space-thousands", "salesorders", _priced(
        "commandes.csv", ("25/03/2026", f"1{NBSP}234,50{NBSP}€"), ("25/03/2026", f"12{NNBSP}000,00 €"),
        ("26/03/2026", "0,99 €")), documents=3, valid=3, invalid=0),

    # Whole prices with a comma every three digits and nothing else: 1234 or 1.234? Asked, not guessed.
    Case("thousands-that-could-be-decimals", "salesorders", WHOLESALE, expect={
        2: [error('"1,234" is 1234 or 1.234? no value in this column shows', "Rate")],
        3: [error('"2,500" is 2500 or 2.500?', "Rate")],
    }, documents=3, valid=1, invalid=2),

    Case("thousands-that-could-be-decimals-told-decimal-point", "salesorders", WHOLESALE, args=("--decimal", "."),
         documents=3, valid=3, invalid=0),

    # A mapping file that says the whole sheet is decimal-comma (top-level key), for a column that cannot tell.
    Case("thousands-that-could-be-decimals-mapping-says-comma", "salesorders", with_mapping(
        _priced("wholesale.csv", ("2026-03-02", "1.234"), ("2026-03-02", "2.500")),
        {"version": 1, "entity": "salesorders", "document_key": "Order Number", "decimal": ",",
         "fields": [{"field": "salesorder_number", "columns": ["Order Number"]},
                    {"field": "date", "columns": ["Order Date"]},
                    {"field": "customer_id", "columns": ["Customer Name"], "lookup": {"kind": "customer"}},
                    {"field": "line_items.item_id", "columns": ["Item Name"], "lookup": {"kind": "item"}},
                    {"field": "line_items.quantity", "columns": ["Quantity"]},
                    {"field": "line_items.rate", "columns": ["Rate"]}]}),
        args=("--mapping", "{folder}/mapping.json"), documents=2, valid=2, invalid=0),

    # Every date reads both ways: read day-first, and the user is told which assumption was made.
    Case("dates-that-read-both-ways", "salesorders",
         _dated("orders.csv", "03/04/2026", "05/06/2026", "07/08/2026"), expect={
        0: [warning("no date in this column tells day-first from month-first; they are read day-first "
                    '("03/04/2026" is read as 2026-04-03). Pass --date-order month-first', "Order Date")],
    }, documents=3, valid=3, invalid=0),

    Case("dates-that-read-both-ways-told-month-first", "salesorders",
         _dated("orders.csv", "03/04/2026", "05/06/2026"), args=("--date-order", "month-first"),
         documents=2, valid=2, invalid=0),

    # A US export: one date past the 12th settles month-first for the whole column, silently and rightly.
    Case("us-dates-settled-by-one-row", "salesorders", _dated("qb-orders.csv", "04/03/2026", "04/25/2026"),
         documents=2, valid=2, invalid=0),

    # Two offices wrote into one sheet: London day-first, New York month-first.
    Case("dates-in-both-orders", "salesorders",
         _dated("two-offices.csv", "25/01/2026", "13/02/2026", "01/25/2026", "02/03/2026"), expect={
        0: [warning("its dates mix orders: 2 can only be day-first", "Order Date")],
        4: [error('"01/25/2026" is not a date day-first, this column\'s order; month-first it would be 2026-01-25',
                  "Order Date")],
    }, documents=4, valid=3, invalid=1),

    # Two-digit years (an old ERP): Excel's rule, said out loud.
    Case("two-digit-years", "salesorders", _dated("erp-orders.csv", "25/03/26", "03-Apr-26"), expect={
        0: [warning('it writes years with two digits (e.g. "25/03/26"): 00-29 are read as 2000-2029', "Order Date")],
    }, documents=2, valid=2, invalid=0),

    # A CSV saved from a sheet whose date column was formatted "General": Excel serial numbers.
    Case("excel-serials-in-a-csv", "salesorders", _dated("serials.csv", "46047", "46048.5"), expect={
        3: [error('"46048.5" is not a date', "Order Date")],
    }, documents=2, valid=1, invalid=1),

    # Serial 60 is Excel's 29 February 1900, a day that never was; 59 and 61 are real days.
    Case("excel-1900-leap-year-bug", "salesorders", _serials("legacy.xlsx", 59, 60, 61), expect={
        3: [error("29 February 1900 that never existed (Excel's 1900 leap-year bug): type the date you mean",
                  "Order Date")],
    }, documents=3, valid=2, invalid=1),

    # The same days as real date cells: Excel shows 29/02/1900 for the middle one, which no reader may send as
    # the 28th (calamine reads both 59 and 60 as 1900-02-28; the sheet's XML tells them apart).
    Case("excel-1900-leap-year-bug-in-date-cells", "salesorders", _xlsx("legacy-dates.xlsx", [
        _order(1, 59, 10),
        _order(2, 60, 10),
        _order(3, 61, 10),
        _order(4, 60, 60),  # a quantity and a rate of 60 stay numbers
    ], date_cells=True), expect={
        3: [error('"60" is Excel\'s serial date 60, the 29 February 1900 that never existed', "Order Date")],
        5: [error('"60" is Excel\'s serial date 60', "Order Date")],
    }, documents=4, valid=2, invalid=2),

    # An old Mac workbook (1904 date system) whose dates lost their format: serials count from 1904.
    Case("mac-1904-serials", "salesorders", _serials("mac.xlsx", 44585, 0, date1904=True),
         documents=2, valid=2, invalid=0),
]
