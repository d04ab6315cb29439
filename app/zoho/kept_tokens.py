"""An access token kept between runs in the OS keyring beside its refresh token (never in a file), with its mint times.

Zoho's access token lives an hour (`expires_in` 3600) and Zoho Accounts mints at most 10 per
refresh token in 10 minutes (Zoho CRM API, OAuth "Token Validity"), so every command asking for
a new one would lock the user out after about ten commands. The token, its expiry and the times
of the tokens minted lately are kept under "<connection>:access_token" in the keyring service
that holds the refresh token, tied to that refresh token by a fingerprint: a new sign-in (a new
refresh token) never reuses the old grant's token or counts.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field

import keyring.errors
from keyring.backend import KeyringBackend

from app.zoho.redaction import remember_secret

log = logging.getLogger("app.zoho")


def fingerprint(refresh_token: str) -> str:
    """A short one-way mark of a refresh token (the keyring entry says which grant it belongs to)."""
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16]


@dataclass
class KeptToken:
    """An access token, when it expires (seconds since the epoch), its API domain and when recent tokens were minted.

    `api_domain` is the one Zoho's token answer named: a real Zoho connection finds its APIs there.
    """

    access_token: str | None = None
    expires_at: float | None = None
    minted: list[float] = field(default_factory=list)
    api_domain: str | None = None

    def to_text(self, refresh_token: str) -> str:
        return json.dumps({"for": fingerprint(refresh_token), "access_token": self.access_token,
                           "expires_at": self.expires_at, "minted": self.minted,
                           "api_domain": self.api_domain})

    @classmethod
    def from_text(cls, text: str | None, refresh_token: str) -> KeptToken | None:
        """The kept token, or None when there is none, it is unreadable or it belongs to another grant."""
        if not text:
            return None
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("for") != fingerprint(refresh_token):
                return None
            token = data.get("access_token")
            expires = data.get("expires_at")
            minted = [float(t) for t in data.get("minted") or []]
            domain = data.get("api_domain")
            kept = cls(str(token) if token else None, float(expires) if expires else None, minted,
                       str(domain) if domain else None)
        except (ValueError, TypeError):
            return None
        remember_secret(kept.access_token)
        return kept


class KeyringKeeper:
    """Loads and saves one connection's kept token in a keyring backend."""

    def __init__(self, backend: KeyringBackend, service: str, name: str, refresh_token: str) -> None:
        self.backend = backend
        self.service = service
        self.entry = f"{name}:access_token"
        self.refresh_token = refresh_token

    def load(self) -> KeptToken | None:
        try:
            text = self.backend.get_password(self.service, self.entry)
        except keyring.errors.KeyringError:
            return None
        return KeptToken.from_text(text, self.refresh_token)

    def __call__(self, kept: KeptToken) -> None:
        try:
            self.backend.set_password(self.service, self.entry, kept.to_text(self.refresh_token))
        except keyring.errors.KeyringError as exc:
            log.warning("the access token could not be kept in the keyring (%s); the next run asks "
                        "Zoho for a new one", type(exc).__name__)
