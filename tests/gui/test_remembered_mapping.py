"""The mapping step remembers: a mapping that ran comes back for the next file with the same headers, a header
mapped by hand is proposed again as learned, the picker ranks line-item fields first on a line-item sheet,
and Save/Load mapping start beside the sheet. Real widgets, the wizard on a live loopback sandbox."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.gui.import_wizard import ImportPage
from app.gui.import_wizard.field_editors import FieldPicker
from app.gui.import_wizard.mapping_model import CONFIDENCE, FIELD
from app.gui.import_wizard.mapping_step import mapping_memory
from app.gui.import_wizard.page import FILE, MAPPING, RESULTS, REVIEW
from app.mapping.dates import MONTHS
from app.mapping.schema import DateFormat
from app.resources import samples_dir
from tests.gui import wizard_fixtures as fixtures
from tests.gui.wizard_fixtures import WAIT_MS, click, next_to_mapping, open_page, seed
from tests.jobs.conftest import write_csv

pytestmark = pytest.mark.slow  # the wizard end to end against a live sandbox

context = fixtures.context
wizard_data_dir = fixtures.wizard_data_dir

HEADERS = ["Order Number", "Order Date", "Customer", "Item", "Quantity", "Rate", "Despatch Before"]


def load(qtbot: Any, page: ImportPage, path: Path, entity: str = "salesorders") -> None:
    page.open_file(path)  # as File > Open does, from any step but the run
    assert page.step == FILE
    next_to_mapping(qtbot, page, entity)


def orders(path: Path, headers: list[str], numbers: list[str]) -> Path:
    """Orders whose dates read both ways (03/02/2026), one line each, in the columns `headers` names."""
    values = {"order number": "", "order date": "03/02/2026", "customer": "Northwind Traders",
              "item": "Laptop Stand", "quantity": 2, "rate": 45, "despatch before": "05/02/2026"}
    rows = [[n if " ".join(h.split()).casefold() == "order number" else values[" ".join(h.split()).casefold()]
             for h in headers] for n in numbers]
    return write_csv(path, headers, rows)


def row_of(page: ImportPage, header: str) -> int:
    model = page.mapping_step.model
    assert model is not None
    return model.table.headers.index(header)


def run_to_results(qtbot: Any, page: ImportPage) -> None:
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == REVIEW and page.review_step.can_next(), timeout=WAIT_MS)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == RESULTS, timeout=WAIT_MS)
    result = page.session.result
    assert result is not None and result.exit_code == 0, result and result.message


def test_the_mapping_of_a_run_comes_back_for_the_same_headers_and_its_hand_mapped_header_is_learned(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    seed(live_sandbox.url, tmp_path, "contacts")
    page = open_page(qtbot, context)
    step = page.mapping_step

    # March: "Despatch Before" means nothing to auto-mapping; the user maps it by hand and answers the date order
    march = orders(tmp_path / "orders-march.csv", HEADERS, ["SO-R-1", "SO-R-2"])
    load(qtbot, page, march)
    assert not step.remembered_bar.isVisible()
    model = step.model
    assert model is not None
    despatch = row_of(page, "Despatch Before")
    assert model.field_mapping(despatch) is None
    assert model.setData(model.index(despatch, FIELD), "shipment_date", Qt.ItemDataRole.EditRole)
    assert model.index(despatch, CONFIDENCE).data() == "chosen"
    assert sorted(b.objectName() for b in step.question_boxes()) == ["question-date-1", "question-date-6"]
    for box in step.question_boxes():
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Down)
        qtbot.keyClick(box, Qt.Key.Key_Down)  # month-first: 03/02/2026 is 2 March
    qtbot.waitUntil(lambda: not step.question_boxes(), timeout=WAIT_MS)
    run_to_results(qtbot, page)
    qtbot.waitUntil(lambda: mapping_memory().recall("salesorders", HEADERS) is not None, timeout=WAIT_MS)

    # April: the same columns in another order and spelling get March's mapping, answers and all
    click(qtbot, page.next_button)  # Import another file
    assert page.step == FILE
    april_headers = ["despatch before", "ORDER NUMBER", "Order  Date", "Customer", "Item", "Quantity", "Rate"]
    april = orders(tmp_path / "orders-april.csv", april_headers, ["SO-R-11"])
    load(qtbot, page, april)
    assert step.remembered_bar.isVisible()
    today = date.today()
    assert (f"from your last import of orders-march.csv on {today.day} {MONTHS[today.month - 1]} {today.year}"
            in step.remembered_note.text())
    model = step.model
    assert model is not None
    shipped = model.field_mapping(row_of(page, "despatch before"))
    assert shipped is not None and shipped.field == "shipment_date"
    assert not step.question_boxes()  # the answers came along
    ordered = model.mapping.for_field("date")
    assert ordered is not None and ordered.columns == [model.table.headers[2]]
    assert DateFormat(order="month-first") in ordered.transforms
    click(qtbot, page.back_button)  # a look back at the file keeps the mapping, and says where it is from
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=WAIT_MS)
    assert step.remembered_bar.isVisible() and "orders-march.csv" in step.remembered_note.text()
    run_to_results(qtbot, page)
    store = live_sandbox.app.state.store
    sent = [r for r in store.all("salesorders") if r.get("salesorder_number") == "SO-R-11"]
    assert len(sent) == 1 and sent[0]["date"] == "2026-03-02" and sent[0]["shipment_date"] == "2026-05-02"

    # set aside, back to auto-mapping: the hand-mapped header is proposed, shown as learned
    click(qtbot, page.next_button)
    load(qtbot, page, april)
    assert step.remembered_bar.isVisible()
    click(qtbot, step.set_aside_button)
    assert not step.remembered_bar.isVisible()
    model = step.model
    assert model is not None
    at = row_of(page, "despatch before")
    learned = model.field_mapping(at)
    assert learned is not None and learned.field == "shipment_date"
    assert model.index(at, CONFIDENCE).data() == "learned"
    assert model.index(at, CONFIDENCE).data(Qt.ItemDataRole.ToolTipRole).startswith(
        'learned: you mapped a column "despatch before" to Expected Shipment Date in an earlier import')
    assert step.question_boxes()  # auto-mapping's dates are its guess again, to be answered

    # another file, other columns: no remembered mapping, but the learned header still maps
    click(qtbot, page.back_button)
    other = orders(tmp_path / "other.csv", ["Order Number", "Customer", "Item", "Despatch Before"], ["SO-R-21"])
    load(qtbot, page, other)
    assert not step.remembered_bar.isVisible()
    model = step.model
    assert model is not None
    at = row_of(page, "Despatch Before")
    assert model.index(at, FIELD).data().endswith("shipment_date")
    assert model.index(at, CONFIDENCE).data() == "learned"


def completions(page: ImportPage, header: str, typed: str) -> list[str]:
    view, model = page.mapping_step.view, page.mapping_step.model
    assert model is not None
    view.edit(model.index(row_of(page, header), FIELD))
    picker = view.findChild(FieldPicker)
    assert picker is not None
    completer = picker.completer()
    assert completer is not None
    completer.setCompletionPrefix(typed)
    found = [completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())]
    view.closeEditor(picker, view.itemDelegate().EndEditHint.NoHint)
    return found


def test_the_picker_offers_the_line_items_discount_first_on_a_line_item_sheet(
        qtbot: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    page = open_page(qtbot, context)
    load(qtbot, page, samples_dir() / "salesorders.xlsx")  # item, quantity, rate columns
    found = completions(page, "Notes", "discount")
    assert found[0].endswith("line_items.discount") and any(f.endswith("\u2014 discount") for f in found)

    header_only = write_csv(tmp_path / "order-headers.csv", ["Order Number", "Customer", "Order Date", "Notes"],
                            [["SO-1", "Northwind Traders", "2026-01-14", "hello"]])
    load(qtbot, page, header_only)  # no line columns: the catalogue's order, the whole order's discount first
    found = completions(page, "Notes", "discount")
    assert found[0].endswith("\u2014 discount") and any(f.endswith("line_items.discount") for f in found)


def file_dialog(qtbot: Any, page: ImportPage, button: Any) -> QFileDialog:
    click(qtbot, button)
    dialog = page.mapping_step.file_dialog
    assert isinstance(dialog, QFileDialog) and dialog.parent() is page.mapping_step
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def test_save_and_load_mapping_start_beside_the_sheet(qtbot: Any, context: Any, qloop: Any,
                                                      tmp_path: Path) -> None:
    folder = tmp_path / "supplier files"
    folder.mkdir()
    sheet = folder / "contacts march.xlsx"
    sheet.write_bytes((samples_dir() / "contacts.xlsx").read_bytes())
    page = open_page(qtbot, context)
    load(qtbot, page, sheet, "contacts")
    step = page.mapping_step
    model = step.model
    assert model is not None
    region = row_of(page, "Region")

    dialog = file_dialog(qtbot, page, step.save_button)
    assert Path(dialog.directory().absolutePath()).resolve() == folder.resolve()
    saved = folder / "supplier.mapping.json"
    dialog.selectFile(str(saved))
    dialog.accept()
    qtbot.waitUntil(saved.exists, timeout=WAIT_MS)

    model.set_field(region, None)
    dialog = file_dialog(qtbot, page, step.load_button)
    assert Path(dialog.directory().absolutePath()).resolve() == folder.resolve()
    dialog.selectFile(str(saved))
    dialog.accept()
    qtbot.waitUntil(lambda: model.field_mapping(region) is not None, timeout=WAIT_MS)

    # a shipped sample is no folder of the user's: the dialogs start where the last mapping was
    click(qtbot, page.back_button)
    load(qtbot, page, samples_dir() / "contacts.xlsx", "contacts")
    assert step.mapping_folder() == folder
    dialog = file_dialog(qtbot, page, step.load_button)
    assert Path(dialog.directory().absolutePath()).resolve() == folder.resolve()
    dialog.reject()
