"""The columns of an export: Zoho Books' own export headers, where each value comes from and its cell type.

Headers are those of Zoho's export (ZOHO-FACTS.md, `Entity.export_headers`), which are
also what the shipped mappings in mappings/ read, so an exported file imports back
without mapping work. A column is `detail` when the list pages do not show its value
(line items, contact persons, addresses, notes...): choosing one costs one detail call
per record. A `line` column takes its value from one line item (or contact person), so
the export has one row per line with the record's fields repeated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.entities import ENTITIES
from app.errors import ZohoBulkError

Kind = Literal["text", "date", "datetime", "number", "integer", "boolean", "percent", "discount"]
Getter = Callable[[dict[str, Any], dict[str, Any] | None], Any]

EXPORTABLE = ("contacts", "salesorders", "creditnotes", "items")


class ColumnError(ZohoBulkError, ValueError):
    """A column name the export does not know; one plain sentence."""


@dataclass(frozen=True)
class Column:
    """One exported column: its header, where its value comes from and how the cell is typed."""

    header: str
    get: Getter  # (record, line or person or None) -> raw value
    kind: Kind = "text"
    detail: bool = False  # the list pages do not show it: one detail call per record
    line: bool = False  # one value per line item / contact person

    def value(self, record: dict[str, Any], line: dict[str, Any] | None) -> object:
        return typed(self.get(record, line), self.kind)


def field(name: str) -> Getter:
    return lambda record, _line: record.get(name)


def nested(container: str, name: str) -> Getter:
    return lambda record, _line: (record.get(container) or {}).get(name)


def of_line(name: str, *, fallback: bool = False) -> Getter:
    """A line's (or person's) value; with `fallback`, the record's own when there is no line (list rows)."""

    def get(record: dict[str, Any], line: dict[str, Any] | None) -> Any:
        if line is not None:
            return line.get(name)
        return record.get(name) if fallback else None

    return get


def custom(label: str, api_name: str | None = None) -> Getter:
    def get(record: dict[str, Any], _line: dict[str, Any] | None) -> Any:
        for entry in record.get("custom_fields") or []:
            if (api_name and entry.get("api_name") == api_name) or entry.get("label") == label:
                return entry.get("value")
        return None

    return get


def discount_percent(record: dict[str, Any], _line: dict[str, Any] | None) -> Any:
    """The whole-document discount when it is a percentage ("12.5%" -> 12.5); amounts are not percents."""
    raw = record.get("discount")
    if isinstance(raw, str) and raw.strip().endswith("%"):
        try:
            number = float(raw.strip().rstrip("%"))
        except ValueError:
            return None
        return number or None
    return None


def typed(value: Any, kind: Kind) -> object:
    """A JSON value as the cell it should be: dates as dates, numbers as numbers, "" as empty."""
    if value is None or value == "" or isinstance(value, dict | list):
        return None
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    if kind == "datetime":
        try:
            moment = dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            return str(value)
        return moment.replace(tzinfo=None)  # a spreadsheet cell has no time zone; Zoho's own is kept
    if kind in ("number", "integer", "percent"):
        if isinstance(value, bool):
            return value
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        return int(number) if kind == "integer" and number.is_integer() else number
    if kind == "discount":  # a line discount: a number, or "12.5%" kept as text
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        text = str(value).strip()
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        return {"true": True, "false": False}.get(str(value).strip().casefold(), str(value))
    return value if isinstance(value, str) else str(value)


def _address(prefix: str, word: str, parts: Sequence[str]) -> list[Column]:
    names = {"Attention": "attention", "Address": "address", "Street2": "street2", "City": "city",
             "State": "state", "Country": "country", "Code": "zip", "Phone": "phone", "Fax": "fax",
             "Phone Number": "phone"}
    return [Column(f"{word} {part}", nested(prefix, names[part]), detail=True) for part in parts]


def _custom_columns(entity: str) -> list[Column]:
    ent = ENTITIES.get(entity)
    if ent is None:
        return []
    return [Column(f"CF.{f.label}", custom(f.label, f.name if f.name.startswith("cf_") else None))
            for f in ent.fields if f.is_custom and f.level == "document"]


