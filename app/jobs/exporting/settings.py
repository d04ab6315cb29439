"""What an export is: its settings, the list filters Zoho documents, its plan and its result."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import ZohoBulkError
from app.jobs.journal import stored_values
from app.jobs.progress import format_duration
from app.jobs.target import Target

PER_PAGE = 200
KEEP_EVERY_S = 5.0  # details read are committed to the journal at least this often (and every PER_PAGE)
FORMATS = (".xlsx", ".csv")
ID_FIELDS = {"contacts": "contact_id", "salesorders": "salesorder_id", "creditnotes": "creditnote_id",
             "items": "item_id"}
KEY_FIELDS = {"contacts": "contact_name", "salesorders": "salesorder_number",
              "creditnotes": "creditnote_number", "items": "name"}
LINES = {"contacts": "contact_persons", "salesorders": "line_items", "creditnotes": "line_items"}
# The records whose list Zoho filters by date and customer (date_start, date_end, customer_id, customer_name).
DATED = ("salesorders", "creditnotes")
# The statuses each list endpoint filters by (filter_by=Status.<Title>).
STATUSES: dict[str, tuple[str, ...]] = {
    "contacts": ("active", "inactive", "duplicate", "crm"),
    "salesorders": ("draft", "open", "void", "invoiced", "partially_invoiced", "overdue", "closed"),
    "creditnotes": ("draft", "open", "void", "closed"),
    "items": ("active", "inactive"),
}
# The exact filter_by value of each status (seed 003 List sales orders: "Status.All, Status.Open,
# Status.Draft, Status.OverDue, Status.PartiallyInvoiced, Status.Invoiced, Status.Void and
# Status.Closed"; seed 004 credit notes "Status.All, Status.Open, Status.Draft, Status.Closed,
# Status.Void", contacts "Status.All, Status.Active, Status.Inactive, Status.Duplicate, Status.Crm").
FILTER_BY: dict[str, dict[str, str]] = {
    "contacts": {"active": "Status.Active", "inactive": "Status.Inactive", "duplicate": "Status.Duplicate",
                 "crm": "Status.Crm"},
    "salesorders": {"draft": "Status.Draft", "open": "Status.Open", "void": "Status.Void",
                    "invoiced": "Status.Invoiced", "partially_invoiced": "Status.PartiallyInvoiced",
                    "overdue": "Status.OverDue", "closed": "Status.Closed"},
    "creditnotes": {"draft": "Status.Draft", "open": "Status.Open", "void": "Status.Void",
                    "closed": "Status.Closed"},
    "items": {"active": "Status.Active", "inactive": "Status.Inactive"},
}
SHEET_TITLES = {"contacts": "Contacts", "salesorders": "Sales Orders", "creditnotes": "Credit Notes",
                "items": "Items"}


class ExportError(ZohoBulkError):
    """The export cannot start (bad option, bad output path, no credentials): nothing was written."""


@dataclass
class ExportSettings:
    """What the user chose: the record type, the file, the filters and the columns."""

    entity: str
    out: Path
    date_from: dt.date | str | None = None
    date_to: dt.date | str | None = None
    status: str | None = None
    customer: str | None = None  # a customer's name, or its Zoho ID (digits)
    search: str | None = None
    line_items: bool = False  # one row per line item (contact person); every column
    columns: list[str] | None = None  # headers to export; None: the default set; ["all"]
    target: Target | None = None
    workers: int | None = None  # default: the organization's concurrency
    job_id: str | None = None  # resume this export: refused unless these settings make that job

    def __post_init__(self) -> None:
        self.out = Path(self.out)


@dataclass(frozen=True)
class ExportPlan:
    """What an export costs: list calls made, detail calls to come, and when it finishes."""

    job_id: str
    entity: str
    records: int
    columns: list[str]
    list_calls: int  # made already by plan()
    detail_calls: int  # one per record when a chosen column needs it
    quota_left: int | None
    rate_per_min: float
    eta_s: float
    finishes_on: dt.date | None
    reused: int = 0  # details kept by an earlier run of this export and unchanged since

    @property
    def calls(self) -> int:
        return self.list_calls + self.detail_calls

    def lines(self) -> list[str]:
        out = [
            f"Export {self.job_id}: {self.records} {self.entity}, {len(self.columns)} columns",
            f"Calls: {self.calls} ({self.list_calls} list {'page' if self.list_calls == 1 else 'pages'} "
            f"of {PER_PAGE}, done; {self.detail_calls} detail calls"
            f"{' for line items / persons / addresses' if self.detail_calls else ''})",
        ]
        if self.reused:
            out.append(f"Kept from an earlier run of this export: {self.reused} of {self.records} details, "
                       "unchanged since; they are not read again")
        if self.quota_left is not None:
            out.append(f"Quota left today: {self.quota_left}")
        out.append(f"Estimated time left: {format_duration(self.eta_s)} at {self.rate_per_min:g} calls/min")
        if self.finishes_on:
            out.append(f"More calls than today's quota: the export would finish on {self.finishes_on.isoformat()}")
        return out


@dataclass
class ExportResult:
    """How an export ended: records and rows written, calls, the file, the CLI's exit code."""

    job_id: str
    entity: str
    records: int
    rows: int
    columns: int
    calls: dict[str, int]
    elapsed_s: float
    out: Path | None  # None when nothing was written
    exit_code: int
    failed: int = 0
    stopped: str | None = None
    message: str = ""
    failures: list[str] = field(default_factory=list)
    reused: int = 0  # details kept by an earlier run of this export and not read again

    def summary(self) -> dict[str, Any]:
        """The `--json` object of CLI.md for export."""
        return {
            "job_id": self.job_id, "entity": self.entity, "records": self.records,
            "rows": self.rows, "columns": self.columns, "failed": self.failed,
            "calls": self.calls, "elapsed_s": round(self.elapsed_s, 2),
            "out": str(self.out) if self.out else None, "stopped": self.stopped, "reused": self.reused,
            "message": self.message or None,
        }


