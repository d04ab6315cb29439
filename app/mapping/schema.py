"""The mapping file: a versioned JSON description of how a sheet's columns become a record's fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.mapping.errors import MappingError

SCHEMA_VERSION: Final = 1

Scalar = str | int | float | bool | None


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Trim(Rule):
    """Strip spaces at both ends and collapse runs of spaces inside."""

    op: Literal["trim"] = "trim"


class Case(Rule):
    op: Literal["case"] = "case"
    to: Literal["upper", "lower", "title"]


DateOrder = Literal["day-first", "month-first", "year-first"]
DecimalMark = Literal[".", ","]


class DateFormat(Rule):
    """Read dates: day-first (31/12/2026), month-first (12/31/2026) or year-first; Excel serials always.

    `assumed` marks an order auto-mapping chose without any value deciding it: the column is warned about and
    a mapping-wide order (--date-order, the top-level "date_order") replaces it. See app.mapping.dates.
    """

    op: Literal["date"] = "date"
    order: DateOrder = "year-first"
    formats: list[str] = Field(default_factory=list)  # strptime formats tried first, e.g. "%d.%m.%Y"
    assumed: bool = False


class NumberFormat(Rule):
    """Read numbers with a decimal point or comma (None: as the column's values show; see app.mapping.numbers).

    Thousands separators count only between groups of three digits; currency symbols and codes are dropped.
    """

    op: Literal["number"] = "number"
    decimal: DecimalMark | None = None
    percent: bool = False  # the value is a percentage ("12.5" means 12.5%)


class BooleanWords(Rule):
    op: Literal["boolean"] = "boolean"
    true: list[str] = Field(default_factory=lambda: ["yes", "y", "true", "t", "1", "x", "on", "checked"])
    false: list[str] = Field(default_factory=lambda: ["no", "n", "false", "f", "0", "off", "unchecked"])


class ValueMap(Rule):
    """Replace whole values, e.g. {"Cash": "cash"}; `strict` makes any other value an error."""

    op: Literal["map"] = "map"
    values: dict[str, Scalar]
    ignore_case: bool = True
    strict: bool = False


class Split(Rule):
    """Keep one part of the value split at `separator` (index 0 is the first part, -1 the last)."""

    op: Literal["split"] = "split"
    separator: str = ","
    index: int = 0


class Default(Rule):
    """Use `value` where the cell is empty."""

    op: Literal["default"] = "default"
    value: Scalar


Transform = Annotated[
    Trim | Case | DateFormat | NumberFormat | BooleanWords | ValueMap | Split | Default,
    Field(discriminator="op"),
]


class LookupRule(Rule):
    """The cell holds a name (or email, SKU, rate, code) that the importer turns into an ID."""

    kind: Literal["customer", "item", "tax", "currency", "account", "salesperson"]
    by: Literal["name", "email", "sku", "rate", "code", "id"] = "name"  # "id": the cell holds the Zoho ID


class FieldMapping(Rule):
    """One target field: where its value comes from and how it is cleaned."""

    field: str  # API path: "date", "line_items.rate", "custom_fields.cf_region", "custom_fields.Region"
    columns: list[str] = Field(default_factory=list)  # source headers; several are joined with `join`
    join: str = " "
    constant: Scalar = None  # used when no column is given
    transforms: list[Transform] = Field(default_factory=list)
    lookup: LookupRule | None = None
    confidence: float | None = None  # set by auto-mapping, 0..1
    note: str | None = None  # why auto-mapping chose this


class Mapping(Rule):
    """How one sheet becomes Zoho records: version 1 of the mapping file."""

    version: Literal[1] = SCHEMA_VERSION
    entity: Literal["contacts", "salesorders", "creditnotes"]
    operation: Literal["create", "update", "upsert", "skip-existing"] = "create"
    sheet: str | None = None
    header_row: int | None = None
    document_key: str | None = None  # column whose equal values make one document; None: one row each
    fields: list[FieldMapping] = Field(default_factory=list)
    ignored: dict[str, str] = Field(default_factory=dict)  # column -> why it is not imported
    unmapped: list[str] = Field(default_factory=list)  # columns auto-mapping found no field for
    date_order: DateOrder | None = None  # for every date field whose own rule is absent or only assumed
    decimal: DecimalMark | None = None  # for every number field whose own rule fixes no decimal mark
    # An update keeps a document's lines the sheet does not mention unless this is true ("replace
    # lines"): then Zoho deletes them (seed 003 "Update a sales order": a line left out is deleted).
    replace_lines: bool = False
    # The API name of a custom field the organization marks unique ("cf_order_ref"): an upsert matches
    # by it (seed 003 X-Unique-Identifier-Key); None: there is none (Zoho has none by default).
    upsert_key: str | None = None

    def with_conventions(self, date_order: str | None, decimal: str | None) -> Mapping:
        """This mapping with the mapping-wide date order and decimal mark set (None leaves each as it is)."""
        changes = {k: v for k, v in (("date_order", date_order), ("decimal", decimal)) if v}
        return self.model_copy(update=changes) if changes else self

    def for_field(self, path: str) -> FieldMapping | None:
        return next((f for f in self.fields if f.field == path), None)

    def column_of(self, path: str) -> str | None:
        fm = self.for_field(path)
        return fm.columns[0] if fm and fm.columns else None


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file; MappingError with a plain sentence if it is missing or malformed."""
    p = Path(path)
    try:
        data: Any = json.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise MappingError(f'The mapping file "{p}" does not exist.') from None
    except IsADirectoryError:
        raise MappingError(f'The mapping file "{p}" is a folder, not a file.') from None
    except PermissionError:
        raise MappingError(f'The mapping file "{p}" cannot be read: permission was denied.') from None
    except UnicodeDecodeError:
        raise MappingError(f'The mapping file "{p}" is not a text (UTF-8 JSON) file.') from None
    except OSError as exc:
        raise MappingError(f'The mapping file "{p}" cannot be read ({exc.strerror or exc}).') from None
    except json.JSONDecodeError as exc:
        raise MappingError(f'The mapping file "{p}" is not valid JSON (line {exc.lineno}: {exc.msg}).') from None
    if not isinstance(data, dict):
        raise MappingError(f'The mapping file "{p}" holds no mapping (a JSON object with "version", '
                           '"entity" and "fields").')
    if isinstance(data, dict) and data.get("version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise MappingError(
            f'The mapping file "{p}" has version {data.get("version")!r}; this program reads version {SCHEMA_VERSION}.'
        )
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "top level"
        raise MappingError(f'The mapping file "{p}" is not a valid mapping: {where}: {first["msg"]}.') from None


def save_mapping(mapping: Mapping, path: str | Path) -> Path:
    """Write the mapping as indented JSON and return its path."""
    p = Path(path)
    p.write_text(mapping.model_dump_json(indent=2, exclude_none=True) + "\n", encoding="utf-8")
    return p
