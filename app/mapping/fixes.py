"""Bulk fixes on a sheet: problems grouped by kind, one value replaced in many cells, "did you mean" names,
value maps saved into the mapping, and re-validating only the rows a fix touched."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from app.entities import entity
from app.mapping.dates import evidence
from app.mapping.documents import Document, Prepared, Problem
from app.mapping.numbers import convention
from app.mapping.prepare import prepare, resolve_field
from app.mapping.schema import (
    DateFormat,
    FieldMapping,
    Mapping,
    NumberFormat,
    Transform,
    Trim,
    ValueMap,
)
from app.mapping.transforms import is_empty
from app.mapping.transforms import shown as message_text

_PLACE = re.compile(r'^(?:row \d+(?:, column "[^"]*")?|column "[^"]*"): ')
_SUGGESTION = re.compile(r"; did you mean (.+)\?$")
_QUOTED = re.compile(r'"[^"]*"')
_PLURAL = re.compile(r"^not an? ([a-z]+(?: [a-z]+)?)$")
_UNKNOWN_NAME = re.compile(r'^no [a-z]+ with [a-z]+ "…" in Zoho$')
_EMPTY = re.compile(r"^.+ is empty, but (every .+ needs one)$")


def cell_text(value: object) -> str:
    """A cell as the user typed it: dates as ISO, whole floats without ".0", empty as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def reason(problem: Problem) -> str:
    """The problem's sentence without its place ("row 7, column "Email": ")."""
    return _PLACE.sub("", problem.message, count=1)


def suggestions(problem: Problem) -> list[str]:
    """The names a name look-up offered ("did you mean 'Acme Corporation'?"), best first."""
    found = _SUGGESTION.search(problem.message)
    if found is None:
        return []
    try:
        names = ast.literal_eval(f"[{found.group(1)}]")
    except (SyntaxError, ValueError):
        return []
    return [n for n in names if isinstance(n, str)]


def kind(problem: Problem) -> str:
    """What the problem says, its values left out: problems of one kind read the same."""
    text = _SUGGESTION.sub("", reason(problem))
    text = re.sub(r" on row \d+ ", " on another row ", _QUOTED.sub('"…"', text))
    return re.sub(r" \(\d+\)$", "", text)


@dataclass
class ProblemGroup:
    """The problems of one kind in one column ("Order Date: 21 cells are not dates")."""

    column: str | None
    kind: str
    severity: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def title(self) -> str:
        n = len(self.problems)
        where = self.column or "Rows"
        things = ("cell" if n == 1 else "cells") if self.column else ("row" if n == 1 else "rows")
        if _UNKNOWN_NAME.match(self.kind):
            return f"{where}: {n:,} {things} {'holds a name' if n == 1 else 'hold names'} Zoho does not know"
        empty = _EMPTY.match(self.kind)
        if empty is not None:
            return f"{where}: {n:,} {things} {'is' if n == 1 else 'are'} empty ({empty.group(1)})"
        if self.kind.startswith('"…" is '):
            rest = self.kind[len('"…" is '):]
            plural = _PLURAL.match(rest)
            if n == 1:
                return f"{where}: 1 {things} is {rest}"
            if plural is not None:
                words = plural.group(1)
                return f"{where}: {n:,} {things} are not {words}{'es' if words.endswith('s') else 's'}"
            return f"{where}: {n:,} {things} are {rest}"
        return f"{where}: {n:,} {things}: {self.kind}"


def group_problems(problems: Iterable[Problem], headers: Sequence[str]) -> list[ProblemGroup]:
    """Problems pinned to a row, grouped by column and kind; errors first, then in column order."""
    groups: dict[tuple[str | None, str, str], ProblemGroup] = {}
    for p in problems:
        if p.row_index is None:
            continue
        key = (p.column, kind(p), p.severity)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ProblemGroup(p.column, key[1], p.severity)
        group.problems.append(p)
    position = {h: i for i, h in enumerate(headers)}
    return sorted(groups.values(), key=lambda g: (g.severity != "error", position.get(g.column or "", -1), g.kind))


