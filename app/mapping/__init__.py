"""From a table of cells to valid Zoho payloads: mapping files, transforms, auto-mapping, grouping, validation."""

from __future__ import annotations

from app.mapping.automap import automap
from app.mapping.documents import Document, Lookup, Prepared, Problem
from app.mapping.errors import MappingError, MappingRefused
from app.mapping.prepare import prepare, refusals
from app.mapping.schema import FieldMapping, LookupRule, Mapping, load_mapping, save_mapping

__all__ = [
    "Document", "FieldMapping", "Lookup", "LookupRule", "Mapping", "MappingError", "MappingRefused",
    "Prepared", "Problem", "automap", "load_mapping", "prepare", "refusals", "save_mapping",
]
