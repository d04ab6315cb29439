"""The Review step's Changes view: an update's changes record by record (old value, new value), the unchanged
count, and a click that shows the record's row in the grid; against a live sandbox, from the plan alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget

from app.gui.import_wizard.changes_view import COLUMNS, ChangesView, summary
from app.jobs.importing.changes import ChangePreview, FieldChange, RecordChange, Wording
from tests.gui import wizard_fixtures as fixtures
from tests.gui.wizard_fixtures import LEFT, click, next_to_mapping, open_page, reviewed, seed
from tests.jobs.conftest import write_csv

context = fixtures.context
wizard_data_dir = fixtures.wizard_data_dir
WAIT_MS = 60_000


def preview_of(*changes: RecordChange, unchanged: int = 0, to_read: int = 0) -> ChangePreview:
    preview = ChangePreview(Wording(), id_field="salesorder_id")
    preview.records = {c.index: c for c in changes}
    preview.unchanged, preview.to_read = unchanged, to_read
    return preview


ORDER = RecordChange(0, (2, 3), "SO-1", "901", (FieldChange("Notes", "", "Back door"),
                                                  FieldChange("Line 1 (Laptop Stand): Quantity", "4", "7")),
                     row_index=0)
OTHER = RecordChange(3, (6,), "SO-2", "902", (FieldChange("Line 2 removed", "Item Name: Mouse", ""),), row_index=4)


def test_the_changes_are_grouped_per_record_with_old_and_new_values(qtbot: Any) -> None:
    view = ChangesView()
    qtbot.addWidget(view)
    view.show_preview(preview_of(ORDER, OTHER, unchanged=12, to_read=0))
    model = view.model
    shown = [[model.data(model.index(r, c)) for c in range(len(COLUMNS))] for r in range(model.rowCount())]
    assert shown == [["2-3", "SO-1", "Notes", "(empty)", "Back door"],
                     ["", "", "Line 1 (Laptop Stand): Quantity", "4", "7"],  # the same record: shown once
                     ["6", "SO-2", "Line 2 removed", "Item Name: Mouse", "(empty)"]]
    assert model.data(model.index(0, 3), Qt.ItemDataRole.ForegroundRole) == Qt.GlobalColor.gray
    assert view.status.text() == "2 records change (3 fields) \u00b7 12 unchanged"
    with qtbot.waitSignal(view.jump) as jumped:
        view.table.clicked.emit(model.index(1, 2))
    assert jumped.args == [0, -1]  # the record's first row in the grid


def test_the_counts_say_what_waits_for_the_read_the_update_makes() -> None:
    text = summary(preview_of(ORDER, unchanged=1, to_read=5))
    assert text.startswith("1 record changes (2 fields) \u00b7 1 unchanged \u00b7 5 with line items")
    assert "a read the update makes anyway" in text
    assert summary(None).startswith("Changes are shown for an update or upsert")


def test_the_review_step_shows_an_updates_changes_from_its_plan(qtbot: Any, context: Any, live_sandbox: Any,
                                                                run: Any, tmp_path: Path) -> None:
    seed(live_sandbox.url, tmp_path / "seed", "contacts")
    source = write_csv(tmp_path / "companies.csv", ["Display Name", "Company Name"], [
        ["Contoso Pharmaceuticals", "Contoso Pharmaceuticals Ltd"],  # as Zoho holds it
        ["Northwind Traders", "Northwind Traders Incorporated"]])
    page = open_page(qtbot, context, (1280, 800))
    run(page.file_step.choose(source, entity="contacts", operation="update"))
    next_to_mapping(qtbot, page, "contacts", timeout=WAIT_MS)
    step = page.review_step
    with qtbot.waitSignal(step.planned, timeout=WAIT_MS):
        click(qtbot, page.next_button)
    assert reviewed(page)
    view = step.changes
    model = view.model
    assert [[model.data(model.index(r, c)) for c in range(len(COLUMNS))] for r in range(model.rowCount())] == [
        ["3", "Northwind Traders", "Company Name", "Northwind Traders Inc.", "Northwind Traders Incorporated"]]
    assert view.status.text() == "1 record changes (1 field) \u00b7 1 unchanged"
    plan = page.session.plan
    assert plan is not None and any(line.startswith("Changes: 1 record change") for line in plan.lines())

    tabs = step.findChild(QTabWidget, "reviewSide")
    assert tabs is not None
    assert tabs.currentWidget() is step.panel  # the problems come first
    assert tabs.tabText(tabs.indexOf(view)) == "C&hanges (1)"
    tabs.setCurrentWidget(view)
    qtbot.waitUntil(view.table.isVisible)
    rect = view.table.visualRect(model.index(0, 2))
    qtbot.mouseClick(view.table.viewport(), LEFT, pos=rect.center())
    current = step.view.currentIndex()
    assert current.isValid() and step.model is not None and step.model.row_index(current.row()) == 1
