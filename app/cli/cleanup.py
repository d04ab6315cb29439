"""`zoho-bulk import --operation delete|void|open|draft|activate|deactivate`: a cleanup from the terminal, asked first.

The cleanup operations live on `import` (its --operation names them): the sheet that names the
records is its FILE, and a filter (--from/--to/--status/--customer) may stand in for it. A
destructive operation (delete, void) says the count and the organization before anything is
sent, and goes on only with --yes or, in a terminal, when the user types that count.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.errors import ZohoBulkError

if TYPE_CHECKING:
    from app.jobs.cleanup import CleanupJob, CleanupResult, CleanupSettings

CLEANUP_OPERATIONS = ("delete", "void", "open", "draft", "activate", "deactivate")
FILTERS = (("--from", "date_from"), ("--to", "date_to"), ("--status", "status"), ("--customer", "customer"))
# import's options a cleanup has no use for: refused rather than silently ignored
IMPORT_ONLY = (("--mapping", "mapping"), ("--upsert-key", "upsert_key"), ("--replace-lines", "replace_lines"),
               ("--show-mapping", "show_mapping"), ("--save-mapping", "save_mapping"),
               ("--show-payloads", "show_payloads"))


def add_cleanup_options(p: argparse.ArgumentParser) -> None:
    """The options of import's cleanup operations (picked by FILE or by a filter, asked first)."""
    g = p.add_argument_group("delete, void, open, draft, activate, deactivate")
    g.add_argument("--yes", action="store_true",
                   help="go on without asking (delete and void ask for the count when not given)")
    g.add_argument("--limit", type=int, metavar="N", help="send at most N calls in this run (try a few first)")
    g.add_argument("--column", metavar="HEADER", help="FILE's column of Zoho IDs, numbers or names (default: found)")
    g.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="instead of FILE: records dated from")
    g.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="instead of FILE: records dated until")
    g.add_argument("--status", metavar="S", help="instead of FILE: records in this status")
    g.add_argument("--customer", metavar="NAME_OR_ID", help="instead of FILE: this customer's records")


def import_command(args: argparse.Namespace) -> int:
    """`import`: a cleanup operation runs here, every other one as the import it is."""
    from app.cli.terminal import refuse

    if args.operation in CLEANUP_OPERATIONS:
        return cleanup_command(args)
    given = [flag for flag, name in (*FILTERS, ("--limit", "limit"), ("--column", "column"))
             if getattr(args, name, None) not in (None, False)]
    if given:
        return refuse(f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} to "
                      f"{', '.join(CLEANUP_OPERATIONS)}; {args.operation} reads its records from FILE.",
                      as_json=args.json)
    if not args.file:
        return refuse(f"{args.operation} needs a FILE to import.", as_json=args.json)
    from app.cli import importing

    return importing.import_command(args)


def cleanup_command(args: argparse.Namespace) -> int:
    """Run a cleanup; 0 all done, 1 some refused, 2 nothing sent (refused, not confirmed), 3 stopped early."""
    from app.cli.terminal import refuse

    unused = [flag for flag, name in IMPORT_ONLY if getattr(args, name, None)]
    if unused:
        return refuse(f"{', '.join(unused)} {'applies' if len(unused) == 1 else 'apply'} to create, update, "
                      f"upsert and skip-existing, not to {args.operation}.", as_json=args.json)
    if args.file and any(getattr(args, name, None) for _, name in FILTERS):
        return refuse("Pick the records either by FILE or by a filter (--from, --to, --status, --customer), "
                      "not both.", as_json=args.json)
    if args.limit is not None and args.limit < 1:
        return refuse("--limit takes a number of records, 1 or more.", as_json=args.json)
    from app.jobs.cleanup import CleanupSettings
    from app.jobs.target import open_target

    try:
        with open_target(sandbox=args.sandbox, connection=args.connection) as target:
            settings = CleanupSettings(
                args.entity, args.operation, file=Path(args.file) if args.file else None, sheet=args.sheet,
                column=args.column, date_from=args.date_from, date_to=args.date_to, status=args.status,
                customer=args.customer, limit=args.limit, dry_run=args.dry_run,
                report_dir=Path(args.report_dir) if args.report_dir else None, target=target,
                job_id=args.resume)
            return asyncio.run(run_cleanup(settings, yes=args.yes, as_json=args.json))
    except ZohoBulkError as exc:
        return refuse(exc.message, as_json=args.json)


