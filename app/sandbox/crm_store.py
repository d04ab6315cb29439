"""SQLite storage of the sandbox's CRM records, conversions and mass-convert jobs (rules in app.sandbox.crm)."""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from app.sandbox import crm_pages
from app.sandbox import crm_records as rec
from app.sandbox.crm_convert import Target
from app.sandbox.crm_errors import (
    CrmError,
    id_of_another_module,
    invalid_data,
    invalid_record_id,
    mandatory_not_found,
    path_details,
    too_many_requests,
)
from app.sandbox.crm_pages import ListPage, ListQuery
from app.sandbox.crm_seed import build_seed

NOT_CONVERTED_CODES = {"NOT_APPROVED", "NOT_REVIEWED", "ID_ALREADY_CONVERTED"}
FIRST_NEW_ID = 460000001000000
FIRST_JOB_ID = 460000000900000

SCHEMA = """
CREATE TABLE IF NOT EXISTS crm_records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    module TEXT NOT NULL,
    body TEXT NOT NULL,
    trap TEXT
);
CREATE INDEX IF NOT EXISTS crm_records_module ON crm_records (module, seq);
CREATE TABLE IF NOT EXISTS crm_conversions (
    source_id TEXT NOT NULL,
    target_module TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (source_id, target_module)
);
CREATE TABLE IF NOT EXISTS crm_jobs (
    job_id TEXT PRIMARY KEY,
    module TEXT NOT NULL,
    request TEXT NOT NULL,
    steps INTEGER NOT NULL,
    polls INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    converted INTEGER NOT NULL DEFAULT 0,
    not_converted INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS crm_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _lookup(record: dict[str, Any]) -> dict[str, str]:
    return {"id": record["id"], "name": record["Subject"]}


class CrmStore:
    """CRM records (Quotes, Sales_Orders, Invoices) and mass-convert jobs kept in the sandbox's SQLite file.

    Settings (plain attributes, change them at any time):
    ``mass_convert_polls`` status polls a new job answers IN PROGRESS before COMPLETED (0: done at once);
    ``concurrency`` CRM requests served at once before TOO_MANY_REQUESTS;
    ``disabled_modules`` modules switched off in Organize Modules (NO_PERMISSION on convert);
    ``page_token_ttl_s`` how long a list page token stays good (Zoho: 24 hours), then EXPIRED_VALUE.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        lock: threading.RLock,
        *,
        mass_convert_polls: int = 1,
        concurrency: int = 10,
        disabled_modules: frozenset[str] = frozenset(),
    ) -> None:
        self.conn = conn
        self.lock = lock
        self.mass_convert_polls = mass_convert_polls
        self.concurrency = concurrency
        self.disabled_modules = set(disabled_modules)
        self.page_token_ttl_s = 86_400.0
        self.in_flight = 0
        self._slots = threading.Lock()
        self._savepoints = itertools.count(1)
        with self.lock:
            self.conn.executescript(SCHEMA + crm_pages.SCHEMA)
            if self.conn.execute("SELECT COUNT(*) FROM crm_records").fetchone()[0] == 0:
                with self._transaction():
                    self._seed()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """All or nothing (a SAVEPOINT, so it nests and works in autocommit mode); caller holds the lock."""
        name = f"crm_{next(self._savepoints)}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        self.conn.execute(f"RELEASE {name}")

    # --- storage -------------------------------------------------------------------------------

    def _seed(self) -> None:
        seed = build_seed()
        for seeded in seed.records:
            self._insert(seeded.module, seeded.record, seeded.trap)
        self.conn.executemany("INSERT INTO crm_conversions VALUES (?, ?, ?)", seed.conversions)
        counts: dict[str, int] = {}
        for seeded in seed.records:
            counts[seeded.module] = counts.get(seeded.module, 0) + 1
        rows = [("id", FIRST_NEW_ID), ("job", FIRST_JOB_ID), *counts.items()]
        self.conn.executemany("INSERT INTO crm_counters VALUES (?, ?)", rows)

    def _insert(self, module: str, record: dict[str, Any], trap: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO crm_records (id, module, body, trap) VALUES (?, ?, ?, ?)",
            (record["id"], module, json.dumps(record), trap),
        )

    def _save(self, record: dict[str, Any]) -> None:
        self.conn.execute("UPDATE crm_records SET body = ? WHERE id = ?", (json.dumps(record), record["id"]))

    def _count(self, name: str) -> int:
        self.conn.execute("UPDATE crm_counters SET value = value + 1 WHERE name = ?", (name,))
        return int(self.conn.execute("SELECT value FROM crm_counters WHERE name = ?", (name,)).fetchone()[0])

    def _new_number(self, module: str) -> str:
        return f"{rec.MODULES[module].number_prefix}-{self._count(module):05d}"

    def _find(self, record_id: str) -> tuple[str, dict[str, Any], str | None] | None:
        row = self.conn.execute("SELECT module, body, trap FROM crm_records WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else (row[0], json.loads(row[1]), row[2])

    def get(self, module: str, record_id: str) -> dict[str, Any] | None:
        """One record of `module`, or None."""
        with self.lock:
            found = self._find(record_id)
        return found[1] if found and found[0] == module else None

    def page(self, module: str, page: int, per_page: int) -> tuple[list[dict[str, Any]], bool]:
        """(records of one list page in creation order, more_records)."""
        with self.lock:
            rows = self.conn.execute(
                "SELECT body FROM crm_records WHERE module = ? ORDER BY seq LIMIT ? OFFSET ?",
                (module, per_page + 1, (page - 1) * per_page),
            ).fetchall()
        records = [json.loads(r[0]) for r in rows[:per_page]]
        return records, len(rows) > per_page

    def list_page(self, module: str, query: ListQuery, *, page: int = 1, page_token: str | None = None) -> ListPage:
        """One Get Records page, by page number or by a page token an earlier page handed out (app.sandbox.crm_pages)."""
        with self.lock, self._transaction():
            return crm_pages.list_page(self.conn, module, query, page=page, page_token=page_token, now=time.time(),
                                       ttl_s=self.page_token_ttl_s)

    def summary(self) -> dict[str, int]:
        """How many records each CRM module holds, e.g. {"Quotes": 40, "Sales_Orders": 12, "Invoices": 5}."""
        with self.lock:
            rows = self.conn.execute("SELECT module, COUNT(*) FROM crm_records GROUP BY module").fetchall()
        counts = dict(rows)
        return {module: int(counts.get(module, 0)) for module in rec.MODULES}

    @contextmanager
    def request_slot(self) -> Iterator[None]:
        """Hold one of the organization's concurrent CRM request slots, or raise TOO_MANY_REQUESTS."""
        with self._slots:
            if self.in_flight >= self.concurrency:
                raise too_many_requests(self.concurrency)
            self.in_flight += 1
        try:
            yield
        finally:
            with self._slots:
                self.in_flight -= 1

    # --- create --------------------------------------------------------------------------------

    def _lookup_field(self, value: Any, api_name: str, module: str, at: str) -> dict[str, str]:
        if not isinstance(value, dict) or not isinstance(value.get("id"), str):
            raise invalid_data(path_details(api_name, at, expected_data_type="jsonobject"))
        found = self._find(value["id"])
        if found is None or found[0] != module:
            raise invalid_data(path_details(api_name, at))
        return _lookup(found[1])

    def _text(self, raw: dict[str, Any], api_name: str, at: str, default: str | None = None) -> str | None:
        value = raw.get(api_name, default)
        if value is not None and not isinstance(value, str):
            raise invalid_data(path_details(api_name, f"{at}.{api_name}", expected_data_type="string"))
        return value

    def _build(self, module: str, raw: Any, at: str) -> dict[str, Any]:
        info = rec.MODULES[module]
        if not isinstance(raw, dict):
            raise invalid_data(path_details("data", at, expected_data_type="jsonobject"))
        subject = rec.check_subject(raw.get("Subject"), f"{at}.Subject")
        if "Account_Name" not in raw:
            raise mandatory_not_found("Account_Name", f"{at}.Account_Name")
        account = rec.account_lookup(raw["Account_Name"], f"{at}.Account_Name")
        owner = rec.owner_lookup(raw["Owner"], f"{at}.Owner") if "Owner" in raw else dict(rec.USERS[0])
        items = rec.line_items_from_input(
            raw.get(info.items_field), info.items_field, f"{at}.{info.items_field}", lambda: str(self._count("id"))
        )
        adjustment = rec.number(raw.get("Adjustment", 0.0), "Adjustment", f"{at}.Adjustment", minimum=-math.inf)
        tags = rec.tag_list(raw["Tag"], f"{at}.Tag") if "Tag" in raw else []
        approval = rec.check_approval_state(raw.get("$approval_state", "approved"), f"{at}.$approval_state")
        lookups = {
            name: self._lookup_field(raw[name], name, target, f"{at}.{name}") if raw.get(name) is not None else None
            for name, target in rec.LOOKUPS[module].items()
        }
        texts = {name: self._text(raw, name, at) for name in ("Description", "Terms_and_Conditions", "Due_Date")}
        now = _now()
        record: dict[str, Any] = {
            "id": str(self._count("id")),
            info.number_field: self._new_number(module),
            "Subject": subject,
            "Account_Name": account,
            "Owner": owner,
            "Currency": self._text(raw, "Currency", at, "USD"),
            info.items_field: items,
            **rec.totals(items, adjustment),
            "Tag": tags,
            "Description": texts["Description"],
            "Terms_and_Conditions": texts["Terms_and_Conditions"],
            "Created_Time": now,
            "Modified_Time": now,
            "$approval_state": approval,
            "$converted": False,
            "$converted_detail": {},
        }
        if module == "Quotes":
            record["Quote_Stage"] = self._text(raw, "Quote_Stage", at, "Draft")
            record["Valid_Till"] = self._text(raw, "Valid_Till", at)
        else:
            record["Status"] = self._text(raw, "Status", at, "Created")
            record["Due_Date"] = texts["Due_Date"]
            record.update(lookups)
        if module == "Invoices":
            record["Invoice_Date"] = self._text(raw, "Invoice_Date", at, now[:10])
        return record

    def create(self, module: str, data: list[Any]) -> list[dict[str, Any]]:
        """Add records; one answer entry per record, in order."""
        answers: list[dict[str, Any]] = []
        with self.lock, self._transaction():
            for index, raw in enumerate(data):
                try:
                    with self._transaction():
                        record = self._build(module, raw, f"$.data[{index}]")
                        self._insert(module, record)
                except CrmError as error:
                    answers.append(rec.record_error(error))
                    continue
                answers.append(rec.record_added(record))
        return answers

    # --- convert -------------------------------------------------------------------------------

    def _converted_record(self, source_module: str, source: dict[str, Any], target: Target,
                          owner: dict[str, str] | None) -> dict[str, Any]:
        info = rec.MODULES[target.module]
        items = [{**item, "id": str(self._count("id"))} for item in source[rec.MODULES[source_module].items_field]]
        now = _now()
        record: dict[str, Any] = {
            "id": str(self._count("id")),
            info.number_field: self._new_number(target.module),
            "Subject": source["Subject"],
            "Account_Name": dict(source["Account_Name"]),
            "Owner": dict(owner or source["Owner"]),
            "Currency": source["Currency"],
            info.items_field: items,
            **{k: source[k] for k in ("Sub_Total", "Discount", "Tax", "Adjustment", "Grand_Total")},
            "Tag": [dict(t) for t in source["Tag"]] if target.carry_over_tags else [],
            "Description": source["Description"],
            "Terms_and_Conditions": source["Terms_and_Conditions"],
            "Created_Time": now,
            "Modified_Time": now,
            "$approval_state": "approved",
            "$converted": False,
            "$converted_detail": {},
            "Status": "Created",
            "Due_Date": None,
            "Quote_Name": _lookup(source) if source_module == "Quotes" else None,
        }
        if target.module == "Invoices":
            record["Invoice_Date"] = now[:10]
            record["Sales_Order"] = _lookup(source) if source_module == "Sales_Orders" else None
        return record

    def check_permitted(self, source_module: str, targets: list[Target]) -> None:
        """NO_PERMISSION when the source or a target module is switched off (``disabled_modules``)."""
        for index, module in enumerate([source_module, *(t.module for t in targets)]):
            if module in self.disabled_modules:
                at = "$" if index == 0 else f"$.convert_to[{index - 1}].module"
                details = path_details(module, at, permissions=[f"Crm_Implied_Convert_{module}"])
                raise CrmError(403, "NO_PERMISSION", "permission denied", details)

    def _check_convertible(self, source_module: str, record: dict[str, Any], trap: str | None,
                           targets: list[Target]) -> None:
        self.check_permitted(source_module, targets)
        if trap == "no_permission":
            raise CrmError(403, "NO_PERMISSION", "permission denied", {"resource_path_index": 1})
        if trap == "ambiguity":
            raise id_of_another_module()
        done = {
            row[0]
            for row in self.conn.execute("SELECT target_module FROM crm_conversions WHERE source_id = ?", (record["id"],))
        }
        if any(t.module in done for t in targets):
            raise CrmError(400, "ID_ALREADY_CONVERTED", "id already converted", {"resource_path_index": 1})
        state = record["$approval_state"]
        if state in ("approval_process_pending", "approval_process_rejected"):
            raise CrmError(400, "NOT_APPROVED", "Specified parent record has not been approved", {"resource_path_index": 1})
        if state == "review_process_pending":
            raise CrmError(400, "NOT_REVIEWED", "Specified parent record has not been reviewed", {"resource_path_index": 1})

    def _convert(self, source_module: str, record_id: str, targets: list[Target],
                 owner_id: str | None = None) -> dict[str, dict[str, str]]:
        found = self._find(record_id)
        if found is None:
            raise invalid_record_id()
        module, record, trap = found
        if module != source_module:
            raise id_of_another_module()
        self._check_convertible(source_module, record, trap, targets)
        owner = next((dict(u) for u in rec.USERS if u["id"] == owner_id), None)
        details: dict[str, dict[str, str]] = {}
        for target in targets:
            converted = self._converted_record(source_module, record, target, owner)
            self._insert(target.module, converted)
            self.conn.execute(
                "INSERT INTO crm_conversions VALUES (?, ?, ?)", (record["id"], target.module, converted["id"])
            )
            details[target.module] = _lookup(converted)
        record["$converted"] = True
        record["$converted_detail"] = {**record["$converted_detail"], **details}
        record["Modified_Time"] = _now()
        self._save(record)
        return details

    def convert(self, source_module: str, record_id: str, targets: list[Target]) -> dict[str, dict[str, str]]:
        """Convert one record; {target module: {"id", "name"}} of the records made, or CrmError."""
        with self.lock, self._transaction():
            return self._convert(source_module, record_id, targets)

    # --- mass convert --------------------------------------------------------------------------

    def schedule_mass_convert(self, source_module: str, ids: list[str], targets: list[Target],
                              owner_id: str | None) -> str:
        """Queue a mass-convert job and return its ID."""
        request = {"ids": ids, "targets": [[t.module, t.carry_over_tags] for t in targets], "owner_id": owner_id}
        with self.lock, self._transaction():
            job_id = str(self._count("job"))
            self.conn.execute(
                "INSERT INTO crm_jobs (job_id, module, request, steps) VALUES (?, ?, ?, ?)",
                (job_id, source_module, json.dumps(request), max(0, self.mass_convert_polls)),
            )
            if self.mass_convert_polls <= 0:
                self._work(job_id, len(ids))
        return job_id

    def _work(self, job_id: str, upto: int) -> None:
        """Convert the job's records up to index `upto`, counting outcomes."""
        module, request, done = self.conn.execute(
            "SELECT module, request, done FROM crm_jobs WHERE job_id = ?", (job_id,)
        ).fetchone()
        request = json.loads(request)
        targets = [Target(m, bool(c)) for m, c in request["targets"]]
        counts = {"converted": 0, "not_converted": 0, "failed": 0}
        for record_id in request["ids"][done:upto]:
            try:
                with self._transaction():
                    self._convert(module, record_id, targets, request["owner_id"])
                counts["converted"] += 1
            except CrmError as error:
                counts["not_converted" if error.code in NOT_CONVERTED_CODES else "failed"] += 1
        self.conn.execute(
            "UPDATE crm_jobs SET done = ?, converted = converted + ?, not_converted = not_converted + ?,"
            " failed = failed + ? WHERE job_id = ?",
            (max(done, upto), counts["converted"], counts["not_converted"], counts["failed"], job_id),
        )

    def mass_convert_status(self, source_module: str, job_id: str) -> dict[str, Any]:
        """One status poll of a job: advances it one step and reports counts only (crm-oas schema)."""
        with self.lock, self._transaction():
            row = self.conn.execute(
                "SELECT module, request, steps, polls FROM crm_jobs WHERE job_id = ?", (job_id,)
            ).fetchone()
            if row is None or row[0] != source_module:
                raise invalid_data({"param_name": "job_id"})
            total = len(json.loads(row[1])["ids"])
            steps, polls = row[2], row[3] + 1
            self.conn.execute("UPDATE crm_jobs SET polls = ? WHERE job_id = ?", (polls, job_id))
            self._work(job_id, total if polls > steps else math.ceil(total * polls / (steps + 1)))
            done, converted, not_converted, failed = self.conn.execute(
                "SELECT done, converted, not_converted, failed FROM crm_jobs WHERE job_id = ?", (job_id,)
            ).fetchone()
        return {
            "total_count": total,
            "converted_count": converted,
            "not_converted_count": not_converted,
            "failed_count": failed,
            "status": "COMPLETED" if done >= total else "IN PROGRESS",
        }
