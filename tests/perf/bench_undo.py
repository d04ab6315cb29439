"""Benchmark: undo of 1,000 updated contacts at 100 calls per minute, engine vs a read-then-write baseline, on a live sandbox.

The minute is compressed (100 calls per 6 s, client configured the same). The contacts are
created and updated by real import jobs on an unthrottled sandbox first; the undo then runs on
the same data behind the limit. Targets for the engine: at most 1.02 calls per record, no 429,
at least 97% of the rate limit. The baseline undoes 200 more records as a careful script would:
read each record (to see that nobody changed it since), then send its old values back.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from app.jobs import ImportJob, JobSettings, sandbox_target
from app.jobs.undoing.job import UndoJob, UndoSettings
from app.sandbox import EmbeddedSandbox, SandboxSettings
from app.sheets import write_csv
from app.zoho import Throttle
from tests.perf.sequential_import import Caller

RECORDS = int(os.environ.get("BENCH_UNDO_RECORDS", "1000"))
BASELINE = 200
PER_WINDOW = 100
WINDOW_S = 6.0
LATENCY_MS = 30
IDENTITY = "bench-undo sandbox"  # one organization, whichever port the sandbox listens on


async def prepare(url: str, root: Path) -> dict[str, str]:
    """Create RECORDS + BASELINE contacts, then update each one's website: the jobs to undo (by their IDs)."""
    fast = Throttle(calls=100_000, window_s=60.0, concurrency=10)
    names = [f"Undo Bench {i:05d}" for i in range(RECORDS + BASELINE)]
    jobs: dict[str, str] = {}
    for part, chosen in (("engine", names[:RECORDS]), ("baseline", names[RECORDS:])):
        for step, site in (("create", "https://before.example"), ("update", "https://after.example")):
            sheet = root / f"{part}-{step}.csv"
            write_csv(sheet, ["Display Name", "Company Name", "Website"], [[n, n, site] for n in chosen])
            target = sandbox_target(url, throttle=fast, identity=IDENTITY)
            result = await ImportJob(JobSettings(sheet, "contacts", step, target=target,
                                                 report_dir=root / "reports")).run()
            assert result.exit_code == 0, result.counts
            jobs[f"{part}-{step}"] = result.job_id
    return jobs


async def engine_undo(url: str, job: str) -> dict[str, float]:
    throttle = Throttle(calls=PER_WINDOW, window_s=WINDOW_S, concurrency=10, daily_quota=100_000)
    undo = UndoJob(UndoSettings("", "undo", target=sandbox_target(url, throttle=throttle, identity=IDENTITY), job=job))
    try:
        plan = await undo.plan()
        client = undo.client
        result = await undo.run()
    finally:
        await undo.close()
    counters = client.counters
    span = (counters.last_answer_at or 0) - (counters.first_call_at or 0)
    return {"undone": result.counts["undone"], "calls": result.calls["total"], "lookup": result.calls["lookup"],
            "write": result.calls["write"], "rate_limited": result.calls["rate_limited"],
            "elapsed_s": result.elapsed_s, "span_s": span, "planned_calls": plan.calls}


def baseline_undo(root: str, names: set[str]) -> dict[str, float]:
    """Read each contact, check it still holds the job's value, send the old value back; one call after another."""
    undone = 0
    started = time.monotonic()
    with Caller(root) as call:
        ids: list[str] = []
        page, more = 1, True
        while more:  # the IDs, as the script's own list of what the job touched
            body = call("GET", "contacts", params={"page": page, "per_page": 200})
            ids += [c["contact_id"] for c in body["contacts"] if c["contact_name"] in names]
            more, page = body["page_context"]["has_more_page"], page + 1
        for contact_id in ids:
            if call("GET", f"contacts/{contact_id}")["contact"]["website"] == "https://after.example":
                call("PUT", f"contacts/{contact_id}", json={"website": "https://before.example"})
                undone += 1
    return {"undone": undone, "calls": call.calls, "rate_limited": call.rate_limited,
            "elapsed_s": time.monotonic() - started}


def main() -> int:
    limit_per_min = PER_WINDOW * 60.0 / WINDOW_S
    limited = SandboxSettings(rate_limit=PER_WINDOW, rate_window_s=WINDOW_S, concurrency=10, daily_quota=100_000,
                              latency_ms=LATENCY_MS)
    with tempfile.TemporaryDirectory(prefix="bench-undo-") as tmp:
        root = Path(tmp)
        os.environ["ZOHO_BULK_DATA_DIR"] = str(root / "data")
        db = root / "sandbox.sqlite"
        with EmbeddedSandbox(SandboxSettings(rate_limit=100_000, rate_window_s=60.0, concurrency=10,
                                             daily_quota=1_000_000), db_path=db) as sb:
            jobs = asyncio.run(prepare(sb.url, root))
        with EmbeddedSandbox(limited, db_path=db) as sb:
            engine = asyncio.run(engine_undo(sb.url, jobs["engine-update"]))
            restored = sum(1 for c in sb.app.state.store.all("contacts")
                           if c["contact_name"].startswith("Undo Bench") and c["website"] == "https://before.example")
        with EmbeddedSandbox(limited, db_path=db) as sb:
            baseline = baseline_undo(sb.url, {f"Undo Bench {i:05d}" for i in range(RECORDS, RECORDS + BASELINE)})

    per_record = engine["calls"] / RECORDS
    achieved = engine["calls"] / engine["span_s"] * 60.0 if engine["span_s"] else 0.0
    share = achieved / limit_per_min
    base_per_record = baseline["calls"] / BASELINE
    base_rate = baseline["calls"] / baseline["elapsed_s"] * 60.0
    print(f"records: {RECORDS} updated contacts; limit {PER_WINDOW} calls per {WINDOW_S:g} s "
          f"({limit_per_min:.0f}/min); sandbox latency {LATENCY_MS} ms")
    print(f"engine:   {engine['undone']:.0f} undone ({restored} hold their old website again), {engine['calls']:.0f} "
          f"calls ({engine['lookup']:.0f} lookup + {engine['write']:.0f} write; planned {engine['planned_calls']:.0f}), "
          f"{per_record:.3f} calls/record, {engine['rate_limited']:.0f} x 429, {engine['elapsed_s']:.1f} s, "
          f"achieved {achieved:.0f} calls/min = {share:.1%} of the limit")
    print(f"baseline: {baseline['undone']:.0f} of {BASELINE} undone, {baseline['calls']:.0f} calls, "
          f"{base_per_record:.3f} calls/record, {baseline['rate_limited']:.0f} x 429, {baseline['elapsed_s']:.1f} s "
          f"({base_rate:.0f} calls/min)")
    print(f"ratio baseline/engine: calls per record {base_per_record / per_record:.2f}x, "
          f"time per record {baseline['elapsed_s'] / BASELINE / (engine['elapsed_s'] / RECORDS):.2f}x")
    ok = (engine["undone"] == RECORDS and restored == RECORDS and per_record <= 1.02
          and engine["rate_limited"] == 0 and share >= 0.97)
    print("targets (<=1.02 calls/record, no 429, >=97% of the limit):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
