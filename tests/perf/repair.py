"""The sheet the Review step's bulk fixes are measured on: sales orders with problems of four kinds.

20,000 rows (5 lines an order) for the sandbox's seeded customers and items, and 500 problems: 125 cells
holding the impossible date "31/02/2026", 125 quantities written "ten", 125 orders for "Acme Corp" (did you
mean "Acme Corporation"?) and 125 lines naming items with three misspellings. Each kind is on orders of its
own, so the names are checked once the cells are right.
"""

from __future__ import annotations

import asyncio
import csv
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

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


async def repair_in_review(context: Any, folder: Path, rows: int = 20_000, tick_ms: int = 10) -> dict[str, float]:
    """The GUI benchmark's repair: the wizard reviews the sheet, then the four fixes are made as a user makes
    them (pick the kind in the problems list, press its fix, confirm), a QTimer ticking every `tick_ms`
    measuring from each confirm to its new plan (and apart, while each dialog opens). Returns the actions, the
    longest stalls and the slowest fix's seconds to be checked again and planned again; the baseline is the
    whole sheet validated on the GUI thread."""
    import shiboken6
    from PySide6.QtWidgets import QPushButton

    from app.gui.import_wizard import ImportPage
    from app.gui.import_wizard.page import MAPPING, REVIEW
    from app.gui.import_wizard.review_model import validate
    from tests.perf.bench_gui import StallMeter, file_chosen, until

    meter = StallMeter(tick_ms)

    source = write_sheet_to_repair(folder / "orders-to-repair.csv", rows)
    page = ImportPage(context)
    page.resize(1280, 800)
    page.show()
    step, panel = page.review_step, page.review_step.panel
    marks: dict[str, float] = {}
    step.validated.connect(lambda: marks.setdefault("validated", time.perf_counter()))
    step.planned.connect(lambda: marks.setdefault("planned", time.perf_counter()))
    figures: dict[str, float] = {"actions": 0, "recheck_s": 0.0, "replan_s": 0.0, "stall": 0.0, "dialog_stall": 0.0}
    try:
        await file_chosen(page, source, "salesorders")
        page.next()
        await until(lambda: page.step == MAPPING)
        page.next()
        await until(lambda: "planned" in marks and page.step == REVIEW)
        assert panel.model is not None and panel.model.count == 4 * PER_KIND, panel.status.text()

        async def fix(kind: str, opens: QPushButton | None, confirm: Callable[[], None]) -> None:
            """Pick the kind, open its fix's dialog (the user reads it for 0.2 s), confirm: one action."""
            assert panel.model is not None
            row = next(i for i, g in enumerate(panel.model.groups) if g.title.startswith(kind))
            panel.tree.setCurrentIndex(panel.model.index(row, 0))
            if opens is not None:
                meter.start()
                opens.click()
                await asyncio.sleep(0.2)
                figures["dialog_stall"] = max(figures["dialog_stall"], meter.stop())
            marks.clear()
            meter.start()
            started = time.perf_counter()
            confirm()
            figures["actions"] += 1
            await until(lambda: "planned" in marks)
            figures["stall"] = max(figures["stall"], meter.stop(f"fixing {kind}"))
            figures["recheck_s"] = max(figures["recheck_s"], marks["validated"] - started)
            figures["replan_s"] = max(figures["replan_s"], marks["planned"] - started)

        def replace(new: str) -> Callable[[], None]:
            def confirm() -> None:
                dialog = step.fixes.dialog
                dialog.new_value.setText(new)  # type: ignore[union-attr]
                dialog.replace_button.click()  # type: ignore[union-attr]
            return confirm

        await fix("Order Date", panel.replace_button, replace(GOOD_DATE))
        await fix("Quantity", panel.replace_button, replace(GOOD_QUANTITY))
        await fix("Customer Name", None, panel.suggest_all.click)
        await fix("Item Name", panel.map_button, lambda: step.fixes.dialog.apply_button.click())  # type: ignore[union-attr]
        validation, plan = page.session.validation, page.session.plan
        assert validation is not None and validation.invalid == 0 and panel.model.count == 0, panel.status.text()
        assert plan is not None and plan.invalid == 0
        table, mapping = page.session.table, page.session.mapping
        meter.start()
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        validate(table, mapping)  # type: ignore[arg-type]
        figures["baseline_s"] = time.perf_counter() - started
        await asyncio.sleep(0.05)
        figures["baseline"] = meter.stop()
    finally:
        meter.watch.close()
        page.close()
        shiboken6.delete(page)  # here, on the GUI thread: a collection on another thread would crash Qt
    return figures
