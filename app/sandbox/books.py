"""Shared machinery of the Books routes: catalogues, custom fields, envelopes, pages and the
generic create/list/get/update/delete/upsert handlers every record type uses."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.errors import (
    INVALID_VALUE,
    BooksError,
    already_exists,
    invalid,
    not_found,
    required,
    too_long,
)
from app.sandbox.payload import Spec, check, read_payload
from app.sandbox.settings import SandboxSettings
from app.sandbox.store import Store

MAX_PER_PAGE = 200
Columns = dict[str, Any]


def ok(message: str, status: int = 200, /, **resources: Any) -> JSONResponse:
    """Zoho's success envelope: code 0, a message and the named resources."""
    return JSONResponse({"code": 0, "message": message, **resources}, status_code=status)


class Books:
    """The organization's data as the Books routes see it: store, read-only catalogues, clock."""

    def __init__(self, store: Store, settings: SandboxSettings) -> None:
        self.store = store
        self.settings = settings
        self.items = {d["item_id"]: d for d in store.all("items")}
        self.taxes = {d["tax_id"]: d for d in store.all("taxes")}
        self.currencies = {d["currency_id"]: d for d in store.all("currencies")}
        self.accounts = {d["account_id"]: d for d in store.all("chartofaccounts")}
        self.salespersons = {d["salesperson_id"]: d for d in store.all("salespersons")}
        self.custom_fields: dict[str, list[dict[str, Any]]] = {}
        for d in store.all("customfields"):
            self.custom_fields.setdefault(d["module"], []).append(d)
        self.organizations = {d["organization_id"]: d for d in store.all("organizations")}
        self.base_currency = next(
            (c for c in self.currencies.values() if c.get("is_base_currency")), None
        )

    def now(self) -> str:
        moment = dt.datetime.fromtimestamp(self.settings.clock(), dt.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")

    def today(self) -> str:
        return dt.datetime.fromtimestamp(self.settings.clock(), dt.UTC).date().isoformat()

    # ---- custom fields -------------------------------------------------------------
    def unique_field(self, module: str) -> dict[str, Any] | None:
        return next((f for f in self.custom_fields.get(module, []) if f["is_unique"]), None)

    def merge_custom_fields(
        self, module: str, given: list[dict[str, Any]] | None, existing: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Existing custom field values updated by the ones given (by id, api_name or label)."""
        merged = {f["customfield_id"]: dict(f) for f in existing}
        definitions = self.custom_fields.get(module, [])
        for i, entry in enumerate(given or []):
            keys = [(k, entry.get(k)) for k in ("customfield_id", "api_name", "label", "index")
                    if entry.get(k) not in (None, "")]
            if not keys and "value" not in entry:
                continue  # the docs' examples send `[{}]`
            definition = next(
                (d for k, v in keys for d in definitions if str(d[k]) == str(v)), None
            )
            if definition is None:
                raise invalid(f"custom_fields[{i}]", "no such custom field")
            value = entry.get("value")
            if isinstance(value, dict | list):
                raise invalid(f"custom_fields[{i}].value", "expected text")
            text = "" if value is None else str(value)
            if isinstance(value, bool):
                text = "true" if value else "false"
            if len(text) > 255:
                raise too_long(f"custom_fields[{i}].value", 255)
            merged[definition["customfield_id"]] = {
                "customfield_id": definition["customfield_id"],
                "api_name": definition["api_name"],
                "label": definition["label"],
                "index": definition["index"],
                "data_type": definition["data_type"],
                "value": text,
            }
        return [f for f in merged.values() if f["value"] != ""]

    def unique_value(self, module: str, custom_fields: list[dict[str, Any]]) -> str | None:
        field = self.unique_field(module)
        if field is None:
            return None
        return next(
            (f["value"] for f in custom_fields if f["customfield_id"] == field["customfield_id"]),
            None,
        )

    def check_unique(self, module: str, value: str | None, own_id: str | None) -> None:
        field = self.unique_field(module)
        if value is None or field is None:
            return
        other = self.store.find_id(module, "unique_value", value)
        if other is not None and other != own_id:
            raise already_exists(field["api_name"], value)

    # ---- lookups -------------------------------------------------------------------
    def customer(self, customer_id: Any, field: str = "customer_id") -> dict[str, Any]:
        if customer_id in (None, ""):
            raise required(field)
        contact = self.store.get("contacts", str(customer_id))
        if contact is None:
            raise invalid(field, f"no customer has the ID {customer_id}")
        return contact

    def currency(self, currency_id: Any) -> dict[str, Any]:
        if currency_id in (None, ""):
            if self.base_currency is None:
                raise required("currency_id")
            return self.base_currency
        currency = self.currencies.get(str(currency_id))
        if currency is None:
            raise invalid("currency_id", f"no currency has the ID {currency_id}")
        return currency


def paging(request: Request) -> tuple[int, int]:
    """The page and per_page a list request asks for (per_page at most 200)."""
    values = []
    for name, default in (("page", 1), ("per_page", MAX_PER_PAGE)):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            values.append(default)
            continue
        try:
            number = int(raw)
        except ValueError:
            raise invalid(name, "expected a whole number") from None
        if number < 1:
            raise invalid(name, "must be 1 or more")
        values.append(min(number, MAX_PER_PAGE) if name == "per_page" else number)
    return values[0], values[1]


def page_context(
    page: int, per_page: int, has_more: bool, report_name: str, applied_filter: str = "Status.All"
) -> dict[str, Any]:
    return {
        "page": page,
        "per_page": per_page,
        "has_more_page": has_more,
        "report_name": report_name,
        "applied_filter": applied_filter,
        "sort_column": "created_time",
        "sort_order": "A",
    }


class Kind:
    """One record type of Books; subclasses say how a payload becomes a stored document."""

    entity = ""          # URL segment and store entity: contacts, salesorders, creditnotes
    singular = ""        # envelope key of one record: contact, salesorder, creditnote
    id_field = ""        # contact_id ...
    label = ""           # "Contact" ...
    report_name = ""
    sort_columns: tuple[str, ...] = ()  # the documented sort_column values (the list keeps creation order)
    spec: Spec = {}
    created_message = ""
    updated_message = ""
    deleted_message = ""

    def __init__(self, books: Books) -> None:
        self.books = books

    def build(
        self, payload: dict[str, Any], existing: dict[str, Any] | None, request: Request
    ) -> tuple[dict[str, Any], Columns]:
        """The full document (and its indexed columns) after applying ``payload``."""
        raise NotImplementedError

    def summary(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The row a list shows for a document."""
        return doc

    def filters(self, request: Request) -> tuple[list[str], list[Any], str]:
        """SQL conditions, parameters and Zoho's applied_filter name for a list request."""
        return [], [], "Status.All"

    def after_write(self, doc: dict[str, Any]) -> None:
        """Bookkeeping once a document is stored (inside the transaction)."""

    def after_delete(self, record_id: str) -> None:
        """Bookkeeping once a document is deleted (inside the transaction)."""

    def refuse_delete(self, doc: dict[str, Any]) -> None:
        """Raise the BooksError Zoho answers when this record cannot be deleted (inside the transaction)."""

    # ---- handlers --------------------------------------------------------------------
    def load(self, record_id: str) -> dict[str, Any]:
        doc = self.books.store.get(self.entity, record_id)
        if doc is None:
            raise not_found(self.label)
        return doc

    def save(
        self, existing: dict[str, Any] | None, payload: dict[str, Any], request: Request
    ) -> dict[str, Any]:
        """Build the record from `payload` over `existing` (None: a new record) and store it in one transaction."""
        store = self.books.store
        with store.transaction():
            doc, columns = self.build(payload, existing, request)
            write = store.insert if existing is None else store.replace
            write(self.entity, doc[self.id_field], doc, **columns)
            self.after_write(doc)
        return doc

    async def create(self, request: Request) -> Response:
        payload = check(await read_payload(request), self.spec)
        doc = self.save(None, payload, request)
        return ok(self.created_message, 201, **{self.singular: doc})

    async def get(self, request: Request) -> Response:
        return ok("success", **{self.singular: self.load(request.path_params["record_id"])})

    async def update(self, request: Request) -> Response:
        payload = check(await read_payload(request), self.spec)
        with self.books.store.lock:
            existing = self.load(request.path_params["record_id"])
            doc = self.save(existing, payload, request)
        return ok(self.updated_message, **{self.singular: doc})

    async def delete(self, request: Request) -> Response:
        record_id = request.path_params["record_id"]
        store = self.books.store
        with store.transaction():
            existing = store.get(self.entity, record_id)
            if existing is not None:
                self.refuse_delete(existing)
            if not store.delete(self.entity, record_id):
                raise not_found(self.label)
            self.after_delete(record_id)
        return ok(self.deleted_message)

    async def list(self, request: Request) -> Response:
        page, per_page = paging(request)
        choice(request, "sort_column", dict.fromkeys(self.sort_columns))
        where, params, applied = self.filters(request)
        rows = self.books.store.select(
            self.entity, where, params, (page - 1) * per_page, per_page + 1
        )
        has_more = len(rows) > per_page
        return ok(
            "success",
            **{
                self.entity: [self.summary(d) for d in rows[:per_page]],
                "page_context": page_context(page, per_page, has_more, self.report_name, applied),
            },
        )

    async def upsert(self, request: Request) -> Response:
        """PUT /{entity} with X-Unique-Identifier-Key/-Value (and X-Upsert: true to create)."""
        key = request.headers.get("x-unique-identifier-key")
        value = request.headers.get("x-unique-identifier-value")
        if not key:
            raise required("X-Unique-Identifier-Key")
        field = self.books.unique_field(self.entity)
        if field is None or key != field["api_name"]:
            raise invalid("X-Unique-Identifier-Key", f"{key} is not a unique custom field")
        if value is None or value == "":
            raise required("X-Unique-Identifier-Value")
        upsert = request.headers.get("x-upsert", "false").strip().lower() == "true"
        payload = check(await read_payload(request), self.spec)
        entries = [
            e for e in payload.get("custom_fields") or []
            if e.get("customfield_id") != field["customfield_id"]
            and e.get("api_name") != key and e.get("label") != field["label"]
        ]
        payload["custom_fields"] = [*entries, {"api_name": key, "value": value}]
        store = self.books.store
        with store.lock:
            record_id = store.find_id(self.entity, "unique_value", value)
            if record_id is not None:
                doc = self.save(self.load(record_id), payload, request)
                return ok(self.updated_message, **{self.singular: doc})
            if not upsert:
                raise not_found(f"{self.label} with {key} {value!r}")
            doc = self.save(None, payload, request)
        return ok(self.created_message, 201, **{self.singular: doc})

    def routes(self) -> builtins.list[Route]:  # builtins.: the method list() hides the type here
        base = f"/{self.entity}"
        return [
            Route(base, self.list, methods=["GET"]),
            Route(base, self.create, methods=["POST"]),
            Route(base, self.upsert, methods=["PUT"]),
            Route(f"{base}/{{record_id}}", self.get, methods=["GET"]),
            Route(f"{base}/{{record_id}}", self.update, methods=["PUT"]),
            Route(f"{base}/{{record_id}}", self.delete, methods=["DELETE"]),
        ]


def text_filters(
    request: Request, column: str, param: str, where: list[str], params: list[Any]
) -> None:
    """Zoho's `param`, `param_startswith`/`param.startswith`, `param_contains` filters on a column."""
    for suffix, pattern in (("", None), ("_startswith", "{}%"), ("_contains", "%{}%")):
        for name in (f"{param}{suffix}", f"{param}{suffix.replace('_', '.', 1)}"):
            raw = request.query_params.get(name)
            if raw is None or (suffix and name == param):
                continue
            if len(raw) > 100:
                raise too_long(name, 100)
            if pattern is None:
                where.append(f"{column} = ? COLLATE NOCASE")
                params.append(raw)
            else:
                escaped = raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                where.append(f"{column} LIKE ? ESCAPE '\\'")
                params.append(pattern.format(escaped))
            break


def choice(request: Request, name: str, allowed: dict[str, Any]) -> Any:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise BooksError(400, INVALID_VALUE, f"Invalid value passed for {name} ({raw})")
    return allowed[raw]


def catalogue_route(path: str, key: str, source: Callable[[], list[dict[str, Any]]]) -> Route:
    """A read-only list (items, taxes, ...) with page/per_page."""

    async def handler(request: Request) -> Response:
        page, per_page = paging(request)
        records = source()
        chunk = records[(page - 1) * per_page : page * per_page]
        has_more = len(records) > page * per_page
        return ok("success", **{key: chunk, "page_context": page_context(page, per_page, has_more, key)})

    return Route(path, handler, methods=["GET"])
