"""Offline OAuth of the sandbox: grant codes, refresh tokens with their scopes, counted and expiring access tokens.

An access token carries the scopes its grant was made for (app.sandbox.grants): the built-in
refresh token and Self Client code grant everything, `sandbox-refresh-books` and
`sandbox-grant-books` only the Books scopes, a browser sign-in the `scope` it asked for. With
``token_limit`` set (Zoho's is 10 per refresh token in 10 minutes), a refresh past it is answered
HTTP 200 "Access Denied" as Zoho Accounts does; off by default, as the test suite mints freely.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from app.sandbox import grants
from app.sandbox.errors import NOT_AUTHORIZED, BooksError
from app.sandbox.grants import BOOKS_ONLY
from app.sandbox.settings import SandboxSettings
from app.sandbox.store import Store

CLIENT_ID = "sandbox-client"
CLIENT_SECRET = "sandbox-secret"
REFRESH_TOKEN = "sandbox-refresh"  # full scopes: what every existing tool and test signs in with
BOOKS_REFRESH_TOKEN = "sandbox-refresh-books"  # a grant made for Books alone (no CRM scope)
SELF_CLIENT_CODE = "sandbox-grant"  # a Self Client grant code that never runs out (full scopes)
BOOKS_SELF_CLIENT_CODE = "sandbox-grant-books"  # the same for a Books-only grant
CODE_TTL_S = 600.0
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Zoho Accounts past its 10 access tokens per refresh token in 10 minutes: HTTP 200 and this body
# (Zoho CRM "Token Validity" v3-v8: "Access Denied"; Kaizen #43: "The status code ... remains 200").
ACCESS_DENIED = {"error_description": "You have made too many requests continuously. "
                                      "Please try again after some time.",
                 "error": "Access Denied", "status": "failure"}
SCOPE_TABLE = """CREATE TABLE IF NOT EXISTS refresh_token_scopes (
    token TEXT PRIMARY KEY, scopes TEXT NOT NULL)"""


@dataclass
class AccessToken:
    expires_at: float
    uses_left: int | None
    scopes: frozenset[str] | None = None  # None: full access


class ScopeMismatch(BooksError):
    """401 for a valid token whose grant does not cover the request (Books code 57; CRM OAUTH_SCOPE_MISMATCH)."""

    def __init__(self, scope: str) -> None:
        super().__init__(401, NOT_AUTHORIZED, "You are not authorized to perform this operation")
        self.scope = scope


class TokenBook:
    """Grant codes and access tokens in memory; refresh tokens (and their scopes) in the sandbox file."""

    def __init__(self, store: Store, settings: SandboxSettings) -> None:
        self.store = store
        self.settings = settings
        self.lock = threading.Lock()
        self.codes: dict[str, tuple[str, float, frozenset[str] | None]] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.minted: dict[str, list[float]] = {}  # refresh token -> when each access token was minted
        with store.transaction() as conn:
            conn.execute(SCOPE_TABLE)
        store.add_refresh_token(REFRESH_TOKEN, CLIENT_ID)
        self.add_refresh_token(BOOKS_REFRESH_TOKEN, CLIENT_ID, BOOKS_ONLY)

    def add_refresh_token(self, token: str, client_id: str, scopes: frozenset[str] | None) -> None:
        self.store.add_refresh_token(token, client_id)
        if scopes is not None:
            with self.store.transaction() as conn:
                conn.execute("INSERT OR REPLACE INTO refresh_token_scopes VALUES (?, ?)",
                             (token, ",".join(sorted(scopes))))

    def scopes_of(self, refresh_token: str) -> frozenset[str] | None:
        with self.store.transaction() as conn:
            row = conn.execute("SELECT scopes FROM refresh_token_scopes WHERE token = ?",
                               (refresh_token,)).fetchone()
        return grants.parse(row[0]) if row else None

    def issue(self, refresh_token: str = REFRESH_TOKEN) -> str:
        """A new access token with the scopes of `refresh_token`'s grant (not counted: tests' shortcut)."""
        token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        uses = self.settings.token_uses or None
        scopes = self.scopes_of(refresh_token)
        with self.lock:
            self.tokens[token] = AccessToken(
                self.settings.clock() + self.settings.token_ttl_s, uses, scopes
            )
        return token

    def mint(self, refresh_token: str) -> str | None:
        """An access token asked for at the token endpoint; None past the limit of the window (Access Denied)."""
        now = self.settings.clock()
        limit, window = self.settings.token_limit, self.settings.token_window_s
        with self.lock:
            times = self.minted.setdefault(refresh_token, [])
            if limit and sum(1 for t in times if now - t < window) >= limit:
                return None
            times.append(now)
        return self.issue(refresh_token)

    def use(self, token: str, method: str = "GET", path: str = "/", family: str = "books") -> None:
        """Count one use of ``token`` for a request; raises the 401 it earns (unknown, expired, out of scope)."""
        with self.lock:
            entry = self.tokens.get(token)
            if entry is None:
                raise BooksError(401, NOT_AUTHORIZED, "You are not authorized: invalid oauth token")
            if self.settings.clock() >= entry.expires_at:
                raise BooksError(401, NOT_AUTHORIZED, "You are not authorized: the access token has expired")
            if entry.uses_left is not None:
                if entry.uses_left <= 0:
                    raise BooksError(401, NOT_AUTHORIZED,
                                     "You are not authorized: the access token has expired")
                entry.uses_left -= 1
        scope = grants.needed(family, method, path)
        if not grants.covers(entry.scopes, scope):
            raise ScopeMismatch(scope or "")

    def new_code(self, client_id: str, scopes: frozenset[str] | None = None) -> str:
        code = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        with self.lock:
            self.codes[code] = (client_id, self.settings.clock() + CODE_TTL_S, scopes)
        return code

    def take_code(self, code: str, client_id: str) -> tuple[bool, frozenset[str] | None]:
        """(valid, the grant's scopes: None for full access); a code works once."""
        if code == SELF_CLIENT_CODE:
            return client_id == CLIENT_ID, None
        if code == BOOKS_SELF_CLIENT_CODE:
            return client_id == CLIENT_ID, BOOKS_ONLY
        with self.lock:
            entry = self.codes.pop(code, None)
        valid = entry is not None and entry[0] == client_id and self.settings.clock() < entry[1]
        return valid, entry[2] if entry else None


def root_url(request: Request) -> str:
    """The root URL this request came to, e.g. http://127.0.0.1:8777."""
    return str(request.base_url).rstrip("/")


def oauth_error(error: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status)


def oauth_routes(book: TokenBook) -> list[Route]:
    async def token(request: Request) -> Response:
        params: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        if body:
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                return oauth_error("invalid_request")
            params.update({k: v[0] for k, v in form.items()})
        grant = params.get("grant_type")
        client_id = params.get("client_id", "")
        if grant not in ("authorization_code", "refresh_token"):
            return oauth_error("unsupported_grant_type")
        if client_id != CLIENT_ID or params.get("client_secret") != CLIENT_SECRET:
            return oauth_error("invalid_client", 401)
        answer: dict[str, Any] = {}
        if grant == "authorization_code":
            valid, scopes = book.take_code(params.get("code", ""), client_id)
            if not valid:
                return oauth_error("invalid_code")
            refresh = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
            book.add_refresh_token(refresh, client_id, scopes)
            answer["refresh_token"] = refresh
        else:
            refresh = params.get("refresh_token", "")
            if book.store.refresh_token_client(refresh) != client_id:
                return oauth_error("invalid_code")
        access = book.mint(refresh)
        if access is None:
            return JSONResponse(ACCESS_DENIED)
        granted = book.scopes_of(refresh)
        return JSONResponse(
            {
                "access_token": access,
                **answer,
                "scope": " ".join(sorted(granted or grants.FULL)),
                "api_domain": root_url(request),
                "token_type": "Bearer",
                "expires_in": int(book.settings.token_ttl_s),
            }
        )

    async def auth(request: Request) -> Response:
        params = request.query_params
        if params.get("client_id") != CLIENT_ID:
            return oauth_error("invalid_client")
        redirect_uri = params.get("redirect_uri", "")
        target = urlsplit(redirect_uri)
        if target.scheme != "http" or (target.hostname or "") not in LOOPBACK_HOSTS:
            return oauth_error("invalid_redirect_uri")
        scopes = grants.parse(params.get("scope", "")) or None
        query = {"code": book.new_code(CLIENT_ID, scopes), "location": "us",
                 "accounts-server": root_url(request)}
        if params.get("state") is not None:
            query["state"] = params["state"]
        joiner = "&" if target.query else "?"
        return RedirectResponse(f"{redirect_uri}{joiner}{urlencode(query)}", status_code=302)

    return [
        Route("/oauth/v2/token", token, methods=["POST"]),
        Route("/oauth/v2/auth", auth, methods=["GET"]),
    ]
