"""Crash test of undo: `zoho-bulk undo` SIGKILLed at random moments against a sandbox that drops answers.

A delete is undone by creating each order again (a write that is not idempotent), and that undo is
undone by deleting them again (a second delete of a record fails): after every kill each order
exists at most once, and the last run settles every record exactly once, with nothing failed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from app.sandbox import EmbeddedSandbox, SandboxSettings
from tests.jobs.conftest import write_csv
from tests.jobs.test_crash import _done

pytestmark = pytest.mark.slow  # kills the command in child processes

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 120
KILLS = 8


def _numbers(sb: EmbeddedSandbox) -> Counter[str]:
    return Counter(r["salesorder_number"] for r in sb.app.state.store.all("salesorders")
                   if str(r["salesorder_number"]).startswith("UK-"))


def _run(command: list[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    summary: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def _killed_until_done(command: list[str], env: dict[str, str], jobs: Path, sb: EmbeddedSandbox,
                       rng: random.Random, most: int) -> int:
    """Run `command` again and again, killing it at a random moment after some progress; the kills made."""
    known = set(jobs.glob("*.sqlite"))
    journal: Path | None = None
    kills = 0
    while kills < KILLS:
        before = _done(journal) if journal else 0
        if before >= ORDERS:
            break
        target = before + rng.randint(1, max(1, (ORDERS - before) // (2 * (KILLS - kills + 1))))
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if journal is None:
                new = set(jobs.glob("*.sqlite")) - known
                journal = new.pop() if new else None
            if journal is not None and _done(journal) >= target:
                break
            time.sleep(0.005)  # polling the journal: the wait is for its progress, not for time
        if proc.poll() is None:
            time.sleep(rng.uniform(0, 0.03))
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(30)
        counts = _numbers(sb)
        assert all(n <= most for n in counts.values()), f"duplicate after kill {kills}: {counts.most_common(3)}"
    return kills


def test_sigkill_during_an_undo_and_a_rerun_reverse_each_record_exactly_once(tmp_path: Path) -> None:
    rng = random.Random(20261205)
    numbers = [f"UK-{i:04d}" for i in range(ORDERS)]
    orders = write_csv(tmp_path / "orders.csv", ["Order Number", "Order Date", "Customer Name", "Item Name",
                                                 "Quantity", "Rate"],
                       [[n, "2026-03-02", "Zylker Corp", "Laptop Stand", 1 + i % 3, 40 + i]
                        for i, n in enumerate(numbers)])
    pick = write_csv(tmp_path / "delete.csv", ["Sales Order Number"], [[n] for n in numbers])
    data = tmp_path / "data"
    env = {**os.environ, "ZOHO_BULK_DATA_DIR": str(data), "ZOHO_BULK_SANDBOX_RATE": "6000/60/10",
           "PYTHONPATH": str(ROOT)}
    settings = SandboxSettings(rate_limit=100_000, rate_window_s=60.0, drop_rate=0.05, seed=7)
    with EmbeddedSandbox(settings, db_path=tmp_path / "sandbox.sqlite") as sb:
        common = ["--sandbox", sb.url, "--report-dir", str(tmp_path / "reports"), "--json"]
        app = [sys.executable, "-m", "app"]
        _run([*app, "import", str(orders), "--entity", "salesorders", *common], env)
        deleted = _run([*app, "import", str(pick), "--entity", "salesorders", "--operation", "delete", "--yes",
                        *common], env)
        assert deleted["deleted"] == ORDERS and not _numbers(sb)
        first = {r["salesorder_number"]: r for r in sb.app.state.store.all("salesorders")}  # none of ours
        assert not any(n in first for n in numbers)

        undo = [*app, "undo", str(deleted["job_id"]), "--yes", *common]
        kills = _killed_until_done(undo, env, data / "jobs", sb, rng, most=1)
        summary = _run(undo, env)
        assert kills > 0 and summary["undone"] == ORDERS and summary["failed"] == 0
        assert summary["in_doubt"] == 0
        assert _numbers(sb) == Counter(numbers)  # each order once, under its own number

        undo_again = [*app, "undo", str(summary["job_id"]), "--yes", *common]
        kills = _killed_until_done(undo_again, env, data / "jobs", sb, rng, most=1)
        again = _run(undo_again, env)
        assert kills > 0 and again["undone"] == ORDERS and again["failed"] == 0 and again["in_doubt"] == 0
        assert not _numbers(sb)
