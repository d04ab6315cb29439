"""The Transforms dialog driven through its widgets: each rule set and removed, its live preview, and the review's payloads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QLabel

from app.gui.import_wizard import ImportPage
from app.gui.import_wizard.field_editors import TransformDialog
from app.gui.import_wizard.page import MAPPING, REVIEW
from app.mapping import FieldMapping
from app.mapping.schema import BooleanWords, Case, NumberFormat, Split
from app.resources import samples_dir
from tests.gui import wizard_fixtures as fixtures
from tests.gui.wizard_fixtures import LEFT, WAIT_MS, open_mapping, with_bad_cell

pytestmark = pytest.mark.slow  # the wizard end to end against a live sandbox

context = fixtures.context
wizard_data_dir = fixtures.wizard_data_dir


def open_dialog(qtbot: Any, page: ImportPage, header: str) -> TransformDialog:
    """Select the column's row and press Transforms…, as the user does."""
    step = page.mapping_step
    assert step.model is not None
    ci = step.model.table.headers.index(header)
    step.view.selectRow(ci)
    qtbot.mouseClick(step.transforms_button, LEFT)
    dialog = step.findChild(TransformDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def closed(qtbot: Any, page: ImportPage) -> None:
    """The dialog deletes itself on close (WA_DeleteOnClose): wait until it is gone."""
    qtbot.waitUntil(lambda: page.mapping_step.findChild(TransformDialog) is None, timeout=WAIT_MS)


def accept(qtbot: Any, page: ImportPage, dialog: TransformDialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    closed(qtbot, page)


def rules_of(page: ImportPage, header: str) -> list[Any]:
    model = page.mapping_step.model
    assert model is not None
    fm = model.field_mapping(model.table.headers.index(header))
    assert fm is not None
    return list(fm.transforms)


def review(qtbot: Any, page: ImportPage) -> Any:
    """Next from the mapping: the review step checks the records again; its validation once planned."""
    with qtbot.waitSignal(page.review_step.planned, timeout=WAIT_MS):
        qtbot.mouseClick(page.next_button, LEFT)
    assert page.step == REVIEW
    validation = page.session.validation
    assert validation is not None
    return validation


def back_to_mapping(qtbot: Any, page: ImportPage) -> None:
    qtbot.mouseClick(page.back_button, LEFT)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=WAIT_MS)


def preview(dialog: TransformDialog) -> list[tuple[str, str]]:
    table = dialog.preview
    return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]


def test_letter_case_upper_reaches_the_payload_and_removing_it_restores_the_sheet(
        qtbot: Any, context: Any, qloop: Any) -> None:
    page = open_mapping(qtbot, context, samples_dir() / "contacts.xlsx", "contacts")
    dialog = open_dialog(qtbot, page, "Company Name")
    assert dialog.isAncestorOf(dialog.case) and not dialog.isAncestorOf(dialog.true_words)
    assert preview(dialog)[0] == ("Northwind Traders Inc.", "Northwind Traders Inc.")
    dialog.case.setCurrentText("UPPER CASE")
    assert preview(dialog)[0] == ("Northwind Traders Inc.", "NORTHWIND TRADERS INC.")  # live, before OK
    accept(qtbot, page, dialog)
    assert Case(to="upper") in rules_of(page, "Company Name")
    assert "upper case" in page.mapping_step.model.index(1, 3).data()  # type: ignore[union-attr]

    validation = review(qtbot, page)
    first = validation.prepared.documents[0].payload
    assert first["company_name"] == "NORTHWIND TRADERS INC."
    assert first["contact_name"] == "Northwind Traders"  # other columns untouched

    back_to_mapping(qtbot, page)
    dialog = open_dialog(qtbot, page, "Company Name")
    assert dialog.case.currentText() == "UPPER CASE"  # the dialog shows what the mapping holds
    dialog.case.setCurrentText("as in the sheet")
    accept(qtbot, page, dialog)
    assert not any(t.op == "case" for t in rules_of(page, "Company Name"))
    validation = review(qtbot, page)
    assert validation.prepared.documents[0].payload["company_name"] == "Northwind Traders Inc."


