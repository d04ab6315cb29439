"""Exporting Zoho Books records to a spreadsheet: the job kind the CLI and the GUI run."""

from app.jobs.exporting.job import ExportJob
from app.jobs.exporting.settings import ExportError, ExportPlan, ExportResult, ExportSettings

__all__ = ["ExportError", "ExportJob", "ExportPlan", "ExportResult", "ExportSettings"]
