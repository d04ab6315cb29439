"""Shapes of the sandbox's CRM Quotes, Sales_Orders and Invoices records: catalogue, line items, field checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.sandbox.crm_errors import CrmError, invalid_data, mandatory_not_found, path_details


@dataclass(frozen=True)
class Module:
    """One CRM inventory module: its API name, ID, line-item subform and number field."""

    api_name: str
    id: str
    singular: str
    items_field: str
    number_field: str
    number_prefix: str
    id_base: int


MODULES: dict[str, Module] = {
    m.api_name: m
    for m in (
        Module("Quotes", "460000000000101", "Quote", "Quoted_Items", "Quote_Number", "QT", 460000000100000),
        Module("Sales_Orders", "460000000000103", "Sales Order", "Ordered_Items", "SO_Number", "SO", 460000000200000),
        Module("Invoices", "460000000000105", "Invoice", "Invoiced_Items", "Invoice_Number", "INV", 460000000300000),
    )
}
MODULE_BY_ID = {m.id: m for m in MODULES.values()}

# Which modules a record of each module converts to (seed 000).
CONVERT_TARGETS: dict[str, tuple[str, ...]] = {
    "Quotes": ("Sales_Orders", "Invoices"),
    "Sales_Orders": ("Invoices",),
}

APPROVAL_STATES = ("approved", "approval_process_pending", "approval_process_rejected", "review_process_pending")

USERS = [
    {"id": "460000000000501", "name": "Alice Martin", "email": "alice.martin@zylker.example"},
    {"id": "460000000000502", "name": "Bob Chen", "email": "bob.chen@zylker.example"},
    {"id": "460000000000503", "name": "Carla Diaz", "email": "carla.diaz@zylker.example"},
]
ACCOUNTS = [
    {"id": "460000000000601", "name": "Bowman and Co"},
    {"id": "460000000000602", "name": "Zylker Corp"},
    {"id": "460000000000603", "name": "Acme Corporation"},
    {"id": "460000000000604", "name": "Globex Inc"},
    {"id": "460000000000605", "name": "Initech LLC"},
    {"id": "460000000000606", "name": "Umbrella Ltd"},
]
# (id, name, code, unit price, tax percent) — the demo organization's items.
PRODUCTS = [
    ("460000000000701", "Laptop Stand", "LS-100", 45.00, 20.0),
    ("460000000000702", "Wireless Mouse", "WM-200", 25.00, 20.0),
    ("460000000000703", "USB-C Hub", "UH-300", 60.00, 20.0),
    ("460000000000704", "Mechanical Keyboard", "MK-400", 120.00, 20.0),
    ("460000000000705", "27-inch Monitor", "MN-500", 310.00, 20.0),
    ("460000000000706", "Desk Lamp", "DL-600", 35.00, 5.0),
    ("460000000000707", "Office Chair", "OC-700", 240.00, 20.0),
    ("460000000000708", "Installation Service", "SV-900", 80.00, 0.0),
    ("460000000000709", "Annual Support Plan", "SP-950", 500.00, 0.0),
]
PRODUCT_BY_ID = {p[0]: p for p in PRODUCTS}
TAGS = [
    {"id": "460000000000801", "name": "Priority"},
    {"id": "460000000000802", "name": "Renewal"},
    {"id": "460000000000803", "name": "Enterprise"},
]
SUBJECT_MAX = 255

# Fields every record of a module has; `fields=` on list pages must name some of these.
COMMON_FIELDS = (
    "id", "Subject", "Account_Name", "Owner", "Currency", "Tag", "Description", "Terms_and_Conditions",
    "Sub_Total", "Discount", "Tax", "Adjustment", "Grand_Total", "Created_Time", "Modified_Time",
    "$approval_state", "$converted", "$converted_detail",
)
MODULE_FIELDS: dict[str, frozenset[str]] = {
    "Quotes": frozenset(COMMON_FIELDS + ("Quote_Number", "Quote_Stage", "Valid_Till", "Quoted_Items")),
    "Sales_Orders": frozenset(COMMON_FIELDS + ("SO_Number", "Status", "Due_Date", "Quote_Name", "Ordered_Items")),
    "Invoices": frozenset(
        COMMON_FIELDS
        + ("Invoice_Number", "Status", "Invoice_Date", "Due_Date", "Quote_Name", "Sales_Order", "Invoiced_Items")
    ),
}
# Lookup fields a created record may set, and the module they point to.
LOOKUPS: dict[str, dict[str, str]] = {
    "Quotes": {},
    "Sales_Orders": {"Quote_Name": "Quotes"},
    "Invoices": {"Quote_Name": "Quotes", "Sales_Order": "Sales_Orders"},
}


def money(value: float) -> float:
    return round(value + 0.0, 2)


def line_item(item_id: str, product_id: str, quantity: float, list_price: float | None = None,
              discount: float = 0.0, description: str | None = None) -> dict[str, Any]:
    """One line of a Quoted_Items / Ordered_Items / Invoiced_Items subform, totals computed."""
    pid, name, code, price, tax_percent = PRODUCT_BY_ID[product_id]
    unit = price if list_price is None else list_price
    total = money(quantity * unit)
    after_discount = money(total - discount)
    tax = money(after_discount * tax_percent / 100)
    return {
        "id": item_id,
        "Product_Name": {"id": pid, "name": name},
        "Product_Code": code,
        "Quantity": quantity,
        "List_Price": unit,
        "Discount": discount,
        "Total": total,
        "Total_After_Discount": after_discount,
        "Tax": tax,
        "Net_Total": money(after_discount + tax),
        "Description": description,
    }


def totals(items: list[dict[str, Any]], adjustment: float = 0.0) -> dict[str, float]:
    sub_total = money(sum(i["Total_After_Discount"] for i in items))
    tax = money(sum(i["Tax"] for i in items))
    return {
        "Sub_Total": sub_total,
        "Discount": 0.0,
        "Tax": tax,
        "Adjustment": adjustment,
        "Grand_Total": money(sub_total + tax + adjustment),
    }


def account_lookup(value: Any, json_path: str) -> dict[str, str]:
    """Resolve an `Account_Name` lookup given as {"id"} or {"name"}."""
    if not isinstance(value, dict):
        raise invalid_data(path_details("Account_Name", json_path, expected_data_type="jsonobject"))
    for account in ACCOUNTS:
        if value.get("id") == account["id"] or ("id" not in value and value.get("name") == account["name"]):
            return dict(account)
    raise invalid_data(path_details("Account_Name", json_path))


def owner_lookup(value: Any, json_path: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise invalid_data(path_details("Owner", json_path, expected_data_type="jsonobject"))
    for user in USERS:
        if value.get("id") == user["id"]:
            return dict(user)
    raise invalid_data(path_details("Owner", json_path))


def tag_list(value: Any, json_path: str) -> list[dict[str, str]]:
    """`Tag` on create: a list of {"name"} (known tags keep their IDs, new names get none)."""
    if not isinstance(value, list) or not all(isinstance(t, dict) and isinstance(t.get("name"), str) for t in value):
        raise invalid_data(path_details("Tag", json_path, expected_data_type="jsonarray"))
    known = {t["name"]: t for t in TAGS}
    return [dict(known.get(t["name"], {"id": None, "name": t["name"]})) for t in value]


def number(value: Any, api_name: str, json_path: str, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_data(path_details(api_name, json_path, expected_data_type="double"))
    if value < minimum:
        raise invalid_data(path_details(api_name, json_path))
    return float(value)


def line_items_from_input(value: Any, items_field: str, json_path: str, new_id: Any) -> list[dict[str, Any]]:
    """Check a created record's line items and compute their totals."""
    if value is None:
        raise mandatory_not_found(items_field, json_path)
    if not isinstance(value, list):
        raise invalid_data(path_details(items_field, json_path, expected_data_type="jsonarray"))
    if not value:
        raise mandatory_not_found(items_field, json_path)
    items = []
    for index, raw in enumerate(value):
        at = f"{json_path}[{index}]"
        if not isinstance(raw, dict):
            raise invalid_data(path_details(items_field, at, expected_data_type="jsonobject"))
        product = raw.get("Product_Name")
        if product is None:
            raise mandatory_not_found("Product_Name", f"{at}.Product_Name")
        if not isinstance(product, dict) or product.get("id") not in PRODUCT_BY_ID:
            raise invalid_data(path_details("Product_Name", f"{at}.Product_Name"))
        if "Quantity" not in raw:
            raise mandatory_not_found("Quantity", f"{at}.Quantity")
        quantity = number(raw["Quantity"], "Quantity", f"{at}.Quantity", minimum=0.000001)
        price = raw.get("List_Price")
        list_price = None if price is None else number(price, "List_Price", f"{at}.List_Price")
        discount = number(raw.get("Discount", 0.0), "Discount", f"{at}.Discount")
        description = raw.get("Description")
        if description is not None and not isinstance(description, str):
            raise invalid_data(path_details("Description", f"{at}.Description", expected_data_type="string"))
        items.append(line_item(new_id(), product["id"], quantity, list_price, discount, description))
    return items


