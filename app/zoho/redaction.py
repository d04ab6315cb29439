"""Keeps tokens and secrets out of logs: a redacting function and a logging filter for the room's logger."""

from __future__ import annotations

import logging
import re
import threading
import traceback

log = logging.getLogger("app.zoho")

MASK = "[redacted]"

_PATTERNS = (
    re.compile(r"(Zoho-oauthtoken\s+)[^\s,;'\"]+", re.I),
    re.compile(r"(Bearer\s+)[^\s,;'\"]+", re.I),
    re.compile(
        r"((?:access_token|refresh_token|client_secret|authtoken|id_token)"
        r"""["']?\s*[=:]\s*["']?)[^&\s,;'"}]+""",
        re.I,
    ),
    re.compile(r"([?&](?:code|state)=)[^&\s'\"]+"),
)

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def remember_secret(value: str | None) -> None:
    """Register a secret (token, client secret) so that it is masked wherever it shows up in a log."""
    if value and len(value) >= 4:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """The text with every bearer token, token/secret/code parameter and registered secret masked."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with `redact` before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose args do not fit its format: leave it to logging
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:  # a traceback's messages are redacted too
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        return True


_FILTER = RedactingFilter()


def install() -> None:
    """Attach the filter to this room's logger and to httpx's, once."""
    for name in ("app.zoho", "httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


install()
