"""Request variants the tool can form but few tests send, sent once each through its real client.

The suite's hook (tests/conftest.py) checks every one against the contract; an undocumented value
(e.g. a status filter spelled Status.Partially_Invoiced) fails here even if no other test uses it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.jobs.exporting.settings import STATUSES, ExportSettings, list_filters
from app.zoho import BooksClient, Throttle, ZohoError

STATUS_FILTERS = [(entity, status) for entity, statuses in STATUSES.items() for status in (*statuses, "all")]


@pytest.mark.parametrize(("entity", "status"), STATUS_FILTERS, ids=[f"{e}-{s}" for e, s in STATUS_FILTERS])
async def test_every_export_status_filter_is_a_documented_request(sandbox, zoho_contract, entity: str,
                                                                   status: str, tmp_path: Path) -> None:
    filters = list_filters(ExportSettings(entity, tmp_path / "out.xlsx", status=status, customer=None,
                                          date_from="2026-01-01" if entity in ("salesorders", "creditnotes") else None))
    async with BooksClient.for_sandbox(sandbox.url, sandbox.transport, Throttle(calls=10_000)) as books:
        await books.list_page(entity, 1, 200, **filters)
    assert zoho_contract.violations == []


MARKS = [("contacts", "active"), ("contacts", "inactive"), ("salesorders", "open"), ("salesorders", "void"),
         ("creditnotes", "open"), ("creditnotes", "void"), ("creditnotes", "draft")]


@pytest.mark.parametrize(("entity", "status"), MARKS, ids=[f"{e}-{s}" for e, s in MARKS])
async def test_every_status_change_is_a_documented_request(sandbox, zoho_contract, entity: str, status: str) -> None:
    async with BooksClient.for_sandbox(sandbox.url, sandbox.transport, Throttle(calls=10_000)) as books:
        with pytest.raises(ZohoError):  # no such record: the request went out, checked, and was answered
            await books.mark(entity, "460000000099999", status)
    assert zoho_contract.violations == []
