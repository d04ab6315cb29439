"""merge_lines: the sheet's line items laid over Zoho's, so an update edits lines in place (seed 003)."""

from __future__ import annotations

from app.jobs.importing.decide import same_values
from app.jobs.importing.identities import merge_lines

ZOHO = [
    {"line_item_id": "L1", "item_id": "MOUSE", "name": "Mouse", "quantity": 1.0, "rate": 25.0, "item_total": 25.0},
    {"line_item_id": "L2", "item_id": "HUB", "name": "Hub", "quantity": 2.0, "rate": 60.0, "item_total": 120.0},
    {"line_item_id": "L3", "item_id": "MOUSE", "name": "Mouse", "quantity": 4.0, "rate": 25.0, "item_total": 100.0},
]


def test_lines_are_matched_by_their_id_first() -> None:
    merged = merge_lines([{"line_item_id": "L3", "item_id": "MOUSE", "quantity": 9}], ZOHO)
    assert [line["line_item_id"] for line in merged] == ["L1", "L2", "L3"]
    assert merged[2]["quantity"] == 9
    assert merged[0] == {"item_id": "MOUSE", "name": "Mouse", "quantity": 1.0, "rate": 25.0, "line_item_id": "L1"}


def test_without_ids_the_nth_line_of_an_item_is_the_nth_line_of_that_item_in_zoho() -> None:
    sheet = [{"item_id": "MOUSE", "quantity": 1}, {"item_id": "MOUSE", "quantity": 5}, {"item_id": "HUB", "quantity": 2}]
    merged = merge_lines(sheet, ZOHO)
    assert [(line["line_item_id"], line["quantity"]) for line in merged] == [("L1", 1), ("L2", 2), ("L3", 5)]


def test_new_lines_come_last_without_an_id_and_left_out_lines_are_kept_unless_replaced() -> None:
    sheet = [{"item_id": "HUB", "quantity": 3}, {"item_id": "LAMP", "quantity": 1}]
    kept = merge_lines(sheet, ZOHO)
    assert [line.get("line_item_id") for line in kept] == ["L1", "L2", "L3", None]
    replaced = merge_lines(sheet, ZOHO, replace=True)
    assert [line.get("line_item_id") for line in replaced] == ["L2", None]


def test_an_id_of_no_line_of_this_document_is_not_sent_and_the_line_is_matched_by_item() -> None:
    merged = merge_lines([{"line_item_id": "OTHER-ORG-7", "item_id": "HUB", "quantity": 2}], ZOHO, replace=True)
    assert merged == [{"item_id": "HUB", "quantity": 2, "line_item_id": "L2"}]


def test_lines_zoho_already_holds_compare_equal_and_merging_twice_changes_nothing() -> None:
    sheet = [{"item_id": "MOUSE", "quantity": 1}, {"item_id": "HUB", "quantity": 2.0}]
    once = merge_lines(sheet, ZOHO)
    assert same_values({"line_items": once}, {"line_items": ZOHO})
    assert merge_lines(once, ZOHO) == once  # a resent update after an answer in doubt
    changed = merge_lines([{"item_id": "HUB", "quantity": 7}], ZOHO)
    assert not same_values({"line_items": changed}, {"line_items": ZOHO})
