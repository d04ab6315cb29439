"""Reference data of a run, read once from list endpoints (200 a page) and cached: names to IDs, keys to records.

Customers, items, taxes, currencies, accounts and salespersons are resolved by name,
email, SKU, rate or code; the imported entity's own records are indexed by their key
so updates, upserts and skip-existing never search one row at a time.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from app.errors import ZohoBulkError

PER_PAGE = 200


class ListsPages(Protocol):
    async def list_page(self, entity: str, page: int = 1, per_page: int = 200,
                        **filters: Any) -> tuple[list[dict[str, Any]], bool]: ...


@dataclass(frozen=True)
class Source:
    """Where a lookup kind's records come from and which field answers which `by`."""

    entity: str
    id_field: str
    label_field: str
    by: dict[str, str]  # "name" -> "contact_name"
    noun: str
    plural: str


SOURCES: dict[str, Source] = {
    "customer": Source("contacts", "contact_id", "contact_name",
                       {"name": "contact_name", "email": "email", "id": "contact_id"}, "customer", "customers"),
    "item": Source("items", "item_id", "name", {"name": "name", "sku": "sku", "id": "item_id"}, "item", "items"),
    "tax": Source("taxes", "tax_id", "tax_name",
                  {"name": "tax_name", "rate": "tax_percentage", "id": "tax_id"}, "tax", "taxes"),
    "currency": Source("currencies", "currency_id", "currency_code",
                       {"code": "currency_code", "name": "currency_name", "id": "currency_id"},
                       "currency", "currencies"),
    "account": Source("chartofaccounts", "account_id", "account_name",
                      {"name": "account_name", "id": "account_id"}, "account", "accounts"),
    "salesperson": Source("salespersons", "salesperson_id", "salesperson_name",
                          {"name": "salesperson_name", "email": "salesperson_email",
                           "id": "salesperson_id"}, "salesperson", "salespersons"),
}


class LookupMiss(ZohoBulkError):
    """A name matched no record or several; the message names the candidates."""


def normalise(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).casefold()


def _rate(value: object) -> float | None:
    try:
        return round(float(str(value).strip().rstrip("%")), 4)
    except (TypeError, ValueError):
        return None


class Catalog:
    """All records of the entities a run needs, fetched once; counts the list calls it made."""

    def __init__(self, client: ListsPages, *, on_call: Callable[[], None] | None = None) -> None:
        self._client = client
        self._records: dict[str, list[dict[str, Any]]] = {}
        self._loading: dict[str, asyncio.Task[list[dict[str, Any]]]] = {}
        self._on_call = on_call
        self.calls = 0

    def loaded(self, entity: str) -> bool:
        return entity in self._records

    def records(self, entity: str) -> list[dict[str, Any]]:
        return self._records[entity]

    async def load(self, entities: Iterable[str]) -> None:
        """Fetch every page of each entity not loaded yet (entities in parallel, pages in order)."""
        wanted = [e for e in dict.fromkeys(entities) if e not in self._records]
        for entity in wanted:
            if entity not in self._loading:
                self._loading[entity] = asyncio.ensure_future(self._fetch(entity))
        results = await asyncio.gather(*(self._loading[e] for e in wanted), return_exceptions=True)
        for entity, result in zip(wanted, results, strict=True):
            if isinstance(result, BaseException):
                del self._loading[entity]  # a later load() tries again
        for result in results:
            if isinstance(result, BaseException):
                raise result
        for entity, result in zip(wanted, results, strict=True):
            self._records[entity] = result  # type: ignore[assignment]  # a list: an exception was raised above

    async def _fetch(self, entity: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            chunk, more = await self.page(entity, page)
            records.extend(chunk)
            if not more or not chunk:
                return records
            page += 1

    async def page(self, entity: str, page: int = 1, **filters: Any) -> tuple[list[dict[str, Any]], bool]:
        """One list call, counted."""
        self.calls += 1
        if self._on_call:
            self._on_call()
        return await self._client.list_page(entity, page=page, per_page=PER_PAGE, **filters)

    async def find(self, entity: str, **filters: Any) -> list[dict[str, Any]]:
        """Records matching list filters (every page); used to reconcile one document in doubt."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            chunk, more = await self.page(entity, page, **filters)
            found.extend(chunk)
            if not more or not chunk:
                return found
            page += 1

    def add(self, entity: str, record: dict[str, Any]) -> None:
        """Remember a record this run created, so later lookups in the run see it."""
        if entity in self._records:
            self._records[entity].append(record)

    def resolve(self, kind: str, by: str, value: object) -> str:
        """The ID of the one record of `kind` whose `by` field equals value; LookupMiss otherwise."""
        source = SOURCES[kind]
        field = source.by.get(by)
        if field is None:
            raise LookupMiss(f"a {source.noun} cannot be looked up by {by}")
        records = self._records.get(source.entity, [])
        if kind == "customer":
            records = [r for r in records if r.get("contact_type", "customer") != "vendor"]
        if by == "rate":
            wanted_rate = _rate(value)
            matches = [r for r in records if _rate(r.get(field)) == wanted_rate]
        else:
            wanted = normalise(value)
            matches = [r for r in records if normalise(r.get(field)) == wanted]
            if not matches and by != "id":
                # A name column may hold a Zoho ID of this kind (an existing record's): it matches by that ID.
                matches = [r for r in records if normalise(r.get(source.id_field)) == wanted]
        shown = f'"{value}"' if by != "rate" else f"{value}%"
        if len(matches) == 1:
            return str(matches[0][source.id_field])
        if by == "id" and not matches:
            raise LookupMiss(
                f"no {source.noun} with ID {shown} in Zoho; if the file comes from another organization, "
                f"map the column with the {source.noun}'s name instead")
        if matches:
            names = ", ".join(
                f"{m.get(source.label_field)} ({m.get(source.id_field)})" for m in matches[:5])
            raise LookupMiss(
                f"{len(matches)} {source.plural} match {by} {shown}: {names}; "
                "use a unique value or the Zoho ID")
        close = difflib.get_close_matches(
            str(value), [str(r.get(field)) for r in records if r.get(field)], n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise LookupMiss(f"no {source.noun} with {by} {shown} in Zoho{hint}")

    def index(self, entity: str, field: str) -> dict[str, list[dict[str, Any]]]:
        """Records of an entity grouped by the normalised value of one field."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        for record in self._records.get(entity, []):
            key = normalise(record.get(field))
            if key:
                grouped.setdefault(key, []).append(record)
        return grouped

