"""Auto-mapping of the columns other systems export (QuickBooks, Xero, Salesforce): each header to the field it
means, the amounts Zoho computes left out with a reason, and no guess where a header means two things."""

from __future__ import annotations

import pytest

from app.entities import ENTITIES
from app.mapping import automap
from app.mapping.automap import normal
from app.mapping.schema import NumberFormat
from tests.mapping.tables import table

LEFT_OUT = None  # the column is not imported, with the reason the record type gives

# (record type, where the columns come from, header -> field path or LEFT_OUT)
EXPORTS: list[tuple[str, str, dict[str, str | None]]] = [
    ("salesorders", "QuickBooks Desktop sales order", {
        "Order #": "salesorder_number", "Date": "date", "Customer": "customer_id", "P. O. #": "reference_number",
        "Rep": "salesperson_id", "Via": "delivery_method", "Ship By": "shipment_date", "Item": "line_items.item_id",
        "Item Description": "line_items.description", "Qty": "line_items.quantity", "Sales Price": "line_items.rate",
        "Disc %": "line_items.discount", "Amount": LEFT_OUT, "Customer Message": "notes"}),
    ("salesorders", "QuickBooks Online sales form import", {
        "Customer": "customer_id", "Item(Product/Service)": "line_items.item_id",
        "ItemDescription": "line_items.description", "ItemQuantity": "line_items.quantity",
        "ItemRate": "line_items.rate", "ItemAmount": LEFT_OUT, "Service Date": LEFT_OUT, "Deliv Date": "shipment_date"}),
    ("salesorders", "Salesforce order and order products", {
        "OrderNumber": "salesorder_number", "Customer": "customer_id", "EffectiveDate": "date",
        "PoNumber": "reference_number", "PoDate": LEFT_OUT, "CurrencyIsoCode": "currency_id", "TotalAmount": LEFT_OUT,
        "Product Name": "line_items.item_id", "Quantity": "line_items.quantity", "UnitPrice": "line_items.rate"}),
    ("creditnotes", "QuickBooks Online credit memo import", {
        "CreditMemoNo": "creditnote_number", "Customer": "customer_id", "CreditMemoDate": "date",
        "Item(Product/Service)": "line_items.item_id", "ItemDescription": "line_items.description",
        "ItemQuantity": "line_items.quantity", "ItemRate": "line_items.rate", "ItemAmount": LEFT_OUT,
        "Memo": "notes", "Currency Code": "currency_id", "Disc": "line_items.discount"}),
    ("creditnotes", "Xero credit note export", {
        "*ContactName": "customer_id", "*CreditNoteNumber": "creditnote_number", "Reference": "reference_number",
        "*CreditNoteDate": "date", "InventoryItemCode": "line_items.item_id", "*Description": "line_items.description",
        "*Quantity": "line_items.quantity", "*UnitAmount": "line_items.rate", "Discount": "line_items.discount",
        "*AccountCode": "line_items.account_id", "*TaxType": "line_items.tax_id", "TaxAmount": LEFT_OUT,
        "Currency": "currency_id", "BrandingTheme": LEFT_OUT}),
    ("contacts", "Salesforce contacts", {
        "Account Name": "contact_name", "FirstName": "contact_persons.first_name",
        "LastName": "contact_persons.last_name", "Email": "contact_persons.email", "Phone": "contact_persons.phone",
        "MobilePhone": "contact_persons.mobile", "Department": "contact_persons.department",
        "MailingStreet": "billing_address.address", "MailingCity": "billing_address.city",
        "MailingState": "billing_address.state", "MailingPostalCode": "billing_address.zip",
        "MailingCountry": "billing_address.country", "Shipping Zip/Postal Code": "shipping_address.zip"}),
    ("contacts", "QuickBooks Online customers", {
        "Display Name As": "contact_name", "Company name": "company_name", "Email": "contact_persons.email",
        "Phone": "contact_persons.phone", "Mobile": "contact_persons.mobile", "Website": "website",
        "Billing Street": "billing_address.address", "Billing City": "billing_address.city",
        "Billing State": "billing_address.state", "Billing ZIP": "billing_address.zip",
        "Billing Country": "billing_address.country", "Notes": "notes"}),
    ("contacts", "Xero contacts", {
        "ContactName": "contact_name", "EmailAddress": "contact_persons.email",
        "FirstName": "contact_persons.first_name", "LastName": "contact_persons.last_name",
        "POAttentionTo": "billing_address.attention", "POAddressLine1": "billing_address.address",
        "POCity": "billing_address.city", "PORegion": "billing_address.state", "POPostalCode": "billing_address.zip",
        "POCountry": "billing_address.country", "SAAddressLine1": "shipping_address.address",
        "SACity": "shipping_address.city", "PhoneNumber": "contact_persons.phone",
        "MobileNumber": "contact_persons.mobile", "SkypeName": "contact_persons.skype", "TaxNumber": "vat_reg_no",
        "Website": "website"}),
]


