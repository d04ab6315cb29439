"""The end of an import run: each row's result, the counts, the exit code, the summary and the report, read from the journal."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.jobs.errors import JobError
from app.jobs.importing.changes_file import finish_preview
from app.jobs.importing.state import ImportState
from app.jobs.journal import Entry, State
from app.jobs.outcomes import ORDER, Outcome, stop_words
from app.jobs.outcomes import exit_code as exit_codes
from app.jobs.report import ReportPaths, RowResult, report_folder, report_stem, write_report
from app.mapping.documents import Problem
from app.private import data_dir
from app.sheets import SheetError

if TYPE_CHECKING:
    from app.jobs.importing.job import JobResult


class ImportResults(ImportState):
    """The report end of `ImportJob`: what each row became, written once the run has settled."""

    async def _finish(self) -> JobResult:
        from app.jobs.importing.job import JobResult
        assert self.journal is not None and self.prepared is not None and self.table is not None
        journal, table = self.journal, self.table
        entries = journal.entries()
        stopped = self.control.stop_reason if self.control.cancelled else None
        results = self._row_results(entries, stopped)
        counts = Counter(outcome_of(e) for e in entries)
        counts_out = {o.value: counts.get(o.value, 0) for o in ORDER}
        counter = self.client.counters if self._client is not None else None
        calls = {
            "total": self._lookup_calls + self._write_calls,
            "lookup": self._lookup_calls, "write": self._write_calls,
            "retries": counter.retries if counter else 0,
            "rate_limited": counter.rate_limited if counter else 0,
        }
        elapsed = time.monotonic() - self._started
        # What a rerun of the job settles: documents not sent, and answers lost but not looked up yet. A create
        # in doubt that nothing can find again is settled as it is: the report asks the user to check Zoho.
        unfinished = sum(1 for e in entries if e.state in (State.PENDING, State.SENT, State.IN_DOUBT))
        exit_code = exit_codes(stopped=stopped, writes=self._write_calls + counts_out["in_doubt"],
                               unfinished=unfinished, refused=counts_out["failed"] + counts_out["invalid"]
                               + counts_out["in_doubt"] + sum(r.status in ("failed", "invalid") for r in results))
        message = ""
        if self._stop_error is not None:
            message = str(self._stop_error)
        elif stopped:
            message = "the run was cancelled"
        summary_rows: list[tuple[str, object]] = [
            ("Job", self.job_id), ("File", str(self.settings.source or self.settings.file)),
            ("Sheet", table.sheet),
            *([("Encoding", table.encoding)] if table.encoding else []),
            ("Record type", self.facts.singular if self.facts else self.settings.entity),
            ("Operation", self.mapping.operation if self.mapping else self.settings.operation),
            ("Target", self.settings.target.name if self.settings.target else ""),
            ("Dry run", "yes" if self.settings.dry_run else "no"),
            ("Finished at", datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")),
            ("Stopped early", message or "no"),
            ("Documents", len(self.prepared.documents)), ("Rows", len(table.rows)),
            *[(k.replace("_", " ").capitalize(), v) for k, v in counts_out.items()],
            ("Calls", calls["total"]), ("Lookup calls", calls["lookup"]),
            ("Write calls", calls["write"]), ("Retries", calls["retries"]),
            ("Refused for the rate (429)", calls["rate_limited"]),
            ("Elapsed (s)", round(elapsed, 1)),
        ]
        paths, report_note = await asyncio.to_thread(self._write_report, results, summary_rows)
        changes = await asyncio.to_thread(
            finish_preview, self.preview if self.settings.dry_run else None,
            source=self.settings.source or self.settings.file, job_id=self.job_id, folder=paths.xlsx.parent,
            unchanged=counts_out["unchanged"], summary=summary_rows[:8])
        status = "finished" if exit_code in (0, 1) else ("stopped" if stopped else "unsettled")
        if not self.settings.dry_run:
            for name, value in (("status", status), ("report", str(paths.xlsx)),
                                ("report_csv", str(paths.csv)), ("stopped", message or None)):
                await journal.write(journal.set, name, value)
        return JobResult(
            job_id=self.job_id, entity=self.facts.name if self.facts else self.settings.entity,
            operation=self.mapping.operation if self.mapping else self.settings.operation,
            rows=len(table.rows), documents=len(self.prepared.documents),
            counts=counts_out, calls=calls, elapsed_s=elapsed, report=paths.xlsx,
            report_csv=paths.csv, failed_rows=paths.failed, exit_code=exit_code,
            stopped=stopped, message=message, dry_run=self.settings.dry_run,
            report_note=report_note, changes=changes)

    def _row_results(self, entries: list[Entry], stopped: str | None) -> list[RowResult]:
        assert self.table is not None and self.prepared is not None and self.journal is not None
        table = self.table
        column_index = {h: i for i, h in enumerate(table.headers)}
        results: list[RowResult | None] = [None] * len(table.rows)
        for e in entries:
            doc = self._documents.get(e.index)
            status, message = status_of(e, stopped)
            problems: list[dict[str, Any]] = []
            if doc is not None and e.outcome == "invalid":
                problems = [{"row_index": p.row_index, "column": p.column, "message": p.message}
                            for p in doc.problems if p.severity == "error"]
                problems += self.journal.get(f"problems.{e.index}", [])
            for r in e.rows:
                own = [p for p in problems if p["row_index"] == r]
                row_message = "; ".join(p["message"] for p in own) if own else message
                cells = {column_index[p["column"]]: p["message"] for p in own
                         if p.get("column") in column_index}
                results[r] = RowResult(status=status, zoho_id=e.zoho_id, number=e.number,
                                       message=row_message, http_status=e.http_status,
                                       zoho_code=e.zoho_code, attempts=e.attempts,
                                       problem_cells=cells)
        loose: dict[int, list[Problem]] = {}
        set_aside: dict[int, str] = {}  # rows of no document that mapping skipped with a warning (totals rows)
        for p in self.prepared.problems:
            if p.row_index is not None and p.severity == "error":
                loose.setdefault(p.row_index, []).append(p)
            elif p.row_index is not None:
                set_aside[p.row_index] = p.message
        out: list[RowResult] = []
        for i, settled in enumerate(results):
            if settled is None:
                ps = loose.get(i)
                if ps:
                    cells = {column_index[p.column]: p.message for p in ps if p.column in column_index}
                    settled = RowResult("invalid", message="; ".join(p.message for p in ps),
                                        problem_cells=cells)
                else:
                    settled = RowResult("skipped", message=set_aside.get(i, "empty row: nothing to import"))
            out.append(settled)
        return out

    def _write_report(self, results: list[RowResult],
                      summary: list[tuple[str, object]]) -> tuple[ReportPaths, str]:
        """Write the report beside the file (or in --report-dir; see report_folder); when that fails (the report
        is open in Excel, the folder is read-only), write it under the data folder instead and
        say so: the rows were sent, so their report must not be lost to a traceback."""
        assert self.table is not None
        s = self.settings
        origin = s.source or s.file  # named after the user's file, also when a corrected copy was read
        out_dir = Path(s.report_dir or report_folder(origin))
        stem = report_stem(origin, self.job_id) + (".dry-run" if s.dry_run else "")
        suffix = ".csv" if origin.suffix.lower() in (".csv", ".tsv", ".txt") else ".xlsx"

        def write(folder: Path) -> ReportPaths:
            assert self.table is not None
            return write_report(headers=self.table.headers, rows=self.table.rows, results=results,
                                summary=summary, out_dir=folder, stem=stem, failed_suffix=suffix)

        try:
            return write(out_dir), ""
        except (SheetError, OSError) as exc:
            reason = str(exc) if isinstance(exc, SheetError) else (exc.strerror or str(exc))
        fallback = data_dir() / "reports"
        paths = write(fallback)
        return paths, (f'The report could not be written in "{out_dir}" ({reason.rstrip(".")}); '
                       f'it was written to "{fallback}" instead.')


def check_report_dir(folder: Path) -> None:
    """Refuse, before anything is sent, a --report-dir that is a file or cannot be made."""
    if folder.exists() and not folder.is_dir():
        raise JobError(f'The report folder "{folder}" is a file, not a folder.')
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JobError(f'The report folder "{folder}" cannot be made ({exc.strerror or exc}).') from None
    if not os.access(folder, os.W_OK):
        raise JobError(f'The report folder "{folder}" cannot be written to.')


def outcome_of(e: Entry) -> str:
    if e.state == State.IN_DOUBT or e.state == State.SENT:
        return Outcome.IN_DOUBT
    if e.state == State.PENDING:
        return Outcome.NOT_SENT
    return e.outcome or ("failed" if e.state == State.FAILED else "created")


def status_of(e: Entry, stopped: str | None) -> tuple[str, str | None]:
    """The report's Status and Message of an entry."""
    if e.state in (State.IN_DOUBT, State.SENT):
        return Outcome.IN_DOUBT.words, ("Zoho's answer was lost and the record could not be checked yet; "
                                        "run the same import again to settle it (it is looked up, not sent twice)")
    if e.state == State.PENDING:
        return Outcome.NOT_SENT.words, f"not sent: {stop_words(stopped)}; resume the job to send it"
    return Outcome(outcome_of(e)).words, e.message
