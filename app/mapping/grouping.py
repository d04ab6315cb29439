"""Groups a sheet's rows into documents: rows sharing a key, continuation rows, rows of their own, totals rows.

A row whose key cell is empty continues the document above only when it looks like a continuation: each of
its document-level cells is empty or equal to the document's (for contacts: empty, since a contact's
continuation row is another contact person). Any other row with an empty key is a document of its own,
reported as having no key, and the document above keeps only its own rows. A row that only sums others
(only output columns such as Total or SubTotal filled, or a "Total" label beside numbers) is skipped and
reported, never imported. A formula without a value never makes a row look like a continuation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.mapping.transforms import is_empty, shown, to_text
from app.sheets import ExcelError

# Columns other systems fill with computed sums (compared without case, spaces or punctuation). Only
# columns that feed no field count: a mapped column is the user's input.
OUTPUT_HEADERS = frozenset({
    "total", "totals", "subtotal", "grandtotal", "itemtotal", "linetotal", "totalamount", "amount",
    "balance", "balancedue", "openbalance", "outstandingbalance", "taxamount", "itemtaxamount", "taxtotal",
    "vatamount", "discountamount", "entitydiscountamount", "netamount", "grossamount", "sum", "totalwithtax",
    "outstandingreceivableamount", "unusedcreditsreceivableamount",
})
_TOTAL_LABEL = re.compile(r"^\s*(grand\s+|sub\s*-?\s*)?totals?\s*(amount)?\s*:?\s*$", re.IGNORECASE)
_TOTAL_FOR = re.compile(r"^\s*(sub\s*-?\s*)?total\s+(for|of)\s+\S", re.IGNORECASE)
_TOTAL_OF = re.compile(r"^\s*(?:sub\s*-?\s*)?total\s*:?\s+(.+?)\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*[-+(]?\s*\D{0,3}?\s*\d[\d.,' \u00a0]*\s*\D{0,3}\s*\)?\s*$")


def _normal(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", header.casefold())


@dataclass(slots=True)
class DocumentColumn:
    """A document-level field's converted cells, as grouping compares them."""

    columns: list[int]
    values: list[Any]
    errors: dict[int, str]


@dataclass(slots=True)
class Orphan:
    """Why a row with an empty key is a document of its own."""

    above: str | None = None  # key of the document above (None: no document above)
    above_row: int | None = None  # row index of that document's first row
    column: int | None = None  # the first cell that keeps it from continuing the document above
    value: str = ""  # that cell as the user sees it
    theirs: str | None = None  # the document's value of the same field (None: the document has none)
    formula: bool = False  # the cell is a formula without a value


@dataclass(slots=True)
class TotalsRow:
    """A row that sums other rows: skipped."""

    row_index: int
    column: int  # the label's column, or the first output column filled
    label: str  # the "Total" label; "" when only output columns are filled
    filled: list[int]  # the columns filled


@dataclass(slots=True)
class Groups:
    documents: list[tuple[str | None, list[int]]] = field(default_factory=list)
    scattered: set[str] = field(default_factory=set)  # keys whose rows are not together
    orphans: dict[int, Orphan] = field(default_factory=dict)  # first row index of a document -> why alone
    totals: list[TotalsRow] = field(default_factory=list)


def _blank(value: Any) -> bool:
    return value.__class__ is not ExcelError and is_empty(value)


_LABEL_STARTS = ("total", "sub", "grand")


def _may_be_label(text: str) -> bool:
    """A cheap first test of a "Total" label: it starts with total, sub(total) or grand (total)."""
    return text[:12].lstrip().casefold().startswith(_LABEL_STARTS)


