"""The demo organization's deterministic CRM records: 40 quotes, 12 sales orders, 5 invoices.

Quote QT-000NN has ID 4600000001000NN; sales order SO-000NN 4600000002000NN; invoice
INV-000NN 4600000003000NN. What each seeded record does on convert:

- QT-00001..QT-00025 and QT-00040: approved, never converted (convert fine to either target).
- QT-00026..QT-00027: `$approval_state` approval_process_pending -> NOT_APPROVED.
- QT-00028..QT-00029: `$approval_state` approval_process_rejected -> NOT_APPROVED.
- QT-00030..QT-00032: `$approval_state` review_process_pending -> NOT_REVIEWED.
- QT-00033..QT-00035: already converted to Sales_Orders (SO-00001..SO-00003) -> ID_ALREADY_CONVERTED
  when Sales_Orders is asked for; converting them to Invoices still works.
- QT-00036: already converted to Invoices (INV-00001).
- QT-00037: already converted to both (SO-00004, INV-00002).
- QT-00038: the user may not convert it (record-level permission) -> NO_PERMISSION (403).
- QT-00039: its conversion is ambiguous -> AMBIGUITY_DURING_PROCESSING.
- SO-00001..SO-00008: approved, not converted (SO-00001..4 came from quotes, carry `Quote_Name`).
- SO-00009: approval_process_pending -> NOT_APPROVED; SO-00010: review_process_pending -> NOT_REVIEWED.
- SO-00011: already converted to Invoices (INV-00003) -> ID_ALREADY_CONVERTED.
- SO-00012: record-level permission -> NO_PERMISSION (403).
- INV-00004, INV-00005: invoices made directly, pointing to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.sandbox.crm_records import ACCOUNTS, MODULES, PRODUCTS, TAGS, USERS, line_item, totals

SEED_LINE_ITEM_BASE = 460000000400000


@dataclass
class SeededRecord:
    module: str
    record: dict[str, Any]
    trap: str | None = None


@dataclass
class Seed:
    records: list[SeededRecord] = field(default_factory=list)
    conversions: list[tuple[str, str, str]] = field(default_factory=list)  # (source id, target module, target id)


def record_id(module: str, n: int) -> str:
    return str(MODULES[module].id_base + n)


def record_number(module: str, n: int) -> str:
    return f"{MODULES[module].number_prefix}-{n:05d}"


def _quote_state(n: int) -> tuple[str, str | None]:
    """(`$approval_state`, trap) of quote n."""
    if n in (26, 27):
        return "approval_process_pending", None
    if n in (28, 29):
        return "approval_process_rejected", None
    if n in (30, 31, 32):
        return "review_process_pending", None
    if n == 38:
        return "approved", "no_permission"
    if n == 39:
        return "approved", "ambiguity"
    return "approved", None


def _tags(n: int) -> list[dict[str, str]]:
    tags = []
    if n % 3 == 0:
        tags.append(TAGS[0])
    if n % 5 == 0:
        tags.append(TAGS[1])
    if n % 7 == 0:
        tags.append(TAGS[2])
    return [dict(t) for t in tags]


class _Lines:
    def __init__(self) -> None:
        self.next = SEED_LINE_ITEM_BASE

    def make(self, n: int) -> list[dict[str, Any]]:
        items = []
        for k in range(1 + n % 3):
            self.next += 1
            product = PRODUCTS[(n * 2 + k * 5) % len(PRODUCTS)]
            quantity = float(1 + (n + k) % 5)
            discount = 5.0 if n % 4 == 0 and k == 0 else 0.0
            items.append(line_item(str(self.next), product[0], quantity, None, discount))
        return items

    def copy(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        copies = []
        for item in items:
            self.next += 1
            copies.append({**item, "id": str(self.next)})
        return copies


def _base(module: str, n: int, subject: str, account: dict[str, str], owner: dict[str, str],
          items: list[dict[str, Any]], tags: list[dict[str, str]], approval: str, day: int) -> dict[str, Any]:
    stamp = f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}T09:{day % 60:02d}:00+00:00"
    info = MODULES[module]
    return {
        "id": record_id(module, n),
        info.number_field: record_number(module, n),
        "Subject": subject,
        "Account_Name": dict(account),
        "Owner": dict(owner),
        "Currency": "USD",
        info.items_field: items,
        **totals(items),
        "Tag": tags,
        "Description": None,
        "Terms_and_Conditions": "Payment due within 30 days.",
        "Created_Time": stamp,
        "Modified_Time": stamp,
        "$approval_state": approval,
        "$converted": False,
        "$converted_detail": {},
    }


def _lookup(record: dict[str, Any]) -> dict[str, str]:
    return {"id": record["id"], "name": record["Subject"]}


def build_seed() -> Seed:
    """Every seeded CRM record and conversion, the same on every call."""
    seed = Seed()
    lines = _Lines()
    quotes: dict[int, dict[str, Any]] = {}
    for n in range(1, 41):
        account = ACCOUNTS[(n - 1) % len(ACCOUNTS)]
        items = lines.make(n)
        approval, trap = _quote_state(n)
        subject = f"{items[0]['Product_Name']['name']} for {account['name']} ({n})"
        quote = _base("Quotes", n, subject, account, USERS[(n - 1) % 3], items, _tags(n), approval, n)
        quote["Quote_Stage"] = "Confirmed" if approval == "approved" else "Negotiation"
        quote["Valid_Till"] = f"2026-06-{1 + n % 28:02d}"
        quotes[n] = quote
        seed.records.append(SeededRecord("Quotes", quote, trap))

    def converted(source: dict[str, Any], target: str, n: int, day: int) -> dict[str, Any]:
        source_items = source[MODULES["Quotes" if "Quote_Number" in source else "Sales_Orders"].items_field]
        record = _base(target, n, source["Subject"], source["Account_Name"], source["Owner"],
                       lines.copy(source_items), [dict(t) for t in source["Tag"]], "approved", day)
        record["Status"] = "Created"
        record["Due_Date"] = None
        record["Quote_Name"] = _lookup(source) if "Quote_Number" in source else None
        if target == "Invoices":
            record["Invoice_Date"] = record["Created_Time"][:10]
            record["Sales_Order"] = _lookup(source) if "SO_Number" in source else None
        source["$converted"] = True
        source["$converted_detail"][target] = _lookup(record)
        seed.conversions.append((source["id"], target, record["id"]))
        return record

    orders: dict[int, dict[str, Any]] = {}
    for so_n, quote_n in ((1, 33), (2, 34), (3, 35), (4, 37)):
        orders[so_n] = converted(quotes[quote_n], "Sales_Orders", so_n, 40 + so_n)
    for so_n in range(5, 13):
        account = ACCOUNTS[(so_n + 2) % len(ACCOUNTS)]
        items = lines.make(so_n + 40)
        approval = {9: "approval_process_pending", 10: "review_process_pending"}.get(so_n, "approved")
        subject = f"Order of {items[0]['Product_Name']['name']} for {account['name']} ({so_n})"
        order = _base("Sales_Orders", so_n, subject, account, USERS[so_n % 3], items, _tags(so_n), approval, 40 + so_n)
        order.update({"Status": "Created", "Due_Date": f"2026-07-{so_n:02d}", "Quote_Name": None})
        orders[so_n] = order
    invoices = [
        converted(quotes[36], "Invoices", 1, 60),
        converted(quotes[37], "Invoices", 2, 61),
        converted(orders[11], "Invoices", 3, 62),
    ]
    for inv_n in (4, 5):
        account = ACCOUNTS[inv_n]
        items = lines.make(inv_n + 60)
        invoice = _base("Invoices", inv_n, f"Services for {account['name']} ({inv_n})", account, USERS[0],
                        items, [], "approved", 60 + inv_n)
        invoice.update({"Status": "Created", "Invoice_Date": invoice["Created_Time"][:10],
                        "Due_Date": None, "Quote_Name": None, "Sales_Order": None})
        invoices.append(invoice)
    for so_n, order in sorted(orders.items()):
        seed.records.append(SeededRecord("Sales_Orders", order, "no_permission" if so_n == 12 else None))
    seed.records.extend(SeededRecord("Invoices", invoice) for invoice in invoices)
    return seed
