"""The job journal: one SQLite file per job recording its settings and the state of every document.

The journal is the memory that makes a run exactly-once: a document is marked "sent" (durably, WAL +
synchronous=FULL) before its request goes out and "done"/"failed"/"in_doubt" after the answer. A process
killed at any moment leaves "pending" (never sent), "sent" (maybe sent: reconcile before resending) or a
final state. A run on an event loop writes through `await journal.write(...)`: the fsync happens on the
journal's one writer thread while the loop (the GUI) keeps turning. Every job kind uses it with its own keys.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from app.jobs.outcomes import Answer
from app.private import data_dir, private_file, private_folder

T = TypeVar("T")

class State(StrEnum):
    """Where a document stands: never sent, maybe sent (look it up first), settled, or its answer lost."""

    PENDING = "pending"
    SENT = "sent"
    DONE = "done"
    FAILED = "failed"
    IN_DOUBT = "in_doubt"



def jobs_dir() -> Path:
    return private_folder(data_dir() / "jobs")


def journal_path(job_id: str) -> Path:
    return jobs_dir() / f"{job_id}.sqlite"


@dataclass
class Entry(Answer):
    """One document (or exported page, or converted record) of a job, as the journal knows it."""

    index: int
    key: str | None = None
    rows: list[int] = field(default_factory=list)
    state: str = State.PENDING
    outcome: str | None = None  # created, updated, unchanged, skipped, failed, invalid
    marker: dict[str, Any] = field(default_factory=dict)  # how to find the record again
    sent_at: float | None = None
    updated_at: float | None = None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS job (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    idx INTEGER PRIMARY KEY,
    key TEXT,
    rows TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL DEFAULT 'pending',
    outcome TEXT,
    zoho_id TEXT,
    number TEXT,
    message TEXT,
    http_status INTEGER,
    zoho_code TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    marker TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL,
    sent_at REAL,
    updated_at REAL
);
CREATE INDEX IF NOT EXISTS entries_state ON entries(state);
CREATE TABLE IF NOT EXISTS kept (
    zoho_id TEXT PRIMARY KEY,
    modified TEXT,
    record TEXT NOT NULL,
    kept_at REAL NOT NULL
);
"""

_COLUMNS = ("idx", "key", "rows", "state", "outcome", "zoho_id", "number", "message",
            "http_status", "zoho_code", "attempts", "marker", "sent_at", "updated_at")


