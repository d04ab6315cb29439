"""Errors of the mapping room: a mapping that cannot be used, with a plain sentence saying why."""

from __future__ import annotations

from app.errors import ZohoBulkError


class MappingError(ZohoBulkError):
    """The mapping file is unreadable or cannot be applied to this sheet (str(e) is a plain sentence)."""


class MappingRefused(MappingError):
    """A required field is unmapped or a mapped column is missing: nothing can be imported."""


class CellError(ZohoBulkError, ValueError):
    """A cell that cannot become the field's value; str(e) says why in the user's words."""
