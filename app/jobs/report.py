"""The per-row result report of a job: xlsx with the original columns plus results, a CSV twin and a failed-rows file.

Every input row appears exactly once; the rows of one document share its result.
Values that a spreadsheet would execute are neutralised by the app.sheets writers.
Import and CRM conversion both write through `write_report`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.jobs.outcomes import ORDER, TO_FIX, Answer
from app.private import data_dir
from app.resources import samples_dir
from app.sheets import SheetData, write_csv, write_xlsx
from app.sheets.writer import Highlight

STATUSES = tuple(o.words for o in ORDER)  # the Status column's words (app.jobs.outcomes)
BAD_STATUSES = TO_FIX
RESULT_HEADERS = ("Status", "Zoho ID", "Zoho number", "Message", "HTTP status", "Zoho code", "Attempts")


@dataclass
class RowResult(Answer):
    """What happened to one input row (shared by all rows of its document)."""

    status: str
    problem_cells: dict[int, str] = field(default_factory=dict)  # column index -> message

    def values(self) -> list[object]:
        return [self.status, self.zoho_id or "", self.number or "", self.message or "",
                self.http_status if self.http_status is not None else "",
                self.zoho_code or "", self.attempts]


@dataclass
class ReportPaths:
    xlsx: Path
    csv: Path
    failed: Path | None  # None when no row failed


def report_folder(source: Path) -> Path:
    """Where a run's report goes by default: beside its file, except for the shipped samples
    (their folder belongs to the installation), whose reports go under the data folder."""
    source = source.resolve()
    if source.is_relative_to(samples_dir().resolve()):
        return data_dir() / "reports"
    return source.parent


def report_stem(source: Path, job_id: str) -> str:
    return f"{source.stem}.report-{job_id}"


def write_report(
    *,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    results: Sequence[RowResult],
    summary: Sequence[tuple[str, object]],
    out_dir: Path,
    stem: str,
    failed_suffix: str = ".xlsx",
    result_headers: Sequence[str] = RESULT_HEADERS,
    statuses: Sequence[str] = STATUSES,
) -> ReportPaths:
    """Write `<stem>.xlsx` (Results + Summary sheets), `<stem>.csv` and `<stem>.failed<suffix>`.

    `result_headers` name what each result's `values()` gives (CRM conversion has its own).
    """
    if len(rows) != len(results):
        raise ValueError(f"{len(rows)} rows but {len(results)} results")
    out_dir.mkdir(parents=True, exist_ok=True)
    n = len(headers)
    all_headers = [*headers, *result_headers]
    out_rows: list[list[object]] = []
    highlights: dict[tuple[int, int], Highlight] = {}
    comments: dict[tuple[int, int], str] = {}
    for i, (row, result) in enumerate(zip(rows, results, strict=True)):
        out_rows.append([*_cells(row, n), *result.values()])
        if result.status in BAD_STATUSES:
            highlights[(i, n)] = "error"
            highlights[(i, n + 3)] = "error"
            for col, message in result.problem_cells.items():
                highlights[(i, col)] = "error"
                comments[(i, col)] = message
        elif result.status in ("created", "updated", "converted"):
            highlights[(i, n)] = "ok"

    counts = Counter(r.status for r in results)
    summary_rows: list[list[object]] = [[label, value] for label, value in summary]
    summary_rows.append(["", ""])
    summary_rows.append(["Rows by status", ""])
    for status in statuses:
        summary_rows.append([status, counts.get(status, 0)])
    summary_rows.append(["rows", len(results)])

    xlsx = out_dir / f"{stem}.xlsx"
    csv = out_dir / f"{stem}.csv"
    write_xlsx(xlsx, [
        SheetData("Results", all_headers, out_rows, highlights=highlights, comments=comments),
        SheetData("Summary", ["Item", "Value"], summary_rows),
    ])
    write_csv(csv, all_headers, out_rows)

    failed_rows = [_cells(row, n) for row, r in zip(rows, results, strict=True)
                   if r.status in BAD_STATUSES]
    failed: Path | None = None
    if failed_rows:
        failed = out_dir / f"{stem}.failed{failed_suffix}"
        if failed_suffix == ".csv":
            write_csv(failed, list(headers), failed_rows)
        else:
            write_xlsx(failed, [SheetData("Failed rows", list(headers), failed_rows)])
    else:
        for suffix in (".xlsx", ".csv"):
            (out_dir / f"{stem}.failed{suffix}").unlink(missing_ok=True)
    return ReportPaths(xlsx=xlsx, csv=csv, failed=failed)


def _cells(row: Sequence[object], n: int) -> list[object]:
    cells = list(row[:n])
    cells.extend([None] * (n - len(cells)))
    return cells
