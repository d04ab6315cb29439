"""The mappings and header names a user confirmed in imports that ran, kept to offer for the next sheet like it.

A mapping is kept under its sheet's header signature: the record type and the headers, their case, spacing
and order aside (a mapping names columns, so their order never changes what it does). With it go the
answers it holds (date order, decimal mark, value maps). A header the user mapped by hand is also learned
on its own (normal(header) -> field path) and proposed by auto-mapping for any later sheet of the record
type. Everything lives in one JSON file in the app's private data folder, readable by the user alone.
The command line keeps nothing here: only the desktop app reads and writes it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.mapping.automap import LEARNED, automap, normal
from app.mapping.dates import MONTHS
from app.mapping.prepare import TableLike
from app.mapping.schema import FieldMapping, Mapping
from app.private import private_file, private_folder

log = logging.getLogger(__name__)

FILE_NAME = "remembered-mappings.json"
VERSION = 1
KEEP = 200
"""Remembered mappings kept, the most recently used first: an older one is let go."""


def header_key(header: str) -> str:
    """A header as a signature compares it: case and runs of spaces do not count ("Ship  By " is "ship by")."""
    return " ".join(str(header).split()).casefold()


def signature(entity: str, headers: Sequence[str]) -> str:
    """The record type and the sheet's headers, each by header_key, in sorted order: one line of text."""
    return "\n".join([entity, *sorted(header_key(h) for h in headers)])


@dataclass(frozen=True, slots=True)
class Remembered:
    """A mapping kept from an import that ran: its sheet's file name and the day of the run."""

    mapping: Mapping
    file_name: str
    used: date

    @property
    def note(self) -> str:
        """What the mapping step says of it: "from your last import of orders.xlsx on 4 December 2026"."""
        return f"from your last import of {self.file_name} on {self.used.day} {MONTHS[self.used.month - 1]} " \
               f"{self.used.year}"


def _renamed(mapping: Mapping, headers: Sequence[str]) -> Mapping | None:
    """The mapping with its column names spelt as this sheet spells them (None: two headers read alike)."""
    spelt = {header_key(h): h for h in headers}
    if len(spelt) != len(headers):
        return None

    def name(column: str) -> str:
        return spelt.get(header_key(column), column)

    fields = [fm.model_copy(update={"columns": [name(c) for c in fm.columns]}) for fm in mapping.fields]
    return mapping.model_copy(update={
        "fields": fields,
        "ignored": {name(c): why for c, why in mapping.ignored.items()},
        "unmapped": [name(c) for c in mapping.unmapped],
        "document_key": name(mapping.document_key) if mapping.document_key else None,
    })


def chosen_by_hand(fm: FieldMapping) -> bool:
    """A field fed by one column that the user picked (auto-mapping gives every proposal a confidence)."""
    return len(fm.columns) == 1 and fm.confidence is None and not (fm.note or "").startswith(LEARNED)


class MappingMemory:
    """The remembered mappings and learned header names in `folder` (created private when first written)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / FILE_NAME

    # --- reading ---

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = None
        except (OSError, ValueError) as error:  # a damaged file: start afresh, it is rewritten on the next run
            log.warning("The remembered mappings in %s cannot be read (%s); starting afresh.", self.path, error)
            data = None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            data = {}
        mappings, learned = data.get("mappings"), data.get("learned")
        return {"version": VERSION, "mappings": mappings if isinstance(mappings, dict) else {},
                "learned": learned if isinstance(learned, dict) else {}}

    def recall(self, entity: str, headers: Sequence[str]) -> Remembered | None:
        """The mapping last used for a sheet of `entity` with these headers, spelt as this sheet spells them."""
        kept = self._read()["mappings"].get(signature(entity, headers))
        if not isinstance(kept, dict):
            return None
        try:
            mapping = Mapping.model_validate(kept.get("mapping"))
            used = date.fromisoformat(str(kept.get("used")))
        except (ValidationError, ValueError):
            return None
        renamed = _renamed(mapping, headers) if mapping.entity == entity else None
        return None if renamed is None else Remembered(renamed, str(kept.get("file") or "a file"), used)

    def learned(self, entity: str) -> dict[str, str]:
        """normal(header) -> field path for the headers the user mapped by hand in imports of `entity`."""
        pairs = self._read()["learned"].get(entity)
        return {str(k): str(v) for k, v in pairs.items()} if isinstance(pairs, dict) else {}

    # --- writing ---

    def remember(self, mapping: Mapping, headers: Sequence[str], file_name: str, used: date) -> None:
        """Keep `mapping` (used in an import that ran) for the next sheet with these headers, and learn the
        headers mapped by hand in it (a learned header the user set to "not imported" is forgotten)."""
        data = self._read()
        key = signature(mapping.entity, headers)
        kept = {k: v for k, v in data["mappings"].items() if k != key}
        data["mappings"] = {key: {"file": file_name, "used": used.isoformat(), "headers": list(headers),
                                  "mapping": mapping.model_dump(mode="json", exclude_none=True)},
                            **dict(list(kept.items())[:KEEP - 1])}
        pairs = dict(data["learned"].get(mapping.entity) or {})
        for header in mapping.unmapped:
            pairs.pop(normal(header), None)
        for fm in mapping.fields:
            if chosen_by_hand(fm) and normal(fm.columns[0]):
                pairs[normal(fm.columns[0])] = fm.field
        data["learned"][mapping.entity] = pairs
        self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        private_folder(self.folder)
        partial = private_file(self.folder / f"{FILE_NAME}.partial")
        partial.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(partial, self.path)  # the whole file or the old one, never half of it


def proposal(memory: MappingMemory, table: TableLike, entity: str, operation: str) -> tuple[Mapping, Remembered | None]:
    """The mapping to offer for `table`: the one remembered for its headers, else auto-mapping with the
    headers learned (worker thread: it reads a file and the sheet's values)."""
    kept = memory.recall(entity, table.headers)
    if kept is not None:
        mapping = kept.mapping.model_copy(update={"operation": operation, "sheet": getattr(table, "sheet", None),
                                                  "header_row": getattr(table, "header_row", None)})
        return mapping, Remembered(mapping, kept.file_name, kept.used)
    return automap(table, entity, operation, memory.learned(entity)), None
