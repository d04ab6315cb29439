"""Picking the records of a cleanup: a sheet's IDs, numbers or names matched once against the list pages, or a filter.

A value that matches no record, or several, is refused for its row with the candidates named:
a cleanup never acts on a guess. Rows naming the same record share one entry (one call).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.jobs.catalog import normalise
from app.jobs.cleanup.operations import ID_FIELDS, NAME_FIELDS, NOUNS, NUMBER_FIELDS
from app.jobs.errors import JobError
from app.jobs.exporting.settings import ExportError, ExportSettings, list_filters
from app.sheets import SheetError, Table, read_table

# Headers a sheet's record column is found by (compared case- and space-insensitively), best first.
ID_HEADERS = ("zoho id", "id", "record id")
NUMBER_HEADERS = {"salesorders": ("sales order number", "salesorder number", "salesorder_number", "order number",
                                  "number", "sales order#", "sales order"),
                  "creditnotes": ("credit note number", "creditnote number", "creditnote_number", "number",
                                  "credit note#", "credit note")}
NAME_HEADERS = ("contact name", "display name", "contact_name", "name", "customer name", "contact")
SHOWN = ("Zoho ID", "Number", "Name", "Status")  # the columns of a filter run's report


@dataclass
class Pick:
    """One record to act on (or a value refused before anything is sent), and the rows that named it."""

    rows: list[int]
    zoho_id: str | None = None
    number: str | None = None
    name: str | None = None
    status: str | None = None
    refused: str | None = None  # why no record is acted on for these rows

    def marker(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "status": self.status}


@dataclass
class Picked:
    """The records of a run, and the rows its report shows (the sheet's, or one per record of a filter)."""

    headers: list[str]
    rows: list[list[object]]
    picks: list[Pick] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)  # sheet rows with no value: skipped


def filters_of(entity: str, date_from: dt.date | str | None, date_to: dt.date | str | None,
               status: str | None, customer: str | None) -> dict[str, Any]:
    """The list filters of --from/--to/--status/--customer, as export builds them; JobError when one does not apply."""
    try:
        return list_filters(ExportSettings(entity, Path("."), date_from=date_from, date_to=date_to,
                                           status=status, customer=customer))
    except ExportError as exc:
        raise JobError(exc.message) from None


def read_sheet(file: Path, entity: str, *, sheet: str | None, column: str | None) -> tuple[Table, int]:
    """The sheet and the index of the column naming the records; JobError when none can be told."""
    try:
        table = read_table(file, sheet=sheet)
    except SheetError as exc:
        raise JobError(str(exc)) from None
    if not table.rows:
        raise JobError(f'"{file.name}" has no rows below its header: no record to pick.')
    return table, record_column(table.headers, entity, column)


def record_column(headers: list[str], entity: str, wanted: str | None) -> int:
    keys = [" ".join(h.split()).casefold() for h in headers]
    if wanted:
        key = " ".join(wanted.split()).casefold()
        if key in keys:
            return keys.index(key)
        raise JobError(f'The sheet has no column "{wanted}"; its columns are {", ".join(headers)}.')
    singular = NOUNS[entity][0]
    names = (*ID_HEADERS, f"{singular} id", ID_FIELDS[entity].replace("_", " "), ID_FIELDS[entity],
             *NUMBER_HEADERS.get(entity, ()), *(NAME_HEADERS if entity == "contacts" else ()))
    for name in names:
        if name in keys:
            return keys.index(name)
    if len(headers) == 1:
        return 0
    what = "IDs, numbers" if entity != "contacts" else "IDs or names"
    raise JobError(f"No column of {singular} {what} was found among {', '.join(headers)}; "
                   "name it with --column HEADER.")


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def pick_rows(table: Table, column: int, entity: str, records: list[dict[str, Any]]) -> Picked:
    """Match each row's value to one record: by Zoho ID, then number (sales orders, credit notes) or name (contacts)."""
    id_field = ID_FIELDS[entity]
    by_id = {str(r.get(id_field)): r for r in records}
    by_key: dict[str, list[dict[str, Any]]] = {}
    key_field = NUMBER_FIELDS.get(entity, "contact_name")
    for r in records:
        by_key.setdefault(normalise(r.get(key_field)), []).append(r)
    picked = Picked(headers=list(table.headers), rows=[list(r) for r in table.rows])
    chosen: dict[str, Pick] = {}
    for i, row in enumerate(table.rows):
        value = _text(row[column])
        if not value:
            picked.empty.append(i)
            continue
        found = [by_id[value]] if value in by_id else by_key.get(normalise(value), [])
        if len(found) == 1:
            record = found[0]
            zoho_id = str(record.get(id_field))
            if zoho_id in chosen:
                chosen[zoho_id].rows.append(i)  # named twice: one call, both rows get its result
                continue
            chosen[zoho_id] = pick = describe(entity, record, [i])
            picked.picks.append(pick)
        else:
            picked.picks.append(Pick([i], refused=_refusal(entity, value, found)))
    return picked


def pick_listed(entity: str, records: list[dict[str, Any]]) -> Picked:
    """A filter run: every listed record is one row of the report."""
    picked = Picked(headers=list(SHOWN), rows=[])
    for i, record in enumerate(records):
        pick = describe(entity, record, [i])
        picked.rows.append([pick.zoho_id, pick.number or "", pick.name or "", pick.status or ""])
        picked.picks.append(pick)
    return picked


def describe(entity: str, record: dict[str, Any], rows: list[int]) -> Pick:
    number = record.get(NUMBER_FIELDS[entity]) if entity in NUMBER_FIELDS else None
    return Pick(rows, zoho_id=str(record.get(ID_FIELDS[entity])), number=str(number) if number else None,
                name=str(record.get(NAME_FIELDS[entity]) or "") or None, status=record.get("status"))


def _refusal(entity: str, value: str, found: list[dict[str, Any]]) -> str:
    singular, plural = NOUNS[entity]
    by = "ID or number" if entity in NUMBER_FIELDS else "ID or name"
    if not found:
        return f'no {singular} with {by} "{value}" in Zoho; nothing was done'
    shown = "; ".join(_candidate(entity, r) for r in found[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    return (f'{len(found)} {plural} match "{value}": {shown}{more}; nothing was done: '
            "put the Zoho ID of the one meant in the sheet")


def _candidate(entity: str, record: dict[str, Any]) -> str:
    label = record.get(NUMBER_FIELDS.get(entity, "contact_name")) or record.get(NAME_FIELDS[entity])
    extra = [str(record[k]) for k in ("email", "customer_name", "status") if record.get(k)]
    return f"{label} ({record.get(ID_FIELDS[entity])}{', ' + ', '.join(extra) if extra else ''})"
