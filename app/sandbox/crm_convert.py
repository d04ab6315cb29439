"""Checks of convert and mass_convert request bodies against Zoho's crm-oas schemas, answered as CRM does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

from app.sandbox.crm_errors import (
    CrmError,
    expected_field_missing,
    invalid_data,
    limit_exceeded,
    mandatory_not_found,
    not_allowed,
    path_details,
)
from app.sandbox.crm_records import CONVERT_TARGETS, MODULE_BY_ID, MODULES, USERS

SCHEMA_DIR = Path(__file__).with_name("crm_schemas")
MASS_CONVERT_MAX_IDS = 50
JSON_TYPES = {
    "array": "jsonarray",
    "object": "jsonobject",
    "string": "string",
    "boolean": "boolean",
    "integer": "integer",
    "number": "double",
}


@dataclass(frozen=True)
class Target:
    """One entry of `convert_to`: the module to convert into and whether tags go along."""

    module: str
    carry_over_tags: bool


@dataclass(frozen=True)
class MassConvert:
    """An accepted mass_convert request."""

    ids: list[str]
    targets: list[Target]
    owner_id: str | None


def _openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` as JSON Schema's `type: [T, "null"]`; everything else as is."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi_to_jsonschema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        out["type"] = [node["type"], "null"]
    return out


@cache
def request_schema(file_name: str, schema_name: str | None = None) -> dict[str, Any]:
    """A request-body schema from the crm-oas copies shipped with the sandbox.

    `schema_name` picks one of an OpenAPI document's components; None takes the file as the schema.
    """
    document = json.loads((SCHEMA_DIR / file_name).read_text(encoding="utf-8"))
    return _openapi_to_jsonschema(document["components"]["schemas"][schema_name] if schema_name else document)


# Zoho's crm-oas v8 inventory_convert.yaml request body (copied as crm_schemas/inventory_convert.request.schema.json):
# {"data": [{"convert_to": [{"module": {"api_name", "id"}, "carry_over_tags"?: true}]}]}. The older
# inventory_convert.json's Inventory_Converter is NOT the request body (it lacks the `data` wrapper).
CONVERT_SCHEMA: tuple[str, str | None] = ("inventory_convert.request.schema.json", None)
MASS_CONVERT_SCHEMA: tuple[str, str | None] = ("inventory_mass_convert.json", "Body_Wrapper")


def json_path(parts: list[str | int]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _schema_error(error: ValidationError, *, wrapped: bool) -> CrmError:
    """Translate one jsonschema failure into CRM's answer: MANDATORY_NOT_FOUND, NOT_ALLOWED or INVALID_DATA."""
    parts: list[str | int] = list(error.absolute_path)
    rule: Any = error.validator_value  # the stubs allow "unset"; a failure always carries its rule's value
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = next(name for name in rule if name not in instance)
        return mandatory_not_found(missing, json_path([*parts, missing]), wrapped=wrapped)
    if error.validator == "additionalProperties":
        instance = error.instance if isinstance(error.instance, dict) else {}
        schema: Any = error.schema  # the stubs allow a bool or "unset"; this one failed on its properties
        allowed = set(schema.get("properties", {}))
        extra = next(name for name in instance if name not in allowed)
        parts = [*parts, extra]
    names = [p for p in parts if isinstance(p, str)]
    at = json_path(parts)
    details: dict[str, Any] = path_details(names[-1], at) if names else {"json_path": at}
    if error.validator == "const":  # carry_over_tags: false (crm-oas: "Must be true or omitted")
        return not_allowed(path_details(names[-1], at, reason="carry_over_tags can only be true"),
                           wrapped=wrapped)
    if error.validator == "type":
        expected = rule
        first = expected[0] if isinstance(expected, list) else expected
        details["expected_data_type"] = JSON_TYPES.get(first, first)
    elif error.validator == "enum":
        details["supported_values"] = list(rule)
    elif error.validator == "maxLength":
        details["maximum_length"] = rule
    return invalid_data(details, wrapped=wrapped)


