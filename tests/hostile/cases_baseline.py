"""Hostile files the tool already handled before the integrity work: a bad date, a non-number, a missing customer."""

from __future__ import annotations

from tests.hostile.corpus import ORDER, Build, Case, csv_file, error


def _orders(rows: list[list[object]]) -> Build:
    return csv_file("orders.csv", ORDER, rows)


CASES = [
    Case("impossible-date", "salesorders", _orders([
        ["SO-1", "2026-02-31", "Acme", "Widget", 1, 5],
        ["SO-2", "2026-02-28", "Acme", "Widget", 1, 5],
    ]), expect={2: [error("is not a date", "Order Date")]}, documents=2, valid=1, invalid=1),
]
