"""Why a job cannot start: the one error every job kind raises before anything is sent."""

from __future__ import annotations

from app.errors import ZohoBulkError


class JobError(ZohoBulkError):
    """The job cannot start (unreadable file, refused mapping, no credentials, unknown job): nothing was sent."""
