"""`zoho-bulk export`: runs an ExportJob from the terminal with the plan, a progress bar, a summary and CLI.md's exit codes."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import TextIO

from app.jobs.control import Cancelled
from app.jobs.export_job import ExportError, ExportJob, ExportResult, ExportSettings
from app.jobs.progress import TextProgressBar, format_duration
from app.jobs.target import Target, TargetError, open_target
from app.zoho import QuotaSpent, ZohoError


def export_command(args: argparse.Namespace) -> int:
    """Export args.entity to args.out; 0 done, 1 some records could not be read, 2 nothing written, 3 stopped."""
    try:
        with open_target(sandbox=args.sandbox, connection=args.connection) as target:
            settings = settings_from(args, target)
            return asyncio.run(run_export(settings, as_json=args.json))
    except (ExportError, TargetError, ZohoError) as exc:
        return refuse(str(exc), as_json=args.json)


def settings_from(args: argparse.Namespace, target: Target | None) -> ExportSettings:
    columns = getattr(args, "columns", None)
    return ExportSettings(
        entity=args.entity, out=Path(args.out), date_from=args.date_from, date_to=args.date_to,
        status=args.status, customer=getattr(args, "customer", None),
        search=getattr(args, "search", None), line_items=args.line_items,
        columns=[c for c in columns.split(",") if c.strip()] if columns else None, target=target,
    )


def refuse(message: str, *, as_json: bool, out: TextIO | None = None) -> int:
    print(f"Nothing was exported: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"error": message, "exit_code": 2}), file=out or sys.stdout)
    return 2


async def run_export(settings: ExportSettings, *, as_json: bool = False,
                     out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    job = ExportJob(settings)
    job.prepare()  # bad options and paths refused before any call
    bar = TextProgressBar(err)
    loop = asyncio.get_running_loop()
    installed = _on_signals(loop, job, err)
    try:
        try:
            plan = await job.plan(bar if err.isatty() else None)  # the listing, on a terminal
        except ExportError:
            await job.close()
            raise
        except (QuotaSpent, Cancelled):
            plan = None  # the run reports the stop
        if plan is not None:
            bar.close()
            for line in plan.lines():
                print(line, file=err)
        result = await job.run(bar)
    finally:
        bar.close()
        for sig in installed:
            loop.remove_signal_handler(sig)
    print_summary(result, out)
    if as_json:
        print(json.dumps(result.summary()), file=out)
    return result.exit_code


def _on_signals(loop: asyncio.AbstractEventLoop, job: ExportJob, err: TextIO) -> list[int]:
    """Ctrl-C / SIGTERM stop cleanly (calls already out come back first); a second one kills."""
    installed: list[int] = []

    def stop(sig: int) -> None:
        print("\nStopping: waiting for the calls already sent...", file=err)
        job.cancel()
        loop.remove_signal_handler(sig)

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop, sig)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    return installed


def print_summary(result: ExportResult, out: TextIO) -> None:
    c = result.calls
    lines = [
        f"Export {result.job_id}: {result.records} {result.entity} in {result.rows} rows"
        + (f", {result.failed} could not be read" if result.failed else ""),
        f"  calls: {c['total']} ({c['list']} list, {c['detail']} detail, {c['retries']} retries, "
        f"{c['rate_limited']} refused for the rate) in {format_duration(result.elapsed_s)}",
    ]
    lines += [f"  not exported: {f}" for f in result.failures[:20]]
    if result.stopped:
        lines.append(f"  stopped early: {result.message or result.stopped}; nothing was written, "
                     "run the same export again")
    elif result.out is None:
        lines.append(f"  nothing was written: {result.message}")
    else:
        lines.append(f"  file: {result.out}")
    print("\n".join(lines), file=out)
