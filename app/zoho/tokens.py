"""Access tokens from Zoho's OAuth server: grant-code exchange, refresh before expiry, one refresh at a time.

A `TokenSource` holds one client's credentials and its refresh token. It hands out the current
access token, refreshes it shortly before it expires and when Zoho answers 401, and makes sure
only one refresh is in flight however many requests wait for it. The refresh token is reused for
every refresh and every run (Zoho keeps only 20 per user and client and silently drops the
oldest), so nothing here ever asks for a new one except the first grant-code exchange.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from app.zoho.errors import AuthError, Unreachable, ZohoError
from app.zoho.redaction import remember_secret
from app.zoho.tls import tls_context

log = logging.getLogger("app.zoho")

SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"  # the sandbox's public, built-in demo credentials
SANDBOX_REFRESH_TOKEN = "sandbox-refresh"

_OAUTH_ERRORS = {
    "invalid_client": "Zoho does not know this client ID, or the client secret is wrong",
    "invalid_client_secret": "the client secret is wrong",
    "invalid_code": (
        "the grant code or refresh token is wrong, expired or already used "
        "(a Self Client grant code lasts only a few minutes and works once)"
    ),
    "invalid_grant": "the grant code or refresh token is wrong, expired or revoked",
    "invalid_redirect_uri": "the redirect URI does not match the one registered for this client",
    "access_denied": "the sign-in was declined",
    "unauthorized_client": "this client may not use this kind of sign-in",
}


def _plain_oauth_error(error: str) -> str:
    return _OAUTH_ERRORS.get(error, f"Zoho refused the sign-in ({error})")


class TokenSource:
    """The access tokens of one Zoho client and refresh token; share one per connection."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str | None,
        *,
        access_token: str | None = None,
        expires_in: float | None = None,
        api_domain: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        refresh_margin_s: float = 60.0,
        timeout_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._access_token = access_token
        self._clock = clock
        self._expires_at = clock() + expires_in if access_token and expires_in else None
        self.api_domain = api_domain.rstrip("/") if api_domain else None
        self.transport = transport
        self.refresh_margin_s = refresh_margin_s
        self.timeout_s = timeout_s
        self.refreshes = 0
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        for secret in (client_secret, refresh_token, access_token):
            remember_secret(secret)

    def __repr__(self) -> str:
        return f"TokenSource(token_url={self.token_url!r}, client_id={self.client_id!r})"

    @classmethod
    def for_sandbox(
        cls, root_url: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> TokenSource:
        """The sandbox's built-in client and refresh token, for a sandbox at `root_url`."""
        root = root_url.rstrip("/")
        return cls(
            f"{root}/oauth/v2/token",
            SANDBOX_CLIENT_ID,
            SANDBOX_CLIENT_SECRET,
            SANDBOX_REFRESH_TOKEN,
            transport=transport,
        )

    @classmethod
    async def exchange_code(
        cls,
        token_url: str,
        client_id: str,
        client_secret: str,
        code: str,
        *,
        redirect_uri: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> TokenSource:
        """Exchange a grant code (Self Client or browser sign-in) for a refresh token, once."""
        remember_secret(code)
        form = {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": client_secret,
            "code": code,
        }
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        answer = await _post_token(token_url, form, transport, 30.0)
        refresh_token = answer.get("refresh_token")
        if not refresh_token:
            raise AuthError(
                "Zoho gave no refresh token for this grant code; generate a new code "
                "(with access_type=offline) and try again"
            )
        return cls(
            token_url,
            client_id,
            client_secret,
            str(refresh_token),
            access_token=str(answer["access_token"]),
            expires_in=float(answer.get("expires_in") or 3600),
            api_domain=answer.get("api_domain"),
            transport=transport,
        )

    @property
    def refresh_token(self) -> str | None:
        """The long-lived refresh token, for the caller to store in the keyring (never in a file)."""
        return self._refresh_token

    @property
    def current(self) -> str | None:
        """The access token last handed out, without refreshing."""
        return self._access_token

    def _fresh(self) -> bool:
        if not self._access_token:
            return False
        return self._expires_at is None or self._clock() < self._expires_at - self.refresh_margin_s

    async def access_token(self) -> str:
        """A valid access token, refreshed first when it is missing or about to expire."""
        if self._fresh():
            return self._access_token  # type: ignore[return-value]
        return await self.refresh(stale=self._access_token)

    async def refresh(self, stale: str | None = None) -> str:
        """A new access token, unless another caller already replaced `stale`: one refresh at a time."""
        async with self._refresh_lock():
            if self._access_token and self._access_token != stale and self._fresh():
                return self._access_token
            if not self._refresh_token:
                raise AuthError("no refresh token: sign in again (connections add)")
            answer = await _post_token(
                self.token_url,
                {
                    "grant_type": "refresh_token",
                    "refresh_token": self._refresh_token,
                    "client_id": self.client_id,
                    "client_secret": self._client_secret,
                },
                self.transport,
                self.timeout_s,
            )
            token = str(answer["access_token"])
            remember_secret(token)
            self._access_token = token
            self._expires_at = self._clock() + float(answer.get("expires_in") or 3600)
            if answer.get("api_domain"):
                self.api_domain = str(answer["api_domain"]).rstrip("/")
            self.refreshes += 1
            log.info("access token refreshed (refresh number %d)", self.refreshes)
            return token

    def _refresh_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock


async def _post_token(
    token_url: str,
    form: dict[str, str],
    transport: httpx.AsyncBaseTransport | None,
    timeout_s: float,
    attempts: int = 3,
) -> dict[str, Any]:
    """POST a form to the token endpoint; Zoho's errors (often HTTP 200 with `error`) become AuthError."""
    last: ZohoError | None = None
    for attempt in range(attempts):
        if attempt:
            await asyncio.sleep(0.5 * 2 ** (attempt - 1))
        try:
            async with httpx.AsyncClient(transport=transport, verify=tls_context(), timeout=timeout_s) as client:
                response = await client.post(token_url, data=form, headers={"Accept": "application/json"})
        except httpx.TransportError as exc:
            unreached = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
            last = (Unreachable if unreached else ZohoError)(
                f"could not reach Zoho's sign-in server at {httpx.URL(token_url).host}")
            continue
        if response.status_code >= 500 or response.status_code == 429:
            last = ZohoError(
                f"Zoho's sign-in server is not answering properly (HTTP {response.status_code})",
                status=response.status_code,
            )
            continue
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise AuthError(
                f"Zoho's sign-in server answered with something other than data (HTTP {response.status_code})",
                status=response.status_code,
            )
        if answer.get("error") or "access_token" not in answer:
            error = str(answer.get("error") or "no access token in the answer")
            raise AuthError(
                f"sign-in failed: {_plain_oauth_error(error)}", status=response.status_code, code=error
            )
        return answer
    assert last is not None
    raise last