def list_filters(settings: ExportSettings) -> dict[str, Any]:
    """The list endpoint's query parameters for the user's filters; ExportError when one does not apply."""
    entity = settings.entity
    filters: dict[str, Any] = {}
    dated = entity in DATED
    for name, value, param in (("--from", settings.date_from, "date_start"),
                               ("--to", settings.date_to, "date_end")):
        if value in (None, ""):
            continue
        if not dated:
            raise ExportError(f"{entity} cannot be filtered by date ({name}); "
                              "only sales orders and credit notes can")
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise ExportError(f"{name} must be a date like 2026-01-31, not {value!r}") from None
        filters[param] = day.isoformat()
    if "date_start" in filters and "date_end" in filters and filters["date_start"] > filters["date_end"]:
        raise ExportError("--from is after --to: no record can match")
    if settings.status:
        status = settings.status.strip().casefold().replace(" ", "_")
        allowed = STATUSES[entity]
        if status == "all":
            pass
        elif status not in allowed:
            raise ExportError(f"{entity} have no status {settings.status!r}; choose one of {', '.join(allowed)}")
        else:
            filters["filter_by"] = FILTER_BY[entity][status]
    if settings.customer:
        if entity not in DATED:
            raise ExportError(f"{entity} cannot be filtered by customer; sales orders and credit notes can")
        customer = settings.customer.strip()
        filters["customer_id" if customer.isdigit() else "customer_name"] = customer
    if settings.search:
        text = settings.search.strip()
        if len(text) > 100:
            raise ExportError("the search text is longer than Zoho's 100 characters")
        filters["search_text"] = text
    return filters


def check_out(path: Path) -> None:
    """Refuse an output file the export could not write, before any call is made."""
    if path.suffix.lower() not in FORMATS:
        raise ExportError(f'The output file "{path}" must end in .xlsx or .csv')
    parent = path.resolve().parent
    if not parent.is_dir():
        raise ExportError(f'The folder "{parent}" of the output file does not exist')
    if path.exists() and path.is_dir():
        raise ExportError(f'"{path}" is a folder, not a file')


def stored_settings(settings: ExportSettings) -> dict[str, Any]:
    """The settings that define an export, as its journal keeps them for `--resume`."""
    s = settings
    return {"entity": s.entity, "out": str(s.out.resolve()),
            "date_from": None if s.date_from in (None, "") else str(s.date_from),
            "date_to": None if s.date_to in (None, "") else str(s.date_to),
            "status": s.status, "customer": s.customer, "search": s.search,
            "line_items": s.line_items, "columns": s.columns}


def resume_settings(job_id: str, target: Target | None) -> ExportSettings:
    """The settings of export `job_id` from its journal, to run it again on `target`; ExportError if none."""
    values = stored_values(job_id, ExportError)
    kind = values.get("kind") or "import"
    if kind != "export":
        what = {"import": "an import", "convert": "a CRM conversion"}.get(kind, f'a "{kind}" job')
        raise ExportError(f"Job {job_id} is {what}, not an export; it cannot be resumed here.")
    stored = values.get("settings")
    if not isinstance(stored, dict):
        raise ExportError(f"Job {job_id} does not say how it was run; run the export again with its options.")
    return ExportSettings(**stored, target=target, job_id=job_id)
