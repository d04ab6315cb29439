"""Shared pieces of the CRM conversion tests: a recording in-process sandbox, Zoho's request schemas, files, a runner.

No tests here; the test_convert*.py modules import these helpers.
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft7Validator

from app.jobs.converting import ConvertJob, ConvertResult, ConvertSettings
from app.jobs.target import Target, sandbox_target
from app.sandbox import SandboxSettings, create_app
from app.sandbox.crm import CrmStore
from app.zoho import CrmClient
from tests.contract import kinds
from tests.jobs.conftest import write_csv

URL = "http://sandbox.test"


def quote_id(n: int) -> str:
    return str(460000000100000 + n)


def order_id(n: int) -> str:
    return str(460000000200000 + n)


CONVERT_BODY = Draft7Validator(kinds.CONVERT_BODY)  # the written contract: crm-oas v8 inventory_convert.yaml
MASS_CONVERT_BODY = Draft7Validator(kinds.MASS_CONVERT_BODY)  # and inventory_mass_convert.json


@dataclass
class Sent:
    """One request the tool sent to the sandbox's CRM."""

    method: str
    path: str
    params: dict[str, str]
    body: Any

    @property
    def kind(self) -> str:
        if self.path.endswith("/actions/mass_convert"):
            return "mass_convert" if self.method == "POST" else "status"
        if self.path.endswith("/actions/convert"):
            return "convert"
        return "read" if self.method == "GET" else "write"


class RecordingTransport(httpx.AsyncBaseTransport):
    """The sandbox in process; records every CRM request and the most requests it ever had out at once.

    `lose_answer(kind, times)` makes the sandbox do the next `times` requests of a kind and then
    drops their answers (a broken connection after sending), as the network can. `stale_lists`
    ({module: n}) answers n list pages of a module with "no records" (204), as a lagging index would.
    """

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.sent: list[Sent] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.losses: dict[str, int] = {}
        self.fail_with: Callable[[Sent], None] | None = None
        self.stale_lists: dict[str, int] = {}
        self.answer_with: Callable[[Sent], httpx.Response | None] | None = None

    def lose_answer(self, kind: str, times: int = 1) -> None:
        self.losses[kind] = self.losses.get(kind, 0) + times

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if not path.startswith("/crm/"):
            return await self.inner.handle_async_request(request)
        raw = request.content
        sent = Sent(request.method, path, dict(request.url.params), json.loads(raw) if raw else None)
        self.sent.append(sent)
        if self.fail_with is not None:
            self.fail_with(sent)
        if self.answer_with is not None:
            answer = self.answer_with(sent)
            if answer is not None:
                return answer
        module = path.rsplit("/", 1)[-1]
        if self.stale_lists.get(module) and sent.method == "GET" and "fields" in sent.params:
            self.stale_lists[module] -= 1
            return httpx.Response(204, request=request)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)  # let other requests start, so concurrency shows
            response = await self.inner.handle_async_request(request)
            await response.aread()
        finally:
            self.in_flight -= 1
        if self.losses.get(sent.kind, 0) > 0:
            self.losses[sent.kind] -= 1
            raise httpx.ReadError("connection reset after the request was sent")
        return response

    def count(self, kind: str) -> int:
        return sum(1 for s in self.sent if s.kind == kind)

    def converted_ids(self) -> list[str]:
        """Every record ID any convert or mass_convert request named."""
        ids: list[str] = []
        for s in self.sent:
            if s.kind == "convert":
                ids.append(s.path.split("/")[-3])
            elif s.kind == "mass_convert":
                ids.extend(s.body["ids"])
        return ids

    def assert_bodies_match_zoho_schemas(self) -> int:
        """Every convert / mass_convert body satisfies crm-oas (and reads carry what CRM requires);
        returns how many bodies were checked."""
        checked = 0
        for s in self.sent:
            if s.kind == "convert":
                CONVERT_BODY.validate(s.body)
            elif s.kind == "mass_convert":
                MASS_CONVERT_BODY.validate(s.body)
                assert 1 <= len(s.body["ids"]) <= 50
            elif s.kind == "status":
                assert s.body is None and s.params.get("job_id"), s
                continue
            elif s.method == "GET":
                assert s.body is None, s
                if s.path.count("/") == 3 and not s.path.endswith("/settings/modules"):  # a list page
                    assert s.params.get("fields") and int(s.params.get("per_page", 200)) <= 200, s
                continue
            else:
                continue
            checked += 1
        return checked