class Journal:
    """A job's SQLite journal; `Journal.open(job_id)` or `Journal(path)`; ':memory:' for dry runs."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        if str(path) != ":memory:":
            private_file(Path(path))  # every payload sent is in it: the user's alone
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        self._claim: int | None = None
        self._lock = threading.RLock()  # one write at a time, whichever thread makes it
        self._writer: ThreadPoolExecutor | None = None

    @classmethod
    def open(cls, job_id: str) -> Journal:
        return cls(journal_path(job_id))

    def claim(self) -> bool:
        """Take the job for this run: an OS lock on `<journal>.lock`, held until close() or the
        process ends. False when another run (another terminal, the GUI) holds it: two runs of one
        job would each send the documents the other has not settled yet."""
        if self._claim is not None:
            return True
        fd = os.open(f"{self.path}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            if sys.platform == "win32":  # as os.name == "nt", in the form mypy knows
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._claim = fd
        return True

    async def write(self, change: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Make one change (e.g. `journal.mark_sent`, `journal.finish`) on the journal's writer thread
        and wait for it. When this returns the change is as durable as when called directly; meanwhile
        the event loop keeps turning (a commit's fsync took 0.2 s on a busy disk). Changes keep their order.
        Reads (entries(), get()...) are made on the caller's thread: await the writes a read depends on."""
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="journal")
        return await asyncio.get_running_loop().run_in_executor(
            self._writer, functools.partial(change, *args, **kwargs))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None
        self._db.close()
        if self._claim is not None:
            os.close(self._claim)  # releases the lock
            self._claim = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- job-level values (settings, fingerprint, mapping, status, counters) ---

    def set(self, name: str, value: Any) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO job(name, value) VALUES(?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value=excluded.value",
                (name, json.dumps(value, default=str)),
            )

    def forget(self, prefix: str) -> None:
        """Drop the job-level values whose names start with `prefix` (e.g. "problems.")."""
        with self._lock:
            self._db.execute("DELETE FROM job WHERE substr(name, 1, ?) = ?", (len(prefix), prefix))

    def get(self, name: str, default: Any = None) -> Any:
        row = self._db.execute("SELECT value FROM job WHERE name=?", (name,)).fetchone()
        return json.loads(row[0]) if row else default

    def values(self) -> dict[str, Any]:
        return {n: json.loads(v) for n, v in self._db.execute("SELECT name, value FROM job")}

    # --- entries ---

    def has_entries(self) -> bool:
        return self._db.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is not None

    def add(self, entries: Iterable[Entry]) -> None:
        now = time.time()
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO entries(idx, key, rows, state, outcome, message, marker, zoho_id, number,"
                " http_status, zoho_code, attempts, sent_at, created_at, updated_at)"
                " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(e.index, e.key, json.dumps(e.rows), e.state, e.outcome, e.message, json.dumps(e.marker),
                  e.zoho_id, e.number, e.http_status, e.zoho_code, e.attempts, e.sent_at, now,
                  e.updated_at or now) for e in entries],
            )

    def entry(self, index: int) -> Entry:
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM entries WHERE idx=?", (index,)
        ).fetchone()
        if row is None:
            raise KeyError(index)
        return _entry(row)

    def entries(self, *states: str) -> list[Entry]:
        sql = f"SELECT {', '.join(_COLUMNS)} FROM entries"
        params: tuple[str, ...] = ()
        if states:
            sql += f" WHERE state IN ({', '.join('?' * len(states))})"
            params = states
        return [_entry(r) for r in self._db.execute(sql + " ORDER BY idx", params)]

    def states(self) -> dict[str, int]:
        """Number of entries per state (pending, sent, done, failed, in_doubt)."""
        return dict(self._db.execute("SELECT state, COUNT(*) FROM entries GROUP BY state").fetchall())

    def counts(self) -> dict[str, int]:
        """What a user reads: entries per outcome (created, failed, invalid...) and per unsettled state.

        "failed" is both a state (settled without success, invalid rows included) and an outcome
        (Zoho refused the row); here it always means the outcome, so invalid rows are not counted twice.
        """
        result = {state: n for state, n in self.states().items() if state != State.FAILED}
        result.update(self._db.execute(
            "SELECT outcome, COUNT(*) FROM entries WHERE outcome IS NOT NULL GROUP BY outcome"
        ).fetchall())
        return result

    def mark_sent(self, index: int, marker: dict[str, Any] | None = None) -> None:
        """Durably record that a request for this entry is about to go out."""
        now = time.time()
        with self._transaction():
            if marker is None:
                self._db.execute(
                    "UPDATE entries SET state=?, attempts=attempts+1, sent_at=?, updated_at=?"
                    " WHERE idx=?", (State.SENT, now, now, index))
            else:
                self._db.execute(
                    "UPDATE entries SET state=?, attempts=attempts+1, sent_at=?, updated_at=?,"
                    " marker=? WHERE idx=?", (State.SENT, now, now, json.dumps(marker), index))

    def finish(self, index: int, state: str, outcome: str | None, *, zoho_id: str | None = None,
               number: str | None = None, message: str | None = None,
               http_status: int | None = None, zoho_code: str | int | None = None) -> None:
        """Record an entry's answer (done / failed / in_doubt / back to pending)."""
        if state not in tuple(State):
            raise ValueError(f"unknown journal state {state!r}")
        with self._transaction():
            self._db.execute(
                "UPDATE entries SET state=?, outcome=?, zoho_id=COALESCE(?, zoho_id),"
                " number=COALESCE(?, number), message=?, http_status=?, zoho_code=?, updated_at=?"
                " WHERE idx=?",
                (state, outcome, zoho_id, number, message, http_status,
                 None if zoho_code is None else str(zoho_code), time.time(), index),
            )

    def release(self, index: int) -> None:
        """Put an entry that never went out back to pending (attempt not counted)."""
        with self._transaction():
            self._db.execute(
                "UPDATE entries SET state=?, attempts=MAX(attempts-1, 0), updated_at=?"
                " WHERE idx=? AND state=?", (State.PENDING, time.time(), index, State.SENT))

    def interrupted_to_in_doubt(self) -> int:
        """After a crash: every entry left "sent" becomes "in_doubt"; returns how many."""
        with self._transaction():
            cursor = self._db.execute(
                "UPDATE entries SET state=?, message=?, updated_at=? WHERE state=?",
                (State.IN_DOUBT, "the previous run stopped while this request was out",
                 time.time(), State.SENT))
        return cursor.rowcount

    def retry_unsettled_failures(self, also: Iterable[int] = ()) -> int:
        """On resume: failures that were no verdict on the data (server errors, network, rate, a
        name Zoho did not know then) go back to pending; returns how many."""
        extra = list(also)
        with self._transaction():
            cursor = self._db.execute(
                "UPDATE entries SET state=?, outcome=NULL, updated_at=? WHERE state=? AND outcome=?"
                " AND (http_status IS NULL OR http_status >= 500 OR http_status = 429)",
                (State.PENDING, time.time(), State.FAILED, "failed"))
            n = cursor.rowcount
            for index in extra:
                n += self._db.execute(
                    "UPDATE entries SET state=?, outcome=NULL, updated_at=? WHERE idx=? AND state=?",
                    (State.PENDING, time.time(), index, State.FAILED)).rowcount
        return n

    # --- records a job read from Zoho and keeps for its next run (an export's details) ---

    def keep(self, records: Iterable[tuple[str, str | None, str]]) -> None:
        """Keep (zoho_id, last_modified_time, record JSON) for each record, replacing what was kept."""
        now = time.time()
        with self._transaction():
            self._db.executemany(
                "INSERT INTO kept(zoho_id, modified, record, kept_at) VALUES(?,?,?,?) ON CONFLICT(zoho_id)"
                " DO UPDATE SET modified=excluded.modified, record=excluded.record, kept_at=excluded.kept_at",
                [(zoho_id, modified, record, now) for zoho_id, modified, record in records])

    def kept_versions(self) -> dict[str, str | None]:
        """The last_modified_time of every kept record, by Zoho ID."""
        return dict(self._db.execute("SELECT zoho_id, modified FROM kept").fetchall())

    def kept_records(self, zoho_ids: Iterable[str]) -> dict[str, str]:
        """The kept record JSON of these Zoho IDs (those kept), by Zoho ID."""
        ids = list(zoho_ids)
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found.update(self._db.execute(
                f"SELECT zoho_id, record FROM kept WHERE zoho_id IN ({', '.join('?' * len(chunk))})",
                chunk).fetchall())
        return found

    def replace_entries(self, entries: Iterable[Entry]) -> None:
        """Forget every entry and add these (a run that lists its records afresh each time: export)."""
        with self._transaction():
            self._db.execute("DELETE FROM entries")
            self.add(entries)

    def together(self, *changes: Callable[[], object]) -> None:
        """Make several changes in one transaction: one fsync, and after a crash all of them or none.
        E.g. `await journal.write(journal.together, *(partial(journal.mark_sent, i) for i in batch))`."""
        with self._transaction():
            for change in changes:
                change()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)


