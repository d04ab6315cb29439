"""Zoho CRM v8 error answers of the sandbox: one exception type that knows its HTTP status and body."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class CrmError(Exception):
    """A CRM error answer: `code`, `details`, `message`, `status: "error"`.

    `wrapped` answers put the error inside `{"data": [...]}` (errors about the request body's
    items, as CRM does for per-item errors); otherwise the error object is the whole body.
    """

    def __init__(
        self,
        http_status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        wrapped: bool = False,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.http_status = http_status
        self.code = code
        self.message = message
        self.details = details or {}
        self.wrapped = wrapped

    def body(self) -> dict[str, Any]:
        error = {"code": self.code, "details": self.details, "message": self.message, "status": "error"}
        return {"data": [error]} if self.wrapped else error

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.http_status)


def path_details(api_name: str, json_path: str, **extra: Any) -> dict[str, Any]:
    """CRM's `{"api_name", "json_path"}` details, plus e.g. `expected_data_type`."""
    return {"api_name": api_name, "json_path": json_path, **extra}


def invalid_data(details: dict[str, Any], *, wrapped: bool = False) -> CrmError:
    return CrmError(400, "INVALID_DATA", "invalid data", details, wrapped=wrapped)


def not_allowed(details: dict[str, Any], *, wrapped: bool = False) -> CrmError:
    """crm-oas inventory_convert Not_Allowed_Exception (e.g. carry_over_tags false)."""
    return CrmError(400, "NOT_ALLOWED", "not allowed", details, wrapped=wrapped)


def mandatory_not_found(api_name: str, json_path: str, *, wrapped: bool = False) -> CrmError:
    return CrmError(
        400, "MANDATORY_NOT_FOUND", "required field not found", path_details(api_name, json_path), wrapped=wrapped
    )


def expected_field_missing(api_name: str, json_path: str, *, wrapped: bool = False) -> CrmError:
    return CrmError(
        400,
        "EXPECTED_FIELD_MISSING",
        "Specify atleast one field",
        {"expected_fields": [path_details(api_name, json_path)]},
        wrapped=wrapped,
    )


def invalid_url_pattern() -> CrmError:
    return CrmError(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one")


def invalid_module() -> CrmError:
    return CrmError(400, "INVALID_MODULE", "the module name given seems to be invalid", {"resource_path_index": 0})


def id_of_another_module() -> CrmError:
    """A conversion's record ID belongs to another module than the one it is converted from."""
    return CrmError(400, "AMBIGUITY_DURING_PROCESSING",
                    "The ID given does not belong to the module it is converted from",
                    {"ambiguity_due_to": [path_details("id", "$.id")]}, wrapped=True)


def invalid_record_id() -> CrmError:
    return invalid_data({"resource_path_index": 1})


def invalid_request_method() -> CrmError:
    return CrmError(400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one")


def required_param_missing(param_name: str) -> CrmError:
    return CrmError(400, "REQUIRED_PARAM_MISSING", "invalid data", {"param_name": param_name})


def limit_exceeded(limit: int, api_name: str, json_path: str) -> CrmError:
    return CrmError(
        400,
        "LIMIT_EXCEEDED",
        f"at most {limit} allowed",
        {"limit": limit, "limit_due_to": [path_details(api_name, json_path)]},
    )


def discrete_pagination_limit_exceeded(limit: int) -> CrmError:
    return CrmError(
        400,
        "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
        "You can only get the first 2000 records without using page_token param.",
        {"limit": limit},
    )


def too_many_requests(limit: int) -> CrmError:
    return CrmError(
        429,
        "TOO_MANY_REQUESTS",
        "The number of concurrent requests exceeds the limit",
        {"concurrency_limit": limit},
    )
