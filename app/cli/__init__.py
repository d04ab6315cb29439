"""The `zoho-bulk` command line: parses each command's options and hands the command to its module in app/cli."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence

from app import __version__
from app.cli.cleanup import CLEANUP_OPERATIONS, add_cleanup_options
from app.errors import ZohoBulkError

LOG_ENV = "ZOHO_BULK_LOG"
ENTITIES = ("contacts", "salesorders", "creditnotes")
OPERATIONS = ("create", "update", "upsert", "skip-existing")

# command -> "module:function"; each function takes the parsed arguments and returns an exit code.
HANDLERS: dict[str, str] = {
    "import": "app.cli.cleanup:import_command",  # a cleanup operation, or app.cli.importing
    "export": "app.cli.exporting:export_command",
    "undo": "app.cli.undoing:undo_command",
    "convert": "app.cli.converting:convert_command",
    "validate": "app.cli.validating:validate_command",
    "sandbox": "app.cli.sandbox:sandbox_command",
    "connections": "app.cli.connections:connections_command",
    "gui": "app.cli.gui:gui_command",
    "demo": "app.cli.demo:demo_command",
}


def _add_target(parser: argparse.ArgumentParser) -> None:
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--connection", metavar="NAME", help="a saved Zoho connection")
    target.add_argument("--sandbox", metavar="URL", help="a sandbox already running at URL")


def _add_reading(parser: argparse.ArgumentParser) -> None:
    """How a sheet is read and mapped: `import` and `validate` take the same options."""
    parser.add_argument("--mapping", metavar="MAPPING.json")
    parser.add_argument("--sheet", metavar="NAME")
    parser.add_argument("--show-mapping", action="store_true",
                        help="print the mapping used (auto-mapping's proposal with its confidences)")
    parser.add_argument("--save-mapping", metavar="FILE", help="write the mapping used to FILE (JSON)")
    parser.add_argument("--date-order", choices=("day-first", "month-first", "year-first"),
                        help="how text dates like 03/04/2026 are read, in every date column whose values or "
                             "mapping do not decide it")
    parser.add_argument("--decimal", choices=(".", ","),
                        help="the decimal mark of every number column whose values or mapping do not decide it")
    parser.add_argument("--encoding", metavar="NAME",
                        help="the encoding of a CSV/text file (windows-1251, shift_jis...) when detection is unsure")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zoho-bulk",
        description="Move records between spreadsheets and Zoho Books / Zoho CRM.",
    )
    parser.add_argument("--version", action="version", version=f"zoho-bulk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser("import", help="import a spreadsheet into Zoho Books, or clean records up")
    p.add_argument("file", metavar="FILE", nargs="?", help="the sheet; a cleanup may pick by a filter instead")
    p.add_argument("--entity", choices=ENTITIES, required=True)
    p.add_argument("--operation", choices=(*OPERATIONS, *CLEANUP_OPERATIONS), default="create")
    add_cleanup_options(p)
    _add_reading(p)
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--report-dir", metavar="DIR")
    p.add_argument("--resume", metavar="JOB_ID")
    p.add_argument("--show-payloads", type=int, metavar="N", default=0,
                   help="with --dry-run: print the first N payloads exactly as they would be sent")
    p.add_argument("--pause-after-same-error", type=int, default=5, metavar="N",
                   help="stop when Zoho refuses N documents in a row with the same error (0: never)")
    p.add_argument("--upsert-key", metavar="CF_API_NAME",
                   help="the custom field marked unique in Zoho that an upsert matches by (e.g. cf_order_ref)")
    p.add_argument("--replace-lines", action="store_true",
                   help="an update deletes the line items its sheet does not mention (kept by default)")
    p.add_argument("--wait-for-quota", action="store_true",
                   help="when the daily quota runs out, wait for it to reset and go on")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    _add_target(p)

    p = commands.add_parser("export", help="export Zoho Books records to a spreadsheet")
    p.add_argument("entity", choices=(*ENTITIES, "items"), nargs="?", help="required unless --resume")
    p.add_argument("--out", metavar="FILE.{xlsx,csv}", help="required unless --resume")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    p.add_argument("--status", metavar="S")
    p.add_argument("--line-items", action="store_true",
                   help="one row per line item (contact person for contacts), every column")
    p.add_argument("--customer", metavar="NAME_OR_ID")
    p.add_argument("--search", metavar="TEXT")
    p.add_argument("--columns", metavar="H1,H2,...", help='headers to export, or "all"')
    p.add_argument("--resume", metavar="JOB_ID", help="run a stopped export again (the same command does too)")
    p.add_argument("--json", action="store_true")
    _add_target(p)

    p = commands.add_parser("undo", help="take back what an import, a cleanup or an undo did")
    p.add_argument("job", metavar="JOB_ID", nargs="?", help="the job to undo (its report names it)")
    for flag, says in (("--yes", "go on without asking for the count"), ("--json", "a JSON summary, last"),
                       ("--dry-run", "plan and report what undo would do; send nothing")):
        p.add_argument(flag, action="store_true", help=says)
    for flag, metavar, says in (("--resume", "UNDO_JOB_ID", "go on with a stopped undo (as running it again does)"),
                                ("--report-dir", "DIR", "where the report goes (default: the data folder)")):
        p.add_argument(flag, metavar=metavar, help=says)
    p.add_argument("--limit", type=int, metavar="N", help="send at most N calls in this run (try a few first)")
    _add_target(p)

    p = commands.add_parser("convert", help="convert Zoho CRM quotes / sales orders in bulk")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--from", dest="source", choices=("Quotes", "Sales_Orders"), required=True)
    p.add_argument("--to", dest="targets", required=True, metavar="Sales_Orders,Invoices")
    p.add_argument("--carry-over-tags", action="store_true")
    p.add_argument("--sheet", metavar="NAME")
    p.add_argument("--column", metavar="HEADER", help="the column of record IDs or numbers (default: found)")
    p.add_argument("--report-dir", metavar="DIR")
    p.add_argument("--json", action="store_true")
    _add_target(p)

    p = commands.add_parser("validate", help="read, map and validate a spreadsheet (no network)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--entity", choices=ENTITIES, required=True)
    p.add_argument("--operation", choices=OPERATIONS, default="create")
    _add_reading(p)
    p.add_argument("--report-dir", metavar="DIR")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("sandbox", help="run the local Zoho-compatible sandbox server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--allow-remote", action="store_true",
                   help="let a --host beyond this machine listen (anyone reaching it can use the public credentials)")
    p.add_argument("--port", type=int, default=8777, help="1 to 65535 (0: any free port)")
    p.add_argument("--db", metavar="FILE")
    p.add_argument("--rate", default="100/60", metavar="N/SECONDS")
    p.add_argument("--concurrency", type=int, default=10)
    p.add_argument("--daily", type=int, default=10_000)
    p.add_argument("--latency-ms", default="0", metavar="MS")
    p.add_argument("--fail-rate", type=float, default=0.0)
    p.add_argument("--drop-rate", type=float, default=0.0)
    p.add_argument("--fail-after-commit-rate", type=float, default=0.0, metavar="F",
                   help="answer this share of writes HTTP 500 after saving them (Zoho's write in doubt)")
    p.add_argument("--token-uses", type=int, default=0, metavar="N")
    p.add_argument("--token-limit", type=int, default=0, metavar="N",
                   help="refuse an access token past N per refresh token in 10 minutes, as Zoho does "
                        "past 10 (HTTP 200 \"Access Denied\"); 0: no limit")

    p = commands.add_parser("connections", help="manage saved Zoho connections")
    p.add_argument("action", choices=("add", "list", "remove", "test", "scopes"))
    p.add_argument("name", nargs="?")
    p.add_argument("--data-centre", "--dc", dest="data_centre", metavar="DC")
    p.add_argument("--base-url", metavar="URL")
    p.add_argument("--organization-id", metavar="ID")
    p.add_argument("--plan", metavar="PLAN")
    p.add_argument("--daily-quota", type=int, metavar="N", help="override the plan's daily quota")
    p.add_argument("--concurrency", type=int, metavar="N", help="override the plan's concurrency")
    p.add_argument("--client-id", metavar="ID")
    p.add_argument("--grant-code", metavar="CODE")
    p.add_argument("--browser", action="store_true", help="sign in through the browser")
    p.add_argument("--crm", action="store_true",
                   help="ask for the Zoho CRM conversion scopes too (Books-only without it)")
    p.add_argument("--default", action="store_true")
    p.add_argument("--replace", action="store_true", help="add: overwrite a saved connection of that name")

    p = commands.add_parser("gui", help="open the desktop app")
    p.add_argument("--smoke", action="store_true", help="open the main window, then exit 0 (packaging check)")
    commands.add_parser("demo", help="import the samples into the embedded sandbox")
    return parser


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    module_name, _, function = HANDLERS[command].partition(":")
    return getattr(importlib.import_module(module_name), function)


def _trace_to_log_file() -> None:
    """ZOHO_BULK_LOG=debug (or info, warning): the run's redacted trace goes to the GUI's log file, for support."""
    level = os.environ.get(LOG_ENV, "").strip().upper()
    if level and level not in ("0", "OFF", "NO", "FALSE"):
        from app.gui.logfile import start_logging  # no Qt: a file handler with the redacting filter

        start_logging(getattr(logging, level, logging.DEBUG))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _trace_to_log_file()
    if not args.command:
        parser.print_help()
        return 2
    try:
        return int(_handler(args.command)(args) or 0)
    except ZohoBulkError as exc:  # one of ours that no command caught: its sentence, never a traceback
        print(f"zoho-bulk {args.command}: {exc.message}", file=sys.stderr)
        if getattr(args, "json", False):  # the JSON object is still the last line
            print(json.dumps({"error": exc.message, "exit_code": exc.exit_code}))
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl-C outside a job's run (reading the file, signing in...)
        from app.cli.terminal import stopped_at_once
        return stopped_at_once(as_json=getattr(args, "json", False))


if __name__ == "__main__":
    raise SystemExit(main())
