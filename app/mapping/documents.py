"""What mapping produces: documents with payloads, the lookups they still need, and problems pinned to cells."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(slots=True)
class Problem:
    """One thing wrong with the input, pinned to a cell where there is one; `message` is a full sentence."""

    severity: Severity
    message: str
    row: int | None = None  # spreadsheet row number as the user sees it
    row_index: int | None = None  # index into table.rows
    column: str | None = None  # header
    column_letter: str | None = None
    field: str | None = None  # API path
    document: int | None = None  # index of the document it belongs to

    def __str__(self) -> str:
        return self.message


@dataclass(slots=True)
class Lookup:
    """A name (or email, SKU, rate, code) the importer must turn into an ID, and where the ID goes."""

    kind: str  # customer, item, tax, currency, account, salesperson
    by: str  # name, email, sku, rate, code
    value: str
    target: tuple[str | int, ...]  # ("customer_id",) or ("line_items", 2, "item_id")
    row_index: int
    column: str
    field: str = ""


@dataclass(slots=True)
class Document:
    """One record to send: its payload (lookup targets still hold the looked-up value) and its rows."""

    index: int
    key: str | None
    row_indexes: list[int]
    payload: dict[str, Any]
    lookups: list[Lookup] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    zoho_id: str | None = None
    line_rows: list[int] = field(default_factory=list)  # row index that fed each line item / contact person

    @property
    def valid(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def fill(self, lookup: Lookup, zoho_id: str) -> None:
        """Put the ID the importer found for `lookup` where the looked-up value stood."""
        holder: Any = self.payload
        for step in lookup.target[:-1]:
            holder = holder[step]
        holder[lookup.target[-1]] = zoho_id

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass(slots=True)
class Prepared:
    """All documents of a sheet plus the problems that belong to no single document."""

    documents: list[Document]
    problems: list[Problem]
    rows: int

    @property
    def valid(self) -> list[Document]:
        return [d for d in self.documents if d.valid]

    @property
    def invalid(self) -> list[Document]:
        return [d for d in self.documents if not d.valid]

    def all_problems(self) -> list[Problem]:
        found = list(self.problems)
        for d in self.documents:
            found.extend(d.problems)
        return found