def test_yes_and_no_words_make_oui_and_non_valid_and_removing_them_makes_them_errors(
        qtbot: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    source = with_bad_cell(samples_dir() / "contacts.xlsx", tmp_path, "Primary Contact", "oui", row=2)
    source = with_bad_cell(source, tmp_path, "Primary Contact", "non", row=3)
    page = open_mapping(qtbot, context, source, "contacts")
    validation = review(qtbot, page)
    assert validation.invalid == 1  # the first contact, whose two persons are on rows 2 and 3
    ci = page.mapping_step.model.table.headers.index("Primary Contact")  # type: ignore[union-attr]
    assert "not yes or no" in validation.cells[(0, ci)][1] and "not yes or no" in validation.cells[(1, ci)][1]
    back_to_mapping(qtbot, page)

    dialog = open_dialog(qtbot, page, "Primary Contact")
    assert dialog.isAncestorOf(dialog.true_words) and not dialog.isAncestorOf(dialog.case)
    assert not dialog.isAncestorOf(dialog.percent)
    assert preview(dialog)[0] == ("oui", "\u2717 not yes or no")  # an invalid sample with its message
    dialog.true_words.end(False)
    qtbot.keyClicks(dialog.true_words, ", oui")
    dialog.false_words.end(False)
    qtbot.keyClicks(dialog.false_words, ", non")
    assert preview(dialog)[:2] == [("oui", "true"), ("non", "false")]
    accept(qtbot, page, dialog)
    words = next(t for t in rules_of(page, "Primary Contact") if isinstance(t, BooleanWords))
    assert "oui" in words.true and "non" in words.false and "yes" in words.true

    validation = review(qtbot, page)
    assert validation.invalid == 0
    documents = validation.prepared.documents
    persons = documents[0].payload["contact_persons"]
    assert [p["is_primary_contact"] for p in persons] == [True, False]

    back_to_mapping(qtbot, page)
    dialog = open_dialog(qtbot, page, "Primary Contact")
    dialog.true_words.clear()  # empty: the usual words again
    dialog.false_words.clear()
    accept(qtbot, page, dialog)
    assert not any(t.op == "boolean" for t in rules_of(page, "Primary Contact"))
    validation = review(qtbot, page)
    assert validation.invalid == 1 and "not yes or no" in validation.cells[(1, ci)][1]


def line_values(validation: Any, key: str) -> list[Any]:
    return [line.get(key) for d in validation.prepared.documents for line in d.payload.get("line_items", [])]


def test_percent_and_split_on_sales_order_lines(qtbot: Any, context: Any, qloop: Any) -> None:
    page = open_mapping(qtbot, context, samples_dir() / "salesorders.xlsx", "salesorders")
    validation = review(qtbot, page)
    assert "20" in line_values(validation, "discount") and "20%" not in line_values(validation, "discount")
    back_to_mapping(qtbot, page)

    dialog = open_dialog(qtbot, page, "Discount")
    assert dialog.isAncestorOf(dialog.percent) and not dialog.isAncestorOf(dialog.case)
    assert ("20", "20") in preview(dialog)
    dialog.percent.setChecked(True)
    assert ("20", "20%") in preview(dialog) and ("10%", "10%") in preview(dialog)
    assert ("(empty)", "(empty: not sent)") in preview(dialog)
    accept(qtbot, page, dialog)
    assert [t.percent for t in rules_of(page, "Discount") if isinstance(t, NumberFormat)] == [True]

    dialog = open_dialog(qtbot, page, "Description")
    assert not dialog.split_separator.isEnabled()  # no cutting until a part is chosen
    dialog.split_part.setCurrentText("the first part")
    assert dialog.split_separator.isEnabled()
    dialog.split_separator.clear()
    assert not dialog.ok_button.isEnabled()  # a part of what? no separator, no OK
    qtbot.keyClicks(dialog.split_separator, " (")
    assert dialog.ok_button.isEnabled()
    assert preview(dialog)[0] == ("Laptop Stand (LS-100)", "Laptop Stand")
    dialog.split_part.setCurrentText("the last part")
    assert preview(dialog)[0] == ("Laptop Stand (LS-100)", "LS-100)")
    dialog.split_part.setCurrentText("the first part")
    accept(qtbot, page, dialog)
    assert Split(separator=" (", index=0) in rules_of(page, "Description")

    validation = review(qtbot, page)
    discounts = line_values(validation, "discount")
    assert "20%" in discounts and "20" not in discounts and "10%" in discounts
    assert line_values(validation, "description")[0] == "Laptop Stand"

    back_to_mapping(qtbot, page)
    dialog = open_dialog(qtbot, page, "Discount")
    assert dialog.percent.isChecked()
    dialog.percent.setChecked(False)
    accept(qtbot, page, dialog)
    dialog = open_dialog(qtbot, page, "Description")
    assert dialog.split_part.currentText() == "the first part" and dialog.split_separator.text() == " ("
    dialog.split_part.setCurrentText("the whole value")
    accept(qtbot, page, dialog)
    assert not any(t.op == "split" for t in rules_of(page, "Description"))
    assert not any(isinstance(t, NumberFormat) and t.percent for t in rules_of(page, "Discount"))
    validation = review(qtbot, page)
    assert "20" in line_values(validation, "discount") and "20%" not in line_values(validation, "discount")
    assert line_values(validation, "description")[0] == "Laptop Stand (LS-100)"


def test_preview_follows_the_date_order_and_cancel_changes_nothing(qtbot: Any, context: Any, qloop: Any) -> None:
    page = open_mapping(qtbot, context, samples_dir() / "creditnotes.xlsx", "creditnotes")
    before = rules_of(page, "Credit Note Date")
    dialog = open_dialog(qtbot, page, "Credit Note Date")
    assert preview(dialog)[0] == ("20.01.2026", "2026-01-20")
    dialog.date_order.setCurrentText("month-first")
    assert preview(dialog)[0] == ("20.01.2026", "\u2717 not a date month-first, this column's order; day-first "
                                                "it would be 2026-01-20")
    qtbot.keyClicks(dialog.date_formats, "%d.%m.%Y")
    assert preview(dialog)[0] == ("20.01.2026", "2026-01-20")  # the layout is tried first
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    closed(qtbot, page)
    assert rules_of(page, "Credit Note Date") == before

    dialog = open_dialog(qtbot, page, "Rate")  # "25,00": a decimal comma, proposed by auto-map
    assert dialog.decimal_mark.currentData() == "," and not dialog.isAncestorOf(dialog.percent)
    assert ("25,00", "25") in preview(dialog)
    dialog.decimal_mark.setCurrentIndex(dialog.decimal_mark.findData("."))
    # read with a decimal point, the comma cannot be a thousands separator: both readings are shown
    assert ("25,00", "\u2717 25.00 or 2500? this column uses a decimal point") in preview(dialog)
    dialog.decimal_mark.setCurrentIndex(dialog.decimal_mark.findData(None))
    assert ("25,00", "25") in preview(dialog)  # as the column's values show
    dialog.reject()
    closed(qtbot, page)


def test_every_shortcut_of_the_dialog_is_unique_and_every_editor_explains_itself(
        qtbot: Any, context: Any, qloop: Any) -> None:
    page = open_mapping(qtbot, context, samples_dir() / "salesorders.xlsx", "salesorders")
    for header in ("Order Date", "Discount", "Customer", "Notes"):
        dialog = open_dialog(qtbot, page, header)
        texts = [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)
                 if w.isVisibleTo(dialog)]
        keys = [m.group(1).lower() for t in texts for m in [re.search(r"&(\w)", t)] if m]
        assert len(keys) == len(set(keys)) >= 6, (header, keys)
        for editor in (dialog.trim, dialog.split_part, dialog.split_separator, dialog.values, dialog.default,
                       dialog.case, dialog.percent, dialog.date_order, dialog.true_words):
            if dialog.isAncestorOf(editor):
                assert editor.toolTip(), (header, editor.objectName())
        dialog.reject()
        closed(qtbot, page)


