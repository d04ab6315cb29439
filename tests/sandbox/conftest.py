"""Shortcuts for the sandbox's own tests: an authorized httpx client on the in-process sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

ORG = "10234695"


def books_client(handle: Any, token: str, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client on a sandbox (in-process or live) sending the token and organization."""
    transport = getattr(handle, "transport", None)
    return httpx.AsyncClient(
        base_url=f"{handle.url}/books/v3",
        transport=transport,
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
        params={"organization_id": ORG},
        timeout=10,
        **kwargs,
    )


@pytest.fixture
async def books(sandbox: Any, sandbox_token: Callable[[Any], str]) -> AsyncIterator[httpx.AsyncClient]:
    async with books_client(sandbox, sandbox_token(sandbox)) as client:
        yield client


@pytest.fixture
async def catalogue(books: httpx.AsyncClient) -> dict[str, Any]:
    """Names of the demo organization's catalogues mapped to their records."""
    out: dict[str, Any] = {}
    for key, path in (("items", "/items"), ("taxes", "/settings/taxes"),
                      ("contacts", "/contacts"), ("accounts", "/chartofaccounts"),
                      ("salespersons", "/salespersons"), ("currencies", "/settings/currencies")):
        answer = (await books.get(path)).json()
        records = answer[path.rsplit("/", 1)[1]]
        name_key = {"items": "name", "taxes": "tax_name", "contacts": "contact_name",
                    "accounts": "account_name", "salespersons": "salesperson_name",
                    "currencies": "currency_code"}[key]
        out[key] = {r[name_key]: r for r in records}
    return out
