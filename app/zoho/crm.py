"""The Zoho CRM v8 client for inventory conversion: convert, mass convert and its status, list and create records."""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator
from typing import Any

import httpx

from app.zoho.errors import ZohoError
from app.zoho.session import ApiClient, ApiSession, RetryPolicy
from app.zoho.throttle import Throttle
from app.zoho.tokens import TokenSource

MASS_CONVERT_MAX_IDS = 50
CREATE_MAX_RECORDS = 100
PAGE_SIZE = 200  # Get Records' most per call


def _entry_error(entry: dict[str, Any], status: int | None = None) -> ZohoError | None:
    """The error one entry of CRM's `data` list carries, if its status is "error"."""
    if str(entry.get("status", "")).lower() != "error":
        return None
    details = found if isinstance(found := entry.get("details"), dict) else {}
    field = details.get("api_name") or details.get("param_name") or details.get("json_path")
    return ZohoError(
        str(entry.get("message") or entry.get("code") or "Zoho CRM refused the record"),
        status=status,
        code=entry.get("code"),
        field=field,
    )


def _first_entry(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    if isinstance(data, dict):
        return data
    return body


class CrmClient(ApiClient):
    """Async client of Zoho CRM v8 at `api_domain` (e.g. "https://www.zohoapis.eu" or a sandbox root)."""

    def __init__(
        self,
        api_domain: str | None,
        tokens: TokenSource,
        throttle: Throttle | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | float | None = None,
    ) -> None:
        if throttle is None:
            root = api_domain or tokens.token_url
            # CRM's limits are credits per day with about 10 concurrent calls per user.
            via = f" via {id(transport):x}" if transport is not None else ""
            throttle = Throttle.shared(
                f"crm {httpx.URL(root).netloc.decode()}{via}", calls=1_000, window_s=60.0, concurrency=10,
                daily_quota=None,
            )
        super().__init__(ApiSession(
            f"{api_domain.rstrip('/')}/crm/v8" if api_domain else None,
            tokens,
            throttle,
            api_path="/crm/v8",
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
    ) -> CrmClient:
        """A client of the sandbox at `root_url` with its built-in credentials."""
        return cls(root_url, TokenSource.for_sandbox(root_url, transport=transport), throttle,
                   transport=transport)

    async def modules(self) -> list[dict[str, Any]]:
        """The CRM modules with their API names and IDs (what `convert_to` entries name)."""
        answer = await self._session.request("GET", "settings/modules")
        modules = answer.body.get("modules")
        return modules if isinstance(modules, list) else []

    async def convert(
        self,
        module: str,
        record_id: str,
        to: dict[str, str],
        *,
        carry_over_tags: bool = False,
    ) -> dict[str, Any]:
        """Convert one Quote or Sales Order into the one module `to` ({"api_name", "id"}).

        Returns the `details` of the success entry ({target module: {"id", "name"}}). The body is
        crm-oas v8 inventory_convert.yaml's: `{"data": [{"convert_to": [{"module": to}]}]}`, one
        module per call (seed 000: "One module for conversion per action is allowed");
        `carry_over_tags` goes only as `true` (Zoho answers `false` with NOT_ALLOWED; left out,
        Zoho carries the tags over, seed 000's note).
        """
        target: dict[str, Any] = {"module": {"api_name": str(to["api_name"]), "id": str(to["id"])}}
        if carry_over_tags:
            target["carry_over_tags"] = True
        body = {"data": [{"convert_to": [target]}]}
        answer = await self._session.request("POST", f"{module}/{record_id}/actions/convert", json=body)
        entry = _first_entry(answer.body)
        error = _entry_error(entry, answer.status)
        if error:
            raise error
        details = entry.get("details")
        return details if isinstance(details, dict) else entry

    async def mass_convert(
        self,
        module: str,
        ids: list[str],
        to: dict[str, str],
        *,
        carry_over_tags: bool = False,
    ) -> str:
        """Schedule the conversion of up to 50 records into the one module `to`; returns the job ID.

        crm-oas v8 inventory_mass_convert Body_Wrapper: `ids` and `convert_to`, whose entry needs
        `module` and `carry_over_tags` (a boolean, required here, false allowed).
        """
        if not ids or len(ids) > MASS_CONVERT_MAX_IDS:
            raise ValueError(f"mass convert takes 1 to {MASS_CONVERT_MAX_IDS} IDs, not {len(ids)}")
        body = {
            "ids": [str(i) for i in ids],
            "convert_to": [{"module": {"api_name": str(to["api_name"]), "id": str(to["id"])},
                            "carry_over_tags": bool(carry_over_tags)}],
        }
        answer = await self._session.request("POST", f"{module}/actions/mass_convert", json=body)
        entry = _first_entry(answer.body)
        error = _entry_error(entry, answer.status)
        if error:
            raise error
        details = found if isinstance(found := entry.get("details"), dict) else {}
        job_id = details.get("job_id") or entry.get("job_id")
        if not job_id:
            raise ZohoError("Zoho CRM scheduled the conversion but named no job", code=entry.get("code"))
        return str(job_id)

    async def mass_convert_status(self, module: str, job_id: str) -> dict[str, Any]:
        """Progress of a mass conversion: total_count, converted_count, not_converted_count, failed_count, status."""
        answer = await self._session.request(
            "GET", f"{module}/actions/mass_convert", params={"job_id": job_id}
        )
        return _first_entry(answer.body)

    async def list(self, module: str, fields: list[str], **params: Any) -> AsyncGenerator[dict[str, Any], None]:
        """Every record of `module` with `fields`, 200 a call, however many there are.

        The first call asks for the first page; each further call passes the `next_page_token`
        the previous answer handed out, with the same other parameters (Zoho binds the token to
        them). Page numbers would reach only the first 2,000 records, and a token walk goes on
        from the last record seen, so records added meanwhile neither repeat nor push others out.
        `params` (e.g. sort_by="Created_Time", sort_order="desc") go with every call.
        """
        query = {"fields": ",".join(fields), "per_page": PAGE_SIZE, **params}
        token: str | None = None
        while True:
            answer = await self._session.request(
                "GET", module, params=query if token is None else {**query, "page_token": token}
            )
            data = answer.body.get("data") or []
            for record in data:
                yield record
            info = answer.body.get("info") or {}
            if not data or not info.get("more_records"):
                return
            token = info.get("next_page_token")
            if not token:
                raise ZohoError(
                    f"Zoho CRM said more {module} records follow but gave no page token to reach them",
                    status=answer.status,
                )

    async def get(self, module: str, record_id: str) -> dict[str, Any]:
        """One record by its ID."""
        answer = await self._session.request("GET", f"{module}/{record_id}")
        return _first_entry(answer.body)

    async def create_records(  # builtins.list: the method list() above hides the type in this class
            self, module: str, records: builtins.list[dict[str, Any]]) -> builtins.list[dict[str, Any]]:
        """Create up to 100 records in one call; returns one entry per record (status, code, details)."""
        if not records or len(records) > CREATE_MAX_RECORDS:
            raise ValueError(f"create takes 1 to {CREATE_MAX_RECORDS} records, not {len(records)}")
        answer = await self._session.request("POST", module, json={"data": records})
        data = answer.body.get("data")
        return data if isinstance(data, list) else []

