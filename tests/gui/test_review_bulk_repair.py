"""20,000 rows with 500 problems of four kinds repaired on the Review step in a handful of actions, each fix
checking again only the rows it touched, with real widgets against a live sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex

from app.gui.import_wizard import ImportPage
from app.gui.import_wizard.problems_dialogs import ReplaceDialog, ValueMapDialog
from app.mapping.schema import ValueMap
from tests.gui import wizard_fixtures as fixtures
from tests.gui.wizard_fixtures import LEFT, click, open_mapping, reviewed
from tests.perf.repair import (
    BAD_DATE,
    BAD_QUANTITY,
    GOOD_DATE,
    GOOD_QUANTITY,
    KNOWN_CUSTOMER,
    MISSPELT_ITEMS,
    PER_KIND,
    UNKNOWN_CUSTOMER,
    write_sheet_to_repair,
)

pytestmark = pytest.mark.slow  # twenty thousand rows repaired through the wizard

context = fixtures.context
wizard_data_dir = fixtures.wizard_data_dir

WAIT_MS = 120_000
ROWS = 20_000


def choose_group(qtbot: Any, page: ImportPage, title_start: str) -> QModelIndex:
    """Click the problems list's group whose title starts so."""
    panel = page.review_step.panel
    model = panel.model
    assert model is not None
    titles = [g.title for g in model.groups]
    row = next(i for i, t in enumerate(titles) if t.startswith(title_start))
    index = model.index(row, 0)
    panel.tree.scrollTo(index)
    qtbot.mouseClick(panel.tree.viewport(), LEFT, pos=panel.tree.visualRect(index).center())
    assert panel.tree.currentIndex() == index, titles
    return index


def test_twenty_thousand_rows_with_500_problems_are_repaired_in_four_actions(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    source = write_sheet_to_repair(tmp_path / "orders-to-repair.csv", ROWS)
    page = open_mapping(qtbot, context, source, size=(1280, 800), timeout=WAIT_MS)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: reviewed(page), timeout=WAIT_MS)
    step, panel = page.review_step, page.review_step.panel
    table, validation = page.session.table, page.session.validation
    assert table is not None and validation is not None and len(table.rows) == ROWS
    assert panel.model is not None and panel.model.count == 4 * PER_KIND == 500
    titles = [g.title for g in panel.model.groups]
    assert titles == [
        f"Order Date: {PER_KIND} cells are not dates",
        f"Customer Name: {PER_KIND} cells hold names Zoho does not know",
        f"Item Name: {PER_KIND} cells hold names Zoho does not know",
        f"Quantity: {PER_KIND} cells are not numbers",
    ], titles
    assert panel.status.text() == "500 problems of 4 kinds"
    states: list[str] = []  # what the panel said each time the step changed
    step.changed.connect(lambda: states.append(panel.status.text()))

    actions = 0  # one action: pick a problem, press its fix, confirm its dialog

    # (1) the impossible date, replaced in every cell holding it: the count is shown before applying
    choose_group(qtbot, page, "Order Date")
    click(qtbot, panel.replace_button)
    dialog = step.fixes.dialog
    assert isinstance(dialog, ReplaceDialog) and dialog.isVisible()
    assert dialog.question.text() == (f"Replace \u201c{BAD_DATE}\u201d in {PER_KIND} cells of column "
                                      "\u201cOrder Date\u201d with:")
    dialog.new_value.setText(GOOD_DATE)
    with qtbot.waitSignal(step.planned, timeout=WAIT_MS):
        click(qtbot, dialog.replace_button)
    actions += 1
    assert reviewed(page)
    assert [g.title.split(":")[0] for g in panel.model.groups] == ["Customer Name", "Item Name", "Quantity"]

    # (2) "ten" in the quantities
    choose_group(qtbot, page, "Quantity")
    click(qtbot, panel.replace_button)
    dialog = step.fixes.dialog
    assert isinstance(dialog, ReplaceDialog) and f"in {PER_KIND} cells" in dialog.question.text()
    dialog.new_value.setText(GOOD_QUANTITY)
    with qtbot.waitSignal(step.planned, timeout=WAIT_MS):
        click(qtbot, dialog.replace_button)
    actions += 1
    assert reviewed(page) and panel.model.count == 2 * PER_KIND

    # (3) "did you mean 'Acme Corporation'?" taken for every cell holding "Acme Corp" (5 lines an order)
    choose_group(qtbot, page, "Customer Name")
    assert panel.suggest_all.isEnabled()
    assert panel.suggest_all.text() == f"\u2026 in all {5 * PER_KIND:,} cells"
    assert KNOWN_CUSTOMER in panel.suggest_all.toolTip() and UNKNOWN_CUSTOMER in panel.suggest_all.toolTip()
    with qtbot.waitSignal(step.planned, timeout=WAIT_MS):
        click(qtbot, panel.suggest_all)
    actions += 1
    assert reviewed(page) and panel.model.count == PER_KIND

    # (4) the misspelt items mapped to known ones in one small table, proposed from "did you mean"
    choose_group(qtbot, page, "Item Name")
    click(qtbot, panel.map_button)
    dialog = step.fixes.dialog
    assert isinstance(dialog, ValueMapDialog) and dialog.isVisible()
    assert dialog.values() == MISSPELT_ITEMS
    with qtbot.waitSignal(step.planned, timeout=WAIT_MS):
        click(qtbot, dialog.apply_button)
    actions += 1
    assert reviewed(page) and panel.model.count == 0

    assert actions <= 6
    validation = page.session.validation
    plan = page.session.plan
    assert validation is not None and plan is not None
    assert validation.invalid == 0 and validation.valid == validation.documents == ROWS // 5
    assert plan.invalid == 0 and plan.to_send == ROWS // 5
    assert panel.status.text() == "No problems in the rows."
    assert page.next_button.isEnabled()
    # the cells hold what the user chose; the value map is in the mapping, the item cells unchanged
    column = table.headers.index
    assert sum(r[column("Order Date")] == BAD_DATE for r in table.rows) == 0
    assert sum(r[column("Quantity")] == BAD_QUANTITY for r in table.rows) == 0
    assert sum(r[column("Customer Name")] == KNOWN_CUSTOMER for r in table.rows) > 5 * PER_KIND
    assert sum(r[column("Item Name")] in MISSPELT_ITEMS for r in table.rows) == PER_KIND
    mapping = page.session.mapping
    assert mapping is not None
    item = mapping.for_field("line_items.item_id")
    assert item is not None
    rule = next(t for t in item.transforms if isinstance(t, ValueMap))
    assert rule.values == MISSPELT_ITEMS
    # every fix checked only the orders it touched, on a worker, saying so; then the names
    checks = [s.split(" \u00b7 ")[-1] for s in states if "checking" in s]
    checks = [c for i, c in enumerate(checks) if i == 0 or checks[i - 1] != c]
    rows, names = "checking {} rows\u2026", "checking names\u2026"
    assert checks == [rows.format(PER_KIND), names, rows.format(PER_KIND), names,
                      rows.format(f"{5 * PER_KIND:,}"), names, rows.format(PER_KIND), names], checks
