"""`zoho-bulk demo`: the sample contacts, then sales orders and credit notes, imported into a fresh embedded sandbox."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from app.errors import ZohoBulkError
from app.jobs.importing.job import ImportJob, JobResult, JobSettings
from app.jobs.progress import TextProgressBar, format_duration
from app.jobs.target import RATE_ENV, sandbox_target
from app.private import data_dir
from app.resources import samples_dir
from app.zoho import Throttle

SAMPLES = (("contacts", "contacts.xlsx"), ("salesorders", "salesorders.xlsx"),
           ("creditnotes", "creditnotes.xlsx"))


def demo_limits() -> tuple[int, float]:
    """The demo's rate: ZOHO_BULK_SANDBOX_RATE ("N/SECONDS") or Zoho's 100 a minute."""
    raw = os.environ.get(RATE_ENV, "")
    try:
        per, window = raw.split("/")[:2]
        return int(per), float(window)
    except ValueError:
        return 100, 60.0


def demo_command(args: argparse.Namespace | None = None) -> int:
    out, err = sys.stdout, sys.stderr
    try:
        from app.sandbox import EmbeddedSandbox, SandboxSettings
    except ImportError as exc:  # pragma: no cover - a broken install
        print(f"The sandbox is not available: {exc}", file=err)
        return 2
    stamp = time.strftime("%Y%m%d-%H%M%S")
    reports = data_dir() / "demo" / stamp
    per, window = demo_limits()
    settings = SandboxSettings(rate_limit=per, rate_window_s=window)
    with tempfile.TemporaryDirectory(prefix="zoho-bulk-demo-") as tmp:
        print(f"Starting the sandbox (fresh database, {per} calls per {window:g} s)...", file=err)
        try:
            with EmbeddedSandbox(settings, db_path=Path(tmp) / "sandbox.sqlite") as sb:
                print(f"Sandbox at {sb.url} (organization 10234695, Zylker Demo Ltd)", file=err)
                throttle = Throttle(calls=per, window_s=window, concurrency=10)
                target = sandbox_target(sb.url, throttle=throttle, name="embedded demo sandbox",
                                        identity=f"demo {stamp} {sb.url}")
                results = asyncio.run(_import_samples(target, reports, err))
        except ZohoBulkError as exc:
            print(f"The demo stopped: {exc.message}", file=err)
            return 2
    return _summary(results, reports, out)


async def _import_samples(target: object, reports: Path, err: TextIO) -> list[JobResult]:
    loop = asyncio.get_running_loop()
    current: list[ImportJob] = []
    stopping = [False]

    def stop() -> None:
        stopping[0] = True
        print("\nStopping: waiting for the requests already sent...", file=err)
        for job in current:
            job.cancel()

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    results: list[JobResult] = []
    try:
        for entity, name in SAMPLES:
            if stopping[0]:
                break
            print(f"\nImporting {name} as {entity}...", file=err)
            job = ImportJob(JobSettings(samples_dir() / name, entity, target=target,  # type: ignore[arg-type]  # SAMPLES' record types
                                        report_dir=reports))
            current[:] = [job]
            bar = TextProgressBar(err)
            result = await job.run(bar)
            bar.close()
            results.append(result)
            if result.stopped:
                break
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
    return results


def _summary(results: list[JobResult], reports: Path, out: TextIO) -> int:
    print("\nzoho-bulk demo: the samples in the embedded sandbox", file=out)
    print(f"{'record type':<14}{'rows':>6}{'docs':>6}{'created':>9}{'failed':>8}{'invalid':>9}"
          f"{'calls':>7}{'time':>8}", file=out)
    for r in results:
        c = r.counts
        print(f"{r.entity:<14}{r.rows:>6}{r.documents:>6}{c['created']:>9}{c['failed']:>8}"
              f"{c['invalid']:>9}{r.calls['total']:>7}{format_duration(r.elapsed_s):>8}", file=out)
    print(f"\nReports are in {reports}:", file=out)
    for r in results:
        print(f"  {r.report}", file=out)
    stopped = next((r for r in results if r.stopped), None)
    if stopped or len(results) < len(SAMPLES):
        print("The demo was stopped before the end.", file=out)
        return 3
    return max((r.exit_code for r in results), default=0)
