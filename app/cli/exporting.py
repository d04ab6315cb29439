"""`zoho-bulk export`: runs an ExportJob from the terminal with the plan, a progress bar, a summary and CLI.md's exit codes."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

from app.cli.terminal import run_in_terminal
from app.errors import ZohoBulkError
from app.jobs.control import Cancelled
from app.jobs.exporting.job import ExportJob
from app.jobs.exporting.settings import ExportError, ExportResult, ExportSettings, resume_settings
from app.jobs.progress import TextProgressBar, format_duration
from app.jobs.target import Target, open_target
from app.zoho import QuotaSpent


def export_command(args: argparse.Namespace) -> int:
    """Export args.entity to args.out; 0 done, 1 some records could not be read, 2 nothing written, 3 stopped."""
    try:
        with open_target(sandbox=args.sandbox, connection=args.connection) as target:
            settings = settings_from(args, target)
            return asyncio.run(run_export(settings, as_json=args.json))
    except ZohoBulkError as exc:
        return refuse(exc.message, as_json=args.json)


def settings_from(args: argparse.Namespace, target: Target | None) -> ExportSettings:
    """The export the arguments name; with --resume JOB, that job's own settings (the record type and
    --out may be left out; given, they must be the job's)."""
    resume = getattr(args, "resume", None)
    if resume:
        settings = resume_settings(resume, target)
        if (args.entity and args.entity != settings.entity) or (
                args.out and Path(args.out).resolve() != settings.out.resolve()):
            raise ExportError(f"Job {resume} exported {settings.entity} to {settings.out}; "
                              "leave out the record type and --out, or run a new export")
        return settings
    if not args.entity or not args.out:
        raise ExportError("name the records to export and --out FILE (or --resume JOB_ID)")
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
    err = err or sys.stderr
    job = ExportJob(settings)
    job.prepare()  # bad options and paths refused before any call

    async def show_plan(bar: TextProgressBar) -> None:
        try:
            plan = await job.plan(bar if err.isatty() else None)  # the listing, on a terminal
        except ExportError:
            await job.close()
            raise
        except (QuotaSpent, Cancelled):
            return  # the run reports the stop
        bar.close()
        for line in plan.lines():
            print(line, file=err)

    return await run_in_terminal(job, print_summary, as_json=as_json, out=out, err=err,
                                 before_run=show_plan)


def print_summary(result: ExportResult, out: TextIO) -> None:
    c = result.calls
    lines = [
        f"Export {result.job_id}: {result.records} {result.entity} in {result.rows} rows"
        + (f", {result.failed} could not be read" if result.failed else ""),
        f"  calls: {c['total']} ({c['list']} list, {c['detail']} detail, {c['retries']} retries, "
        f"{c['rate_limited']} refused for the rate) in {format_duration(result.elapsed_s)}",
    ]
    lines += [f"  not exported: {f}" for f in result.failures[:20]]
    if result.reused:
        lines.append(f"  {result.reused} details kept from an earlier run were not read again")
    if result.stopped:
        lines.append(f"  stopped early: {result.message or result.stopped}; nothing was written; the details "
                     f"read are kept: run the same export again (or zoho-bulk export --resume {result.job_id}) "
                     "to read only the rest")
    elif result.out is None:
        lines.append(f"  nothing was written: {result.message}")
    else:
        lines.append(f"  file: {result.out}")
    print("\n".join(lines), file=out)
