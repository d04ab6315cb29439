"""The mapping step asks once per column whose values read two ways (date order, decimal mark), with real
combo boxes, and keeps the answer in the mapping and in a saved mapping file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from app.gui.import_wizard import ImportPage
from app.mapping import load_mapping, prepare
from app.mapping.schema import DateFormat, NumberFormat
from tests.gui import wizard_fixtures as fixtures
from tests.gui.wizard_fixtures import WAIT_MS
from tests.jobs.conftest import write_csv

pytestmark = pytest.mark.slow  # the wizard end to end against a live sandbox

context = fixtures.context

ORDER = ["Order Number", "Order Date", "Customer Name", "Item Name", "Quantity", "Rate"]


def open_orders(qtbot: Any, context: Any, folder: Path, *dates_and_rates: tuple[str, str]) -> ImportPage:
    """The wizard at the Mapping step on orders.csv in `folder`: orders SO-1, SO-2, ... of n Widgets for Acme,
    with these order dates and rates."""
    rows = [[f"SO-{n}", when, "Acme", "Widget", n, rate] for n, (when, rate) in enumerate(dates_and_rates, start=1)]
    return fixtures.open_mapping(qtbot, context, write_csv(folder / "orders.csv", ORDER, rows))


def texts(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def choose(qtbot: Any, combo: QComboBox, times: int) -> None:
    """Pick an answer as a keyboard user does: focus the box, arrow down."""
    combo.setFocus()
    for _ in range(times):
        qtbot.keyClick(combo, Qt.Key.Key_Down)


def rule(page: ImportPage, header: str, kind: type) -> Any:
    model = page.mapping_step.model
    assert model is not None
    fm = model.field_mapping(model.table.headers.index(header))
    assert fm is not None
    return next((t for t in fm.transforms if isinstance(t, kind)), None)


def test_each_ambiguous_column_is_asked_once_and_the_answer_is_kept(
        qtbot: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    page = open_orders(qtbot, context, tmp_path,
                       ("03/04/2026", "1,234"), ("05/06/2026", "2,500"), ("05/06/2026", "12"))
    step = page.mapping_step
    assert step.questions.isVisible()
    assert sorted(b.objectName() for b in step.question_boxes()) == ["question-date-1", "question-decimal-5"]
    dates = step.findChild(QComboBox, "question-date-1")
    numbers = step.findChild(QComboBox, "question-decimal-5")
    assert dates is not None and numbers is not None
    assert texts(dates) == ["Choose\u2026", 'day-first ("03/04/2026" is 3 April 2026)',
                            'month-first ("03/04/2026" is 4 March 2026)']
    assert texts(numbers) == ["Choose\u2026", 'decimal point ("1,234" is 1234)', 'decimal comma ("1,234" is 1.234)']
    assumed = rule(page, "Order Date", DateFormat)
    assert assumed.order == "day-first" and assumed.assumed  # auto-mapping's guess, not yet the user's word

    choose(qtbot, dates, 2)  # month-first
    qtbot.waitUntil(lambda: [b.objectName() for b in step.question_boxes()] == ["question-decimal-5"],
                    timeout=WAIT_MS)
    answered = rule(page, "Order Date", DateFormat)
    assert answered.order == "month-first" and not answered.assumed

    choose(qtbot, numbers, 1)  # decimal point
    qtbot.waitUntil(lambda: not step.questions.isVisible(), timeout=WAIT_MS)
    assert rule(page, "Rate", NumberFormat).decimal == "."

    model = step.model
    assert model is not None
    prepared = prepare(model.table, model.mapping)
    assert prepared.all_problems() == []  # no assumed order left to warn about, no two-way number
    first = prepared.documents[0].payload
    assert first["date"] == "2026-03-04" and first["line_items"][0]["rate"] == 1234.0

    saved = step.save(tmp_path / "orders.mapping.json")
    assert saved is not None
    again = load_mapping(saved)
    date_rule = next(t for t in again.for_field("date").transforms if isinstance(t, DateFormat))  # type: ignore[union-attr]
    assert date_rule.order == "month-first" and not date_rule.assumed
    assert any(isinstance(t, NumberFormat) and t.decimal == "."
               for t in again.for_field("line_items.rate").transforms)  # type: ignore[union-attr]

    # The next time, with the saved mapping: nothing left to ask.
    later = fixtures.open_mapping(qtbot, context, tmp_path / "orders.csv")
    assert later.mapping_step.questions.isVisible()
    later.mapping_step.load(saved)
    qtbot.waitUntil(lambda: not later.mapping_step.questions.isVisible(), timeout=WAIT_MS)
    assert later.mapping_step.question_boxes() == []


def test_a_column_that_shows_its_order_and_mark_is_not_asked_about(
        qtbot: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    page = open_orders(qtbot, context, tmp_path, ("03/04/2026", "1.234,50"), ("25/06/2026", "2.500"))
    assert not page.mapping_step.questions.isVisible() and page.mapping_step.question_boxes() == []
    assert rule(page, "Order Date", DateFormat).order == "day-first"
    assert rule(page, "Rate", NumberFormat).decimal == ","


def test_a_column_that_mixes_decimal_marks_is_asked_about(
        qtbot: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    page = open_orders(qtbot, context, tmp_path,
                       ("2026-04-03", "1,234.50"), ("2026-04-03", "12,50"), ("2026-04-03", "99.95"))
    step = page.mapping_step
    numbers = step.findChild(QComboBox, "question-decimal-5")
    assert numbers is not None and step.questions.isVisible()
    assert texts(numbers)[1:] == ['decimal point ("12,50" is then an error)', 'decimal comma ("12,50" is 12.50)']
    choose(qtbot, numbers, 2)
    qtbot.waitUntil(lambda: not step.questions.isVisible(), timeout=WAIT_MS)
    model = step.model
    assert model is not None
    problems = [p.message for p in prepare(model.table, model.mapping).all_problems()]
    assert any('"1,234.50" is 1234.50 or 1.23450? this column uses a decimal comma' in m for m in problems)
