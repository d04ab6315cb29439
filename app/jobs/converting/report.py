"""The per-row report of a CRM conversion: the input's columns, then Status, the IDs and numbers made, Message, Code.

Written through app.jobs.report.write_report (xlsx + csv + failed rows), like an import's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from app.jobs.converting.input_file import ConvertInput
from app.jobs.converting.reasons import SINGULAR
from app.jobs.journal import Entry, State
from app.jobs.outcomes import Outcome, stop_words
from app.jobs.report import ReportPaths, RowResult, report_folder, report_stem, write_report
from app.private import data_dir

STATUSES = ("converted", "failed", "invalid", "skipped", Outcome.NOT_SENT.words, Outcome.IN_DOUBT.words)
RESULT_HEADERS = ("Status", "Sales Order ID", "Invoice ID", "Message", "Code", "HTTP status", "Attempts",
                  "Sales Order Number", "Invoice Number", "Record ID")


@dataclass
class ConvertRowResult(RowResult):
    """A report row of a conversion: the IDs and numbers of the records made."""

    made_ids: dict[str, str] = field(default_factory=dict)
    made_numbers: dict[str, str] = field(default_factory=dict)
    record_id: str | None = None

    def values(self) -> list[object]:
        return [self.status, self.made_ids.get("Sales_Orders", ""), self.made_ids.get("Invoices", ""),
                self.message or "", self.zoho_code or "",
                self.http_status if self.http_status is not None else "", self.attempts,
                self.made_numbers.get("Sales_Orders", ""), self.made_numbers.get("Invoices", ""),
                self.record_id or ""]


def row_results(data: ConvertInput, entries: list[Entry], stopped: str | None) -> list[RowResult]:
    """One result per input row, from the journal's entries."""
    results: list[RowResult] = [ConvertRowResult("skipped", message="empty row: nothing to convert")
                                for _ in data.rows]
    for e in entries:
        status, message = status_of(e, stopped)
        # only records seen made are kept (a chain's first, also when its second failed or is pending)
        ids, numbers = _made(e.zoho_id), _made(e.number)
        cells = {}
        column = e.marker.get("column")
        if e.outcome == "invalid" and isinstance(column, int):
            cells[column] = message or ""
        for r in e.rows:
            results[r] = ConvertRowResult(status=status, message=message, http_status=e.http_status,
                                          zoho_code=e.zoho_code, attempts=e.attempts, problem_cells=cells,
                                          made_ids=ids, made_numbers=numbers, record_id=e.key)
    return results


def _made(text: str | None) -> dict[str, str]:
    """{target module: ID or number} as the journal keeps it (JSON), or {} for anything else."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items() if v} if isinstance(value, dict) else {}


def write_convert_report(data: ConvertInput, results: list[RowResult], summary: list[tuple[str, object]], *,
                         job_id: str, report_dir: Path | None) -> ReportPaths:
    """Beside the input file (or in `report_dir`; a pasted list's under the data directory's reports)."""
    if report_dir is not None:
        out_dir = report_dir
    elif data.file is not None:
        out_dir = report_folder(data.file)
    else:
        out_dir = data_dir() / "reports"
    stem = report_stem(data.file if data.file else Path("pasted-list"), job_id)
    suffix = ".csv" if data.file is None or data.file.suffix.lower() in (".csv", ".tsv", ".txt") else ".xlsx"
    return write_report(headers=data.headers, rows=data.rows, results=results, summary=summary,
                        out_dir=Path(out_dir), stem=stem, failed_suffix=suffix,
                        result_headers=RESULT_HEADERS, statuses=STATUSES)


def outcome_of(e: Entry) -> str:
    if e.state in (State.IN_DOUBT, State.SENT):
        return Outcome.IN_DOUBT
    if e.state == State.PENDING:
        return Outcome.NOT_SENT
    return e.outcome or ("failed" if e.state == State.FAILED else "converted")


def status_of(e: Entry, stopped: str | None) -> tuple[str, str | None]:
    """The report's Status and Message of an entry."""
    if e.state in (State.IN_DOUBT, State.SENT) and e.http_status is not None and e.http_status >= 500:
        return Outcome.IN_DOUBT.words, (f"Zoho answered HTTP {e.http_status}{f' ({e.zoho_code})' if e.zoho_code else ''}, which "
                          "does not tell whether it converted the record; none was found yet; run the same file "
                          "again to settle it")
    if e.state in (State.IN_DOUBT, State.SENT):
        return Outcome.IN_DOUBT.words, ("Zoho's answer was lost and the conversion could not be checked yet; "
                          "run the same file again to settle it")
    if e.state == State.PENDING:
        why = stop_words(stopped)
        made = _made(e.number) or _made(e.zoho_id)
        if made:  # a chain stopped between its conversions
            words = " and ".join(f"{SINGULAR.get(t, t)} {v}" for t, v in made.items())
            return Outcome.NOT_SENT.words, f"{words} made; the next conversion not sent: {why}; run the same file again to go on"
        return Outcome.NOT_SENT.words, f"not sent: {why}; run the same file again to convert it"
    if e.outcome == "converted":
        return "converted", e.message or "converted"
    return outcome_of(e), e.message
