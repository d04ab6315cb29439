"""Browser sign-in: Zoho's authorization-code flow with a redirect to a listener on 127.0.0.1.

The tool listens on a loopback port, opens Zoho's consent page in the browser through an
injectable `open_browser(url)` (tests drive it with an HTTP client), waits for Zoho to redirect
the browser back with `?code=...&state=...`, checks `state`, and exchanges the code once for a
refresh token. Register `http://127.0.0.1:<port>/callback` as the client's redirect URI. The
scopes asked for are the Books ones, plus the CRM ones for a user who chose CRM (app.zoho.scopes).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from app.zoho.datacentres import DATA_CENTRES
from app.zoho.errors import AuthError
from app.zoho.redaction import remember_secret
from app.zoho.scopes import scopes_for
from app.zoho.tokens import TokenSource

log = logging.getLogger("app.zoho")

REDIRECT_PORT = 47923
DEFAULT_SCOPES = scopes_for(crm=False)  # a Books-only user is not asked for CRM (app.zoho.scopes)
_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>zoho-bulk</title></head>"
    "<body style='font-family:sans-serif'><h2>{title}</h2><p>{text}</p></body></html>"
)


class _Callback:
    """The loopback listener: answers the browser's redirect and hands its query to the waiter."""

    def __init__(self) -> None:
        self.answer: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await asyncio.wait_for(reader.readline(), 10)).decode("latin-1")
            while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b"\n", b""):
                pass
            parts = request_line.split()
            target = urlsplit(parts[1]) if len(parts) >= 2 else urlsplit("/")
            if parts[:1] != ["GET"] or target.path != "/callback":
                await _reply(writer, 404, "Not here", "This address only receives Zoho's sign-in answer.")
                return
            query = {k: v[0] for k, v in parse_qs(target.query).items()}
            if "error" in query:
                await _reply(writer, 200, "Sign-in declined", "You can close this tab.")
            else:
                await _reply(writer, 200, "Signed in to Zoho", "You can close this tab and return to zoho-bulk.")
            if not self.answer.done():
                self.answer.set_result(query)
        except (TimeoutError, ConnectionError, OSError):
            pass
        finally:
            writer.close()


async def _reply(writer: asyncio.StreamWriter, status: int, title: str, text: str) -> None:
    body = _PAGE.format(title=title, text=text).encode()
    reason = "OK" if status == 200 else "Not Found"
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
    )
    await writer.drain()


def authorization_url(
    accounts_url: str, client_id: str, redirect_uri: str, state: str, scopes: tuple[str, ...]
) -> str:
    """Zoho's consent page for this client, asking for offline access (a refresh token)."""
    query = urlencode(
        {
            "scope": ",".join(scopes),
            "client_id": client_id,
            "response_type": "code",
            "access_type": "offline",
            "prompt": "consent",
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    return f"{accounts_url.rstrip('/')}/oauth/v2/auth?{query}"


async def sign_in_with_browser(
    accounts_url: str,
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = DEFAULT_SCOPES,
    open_browser: Callable[[str], object | Awaitable[object]],
    transport: httpx.AsyncBaseTransport | None = None,
    port: int | None = None,
    timeout_s: float = 300.0,
) -> TokenSource:
    """Run the browser sign-in and return a TokenSource holding the new refresh token."""
    callback = _Callback()
    port = REDIRECT_PORT if port is None else port
    try:
        server = await asyncio.start_server(callback.handle, "127.0.0.1", port)
    except OSError:
        raise AuthError(
            f"cannot listen on 127.0.0.1:{port} for Zoho's sign-in answer (is another sign-in running?)"
        ) from None
    browser_task: asyncio.Task[object] | None = None
    try:
        bound = server.sockets[0].getsockname()[1]
        redirect_uri = f"http://127.0.0.1:{bound}/callback"
        state = secrets.token_urlsafe(24)
        url = authorization_url(accounts_url, client_id, redirect_uri, state, scopes)
        log.info("opening the browser for Zoho sign-in; waiting on %s", redirect_uri)
        try:
            opened = open_browser(url)
        except Exception as exc:  # no browser here: the user can still open the address by hand
            log.warning("could not open a browser (%s); open the sign-in address by hand", type(exc).__name__)
            opened = None
        if inspect.isawaitable(opened):
            browser_task = asyncio.ensure_future(opened)
        try:
            query = await asyncio.wait_for(asyncio.shield(callback.answer), timeout_s)
        except TimeoutError:
            raise AuthError(f"no answer from the browser sign-in within {int(timeout_s)} s") from None
        if browser_task is not None:
            await asyncio.gather(browser_task, return_exceptions=True)
    finally:
        server.close()
        await server.wait_closed()
        if browser_task is not None and not browser_task.done():
            browser_task.cancel()
    if query.get("state") != state:
        raise AuthError("the sign-in answer did not carry this sign-in's state; nothing was saved")
    if "error" in query:
        raise AuthError(f"the sign-in was declined ({query['error']})")
    code = query.get("code")
    if not code:
        raise AuthError("the sign-in answer carried no grant code")
    remember_secret(code)
    token_url = f"{_accounts_server(query, accounts_url)}/oauth/v2/token"
    return await TokenSource.exchange_code(
        token_url, client_id, client_secret, code, redirect_uri=redirect_uri, transport=transport
    )


def _accounts_server(query: dict[str, str], accounts_url: str) -> str:
    """Zoho names the user's own accounts server in the redirect; trust it only if it is a known one."""
    named = (query.get("accounts-server") or "").rstrip("/")
    known = {dc.accounts_url for dc in DATA_CENTRES.values()}
    return named if named in known else accounts_url.rstrip("/")
