"""The deterministic demo organization every fresh sandbox file starts with."""

from __future__ import annotations

from typing import Any

from app.sandbox.store import Store

ORGANIZATION_ID = "10234695"
ORGANIZATION_NAME = "Zylker Demo Ltd"
CREATED_TIME = "2026-01-05T09:00:00+0000"

CURRENCIES = [
    ("USD", "US Dollar", "$"),
    ("EUR", "Euro", "€"),
    ("GBP", "Pound Sterling", "£"),
    ("INR", "Indian Rupee", "₹"),
    ("AUD", "Australian Dollar", "$"),
    ("CAD", "Canadian Dollar", "$"),
]
TAXES = [("Standard Rate", 20.0), ("Reduced Rate", 5.0), ("Zero Rate", 0.0), ("Sales Tax", 8.25)]
ITEMS = [
    ("Laptop Stand", "LS-100", 45.00, "Standard Rate", "goods"),
    ("Wireless Mouse", "WM-200", 25.00, "Standard Rate", "goods"),
    ("USB-C Hub", "UH-300", 60.00, "Standard Rate", "goods"),
    ("Mechanical Keyboard", "MK-400", 120.00, "Standard Rate", "goods"),
    ("27-inch Monitor", "MN-500", 310.00, "Standard Rate", "goods"),
    ("Desk Lamp", "DL-600", 35.00, "Reduced Rate", "goods"),
    ("Office Chair", "OC-700", 240.00, "Standard Rate", "goods"),
    ("Installation Service", "SV-900", 80.00, "Zero Rate", "service"),
    ("Annual Support Plan", "SP-950", 500.00, "Zero Rate", "service"),
]
ACCOUNTS = [
    ("Sales", "income"),
    ("General Income", "income"),
    ("Discount", "income"),
    ("Shipping Charge", "income"),
    ("Sales Returns", "income"),
    ("Accounts Receivable", "accounts_receivable"),
    ("Undeposited Funds", "cash"),
    ("Cost of Goods Sold", "cost_of_goods_sold"),
]
SALESPERSONS = [
    ("Alice Martin", "alice.martin@zylker.example"),
    ("Bob Chen", "bob.chen@zylker.example"),
    ("Carla Diaz", "carla.diaz@zylker.example"),
]
CUSTOM_FIELDS = [
    ("contacts", "cf_external_id", "External ID", True),
    ("contacts", "cf_region", "Region", False),
    ("salesorders", "cf_external_id", "External ID", True),
    ("salesorders", "cf_channel", "Channel", False),
    ("creditnotes", "cf_external_id", "External ID", True),
]
CONTACTS = [
    ("Bowman and Co", "bowman@example.com"),
    ("Zylker Corp", "accounts@zylker.example"),
    ("Acme Corporation", "billing@acme.example"),
]


def _add(store: Store, entity: str, id_field: str, fields: dict[str, Any], **columns: Any) -> str:
    """Insert one record of `entity` under a new ID (kept in `id_field`) and return the ID."""
    record_id = store.new_id()
    store.insert(entity, record_id, {id_field: record_id, **fields}, **columns)
    return record_id


def seed_demo(store: Store) -> None:
    """Fill an empty sandbox file with the demo organization (same IDs every time)."""
    with store.transaction():
        store.insert("organizations", ORGANIZATION_ID, {
            "organization_id": ORGANIZATION_ID, "name": ORGANIZATION_NAME, "contact_name": "Demo Owner",
            "email": "owner@zylker.example", "is_default_org": True, "plan_type": 4, "plan_name": "premium",
            "currency_code": "USD", "currency_symbol": "$", "price_precision": 2, "time_zone": "UTC",
            "language_code": "en", "date_format": "yyyy-MM-dd", "country": "U.S.A", "created_time": CREATED_TIME,
        })
        currency_ids = {
            code: _add(store, "currencies", "currency_id", {
                "currency_code": code, "currency_name": name, "currency_symbol": symbol, "price_precision": 2,
                "currency_format": "1,234,567.89", "is_base_currency": code == "USD",
                "exchange_rate": 1.0 if code == "USD" else 0.0,
            }, name=code)
            for code, name, symbol in CURRENCIES
        }
        tax_ids = {
            name: _add(store, "taxes", "tax_id", {
                "tax_name": name, "tax_percentage": percentage, "tax_type": "tax", "is_default_tax": False,
                "is_editable": True,
            }, name=name)
            for name, percentage in TAXES
        }
        accounts = {
            name: _add(store, "chartofaccounts", "account_id", {
                "account_name": name, "account_type": kind, "is_active": True, "is_user_created": False,
                "is_system_account": True,
            }, name=name)
            for name, kind in ACCOUNTS
        }
        for name, sku, rate, tax, product_type in ITEMS:
            _add(store, "items", "item_id", {
                "name": name, "sku": sku, "rate": rate, "description": "", "tax_id": tax_ids[tax], "tax_name": tax,
                "tax_percentage": dict(TAXES)[tax], "product_type": product_type, "account_id": accounts["Sales"],
                "account_name": "Sales", "status": "active", "unit": "pcs" if product_type == "goods" else "hrs",
            }, name=name, number=sku)
        for name, email in SALESPERSONS:
            _add(store, "salespersons", "salesperson_id", {
                "salesperson_name": name, "salesperson_email": email, "is_active": True,
            }, name=name)
        for n, (module, api_name, label, unique) in enumerate(CUSTOM_FIELDS):
            _add(store, "customfields", "customfield_id", {
                "module": module, "api_name": api_name, "label": label, "data_type": "string", "is_unique": unique,
                "index": 1 + sum(1 for f in CUSTOM_FIELDS[:n] if f[0] == module),
            }, name=f"{module}:{api_name}")
        for name, email in CONTACTS:
            contact_id = store.new_id()
            person_id = store.new_id()
            doc: dict[str, Any] = {
                "contact_id": contact_id,
                "contact_name": name,
                "company_name": name,
                "contact_type": "customer",
                "customer_sub_type": "business",
                "status": "active",
                "email": email,
                "currency_id": currency_ids["USD"],
                "currency_code": "USD",
                "payment_terms": 15,
                "payment_terms_label": "Net 15",
                "notes": "",
                "billing_address": {},
                "shipping_address": {},
                "custom_fields": [],
                "contact_persons": [
                    {
                        "contact_person_id": person_id,
                        "salutation": "",
                        "first_name": name.split()[0],
                        "last_name": "",
                        "email": email,
                        "phone": "",
                        "mobile": "",
                        "is_primary_contact": True,
                    }
                ],
                "created_time": CREATED_TIME,
                "last_modified_time": CREATED_TIME,
            }
            store.insert(
                "contacts", contact_id, doc,
                number=name.casefold(), name=name, email=email, company=name, status="active",
            )
            store.set_person_owner(person_id, contact_id)


def summary(store: Store) -> dict[str, int]:
    """How many records of each kind the sandbox holds (printed by `zoho-bulk sandbox`)."""
    kinds = ("contacts", "salesorders", "creditnotes", "items", "taxes", "currencies",
             "chartofaccounts", "salespersons")
    return {kind: store.count(kind) for kind in kinds}
