"""The sample spreadsheets are reproducible and name only what the demo organization holds."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from app.mapping import automap, prepare
from app.sheets import read_table

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"

# The sandbox's demo organization (app/sandbox/seed.py).
ITEMS = {"Laptop Stand": "LS-100", "Wireless Mouse": "WM-200", "USB-C Hub": "UH-300", "Mechanical Keyboard": "MK-400",
         "27-inch Monitor": "MN-500", "Desk Lamp": "DL-600", "Office Chair": "OC-700",
         "Installation Service": "SV-900", "Annual Support Plan": "SP-950"}
TAXES = {"Standard Rate", "Reduced Rate", "Zero Rate", "Sales Tax"}
CURRENCIES = {"USD", "EUR", "GBP", "INR", "AUD", "CAD"}
ACCOUNTS = {"Sales", "General Income", "Discount", "Shipping Charge", "Sales Returns"}
SALESPERSONS = {"Alice Martin", "Bob Chen", "Carla Diaz"}
SEEDED_CONTACTS = {"Bowman and Co", "Zylker Corp", "Acme Corporation"}


def _load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["contacts.xlsx", "salesorders.xlsx", "creditnotes.xlsx", "salesorders-with-problems.csv"])
def test_the_generator_reproduces_the_committed_samples(tmp_path: Path, name: str) -> None:
    _load_generator().main(tmp_path)
    fresh, committed = read_table(tmp_path / name), read_table(SAMPLES / name)
    assert fresh.headers == committed.headers and fresh.rows == committed.rows


def _documents(name: str):  # type: ignore[no-untyped-def]
    t = read_table(SAMPLES / f"{name}.xlsx")
    prepared = prepare(t, automap(t, name))
    assert prepared.problems == [] and all(d.valid for d in prepared.documents)
    return prepared.documents


def test_samples_reference_the_demo_organization_and_the_sample_contacts() -> None:
    contacts = _documents("contacts")
    customers = {d.payload["contact_name"] for d in contacts if d.payload.get("contact_type") == "customer"}
    assert len(contacts) >= 10 and not customers & SEEDED_CONTACTS
    assert any(len(d.payload.get("contact_persons", [])) > 1 for d in contacts)
    assert all("billing_address" in d.payload for d in contacts)
    allowed = {"customer": customers, "item": set(ITEMS) | set(ITEMS.values()), "tax": TAXES,
               "currency": CURRENCIES, "account": ACCOUNTS, "salesperson": SALESPERSONS}
    orders, notes = _documents("salesorders"), _documents("creditnotes")
    assert len(orders) == 8 and all(len(d.payload["line_items"]) >= 2 for d in orders)
    assert len(notes) == 4
    for doc in [*orders, *notes]:
        for lookup in doc.lookups:
            assert lookup.value in allowed[lookup.kind], (doc.key, lookup)
    assert {lk.by for d in notes for lk in d.lookups if lk.kind == "item"} == {"sku"}
