"""What one pass through the import wizard has chosen and found so far, shared by its steps."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import sys
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, Signal

from app.gui.import_wizard.review_model import Validation
from app.jobs import ImportJob, JobResult, Plan, data_dir
from app.jobs.journal import State
from app.jobs.report import report_folder
from app.mapping import Mapping
from app.sheets import Table
from app.zoho.tls import tls_context

log = logging.getLogger("app.gui")
T = TypeVar("T")
GENTLE_SWITCH_S = 0.0005


class Context(Protocol):
    """What the wizard uses of app.gui.context.AppContext."""

    preferences: Any
    target_changed: Any
    jobs_changed: Any

    def current_connection_name(self) -> str: ...
    def target(self) -> Any: ...
    def show_error(self, title: str, message: str, details: str | None = None) -> Any: ...
    def open_path(self, path: Path) -> bool: ...
    def run_in_background(self, fn: Any, *args: Any) -> Any: ...


@dataclass
class Session:
    """The file, sheet, record type and operation; the table read, its mapping, validation, job and result."""

    file: Path | None = None
    sheet: str | None = None
    encoding: str | None = None  # a text file's encoding as the user picked it (detection was unsure)
    entity: str = "contacts"
    operation: str = "create"
    table: Table | None = None
    mapping: Mapping | None = None
    keep_mapping: Mapping | None = None  # a loaded mapping or the one of a "fix failed rows" round
    validation: Validation | None = None
    edited: bool = False  # the user changed cells: the run reads a corrected copy
    job: ImportJob | None = None
    plan: Plan | None = None
    result: JobResult | None = None
    run_file: Path | None = None
    sent: tuple[Path, str] | None = None  # (file, job) of the last run in this window that sent documents
    notes: list[str] = field(default_factory=list)

    def report_dir(self) -> Path | None:
        """Where the engine puts the user's file's report, also when fixes are sent from a corrected copy."""
        return None if self.file is None else report_folder(self.file)


def what_resuming_sends(job: ImportJob, plan: Plan) -> tuple[str, str]:
    """The question asked before an import is resumed, and its details: the user's file, the rows left
    and where they go."""
    left = job.journal.entries(State.PENDING, State.SENT, State.IN_DOUBT) if job.journal is not None else []
    rows = sum(len(e.rows) for e in left)
    file = Path(job.settings.source or job.settings.file).name
    target = job.settings.target.name if job.settings.target is not None else "no target"
    return (f"Resume the import of {file}?",
            f"{rows:,} {'row' if rows == 1 else 'rows'} left ({plan.to_send:,} "
            f"{'document' if plan.to_send == 1 else 'documents'} to send) go to {target}. "
            "What was sent before is not sent again.")


class _Gentle:
    """Process-wide state of gentle(): how many run at once, and what to restore when the last ends."""

    lock = threading.Lock()
    running = 0
    interval = 0.005
    collecting = True


def gentle(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) on a worker thread without freezing the GUI thread that waits for the GIL.

    A full cycle collection walks every object while holding the GIL (a third of a second on a
    100,000-row table), so the collector is held off and what fn built is frozen afterwards (the
    cells hold no reference cycles; frozen objects are still freed when the table goes). And the
    GIL is handed over every half millisecond instead of every 5 ms while fn runs, since each of
    the GUI thread's many short entries into Python waits for one hand-over.
    """
    with _Gentle.lock:
        if _Gentle.running == 0:
            _Gentle.interval, _Gentle.collecting = sys.getswitchinterval(), gc.isenabled()
            gc.disable()
            sys.setswitchinterval(GENTLE_SWITCH_S)
        _Gentle.running += 1
    try:
        return fn(*args)
    finally:
        with _Gentle.lock:
            _Gentle.running -= 1
            if _Gentle.running == 0:
                sys.setswitchinterval(_Gentle.interval)
                gc.freeze()
                if _Gentle.collecting:
                    gc.enable()


HTTP_BACKEND = ("anyio._core._synchronization", "anyio._backends._asyncio")


def import_http_backend() -> None:
    """Import (on a worker thread) what httpx loads at the process's first request: anyio's asyncio
    backend, whose module code otherwise runs on the GUI thread when the plan lists names (25 ms
    alone, 45 ms while the worker holds the GIL). Loaded once per process; a later anyio that names
    its modules otherwise only loses this head start."""
    for name in HTTP_BACKEND:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    tls_context()  # the CA bundle, loaded here rather than by the job's first client


def corrections_dir() -> Path:
    folder = data_dir() / "corrected"
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def corrected_copy_path(table: Table) -> Path:
    """The name of the table with the user's fixes, in the app's data folder: the job writes its own copy under
    that name as its run starts (ImportJob.keep_input_table), from the cells it is given."""
    return corrections_dir() / f"{table.source.stem}.corrected.xlsx"


class Tasks(QObject):
    """Coroutines the wizard started on the Qt loop (qasync); failures end as a plain dialog, never a traceback."""

    finished = Signal()

    def __init__(self, context: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._running: set[asyncio.Future[Any]] = set()

    def start(self, coro: Coroutine[Any, Any, Any], title: str) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._running.add(task)
        task.add_done_callback(lambda t: self._done(t, title))
        return task

    def _done(self, task: asyncio.Future[Any], title: str) -> None:
        self._running.discard(task)
        if not task.cancelled():
            error = task.exception()
            if error is not None:
                from app.gui.errors import plain_message

                log.error("%s", title, exc_info=(type(error), error, error.__traceback__))
                self._context.show_error(title, plain_message(error))
        self.finished.emit()

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def cancel_all(self) -> None:
        for task in list(self._running):
            with contextlib.suppress(Exception):
                task.cancel()
