"""Get Records pages of the sandbox's CRM: sort order, page-number and keyset walks, and the page tokens that go on."""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from app.sandbox.crm_errors import CrmError

PAGE_TOKEN_MAX_RECORDS = 100_000  # Zoho: "up to first 100000 records using page_token param"
SORT_KEYS = {  # the fields Get Records sorts by; ties (equal times) go by record ID
    "id": "CAST(id AS INTEGER)",
    "Created_Time": "json_extract(body, '$.Created_Time')",
    "Modified_Time": "json_extract(body, '$.Modified_Time')",
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS crm_page_tokens (
    token TEXT PRIMARY KEY,
    module TEXT NOT NULL,
    bound TEXT NOT NULL,
    anchor TEXT NOT NULL,
    before INTEGER NOT NULL,
    page INTEGER NOT NULL,
    expires REAL NOT NULL
);
"""


@dataclass(frozen=True)
class ListQuery:
    """What a list request asks for; a page token is bound to all of it (TOKEN_BOUND_DATA_MISMATCH)."""

    fields: tuple[str, ...]
    per_page: int
    sort_by: str = "id"
    sort_order: str = "desc"


@dataclass(frozen=True)
class ListPage:
    """One list page: its records in order and the `info` fields about paging on."""

    records: list[dict[str, Any]]
    page: int
    more_records: bool
    next_page_token: str | None
    previous_page_token: str | None
    page_token_expiry: str | None


def _bound(query: ListQuery) -> str:
    return json.dumps(asdict(query), sort_keys=True)


def _token_error(code: str, message: str) -> CrmError:
    return CrmError(400, code, message, {"param_name": "page_token"})


def _walk(conn: sqlite3.Connection, module: str, query: ListQuery, *, anchor: list[Any] | None = None,
          before: bool = False, limit: int, offset: int = 0) -> list[tuple[dict[str, Any], list[Any]]]:
    """(record, sort key) pairs in the query's order: from the start, after `anchor` or just before it."""
    key = SORT_KEYS[query.sort_by]
    down = (query.sort_order == "desc") != before
    where, args = "module = ?", [module]
    if anchor is not None:
        where += f" AND ({key}, CAST(id AS INTEGER)) {'<' if down else '>'} (?, ?)"
        args += anchor
    direction = "DESC" if down else "ASC"
    rows = conn.execute(
        f"SELECT body, {key}, CAST(id AS INTEGER) FROM crm_records WHERE {where}"
        f" ORDER BY {key} {direction}, CAST(id AS INTEGER) {direction} LIMIT ? OFFSET ?",
        (*args, limit, offset),
    ).fetchall()
    walked = [(json.loads(r[0]), [r[1], r[2]]) for r in rows]
    return walked[::-1] if before else walked


def _issue_token(conn: sqlite3.Connection, module: str, query: ListQuery, anchor: list[Any], before: bool,
                 page: int, expires: float) -> str:
    token = secrets.token_hex(20)
    conn.execute(
        "INSERT INTO crm_page_tokens VALUES (?, ?, ?, ?, ?, ?, ?)",
        (token, module, _bound(query), json.dumps(anchor), int(before), page, expires),
    )
    return token


def list_page(conn: sqlite3.Connection, module: str, query: ListQuery, *, page: int, page_token: str | None,
              now: float, ttl_s: float) -> ListPage:
    """One Get Records page, by page number or by a page token an earlier page handed out.

    Tokens continue from a record (keyset), so records added during a walk neither repeat nor
    push earlier ones out; every page with more after it hands out `next_page_token`, every page
    after the first `previous_page_token`, each good for `ttl_s` seconds. Token errors:
    INVALID_DATA (unknown), EXPIRED_VALUE, TOKEN_BOUND_DATA_MISMATCH (other module or parameters),
    PAGINATION_LIMIT_EXCEEDED (past the first 100,000 records). The caller holds the store's lock
    and a transaction.
    """
    if page_token is None:
        walked = _walk(conn, module, query, limit=query.per_page + 1, offset=(page - 1) * query.per_page)
        more = len(walked) > query.per_page
    else:
        row = conn.execute(
            "SELECT module, bound, anchor, before, page, expires FROM crm_page_tokens WHERE token = ?",
            (page_token,),
        ).fetchone()
        if row is None:
            raise _token_error("INVALID_DATA", "The token given seems to be invalid.")
        if row[5] <= now:
            raise _token_error("EXPIRED_VALUE", "The token given has expired.")
        if row[0] != module or row[1] != _bound(query):
            raise _token_error(
                "TOKEN_BOUND_DATA_MISMATCH",
                "The page_token given seems to be invalid or input param is added, altered, or deleted.",
            )
        page, before = int(row[4]), bool(row[3])
        if page * query.per_page > PAGE_TOKEN_MAX_RECORDS:
            raise _token_error(
                "PAGINATION_LIMIT_EXCEEDED", "You can only get up to first 100000 records using page_token param."
            )
        if before:
            walked, more = _walk(conn, module, query, anchor=json.loads(row[2]), before=True,
                                 limit=query.per_page), True
        else:
            walked = _walk(conn, module, query, anchor=json.loads(row[2]), limit=query.per_page + 1)
            more = len(walked) > query.per_page
    walked = walked[:query.per_page]
    next_token = previous_token = None
    if walked and more:
        next_token = _issue_token(conn, module, query, walked[-1][1], False, page + 1, now + ttl_s)
    if walked and page > 1:
        previous_token = _issue_token(conn, module, query, walked[0][1], True, page - 1, now + ttl_s)
    expiry = None
    if next_token or previous_token:
        expiry = datetime.fromtimestamp(now + ttl_s, UTC).isoformat(timespec="seconds")
    return ListPage([r for r, _ in walked], page, more, next_token, previous_token, expiry)
