"""Converting Zoho CRM quotes and sales orders in bulk: the job kind the CLI and the GUI run."""

from app.jobs.converting.input_file import CONVERT_TARGETS
from app.jobs.converting.job import ConvertJob
from app.jobs.converting.settings import (
    ConvertPlan,
    ConvertResult,
    ConvertSettings,
    resume_settings,
)

__all__ = ["CONVERT_TARGETS", "ConvertJob", "ConvertPlan", "ConvertResult", "ConvertSettings", "resume_settings"]
