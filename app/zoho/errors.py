"""The errors the Zoho client raises: every failed answer becomes one of these, with a plain message."""

from __future__ import annotations

import re
from datetime import datetime

from app.errors import STOPPED_EARLY, ZohoBulkError


class ZohoError(ZohoBulkError):
    """A request to Zoho did not give the record asked for; `str(err)` is a plain sentence.

    `status` is the HTTP status (None when no answer came), `code` Zoho's own code,
    `message` the plain sentence and `field` the API field Zoho named, when it named one.
    The message never holds a token or secret.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"code={self.code!r}, field={self.field!r})"
        )

    @property
    def retryable(self) -> bool:
        """True for answers that say "try again later" rather than "this is wrong"."""
        return self.status in (429, 500, 502, 503, 504)


class InDoubt(ZohoError):
    """A create, update, upsert or delete was sent and its answer lost: Zoho may or may not have done it.

    The client never resends such a request; the caller reconciles (looks the record up).
    """

    exit_code = STOPPED_EARLY  # a rerun looks the record up


class QuotaSpent(ZohoError):
    """The organization's daily API quota is spent; nothing more is sent until it resets."""

    exit_code = STOPPED_EARLY

    def __init__(self, resets_at: datetime, *, status: int | None = None) -> None:
        self.resets_at = resets_at
        left = max(0, int((resets_at - datetime.now(resets_at.tzinfo)).total_seconds()))
        hours, minutes = divmod((left + 59) // 60, 60)
        super().__init__(
            f"daily quota spent, resets in {hours:02d}:{minutes:02d}", status=status, code="QUOTA"
        )


class Unreachable(ZohoError):
    """Zoho could not be reached (connection refused, connect timeout) even after the retries.

    Nothing was sent, so the caller may stop and try again later without any doubt.
    """

    exit_code = STOPPED_EARLY


class AuthError(ZohoError):
    """Signing in failed: wrong client ID or secret, revoked or expired refresh token, bad grant code."""


class MissingScope(AuthError):
    """Zoho refused a request that a token made moments ago carried: the grant lacks `scope` (or the user the right).

    Refreshing cannot cure it, so nothing is retried; `scope` names what the sign-in must include.
    """

    def __init__(self, message: str, *, scope: str | None, status: int | None = 401,
                 code: int | str | None = None) -> None:
        super().__init__(message, status=status, code=code)
        self.scope = scope


class NoKeyring(ZohoError):
    """No working OS keyring, so secrets can be neither stored nor read from it."""


_QUOTED = re.compile(r"""['"`]([A-Za-z_][A-Za-z0-9_.]*)['"`]""")
_NAMED = re.compile(r"\b(?:field|parameter|param|attribute|column|key)\s+([A-Za-z_][A-Za-z0-9_.]*)", re.I)
_SNAKE = re.compile(r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:\.[a-z0-9_]+)*)\b")
_NOT_FIELDS = {"organization_id", "is", "the", "a", "an", "value", "values", "name", "must", "cannot"}


def field_named_in(message: str) -> str | None:
    """The API field a Zoho message names ("Invalid value passed for customer_id" -> "customer_id")."""
    for pattern in (_QUOTED, _NAMED, _SNAKE):
        for match in pattern.finditer(message):
            name = match.group(1).strip(".")
            if name.lower() not in _NOT_FIELDS:
                return name
    return None
