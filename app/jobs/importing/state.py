"""What an import job knows while it runs (its settings, journal, decisions, counters), shared by its steps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.jobs.catalog import Catalog
from app.jobs.control import ControlledJob
from app.jobs.errors import JobError
from app.jobs.importing.changes import ChangePreview
from app.jobs.importing.decide import Decision, EntityFacts
from app.jobs.importing.refused_fields import RefusedFields
from app.jobs.importing.storm import SAME_ERROR_LIMIT, StormWatch
from app.jobs.plan import Plan
from app.jobs.sending import Sender
from app.jobs.target import Target
from app.mapping import Mapping
from app.mapping.documents import Document, Prepared
from app.sheets import Table
from app.zoho import BooksClient


@dataclass
class JobSettings:
    """What the user chose: the file, the record type and operation, the mapping, the target."""

    file: Path
    entity: str
    operation: str = "create"
    mapping: Path | Mapping | None = None  # None: auto-map
    sheet: str | None = None
    dry_run: bool = False
    report_dir: Path | None = None
    target: Target | None = None
    job_id: str | None = None  # resume this job
    wait_for_quota: bool = False  # when the daily quota runs out: wait for the reset and go on
    unique_field: str | None = None  # --upsert-key: a custom field marked unique in Zoho (else the mapping's)
    replace_lines: bool = False  # --replace-lines: an update deletes the lines its sheet leaves out
    workers: int | None = None  # default: the organization's concurrency
    same_error_limit: int = SAME_ERROR_LIMIT  # identical refusals in a row that pause the run; 0: never
    date_order: str | None = None  # --date-order: for date columns whose values and mapping leave it open
    decimal: str | None = None  # --decimal: for number columns whose values and mapping leave it open
    encoding: str | None = None  # --encoding: a text file's encoding when detection is unsure
    # The user's file when `file` is a copy of it with fixes made in the app: the job is that file's job (its
    # id, report and name in the Jobs page); each run takes the copy's documents, settled ones staying settled.
    source: Path | None = None
    # The cells of `file` as the app holds them, when it has just written `file` from them (its corrected copy):
    # the job takes them instead of reading the file again (a parse that holds the GIL, stalling the window).
    table: Table | None = None

    def __post_init__(self) -> None:
        self.file = Path(self.file)
        if self.source is not None:
            self.source = Path(self.source)
        if isinstance(self.mapping, str):
            self.mapping = Path(self.mapping)
        if self.report_dir is not None:
            self.report_dir = Path(self.report_dir)


class ImportState(ControlledJob[BooksClient]):
    """The state every step of `ImportJob` (loading, deciding, writing, reconciling) reads and keeps."""

    def __init__(self, settings: JobSettings, *, client: BooksClient | None = None) -> None:
        super().__init__(client)
        self.settings = settings
        self.table: Table | None = None
        self.mapping: Mapping | None = None
        self.prepared: Prepared | None = None
        self.job_id: str = settings.job_id or ""
        self.facts: EntityFacts | None = None
        self.catalog: Catalog | None = None
        self._decisions: dict[int, Decision] = {}
        self._documents: dict[int, Document] = {}
        self._plan: Plan | None = None
        self._lookup_calls = 0
        self._write_calls = 0
        self._resumed = False
        self._storms = StormWatch(settings.same_error_limit)
        self._refused_fields = RefusedFields()  # custom fields Zoho refused: not sent again this run
        self._sender = Sender(self, on_call=self._count_call, wait_for_quota=settings.wait_for_quota)
        self.preview: ChangePreview | None = None  # an update's changes, field by field
        self._input_pending: Path | None = None  # the kept input still to write from `settings.table`
        self._held: dict[int, dict[str, Any]] = {}  # records read before their update: what undo restores
        self._listed: dict[str, dict[str, Any]] | None = None  # the list rows by Zoho ID (built when first needed)

    # --- step 2: connect, list reference data once, decide every document ---

    def _new_client(self) -> BooksClient:
        if self.settings.target is None:
            raise JobError("No target: choose a connection or the sandbox.")
        return self.settings.target.books()

    def _count_lookup(self) -> None:
        self._count_call("read", 1)

    def _count_call(self, kind: str, n: int) -> None:
        """Count `n` calls of `kind` ("read" or "write"; -1 takes back a write refused at the door)."""
        if kind == "write":
            self._write_calls += n
        else:
            self._lookup_calls += n
        if self._meter:
            self._meter.calls = self._lookup_calls + self._write_calls
