"""A stand-in for app.sheets.Table built straight from lists, and mappings written as (field, column) pairs,
for tests of the mapping room."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.mapping import FieldMapping, Mapping
from app.sheets.table import column_letter


@dataclass
class FakeTable:
    headers: list[str]
    rows: list[list[Any]]
    sheet: str = "Sheet1"
    header_row: int = 1
    source: Path = Path("test.xlsx")
    letters: list[str] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    sheets: list[str] = field(default_factory=lambda: ["Sheet1"])

    def __post_init__(self) -> None:
        self.letters = self.letters or [column_letter(i) for i in range(len(self.headers))]
        self.row_numbers = self.row_numbers or [self.header_row + 1 + i for i in range(len(self.rows))]


def table(headers: list[str], *rows: list[Any]) -> FakeTable:
    return FakeTable(list(headers), [list(r) for r in rows])


def mapped(entity: str, key: str | None, *fields: tuple[str, str] | FieldMapping, **settings: Any) -> Mapping:
    """A mapping of `entity` keyed on column `key`; each (field, column) pair maps one column to one field."""
    return Mapping(entity=entity, document_key=key, **settings, fields=[
        f if isinstance(f, FieldMapping) else FieldMapping(field=f[0], columns=[f[1]]) for f in fields])