def test_rules_the_dialog_does_not_show_for_the_field_are_kept(qtbot: Any, context: Any, qloop: Any) -> None:
    page = open_mapping(qtbot, context, samples_dir() / "salesorders.xlsx", "salesorders")
    model = page.mapping_step.model
    assert model is not None
    ci = model.table.headers.index("Quantity")
    model.set_rules(ci, [NumberFormat(percent=True), Case(to="upper"), BooleanWords(true=["si"])], None)
    dialog = open_dialog(qtbot, page, "Quantity")
    assert not dialog.isAncestorOf(dialog.percent) and not dialog.isAncestorOf(dialog.case)
    accept(qtbot, page, dialog)
    assert rules_of(page, "Quantity") == [Case(to="upper"), NumberFormat(percent=True), BooleanWords(true=["si"])]


def test_preview_of_a_field_fed_by_joined_columns(qtbot: Any, context: Any, qloop: Any) -> None:
    page = open_mapping(qtbot, context, samples_dir() / "contacts.xlsx", "contacts")
    model = page.mapping_step.model
    assert model is not None
    fields = [fm for fm in model.mapping.fields if fm.field != "billing_address.address"]
    joined = FieldMapping(field="billing_address.address", columns=["Billing Street", "Billing City"], join=", ")
    model.set_mapping(model.mapping.model_copy(update={"fields": [*fields, joined]}))
    dialog = open_dialog(qtbot, page, "Billing Street")
    assert preview(dialog)[0] == ("107 Market Street, Seattle", "107 Market Street, Seattle")
    dialog.case.setCurrentText("lower case")
    assert preview(dialog)[0] == ("107 Market Street, Seattle", "107 market street, seattle")
    accept(qtbot, page, dialog)
    validation = review(qtbot, page)
    assert validation.prepared.documents[0].payload["billing_address"]["address"] == "107 market street, seattle"
