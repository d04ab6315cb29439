"""What a CRM conversion is asked to do (ConvertSettings), what it will cost (ConvertPlan) and how it ended (ConvertResult)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.jobs.converting.input_file import CONVERT_TARGETS
from app.jobs.converting.reasons import SINGULAR, target_words
from app.jobs.errors import JobError
from app.jobs.journal import Journal, journal_path
from app.jobs.result import RunResult
from app.jobs.target import Target

MASS_MAX_IDS = 50
MASS_MIN = 5  # below this a mass conversion (1 call + polls + pages) costs more than single converts


@dataclass
class ConvertSettings:
    """What the user chose: the source module, the targets, the rows (file or pasted list), the target org."""

    source: str
    targets: tuple[str, ...]
    file: Path | None = None
    text: str | None = None  # a pasted list instead of a file
    carry_over_tags: bool = False
    sheet: str | None = None
    column: str | None = None  # the column of record IDs or numbers (default: found by header or content)
    report_dir: Path | None = None
    target: Target | None = None
    job_id: str | None = None
    workers: int | None = None  # default: the organization's CRM concurrency (at most 10)
    mass_min: int = MASS_MIN
    poll_first_s: float = 0.5  # first wait before asking a mass conversion's status; doubles each time
    poll_max_s: float = 20.0
    poll_timeout_s: float = 1800.0

    def __post_init__(self) -> None:
        if self.file is not None:
            self.file = Path(self.file)
        if self.report_dir is not None:
            self.report_dir = Path(self.report_dir)
        self.targets = tuple(self.targets)
        if self.source not in CONVERT_TARGETS:
            raise JobError(f"{self.source} cannot be converted; choose Quotes or Sales_Orders.")
        if not self.targets:
            raise JobError("Choose what to convert to (Sales_Orders and/or Invoices).")
        wrong = [t for t in self.targets if t not in CONVERT_TARGETS[self.source]]
        if wrong:
            allowed = target_words(CONVERT_TARGETS[self.source]).replace(" and ", " or ")
            raise JobError(f"A {SINGULAR[self.source]} converts only to {allowed}, not to {target_words(wrong)}.")


def resume_settings(job_id: str, target: Target, **more: Any) -> ConvertSettings:
    """The settings of an earlier conversion job (its file or pasted list, source, targets), to run it again."""
    if not journal_path(job_id).exists():
        raise JobError(f"There is no job {job_id} to resume.")
    with Journal.open(job_id) as journal:
        stored = journal.values()
    if stored.get("kind") != "convert":
        raise JobError(f"Job {job_id} is not a CRM conversion.")
    return ConvertSettings(stored["source"], tuple(stored["targets"]),
                           file=Path(stored["file"]) if stored.get("file") else None, text=stored.get("text"),
                           carry_over_tags=bool(stored.get("carry_over_tags")), sheet=stored.get("sheet"),
                           column=stored.get("column"), target=target, job_id=job_id, **more)


@dataclass(frozen=True)
class ConvertPlan:
    """What a run will cost, shown before it starts."""

    job_id: str
    rows: int
    records: int  # rows that name a record to convert
    invalid: int
    already_done: int
    to_convert: int
    mass_calls: int
    single_calls: int
    lookup_calls: int  # already spent: module IDs, number pages
    resumed: bool = False
    chained: int = 0  # rows that need two conversions (quote to sales order, then that to an invoice)
    carry_over_tags: bool = False

    @property
    def convert_calls(self) -> int:
        return self.mass_calls + self.single_calls

    def lines(self) -> list[str]:
        # "settled" counts only what this job's earlier runs settled: whether Zoho converted a record
        # before (ID_ALREADY_CONVERTED) is known only once it is asked.
        earlier = f", {self.already_done} settled by an earlier run" if self.resumed else ""
        chain = (f"; {self.chained} of them need two conversions, one module per call: the sales order "
                 f"first, then the invoice from it" if self.chained else "")
        return [
            f"Job {self.job_id}{' (resumed)' if self.resumed else ''}: {self.rows} rows, {self.records} records "
            f"({self.invalid} invalid{earlier}, {self.to_convert} to convert{chain})",
            f"Calls: {self.mass_calls} mass conversions of up to {MASS_MAX_IDS}, {self.single_calls} single "
            f"conversions, plus status checks, list pages and a single conversion for each record a mass "
            f"conversion leaves{', and the second conversions' if self.chained else ''} "
            f"({self.lookup_calls} lookup calls so far)",
            *([] if self.carry_over_tags or not self.to_convert else [
                "Tags: not asked to carry them over (--carry-over-tags); a mass conversion leaves them behind, "
                "but Zoho carries them over on a single conversion whatever is asked (seed 000)"]),
        ]


@dataclass(kw_only=True)
class ConvertResult(RunResult):
    """How a run ended: counts per row status, calls, report paths and the CLI's exit code."""

    source: str
    targets: tuple[str, ...]

    def summary(self) -> dict[str, Any]:
        """The `--json` object of CLI.md for convert."""
        c = self.counts
        return {
            "job_id": self.job_id, "from": self.source, "to": list(self.targets), "rows": self.rows,
            **{k: c.get(k, 0) for k in ("converted", "failed", "invalid", "skipped", "in_doubt", "not_sent")},
            "calls": self.calls, "elapsed_s": round(self.elapsed_s, 1),
            "report": str(self.report) if self.report else None,
            "report_csv": str(self.report_csv) if self.report_csv else None,
            "exit_code": self.exit_code,
        }


