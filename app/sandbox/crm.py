"""Zoho CRM v8 inventory conversion routes of the sandbox (placeholder until the CRM part lands)."""

from __future__ import annotations

import sqlite3
import threading

from starlette.routing import BaseRoute


class CrmStore:
    """CRM records (Quotes, Sales_Orders, Invoices) and mass-convert jobs kept in the sandbox's SQLite file."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self.conn = conn
        self.lock = lock


def crm_routes(store: CrmStore) -> list[BaseRoute]:
    """Routes under /crm/v8/ served behind the sandbox's auth middleware."""
    return []
