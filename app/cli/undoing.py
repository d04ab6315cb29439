"""`zoho-bulk undo JOB_ID`: take back what a job did, record by record, asked first, leaving records changed since alone.

Running the same command again goes on with the same undo (it is resumable, as every job);
`--resume UNDO_JOB_ID` names that undo instead. `zoho-bulk undo UNDO_JOB_ID` undoes the undo.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from app.errors import ZohoBulkError


def undo_command(args: argparse.Namespace) -> int:
    """0 all undone, 1 some refused, 2 nothing sent (refused, not confirmed), 3 stopped early."""
    from app.cli.cleanup import run_asked
    from app.cli.terminal import refuse
    from app.jobs.target import open_target
    from app.jobs.undoing.job import UndoJob, UndoSettings

    if not args.job and not args.resume:
        return refuse("Name the job to undo: zoho-bulk undo JOB_ID.", as_json=args.json)
    if args.job and args.resume:
        return refuse("Name either the job to undo or, with --resume, the undo to go on with; not both.",
                      as_json=args.json)
    try:
        with open_target(sandbox=args.sandbox, connection=args.connection) as target:
            settings = UndoSettings("", "undo", limit=args.limit, dry_run=args.dry_run, target=target,
                                    report_dir=Path(args.report_dir) if args.report_dir else None,
                                    job=args.job or "", job_id=args.resume)
            return asyncio.run(run_asked(UndoJob(settings), yes=args.yes, as_json=args.json))
    except ZohoBulkError as exc:
        return refuse(exc.message, as_json=args.json)
