"""The sheet the Review step's bulk fixes are measured on: sales orders with problems of four kinds.

20,000 rows (5 lines an order) for the sandbox's seeded customers and items, and 500 problems: 125 cells
holding the impossible date "31/02/2026", 125 quantities written "ten", 125 orders for "Acme Corp" (did you
mean "Acme Corporation"?) and 125 lines naming items with three misspellings. Each kind is on orders of its
own, so the names are checked once the cells are right.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

HEADERS = ["SalesOrder Number", "Order Date", "Customer Name", "Item Name", "Quantity", "Item Price"]
CUSTOMERS = ["Bowman and Co", "Zylker Corp", "Acme Corporation"]  # the sandbox's seeded contacts
ITEMS = [("Laptop Stand", "45.00"), ("Wireless Mouse", "25.00"), ("USB-C Hub", "60.00")]
LINES = 5
BAD_DATE, GOOD_DATE = "31/02/2026", "28/02/2026"
BAD_QUANTITY, GOOD_QUANTITY = "ten", "10"
UNKNOWN_CUSTOMER, KNOWN_CUSTOMER = "Acme Corp", "Acme Corporation"
MISSPELT_ITEMS = {"Laptop Stnd": "Laptop Stand", "Wireles Mouse": "Wireless Mouse", "USB C Hub": "USB-C Hub"}
PER_KIND = 125


def write_sheet_to_repair(path: Path, rows: int = 20_000, per_kind: int = PER_KIND) -> Path:
    """Write the csv; `per_kind` problems of each kind (the orders must number at least 8 * per_kind)."""
    orders = rows // LINES
    assert orders >= 8 * per_kind, "too few orders for the problems"
    bad_dates = range(per_kind // LINES)  # every line of these orders: per_kind cells
    bad_quantities = range(orders // 8, orders // 8 + per_kind)  # one line of each
    unknown_customer = range(3 * orders // 8, 3 * orders // 8 + per_kind)  # one look-up of each
    misspelt = range(5 * orders // 8, 5 * orders // 8 + per_kind)  # one line of each
    wrong_items = list(MISSPELT_ITEMS)
    start = date(2026, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for order in range(orders):
            day = (start + timedelta(days=order % 300)).strftime("%d/%m/%Y")
            customer = UNKNOWN_CUSTOMER if order in unknown_customer else CUSTOMERS[order % len(CUSTOMERS)]
            for line in range(LINES):
                item, price = ITEMS[(order + line) % len(ITEMS)]
                if order in misspelt and line == 2:
                    item = wrong_items[order % len(wrong_items)]
                quantity = BAD_QUANTITY if order in bad_quantities and line == 1 else str(1 + line)
                writer.writerow([f"SO-{order:06d}", BAD_DATE if order in bad_dates else day, customer, item,
                                 quantity, price])
    return path
