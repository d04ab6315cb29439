"""The Zoho Books v3 client: organizations, records (list, get, create, update, upsert, delete, status) and catalogues."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import httpx

from app.zoho.errors import ZohoError
from app.zoho.session import ApiClient, ApiSession, RetryPolicy
from app.zoho.throttle import Throttle
from app.zoho.tokens import TokenSource

# entity name -> path under /books/v3
PATHS: dict[str, str] = {
    "contacts": "contacts",
    "salesorders": "salesorders",
    "creditnotes": "creditnotes",
    "items": "items",
    "taxes": "settings/taxes",
    "currencies": "settings/currencies",
    "chartofaccounts": "chartofaccounts",
    "salespersons": "salespersons",
}
RECORDS = ("contacts", "salesorders", "creditnotes")
# The key that holds the record in an answer about one record (seed 004 "contact": {...}, seed 003
# "salesorder": {...}, seed 004 "creditnote": {...}); a list answer holds its records under the
# entity's own name ("contacts": [...], "salesorders": [...], "creditnotes": [...]).
RECORD_KEYS: dict[str, str] = {"contacts": "contact", "salesorders": "salesorder", "creditnotes": "creditnote"}
SANDBOX_ORGANIZATION_ID = "10234695"
# A credit note's status changes have their own paths (seed 004 "Void a Credit Note" POST
# /creditnotes/{creditnote_id}/void, "Convert Credit Note to Draft" .../draft, "Convert to Open"
# .../converttoopen); a sales order's are /salesorders/{id}/status/open|void (seed 003).
CREDITNOTE_STATUS_PATHS = {"void": "void", "draft": "draft", "open": "converttoopen"}


def _path(entity: str) -> str:
    try:
        return PATHS[entity]
    except KeyError:
        raise ValueError(f"unknown Zoho Books entity {entity!r}; known: {', '.join(PATHS)}") from None


def _record_path(entity: str, record_id: str) -> str:
    if entity not in RECORDS:
        raise ValueError(f"{entity} are read-only here; records are {', '.join(RECORDS)}")
    return f"{_path(entity)}/{record_id}"


def record_of(body: dict[str, Any], entity: str) -> dict[str, Any]:
    """The one record of `entity` in a Books answer (`{"code": 0, "message": ..., "contact": {...}}`)."""
    value = body.get(RECORD_KEYS[entity])
    return value if isinstance(value, dict) else {}


def records_of(body: dict[str, Any], entity: str) -> list[dict[str, Any]]:
    """The records of a Books list answer, under the entity's own name (`"contacts": [...]`)."""
    value = body.get(entity)
    return value if isinstance(value, list) else []


