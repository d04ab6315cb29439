"""The Review step's problems panel and bulk fixes with real widgets against a live sandbox: grouped problems,
click and F8 to jump, the Message column, wrapped tooltips, the count before a replace, "did you mean" for one
cell or all, a value map saved into the mapping file, and the "checking…" states."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.gui.import_wizard import ImportPage
from app.gui.import_wizard.page import MAPPING
from app.gui.import_wizard.problems_dialogs import ReplaceDialog, ValueMapDialog
from app.gui.import_wizard.problems_model import ProblemsModel
from tests.gui import wizard_fixtures as fixtures
from tests.gui.wizard_fixtures import LEFT, click, next_to_mapping, open_page, reviewed
from tests.perf.repair import (
    BAD_DATE,
    KNOWN_CUSTOMER,
    MISSPELT_ITEMS,
    UNKNOWN_CUSTOMER,
    write_sheet_to_repair,
)

context = fixtures.context
wizard_data_dir = fixtures.wizard_data_dir

WAIT_MS = 60_000
PER_KIND = 10  # 500 rows, 100 orders


def open_review(qtbot: Any, context: Any, folder: Path, states: list[str] | None = None) -> tuple[ImportPage, Any]:
    """The wizard at Review, checked and planned, on 500 rows to repair (PER_KIND problems of each kind) written
    into `folder`; the page and its table. `states` collects what the problems panel says along the way."""
    source = write_sheet_to_repair(folder / "orders.csv", rows=500, per_kind=PER_KIND)
    page = open_page(qtbot, context, (1280, 800))
    qtbot.waitExposed(page)
    page.activateWindow()
    page.file_step.choose_new(source)
    next_to_mapping(qtbot, page, timeout=WAIT_MS)
    if states is not None:
        step = page.review_step
        step.changed.connect(lambda: states.append(step.panel.status.text()))
    with qtbot.waitSignal(page.review_step.planned, timeout=WAIT_MS):
        click(qtbot, page.next_button)
    assert reviewed(page)
    table = page.session.table
    assert table is not None and page.review_step.panel.model is not None  # the problems are listed
    return page, table


def listed(page: ImportPage) -> ProblemsModel:
    """The problems list's model (there is one once Review has checked the rows)."""
    model = page.review_step.panel.model
    assert model is not None
    return model


def choose(qtbot: Any, page: ImportPage, title_start: str, child: int | None = None) -> None:
    panel = page.review_step.panel
    model = panel.model
    assert model is not None
    row = next(i for i, g in enumerate(model.groups) if g.title.startswith(title_start))
    index = model.index(row, 0)
    if child is not None:
        panel.tree.expand(index)
        index = model.index(child, 0, index)
    panel.tree.scrollTo(index)
    qtbot.mouseClick(panel.tree.viewport(), LEFT, pos=panel.tree.visualRect(index).center())
    assert panel.tree.currentIndex() == index


