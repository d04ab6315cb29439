"""One HTTP session to a Zoho API: throttled, authorised, retried; every answer becomes data or a ZohoError.

Retry policy (bounded by `RetryPolicy.attempts` and `RetryPolicy.total_s`, exponential backoff
with jitter between tries):

* Reads (GET) are retried on 429, 500, 502, 503, 504, connection errors and timeouts.
* Writes (create, update, upsert, delete, status changes) are retried only when Zoho cannot
  have acted on them:
  - the connection could not be opened (`ConnectError`, `ConnectTimeout`, `PoolTimeout`):
    nothing was sent;
  - 429 (refused before any work).
  - A 500, 502, 503 or 504 on a write does not prove that nothing was saved (a timeout inside
    Zoho after the commit looks the same): it is raised as `InDoubt`, never resent, and the caller
    reconciles it by its key; so
    is a 2xx answer whose body cannot be read (Zoho said it was done, but the record it sent back
    is unreadable).
  - Once a write was sent and its answer lost (dropped connection, read timeout, broken
    answer), it is raised as `InDoubt` and never resent: the caller reconciles.
* A 401 is answered by at most one refresh of the access token (one refresh for all waiting
  requests) and sending again: Zoho did nothing with a request it refused for the token. It does
  not count as a retry. A 401 on a token minted in this run that no request of the same scope got
  through with is a missing scope or permission (`MissingScope`, naming the scope; never retried;
  see app.zoho.tokens), as is CRM's OAUTH_SCOPE_MISMATCH.
* Any other 4xx (validation errors, unknown IDs, duplicates) is never retried.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx

from app.zoho.errors import AuthError, InDoubt, Unreachable, ZohoError, field_named_in
from app.zoho.redaction import redact
from app.zoho.scopes import needed_scope
from app.zoho.throttle import Attempt, Clock, Counters, SystemClock, Throttle
from app.zoho.tls import tls_context
from app.zoho.tokens import TokenSource

log = logging.getLogger("app.zoho")

RETRY_READ = {429, 500, 502, 503, 504}
RETRY_WRITE = {429}
IN_DOUBT_WRITE = {500, 502, 503, 504}
UNKNOWN_ORGANIZATION = 6041  # Books: "This user is not associated with the CompanyID ..."
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
# CRM answers 401 for these, which are not about the access token.
NOT_TOKEN_401 = {"DUPLICATE_DATA", "NO_PERMISSION"}
TOKEN_RETRIES = 4  # 401s one request may meet (each answered by at most one refresh) before it gives up


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long one request is retried."""

    attempts: int = 6
    base_s: float = 0.5
    cap_s: float = 20.0
    total_s: float = 180.0

    def delay(self, retry_number: int) -> float:
        """Backoff before retry number `retry_number` (1-based): exponential, half of it jittered."""
        ceiling: float = min(self.cap_s, self.base_s * 2 ** (retry_number - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass
class Answer:
    """A successful answer: the parsed JSON body and the HTTP status."""

    body: dict[str, Any]
    status: int


def error_from(response: httpx.Response) -> ZohoError | None:
    """The ZohoError an answer carries, or None when it is a success with a JSON body (or empty)."""
    status = response.status_code
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = None
    if not isinstance(body, dict):
        kind_of = response.headers.get("content-type", "")
        looks_html = "html" in kind_of or response.text.lstrip()[:1] == "<"
        what = "a web page" if looks_html else "something other than data"
        return ZohoError(
            f"Zoho answered with {what} (HTTP {status}) instead of the expected data", status=status
        )
    if 200 <= status < 300:
        code = body.get("code")
        if isinstance(code, int) and code != 0:
            message = str(body.get("message") or f"Zoho reported error code {code}")
            return ZohoError(message, status=status, code=code, field=_field(body, message))
        return None
    detail = body
    data = body.get("data")
    if isinstance(data, list) and data and isinstance(data[0], dict):
        detail = data[0]
    code = detail.get("code")
    message = str(detail.get("message") or body.get("message") or _default_message(status))
    if detail.get("error") and not detail.get("message"):
        message = f"{_default_message(status)} ({detail['error']})"
    if code == UNKNOWN_ORGANIZATION:  # every later call would fail alike: a sign-in matter
        return AuthError(f"{message} (check the organization ID of the connection)",
                         status=status, code=code)
    return ZohoError(message, status=status, code=code, field=_field(detail, message))


def _field(body: dict[str, Any], message: str) -> str | None:
    for key in ("field", "field_name", "api_name", "param_name"):
        if isinstance(named := body.get(key), str):
            return named
    details = body.get("details")
    if isinstance(details, dict):
        for key in ("api_name", "param_name", "field", "json_path"):
            if isinstance(named := details.get(key), str):
                return named
    return field_named_in(message)


def _default_message(status: int) -> str:
    return {
        400: "Zoho refused the request as invalid",
        401: "Zoho refused the access token",
        403: "this user may not do this in the organization",
        404: "Zoho has no such record or address",
        405: "Zoho does not allow this action here",
        429: "too many requests to Zoho",
        500: "Zoho had an internal error",
        502: "Zoho's gateway did not get an answer",
        503: "Zoho is temporarily unavailable",
        504: "Zoho's gateway timed out",
    }.get(status, f"Zoho answered HTTP {status}")


def _plain_transport_error(exc: httpx.RequestError, host: str) -> str:
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError):
        return f"could not connect to Zoho at {host}"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection to Zoho in time"
    if isinstance(exc, httpx.TimeoutException):
        return f"Zoho at {host} did not answer in time"
    if isinstance(exc, httpx.DecodingError):
        return f"the answer from Zoho at {host} could not be decoded"
    return f"the connection to Zoho at {host} broke before the answer arrived"


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


class ApiSession:
    """Sends requests under `base_url` through one keep-alive httpx client, a throttle and a token source."""

    def __init__(
        self,
        base_url: str | None,
        tokens: TokenSource,
        throttle: Throttle,
        *,
        api_path: str,
        params: dict[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | float | None = None,
        counters: Counters | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/") if base_url else None
        self.api_path = api_path
        self.tokens = tokens
        self.throttle = throttle
        self.params = dict(params or {})
        self.transport = transport
        self.retry = retry or RetryPolicy()
        self.timeout = timeout if timeout is not None else httpx.Timeout(60.0, connect=10.0)
        self.clock: Clock = clock or throttle.clock or SystemClock()
        self.counters = counters or Counters(clock=self.clock)
        self._client: httpx.AsyncClient | None = None

    async def base_url(self) -> str:
        """The API root: given, or the token answer's `api_domain` plus the API path."""
        if self._base_url is None:
            await self.tokens.access_token()
            if not self.tokens.api_domain:
                raise ZohoError("Zoho's sign-in answer named no API domain; set a base URL")
            self._base_url = self.tokens.api_domain + self.api_path
        return self._base_url

    def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            seats = self.throttle.concurrency
            self._client = httpx.AsyncClient(
                transport=self.transport,
                verify=tls_context(),
                timeout=self.timeout,
                limits=httpx.Limits(
                    max_connections=seats + 2, max_keepalive_connections=seats, keepalive_expiry=4.0
                ),
                headers={"Accept": "application/json"},
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Send one request (retrying as the module docstring says) and return its successful answer."""
        write = method.upper() != "GET"
        url = f"{await self.base_url()}/{path.lstrip('/')}"
        query = {**self.params, **{k: _param(v) for k, v in (params or {}).items() if v is not None}}
        started = self.clock.monotonic()
        tries = 0
        token_retries = 0
        need = needed_scope(self.api_path, method, path)
        while True:
            tries += 1
            await self.tokens.access_token()  # a refresh due by the clock happens outside the slot
            error: ZohoError
            try:
                response, attempt, token = await self._send(method, url, query, json, headers or {},
                                                            scope=need.scope if need else "?")
            except httpx.RequestError as exc:
                host = httpx.URL(url).host
                plain = _plain_transport_error(exc, host)
                if write and not isinstance(exc, NOT_SENT):
                    log.warning("%s %s: answer lost after sending: %s", method, redact(url), plain)
                    raise InDoubt(
                        f"{plain}; the request was sent, so Zoho may or may not have saved it"
                    ) from None
                error = (Unreachable if isinstance(exc, NOT_SENT) else ZohoError)(plain)
                log.info("%s %s: %s", method, redact(url), type(exc).__name__)
            else:
                self._read_quota(response)
                status = response.status_code
                maybe_error = error_from(response)
                if maybe_error is None:
                    body = response.json() if response.content else {}
                    return Answer(body=body, status=status)
                error = maybe_error
                log.info("%s %s -> HTTP %s (code %s)", method, redact(url), status, error.code)
                if status == 401:
                    self.counters.unauthorized += 1
                if status == 401 and str(error.code) not in NOT_TOKEN_401:
                    if token_retries >= TOKEN_RETRIES:
                        raise AuthError(
                            f"Zoho refused the request even with a fresh access token: {error.message}",
                            status=401,
                            code=error.code,
                        )
                    # a token made moments ago and refused: a missing scope, named (MissingScope)
                    await self.tokens.after_401(token, need, error, refreshed=token_retries > 0)
                    token_retries += 1
                    tries -= 1
                    continue
                if status == 429:
                    # Told apart by the documented headers, never by the message's wording:
                    # X-Rate-Limit-Remaining 0 is the daily quota spent (Books' X-Rate-Limit-Limit,
                    # -Remaining and -Reset headers count the day's calls); any other 429 is the per-minute rate.
                    self.counters.rate_limited += 1
                    if _int_header(response, "X-Rate-Limit-Remaining") == 0:
                        self.throttle.quota_spent()
                        self.throttle.check_quota()
                    self.throttle.saw_rate_limit(attempt)
                if write and (status in IN_DOUBT_WRITE or (200 <= status < 300 and error.code is None)):
                    raise InDoubt(
                        f"{error.message} (HTTP {status}); Zoho may or may not have saved the record",
                        status=status,
                        code=error.code,
                    )
                if status not in (RETRY_WRITE if write else RETRY_READ):
                    raise error
            delay = self.retry.delay(tries)
            if tries >= self.retry.attempts or self.clock.monotonic() + delay - started > self.retry.total_s:
                raise error
            self.counters.retries += 1
            log.info("retry %d of %s %s in %.2f s: %s", tries, method, redact(url), delay, error.message)
            await self.clock.sleep(delay)

    async def _send(
        self,
        method: str,
        url: str,
        params: dict[str, str],
        json: Any,
        headers: dict[str, str],
        *,
        scope: str = "?",
    ) -> tuple[httpx.Response, Attempt, str]:
        """Send under a throttle slot; the token is read in the slot, so queued requests carry the newest."""
        client = self._http()
        counters = self.counters
        async with self.throttle.slot() as attempt:
            token = await self.tokens.access_token()
            headers = {**headers, "Authorization": f"Zoho-oauthtoken {token}"}
            counters.calls += 1
            counters.in_flight += 1
            counters.most_in_flight = max(counters.most_in_flight, counters.in_flight)
            if counters.first_call_at is None:
                counters.first_call_at = attempt.sent_at
            accepted = False
            self.tokens.sending(token)
            try:
                response = await client.request(method, url, params=params, json=json, headers=headers)
                await response.aread()
                accepted = response.status_code != 401
                return response, attempt, token
            finally:
                self.tokens.answered(token, scope, accepted)
                counters.in_flight -= 1
                counters.last_answer_at = self.clock.monotonic()
                counters.refreshes = self.tokens.refreshes

    def _read_quota(self, response: httpx.Response) -> None:
        limit = _int_header(response, "X-Rate-Limit-Limit")
        remaining = _int_header(response, "X-Rate-Limit-Remaining")
        reset = _int_header(response, "X-Rate-Limit-Reset")
        if limit is not None or remaining is not None or reset is not None:
            self.throttle.saw_quota(limit, remaining, reset)
        self.counters.quota_remaining = self.throttle.quota_remaining
        self.counters.quota_resets_at = self.throttle.quota_resets_at


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ApiClient:
    """What the Books and CRM clients share: one ApiSession, its throttle and counters; use `async with`."""

    def __init__(self, session: ApiSession) -> None:
        self._session = session
        self.throttle = session.throttle

    @property
    def session(self) -> ApiSession:
        """The session every call of this client goes through (its token, throttle, retries and counters)."""
        return self._session

    @property
    def counters(self) -> Counters:
        return self._session.counters

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._session.aclose()
