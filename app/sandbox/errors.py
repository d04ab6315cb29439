"""Zoho-style error answers of the sandbox: one exception carrying HTTP status, code and message."""

from __future__ import annotations

from starlette.responses import JSONResponse

# Zoho Books codes the seeds show, plus the sandbox's own (see app/sandbox/__init__.py).
SUCCESS = 0
UNKNOWN_FIELD = 2
INVALID_VALUE = 4
INVALID_URL = 5
ORGANIZATION_REQUIRED = 6
REQUIRED = 11
TOO_LONG = 15
BODY_TOO_LARGE = 16
METHOD_NOT_ALLOWED = 37
RATE_LIMITED = 44
DAILY_QUOTA_SPENT = 45
TOO_MANY_CONCURRENT = 46
NOT_AUTHORIZED = 57
INTERNAL_ERROR = 1000
ALREADY_EXISTS = 1001
NOT_FOUND = 1002
MALFORMED_JSON = 1038
UNKNOWN_ORGANIZATION = 6041

MAX_MESSAGE = 300


class BooksError(Exception):
    """A refused Books request: answered with ``{"code": code, "message": message}``."""

    def __init__(self, status: int, code: int, message: str) -> None:
        if len(message) > MAX_MESSAGE:  # never echo a megabyte of the request back
            message = message[: MAX_MESSAGE - 3] + "..."
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> JSONResponse:
        return JSONResponse({"code": self.code, "message": self.message}, status_code=self.status)


def invalid(field: str, why: str = "") -> BooksError:
    """400: a value that is present but wrong (type, date, unknown ID, bad choice)."""
    detail = f" ({why})" if why else ""
    return BooksError(400, INVALID_VALUE, f"Invalid value passed for {field}{detail}")


def required(field: str) -> BooksError:
    """400: a required field is missing or empty."""
    return BooksError(400, REQUIRED, f"{field} is required")


def too_long(field: str, limit: int) -> BooksError:
    """400: a string longer than the field allows."""
    return BooksError(400, TOO_LONG, f"{field} must be at most {limit} characters")


def unknown_field(field: str) -> BooksError:
    """400: a field this record type does not have."""
    return BooksError(400, UNKNOWN_FIELD, f"Invalid field {field}: not a field of this record")


def not_found(what: str) -> BooksError:
    """404 code 1002: an unknown record ID."""
    return BooksError(404, NOT_FOUND, f"{what} does not exist.")


def already_exists(field: str, value: str) -> BooksError:
    """400 code 1001: a number or unique value that another record already has."""
    return BooksError(400, ALREADY_EXISTS, f"{field} {value!r} already exists")
