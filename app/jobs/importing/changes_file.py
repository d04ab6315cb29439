"""The change preview as a workbook, FILE.changes-JOB.xlsx: one row per changed field (sheet row, record, field,
old value, new value) and a Summary sheet with the counts and the calls the preview cost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.jobs.catalog import Catalog
from app.jobs.importing.changes import ChangePreview, RecordChange, wording
from app.jobs.importing.decide import Decider, Decision
from app.mapping import Mapping
from app.mapping.documents import Document
from app.sheets import SheetData, SheetError, Table, write_xlsx

HEADERS = ("Row", "Record", "Zoho ID", "Field", "Old value", "New value")
SHOWN = 10  # changes the command line prints under its summary; the file has them all


@dataclass(frozen=True)
class ChangesSummary:
    """What the preview found: the JSON summary's "changes" object and the file it wrote."""

    records: int  # records that change
    fields: int  # fields that change, over all records
    unchanged: int  # records the update finds already holding the sheet's values
    reads: int  # records read before their update (calls the update makes anyway)
    file: Path | None
    note: str = ""  # why the file could not be written
    first: tuple[str, ...] = ()  # the first SHOWN changes in words ("row 5 SO-1: Notes: old -> new")

    def line(self) -> str:
        """The summary's line: "changes: 3 records change (5 fields), 40 unchanged, 12 read ...: FILE"."""
        reads = (f", {self.reads} read before their update (calls the update makes anyway, no other)"
                 if self.reads else ", no call made for the preview")
        where = str(self.file) if self.file else f"the changes file could not be written ({self.note})"
        return (f"changes: {_plural(self.records, 'record')} change ({_plural(self.fields, 'field')}), "
                f"{self.unchanged} unchanged{reads}: {where}")

    def lines(self) -> list[str]:
        """The summary's line, then the first changes, then how many more the file holds."""
        more = self.fields - len(self.first)
        return [self.line(), *(f"  {change}" for change in self.first),
                *([f"  ... and {more:,} more in the changes file"] if more > 0 and self.first else [])]

    def as_json(self) -> dict[str, Any]:
        return {"records": self.records, "fields": self.fields, "unchanged": self.unchanged,
                "reads": self.reads, "file": str(self.file) if self.file else None}


def plan_preview(mapping: Mapping, catalog: Catalog, decider: Decider, decisions: dict[int, Decision],
                 table: Table | None, documents: dict[int, Document]) -> ChangePreview | None:
    """The preview of an update or upsert at plan time, from the list pages the plan read (no call)."""
    if mapping.operation not in ("update", "upsert") or table is None:
        return None
    words = wording(((f.field, f.columns, f.lookup.kind if f.lookup and f.lookup.by != "id" else None)
                     for f in mapping.fields),  # a column of IDs shows IDs, a column of names names
                    lambda entity: catalog.records(entity) if catalog.loaded(entity) else [])
    entity = decider.facts.name
    preview = ChangePreview(words, id_field=decider.facts.id_field)
    preview.listed(decisions, catalog.records(entity) if catalog.loaded(entity) else [],
                   decider.with_named_ids, lambda index: where(table, documents[index]))
    return preview


def where(table: Table, document: Document) -> tuple[tuple[int, ...], str, int]:
    """A document's sheet row numbers, its name (the document key) and the index of its first data row."""
    return (tuple(sorted(table.row_numbers[r] for r in document.row_indexes)), str(document.key or ""),
            min(document.row_indexes, default=-1))


def _plural(n: int, word: str) -> str:
    return f"1 {word}" if n == 1 else f"{n:,} {word}s"


def changes_stem(source: Path, job_id: str) -> str:
    return f"{source.stem}.changes-{job_id}"


def rows_text(rows: Sequence[int]) -> str:
    """The sheet rows of one record as the user reads them: 7, or 7-9."""
    if not rows:
        return ""
    first, last = min(rows), max(rows)
    return str(first) if first == last else f"{first}-{last}"


def change_rows(changes: Sequence[RecordChange]) -> list[list[object]]:
    """One row per changed field; a record whose only differences the list pages do not show gets one row
    saying which fields are sent unread."""
    out: list[list[object]] = []
    for change in changes:
        where = rows_text(change.rows)
        for f in change.fields:
            out.append([where, change.record, change.zoho_id, f.field, f.old, f.new])
        if change.unseen and not change.fields:
            out.append([where, change.record, change.zoho_id, ", ".join(change.unseen),
                        "(not shown by Zoho's list)", "sent as the sheet has it"])
    return out


def finish_preview(preview: ChangePreview | None, *, source: Path, job_id: str, folder: Path, unchanged: int,
                   summary: Sequence[tuple[str, object]]) -> ChangesSummary | None:
    """After a dry run of an update: write FILE.changes-JOB.xlsx in the report's folder and say what it holds
    (the file is None when it could not be written; the counts still go to the summary)."""
    if preview is None:
        return None
    path: Path | None = folder / f"{changes_stem(source, job_id)}.xlsx"
    counts: list[tuple[str, object]] = [
        *summary, ("Records that change", len(preview.records)), ("Fields that change", preview.fields()),
        ("Records unchanged", unchanged),
        ("Records read before their update (calls the update makes anyway)", preview.read),
        ("Calls made for the preview alone", 0)]
    note = ""
    try:
        assert path is not None
        write_changes(path, preview.changes(), counts)
    except (SheetError, OSError) as exc:
        path, note = None, str(exc) if isinstance(exc, SheetError) else (exc.strerror or str(exc))
    first = tuple(f"row {row} {record}: {name}: {old or '(empty)'} \u2192 {new or '(empty)'}"
                  for row, record, _id, name, old, new in change_rows(preview.changes()[:SHOWN])[:SHOWN])
    return ChangesSummary(len(preview.records), preview.fields(), unchanged, preview.read, path, note.rstrip("."),
                          first)


def write_changes(path: Path, changes: Sequence[RecordChange], summary: Sequence[tuple[str, object]]) -> Path:
    """Write the Changes and Summary sheets to `path` (atomically, as every report)."""
    unseen = sorted({name for c in changes for name in c.unseen})
    summary_rows: list[list[object]] = [[label, value] for label, value in summary]
    if unseen:
        summary_rows.append(["Sent without comparing (the list pages do not show them)", ", ".join(unseen)])
    return write_xlsx(path, [
        SheetData("Changes", list(HEADERS), change_rows(changes)),
        SheetData("Summary", ["Item", "Value"], summary_rows),
    ])


__all__ = ["HEADERS", "ChangesSummary", "change_rows", "changes_stem", "finish_preview", "plan_preview", "rows_text", "where",
           "write_changes"]
