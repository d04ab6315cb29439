"""The baseline importer of the benchmarks: for each order search its customer, search its item, create it — one call after another."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

ORGANIZATION_ID = "10234695"


@dataclass
class BaselineFigures:
    documents: int
    created: int
    calls: int
    rate_limited: int
    elapsed_s: float


def sandbox_token(root: str) -> str:
    answer = httpx.post(f"{root}/oauth/v2/token", data={
        "grant_type": "refresh_token", "refresh_token": "sandbox-refresh",
        "client_id": "sandbox-client", "client_secret": "sandbox-secret"}, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


class Caller:
    """One Books call after another, as a plain script makes them: on a 429 it waits a moment and tries again."""

    def __init__(self, root: str) -> None:
        headers = {"Authorization": f"Zoho-oauthtoken {sandbox_token(root)}"}
        self.http = httpx.Client(base_url=f"{root}/books/v3", headers=headers, timeout=30)
        self.calls = self.rate_limited = 0

    def __enter__(self) -> Caller:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def __call__(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        params = {"organization_id": ORGANIZATION_ID, **kwargs.pop("params", {})}
        while True:
            self.calls += 1
            answer = self.http.request(method, path, params=params, **kwargs)
            if answer.status_code != 429:
                answer.raise_for_status()
                body: dict[str, Any] = answer.json()
                return body
            self.rate_limited += 1
            time.sleep(0.25)


def sequential_import(root: str, orders: list[dict[str, Any]]) -> BaselineFigures:
    """Create each order {number, date, customer, item, quantity, rate}; on a 429 wait a moment and try again."""
    created = 0
    started = time.monotonic()
    with Caller(root) as call:
        for order in orders:
            customers = call("GET", "contacts", params={"contact_name": order["customer"]})["contacts"]
            items = call("GET", "items", params={"name": order["item"]})["items"]
            item = next(i for i in items if i["name"] == order["item"])
            call("POST", "salesorders", params={"ignore_auto_number_generation": "true"}, json={
                "customer_id": customers[0]["contact_id"], "salesorder_number": order["number"],
                "date": order["date"],
                "line_items": [{"item_id": item["item_id"], "quantity": order["quantity"],
                                "rate": order["rate"]}],
            })
            created += 1
    return BaselineFigures(len(orders), created, call.calls, call.rate_limited, time.monotonic() - started)
