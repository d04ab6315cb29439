"""Auto-mapping: Zoho's own export maps fully; other systems' headers; inferred dates, decimals, lookups."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from app.entities import ENTITIES
from app.mapping import automap, prepare
from app.mapping.automap import infer_date, infer_number
from app.sheets import read_table
from tests.mapping.tables import table

ZOHO_ORDER_ROW = {
    "SalesOrder ID": "460000000039129", "Order Date": "2026-01-25", "Expected Shipment Date": "2026-02-01",
    "SalesOrder Number": "SO-00012", "Status": "open", "Customer ID": "460000000017138", "Customer Name": "Bowman and Co",
    "Is Inclusive Tax": "false", "PurchaseOrder": "PO-7", "Currency Code": "USD", "Exchange Rate": "1.00",
    "Discount Type": "item_level", "Is Discount Before Tax": "true", "Entity Discount Amount": "0.00",
    "Entity Discount Percent": "0.00", "Item Name": "Laptop Stand", "Product ID": "460000000050001", "SKU": "LS-100",
    "Account": "Sales", "Item Desc": "Aluminium stand", "QuantityOrdered": "2.00", "Usage unit": "pcs",
    "Item Price": "45.00", "Discount": "10.00%", "Discount Amount": "9.00", "Tax ID": "460000000060001",
    "Item Tax": "Standard Rate", "Item Tax %": "20.00", "Item Tax Amount": "16.20", "Item Type": "goods",
    "Item Total": "81.00", "SubTotal": "81.00", "Total": "97.20", "Shipping Charge": "5.00", "Adjustment": "0.00",
    "Sales Person": "Alice Martin", "Payment Terms": "30", "Payment Terms Label": "Net 30", "Notes": "Thanks",
    "Terms & Conditions": "Pay on time", "Delivery Method": "Courier", "CF.External ID": "EXT-12", "CF.Channel": "web",
}


def write_xlsx(path: Path, headers: list[str], rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


@pytest.mark.parametrize("name", list(ENTITIES))
def test_zoho_export_headers_are_all_accounted_for(name: str) -> None:
    headers = list(ENTITIES[name].export_headers)
    mapping = automap(table(headers), name)
    mapped = {c for f in mapping.fields for c in f.columns}
    assert mapping.unmapped == []
    assert mapped | set(mapping.ignored) == set(headers)
    assert not mapped & set(mapping.ignored)
    assert mapping.document_key == mapping.column_of(ENTITIES[name].key_field)
    assert all(f.confidence is not None and f.confidence >= 0.85 for f in mapping.fields)


def test_a_zoho_sales_order_export_file_maps_and_validates(tmp_path: Path) -> None:
    headers = list(ENTITIES["salesorders"].export_headers)
    first = [ZOHO_ORDER_ROW.get(h) for h in headers]
    second = dict(ZOHO_ORDER_ROW, **{"Item Name": "Desk Lamp", "Item Tax": "Reduced Rate", "Discount": ""})
    path = write_xlsx(tmp_path / "SalesOrders.xlsx", headers, [first, [second.get(h) for h in headers]])
    t = read_table(path)
    mapping = automap(t, "salesorders")
    assert mapping.unmapped == []
    prepared = prepare(t, mapping)
    (doc,) = prepared.documents
    assert doc.valid, [p.message for p in doc.problems]
    assert prepared.problems == []  # nothing left unmapped, nothing unaccounted
    assert doc.zoho_id == "460000000039129"
    p = doc.payload
    # Zoho's own export carries the IDs: "Customer ID", "Product ID" and "Tax ID" win over the name columns.
    assert p["date"] == "2026-01-25" and p["customer_id"] == "460000000017138" and p["discount_type"] == "item_level"
    assert p["line_items"][0] == {
        "item_id": "460000000050001", "account_id": "Sales", "description": "Aluminium stand", "quantity": 2.0,
        "unit": "pcs", "rate": 45.0, "discount": "10%", "tax_id": "460000000060001", "product_type": "goods",
    }
    assert {(lk.kind, lk.by) for lk in doc.lookups} == {
        ("customer", "id"), ("currency", "code"), ("item", "id"), ("account", "name"), ("tax", "id"),
        ("salesperson", "name")}
    assert {"api_name": "cf_channel", "value": "web"} in p["custom_fields"]


def test_other_systems_headers_map_to_the_same_fields() -> None:
    quickbooks = table(["Customer", "Email", "Phone", "Billing Street", "Billing City", "Billing Zip", "Company"])
    xero = table(["ContactName", "AccountNumber", "EmailAddress", "FirstName", "LastName", "POAttentionTo",
                  "POAddressLine1", "POCity", "PORegion", "POPostalCode", "POCountry", "SAAddressLine1", "SACity",
                  "PhoneNumber", "MobileNumber", "SkypeName", "TaxNumber", "Website"])
    qb = {f.columns[0]: f.field for f in automap(quickbooks, "contacts").fields}
    assert qb == {"Customer": "contact_name", "Email": "contact_persons.email", "Phone": "contact_persons.phone",
                  "Billing Street": "billing_address.address", "Billing City": "billing_address.city",
                  "Billing Zip": "billing_address.zip", "Company": "company_name"}
    xm = automap(xero, "contacts")
    assert {f.columns[0]: f.field for f in xm.fields} == {
        "ContactName": "contact_name", "EmailAddress": "contact_persons.email", "FirstName": "contact_persons.first_name",
        "LastName": "contact_persons.last_name", "POAttentionTo": "billing_address.attention",
        "POAddressLine1": "billing_address.address", "POCity": "billing_address.city", "PORegion": "billing_address.state",
        "POPostalCode": "billing_address.zip", "POCountry": "billing_address.country",
        "SAAddressLine1": "shipping_address.address", "SACity": "shipping_address.city",
        "PhoneNumber": "contact_persons.phone", "MobileNumber": "contact_persons.mobile", "SkypeName": "contact_persons.skype",
        "TaxNumber": "vat_reg_no", "Website": "website"}
    assert xm.unmapped == ["AccountNumber"]
    sage = automap(table(["Name", "Street1", "Street2", "Town", "County", "Post Code", "Telephone", "E-Mail", "WWW", "VAT Number"]), "contacts")
    assert {f.columns[0]: f.field for f in sage.fields} == {
        "Name": "contact_name", "Street1": "billing_address.address", "Street2": "billing_address.street2",
        "Town": "billing_address.city", "County": "billing_address.state", "Post Code": "billing_address.zip",
        "Telephone": "contact_persons.phone", "E-Mail": "contact_persons.email", "WWW": "website",
        "VAT Number": "vat_reg_no"}


def test_confidence_ranks_labels_over_synonyms_over_resemblance() -> None:
    m = automap(table(["Order Date", "SO Number", "Customer Full Name"]), "salesorders")
    conf = {f.columns[0]: f.confidence for f in m.fields}
    assert conf["Order Date"] == 1.0
    assert conf["SO Number"] == 0.9
    assert conf["Customer Full Name"] is not None and 0.4 < conf["Customer Full Name"] < 0.9
    assert m.for_field("customer_id").columns == ["Customer Full Name"]  # type: ignore[union-attr]


def test_a_field_taken_twice_keeps_the_better_column() -> None:
    m = automap(table(["Display Name", "Contact Name"]), "contacts")
    assert m.column_of("contact_name") == "Display Name"
    assert "already taken" in m.ignored["Contact Name"]


def test_date_order_is_inferred_from_the_values() -> None:
    assert infer_date(["01/02/2026", "25/01/2026"])[0].order == "day-first"
    assert infer_date(["01/02/2026", "01/25/2026"])[0].order == "month-first"
    rule, confidence, note = infer_date(["01/02/2026", "03/04/2026"])
    assert confidence < 1.0 and "assumed" in note and rule.order == "day-first" and rule.assumed
    assert not infer_date(["01/02/2026", "25/01/2026"])[0].assumed
    assert infer_date(["2026-01-25"])[0].order == "year-first"
    assert infer_date(["25/01/2026", "01/25/2026"])[1] < 1.0
    t = table(["Order Date", "Customer", "Item"], ["12/31/2026", "A", "B"], ["01/05/2026", "A", "B"])
    dm = automap(t, "salesorders").for_field("date")
    assert dm is not None and any(getattr(x, "order", None) == "month-first" for x in dm.transforms)


def test_decimal_separator_is_inferred_from_the_values() -> None:
    assert infer_number(["12", "1.234,50"])[0].decimal == ","
    assert infer_number(["12", "3,5"])[0].decimal == ","
    assert infer_number(["1,234.50", "7"])[0].decimal == "."
    assert infer_number(["1,234"])[0].decimal is None  # 1234 or 1.234: nothing decides, the user is asked
    assert infer_number(["1,234", "99.95"])[0].decimal == "."  # ...unless another value does
    assert infer_number(["0,500"])[0].decimal == ","  # "0" is no thousands group
    assert infer_number(["1,23,456.50"])[0].decimal == "."  # Indian lakh grouping
    assert infer_number(["1.234,50", "1,234.50"])[1] < 1.0


def test_lookups_are_by_email_sku_rate_or_code_as_the_column_says() -> None:
    t = table(["Customer Email", "SKU", "Tax %", "Currency", "Client"],
              ["a@b.example", "LS-100", "20", "EUR", "x@y.example"])
    m = automap(t, "salesorders")
    by = {f.columns[0]: (f.lookup.kind, f.lookup.by) for f in m.fields if f.lookup}
    assert by["SKU"] == ("item", "sku")
    assert by["Tax %"] == ("tax", "rate")
    assert by["Currency"] == ("currency", "code")
    customer = by.get("Customer Email") or by.get("Client")
    assert customer == ("customer", "email")


def test_custom_field_columns_map_by_label() -> None:
    m = automap(table(["CF.Region", "CF.Loyalty Tier", "Item.CF.Colour", "Display Name"]), "contacts")
    assert m.column_of("custom_fields.cf_region") == "CF.Region"
    assert m.column_of("custom_fields.Loyalty Tier") == "CF.Loyalty Tier"
    so = automap(table(["Item.CF.Colour", "Customer Name", "Item Name"]), "salesorders")
    assert so.column_of("line_items.item_custom_fields.Colour") == "Item.CF.Colour"


def test_other_words_for_allowed_values_get_a_value_map() -> None:
    t = table(["Name", "Type", "Language"], ["A", "Supplier", "German"], ["B", "Customer", "en"])
    m = automap(t, "contacts")
    prepared = prepare(t, m)
    assert [d.payload.get("contact_type") for d in prepared.documents] == ["vendor", "customer"]
    assert [d.payload.get("language_code") for d in prepared.documents] == ["de", "en"]
    strange = automap(table(["Name", "Type"], ["A", "Partner"]), "contacts").for_field("contact_type")
    assert strange is not None and strange.confidence is not None and strange.confidence < 0.9