def _number_like(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and value.__class__ is not ExcelError and bool(_NUMBER.match(value))


class _Grouper:
    def __init__(self, headers: Sequence[str], key_column: int | None, fields: list[DocumentColumn],
                 used: set[int], strict: bool) -> None:
        self.key_column = key_column
        self.fields = fields
        self.strict = strict
        self.output = {ci for ci, h in enumerate(headers) if ci not in used and _normal(str(h)) in OUTPUT_HEADERS}
        self.groups = Groups()
        self.by_key: dict[str, list[int]] = {}
        self.current: list[int] | None = None
        self.current_key: str | None = None
        # The current document's value of each field, worked out only when a row without a key needs it.
        self.known: tuple[int, list[Any]] | None = None  # (rows it was worked out from, values)

    def key_of(self, row: Sequence[Any]) -> str | ExcelError:
        raw = row[self.key_column] if self.key_column is not None else None
        if raw.__class__ is ExcelError:
            return raw
        if raw.__class__ is str:
            return raw.strip()
        return "" if raw is None else to_text(raw)

    def set_aside(self, i: int, row: Sequence[Any]) -> bool:
        """True for a blank row or a totals row (noted), which belong to no document."""
        if all(_blank(v) for v in row):
            return True
        found = self.totals(i, row)
        if found is not None:
            self.groups.totals.append(found)
        return found is not None

    def totals(self, i: int, row: Sequence[Any]) -> TotalsRow | None:
        filled = [ci for ci, v in enumerate(row) if not _blank(v)]
        if not filled:
            return None
        if all(ci in self.output for ci in filled):
            return TotalsRow(i, filled[0], "", filled)
        for ci in filled:
            v = row[ci]
            if not isinstance(v, str) or v.__class__ is ExcelError or not _may_be_label(v) or not self._is_label(v):
                continue
            if all(cj == ci or cj in self.output or _number_like(row[cj]) for cj in filled):
                return TotalsRow(i, ci, v.strip(), filled)
        return None

    def _is_label(self, text: str) -> bool:
        if _TOTAL_LABEL.match(text) or _TOTAL_FOR.match(text):
            return True
        named = _TOTAL_OF.match(text)  # QuickBooks: "Total Acme Ltd" under Acme Ltd's rows
        return bool(named and self.current_key and named.group(1).casefold() == self.current_key.casefold())

    def start(self, key: str | None, i: int) -> None:
        self.current = [i]
        self.current_key = key
        self.known = None
        self.groups.documents.append((key, self.current))

    def values(self) -> list[Any]:
        """The current document's value of each field (its first row holding one), or None."""
        rows = self.current
        assert rows is not None
        if self.known is None or self.known[0] != len(rows):
            found = []
            for f in self.fields:
                vs = f.values
                found.append(next((vs[r] for r in rows if vs[r] is not None), None))
            self.known = (len(rows), found)
        return self.known[1]

    def why_not_continued(self, i: int, row: Sequence[Any]) -> Orphan | None:
        """None when row i continues the current document, else why it does not."""
        assert self.current is not None
        above = Orphan(self.current_key, self.current[0])
        for ci, v in enumerate(row):
            if v.__class__ is ExcelError and ci not in self.output:
                above.column, above.value, above.formula = ci, str(v), True
                return above
        values = self.values()
        for j, f in enumerate(self.fields):
            ci = f.columns[0]
            v = f.values[i]
            if i in f.errors:
                above.column, above.value = ci, shown(row[ci])
                return above
            if v is None:
                continue
            theirs = values[j]
            if self.strict or theirs is None or theirs != v:
                above.column, above.value = ci, shown(row[ci])
                above.theirs = None if theirs is None else shown(theirs)
                return above
        return None

    def add(self, i: int, row: Sequence[Any]) -> None:
        key = self.key_of(row) if self.key_column is not None else ""
        # A keyed row is a totals row only if its key reads like one ("TOTAL", "Total Acme Ltd"): the
        # common row is looked at no further.
        if (not key or (key.__class__ is not ExcelError and _may_be_label(key))) and self.set_aside(i, row):
            return
        if self.key_column is None:
            self.groups.documents.append((None, [i]))
            return
        if key.__class__ is ExcelError:
            self.start(None, i)  # a key that is a formula without a value: a document of its own
            self.groups.orphans[i] = Orphan(column=self.key_column, value=str(key), formula=True)
            return
        if key:
            found_rows = self.by_key.get(key)
            if found_rows is None:
                self.start(key, i)
                self.by_key[key] = self.current  # type: ignore[assignment]  # start() has just made it a list
                return
            if found_rows is not self.current:
                self.groups.scattered.add(key)
                self.current, self.current_key = found_rows, key
            found_rows.append(i)
            self.known = None  # a keyed row may bring a value the rows before lacked
            return
        why = Orphan() if self.current is None else self.why_not_continued(i, row)
        if why is None:
            self.current.append(i)  # type: ignore[union-attr]  # why is None only when a document is under way
            if self.known is not None:  # a continuation row brings no new value (else it would not be one)
                self.known = (len(self.current), self.known[1])  # type: ignore[arg-type]  # as above
            return
        self.start(None, i)
        self.groups.orphans[i] = why


def group_rows(rows: Sequence[Sequence[Any]], headers: Sequence[str], key_column: int | None,
               fields: list[DocumentColumn], used: set[int], *, strict: bool = False) -> Groups:
    """The documents of a sheet in order of first appearance (key, row indexes), and what was set apart.

    `fields` are the mapped document-level fields (not the key), `used` every column that feeds a field;
    `strict`: a continuation row may fill no document-level cell at all (contacts).
    """
    grouper = _Grouper(headers, key_column, fields, used, strict)
    for i, row in enumerate(rows):
        grouper.add(i, row)
    return grouper.groups


def orphan_text(why: Orphan, headers: Sequence[str], row_numbers: Sequence[int], key_label: str,
                noun: str, strict: bool) -> str:
    """The sentence for a row with an empty key that is a document of its own."""
    if why.above_row is None:
        if why.formula:
            return (f'the {key_label} is a formula, not a value ("{why.value}"); open and save the file in '
                    "Excel, or paste values")
        return f"no {key_label}, and no {noun} above it to continue; give it its {key_label}"
    above = f'{noun} "{why.above}" (row {row_numbers[why.above_row]})' if why.above else \
        f"the {noun} above (row {row_numbers[why.above_row]})"
    column = headers[why.column] if why.column is not None else ""
    if why.formula:
        return (f'no {key_label}, and column "{column}" holds a formula, not a value ("{why.value}"), so this '
                f"row cannot be taken as part of {above}; give it its {key_label}, or open and save the file "
                "in Excel (or paste values)")
    if strict:
        return (f'no {key_label}: this row is not another contact person of {above}, since it has its own '
                f'{column} "{why.value}"; give it its {key_label} to import it as a {noun} of its own')
    theirs = f'differs from "{why.theirs}"' if why.theirs is not None else "is not on it"
    return (f'no {key_label}: this row does not continue {above}: its {column} "{why.value}" {theirs}; '
            f"give it its own {key_label}, or empty its {column} if it belongs there")


def totals_text(found: TotalsRow, headers: Sequence[str], noun: str) -> str:
    """The sentence for a skipped totals row."""
    if found.label:
        return f'"{found.label}" beside numbers looks like a totals row, not a {noun}; it was skipped'
    names = ", ".join(f'"{headers[ci]}"' for ci in found.filled)
    return f"only {names} filled: a totals row, not a {noun}; it was skipped"
