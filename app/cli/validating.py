"""`zoho-bulk validate`: read, map and validate a spreadsheet without the network, and report every problem."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.errors import ZohoBulkError
from app.mapping.automap import automap
from app.mapping.documents import Prepared, Problem
from app.mapping.prepare import prepare
from app.mapping.schema import Mapping, load_mapping, save_mapping
from app.mapping.show import mapping_lines, problem_lines
from app.sheets import SheetData, SheetError, Table, read_table, write_csv, write_xlsx
from app.sheets.writer import Highlight

PROBLEM_HEADERS = ["Row", "Column", "Cell", "Field", "Severity", "Document", "Message"]


def problem_rows(prepared: Prepared) -> list[list[Any]]:
    """One report line per problem, in row order (problems without a row first)."""
    keys = {d.index: d.key for d in prepared.documents}
    found: list[Problem] = prepared.all_problems()
    found.sort(key=lambda p: (p.row or 0, p.column_letter or ""))
    return [
        [p.row, p.column, f"{p.column_letter}{p.row}" if p.column_letter and p.row else p.column_letter,
         p.field, p.severity, keys.get(p.document) if p.document is not None else None, p.message]
        for p in found
    ]


def write_report(table: Table, prepared: Prepared, xlsx: Path, csv: Path) -> None:
    """The problems sheet, and the rows that have problems with their bad cells coloured and annotated."""
    lines = problem_rows(prepared)
    by_row: dict[int, list[Problem]] = {}
    for p in prepared.all_problems():
        if p.row_index is not None:
            by_row.setdefault(p.row_index, []).append(p)
    column_of = {h: i for i, h in enumerate(table.headers)}
    rows: list[list[Any]] = []
    highlights: dict[tuple[int, int], Highlight] = {}
    comments: dict[tuple[int, int], str] = {}
    for out_index, ri in enumerate(sorted(by_row)):
        problems = by_row[ri]
        worst = "error" if any(p.severity == "error" for p in problems) else "warning"
        rows.append([table.row_numbers[ri], worst, "; ".join(p.message for p in problems), *table.rows[ri]])
        for p in problems:
            ci = column_of.get(p.column or "")
            if ci is None:
                continue
            cell = (out_index, ci + 3)
            if highlights.get(cell) != "error":
                highlights[cell] = p.severity
            comments[cell] = (comments[cell] + "\n" if cell in comments else "") + p.message
    write_xlsx(xlsx, [
        SheetData("Problems", PROBLEM_HEADERS, lines),
        SheetData("Rows with problems", ["Row", "Status", "Problems", *table.headers], rows,
                  highlights=highlights, comments=comments),
    ])
    write_csv(csv, PROBLEM_HEADERS, lines)


def _fail(message: str, as_json: bool) -> int:
    print(message, file=sys.stderr)
    if as_json:
        print(json.dumps({"error": message, "rows": 0, "documents": 0, "valid": 0, "invalid": 0,
                          "warnings": 0, "report": None}))
    return 2


def validate_command(args: argparse.Namespace) -> int:
    """Exit 0 when every document is valid, 1 when some are invalid, 2 when nothing could be checked."""
    as_json = bool(getattr(args, "json", False))
    source = Path(args.file)
    try:
        mapping: Mapping | None = load_mapping(args.mapping) if getattr(args, "mapping", None) else None
        if mapping is not None and mapping.entity != args.entity:
            return _fail(f'The mapping is for {mapping.entity}, but --entity is {args.entity}.', as_json)
        sheet = args.sheet or (mapping.sheet if mapping else None)
        table = read_table(source, sheet=sheet, header_row=mapping.header_row if mapping else None,
                           encoding=getattr(args, "encoding", None))
        if mapping is None:
            mapping = automap(table, args.entity, args.operation)
        else:
            mapping = mapping.model_copy(update={"operation": args.operation})
        mapping = mapping.with_conventions(getattr(args, "date_order", None), getattr(args, "decimal", None))
        if getattr(args, "show_mapping", False):
            print("\n".join(mapping_lines(mapping)))
        if getattr(args, "save_mapping", None):
            saved = save_mapping(mapping, args.save_mapping)
            print(f"Mapping saved: {saved}")
        prepared = prepare(table, mapping)
    except ZohoBulkError as exc:  # an unreadable file or a mapping that cannot be used
        return _fail(exc.message, as_json)
    except OSError as exc:
        return _fail(f'The mapping cannot be saved to "{args.save_mapping}" ({exc.strerror or exc}).', as_json)
    report_dir = Path(args.report_dir) if getattr(args, "report_dir", None) else source.parent
    if report_dir.exists() and not report_dir.is_dir():  # else the writer's "File exists" misleads
        return _fail(f'The report folder "{report_dir}" is a file, not a folder.', as_json)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(f'The report folder "{report_dir}" cannot be made ({exc.strerror or exc}).', as_json)
    xlsx = report_dir / f"{source.stem}-problems.xlsx"
    csv = report_dir / f"{source.stem}-problems.csv"
    try:
        write_report(table, prepared, xlsx, csv)
    except SheetError as exc:
        return _fail(str(exc), as_json)
    problems = prepared.all_problems()
    invalid = len(prepared.invalid)
    sheet_errors = sum(1 for p in prepared.problems if p.severity == "error")
    warnings = sum(1 for p in problems if p.severity == "warning")
    summary = {
        "entity": args.entity, "operation": mapping.operation, "rows": prepared.rows,
        "documents": len(prepared.documents), "valid": len(prepared.documents) - invalid,
        "invalid": invalid, "warnings": warnings, "errors": sum(1 for p in problems if p.severity == "error"),
        "report": str(xlsx), "report_csv": str(csv), "encoding": table.encoding,
    }
    read_as = f" (read as {table.encoding})" if table.encoding else ""
    print(f'{source.name}{read_as}: {summary["rows"]} rows, {summary["documents"]} {mapping.entity}, '
          f'{summary["valid"]} valid, {invalid} invalid, {warnings} warnings.')
    for line in problem_lines(problems):
        print(line)
    print(f"Report: {xlsx}")
    if as_json:
        print(json.dumps(summary))
    return 1 if invalid or sheet_errors else 0
