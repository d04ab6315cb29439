"""The field catalogue: what a Zoho Books field is called, what it holds and which rules it obeys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pydantic import BaseModel

FieldType = Literal["string", "email", "number", "integer", "date", "boolean", "discount", "id"]
Level = Literal["document", "line", "person"]
Operation = Literal["create", "update", "upsert", "skip-existing"]

OPERATIONS: tuple[str, ...] = ("create", "update", "upsert", "skip-existing")
# Operations that may create a record, so the create rules apply.
CREATING: frozenset[str] = frozenset({"create", "upsert", "skip-existing"})

# Lookup kinds the importer resolves from list endpoints, and what each can be found by.
LOOKUP_BY: dict[str, tuple[str, ...]] = {
    "customer": ("name", "email", "id"),
    "item": ("name", "sku", "id"),
    "tax": ("name", "rate", "id"),
    "currency": ("code", "id"),
    "account": ("name", "id"),
    "salesperson": ("name", "email", "id"),
}


def seed(number: str, passage: str) -> str:
    """Where a limit comes from: a passage quoted word for word from seed `number` (a test finds it there)."""
    return f'seed {number}: "{passage}"'


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a Zoho record as the field picker and the auto-mapper see it."""

    path: str  # "customer_id", "line_items.rate", "billing_address.city", "custom_fields.cf_region"
    label: str
    type: FieldType = "string"
    level: Level = "document"
    required_on: frozenset[str] = frozenset()
    max_length: int | None = None
    allowed: tuple[str, ...] = ()
    help: str = ""
    synonyms: tuple[str, ...] = ()
    lookup: str | None = None  # "customer", "item", "tax", "currency", "account", "salesperson"
    positive: bool = False  # numbers that must be greater than zero
    source: str = ""  # the documented passage its max_length / allowed values come from (seed(...) or a URL)

    @property
    def name(self) -> str:
        """The last part of the path: the key inside its object."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def container(self) -> str | None:
        """The object or list the field lives in ("line_items", "billing_address"), None at the top."""
        head, dot, _ = self.path.rpartition(".")
        return head if dot else None

    @property
    def is_custom(self) -> bool:
        return ".custom_fields." in f".{self.path}" or ".item_custom_fields." in f".{self.path}"

    def required_for(self, operation: str) -> bool:
        return operation in self.required_on


@dataclass(frozen=True, slots=True)
class Entity:
    """A Zoho Books record type: its fields, its key and its pydantic models."""

    name: str  # "contacts", "salesorders", "creditnotes"
    label: str  # "Sales order"
    singular: str  # JSON key of one record in Zoho's answers: "salesorder"
    fields: tuple[Field, ...]
    key_field: str  # field whose value groups rows into one document
    id_field: str  # "salesorder_id"
    id_synonyms: tuple[str, ...]
    lines: str | None  # list of child rows: "line_items" or "contact_persons"
    lines_required_on: frozenset[str]
    create_model: type[BaseModel]
    update_model: type[BaseModel]
    ignored_headers: dict[str, str] = field(default_factory=dict)  # export-only columns -> why
    export_headers: tuple[str, ...] = ()  # the columns of Zoho Books' own export of this entity
    found_by: tuple[str, ...] = ()  # other fields that find the record to update: a contact's email

    def field(self, path: str) -> Field | None:
        return self._by_path().get(path)

    def _by_path(self) -> dict[str, Field]:
        cached = _PATHS.get(self.name)
        if cached is None:
            cached = _PATHS[self.name] = {f.path: f for f in self.fields}
        return cached

    def model(self, operation: str) -> type[BaseModel]:
        return self.create_model if operation in CREATING else self.update_model

    def required(self, operation: str) -> list[Field]:
        return [f for f in self.fields if f.required_for(operation)]

    def custom_field(self, label_or_api_name: str, level: Level = "document") -> Field:
        """The catalogue's custom field with that label or API name, or a new one by label."""
        wanted = label_or_api_name.strip()
        for f in self.fields:
            if f.is_custom and f.level == level and wanted.casefold() in (
                f.label.casefold(),
                f.name.casefold(),
            ):
                return f
        prefix = "custom_fields" if level == "document" else f"{self.lines}.item_custom_fields"
        return Field(f"{prefix}.{wanted}", wanted, level=level, help="Custom field (by label).")


_PATHS: dict[str, dict[str, Field]] = {}
