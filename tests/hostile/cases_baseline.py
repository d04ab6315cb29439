"""Hostile files the tool already handled before the integrity work: a bad date, a non-number, a missing customer."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.corpus import Case, error
from tests.jobs.conftest import write_csv

ORDER = ["Order Number", "Order Date", "Customer Name", "Item Name", "Quantity", "Rate"]


def _orders(rows: list[list[object]]):
    def build(folder: Path) -> Path:
        return write_csv(folder / "orders.csv", ORDER, rows)
    return build


CASES = [
    Case("impossible-date", "salesorders", _orders([
        ["SO-1", "2026-02-31", "Acme", "Widget", 1, 5],
        ["SO-2", "2026-02-28", "Acme", "Widget", 1, 5],
    ]), expect={2: [error("is not a date", "Order Date")]}, documents=2, valid=1, invalid=1),
]
