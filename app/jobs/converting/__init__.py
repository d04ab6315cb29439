"""Converting Zoho CRM quotes and sales orders in bulk: the job kind the CLI and the GUI run."""

from app.jobs.converting.input_file import (
    CONVERT_TARGETS,
    SOURCES,
    ConvertRow,
    parse_targets,
    read_input,
)
from app.jobs.converting.job import (
    ConvertJob,
    ConvertPlan,
    ConvertResult,
    ConvertSettings,
    resume_settings,
)
from app.jobs.converting.reasons import REASONS, plain_reason

__all__ = [
    "CONVERT_TARGETS", "REASONS", "SOURCES", "ConvertJob", "ConvertPlan", "ConvertResult", "ConvertRow",
    "ConvertSettings", "parse_targets", "plain_reason", "read_input", "resume_settings",
]
