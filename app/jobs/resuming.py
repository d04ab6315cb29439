"""Resuming a stopped job by the kind its journal names: the right job object, set to go on where it stopped."""

from __future__ import annotations

from pathlib import Path

from app.jobs.converting import ConvertJob
from app.jobs.converting import resume_settings as convert_settings
from app.jobs.errors import JobError
from app.jobs.exporting.job import ExportJob
from app.jobs.exporting.settings import resume_settings as export_settings
from app.jobs.importing.job import ImportJob, JobSettings
from app.jobs.journal import stored_values
from app.jobs.target import Target

KINDS = {"import": "an import", "export": "an export", "convert": "a CRM conversion", "cleanup": "a cleanup"}


def resume(job_id: str, target: Target, *, report_dir: Path | None = None) -> ImportJob | ExportJob | ConvertJob:
    """The job `job_id` as its journal left it, to plan and run again on `target`: an import goes on with its
    file, record type and operation, an export with its stored settings (the details read before are kept), a
    conversion with its list; JobError when there is no such job or it is of a kind resumed elsewhere.

    `report_dir` is where an import or a conversion writes its report (None: beside the file, as a run does).
    """
    values = stored_values(job_id, JobError)
    kind = values.get("kind") or "import"
    if kind == "convert":
        return ConvertJob(convert_settings(job_id, target, report_dir=report_dir))
    if kind == "export":
        return ExportJob(export_settings(job_id, target))
    if kind == "import":
        return ImportJob(JobSettings(Path(values.get("file") or ""), values.get("entity") or "",
                                     operation=values.get("operation") or "create", target=target,
                                     job_id=job_id, report_dir=report_dir))
    what = KINDS.get(kind, f'a "{kind}" job')
    raise JobError(f"Job {job_id} is {what}; resume it with the command that started it.")
