"""The Transforms dialog's preview: a column's first values as the engine converts them and the record's model
checks them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.entities import Entity, Field
from app.gui.import_wizard.mapping_model import SAMPLE_ROWS
from app.mapping import FieldMapping
from app.mapping.transforms import CellError, converter, is_empty, shown, to_text
from app.sheets import Table

PREVIEW_SAMPLES = 5
EMPTY = "(empty)"


def column_samples(table: Table, fm: FieldMapping, limit: int = PREVIEW_SAMPLES) -> list[Any]:
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
    """One sample: as the sheet has it, as Zoho will get it, or why it cannot be sent."""

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


def _why(err: Any, f: Field) -> str:
    """Pydantic's complaint about one field's value, in the user's words."""
    kind = err["type"]
    if kind == "literal_error" and f.allowed:
        return f"not one of: {', '.join(f.allowed)}"
    if kind == "string_too_long":
        return f"longer than {err['ctx']['max_length']} characters"
    if kind == "string_pattern_mismatch":
        return {"email": "not an email address", "date": "not a date",
                "discount": 'not a discount like "12.5%" or "190"'}.get(f.type, "not accepted")
    if kind in ("greater_than", "greater_than_equal"):
        return "not more than zero"
    return str(err["msg"])


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
        if model is not None and ent is not None:
            try:
                model.model_validate(_fragment(ent, f, value))
            except ValidationError as error:
                problem = _why(error.errors(include_url=False)[0], f)
        rows.append(PreviewRow(sheet, to_text(value), problem))
    return rows
