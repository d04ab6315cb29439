"""Request bodies: JSON or the older `JSONString` form field, checked field by field against a spec."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request

from app.sandbox.errors import (
    BODY_TOO_LARGE,
    MALFORMED_JSON,
    BooksError,
    invalid,
    too_long,
    unknown_field,
)

MAX_BODY_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_LENGTH = 10_000  # the sandbox's own cap for any string without a documented one
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class F:
    """How one field is checked: kind is str, id, num, bool, date, obj, list, any or readonly."""

    kind: str
    max_length: int | None = None
    children: dict[str, F] | None = None


Spec = dict[str, F]


def _form_field(body: bytes, name: str) -> str | None:
    """The value of a multipart or url-encoded form field, whatever Content-Type claims."""
    if body.startswith(b"--"):
        boundary = body.split(b"\r\n", 1)[0].split(b"\n", 1)[0].strip()
        for part in body.split(boundary):
            head, sep, value = part.partition(b"\r\n\r\n")
            if not sep:
                head, sep, value = part.partition(b"\n\n")
            if sep and re.search(rb'name="?' + name.encode() + rb'"?', head):
                text = value.rstrip(b"\r\n").decode("utf-8", errors="strict")
                return text
        return None
    fields = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    values = fields.get(name)
    return values[0] if values else None


async def read_payload(request: Request) -> dict[str, Any]:
    """The JSON object a write request carries; a Zoho-style 400 when there is none."""
    data = await read_json(request)
    if not isinstance(data, dict):
        raise BooksError(400, MALFORMED_JSON, "JSON is not well formed: expected an object")
    return data


async def read_json(request: Request) -> Any:
    """The JSON value (object or array) a write request carries, from its body or JSONString."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise BooksError(413, BODY_TOO_LARGE, "The request body is too large")
    content_type = request.headers.get("content-type", "").lower()
    try:
        if "json" in content_type or (body.lstrip()[:1] in (b"{", b"[")):
            text: str | None = body.decode("utf-8")
        elif body:
            text = _form_field(body, "JSONString")
        else:
            text = request.query_params.get("JSONString")
    except UnicodeDecodeError:
        raise BooksError(400, MALFORMED_JSON, "JSON is not well formed: not UTF-8") from None
    if text is None or not text.strip():
        raise BooksError(400, MALFORMED_JSON, "JSONString is required: the request has no JSON body")
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"' and text[1:2] == "{":
        text = text[1:-1]  # curl -F 'JSONString="{...}"' as the older docs write it
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise BooksError(400, MALFORMED_JSON, "JSON is not well formed") from None
    return data


def check(data: dict[str, Any], spec: Spec, prefix: str = "") -> dict[str, Any]:
    """Refuse unknown fields and wrong types; return the writable fields, coerced."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        f = spec.get(key)
        if f is None:
            raise unknown_field(path)
        if f.kind == "readonly":
            continue
        out[key] = coerce(value, f, path)
    return out


def coerce(value: Any, f: F, path: str) -> Any:
    if value is None:
        return None
    kind = f.kind
    if kind == "str":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise invalid(path, "expected text")
        text = str(value)
        limit = f.max_length or DEFAULT_MAX_LENGTH
        if len(text) > limit:
            raise too_long(path, limit)
        return text
    if kind == "id":
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise invalid(path, "expected an ID")
        text = str(value).strip()
        if len(text) > 50:
            raise too_long(path, 50)
        return text
    if kind == "num":
        if isinstance(value, bool):
            raise invalid(path, "expected a number")
        if isinstance(value, int | float):
            return value
        if isinstance(value, str):
            try:
                return float(value.strip()) if value.strip() else None
            except ValueError:
                raise invalid(path, "expected a number") from None
        raise invalid(path, "expected a number")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise invalid(path, "expected true or false")
    if kind == "date":
        if not isinstance(value, str):
            raise invalid(path, "expected a date as YYYY-MM-DD")
        if value == "":
            return ""
        if not DATE.match(value):
            raise invalid(path, "expected a date as YYYY-MM-DD")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise invalid(path, "not a calendar date") from None
        return value
    if kind == "obj":
        if not isinstance(value, dict):
            raise invalid(path, "expected an object")
        return check(value, f.children or {}, f"{path}.")
    if kind == "list":
        if not isinstance(value, list):
            raise invalid(path, "expected a list")
        items = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise invalid(f"{path}[{i}]", "expected an object")
            items.append(check(item, f.children or {}, f"{path}[{i}]."))
        return items
    check_lengths(value, path)
    return value


def check_lengths(value: Any, path: str) -> None:
    """Refuse any string deeper inside a free-form value that passes the sandbox's cap."""
    if isinstance(value, str) and len(value) > DEFAULT_MAX_LENGTH:
        raise too_long(path, DEFAULT_MAX_LENGTH)
    if isinstance(value, dict):
        for k, v in value.items():
            check_lengths(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            check_lengths(v, f"{path}[{i}]")


def S(max_length: int | None = None) -> F:
    return F("str", max_length)


ID = F("id")
NUM = F("num")
BOOL = F("bool")
DATEF = F("date")
ANY = F("any")
RO = F("readonly")

ADDRESS: Spec = {
    "attention": S(100), "address": S(500), "street2": S(255), "state_code": S(10),
    "city": S(100), "state": S(100), "zip": S(50), "country": S(100), "fax": S(50),
    "phone": S(50), "address_id": RO,
}
CUSTOM_FIELD: Spec = {
    "customfield_id": ID, "api_name": S(100), "label": S(100), "index": NUM, "value": ANY,
    "data_type": RO, "is_unique": RO, "placeholder": RO, "show_on_pdf": RO,
}
