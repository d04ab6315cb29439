"""Offline OAuth of the sandbox: grant codes, refresh tokens and counted, expiring access tokens."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from app.sandbox.settings import SandboxSettings
from app.sandbox.store import Store

CLIENT_ID = "sandbox-client"
CLIENT_SECRET = "sandbox-secret"
REFRESH_TOKEN = "sandbox-refresh"
SELF_CLIENT_CODE = "sandbox-grant"  # a Self Client grant code that never runs out
CODE_TTL_S = 600.0
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class AccessToken:
    expires_at: float
    uses_left: int | None


class TokenBook:
    """Grant codes and access tokens in memory; refresh tokens in the sandbox file."""

    def __init__(self, store: Store, settings: SandboxSettings) -> None:
        self.store = store
        self.settings = settings
        self.lock = threading.Lock()
        self.codes: dict[str, tuple[str, float]] = {}
        self.tokens: dict[str, AccessToken] = {}
        store.add_refresh_token(REFRESH_TOKEN, CLIENT_ID)

    def issue(self) -> str:
        token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        uses = self.settings.token_uses or None
        with self.lock:
            self.tokens[token] = AccessToken(
                self.settings.clock() + self.settings.token_ttl_s, uses
            )
        return token

    def use(self, token: str) -> str | None:
        """Count one use of ``token``; None when it is good, else why it is refused."""
        with self.lock:
            entry = self.tokens.get(token)
            if entry is None:
                return "invalid oauth token"
            if self.settings.clock() >= entry.expires_at:
                return "the access token has expired"
            if entry.uses_left is not None:
                if entry.uses_left <= 0:
                    return "the access token has expired"
                entry.uses_left -= 1
        return None

    def new_code(self, client_id: str) -> str:
        code = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        with self.lock:
            self.codes[code] = (client_id, self.settings.clock() + CODE_TTL_S)
        return code

    def take_code(self, code: str, client_id: str) -> bool:
        if code == SELF_CLIENT_CODE:
            return client_id == CLIENT_ID
        with self.lock:
            entry = self.codes.pop(code, None)
        return entry is not None and entry[0] == client_id and self.settings.clock() < entry[1]


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
            if not book.take_code(params.get("code", ""), client_id):
                return oauth_error("invalid_code")
            refresh = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
            book.store.add_refresh_token(refresh, client_id)
            answer["refresh_token"] = refresh
        elif book.store.refresh_token_client(params.get("refresh_token", "")) != client_id:
            return oauth_error("invalid_code")
        return JSONResponse(
            {
                "access_token": book.issue(),
                **answer,
                "scope": "ZohoBooks.fullaccess.all ZohoCRM.modules.ALL",
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
        query = {"code": book.new_code(CLIENT_ID), "location": "us",
                 "accounts-server": root_url(request)}
        if params.get("state") is not None:
            query["state"] = params["state"]
        joiner = "&" if target.query else "?"
        return RedirectResponse(f"{redirect_uri}{joiner}{urlencode(query)}", status_code=302)

    return [
        Route("/oauth/v2/token", token, methods=["POST"]),
        Route("/oauth/v2/auth", auth, methods=["GET"]),
    ]
