"""The door every API request passes: access token, organization, limits, latency and faults."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from typing import Any
from urllib.parse import parse_qs

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.sandbox.errors import (
    INTERNAL_ERROR,
    NOT_AUTHORIZED,
    ORGANIZATION_REQUIRED,
    UNKNOWN_ORGANIZATION,
    BooksError,
)
from app.sandbox.limits import Limits
from app.sandbox.oauth import ScopeMismatch, TokenBook
from app.sandbox.settings import SandboxSettings

log = logging.getLogger("app.sandbox")

# Open uvicorn connections by (client address, server address), so that a drop fault can
# close the very TCP connection a request came on (registered by app.sandbox.embedded).
LIVE_TRANSPORTS: dict[tuple[Any, Any], asyncio.Transport] = {}

WRITE_METHODS = {"POST", "PUT", "DELETE", "PATCH"}


class ConnectionDropped(httpx.RemoteProtocolError):
    """In-process stand-in for a TCP connection closed without an answer (drop fault).

    Raised out of the app so that an ``httpx.ASGITransport`` caller sees a transport error,
    as it would see ``RemoteProtocolError`` from a live server.
    """

    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a response (sandbox drop fault).")


def crm_error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"code": code, "details": {}, "message": message, "status": "error"}


async def send_json(send: Send, status: int, body: dict[str, Any],
                    extra: list[tuple[bytes, bytes]] | None = None) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json;charset=UTF-8"),
               (b"content-length", str(len(payload)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class Gate:
    """ASGI middleware in front of the Books, CRM and OAuth routes."""

    def __init__(
        self, app: ASGIApp, *, settings: SandboxSettings, tokens: TokenBook, limits: Limits,
        organizations: set[str], default_organization: str,
    ) -> None:
        self.app = app
        self.settings = settings
        self.tokens = tokens
        self.limits = limits
        self.organizations = organizations
        self.default_organization = default_organization
        self.rng = random.Random(settings.seed)

    def write_fault(self, scope: Scope, rate: float) -> bool:
        """Whether a fault that strikes writes at `rate` strikes this request (the seeded dice roll only for writes)."""
        return scope["method"] in WRITE_METHODS and rate > 0 and self.rng.random() < rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(("/books/", "/api/")):
            family = "books"
        elif path.startswith("/crm/"):
            family = "crm"
        else:
            await self.guarded(scope, receive, send, "books")
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        organization = (query.get("organization_id") or [""])[0]
        quota_org = organization if organization in self.organizations else self.default_organization

        async def send_with_quota(message: Message) -> None:
            if message["type"] == "http.response.start" and family == "books":
                message = {**message,
                           "headers": [*message.get("headers", []), *self.limits.headers(quota_org)]}
            await send(message)

        try:
            self.authorize(scope, family)
            if family == "books":
                self.check_organization(path, organization)
                self.limits.enter(quota_org)
        except BooksError as refusal:
            status, body = self.error_body(family, refusal)
            await send_json(send_with_quota, status, body)
            return
        try:
            await self.delay()
            if self.settings.fail_rate and self.rng.random() < self.settings.fail_rate:
                status = self.rng.choice((500, 503))
                failure = BooksError(status, INTERNAL_ERROR,
                                     "Internal error" if status == 500 else "Service unavailable")
                status, body = self.error_body(family, failure)
                await send_json(send_with_quota, status, body)
                return
            if self.write_fault(scope, self.settings.drop_rate):
                await self.run_and_drop(scope, receive, family)
                return
            if self.write_fault(scope, self.settings.fail_after_commit_rate):
                await self.run_and_fail(scope, receive, send_with_quota, family)
                return
            await self.guarded(scope, receive, send_with_quota, family)
        finally:
            if family == "books":
                self.limits.leave(quota_org)

    def authorize(self, scope: Scope, family: str) -> None:
        header = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value.decode("latin-1").strip()
                break
        scheme, _, token = header.partition(" ")
        if not header:
            raise BooksError(401, NOT_AUTHORIZED, "You are not authorized: no Authorization header")
        if scheme != "Zoho-oauthtoken" or not token.strip():
            raise BooksError(401, NOT_AUTHORIZED,
                             "Invalid Authorization header: expected Zoho-oauthtoken <token>")
        self.tokens.use(token.strip(), scope["method"], scope["path"], family)  # raises its 401

    def check_organization(self, path: str, organization: str) -> None:
        if path.rstrip("/").endswith("/organizations"):
            return
        if not organization:
            raise BooksError(400, ORGANIZATION_REQUIRED, "organization_id is required")
        if organization not in self.organizations:
            raise BooksError(400, UNKNOWN_ORGANIZATION,
                             f"This user is not associated with the organization {organization}")

    @staticmethod
    def error_body(family: str, error: BooksError) -> tuple[int, dict[str, Any]]:
        if family != "crm":
            return error.status, {"code": error.code, "message": error.message}
        if isinstance(error, ScopeMismatch):  # seed 000: OAUTH_SCOPE_MISMATCH, HTTP 401
            return crm_error(401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL")
        if error.status == 401:
            return crm_error(401, "INVALID_TOKEN", "invalid oauth token")
        return crm_error(error.status, "INTERNAL_ERROR", error.message)

    async def delay(self) -> None:
        s = self.settings
        if s.latency_ms or s.latency_jitter_ms:
            jitter = self.rng.uniform(0, s.latency_jitter_ms) if s.latency_jitter_ms else 0.0
            await asyncio.sleep((s.latency_ms + jitter) / 1000.0)

    async def guarded(self, scope: Scope, receive: Receive, send: Send, family: str) -> None:
        """Run the app; an unexpected error becomes a Zoho-style 500, never a traceback."""
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("sandbox: unexpected error on %s %s", scope["method"], scope["path"])
            if not started:
                status, body = self.error_body(
                    family, BooksError(500, INTERNAL_ERROR, "Internal error")
                )
                await send_json(send, status, body)

    async def run_and_fail(self, scope: Scope, receive: Receive, send: Send, family: str) -> None:
        """Let the request do its work (and commit), then answer HTTP 500 as if it had failed.

        A 5xx answer to a write does not prove that nothing was saved: a timeout inside Zoho after
        the commit looks the same. This fault is that case.
        """

        async def swallow(message: Message) -> None:
            return None

        await self.guarded(scope, receive, swallow, family)
        status, body = self.error_body(family, BooksError(500, INTERNAL_ERROR, "Internal error"))
        await send_json(send, status, body)

    async def run_and_drop(self, scope: Scope, receive: Receive, family: str) -> None:
        """Let the request do its work (and commit), then close the connection unanswered."""

        async def swallow(message: Message) -> None:
            return None

        await self.guarded(scope, receive, swallow, family)
        key = (tuple(scope.get("client") or ()), tuple(scope.get("server") or ()))
        transport = LIVE_TRANSPORTS.get(key)
        if transport is None:
            raise ConnectionDropped()
        transport.abort()
        while (await receive())["type"] != "http.disconnect":
            pass