def check_subject(value: Any, json_path: str) -> str:
    if value is None or value == "":
        raise mandatory_not_found("Subject", json_path)
    if not isinstance(value, str):
        raise invalid_data(path_details("Subject", json_path, expected_data_type="string"))
    if len(value) > SUBJECT_MAX:
        raise invalid_data(path_details("Subject", json_path, maximum_length=SUBJECT_MAX))
    return value


def check_approval_state(value: Any, json_path: str) -> str:
    if value not in APPROVAL_STATES:
        raise invalid_data(path_details("$approval_state", json_path, supported_values=list(APPROVAL_STATES)))
    return str(value)


def record_added(record: dict[str, Any]) -> dict[str, Any]:
    """The per-record entry of a create answer for a record that was added."""
    owner = {"name": record["Owner"]["name"], "id": record["Owner"]["id"]}
    details = {"Modified_Time": record["Modified_Time"], "Modified_By": owner,
               "Created_Time": record["Created_Time"], "id": record["id"], "Created_By": owner}
    return {"code": "SUCCESS", "details": details, "message": "record added", "status": "success"}


def record_error(error: CrmError) -> dict[str, Any]:
    """The per-record entry of a create answer for a record that was refused."""
    return {"code": error.code, "details": error.details, "message": error.message, "status": "error"}
