"""A scripted Zoho behind httpx.MockTransport for the client's unit tests: a token endpoint plus queued answers."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

import httpx

from app.zoho import BooksClient, RetryPolicy, Throttle, TokenSource

ROOT = "http://zoho.test"
SECRET = "client-secret-0123456789"
REFRESH = "refresh-token-abcdefghijkl"

Reply = httpx.Response | type[Exception] | Callable[[httpx.Request], httpx.Response]


class ScriptedZoho:
    """Answers token requests itself and API requests from `replies` (then `default`), recording each."""

    def __init__(self, replies: list[Reply] | None = None, *, token_uses: int = 0) -> None:
        self.replies: list[Reply] = list(replies or [])
        self.requests: list[httpx.Request] = []
        self.refreshes = 0
        self.token_uses = token_uses
        self.uses: dict[str, int] = {}
        self.valid: set[str] = set()
        self._numbers = itertools.count(1)
        self.refresh_delay_s = 0.0

    def default(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "message": "success", "contact": {"contact_id": "1"}})

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            return await self.token(request)
        self.requests.append(request)
        token = request.headers.get("authorization", "").removeprefix("Zoho-oauthtoken ")
        if token not in self.valid:
            return httpx.Response(401, json={"code": 57, "message": "You are not authorized"})
        self.uses[token] = self.uses.get(token, 0) + 1
        if self.token_uses and self.uses[token] > self.token_uses:
            self.valid.discard(token)
            return httpx.Response(401, json={"code": 57, "message": "You are not authorized: expired"})
        await asyncio.sleep(0)
        reply = self.replies.pop(0) if self.replies else self.default
        if isinstance(reply, type) and issubclass(reply, Exception):
            raise reply("scripted fault", request=request)
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    async def token(self, request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        if form.get("client_secret") != SECRET:
            return httpx.Response(200, json={"error": "invalid_client"})
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") != REFRESH:
            return httpx.Response(200, json={"error": "invalid_code"})
        if self.refresh_delay_s:
            await asyncio.sleep(self.refresh_delay_s)
        self.refreshes += 1
        token = f"1000.access{next(self._numbers):04d}.secretpart"
        self.valid.add(token)
        answer: dict[str, Any] = {"access_token": token, "expires_in": 3600, "api_domain": ROOT,
                                  "token_type": "Bearer"}
        if form.get("grant_type") == "authorization_code":
            answer["refresh_token"] = REFRESH
        return httpx.Response(200, json=answer)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def client(self, *, attempts: int = 6, throttle: Throttle | None = None) -> BooksClient:
        transport = self.transport
        tokens = TokenSource(f"{ROOT}/oauth/v2/token", "client-id", SECRET, REFRESH, transport=transport)
        return BooksClient(
            f"{ROOT}/books/v3",
            "10234695",
            tokens,
            throttle or Throttle(calls=100_000, window_s=60.0, concurrency=10),
            transport=transport,
            retry=RetryPolicy(attempts=attempts, base_s=0.001, cap_s=0.01, total_s=30.0),
        )


def answer(status: int, body: Any = None, *, text: str | None = None, **headers: str) -> httpx.Response:
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    return httpx.Response(status, json=body, headers=headers)