def problem_value(problem: Problem, table: Any) -> str:
    """The text of the cell a problem is pinned to ("" for a row's problem)."""
    if problem.row_index is None or problem.column is None or problem.column not in table.headers:
        return ""
    return cell_text(table.rows[problem.row_index][table.headers.index(problem.column)])


def cells_holding(table: Any, ci: int, text: str, ignore_case: bool = False) -> list[int]:
    """The rows whose cell in column `ci` reads `text` (as shown, spaces at the ends aside)."""
    wanted = text.strip().casefold() if ignore_case else text.strip()
    found = []
    for ri, row in enumerate(table.rows):
        value = row[ci]
        if value is None:
            continue
        have = cell_text(value).strip()
        if (have.casefold() if ignore_case else have) == wanted:
            found.append(ri)
    return found


def replace_cells(table: Any, ci: int, rows: Iterable[int], new: str) -> list[int]:
    """Put `new` in column `ci` of each row (empty text empties the cell); the rows changed."""
    value = new if new.strip() else None
    changed = []
    for ri in rows:
        if table.rows[ri][ci] != value:
            table.rows[ri][ci] = value
            changed.append(ri)
    return changed


# ---- value maps --------------------------------------------------------------------------------


def field_of_column(mapping: Mapping, column: str) -> FieldMapping | None:
    """The mapping entry reading only `column`."""
    return next((fm for fm in mapping.fields if fm.columns == [column]), None)


def value_map_of(mapping: Mapping, column: str) -> dict[str, Any]:
    fm = field_of_column(mapping, column)
    rule = next((t for t in fm.transforms if isinstance(t, ValueMap)), None) if fm else None
    return dict(rule.values) if rule else {}


def with_value_map(mapping: Mapping, column: str, values: dict[str, str]) -> Mapping:
    """The mapping with `values` ({"Acme Corp": "Acme Corporation"}) added to the value map of the field
    that reads `column` (a new "map" rule after its trimming when it has none)."""
    fm = field_of_column(mapping, column)
    if fm is None:
        raise ValueError(f'no field reads only column "{column}"')
    transforms = list(fm.transforms)
    at = next((i for i, t in enumerate(transforms) if isinstance(t, ValueMap)), None)
    if at is None:
        rule = ValueMap(values=dict(values))
        at = max((i + 1 for i, t in enumerate(transforms) if isinstance(t, Trim)), default=0)
        transforms.insert(at, rule)
    else:
        old = transforms[at]
        assert isinstance(old, ValueMap)
        transforms[at] = old.model_copy(update={"values": {**old.values, **values}})
    new = fm.model_copy(update={"transforms": transforms})
    return mapping.model_copy(update={"fields": [new if f is fm else f for f in mapping.fields]})


# ---- re-validating the rows a fix touched ------------------------------------------------------


@dataclass
class Rechecked:
    """The documents holding the touched rows, validated again: their rows, documents and row problems."""

    rows: list[int]
    documents: list[Document]
    problems: list[Problem]  # problems pinned to those rows that belong to no document


class _Rows:
    """Some rows of a table, in order, looking like the table to prepare()."""

    def __init__(self, table: Any, rows: list[int]) -> None:
        self.sheet: str = table.sheet
        self.headers: list[str] = table.headers
        self.letters: list[str] = table.letters
        self.rows = [table.rows[ri] for ri in rows]
        self.row_numbers = [table.row_numbers[ri] for ri in rows]
        self.date1904 = bool(getattr(table, "date1904", False))
        numbers = set(self.row_numbers)
        self.notes = [n for n in getattr(table, "notes", ()) if n.row in numbers]


