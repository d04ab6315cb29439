"""Builds the pydantic v2 create and update models of an entity from its field catalogue."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, create_model
from pydantic import Field as PydanticField

from app.entities.catalogue import CREATING, Entity, Field
from app.entities.field_groups import DOCUMENT_IGNORED_HEADERS

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DISCOUNT_PATTERN = r"^\d+(\.\d+)?%?$"


class Payload(BaseModel):
    """Base of every generated model: plain JSON in, unknown keys ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class CustomFieldValue(Payload):
    """A custom field value, addressed by API name, label or ID as Zoho accepts on write."""

    api_name: str | None = None
    label: str | None = None
    customfield_id: str | None = None
    value: str | float | int | bool | None = None


def _annotation(f: Field) -> Any:
    if f.allowed:
        return Literal[f.allowed]
    if f.type in ("string", "id"):
        return Annotated[str, StringConstraints(max_length=f.max_length)] if f.max_length else str
    if f.type == "email":
        return Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=f.max_length or 100)]
    if f.type == "date":
        return Annotated[str, StringConstraints(pattern=DATE_PATTERN)]
    if f.type == "discount":
        return Annotated[str, StringConstraints(pattern=DISCOUNT_PATTERN)]
    if f.type == "boolean":
        return bool
    if f.type == "integer":
        return Annotated[int, PydanticField(gt=0)] if f.positive else int
    return Annotated[float, PydanticField(gt=0)] if f.positive else float


def _model(name: str, fields: list[Field], operation_set: str, extra: dict[str, Any]) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for f in fields:
        annotation = _annotation(f)
        if operation_set == "create" and f.required_on & CREATING:
            definitions[f.name] = (annotation, ...)
        else:
            definitions[f.name] = (annotation | None, None)
    definitions.update(extra)
    return create_model(name, __base__=Payload, **definitions)


def build_models(
    prefix: str, fields: tuple[Field, ...], lines: str | None, lines_required_on: frozenset[str]
) -> tuple[type[BaseModel], type[BaseModel]]:
    """(create model, update model) for the entity whose catalogue is `fields`."""
    plain = [f for f in fields if not f.is_custom]
    built: list[type[BaseModel]] = []
    for operation_set in ("create", "update"):
        top = [f for f in plain if f.container is None]
        extra: dict[str, Any] = {"custom_fields": (list[CustomFieldValue] | None, None)}
        containers = sorted({f.container for f in plain if f.container})
        for container in containers:
            inner = [f for f in plain if f.container == container]
            inner_extra: dict[str, Any] = {}
            if container == lines == "line_items":
                inner_extra["item_custom_fields"] = (list[CustomFieldValue] | None, None)
            kind = "create" if operation_set == "create" else "update"
            model = _model(f"{prefix}{container.title().replace('_', '')}{kind.title()}", inner, kind, inner_extra)
            if container == lines:
                if operation_set == "create" and lines_required_on & CREATING:
                    extra[container] = (Annotated[list[model], PydanticField(min_length=1)], ...)  # type: ignore[valid-type]  # a model built at run time
                else:
                    extra[container] = (list[model] | None, None)  # type: ignore[valid-type]  # a model built at run time
            else:
                extra[container] = (model | None, None)
        built.append(_model(f"{prefix}{operation_set.title()}", top, operation_set, extra))
    return built[0], built[1]


def document_entity(
    model_name: str, *, name: str, label: str, singular: str, fields: tuple[Field, ...], key_field: str,
    id_field: str, id_synonyms: tuple[str, ...], ignored_headers: dict[str, str], export_headers: tuple[str, ...],
) -> Entity:
    """A Books document with line items (a sales order, a credit note): its lines are required whenever an
    operation may create it, its models are `model_name`Create and `model_name`Update, and the export columns
    it ignores are DOCUMENT_IGNORED_HEADERS and its own `ignored_headers`."""
    create, update = build_models(model_name, fields, "line_items", CREATING)
    return Entity(
        name=name, label=label, singular=singular, fields=fields, key_field=key_field, id_field=id_field,
        id_synonyms=id_synonyms, lines="line_items", lines_required_on=CREATING, create_model=create,
        update_model=update, ignored_headers={**DOCUMENT_IGNORED_HEADERS, **ignored_headers},
        export_headers=export_headers,
    )
