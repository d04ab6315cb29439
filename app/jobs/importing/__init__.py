"""Importing a spreadsheet into Zoho Books: decide per document, send once, reconcile lost answers."""

from app.jobs.importing.job import ImportJob, JobResult, JobSettings

__all__ = ["ImportJob", "JobResult", "JobSettings"]