def stored_values(job_id: str, refuse: Callable[[str], Exception]) -> dict[str, Any]:
    """What job `job_id`'s journal keeps (kind, settings...); raises `refuse(sentence)` when it cannot say."""
    if not journal_path(job_id).exists():
        raise refuse(f"There is no job {job_id} to resume.")
    try:
        with Journal(journal_path(job_id)) as journal:
            return journal.values()
    except sqlite3.Error as exc:
        raise refuse(f"The journal of job {job_id} cannot be read ({exc}).") from None


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT under the journal's lock; inside another transaction (together()) it
    joins that one."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock
        self._outer = False

    def __enter__(self) -> None:
        self._lock.acquire()
        try:
            # Only this thread can be inside a transaction now: whoever began one holds the lock.
            self._outer = not self._db.in_transaction
            if self._outer:
                self._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if self._outer:
                self._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()


def _entry(row: tuple[Any, ...]) -> Entry:
    d = dict(zip(_COLUMNS, row, strict=True))
    return Entry(
        index=d["idx"], key=d["key"], rows=json.loads(d["rows"]), state=d["state"],
        outcome=d["outcome"], zoho_id=d["zoho_id"], number=d["number"], message=d["message"],
        http_status=d["http_status"], zoho_code=d["zoho_code"], attempts=d["attempts"],
        marker=json.loads(d["marker"]), sent_at=d["sent_at"], updated_at=d["updated_at"],
    )


@dataclass
class JobSummary:
    """One past or unfinished job, as the Jobs page lists it."""

    job_id: str
    path: Path
    kind: str
    entity: str | None
    operation: str | None
    file: str | None
    status: str
    created_at: float | None
    counts: dict[str, int]
    report: str | None
    report_csv: str | None

    @property
    def resumable(self) -> bool:
        """Whether a run was left unfinished: a plan never started ("new") sent nothing and is no job to resume."""
        return self.status not in ("finished", "new")


def forget_unstarted(job_id: str) -> bool:
    """Delete the journal of a job that was planned and never run (status "new", nothing sent), as when the
    import wizard's Review step is left: a look at a plan leaves no job behind. True when it was deleted."""
    path = journal_path(job_id)
    if not path.exists():
        return False
    with Journal(path) as journal:
        if not journal.claim():
            return False  # a run holds it
        unstarted = journal.get("status") == "new" and not journal.states().keys() & {State.SENT, State.DONE, State.IN_DOUBT}
    if unstarted:
        for leftover in (path, *(Path(f"{path}{tail}") for tail in ("-wal", "-shm", ".lock"))):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(path.with_suffix(".input"), ignore_errors=True)  # its copy of a file fixed in the app
    return unstarted


def list_jobs() -> list[JobSummary]:
    """Every job journal under the data directory, newest first."""
    found: list[JobSummary] = []
    for path in jobs_dir().glob("*.sqlite"):
        try:
            with Journal(path) as journal:
                v = journal.values()
                counts = journal.counts()
        except sqlite3.Error:
            continue
        found.append(JobSummary(
            job_id=path.stem, path=path, kind=v.get("kind", "import"), entity=v.get("entity"),
            operation=v.get("operation"), file=v.get("file"), status=v.get("status", "new"),
            created_at=v.get("created_at"), counts=counts, report=v.get("report"),
            report_csv=v.get("report_csv"),
        ))
    found.sort(key=lambda j: j.created_at or 0, reverse=True)
    return found

