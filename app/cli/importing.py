"""`zoho-bulk import`: runs an ImportJob from the terminal with a progress bar, a summary and exit codes of CLI.md."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from app.cli.terminal import refuse, run_in_terminal
from app.errors import ZohoBulkError
from app.jobs.errors import JobError
from app.jobs.importing.job import ImportJob, JobResult, JobSettings
from app.jobs.outcomes import summary_line
from app.jobs.plan import Plan
from app.jobs.progress import format_duration
from app.jobs.target import Target, open_target
from app.mapping.schema import save_mapping
from app.mapping.show import mapping_lines, payload_lines, problem_lines
from app.zoho import QuotaSpent


@dataclass(frozen=True)
class Preview:
    """What the user asked to see before the run: the mapping, a copy of it on disk, the first payloads."""

    show_mapping: bool = False
    save_mapping: Path | None = None
    payloads: int = 0


def import_command(args: argparse.Namespace) -> int:
    """Import args.file; returns 0 all rows done, 1 some failed/invalid, 2 nothing sent, 3 stopped early."""
    preview = Preview(bool(getattr(args, "show_mapping", False)),
                      Path(args.save_mapping) if getattr(args, "save_mapping", None) else None,
                      int(getattr(args, "show_payloads", 0) or 0))
    if preview.payloads and not args.dry_run:
        return refuse("--show-payloads prints what a run would send: add --dry-run.", as_json=args.json)
    if preview.payloads < 0:
        return refuse("--show-payloads takes a number of payloads, 1 or more.", as_json=args.json)
    try:
        with open_target(sandbox=args.sandbox, connection=args.connection) as target:
            settings = settings_from(args, target)
            return asyncio.run(run_import(settings, as_json=args.json, preview=preview))
    except ZohoBulkError as exc:
        return refuse(exc.message, as_json=args.json)


def settings_from(args: argparse.Namespace, target: Target) -> JobSettings:
    return JobSettings(
        file=Path(args.file), entity=args.entity, operation=args.operation,
        mapping=Path(args.mapping) if args.mapping else None, sheet=args.sheet,
        dry_run=args.dry_run, report_dir=Path(args.report_dir) if args.report_dir else None,
        target=target, job_id=args.resume,
        wait_for_quota=bool(getattr(args, "wait_for_quota", False)),
        replace_lines=bool(getattr(args, "replace_lines", False)),
        unique_field=getattr(args, "upsert_key", None) or None,
        same_error_limit=max(0, int(getattr(args, "pause_after_same_error", 5))),
        date_order=getattr(args, "date_order", None), decimal=getattr(args, "decimal", None),
        encoding=getattr(args, "encoding", None),
    )


async def run_import(settings: JobSettings, *, as_json: bool = False, out: TextIO | None = None,
                     err: TextIO | None = None, preview: Preview = Preview()) -> int:
    err = err or sys.stderr
    job = ImportJob(settings)
    if preview.show_mapping or preview.save_mapping:
        try:
            await asyncio.to_thread(job.load)
        except JobError:
            await job.close()
            raise
        assert job.mapping is not None
        if preview.show_mapping:
            print("\n".join(mapping_lines(job.mapping)), file=out or sys.stdout)
        if preview.save_mapping:
            try:
                print(f"Mapping saved: {save_mapping(job.mapping, preview.save_mapping)}", file=err)
            except OSError as exc:
                await job.close()
                raise JobError(f'The mapping cannot be saved to "{preview.save_mapping}" '
                               f"({exc.strerror or exc}).") from None
    try:
        plan: Plan | None = await job.plan()
    except JobError:
        await job.close()
        raise
    except QuotaSpent as exc:  # the run below stops at once and says so: exit 3, resumable
        print(f"Zoho refused the lookups: {exc}", file=err)
        plan = None
    for line in plan.lines() if plan else []:
        print(line, file=err)
    if job.prepared is not None:
        for line in problem_lines([*job.prepared.all_problems(), *(plan.problems if plan else [])]):
            print(line, file=err)
    if preview.payloads:
        print("\n".join(payload_lines(job.payloads_to_send(), preview.payloads)), file=out or sys.stdout)
    return await run_in_terminal(job, print_summary, as_json=as_json, out=out, err=err)


def print_summary(result: JobResult, out: TextIO) -> None:
    c = result.counts
    lines = [
        f"Job {result.job_id}: {result.operation} {result.entity}"
        + (" (dry run: nothing was sent)" if result.dry_run else ""),
        f"  {result.rows} rows, {result.documents} documents: "
        + summary_line(c),
        f"  calls: {result.calls['total']} ({result.calls['lookup']} lookup, "
        f"{result.calls['write']} write, {result.calls['retries']} retries, "
        f"{result.calls['rate_limited']} refused for the rate) in {format_duration(result.elapsed_s)}",
    ]
    if result.stopped:
        lines.append(f"  stopped early: {result.message or result.stopped}; "
                     f"resume with: zoho-bulk import ... --resume {result.job_id}")
    lines.append(f"  report: {result.report}")
    if result.changes:
        lines.extend(f"  {line}" for line in result.changes.lines())
    if result.report_note:
        lines.append(f"  note: {result.report_note}")
    if result.failed_rows:
        lines.append(f"  rows to fix and re-run: {result.failed_rows}")
    print("\n".join(lines), file=out)
