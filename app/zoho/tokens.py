"""Access tokens from Zoho's OAuth server: grant-code exchange, kept tokens, counted refreshes, 401s judged.

A `TokenSource` holds one client's credentials and its refresh token. It hands out the current
access token, reuses a token kept from an earlier run until a minute before it expires, and
makes sure only one refresh is in flight however many requests wait for it. The refresh token is
reused for every refresh and every run (Zoho keeps only 20 per user and client and silently
drops the oldest), so nothing here ever asks for a new one except the first grant-code exchange.

Rules from Zoho's OAuth pages (Zoho CRM API, OAuth "Token Validity"; Zoho Books API, OAuth):

* Zoho Accounts mints at most 10 access tokens per refresh token in 10 minutes, then answers
  HTTP 200 "Access Denied" for the rest of the window. The source counts the tokens it minted
  (kept with the token between runs) and never asks for an 11th within ten minutes: it waits
  when the window frees up within `mint_wait_s`, else it says why and when to run again.
* Books answers a call outside the granted scopes with 401 code 57, the answer an expired token
  gets. A 401 is answered by at most one refresh. A 401 on a token minted in this run that no
  request of the same scope got through with is a missing scope or permission: `MissingScope`
  names the scope (app.zoho.scopes) and nothing is retried. CRM says which: INVALID_TOKEN is a
  token to refresh, OAUTH_SCOPE_MISMATCH a missing scope.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from app.zoho.errors import AuthError, MissingScope, Unreachable, ZohoError
from app.zoho.kept_tokens import KeptToken
from app.zoho.redaction import remember_secret
from app.zoho.scopes import Need
from app.zoho.tls import tls_context

log = logging.getLogger("app.zoho")

SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"  # the sandbox's public, built-in demo credentials
SANDBOX_REFRESH_TOKEN = "sandbox-refresh"
MINT_LIMIT = 10  # access tokens per refresh token ...
MINT_WINDOW_S = 600.0  # ... in ten minutes (Zoho CRM "Token Validity"; Kaizen #43)
MINT_WAIT_S = 60.0  # the longest a refresh waits for the window to free up
ACCESS_DENIED = "Access Denied"  # Zoho's answer past the ten tokens (HTTP 200)

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
    ACCESS_DENIED: (
        "Zoho refuses new access tokens for now: more than 10 were asked for with this sign-in "
        "within ten minutes (by this tool or another program sharing the refresh token); "
        "wait ten minutes and run again"
    ),
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
        kept: KeptToken | None = None,
        keep: Callable[[KeptToken], None] | None = None,
        mint_limit: int | None = MINT_LIMIT,
        mint_window_s: float = MINT_WINDOW_S,
        mint_wait_s: float = MINT_WAIT_S,
        refresh_margin_s: float = 60.0,
        timeout_s: float = 30.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._clock = clock
        self._sleep = sleep
        self._access_token = access_token
        self._expires_at = clock() + expires_in if access_token and expires_in else None
        self._minted: list[float] = []
        if kept is not None:
            self._minted = list(kept.minted)
            if access_token is None and kept.access_token:
                self._access_token, self._expires_at = kept.access_token, kept.expires_at
                api_domain = api_domain or kept.api_domain
        self._keep = keep
        self.api_domain = api_domain.rstrip("/") if api_domain else None
        self.transport = transport
        self.mint_limit = mint_limit
        self.mint_window_s = mint_window_s
        self.mint_wait_s = mint_wait_s
        self.refresh_margin_s = refresh_margin_s
        self.timeout_s = timeout_s
        self.refreshes = 0
        self._made_here: set[str] = {access_token} if access_token else set()
        self._accepted: set[tuple[str, str]] = set()
        self._in_flight: dict[str, int] = {}
        self._settled: dict[str, list[asyncio.Future[None]]] = {}
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        for secret in (client_secret, refresh_token, access_token):
            remember_secret(secret)

    def __repr__(self) -> str:
        return f"TokenSource(token_url={self.token_url!r}, client_id={self.client_id!r})"

    @classmethod
    def for_sandbox(
        cls, root_url: str, transport: httpx.AsyncBaseTransport | None = None, *,
        refresh_token: str = SANDBOX_REFRESH_TOKEN, mint_limit: int | None = None,
    ) -> TokenSource:
        """The sandbox's built-in client and refresh token, for a sandbox at `root_url`.

        The sandbox mints without limit unless started with one (its --token-limit), so these
        tokens are not counted unless `mint_limit` says to.
        """
        root = root_url.rstrip("/")
        return cls(
            f"{root}/oauth/v2/token",
            SANDBOX_CLIENT_ID,
            SANDBOX_CLIENT_SECRET,
            refresh_token,
            transport=transport,
            mint_limit=mint_limit,
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
        tokens = cls(
            token_url,
            client_id,
            client_secret,
            str(refresh_token),
            access_token=str(answer["access_token"]),
            expires_in=float(answer.get("expires_in") or 3600),
            api_domain=answer.get("api_domain"),
            transport=transport,
        )
        tokens._minted.append(tokens._clock())
        return tokens

    @property
    def refresh_token(self) -> str | None:
        """The long-lived refresh token, for the caller to store in the keyring (never in a file)."""
        return self._refresh_token

    @property
    def current(self) -> str | None:
        """The access token last handed out, without refreshing."""
        return self._access_token

    @property
    def kept(self) -> KeptToken:
        """What is worth keeping between runs: the token, its expiry, the recent mint times."""
        return KeptToken(self._access_token, self._expires_at, list(self._minted), self.api_domain)

    def keep_with(self, keep: Callable[[KeptToken], None]) -> None:
        """Keep the token with `keep` from now on, and now (a sign-in's first token, for the next run)."""
        self._keep = keep
        keep(self.kept)

    def _fresh(self) -> bool:
        if not self._access_token:
            return False
        return self._expires_at is None or self._clock() < self._expires_at - self.refresh_margin_s

    async def access_token(self) -> str:
        """A valid access token, refreshed first when it is missing or about to expire."""
        if self._fresh():
            return self._access_token  # type: ignore[return-value]  # _fresh(): there is a token
        return await self.refresh(stale=self._access_token)

    async def refresh(self, stale: str | None = None) -> str:
        """A new access token, unless another caller already replaced `stale`: one refresh at a time."""
        async with self._refresh_lock():
            if self._access_token and self._access_token != stale and self._fresh():
                return self._access_token
            if not self._refresh_token:
                raise AuthError("no refresh token: sign in again (connections add)")
            await self._wait_for_mint_window()
            try:
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
            except AuthError as exc:
                if exc.code == ACCESS_DENIED:  # the window is full, whoever filled it: none for ten minutes
                    self._minted = [self._clock()] * (self.mint_limit or MINT_LIMIT)
                    self._save()
                raise
            token = str(answer["access_token"])
            remember_secret(token)
            self._access_token = token
            self._made_here.add(token)
            now = self._clock()
            self._expires_at = now + float(answer.get("expires_in") or 3600)
            self._minted.append(now)
            if answer.get("api_domain"):
                self.api_domain = str(answer["api_domain"]).rstrip("/")
            self.refreshes += 1
            self._save()
            log.info("access token refreshed (refresh number %d)", self.refreshes)
            return token

    async def _wait_for_mint_window(self) -> None:
        """Never ask for an 11th token in ten minutes: wait for the window if it frees up soon, else say why."""
        now = self._clock()
        self._minted = sorted(t for t in self._minted if now - t < self.mint_window_s)
        if not self.mint_limit or len(self._minted) < self.mint_limit:
            return
        wait = self._minted[-self.mint_limit] + self.mint_window_s - now
        if wait > self.mint_wait_s:
            minutes = int(wait + 59) // 60
            raise AuthError(
                f"{self.mint_limit} access tokens were asked for with this sign-in in the last ten "
                f"minutes, and Zoho refuses more (it would answer \"Access Denied\" for the rest of "
                f"the ten minutes); run again in {minutes} minute{'s' if minutes != 1 else ''}",
                code="TOKEN_LIMIT",
            )
        log.warning("waiting %.0f s for a new access token: Zoho mints at most %d in ten minutes",
                    wait, self.mint_limit)
        await self._sleep(wait)
        now = self._clock()
        self._minted = [t for t in self._minted if now - t < self.mint_window_s]

    def _save(self) -> None:
        if self._keep is not None:
            self._keep(self.kept)

    # --- what Zoho did with each token: the evidence a 401 is judged by ------------------------

    def sending(self, token: str) -> None:
        """A request goes out with `token`."""
        self._in_flight[token] = self._in_flight.get(token, 0) + 1

    def answered(self, token: str, scope: str, accepted: bool) -> None:
        """The request sent with `token` for `scope` came back; `accepted`: not refused with 401."""
        self._in_flight[token] = max(0, self._in_flight.get(token, 1) - 1)
        if accepted:
            self._accepted.add((token, scope))
        if accepted or not self._in_flight[token]:
            for waiter in self._settled.pop(token, []):
                if not waiter.done():
                    waiter.set_result(None)

    async def _settle(self, token: str, scope: str) -> None:
        """Wait until no request with `token` is out, or one of `scope` got through with it."""
        while self._in_flight.get(token) and (token, scope) not in self._accepted:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._settled.setdefault(token, []).append(waiter)
            await waiter

    async def after_401(self, token: str, need: Need | None, error: ZohoError, *, refreshed: bool) -> None:
        """Judge a 401 on `token`: refresh once (the caller sends again), or raise MissingScope.

        `refreshed`: this request already refreshed once for an earlier 401.
        """
        scope = need.scope if need else "?"
        if error.code == "OAUTH_SCOPE_MISMATCH":
            raise self.missing_scope(need, error)
        if error.code != "INVALID_TOKEN" and token in self._made_here:
            await self._settle(token, scope)
            used = any(t == token for t, _ in self._accepted)
            if (token, scope) not in self._accepted and (refreshed or not used):
                raise self.missing_scope(need, error)
        await self.refresh(stale=token)

    def missing_scope(self, need: Need | None, error: ZohoError) -> MissingScope:
        """The plain message of a refusal that a fresh token does not cure."""
        if need is None:
            return MissingScope(
                f"Zoho refused the request with an access token made moments ago ({error.message}): "
                "the sign-in lacks a scope this call needs, or the Zoho user lacks the permission",
                scope=None, status=error.status, code=error.code)
        crm = " --crm" if need.crm else ""
        return MissingScope(
            f"Zoho refused to {need.what}: this needs scope {need.scope}, which this connection's "
            f"sign-in does not grant (or the Zoho user lacks the permission). Sign in again with a "
            f"grant that includes it (zoho-bulk connections add NAME{crm} ...; "
            f"zoho-bulk connections scopes{crm} lists them). Zoho said: {error.message}",
            scope=need.scope, status=error.status, code=error.code)

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
