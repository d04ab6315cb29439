"""The conversions one row needs, one module per call, and what each has made so far.

Zoho converts into one module per call (seed 000: "One module for conversion per action is
allowed"; two modules are answered INVALID_DATA). A quote to be made into a sales order and an
invoice therefore takes two calls, a chain: the quote becomes a sales order, then that sales
order becomes the invoice. The second call converts the sales order rather than the quote again
because seed 000 lists "Sales Orders to Invoices" as a conversion of its own, the invoice made so
points back to the sales order (``Sales_Order``) which points back to the quote (``Quote_Name``),
the chain a sale follows; and a record once converted is answered ID_ALREADY_CONVERTED ("The
record you have specified has already been converted").

What a row has made so far is kept in its journal entry (``zoho_id``/``number``, JSON by target
module) before the next call goes out, so a resumed run goes on from the sales order made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.jobs.converting.backrefs import Made
from app.jobs.converting.reasons import SINGULAR
from app.jobs.journal import Entry

CHAIN = ("Sales_Orders", "Invoices")  # the order of a chain's conversions


@dataclass(frozen=True)
class Leg:
    """One conversion call: the record converted (its module and ID) and the one module it becomes."""

    source: str
    record_id: str
    target: str

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.target


def ordered(targets: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The targets in the order they are made: a sales order before the invoice made from it."""
    return tuple(sorted(targets, key=lambda t: CHAIN.index(t) if t in CHAIN else len(CHAIN)))


def targets_of(e: Entry, default: tuple[str, ...]) -> tuple[str, ...]:
    return ordered(e.marker.get("targets") or default)


def made_of(e: Entry) -> dict[str, Made]:
    """The records the row's conversions have made so far, by target module."""
    try:
        ids = json.loads(e.zoho_id) if e.zoho_id else {}
        numbers = json.loads(e.number) if e.number else {}
    except ValueError:
        return {}
    if not isinstance(ids, dict):
        return {}
    numbers = numbers if isinstance(numbers, dict) else {}
    return {t: Made(str(i), numbers.get(t)) for t, i in ids.items() if i}


def next_leg(e: Entry, source: str, default: tuple[str, ...], made: dict[str, Made] | None = None) -> Leg | None:
    """The next conversion the row needs, or None when everything it asks for is made."""
    made = made_of(e) if made is None else made
    targets = targets_of(e, default)
    for target in targets:
        if target in made:
            continue
        if target == "Invoices" and source == "Quotes" and "Sales_Orders" in targets:
            return Leg("Sales_Orders", made["Sales_Orders"].id, "Invoices")  # made first: CHAIN order
        return Leg(source, str(e.key), target)
    return None


def made_words(made: dict[str, Made]) -> str:
    """"sales order SO-00012 and invoice INV-00040" (numbers where known, else IDs)."""
    return " and ".join(f"{SINGULAR.get(t, t)} {m.number or m.id}" for t, m in made.items())


def sent_at(e: Entry, leg: Leg) -> float | None:
    """When this leg of the row was first asked for (a lost answer's records are looked for from then)."""
    value = e.marker.get(f"sent.{leg.target}", e.marker.get("first_sent_at"))
    return float(value) if isinstance(value, int | float) else None
