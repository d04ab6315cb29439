"""Line items and totals of the sandbox's sales orders and credit notes: item defaults, discounts, taxes, sums."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sandbox.errors import invalid, required

if TYPE_CHECKING:
    from app.sandbox.books import Books


def money(value: float) -> float:
    """An amount rounded to cents (never -0.0)."""
    return round(value + 0.0, 2)


def discount_of(raw: Any, amount: float, path: str) -> float:
    """Zoho's discount: an amount (10, "10") or a percentage ("12.5%")."""
    if raw in (None, ""):
        return 0.0
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise invalid(path, "expected an amount or a percentage like 12.5%")
    text = str(raw).strip()
    try:
        if text.endswith("%"):
            return amount * float(text[:-1]) / 100.0
        return float(text)
    except ValueError:
        raise invalid(path, "expected an amount or a percentage like 12.5%") from None


def line_items(
    books: Books, given: list[dict[str, Any]], existing: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A document's line items from the request's `given` lines and the record's `existing` ones.

    A given line with a `line_item_id` updates that line; one without is new. An `item_id` fills the
    name, rate, tax, product type, SKU and unit from the item; each line gets its rate, quantity,
    discount amount, tax and `item_total`.
    """
    known = {line["line_item_id"]: line for line in existing}
    lines = []
    for i, raw in enumerate(given):
        path = f"line_items[{i}]"
        lid = raw.get("line_item_id")
        if lid is not None and lid not in known:
            raise invalid(f"{path}.line_item_id", "no such line item on this record")
        line: dict[str, Any] = dict(known[lid]) if lid is not None else {
            "line_item_id": books.store.new_id(), "description": "", "unit": "",
        }
        line.update({k: v for k, v in raw.items() if v is not None})
        item_id = raw.get("item_id")
        if item_id:
            item = books.items.get(item_id)
            if item is None:
                raise invalid(f"{path}.item_id", f"no item has the ID {item_id}")
            line.setdefault("name", item["name"])
            if raw.get("rate") is None and lid is None:
                line["rate"] = item["rate"]
            if "tax_id" not in raw and lid is None:
                line["tax_id"] = item["tax_id"]
            line.setdefault("product_type", item["product_type"])
            line["sku"] = item["sku"]
            if not line.get("unit"):
                line["unit"] = item.get("unit", "")
        if not line.get("name") and not line.get("item_id"):
            raise required(f"{path}.name")
        rate = float(line.get("rate") or 0)
        quantity = float(line["quantity"]) if line.get("quantity") is not None else 1.0
        amount = rate * quantity
        line_discount = discount_of(line.get("discount"), amount, f"{path}.discount")
        if amount >= 0:  # a discount never takes a line below zero
            line_discount = min(max(line_discount, 0.0), amount)
        tax_id = line.get("tax_id") or ""
        tax = None
        if tax_id:
            tax = books.taxes.get(tax_id)
            if tax is None:
                raise invalid(f"{path}.tax_id", f"no tax has the ID {tax_id}")
        account_id = line.get("account_id")
        if account_id:
            account = books.accounts.get(account_id)
            if account is None:
                raise invalid(f"{path}.account_id", f"no account has the ID {account_id}")
            line["account_name"] = account["account_name"]
        line.update(
            item_order=i + 1, rate=rate, quantity=quantity, tax_id=tax_id,
            tax_name=tax["tax_name"] if tax else "",
            tax_percentage=tax["tax_percentage"] if tax else 0,
            discount_amount=money(line_discount),
            item_total=money(amount - line_discount),
        )
        line.setdefault("discount", 0)
        lines.append(line)
    return lines

def totals(doc: dict[str, Any]) -> None:
    """Set the document's sub total, discount, taxes, tax total and total from its lines."""
    lines = doc["line_items"]
    sub_total = money(sum(line["item_total"] for line in lines))
    discount = money(discount_of(doc.get("discount"), sub_total, "discount"))
    before_tax = doc.get("is_discount_before_tax", True)
    factor = (1 - discount / sub_total) if (before_tax and sub_total) else 1.0
    taxes: dict[str, dict[str, Any]] = {}
    for line in lines:
        if not line["tax_id"]:
            continue
        amount = line["item_total"] * factor * float(line["tax_percentage"]) / 100.0
        entry = taxes.setdefault(
            line["tax_id"],
            {"tax_id": line["tax_id"], "tax_name": line["tax_name"], "tax_amount": 0.0},
        )
        entry["tax_amount"] += amount
    for entry in taxes.values():
        entry["tax_amount"] = money(entry["tax_amount"])
    tax_total = money(sum(e["tax_amount"] for e in taxes.values()))
    shipping = float(doc.get("shipping_charge") or 0)
    adjustment = float(doc.get("adjustment") or 0)
    doc.update(
        sub_total=sub_total, discount_amount=discount, tax_total=tax_total,
        taxes=list(taxes.values()),
        total=money(sub_total - discount + tax_total + shipping + adjustment),
        shipping_charge=shipping, adjustment=adjustment,
    )