def pinned(table: Any, mapping: Mapping) -> Mapping:
    """The mapping with each column's date order and decimal mark as the whole table decides them, so that
    some of its rows are read exactly as the whole would be."""
    ent = entity(mapping.entity)
    index = {h: i for i, h in enumerate(table.headers)}
    fields = []
    for fm in mapping.fields:
        f = resolve_field(ent, fm.field)
        if f is None or len(fm.columns) != 1 or fm.columns[0] not in index:
            fields.append(fm)
            continue
        ci = index[fm.columns[0]]
        own_date = next((t for t in fm.transforms if isinstance(t, DateFormat)), None)
        own_number = next((t for t in fm.transforms if isinstance(t, NumberFormat)), None)
        rest: list[Transform] = [t for t in fm.transforms if not isinstance(t, DateFormat | NumberFormat)]
        if f.type in ("number", "integer", "discount") or (fm.lookup is not None and fm.lookup.by == "rate"):
            used = own_number.decimal if own_number is not None else None
            if used is None:
                used = mapping.decimal or convention(dict.fromkeys(r[ci] for r in table.rows)).decimal
            if used is not None:
                rest.append(NumberFormat(decimal=used, percent=bool(own_number and own_number.percent)))
            elif own_number is not None:
                rest.append(own_number)
            fields.append(fm.model_copy(update={"transforms": rest}))
        elif f.type == "date" and fm.lookup is None:
            order: str | None = None
            if own_date is not None and not own_date.assumed and own_date.order != "year-first":
                order = own_date.order
            else:
                order = mapping.date_order or evidence(dict.fromkeys(r[ci] for r in table.rows)).order
            if order is not None:
                rest.append(DateFormat(order=order, formats=own_date.formats if own_date else []))
            elif own_date is not None:
                rest.append(own_date)
            fields.append(fm.model_copy(update={"transforms": rest}))
        else:
            fields.append(fm)
    return mapping.model_copy(update={"fields": fields})


def recheck(table: Any, mapping: Mapping, prepared: Prepared, touched: Iterable[int],
            columns: Iterable[int] = ()) -> Rechecked | None:
    """Validate again the documents holding the `touched` rows (changed in `columns`, or read under a
    changed mapping); None when only a whole validation can tell (the document key changed, a touched row
    belongs to no document, a document's rows are not together, or the rows now group otherwise)."""
    if mapping.document_key is not None and mapping.document_key in table.headers \
            and table.headers.index(mapping.document_key) in set(columns):
        return None
    of_row: dict[int, Document] = {ri: d for d in prepared.documents for ri in d.row_indexes}
    docs: dict[int, Document] = {}
    for ri in touched:
        d = of_row.get(ri)
        if d is None:
            return None
        docs[d.index] = d
    rows: list[int] = []
    for d in docs.values():
        if d.row_indexes != list(range(d.row_indexes[0], d.row_indexes[0] + len(d.row_indexes))):
            return None
        rows.extend(d.row_indexes)
    rows.sort()
    if not rows:
        return Rechecked([], [], [])
    found = prepare(_Rows(table, rows), pinned(table, mapping))
    first = {d.row_indexes[0]: d for d in docs.values()}
    rebuilt: list[Document] = []
    for sd in found.documents:
        full = [rows[i] for i in sd.row_indexes]
        old = first.get(full[0])
        if old is None or old.row_indexes != full:
            return None
        rebuilt.append(_moved(sd, rows, old.index))
    if len(rebuilt) != len(docs):
        return None
    problems = [dataclasses.replace(p, row_index=rows[p.row_index]) for p in found.problems if p.row_index is not None]
    return Rechecked(rows, sorted(rebuilt, key=lambda d: d.index), problems)


def _moved(doc: Document, rows: list[int], index: int) -> Document:
    """A document of some rows, its row indexes and index those of the whole table."""
    return Document(
        index, doc.key, [rows[i] for i in doc.row_indexes], doc.payload,
        [dataclasses.replace(lk, row_index=rows[lk.row_index]) for lk in doc.lookups],
        [dataclasses.replace(p, row_index=rows[p.row_index] if p.row_index is not None else None, document=index)
         for p in doc.problems],
        doc.zoho_id, [rows[i] for i in doc.line_rows])


def holding_mapped(table: Any, ci: int, keys: Iterable[str]) -> list[int]:
    """The rows whose cell in column `ci` a value map with these keys (case ignored) rewrites."""
    wanted = {k.strip().casefold() for k in keys}
    return [ri for ri, row in enumerate(table.rows)
            if not is_empty(row[ci]) and message_text(row[ci]).strip().casefold() in wanted]