async def run_cleanup(settings: CleanupSettings, *, yes: bool, as_json: bool = False, out: TextIO | None = None,
                      err: TextIO | None = None, stdin: TextIO | None = None) -> int:
    """Plan, show it, ask when the operation is destructive, run with a progress bar, print the summary."""
    from app.jobs.cleanup import CleanupJob

    return await run_asked(CleanupJob(settings), yes=yes, as_json=as_json, out=out, err=err, stdin=stdin)


async def run_asked(job: CleanupJob, *, yes: bool, as_json: bool = False, out: TextIO | None = None,
                    err: TextIO | None = None, stdin: TextIO | None = None) -> int:
    """`run_cleanup` for a job made already (a cleanup, or an undo)."""
    from app.cli.terminal import run_in_terminal
    from app.jobs.errors import JobError
    from app.zoho import QuotaSpent

    settings = job.settings
    err = err or sys.stderr
    stdin = stdin or sys.stdin
    try:
        plan = await job.plan()
    except JobError:
        await job.close()
        raise
    except QuotaSpent as exc:  # the run stops at once and says so: exit 3, resumable
        print(f"Zoho refused the lookups: {exc}", file=err)
        plan = None
    for line in plan.lines() if plan else []:
        print(line, file=err)
    sending = job.to_send()[0] if plan else 0
    if plan and job.op.destructive and not settings.dry_run and sending:
        question = job.question()
        if yes:
            print(f"{question} yes (--yes)", file=err)
        elif stdin.isatty():
            print(question, file=err)
            print(f"Type {sending} to go on, anything else to stop: ", end="", file=err, flush=True)
            answer = await asyncio.to_thread(stdin.readline)
            if answer.strip() != str(sending):
                return await _not_asked(job, f"not confirmed (the answer to \"{question}\" was not {sending}).",
                                        as_json=as_json, out=out)
        else:
            return await _not_asked(
                job, f"{question} {job.op.verb} needs confirmation: add --yes to the command "
                "(or run it in a terminal and type the count).", as_json=as_json, out=out)
    return await run_in_terminal(job, print_summary, as_json=as_json, out=out, err=err)


async def _not_asked(job: CleanupJob, message: str, *, as_json: bool, out: TextIO | None) -> int:
    from app.cli.terminal import refuse
    from app.jobs.journal import forget_unstarted

    await job.close()
    forget_unstarted(job.job_id)  # a plan never run leaves no job behind
    return refuse(message, as_json=as_json, out=out)


def print_summary(result: CleanupResult, out: TextIO) -> None:
    from app.jobs.progress import format_duration

    c = result.counts
    counted = ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in c.items())
    lines = [
        f"Job {result.job_id}: {result.operation} {result.entity}"
        + (" (dry run: nothing was sent)" if result.dry_run else ""),
        f"  {result.rows} rows, {result.records} records: {counted}",
        f"  calls: {result.calls['total']} ({result.calls['lookup']} lookup, {result.calls['write']} write, "
        f"{result.calls['retries']} retries, {result.calls['rate_limited']} refused for the rate) "
        f"in {format_duration(result.elapsed_s)}",
    ]
    if result.stopped:
        again = f"undo --resume {result.job_id}" if result.operation == "undo" else (
            f"import --entity {result.entity} --operation {result.operation} --resume {result.job_id}")
        lines.append(f"  stopped early: {result.message or result.stopped}; resume with: zoho-bulk {again}")
    lines.append(f"  report: {result.report}")
    if result.failed_rows:
        lines.append(f"  rows refused: {result.failed_rows}")
    print("\n".join(lines), file=out)
