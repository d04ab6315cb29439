"""`zoho-bulk convert`: converts Zoho CRM quotes / sales orders in bulk from the terminal, with the exit codes of CLI.md.

The engine is app.jobs.converting.job (ConvertJob); the GUI page calls the names re-exported here.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from app.cli.terminal import refuse, run_in_terminal
from app.errors import ZohoBulkError
from app.jobs.converting import ConvertJob, ConvertResult, ConvertSettings
from app.jobs.converting.input_file import parse_targets
from app.jobs.progress import format_duration
from app.jobs.target import open_target


def convert_command(args: argparse.Namespace) -> int:
    """Convert the records of args.file; 0 all converted, 1 some failed/invalid, 2 nothing sent, 3 stopped early."""
    try:
        targets = parse_targets(args.targets, args.source)
    except ValueError as exc:
        return refuse(f"--to: {exc}.", as_json=args.json)
    try:
        with open_target(sandbox=args.sandbox, connection=args.connection) as target:
            settings = ConvertSettings(
                args.source, targets, file=Path(args.file), carry_over_tags=args.carry_over_tags,
                report_dir=Path(args.report_dir) if getattr(args, "report_dir", None) else None, target=target,
                job_id=getattr(args, "resume", None), sheet=getattr(args, "sheet", None),
                column=getattr(args, "column", None),
            )
            return asyncio.run(run_convert(settings, as_json=args.json))
    except ZohoBulkError as exc:
        return refuse(exc.message, as_json=args.json)


async def run_convert(settings: ConvertSettings, *, as_json: bool = False, out: TextIO | None = None,
                      err: TextIO | None = None) -> int:
    """Plan, run with a progress bar on `err`, print the summary (and the JSON line) on `out`."""
    err = err or sys.stderr
    job = ConvertJob(settings)
    try:
        plan = await job.plan()
    except BaseException:
        await job.close()
        raise
    for line in plan.lines():
        print(line, file=err)
    return await run_in_terminal(job, print_summary, as_json=as_json, out=out, err=err)


def print_summary(result: ConvertResult, out: TextIO) -> None:
    c, calls = result.counts, result.calls
    lines = [
        f"Job {result.job_id}: {result.source.replace('_', ' ')} to "
        f"{' and '.join(t.replace('_', ' ') for t in result.targets)}",
        f"  {result.rows} rows: " + ", ".join(f"{c.get(k, 0)} {k.replace('_', ' ')}" for k in
                                             ("converted", "failed", "invalid", "skipped", "in_doubt")),
        f"  calls: {calls['total']} ({calls['mass_convert']} mass conversions, {calls['single_convert']} single, "
        f"{calls['status']} status checks, {calls['lookup']} lookups, {calls['retries']} retries) "
        f"in {format_duration(result.elapsed_s)}",
    ]
    if result.stopped:
        lines.append(f"  stopped early: {result.message or result.stopped}; run the same command again to go on")
    lines.append(f"  report: {result.report}")
    if result.failed_rows:
        lines.append(f"  rows to fix and re-run: {result.failed_rows}")
    print("\n".join(lines), file=out)


__all__ = ["convert_command", "run_convert"]