@pytest.mark.parametrize(("entity", "source", "expected"), EXPORTS, ids=[e[1] for e in EXPORTS])
def test_other_systems_exports_map_to_the_fields_they_mean(entity: str, source: str,
                                                            expected: dict[str, str | None]) -> None:
    headers = list(expected)
    mapping = automap(table(headers, ["x"] * len(headers)), entity)
    fed = {fm.columns[0]: fm for fm in mapping.fields if len(fm.columns) == 1}
    assert {h: fed[h].field if h in fed else None for h in headers} == expected
    assert mapping.unmapped == []
    for header, path in expected.items():
        if path is LEFT_OUT:  # left out on purpose, and the mapping says why
            assert mapping.ignored.get(header) == ENTITIES[entity].ignored_headers[header]
        else:
            confidence = fed[header].confidence
            assert confidence is not None and confidence >= 0.85, (header, fed[header])


def test_a_short_discount_header_is_the_line_items_and_its_percent_sign_is_read() -> None:
    mapping = automap(table(["Order Number", "Customer", "Item", "Qty", "Disc %", "Ship By"],
                            ["SO-1", "Acme", "Widget", 2, "12.5", "2026-02-01"]), "salesorders")
    disc = mapping.for_field("line_items.discount")
    assert disc is not None and disc.columns == ["Disc %"]
    assert any(isinstance(t, NumberFormat) and t.percent for t in disc.transforms)
    assert mapping.column_of("discount") is None  # not the whole order's discount
    assert mapping.column_of("shipment_date") == "Ship By"


def test_memo_is_a_credit_notes_note_but_no_confident_guess_on_a_sales_order() -> None:
    """A QuickBooks credit memo's Memo is its note (Zoho Books API, Credit Notes: notes, "A short note for the
    credit note"). On a sales order it is either an internal memo that does not print (Zoho's notes do) or, in
    line detail exports, a line's description: no synonym; at most a resemblance the step marks as unsure."""
    credit = automap(table(["Credit Note Number", "Customer", "Memo"], ["CN-1", "Acme", "Damaged"]), "creditnotes")
    assert credit.column_of("notes") == "Memo"
    order = automap(table(["Order Number", "Customer", "Item", "Memo"], ["SO-1", "Acme", "Widget", "x"]),
                    "salesorders")
    assert order.column_of("notes") is None
    guessed = next((fm for fm in order.fields if fm.columns == ["Memo"]), None)
    assert guessed is None or (guessed.confidence is not None and guessed.confidence < 0.7)


@pytest.mark.parametrize("name", list(ENTITIES))
def test_no_name_points_at_two_fields(name: str) -> None:
    """Every label and synonym of a record type means one field, so adding a synonym cannot make a header
    ambiguous; and no column left out on purpose is also a field's name (apart from the export's own)."""
    ent = ENTITIES[name]
    owner: dict[str, str] = {}
    for f in ent.fields:
        for said in {normal(s) for s in (f.label, *f.synonyms)}:
            assert owner.setdefault(said, f.path) == f.path, (said, owner[said], f.path)
    named = {normal(h) for h in ent.ignored_headers if normal(h) in owner}
    assert named <= {normal(h) for h in ent.export_headers}
