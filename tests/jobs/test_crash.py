"""Crash test: the CLI import SIGKILLed at 20 random moments against a sandbox that drops 5% of answers.

After every resume the sandbox holds at most one record per document; the last run
settles everything, exactly one record per document, and the report lists every row once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from app.sandbox import EmbeddedSandbox, SandboxSettings
from tests.jobs.conftest import read_report, write_csv

pytestmark = pytest.mark.slow  # kills the command twenty times in child processes

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = 300
KILLS = 20


def _done(journal: Path) -> int:
    """Settled documents in a job's journal (read by a second connection, as a user would)."""
    if not journal.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM entries WHERE state IN ('done','failed')").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _sent(journal: Path) -> int:
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT COUNT(*) FROM entries WHERE state = 'sent'").fetchone()[0]
    finally:
        db.close()


def _per_document(sb: EmbeddedSandbox) -> Counter[str]:
    marks: Counter[str] = Counter()
    for r in sb.app.state.store.all("salesorders"):
        ref = r.get("reference_number") or ""
        if ref.startswith("ZB-"):
            marks[ref] += 1
    return marks


def test_sigkill_at_twenty_moments_never_loses_or_duplicates(tmp_path: Path) -> None:
    rng = random.Random(20261122)
    customers = ["Bowman and Co", "Zylker Corp", "Acme Corporation"]
    items = ["Laptop Stand", "Wireless Mouse", "USB-C Hub", "Desk Lamp", "Office Chair"]
    rows = [[f"2026-03-{1 + i % 28:02d}", customers[i % 3], items[i % 5], 1 + i % 4, 20 + i]
            for i in range(DOCUMENTS)]
    file = write_csv(tmp_path / "orders.csv",
                     ["Order Date", "Customer Name", "Item Name", "Quantity", "Rate"], rows)
    data = tmp_path / "data"
    env = {**os.environ, "ZOHO_BULK_DATA_DIR": str(data),
           "ZOHO_BULK_SANDBOX_RATE": "6000/60/10", "PYTHONPATH": str(ROOT)}
    settings = SandboxSettings(rate_limit=100_000, rate_window_s=60.0, drop_rate=0.05, seed=99)
    with EmbeddedSandbox(settings, db_path=tmp_path / "sandbox.sqlite") as sb:
        command = [sys.executable, "-m", "app", "import", str(file), "--entity", "salesorders",
                   "--sandbox", sb.url, "--report-dir", str(tmp_path / "reports"), "--json"]
        journal: Path | None = None
        kills = 0
        interrupted = 0  # requests out at the moment of a kill, summed
        while kills < KILLS:
            before = _done(journal) if journal else 0
            if before >= DOCUMENTS:
                break
            # leave room for every kill still to come, whatever the overshoot of the last one
            target = before + rng.randint(1, max(1, (DOCUMENTS - before) // (2 * (KILLS - kills + 1))))
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if journal is None:
                    found = list((data / "jobs").glob("*.sqlite")) if (data / "jobs").exists() else []
                    journal = found[0] if found else None
                if journal is not None and _done(journal) >= target:
                    break
                time.sleep(0.005)  # polling the journal: the wait is for its progress, not for time
            if proc.poll() is None:
                time.sleep(rng.uniform(0, 0.03))  # a random moment after that progress
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(30)
            interrupted += _sent(journal) if journal else 0
            marks = _per_document(sb)
            assert all(n == 1 for n in marks.values()), f"duplicate after kill {kills}: {marks.most_common(3)}"

        final = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stderr[-2000:]
        summary = json.loads(final.stdout.strip().splitlines()[-1])
        assert summary["created"] == DOCUMENTS and summary["in_doubt"] == 0
        marks = _per_document(sb)
        assert len(marks) == DOCUMENTS and set(marks.values()) == {1}
        assert kills == KILLS
        assert interrupted > 0  # some kills hit requests in flight, and they were settled

    report = read_report(Path(summary["report_csv"]))
    assert len(report) == DOCUMENTS
    assert Counter(r["Status"] for r in report) == {"created": DOCUMENTS}
    assert len({r["Zoho ID"] for r in report}) == DOCUMENTS