class BooksClient(ApiClient):
    """Async client of one Zoho Books organization; use `async with`, or call `aclose()` when done.

    All requests share one keep-alive HTTP client, the organization's shared `Throttle`
    and the `TokenSource`. `base_url` is the Books API root (".../books/v3"); None takes it
    from the token answer's `api_domain`.
    """

    def __init__(
        self,
        base_url: str | None,
        organization_id: str,
        tokens: TokenSource,
        throttle: Throttle | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | float | None = None,
    ) -> None:
        self.organization_id = str(organization_id)
        if throttle is None:
            root = base_url or tokens.token_url
            # an in-process transport (a test's sandbox) is its own Zoho: its own throttle
            via = f" via {id(transport):x}" if transport is not None else ""
            throttle = Throttle.shared(f"books {httpx.URL(root).netloc.decode()} {self.organization_id}{via}")
        super().__init__(ApiSession(
            base_url,
            tokens,
            throttle,
            api_path="/books/v3",
            params={"organization_id": self.organization_id},
            transport=transport,
            retry=retry,
            timeout=timeout,
        ))

    @classmethod
    def for_sandbox(
        cls,
        root_url: str,
        transport: httpx.AsyncBaseTransport | None = None,
        throttle: Throttle | None = None,
        *,
        organization_id: str = SANDBOX_ORGANIZATION_ID,
        retry: RetryPolicy | None = None,
    ) -> BooksClient:
        """A client of the sandbox at `root_url` with its built-in credentials and demo organization."""
        root = root_url.rstrip("/")
        return cls(
            f"{root}/books/v3",
            organization_id,
            TokenSource.for_sandbox(root, transport=transport),
            throttle,
            transport=transport,
            retry=retry,
        )

    @property
    def tokens(self) -> TokenSource:
        return self._session.tokens

    # --- reading ----------------------------------------------------------------------------

    async def organizations(self) -> list[dict[str, Any]]:
        """The organizations the signed-in user belongs to."""
        answer = await self._session.request("GET", "organizations")
        return records_of(answer.body, "organizations")

    async def list_page(
        self, entity: str, page: int = 1, per_page: int = 200, **filters: Any
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of `entity` matching `filters`: (records, has_more_page)."""
        answer = await self._session.request(
            "GET", _path(entity), params={**filters, "page": page, "per_page": per_page}
        )
        context = answer.body.get("page_context") or {}
        return records_of(answer.body, entity), bool(context.get("has_more_page"))

    async def list(self, entity: str, **filters: Any) -> AsyncGenerator[dict[str, Any], None]:
        """Every record of `entity` matching `filters`, page after page (200 a page)."""
        page = 1
        while True:
            records, more = await self.list_page(entity, page, 200, **filters)
            for record in records:
                yield record
            if not more or not records:
                return
            page += 1

    async def get(self, entity: str, record_id: str) -> dict[str, Any]:
        """One record by its ID."""
        answer = await self._session.request("GET", _record_path(entity, record_id))
        return record_of(answer.body, entity)

    # --- writing ----------------------------------------------------------------------------

    async def create(self, entity: str, payload: dict[str, Any], **params: Any) -> dict[str, Any]:
        """Create a record; `params` go to the query (e.g. `ignore_auto_number_generation=True`)."""
        if entity not in RECORDS:
            raise ValueError(f"{entity} are read-only here; records are {', '.join(RECORDS)}")
        answer = await self._session.request("POST", _path(entity), params=params, json=payload)
        return _saved(answer.body, entity)

    async def update(self, entity: str, record_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Update a record by its ID with the fields of `payload`."""
        answer = await self._session.request("PUT", _record_path(entity, record_id), json=payload)
        return _saved(answer.body, entity)

    async def upsert(
        self, entity: str, payload: dict[str, Any], unique_key: str, unique_value: str
    ) -> dict[str, Any]:
        """Update the record whose unique custom field `unique_key` is `unique_value`, or create it."""
        if entity not in RECORDS:
            raise ValueError(f"{entity} are read-only here; records are {', '.join(RECORDS)}")
        value = str(unique_value)
        if not (value.isascii() and value.isprintable()):
            # An HTTP header value is ASCII (RFC 9110, Field Values; httpx encodes headers as ASCII), so a
            # non-ASCII key value cannot travel in X-Unique-Identifier-Value as is. Nothing is sent; the
            # caller matches such a key from the list pages.
            raise ZohoError(f'the key value "{value}" has characters an HTTP header cannot carry, '
                            "so it cannot be upserted by its key")
        answer = await self._session.request(
            "PUT",
            _path(entity),
            json=payload,
            headers={
                "X-Unique-Identifier-Key": unique_key,
                "X-Unique-Identifier-Value": value,
                "X-Upsert": "true",
            },
        )
        return _saved(answer.body, entity)

    async def delete(self, entity: str, record_id: str) -> None:
        """Delete a record by its ID."""
        await self._session.request("DELETE", _record_path(entity, record_id))

    async def mark(self, entity: str, record_id: str, status: str) -> None:
        """Change a record's status: sales orders open/void, credit notes open/void/draft, contacts active/inactive."""
        if entity == "contacts":
            if status not in ("active", "inactive"):
                raise ValueError("a contact can be marked active or inactive")
            path = f"{_record_path(entity, record_id)}/{status}"
        elif entity == "creditnotes":
            if status not in CREDITNOTE_STATUS_PATHS:
                raise ValueError(f"{entity} cannot be marked {status!r}")
            path = f"{_record_path(entity, record_id)}/{CREDITNOTE_STATUS_PATHS[status]}"
        else:
            if entity != "salesorders" or status not in ("open", "void"):
                raise ValueError(f"{entity} cannot be marked {status!r}")
            path = f"{_record_path(entity, record_id)}/status/{status}"
        await self._session.request("POST", path)


def _saved(body: dict[str, Any], entity: str) -> dict[str, Any]:
    # A write Zoho accepted is never turned into an error here (the caller might resend it):
    # with no record in the answer, the whole answer is returned.
    return record_of(body, entity) or body
