"""The engine: plan, resolve names once, throttled exactly-once upload, journal, report; used by the CLI and the GUI."""

from app.jobs.cleanup import CleanupJob, CleanupResult, CleanupSettings
from app.jobs.control import Cancelled, RunControl
from app.jobs.errors import JobError
from app.jobs.exporting.job import ExportJob
from app.jobs.exporting.settings import ExportError, ExportPlan, ExportResult, ExportSettings
from app.jobs.importing.job import ImportJob, JobResult, JobSettings
from app.jobs.journal import JobSummary, Journal, list_jobs
from app.jobs.plan import Plan
from app.jobs.progress import Progress, ProgressMeter, TextProgressBar
from app.jobs.report import RowResult, write_report
from app.jobs.resuming import resume
from app.jobs.target import (
    Target,
    TargetError,
    connection_target,
    embedded_sandbox,
    open_target,
    sandbox_target,
)
from app.private import data_dir

__all__ = [
    "Cancelled", "CleanupJob", "CleanupResult", "CleanupSettings", "ExportError", "ExportJob", "ExportPlan", "ExportResult", "ExportSettings",
    "ImportJob", "JobError", "JobResult", "JobSettings", "JobSummary", "Journal",
    "Plan", "Progress", "ProgressMeter", "RowResult", "RunControl", "Target", "TargetError",
    "TextProgressBar", "connection_target", "data_dir", "embedded_sandbox", "list_jobs",
    "open_target", "resume", "sandbox_target", "write_report",
]