class CrmBox:
    """An in-process sandbox with a recording transport and a Target for conversion jobs."""

    def __init__(self, db_path: Path, **settings: Any) -> None:
        settings = {"rate_limit": 100_000, "concurrency": 1_000, "daily_quota": 10_000_000, **settings}
        self.app = create_app(SandboxSettings(**settings), db_path)
        self.transport = RecordingTransport(self.app)
        self.crm.mass_convert_polls = 1

    @property
    def crm(self) -> CrmStore:
        return self.app.state.crm

    def target(self) -> Target:
        return sandbox_target(URL, transport=self.transport)

    def client(self) -> CrmClient:
        return CrmClient.for_sandbox(URL, transport=self.transport)

    def record(self, module: str, record_id: str) -> dict[str, Any]:
        found = self.crm.get(module, record_id)
        assert found is not None, f"no {module} record {record_id}"
        return found

    def made_from(self, module: str, source_id: str) -> list[dict[str, Any]]:
        """Records of `module` whose back-pointer names `source_id`."""
        out = []
        page = 1
        while True:
            records, more = self.crm.page(module, page, 200)
            for r in records:
                for field in ("Quote_Name", "Sales_Order"):
                    pointer = r.get(field)
                    if isinstance(pointer, dict) and pointer.get("id") == source_id:
                        out.append(r)
            if not more:
                return out
            page += 1

    def set_approval(self, record_id: str, state: str) -> None:
        """What a user does in CRM: approve (or otherwise change) a record's approval state."""
        with self.crm.lock:
            row = self.crm.conn.execute("SELECT body FROM crm_records WHERE id = ?", (record_id,)).fetchone()
            body = json.loads(row[0])
            body["$approval_state"] = state
            self.crm.conn.execute("UPDATE crm_records SET body = ? WHERE id = ?", (json.dumps(body), record_id))

    def close(self) -> None:
        """Stop the sandbox, after checking every request body the tool sent against Zoho's schemas."""
        self.app.state.close()
        self.transport.assert_bodies_match_zoho_schemas()


write_rows = write_csv  # the convert tests' name for the one CSV writer of the engine tests


def report_rows(result: ConvertResult) -> list[dict[str, str]]:
    assert result.report_csv is not None
    with result.report_csv.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def settings(box: CrmBox, source: str, targets: tuple[str, ...], file: Path | None = None,
             **more: Any) -> ConvertSettings:
    more.setdefault("report_dir", (file.parent if file else Path.cwd()) / "reports")
    more.setdefault("poll_first_s", 0.001)
    more.setdefault("poll_max_s", 0.01)
    return ConvertSettings(source, targets, file=file, target=box.target(), **more)


async def convert(box: CrmBox, source: str, targets: tuple[str, ...], file: Path | None = None,
                  **more: Any) -> ConvertResult:
    job = ConvertJob(settings(box, source, targets, file, **more))
    return await job.run()


async def create_quotes(box: CrmBox, n: int, **fields: Any) -> list[str]:
    """POST /crm/v8/Quotes in batches of 100; the IDs of the quotes made."""
    ids: list[str] = []
    async with box.client() as client:
        for start in range(0, n, 100):
            batch = [{"Subject": f"Bulk quote {i + 1}", "Account_Name": {"id": "460000000000601"},
                      "Quoted_Items": [{"Product_Name": {"id": "460000000000701"}, "Quantity": 1 + i % 4}],
                      **fields} for i in range(start, min(n, start + 100))]
            answers = await client.create_records("Quotes", batch)
            assert all(a["status"] == "success" for a in answers), answers[:3]
            ids.extend(a["details"]["id"] for a in answers)
    box.transport.sent.clear()
    return ids
