"""A column's first values as the engine converts them and the record's model checks them (the Transforms
dialog's preview), and the one wording of what the model refuses in a value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from app.entities import Entity, Field
from app.mapping.schema import FieldMapping
from app.mapping.transforms import CellError, converter, is_empty, shown, to_text

PREVIEW_SAMPLES = 5
SAMPLE_ROWS = 200  # the rows a column's samples are read from
EMPTY = "(empty)"


class Columns(Protocol):
    """What column_samples() needs of app.sheets.Table."""

    headers: list[str]
    rows: list[list[Any]]


def column_samples(table: Columns, fm: FieldMapping, limit: int = PREVIEW_SAMPLES) -> list[Any]:
    """The first few distinct cells that feed `fm` as the engine reads them, and one empty cell if the column
    has any (several columns joined with the mapping's `join`)."""
    index = {h: i for i, h in enumerate(table.headers)}
    cis = [index[c] for c in fm.columns if c in index]
    found: list[Any] = []
    seen: set[str] = set()
    has_empty = False
    for row in table.rows[:SAMPLE_ROWS]:
        if len(cis) == 1:
            value = row[cis[0]]
        else:
            value = fm.join.join(shown(row[c]).strip() for c in cis if not is_empty(row[c])) or None
        if is_empty(value):
            has_empty = True
            continue
        key = shown(value)
        if key not in seen and len(found) < limit:
            seen.add(key)
            found.append(value)
        if len(found) >= limit and has_empty:
            break
    return [*found, None] if has_empty else found


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One sample: as the sheet has it, as Zoho will get it, or why it cannot be sent: without `sent`, what the
    converter says the sheet's value is ("not a date"); with it, the model's sentence about the sent value."""

    sheet: str
    sent: str | None
    problem: str | None = None


def _fragment(ent: Entity, f: Field, value: Any) -> dict[str, Any]:
    """A payload holding only this field's value, where the record keeps it."""
    holder: dict[str, Any] = {f.name: value}
    container = f.container
    if container is None:
        return holder
    if container == ent.lines:
        return {container: [holder]}
    for part in reversed(container.split(".")):
        holder = {part: holder}
    return holder


def refused_value(err: Any, f: Field | None, label: str, value: str) -> str:
    """What the record's model refuses in one value of a field (a pydantic error), as a sentence in the user's
    words naming the value as shown: `"x" is not an email address`."""
    kind = err["type"]
    v = value if len(value) <= 60 else value[:57] + "..."
    if kind == "string_too_long":
        return f'"{v}" is longer than {err["ctx"]["max_length"]} characters ({len(value)})'
    if kind == "literal_error" and f is not None:
        return f'"{v}" is not one of: {", ".join(f.allowed)}'
    if kind == "string_pattern_mismatch" and f is not None:
        if f.type == "email":
            return f'"{v}" is not an email address'
        if f.type == "date":
            return f'"{v}" is not a date'
        if f.type == "discount":
            return f'"{v}" is not a discount like "12.5%" or "190"'
    if kind in ("greater_than", "greater_than_equal"):
        return f'{label} must be more than {shown(err["ctx"].get("gt", 0))}, not "{v}"'
    return f'"{v}" is not accepted for {label}: {err["msg"]}'


def preview(fm: FieldMapping, f: Field, ent: Entity | None, samples: Sequence[Any],
            date1904: bool = False, *, date_order: str | None = None, decimal: str | None = None) -> list[PreviewRow]:
    """Each sample converted by the engine's own converter, then checked against the record's own model.

    `date_order` and `decimal` are what the mapping or the whole column decides where the field's rules do not.
    """
    convert = converter(fm, f, date1904, date_order=date_order, decimal=decimal)
    model = ent.model("update") if ent is not None and not f.is_custom and fm.lookup is None else None
    rows: list[PreviewRow] = []
    for raw in samples:
        sheet = EMPTY if is_empty(raw) else shown(raw)
        try:
            value = convert(raw)
        except CellError as error:
            rows.append(PreviewRow(sheet, None, str(error)))
            continue
        if value is None:
            rows.append(PreviewRow(sheet, None))
            continue
        problem = None
        sent = to_text(value)
        if model is not None and ent is not None:
            try:
                model.model_validate(_fragment(ent, f, value))
            except ValidationError as error:
                problem = refused_value(error.errors(include_url=False)[0], f, f.label, sent)
        rows.append(PreviewRow(sheet, sent, problem))
    return rows
