"""Which records a conversion made: the target module's records that point back to their source, 200 a page.

A mass conversion's job status reports counts only, so the records it made are found by
listing the target module newest first (Get Records' ``sort_by=Created_Time&sort_order=desc``)
and reading each record's back-pointer: ``Quote_Name`` to the quote it came from,
``Sales_Order`` to the sales order. A record counts only when it was created after the request
that asked for it (less a clock allowance), so a conversion made before the run is not taken
for this run's; and since the list runs newest first, the first record created before the
earliest request ends the reading: no record after it can count.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from app.jobs.converting.input_file import NUMBER_FIELDS
from app.zoho import CrmClient

BACK_POINTERS = {"Quotes": "Quote_Name", "Sales_Orders": "Sales_Order"}
CLOCK_ALLOWANCE_S = 120.0  # the user's clock and Zoho's may differ a little


@dataclass(frozen=True)
class Made:
    """A record a conversion created: its ID and number."""

    id: str
    number: str | None = None


def _created_at(record: dict[str, object]) -> float | None:
    raw = record.get("Created_Time")
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


async def find_made(client: CrmClient, source: str, target: str, wanted: dict[str, float], *,
                    expect: int | None = None) -> dict[str, Made]:
    """{source record ID: record of `target` made from it} for the sources in `wanted` (ID -> time asked).

    Reading stops once every wanted source is found, or `expect` of them (what the mass
    conversions' counts say they made), or at the first record older than the earliest request:
    newest first, that is the first page or two however big the module is.
    """
    back = BACK_POINTERS[source]
    number_field = NUMBER_FIELDS[target]
    found: dict[str, Made] = {}
    if not wanted:
        return found
    oldest_wanted = min(wanted.values()) - CLOCK_ALLOWANCE_S
    records = client.list(target, [back, number_field, "Created_Time"], sort_by="Created_Time",
                          sort_order="desc")
    async with contextlib.aclosing(records):
        async for record in records:
            created = _created_at(record)
            if created is not None and created < oldest_wanted:
                break  # made before any of these requests, and so is every record listed after it
            pointer = record.get(back)
            source_id = str(pointer.get("id")) if isinstance(pointer, dict) and pointer.get("id") else None
            if source_id is None or source_id not in wanted or source_id in found:
                continue
            if created is not None and created < wanted[source_id] - CLOCK_ALLOWANCE_S:
                continue  # converted before this run asked for it
            number = record.get(number_field)
            found[source_id] = Made(str(record["id"]), str(number) if number else None)
            if len(found) == len(wanted) or (expect is not None and len(found) >= expect):
                break
    return found
