"""The command line parses its documented contract: the commands, options and exit codes README.md lists."""

from __future__ import annotations

import subprocess
import sys

from app import __version__
from app.cli import build_parser


def test_version_prints_the_package_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"zoho-bulk {__version__}"


def test_import_contract_options_parse() -> None:
    args = build_parser().parse_args(
        ["import", "orders.xlsx", "--entity", "salesorders", "--operation", "upsert",
         "--mapping", "m.json", "--sheet", "Orders", "--dry-run", "--report-dir", "out",
         "--resume", "job1", "--sandbox", "http://127.0.0.1:8777", "--json"]
    )
    assert (args.entity, args.operation, args.mapping, args.sheet) == ("salesorders", "upsert", "m.json", "Orders")
    assert args.dry_run and args.json and args.resume == "job1"
    assert args.sandbox == "http://127.0.0.1:8777"


def test_bad_usage_exits_with_code_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "import", "x.csv", "--entity", "nonsense"],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
