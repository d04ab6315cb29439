"""Fixtures of the engine tests: an in-process sandbox that counts the requests it serves, files, a job runner."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.jobs import ImportJob, JobResult, JobSettings, Progress, sandbox_target
from app.jobs.target import Target
from app.sandbox import SandboxSettings, create_app
from app.zoho import Throttle

WRITE_METHODS = ("POST", "PUT", "DELETE")


class CountingSandbox:
    """The sandbox app in process (httpx.ASGITransport) with a tally of the Books requests it received."""

    def __init__(self, db_path: Path, **settings: Any) -> None:
        settings.setdefault("rate_limit", 100_000)
        settings.setdefault("rate_window_s", 60.0)
        self.settings = SandboxSettings(**settings)
        self.app = create_app(self.settings, db_path)
        self.requests: Counter[tuple[str, str]] = Counter()
        app = self.app

        async def counting(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and "/books/v3/" in scope["path"]:
                entity = scope["path"].split("/books/v3/", 1)[1].split("/")[0]
                self.requests[(scope["method"], entity)] += 1
            await app(scope, receive, send)

        self.transport = httpx.ASGITransport(app=counting)

    def target(self, **limits: Any) -> Target:
        limits = {"calls": 100_000, "window_s": 60.0, "concurrency": 10,
                  "daily_quota": None, **limits}
        return sandbox_target("http://sandbox.test", transport=self.transport,
                              throttle=Throttle(**limits))

    def records(self, entity: str) -> list[dict[str, Any]]:
        return self.app.state.store.all(entity)

    def writes(self, entity: str | None = None) -> int:
        return sum(n for (method, e), n in self.requests.items()
                   if method in WRITE_METHODS and (entity is None or e == entity))

    def reads(self, entity: str | None = None) -> int:
        return sum(n for (method, e), n in self.requests.items()
                   if method == "GET" and (entity is None or e == entity))

    def close(self) -> None:
        self.app.state.close()


@pytest.fixture(autouse=True)
def data_dir(data_dir: Path) -> Path:
    """Every engine test keeps its journals under its own tmp_path (tests/conftest.py's data_dir)."""
    return data_dir


@pytest.fixture
def books(tmp_path: Path) -> Any:
    box = CountingSandbox(tmp_path / "sandbox.sqlite")
    yield box
    box.close()


@pytest.fixture
def make_books(tmp_path: Path) -> Any:
    made: list[CountingSandbox] = []

    def make(**settings: Any) -> CountingSandbox:
        box = CountingSandbox(tmp_path / f"sandbox{len(made)}.sqlite", **settings)
        made.append(box)
        return box

    yield make
    for box in made:
        box.close()


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


async def run_job(box: CountingSandbox, file: Path, entity: str, operation: str = "create", *,
                  on_progress: Callable[[Progress], None] | None = None,
                  **settings: Any) -> JobResult:
    settings.setdefault("report_dir", file.parent / "reports")
    settings.setdefault("target", box.target())
    job = ImportJob(JobSettings(file, entity, operation, **settings))
    return await job.run(on_progress)


ORDER_HEADERS = ["Order Number", "Order Date", "Customer Name", "Item Name", "Quantity", "Rate"]


class Clock:
    """The sandbox's clock: its quota day and its last_modified_time move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()