def test_problems_are_listed_by_kind_and_reached_by_click_and_f8(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    states: list[str] = []
    page, table = open_review(qtbot, context, tmp_path, states)
    step, panel = page.review_step, page.review_step.panel
    model = step.model
    assert model is not None and panel.model is not None
    # cell problems first, then "checking names…" while the plan looks the names up, then all of them
    assert any(s.endswith("\u00b7 checking 500 rows\u2026") for s in states), states
    named = [s for s in states if s.endswith("checking names\u2026")]
    assert named and named[0].startswith(f"{2 * PER_KIND} problems of 2 kinds"), states
    assert panel.status.text() == f"{4 * PER_KIND} problems of 4 kinds"
    assert [g.title for g in panel.model.groups][0] == f"Order Date: {PER_KIND} cells are not dates"

    # each problem with its row, column, value and reason
    dates = panel.model.index(0, 0)
    first = [panel.model.index(0, c, dates).data() for c in range(4)]
    assert first == ["2", "Order Date", BAD_DATE, f'"{BAD_DATE}" is not a date']

    # the Message column, beside the row number, and tooltips Qt wraps (rich text)
    message = model.message_column
    assert model.headerData(message, Qt.Orientation.Horizontal) == "Message"
    assert step.view.horizontalHeader().visualIndex(message) == 0
    assert model.index(0, message).data() == f'Order Date: "{BAD_DATE}" is not a date'
    tip = model.index(0, table.headers.index("Order Date")).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("<p>") and BAD_DATE in tip
    assert model.index(5 * 2, 0).data(Qt.ItemDataRole.ToolTipRole) is None  # row 12: no problem

    # a click on a problem shows its cell in the grid
    choose(qtbot, page, "Quantity", child=1)
    p = panel.model.groups[-1].problems[1]
    current = step.view.currentIndex()
    assert (model.row_index(current.row()), current.column()) == (p.row_index, table.headers.index("Quantity"))

    # F8 and Shift+F8 from the grid: the next and previous problem in sheet order, wrapping around
    step.view.setFocus()
    step.view.setCurrentIndex(model.index(0, 0))
    places = model.validation.places if model.validation else []
    seen = []
    for _ in range(3):
        qtbot.keyClick(step.view, Qt.Key.Key_F8)
        current = step.view.currentIndex()
        seen.append((model.row_index(current.row()), current.column()))
    assert seen == places[0:3]  # from row 2's first cell: its Order Date, then rows 3 and 4
    assert panel.model.problem_at(panel.tree.currentIndex()) is not None
    qtbot.keyClick(step.view, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    current = step.view.currentIndex()
    assert (model.row_index(current.row()), current.column()) == places[1]
    step.view.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(step.view, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    current = step.view.currentIndex()
    assert (model.row_index(current.row()), current.column()) == places[-1]


@pytest.mark.slow
def test_replace_shows_its_count_first_and_did_you_mean_fixes_one_cell_or_all(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    page, table = open_review(qtbot, context, tmp_path)
    step, panel = page.review_step, page.review_step.panel
    di, ci = table.headers.index("Order Date"), table.headers.index("Customer Name")

    # the count before replacing; Cancel changes nothing, Replace stays off until a new value is typed
    choose(qtbot, page, "Order Date")
    click(qtbot, panel.replace_button)
    dialog = step.fixes.dialog
    assert isinstance(dialog, ReplaceDialog)
    assert dialog.question.text() == (f"Replace \u201c{BAD_DATE}\u201d in {PER_KIND} cells of column "
                                      "\u201cOrder Date\u201d with:")
    assert dialog.replace_button.text() == f"&Replace in {PER_KIND} cells" and not dialog.replace_button.isEnabled()
    dialog.reject()
    assert sum(r[di] == BAD_DATE for r in table.rows) == PER_KIND and not step.validating

    # "did you mean" in one cell: only that cell changes, and only its order is checked again
    choose(qtbot, page, "Customer Name", child=0)
    first = listed(page).groups[1].problems[0]
    assert panel.suggest_one.text() == f"Use \u201c{KNOWN_CUSTOMER}\u201d in row {first.row}"
    holding = [ri for ri, r in enumerate(table.rows) if r[ci] == UNKNOWN_CUSTOMER]
    assert panel.suggest_all.text() == f"\u2026 in all {len(holding)} cells"
    with qtbot.waitSignal(step.planned, timeout=WAIT_MS):
        click(qtbot, panel.suggest_one)
    assert first.row_index is not None and table.rows[first.row_index][ci] == KNOWN_CUSTOMER
    assert sum(r[ci] == UNKNOWN_CUSTOMER for r in table.rows) == len(holding) - 1
    # that order's other lines still say "Acme Corp": its customer differs between its rows now
    assert listed(page).count == 4 * PER_KIND - 1 + 4

    # ... and in every cell holding the name
    choose(qtbot, page, "Customer Name: 9")
    with qtbot.waitSignal(step.planned, timeout=WAIT_MS):
        click(qtbot, panel.suggest_all)
    assert sum(r[ci] == UNKNOWN_CUSTOMER for r in table.rows) == 0
    assert [g.title.split(":")[0] for g in listed(page).groups] == ["Order Date", "Item Name", "Quantity"]


@pytest.mark.slow
def test_a_value_map_made_on_review_is_saved_into_the_mapping_file(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    page, table = open_review(qtbot, context, tmp_path)
    step, panel = page.review_step, page.review_step.panel
    choose(qtbot, page, "Order Date")
    assert not panel.map_button.isEnabled()  # a date is not a name or a fixed list
    choose(qtbot, page, "Item Name")
    click(qtbot, panel.map_button)
    dialog = step.fixes.dialog
    assert isinstance(dialog, ValueMapDialog)
    assert dialog.values() == MISSPELT_ITEMS  # proposed from "did you mean"
    assert "Wireless Mouse" in [dialog.choices["Laptop Stnd"].itemText(i)
                                for i in range(dialog.choices["Laptop Stnd"].count())]
    dialog.choices["USB C Hub"].setCurrentText("")  # left as it is
    ii = table.headers.index("Item Name")
    cells = sum(1 for r in table.rows if r[ii] in ("Laptop Stnd", "Wireles Mouse"))
    assert dialog.summary.text() == f"2 values mapped, read differently in {cells} cells."
    with qtbot.waitSignal(step.planned, timeout=WAIT_MS):
        click(qtbot, dialog.apply_button)
    items = [g for g in listed(page).groups if g.title.startswith("Item Name")]
    assert len(items) == 1 and {table.rows[p.row_index or 0][ii] for p in items[0].problems} == {"USB C Hub"}

    # back on the mapping step, Save mapping writes the value map
    click(qtbot, page.back_button)
    qtbot.waitUntil(lambda: page.step == MAPPING and not page.tasks.busy, timeout=WAIT_MS)  # the plan's job closed
    saved = page.mapping_step.save(tmp_path / "orders.mapping.json")
    assert saved is not None
    fields = json.loads(saved.read_text(encoding="utf-8"))["fields"]
    item = next(f for f in fields if f["field"] == "line_items.item_id")
    assert {"op": "map", "values": {"Laptop Stnd": "Laptop Stand", "Wireles Mouse": "Wireless Mouse"},
            "ignore_case": True, "strict": False} in item["transforms"]
