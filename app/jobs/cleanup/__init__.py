"""The cleanup job kind: delete, void, open, draft, activate and deactivate records picked by a sheet or a filter."""

from app.jobs.cleanup.job import CleanupJob, CleanupSettings
from app.jobs.cleanup.operations import OPERATIONS, Operation, operation_for
from app.jobs.cleanup.outcome import CleanupResult

__all__ = ["OPERATIONS", "CleanupJob", "CleanupResult", "CleanupSettings", "Operation", "operation_for"]