def _check_schema(body: Any, schema: tuple[str, str | None], *, wrapped: bool) -> None:
    errors = list(Draft7Validator(request_schema(*schema)).iter_errors(body))
    if errors:  # the outermost problem first, a missing key before an unexpected one
        outermost = min(len(e.absolute_path) for e in errors)
        first = [e for e in errors if len(e.absolute_path) == outermost]
        required = [e for e in first if e.validator == "required"]
        raise _schema_error(required[0] if required else best_match(first), wrapped=wrapped)


def _targets(source: str, convert_to: list[dict[str, Any]], at: str, *, wrapped: bool) -> list[Target]:
    """The schema-valid `convert_to` entries (at JSON path `at`), checked against what `source` converts to."""
    if not convert_to:
        raise expected_field_missing("convert_to", at, wrapped=wrapped)
    if len(convert_to) > 1:  # seed 000 INVALID_DATA: "One module for conversion per action is allowed."
        raise invalid_data(path_details("convert_to", at), wrapped=wrapped)
    allowed = CONVERT_TARGETS[source]
    entry = convert_to[0]
    module_at = f"{at}[0].module"
    api_name, module_id = entry["module"]["api_name"], entry["module"]["id"]
    if api_name not in MODULES:
        raise invalid_data(path_details("api_name", f"{module_at}.api_name"), wrapped=wrapped)
    if api_name not in allowed:
        raise invalid_data(path_details("api_name", f"{module_at}.api_name", supported_values=list(allowed)),
                           wrapped=wrapped)
    if module_id not in MODULE_BY_ID:
        raise invalid_data(path_details("id", f"{module_at}.id"), wrapped=wrapped)
    if MODULE_BY_ID[module_id].api_name != api_name:
        raise CrmError(
            400,
            "AMBIGUITY_DURING_PROCESSING",
            "The ID given in the request body does not belong to the module named beside it",
            {"ambiguity_due_to": [path_details("api_name", f"{module_at}.api_name"),
                                  path_details("id", f"{module_at}.id")]},
            wrapped=wrapped,
        )
    # Seed 000's note: "Upon conversion, the tags will be carried over" when carry_over_tags is absent.
    return [Target(api_name, entry.get("carry_over_tags", True))]


def parse_json(raw: bytes, *, wrapped: bool) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise invalid_data({"json_path": "$", "expected_data_type": "jsonobject"}, wrapped=wrapped) from None


def convert_request(source: str, raw: bytes) -> list[Target]:
    """The targets of `POST /{source}/{id}/actions/convert`; body errors come wrapped in `data`."""
    body = parse_json(raw, wrapped=True)
    _check_schema(body, CONVERT_SCHEMA, wrapped=True)
    if not body["data"]:
        raise expected_field_missing("data", "$.data", wrapped=True)
    return _targets(source, body["data"][0]["convert_to"], "$.data[0].convert_to", wrapped=True)


def mass_convert_request(source: str, raw: bytes) -> MassConvert:
    """The IDs, targets and new owner of `POST /{source}/actions/mass_convert`; errors are bare."""
    body = parse_json(raw, wrapped=False)
    _check_schema(body, MASS_CONVERT_SCHEMA, wrapped=False)
    ids: list[str] = body["ids"]
    if not ids:
        raise expected_field_missing("ids", "$.ids")
    if len(ids) > MASS_CONVERT_MAX_IDS:
        raise limit_exceeded(MASS_CONVERT_MAX_IDS, "ids", "$.ids")
    for index, record_id in enumerate(ids):
        if not record_id.isdigit():
            raise invalid_data(path_details("ids", f"$.ids[{index}]"))
    targets = _targets(source, body["convert_to"], "$.convert_to", wrapped=False)
    owner_id = None
    if "assign_to" in body:
        owner_id = body["assign_to"]["id"]
        if owner_id not in {u["id"] for u in USERS}:
            raise invalid_data(path_details("id", "$.assign_to.id"))
    return MassConvert(ids, targets, owner_id)
