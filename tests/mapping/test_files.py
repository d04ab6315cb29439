"""Generated files through the real reader: every transform from a mapping file, and spreadsheet error cells."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook

from app.mapping import Mapping, load_mapping, prepare
from app.sheets import read_table

MAPPING = {
    "version": 1, "entity": "salesorders", "operation": "create", "document_key": "Nº",
    "fields": [
        {"field": "salesorder_number", "columns": ["Nº"], "transforms": [{"op": "trim"}, {"op": "case", "to": "upper"}]},
        {"field": "date", "columns": ["Datum"], "transforms": [{"op": "date", "order": "day-first"}]},
        {"field": "shipment_date", "columns": ["Lieferung"], "transforms": [{"op": "date", "formats": ["%Y%m%d"]}]},
        {"field": "customer_id", "columns": ["Kunde"], "transforms": [{"op": "split", "separator": "|", "index": 0}, {"op": "trim"}],
         "lookup": {"kind": "customer", "by": "name"}},
        {"field": "is_inclusive_tax", "columns": ["Brutto"], "transforms": [{"op": "boolean", "true": ["ja"], "false": ["nein"]}]},
        {"field": "delivery_method", "columns": ["Versand"], "transforms": [{"op": "map", "values": {"DHL": "Courier", "Abholung": "Pickup"}}, {"op": "default", "value": "Post"}]},
        {"field": "notes", "columns": ["Notiz 1", "Notiz 2"], "join": " - "},
        {"field": "custom_fields.cf_channel", "constant": "web"},
        {"field": "line_items.item_id", "columns": ["Artikel"], "lookup": {"kind": "item", "by": "sku"}},
        {"field": "line_items.quantity", "columns": ["Menge"], "transforms": [{"op": "number", "decimal": ","}]},
        {"field": "line_items.rate", "columns": ["Preis"], "transforms": [{"op": "number", "decimal": ","}]},
        {"field": "line_items.discount", "columns": ["Rabatt"], "transforms": [{"op": "number", "decimal": ",", "percent": True}]},
        {"field": "line_items.tax_id", "columns": ["MwSt"], "transforms": [{"op": "number", "decimal": ","}], "lookup": {"kind": "tax", "by": "rate"}},
    ],
}

CSV = """Nº;Datum;Lieferung;Kunde;Brutto;Versand;Notiz 1;Notiz 2;Artikel;Menge;Preis;Rabatt;MwSt
 so-1 ;25.01.2026;20260201;Fabrikam GmbH | München;ja;DHL;Bitte;klingeln;LS-100;2;1.234,50 €;12,5;20 %
so-1;25.01.2026;20260201;Fabrikam GmbH;ja;DHL;Bitte;klingeln;DL-600;1,5;35,00 €;;5%
so-2;03/02/2026;;Tailspin Toys;nein;;;;UH-300;3;60;;0
"""


def test_every_transform_from_a_mapping_file_on_a_semicolon_csv(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(MAPPING), encoding="utf-8")
    (tmp_path / "orders.csv").write_text(CSV, encoding="cp1252")
    t = read_table(tmp_path / "orders.csv", encoding="windows-1252")  # "Nº" reads "Nş" in windows-1250 too
    prepared = prepare(t, load_mapping(tmp_path / "m.json"))
    so1, so2 = prepared.documents
    assert so1.valid and so2.valid, [p.message for p in prepared.all_problems()]
    assert so1.payload == {
        "salesorder_number": "SO-1", "date": "2026-01-25", "shipment_date": "2026-02-01",
        "customer_id": "Fabrikam GmbH", "is_inclusive_tax": True, "delivery_method": "Courier",
        "notes": "Bitte - klingeln", "custom_fields": [{"api_name": "cf_channel", "value": "web"}],
        "line_items": [
            {"item_id": "LS-100", "quantity": 2.0, "rate": 1234.5, "discount": "12.5%", "tax_id": "20"},
            {"item_id": "DL-600", "quantity": 1.5, "rate": 35.0, "tax_id": "5"},
        ],
    }
    assert so2.payload["delivery_method"] == "Post" and so2.payload["is_inclusive_tax"] is False
    assert so2.payload["date"] == "2026-02-03" and so2.payload["line_items"][0]["tax_id"] == "0"


def test_formula_error_cells_are_problems_on_their_cells(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Display Name", "Email"])
    sheet.append(["Acme", "#N/A"])
    sheet.append(["#REF!", "b@example.com"])
    book.save(tmp_path / "contacts.xlsx")
    t = read_table(tmp_path / "contacts.xlsx")
    mapping = Mapping.model_validate({"version": 1, "entity": "contacts", "document_key": "Display Name", "fields": [
        {"field": "contact_name", "columns": ["Display Name"]}, {"field": "contact_persons.email", "columns": ["Email"]}]})
    messages = [p.message for p in prepare(t, mapping).all_problems()]
    assert 'row 2, column "Email": "#N/A" is a formula error in the spreadsheet, not a value' in messages
    assert 'row 3, column "Display Name": "#REF!" is a formula error in the spreadsheet, not a value' in messages

