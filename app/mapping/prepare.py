"""Applies a mapping to a table: converts columns, groups rows into documents, validates each payload."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from app.entities import CREATING, Entity, Field, entity
from app.mapping.documents import Document, Lookup, Prepared, Problem, Severity
from app.mapping.errors import MappingRefused
from app.mapping.grouping import (
    DocumentColumn,
    Groups,
    Orphan,
    group_rows,
    orphan_text,
    totals_text,
)
from app.mapping.preview import refused_value
from app.mapping.schema import FieldMapping, Mapping
from app.mapping.transforms import column_converter, convert_column, converter, is_empty, shown

UNIQUE_MARKING = ("No field is unique by default: mark a custom field unique in Zoho Books first "
                  "(see the README, \"Upsert: a unique custom field\").")


class TableLike(Protocol):
    """What prepare() needs of app.sheets.Table."""

    sheet: str
    headers: list[str]
    letters: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]


@dataclass(slots=True)
class _Plan:
    """One mapped field made ready: its converted column and the cells that failed."""

    fm: FieldMapping
    field: Field
    columns: list[int]
    values: list[Any] = dataclasses.field(default_factory=list)  # dataclasses.: `field` below names a Field
    errors: dict[int, str] = dataclasses.field(default_factory=dict)
    constant: Any = None
    parts: tuple[str, ...] = ()  # path inside its document or line, e.g. ("billing_address", "city")
    custom: dict[str, str] | None = None  # {"api_name": ...} or {"label": ...} for custom fields
    header: str = ""  # the first source column's header
    flat: str | None = None  # key in its line when it is a plain value there (no lookup, no nesting)
    notes: list[str] = dataclasses.field(default_factory=list)  # warnings about the whole column (assumed date order...)


def resolve_field(ent: Entity, path: str) -> Field | None:
    """The catalogue field for an API path, including custom fields addressed by API name or label."""
    found = ent.field(path)
    if found is not None:
        return found
    if path.startswith("custom_fields.") and len(path) > len("custom_fields."):
        return ent.custom_field(path[len("custom_fields."):], "document")
    line_prefix = f"{ent.lines}.item_custom_fields."
    if ent.lines == "line_items" and path.startswith(line_prefix) and len(path) > len(line_prefix):
        return ent.custom_field(path[len(line_prefix):], "line")
    return None


def refusals(table: TableLike, mapping: Mapping) -> list[str]:
    """Why this mapping cannot be applied to this table (empty when it can)."""
    ent = entity(mapping.entity)
    headers = set(table.headers)
    reasons: list[str] = []
    for fm in mapping.fields:
        if resolve_field(ent, fm.field) is None:
            reasons.append(f'The mapping names the field "{fm.field}", which a {ent.label.lower()} does not have.')
        for c in fm.columns:
            if c not in headers:
                reasons.append(f'The mapping uses column "{c}", which sheet "{table.sheet}" does not have.')
        if not fm.columns and fm.constant is None:
            reasons.append(f'The mapping for field "{fm.field}" gives neither a column nor a constant.')
    if mapping.document_key and mapping.document_key not in headers:
        reasons.append(f'The document key column "{mapping.document_key}" is not in sheet "{table.sheet}".')
    reasons.extend(_mapped_twice(ent, mapping))
    mapped = {fm.field for fm in mapping.fields}
    op = mapping.operation
    for f in ent.required(op):
        if f.path not in mapped:
            reasons.append(f'The required field "{f.label}" ({f.path}) is not mapped to any column.')
    if ent.lines and op in ent.lines_required_on and not any(p.startswith(f"{ent.lines}.") for p in mapped):
        reasons.append(f"A {ent.label.lower()} needs line items, but no column is mapped to a line item field.")
    # The upsert key is the custom field the mapping names (seed 003 "X-Unique-Identifier-Key": a
    # custom field "configured to not accept duplicate values"; an organization has none until it marks one so).
    key = mapping.upsert_key
    if key is not None and not key.startswith("cf_"):
        reasons.append(f'The upsert key "{key}" is not a custom field\'s API name (those start with "cf_").')
    key_path = f"custom_fields.{key}" if key else None
    finders = (ent.id_field, ent.key_field, *ent.found_by)
    if op == "update" and not mapped & {*finders, key_path}:
        named = ", ".join(f'"{p}"' for p in finders)
        reasons.append(
            f"An update needs a column that identifies each {ent.label.lower()}: map {named} "
            "or the unique custom field named as the mapping's upsert_key."
        )
    if op == "upsert" and key is None:
        reasons.append('An upsert needs a unique custom field: name it in the mapping ("upsert_key": '
                       '"cf_...") or with --upsert-key, and map it to a column. ' + UNIQUE_MARKING)
    elif op == "upsert" and key_path not in mapped:
        reasons.append(f'The upsert key "{key}" is not mapped to any column: map the column that holds it '
                       f'to the field "{key_path}".')
    return reasons


def _sources(fm: FieldMapping) -> str:
    if not fm.columns:
        return f"the constant {fm.constant!r}"
    named = ", ".join(f'"{c}"' for c in fm.columns)
    return f"column {named}" if len(fm.columns) == 1 else f"columns {named}"


def _mapped_twice(ent: Entity, mapping: Mapping) -> list[str]:
    """One sentence per field that two mapping entries fill (the second would silently win)."""
    first: dict[str, FieldMapping] = {}
    reasons: list[str] = []
    for fm in mapping.fields:
        f = resolve_field(ent, fm.field)
        if f is None:
            continue
        other = first.setdefault(f.path, fm)
        if other is not fm:
            reasons.append(
                f'The field "{f.label}" ({f.path}) is mapped twice: from {_sources(other)} and from '
                f"{_sources(fm)}. Map it once (to join several columns into it, list them in one entry's "
                '"columns"), and leave the other column unmapped.')
    return reasons


def _plans(table: TableLike, mapping: Mapping, ent: Entity) -> list[_Plan]:
    index = {h: i for i, h in enumerate(table.headers)}
    rows = table.rows
    plans: list[_Plan] = []
    for fm in mapping.fields:
        f = resolve_field(ent, fm.field)
        assert f is not None  # refusals() checked
        plan = _Plan(fm, f, [index[c] for c in fm.columns], header=fm.columns[0] if fm.columns else "")
        date1904 = bool(getattr(table, "date1904", False))
        if plan.columns:
            if len(plan.columns) == 1:
                ci = plan.columns[0]
                raw = [r[ci] for r in rows]
            else:
                cis = plan.columns
                sep = fm.join
                raw = [sep.join(shown(r[c]).strip() for c in cis if not is_empty(r[c])) or None for r in rows]
            convert, plan.notes = column_converter(fm, f, raw, date1904, date_order=mapping.date_order,
                                                   decimal=mapping.decimal)
            plan.values, plan.errors = convert_column(raw, convert)
        else:
            plan.constant = converter(fm, f, date1904, date_order=mapping.date_order,
                                      decimal=mapping.decimal)(fm.constant)
        if f.is_custom:
            key = "api_name" if f.name.startswith("cf_") else "label"
            plan.custom = {key: f.name}
        else:
            container = f.container
            if container and container == ent.lines:
                plan.parts = (f.name,)
                plan.flat = f.name if fm.lookup is None else None
            else:
                plan.parts = tuple(f.path.split("."))
        plans.append(plan)
    return plans


def _group(table: TableLike, mapping: Mapping, ent: Entity, plans: list[_Plan]) -> Groups:
    key_column = table.headers.index(mapping.document_key) if mapping.document_key else None
    fields = [DocumentColumn(p.columns, p.values, p.errors) for p in plans
              if p.field.level == "document" and p.columns and p.columns[:1] != [key_column]]
    used = {c for p in plans for c in p.columns}
    if key_column is not None:
        used.add(key_column)
    # A contact's continuation row is another contact person (seed 004: contact_persons), nothing else.
    return group_rows(table.rows, table.headers, key_column, fields, used, strict=ent.lines == "contact_persons")


class _Builder:
    """Builds and validates one document at a time."""

    def __init__(self, table: TableLike, mapping: Mapping, ent: Entity, plans: list[_Plan]) -> None:
        self.table = table
        self.ent = ent
        self.noun = ent.label.lower()
        self.model = ent.model(mapping.operation)
        self.doc_plans = [p for p in plans if p.field.level == "document" and p.field.path != ent.id_field]
        self.line_plans = [p for p in plans if p.field.level != "document"]
        self.id_plan = next((p for p in plans if p.field.path == ent.id_field), None)
        self.by_path = {p.field.path: p for p in plans}
        self.lines_key = ent.lines or ""
        key_column = table.headers.index(mapping.document_key) if mapping.document_key else None
        self.key_plan = next((p for p in plans if p.columns[:1] == [key_column]), None) if key_column is not None else None
        self.key_column = key_column
        key_field = self.key_plan.field if self.key_plan else ent.field(ent.key_field)
        self.key_path = key_field.path if key_field else ent.key_field
        self.key_label = key_field.label if key_field else ent.key_field
        self.strict = ent.lines == "contact_persons"

    # -- problems -------------------------------------------------------------------------
    def cell_problem(self, severity: Severity, ri: int, plan: _Plan | None, text: str, doc: int | None) -> Problem:
        table = self.table
        row = table.row_numbers[ri]
        column: str | None
        letter: str | None
        if plan is not None and plan.columns:
            ci = plan.columns[0]
            column, letter = table.headers[ci], table.letters[ci]
            message = f'row {row}, column "{column}": {text}'
        else:
            column = letter = None
            message = f"row {row}: {text}"
        return Problem(severity, message, row, ri, column, letter,
                       plan.field.path if plan else None, doc)

    def raw(self, plan: _Plan, ri: int) -> str:
        r = self.table.rows[ri]
        if len(plan.columns) == 1:
            return shown(r[plan.columns[0]])
        return plan.fm.join.join(shown(r[c]) for c in plan.columns if not is_empty(r[c]))

    # -- one document ---------------------------------------------------------------------
    def build(self, index: int, key: str | None, rows: list[int], scattered: bool = False,
              orphan: Orphan | None = None) -> Document:
        payload: dict[str, Any] = {}
        doc = Document(index, key, rows, payload)
        problems = doc.problems
        failed: set[tuple[Any, ...]] = set()
        if orphan is not None:
            self.orphan(doc, orphan, failed)
        first_row = rows[0]
        for p in self.doc_plans:
            if p.columns:
                values, errors = p.values, p.errors
                value = None
                source = first_row
                for ri in rows:
                    v = values[ri]
                    if v is None:
                        if errors and ri in errors:
                            problems.append(self.cell_problem("error", ri, p, f'"{self.raw(p, ri)}" is {errors[ri]}', index))
                            failed.add(p.parts or (p.field.path,))
                        continue
                    if value is None:
                        value, source = v, ri
                    elif v != value:
                        problems.append(self.cell_problem(
                            "error", ri, p,
                            f'"{self.raw(p, ri)}" differs from "{self.raw(p, source)}" on row '
                            f"{self.table.row_numbers[source]} of the same {self.noun}", index))
                if value is None:
                    continue
            else:
                value, source = p.constant, first_row
                if value is None:
                    continue
            self.place(doc, payload, p, value, source, None)
        if self.id_plan is not None:
            ids = [self.id_plan.values[ri] for ri in rows if self.id_plan.values[ri] is not None]
            doc.zoho_id = str(ids[0]) if ids else None
        if self.line_plans:
            lines: list[dict[str, Any]] = []
            for ri in rows:
                line: dict[str, Any] = {}
                n = len(lines)
                bad = False
                for p in self.line_plans:
                    if not p.columns:
                        continue
                    v = p.values[ri]
                    if v is None:
                        if p.errors and ri in p.errors:
                            problems.append(self.cell_problem("error", ri, p, f'"{self.raw(p, ri)}" is {p.errors[ri]}', index))
                            failed.add((self.ent.lines, n, *p.parts) if not p.custom else (self.ent.lines, n))
                            bad = True
                    elif p.flat is not None:
                        line[p.flat] = v
                    else:
                        self.place(doc, line, p, v, ri, n)
                if not line and not bad:
                    continue
                for p in self.line_plans:
                    if not p.columns and p.constant is not None:
                        self.place(doc, line, p, p.constant, ri, n)
                lines.append(line)
                doc.line_rows.append(ri)
            if lines:
                payload[self.ent.lines] = lines  # type: ignore[index]  # lines were made: the entity names them
        if scattered:
            gaps = [self.table.row_numbers[b] for a, b in zip(rows, rows[1:], strict=False) if b - a > 1]
            problems.append(self.cell_problem(
                "warning", rows[0], self.key_plan,
                f'the rows of {self.noun} "{key}" are not together (it continues on row '
                f'{", ".join(map(str, gaps[:5]))}); they were joined into one {self.noun}', index))
        self.validate(doc, failed)
        return doc

    def orphan(self, doc: Document, why: Orphan, failed: set[tuple[Any, ...]]) -> None:
        """The error of a row with an empty key that does not continue the document above."""
        ri = doc.row_indexes[0]
        failed.add((self.key_path,))  # this sentence says the key is missing; pydantic need not repeat it
        if why.column == self.key_column and self.key_plan is not None and ri in self.key_plan.errors:
            return  # a key that is a formula without a value: its cell's own problem says so
        table = self.table
        text = orphan_text(why, table.headers, table.row_numbers, self.key_label, self.noun, self.strict)
        ci = self.key_column
        if ci is None:
            doc.problems.append(Problem("error", f"row {table.row_numbers[ri]}: {text}", table.row_numbers[ri], ri,
                                        field=self.key_path, document=doc.index))
            return
        doc.problems.append(Problem(
            "error", f'row {table.row_numbers[ri]}, column "{table.headers[ci]}": {text}', table.row_numbers[ri],
            ri, table.headers[ci], table.letters[ci], self.key_path, doc.index))

    def place(self, doc: Document, target: dict[str, Any], p: _Plan, value: Any, ri: int, line: int | None) -> None:
        if p.custom is not None:
            key = "custom_fields" if p.field.level == "document" else "item_custom_fields"
            target.setdefault(key, []).append({**p.custom, "value": value})
            return
        parts = p.parts
        if len(parts) == 1:
            target[parts[0]] = value
        else:
            holder = target
            for part in parts[:-1]:
                holder = holder.setdefault(part, {})
            holder[parts[-1]] = value
        lookup = p.fm.lookup
        if lookup is not None:
            where: tuple[str | int, ...] = parts if line is None else (self.lines_key, line, *parts)
            doc.lookups.append(Lookup(lookup.kind, lookup.by, str(value), where, ri, p.header, p.field.path))

    # -- pydantic -------------------------------------------------------------------------
    def validate(self, doc: Document, failed: set[tuple[Any, ...]]) -> None:
        try:
            self.model.model_validate(doc.payload)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = tuple(err["loc"])
                if loc in failed or (len(loc) >= 2 and loc[:2] in failed):
                    continue  # the cell's own problem already says it
                doc.problems.append(self.problem_from(doc, loc, err))

    def problem_from(self, doc: Document, loc: tuple[Any, ...], err: Any) -> Problem:
        lines = self.ent.lines
        ri = doc.row_indexes[0]
        if lines and loc and loc[0] == lines and len(loc) >= 3 and isinstance(loc[1], int):
            ri = doc.line_rows[loc[1]] if loc[1] < len(doc.line_rows) else ri
            path = f"{lines}." + ".".join(str(x) for x in loc[2:])
        else:
            path = ".".join(str(x) for x in loc if not isinstance(x, int))
        plan = self.by_path.get(path)
        f = plan.field if plan else self.ent.field(path)
        label = f.label if f else path
        if plan is not None and plan.columns and err["type"] != "missing":
            # the cell that fed the field: in a document field, the first row holding a value
            if f is not None and f.level == "document":
                ri = next((r for r in doc.row_indexes if plan.values[r] is not None), ri)
            shown_value = self.raw(plan, ri)
        else:
            shown_value = shown(err.get("input"))
        text = self.explain(err, f, label, shown_value, path)
        problem = self.cell_problem("error", ri, plan, text, doc.index)
        problem.field = path
        return problem

    def explain(self, err: Any, f: Field | None, label: str, value: str, path: str) -> str:
        kind = err["type"]
        if kind == "missing":
            if path == self.ent.lines:
                return f"this {self.noun} has no line items"
            return f"{label} is empty, but every {self.noun} needs one"
        if kind == "too_short" and path == self.ent.lines:
            return f"this {self.noun} has no line items"
        return refused_value(err, f, label, value)


def prepare(table: TableLike, mapping: Mapping) -> Prepared:
    """Every document of the table as a payload with its problems; MappingRefused if the mapping cannot apply."""
    reasons = refusals(table, mapping)
    if reasons:
        raise MappingRefused(" ".join(reasons))
    ent = entity(mapping.entity)
    plans = _plans(table, mapping, ent)
    builder = _Builder(table, mapping, ent, plans)
    groups = _group(table, mapping, ent, plans)
    documents = [builder.build(i, key, rows, key in groups.scattered, groups.orphans.get(rows[0]))
                 for i, (key, rows) in enumerate(groups.documents)]
    problems: list[Problem] = [
        Problem("warning", f'column "{p.header}": {note}', None, None, p.header, table.letters[p.columns[0]])
        for p in plans for note in p.notes
    ]
    for found in groups.totals:
        ri, ci = found.row_index, found.column
        row = table.row_numbers[ri]
        problems.append(Problem(
            "warning", f'row {row}, column "{table.headers[ci]}": {totals_text(found, table.headers, builder.noun)}',
            row, ri, table.headers[ci], table.letters[ci]))
    used = {table.headers[c] for p in plans for c in p.columns}
    if mapping.document_key:
        used.add(mapping.document_key)
    for ci, header in enumerate(table.headers):
        if header not in used and header not in mapping.ignored:
            problems.append(Problem(
                "warning", f'column "{header}" is not mapped to any field and will not be imported',
                None, None, header, table.letters[ci] if ci < len(table.letters) else None))
    if mapping.operation in CREATING and not documents:
        problems.append(Problem("error", f'sheet "{table.sheet}" has no rows to import'))
    _sheet_notes(table, documents, problems)
    return Prepared(documents, problems, len(table.rows))


def _sheet_notes(table: TableLike, documents: list[Document], problems: list[Problem]) -> None:
    """What reading noticed (app.sheets.SheetNote: ragged rows, merged cells...) as problems on their row and
    column; a note on a row of a document is that document's (an error keeps it from being sent)."""
    index = {n: i for i, n in enumerate(table.row_numbers)}
    of_row = {ri: d for d in documents for ri in d.row_indexes}
    for note in getattr(table, "notes", ()):
        ri = index.get(note.row) if note.row is not None else None
        column = letter = None
        if note.column is not None:
            column, letter = table.headers[note.column], table.letters[note.column]
        doc = of_row.get(ri) if ri is not None else None
        (doc.problems if doc else problems).append(Problem(
            note.severity, note.message, note.row, ri, column, letter, None, doc.index if doc else None))

