"""The sandbox's SQLite file: one connection guarded by a lock, records kept as JSON documents."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    entity TEXT NOT NULL,
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    number TEXT,
    name TEXT,
    email TEXT,
    company TEXT,
    customer_id TEXT,
    date TEXT,
    status TEXT,
    reference TEXT,
    unique_value TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_entity ON records(entity, seq);
CREATE UNIQUE INDEX IF NOT EXISTS records_number ON records(entity, number)
    WHERE number IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS records_unique ON records(entity, unique_value)
    WHERE unique_value IS NOT NULL;
CREATE TABLE IF NOT EXISTS contact_persons (
    contact_person_id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (token TEXT PRIMARY KEY, client_id TEXT NOT NULL);
"""

# Columns kept beside the JSON document so that lists filter in SQL.
INDEXED = ("number", "name", "email", "company", "customer_id", "date", "status", "reference",
           "unique_value")

ID_BASE = 460_000_000_000_000
T = TypeVar("T")


def connect(db_path: str | Path) -> sqlite3.Connection:
    """Open (and create) the sandbox file in WAL mode, autocommit; safe to share across threads
    as long as every use holds the store's lock."""
    conn = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.executescript(SCHEMA)
    return conn


class Store:
    """Books records of the sandbox; every method takes the shared lock."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self.conn = conn
        self.lock = lock

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def is_empty(self) -> bool:
        with self.lock:
            return self.conn.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None

    def next_value(self, name: str, start: int = 1) -> int:
        """Take the next value of a named counter (call inside a transaction)."""
        with self.lock:
            row = self.conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
            value = start if row is None else row[0] + 1
            self.conn.execute(
                "INSERT INTO counters(name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
            return value

    def _execute(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        """Run one statement under the lock."""
        with self.lock:
            return self.conn.execute(sql, params)

    def _first(self, sql: str, params: tuple[Any, ...], read: Callable[[Any], T]) -> T | None:
        """`read` of the first column of the first row `sql` finds, or None when it finds none."""
        with self.lock:
            row = self.conn.execute(sql, params).fetchone()
        return None if row is None else read(row[0])

    def peek_value(self, name: str) -> int | None:
        return self._first("SELECT value FROM counters WHERE name = ?", (name,), int)

    def new_id(self) -> str:
        return str(ID_BASE + self.next_value("id", 10_001))

    def insert(self, entity: str, record_id: str, doc: dict[str, Any], **columns: Any) -> None:
        with self.lock:
            seq = self.next_value(f"seq:{entity}")
            values = [columns.get(c) for c in INDEXED]
            self.conn.execute(
                f"INSERT INTO records(entity, id, seq, {', '.join(INDEXED)}, doc) "
                f"VALUES (?, ?, ?, {', '.join('?' * len(INDEXED))}, ?)",
                (entity, record_id, seq, *values, json.dumps(doc)),
            )

    def replace(self, entity: str, record_id: str, doc: dict[str, Any], **columns: Any) -> None:
        with self.lock:
            sets = ", ".join(f"{c} = ?" for c in INDEXED)
            values = [columns.get(c) for c in INDEXED]
            self.conn.execute(
                f"UPDATE records SET {sets}, doc = ? WHERE entity = ? AND id = ?",
                (*values, json.dumps(doc), entity, record_id),
            )

    def get(self, entity: str, record_id: str) -> dict[str, Any] | None:
        return self._first("SELECT doc FROM records WHERE entity = ? AND id = ?", (entity, str(record_id)), json.loads)

    def delete(self, entity: str, record_id: str) -> bool:
        return self._execute("DELETE FROM records WHERE entity = ? AND id = ?", (entity, str(record_id))).rowcount > 0

    def find_id(self, entity: str, column: str, value: str) -> str | None:
        """The ID of the record whose indexed ``column`` equals ``value``."""
        if column not in INDEXED:
            raise ValueError(column)
        return self._first(f"SELECT id FROM records WHERE entity = ? AND {column} = ?", (entity, value), str)

    def select(
        self, entity: str, where: list[str], params: list[Any], offset: int, limit: int
    ) -> list[dict[str, Any]]:
        clause = "".join(f" AND ({w})" for w in where)
        with self.lock:
            rows = self.conn.execute(
                f"SELECT doc FROM records WHERE entity = ?{clause} ORDER BY seq LIMIT ? OFFSET ?",
                (entity, *params, limit, offset),
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def all(self, entity: str) -> list[dict[str, Any]]:
        return self.select(entity, [], [], 0, -1)

    def count(self, entity: str) -> int:
        with self.lock:
            return int(
                self.conn.execute("SELECT COUNT(*) FROM records WHERE entity = ?", (entity,))
                .fetchone()[0]
            )

    # contact persons live inside their contact's document; this maps a person to its contact
    def set_person_owner(self, person_id: str, contact_id: str) -> None:
        self._execute("INSERT OR REPLACE INTO contact_persons VALUES (?, ?)", (person_id, contact_id))

    def person_owner(self, person_id: str) -> str | None:
        return self._first("SELECT contact_id FROM contact_persons WHERE contact_person_id = ?", (person_id,), str)

    def forget_persons(self, contact_id: str, keep: set[str] | None = None) -> None:
        with self.lock:
            rows = self.conn.execute(
                "SELECT contact_person_id FROM contact_persons WHERE contact_id = ?", (contact_id,)
            ).fetchall()
            for (pid,) in rows:
                if keep is None or pid not in keep:
                    self.conn.execute(
                        "DELETE FROM contact_persons WHERE contact_person_id = ?", (pid,)
                    )

    def add_refresh_token(self, token: str, client_id: str) -> None:
        self._execute("INSERT OR REPLACE INTO refresh_tokens VALUES (?, ?)", (token, client_id))

    def refresh_token_client(self, token: str) -> str | None:
        return self._first("SELECT client_id FROM refresh_tokens WHERE token = ?", (token,), str)