def _contacts() -> list[Column]:
    return [
        Column("Contact ID", field("contact_id")),
        Column("Contact Name", field("contact_name")),
        Column("Display Name", field("contact_name")),
        Column("Company Name", field("company_name")),
        Column("Salutation", of_line("salutation"), detail=True, line=True),
        Column("First Name", of_line("first_name", fallback=True), line=True),
        Column("Last Name", of_line("last_name", fallback=True), line=True),
        Column("EmailID", of_line("email", fallback=True), line=True),
        Column("Phone", of_line("phone", fallback=True), line=True),
        Column("MobilePhone", of_line("mobile", fallback=True), line=True),
        Column("Contact Type", field("contact_type")),
        Column("Currency Code", field("currency_code")),
        Column("Payment Terms", field("payment_terms"), "integer"),
        Column("Payment Terms Label", field("payment_terms_label")),
        Column("Notes", field("notes"), detail=True),
        Column("Website", field("website")),
        Column("Status", field("status")),
        Column("Language Code", field("language_code"), detail=True),
        Column("Portal Enabled", field("is_portal_enabled"), "boolean", detail=True),
        *_address("billing_address", "Billing", ("Attention", "Address", "Street2", "City", "State",
                                                 "Country", "Code", "Phone", "Fax")),
        *_address("shipping_address", "Shipping", ("Attention", "Address", "Street2", "City",
                                                   "State", "Country", "Code", "Phone", "Fax")),
        Column("Skype Identity", of_line("skype"), detail=True, line=True),
        Column("Facebook", field("facebook"), detail=True),
        Column("Twitter", field("twitter"), detail=True),
        Column("Department", of_line("department"), detail=True, line=True),
        Column("Designation", of_line("designation"), detail=True, line=True),
        Column("Created Time", field("created_time"), "datetime"),
        Column("Last Modified Time", field("last_modified_time"), "datetime"),
        *_custom_columns("contacts"),
    ]


def _line_columns(quantity_header: str) -> list[Column]:
    def line(header: str, name: str, kind: Kind = "text") -> Column:
        return Column(header, of_line(name), kind, detail=True, line=True)

    return [
        line("Item Name", "name"), line("Product ID", "item_id"), line("SKU", "sku"),
        # Not in Zoho's own export: the line's identity, which an update sends back so the line is
        # edited rather than replaced (seed 003 "Update a sales order", line_item_id).
        line("Account", "account_name"), line("Line Item ID", "line_item_id"), line("Item Desc", "description"),
        line(quantity_header, "quantity", "number"), line("Usage unit", "unit"),
        line("Warehouse Name", "warehouse_name"), line("Item Price", "rate", "number"),
        line("Discount", "discount", "discount"), line("Discount Amount", "discount_amount", "number"),
        line("HSN/SAC", "hsn_or_sac"), line("Tax ID", "tax_id"), line("Item Tax", "tax_name"),
        line("Item Tax %", "tax_percentage", "number"),
        line("Item Tax Amount", "tax_amount", "number"),
        line("Item Type", "product_type"), line("Item Total", "item_total", "number"),
    ]


def _document(header: str, name: str, kind: Kind = "text", *, listed: bool = False) -> Column:
    return Column(header, field(name), kind, detail=not listed)


def _salesorders() -> list[Column]:
    d = _document
    return [
        d("SalesOrder ID", "salesorder_id", listed=True), d("Order Date", "date", "date", listed=True),
        d("Expected Shipment Date", "shipment_date", "date", listed=True),
        d("SalesOrder Number", "salesorder_number", listed=True), d("Status", "status", listed=True),
        d("Customer ID", "customer_id", listed=True), d("Customer Name", "customer_name", listed=True),
        d("Place of Supply", "place_of_supply"), d("GST Treatment", "gst_treatment"),
        d("GST Identification Number (GSTIN)", "gst_no"),
        d("Is Inclusive Tax", "is_inclusive_tax", "boolean"),
        d("PurchaseOrder", "reference_number", listed=True), d("Template Name", "template_name"),
        d("Currency Code", "currency_code", listed=True), d("Exchange Rate", "exchange_rate", "number"),
        d("Discount Type", "discount_type"),
        d("Is Discount Before Tax", "is_discount_before_tax", "boolean"),
        d("Entity Discount Amount", "discount_amount", "number"),
        Column("Entity Discount Percent", discount_percent, "percent", detail=True),
        *_line_columns("QuantityOrdered"),
        d("SubTotal", "sub_total", "number", listed=True), d("Total", "total", "number", listed=True),
        d("Shipping Charge", "shipping_charge", "number"), d("Adjustment", "adjustment", "number"),
        d("Adjustment Description", "adjustment_description"),
        d("Sales Person", "salesperson_name", listed=True),
        d("Payment Terms", "payment_terms", "integer"), d("Payment Terms Label", "payment_terms_label"),
        d("Notes", "notes"), d("Terms & Conditions", "terms"), d("Delivery Method", "delivery_method"),
        *_address("billing_address", "Billing", ("Address", "City", "State", "Country", "Code", "Fax",
                                                 "Phone")),
        *_address("shipping_address", "Shipping", ("Address", "City", "State", "Country", "Code",
                                                   "Fax", "Phone Number")),
        *_custom_columns("salesorders"),
    ]


def _creditnotes() -> list[Column]:
    d = _document
    return [
        d("CreditNotes ID", "creditnote_id", listed=True), d("Credit Note Date", "date", "date", listed=True),
        d("Credit Note Number", "creditnote_number", listed=True),
        d("Credit Note Status", "status", listed=True), d("Customer ID", "customer_id", listed=True),
        d("Customer Name", "customer_name", listed=True), d("Currency Code", "currency_code", listed=True),
        d("Exchange Rate", "exchange_rate", "number"), d("Reference#", "reference_number", listed=True),
        d("Is Inclusive Tax", "is_inclusive_tax", "boolean"), d("Place of Supply", "place_of_supply"),
        d("GST Treatment", "gst_treatment"), d("GST Identification Number (GSTIN)", "gst_no"),
        *_line_columns("Quantity"),
        d("SubTotal", "sub_total", "number"), d("Total", "total", "number", listed=True),
        d("Balance", "balance", "number", listed=True), d("Notes", "notes"),
        d("Terms & Conditions", "terms"), d("Template Name", "template_name"),
        *_address("billing_address", "Billing", ("Address", "City", "State", "Country", "Code")),
        *_address("shipping_address", "Shipping", ("Address", "City", "State", "Country", "Code")),
        *_custom_columns("creditnotes"),
    ]


def _items() -> list[Column]:
    d = _document
    return [
        d("Item ID", "item_id", listed=True), d("Item Name", "name", listed=True),
        d("SKU", "sku", listed=True), d("Description", "description", listed=True),
        d("Rate", "rate", "number", listed=True), d("Account", "account_name", listed=True),
        d("Tax Name", "tax_name", listed=True), d("Tax Percentage", "tax_percentage", "number", listed=True),
        d("Product Type", "product_type", listed=True), d("Usage unit", "unit", listed=True),
        d("Status", "status", listed=True),
    ]


_BUILDERS: dict[str, Callable[[], list[Column]]] = {
    "contacts": _contacts, "salesorders": _salesorders, "creditnotes": _creditnotes, "items": _items,
}


def all_columns(entity: str) -> list[Column]:
    """Every column an export of `entity` can have, in Zoho's order."""
    try:
        return _BUILDERS[entity]()
    except KeyError:
        raise ColumnError(f"{entity} cannot be exported; choose one of {', '.join(EXPORTABLE)}") from None


def default_columns(entity: str, *, line_items: bool = False) -> list[Column]:
    """What an export holds unless the user chooses: with `line_items` (contact persons for
    contacts) every column, one row per line; otherwise what the list pages show (no detail calls)."""
    columns = all_columns(entity)
    return columns if line_items else [c for c in columns if not c.detail]


def choose_columns(entity: str, names: Sequence[str] | None, *, line_items: bool = False) -> list[Column]:
    """The columns named (case-insensitive, in the order given), "all", or the default set."""
    if not names:
        return default_columns(entity, line_items=line_items)
    if [n.strip().casefold() for n in names] == ["all"]:
        return all_columns(entity)
    known = {c.header.casefold(): c for c in all_columns(entity)}
    chosen: list[Column] = []
    unknown: list[str] = []
    for name in names:
        column = known.get(name.strip().casefold())
        if column is None:
            unknown.append(name.strip())
        elif column not in chosen:
            chosen.append(column)
    if unknown:
        raise ColumnError(f"{entity} have no column {', '.join(repr(u) for u in unknown)}; "
                          f"known columns: {', '.join(c.header for c in all_columns(entity))}")
    if not chosen:
        raise ColumnError("no column was chosen")
    return chosen


def extra_custom_columns(entity: str, records: Sequence[dict[str, Any]],
                         columns: Sequence[Column]) -> list[Column]:
    """Columns for custom fields the records carry that the catalogue does not know (other organizations)."""
    if entity == "items":
        return []
    have = {c.header for c in columns}
    extra: list[Column] = []
    for record in records:
        for entry in record.get("custom_fields") or []:
            label = entry.get("label")
            if label and f"CF.{label}" not in have:
                have.add(f"CF.{label}")
                extra.append(Column(f"CF.{label}", custom(str(label), entry.get("api_name"))))
    return extra
