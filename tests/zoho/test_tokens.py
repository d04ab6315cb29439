"""Scopes and access tokens against the sandbox: a missing scope is named after at most one refresh, a kept token
serves many commands, and the client never asks for an 11th access token within ten minutes."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import keyring
import keyring.backends.fail
import pytest

from app.cli.connections import connections_command
from app.gui.logfile import log_path
from app.zoho import AuthError, BooksClient, ConnectionStore, Throttle, TokenSource
from app.zoho.errors import MissingScope
from app.zoho.scopes import BOOKS_SCOPES, CRM_SCOPES, needed_scope, scopes_for
from tests.keyrings import MemoryKeyring
from tests.zoho.test_connections import args

ORG = "10234695"


def minted(sandbox: Any, refresh_token: str) -> int:
    """How many access tokens the sandbox minted for `refresh_token` (sign-in included)."""
    return len(sandbox.app.state.tokens.minted.get(refresh_token, []))


def add_connection(sandbox: Any, store: ConnectionStore, name: str, grant_code: str, **extra: Any) -> str:
    out = io.StringIO()
    code = connections_command(
        args("add", name, base_url=sandbox.url, organization_id=ORG, client_id="sandbox-client",
             grant_code=grant_code, **extra),
        store=store, prompt=lambda _: "sandbox-secret", transport=getattr(sandbox, "transport", None), out=out)
    assert code == 0, out.getvalue()
    return out.getvalue()


# --- the scope table ---------------------------------------------------------------------------


def test_the_scopes_asked_for_follow_zoho_facts() -> None:
    # The scopes Zoho's pages name: Get Modules, the mass-convert .READ scopes, the chart of accounts, SalesOrders spelled so
    assert "ZohoBooks.accountants.READ" in BOOKS_SCOPES and "ZohoBooks.settings.READ" in BOOKS_SCOPES
    assert {"ZohoCRM.settings.modules.READ", "ZohoCRM.modules.Quotes.CREATE", "ZohoCRM.modules.SalesOrders.CREATE",
            "ZohoCRM.mass_convert.Quotes.CREATE", "ZohoCRM.mass_convert.SalesOrders.CREATE",
            "ZohoCRM.mass_convert.Quotes.READ", "ZohoCRM.mass_convert.SalesOrders.READ"} <= set(CRM_SCOPES)
    assert not any("Sales_Orders" in s for s in (*BOOKS_SCOPES, *CRM_SCOPES))
    assert scopes_for(crm=False) == BOOKS_SCOPES  # a Books-only user is not asked for CRM
    assert not any(s.startswith("ZohoCRM") for s in scopes_for(crm=False))


@pytest.mark.parametrize(("api", "method", "path", "scope"), [
    ("/books/v3", "POST", "contacts", "ZohoBooks.contacts.ALL"),
    ("/books/v3", "POST", "creditnotes/8/void", "ZohoBooks.creditnotes.ALL"),
    ("/books/v3", "GET", "chartofaccounts", "ZohoBooks.accountants.READ"),
    ("/books/v3", "GET", "settings/currencies", "ZohoBooks.settings.READ"),
    ("/books/v3", "GET", "organizations", "ZohoBooks.settings.READ"),
    ("/crm/v8", "GET", "settings/modules", "ZohoCRM.settings.modules.READ"),
    ("/crm/v8", "POST", "Sales_Orders/12/actions/convert", "ZohoCRM.modules.SalesOrders.CREATE"),
    ("/crm/v8", "POST", "Sales_Orders/actions/mass_convert", "ZohoCRM.mass_convert.SalesOrders.CREATE"),
    ("/crm/v8", "GET", "Quotes/actions/mass_convert", "ZohoCRM.mass_convert.Quotes.READ"),
    ("/crm/v8", "GET", "Quotes", "ZohoCRM.modules.Quotes.READ"),
])
def test_each_request_kind_maps_to_the_scope_asked_for(api: str, method: str, path: str, scope: str) -> None:
    need = needed_scope(api, method, path)
    assert need is not None and need.scope == scope
    assert scope in BOOKS_SCOPES + CRM_SCOPES


# --- a missing scope: named, never a loop of refreshes ---------------------------------------------


def test_a_books_only_connection_asked_for_crm_says_which_scope_after_exactly_one_refresh(
        live_sandbox: Any, platformdirs_isolated: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """No keyring: secrets from the environment, so each run mints; the CLI's convert stops with exit 2."""
    from app.cli import main

    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setenv("ZOHO_BULK_CLIENT_SECRET", "sandbox-secret")
    monkeypatch.setenv("ZOHO_BULK_REFRESH_TOKEN", "sandbox-refresh-books")
    monkeypatch.setenv("ZOHO_BULK_LOG", "debug")  # the redacted trace a user sends to support
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        assert main(["connections", "add", "books", "--base-url", live_sandbox.url, "--organization-id", ORG,
                     "--client-id", "sandbox-client"]) == 0
        said = capsys.readouterr().out
        assert "access token cannot be kept" in said and "each run asks Zoho for a new one" in said
        assert minted(live_sandbox, "sandbox-refresh-books") == 1  # add checked the sign-in and organization
        quotes = platformdirs_isolated / "quotes.csv"
        with quotes.open("w", newline="") as f:
            csv.writer(f).writerows([["Record Id"], ["4876876000000624001"]])
        code = main(["convert", str(quotes), "--from", "Quotes", "--to", "Sales_Orders", "--connection", "books"])
    finally:
        keyring.set_keyring(previous)
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
    out, err = capsys.readouterr()
    said = out + err
    assert code == 2, said
    assert "needs scope ZohoCRM.settings.modules.READ" in said and "--crm" in said
    assert "Traceback" not in said
    assert minted(live_sandbox, "sandbox-refresh-books") == 2  # the run's one refresh, then a plain stop

    trace = log_path().read_text(encoding="utf-8")
    assert "access token refreshed" in trace and "OAUTH_SCOPE_MISMATCH" in trace
    for secret in ("sandbox-secret", "sandbox-refresh-books", *live_sandbox.app.state.tokens.tokens):
        assert secret not in trace and secret not in said


@pytest.mark.slow
def test_a_books_401_on_a_kept_token_gets_one_refresh_then_names_the_scope(sandbox: Any, tmp_path: Path) -> None:
    """A grant without the chart of accounts: Books answers 401 code 57, as it does an expired token."""
    ring = MemoryKeyring()
    store = ConnectionStore(tmp_path / "c.json", backend=ring, environ={})
    # a Self Client grant code generated with the scopes typed in, ZohoBooks.accountants.READ left out
    code = sandbox.app.state.tokens.new_code(
        "sandbox-client", frozenset({"ZohoBooks.contacts.ALL", "ZohoBooks.settings.READ"}))
    add_connection(sandbox, store, "books", code)
    refresh = ring.passwords[("zoho-bulk", "books:refresh_token")]
    assert minted(sandbox, refresh) == 1  # the sign-in's token, kept in the keyring

    store = ConnectionStore(tmp_path / "c.json", backend=ring, environ={})  # the next command
    kept = store.tokens("books", transport=sandbox.transport).current  # the sign-in's, made in another run

    async def command() -> BooksClient:
        async with store.books_client("books", transport=sandbox.transport) as client:
            assert await client.organizations()  # still good for what the grant allows
            with pytest.raises(MissingScope) as refused:
                await client.list_page("chartofaccounts")
            errors.append(refused.value)
        return client

    errors: list[MissingScope] = []
    client = asyncio.run(command())
    refused = errors[0]
    assert refused.scope == "ZohoBooks.accountants.READ"
    assert "needs scope ZohoBooks.accountants.READ" in str(refused)
    assert client.counters.unauthorized == 2  # the kept token, then the fresh one
    assert minted(sandbox, refresh) == 2  # the sign-in, and exactly one refresh for the 401
    assert kept and kept not in str(refused)


@pytest.mark.slow
def test_crm_scope_mismatch_is_named_without_any_refresh(sandbox: Any, tmp_path: Path) -> None:
    ring = MemoryKeyring()
    store = ConnectionStore(tmp_path / "c.json", backend=ring, environ={})
    add_connection(sandbox, store, "books", "sandbox-grant-books")
    refresh = ring.passwords[("zoho-bulk", "books:refresh_token")]

    async def command() -> None:
        async with store.crm_client("books", transport=sandbox.transport) as crm:
            await crm.modules()

    with pytest.raises(MissingScope) as refused:
        asyncio.run(command())
    assert refused.value.scope == "ZohoCRM.settings.modules.READ" and refused.value.code == "OAUTH_SCOPE_MISMATCH"
    assert minted(sandbox, refresh) == 1  # CRM says OAUTH_SCOPE_MISMATCH: no refresh can cure it


# --- a kept token serves many commands ------------------------------------------------------------


@pytest.mark.slow
def test_twelve_commands_in_a_row_make_at_most_one_token_request(
        live_sandbox: Any, platformdirs_isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    try:
        store = ConnectionStore()
        add_connection(live_sandbox, store, "books", "sandbox-grant", default=True)
        refresh = ring.passwords[("zoho-bulk", "books:refresh_token")]
        codes = [main(["export", "contacts", "--out", str(platformdirs_isolated / f"contacts-{i}.csv"),
                       "--connection", "books", "--json"]) for i in range(12)]
    finally:
        keyring.set_keyring(previous)
    said = capsys.readouterr()
    assert codes == [0] * 12, said.out[-2000:] + said.err[-2000:]
    assert all(json.loads(line)["records"] > 0 for line in said.out.splitlines() if line.startswith("{"))
    assert minted(live_sandbox, refresh) == 1  # the sign-in's token, reused by all twelve
    kept = json.loads(ring.passwords[("zoho-bulk", "books:access_token")])
    assert kept["access_token"] in live_sandbox.app.state.tokens.tokens and len(kept["minted"]) == 1
    assert kept["access_token"] not in said.out + said.err


# --- never an 11th access token within ten minutes -------------------------------------------------


class Clock:
    """One fake wall clock for the sandbox and the client; sleeping advances it."""

    def __init__(self) -> None:
        self.now = 2_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_the_client_never_asks_for_an_eleventh_token_in_ten_minutes(make_sandbox: Any) -> None:
    clock = Clock()
    sandbox = make_sandbox(token_limit=10, token_uses=1, clock=clock, rate_limit=100_000, concurrency=1_000)
    tokens = TokenSource(f"{sandbox.url}/oauth/v2/token", "sandbox-client", "sandbox-secret", "sandbox-refresh",
                         transport=sandbox.transport, clock=clock, sleep=clock.sleep)
    async with BooksClient(f"{sandbox.url}/books/v3", ORG, tokens, Throttle(calls=100_000),
                           transport=sandbox.transport) as client:
        for _ in range(10):  # every token serves one call: each call past the first needs a new one
            await client.organizations()
            clock.now += 10.0
        assert minted(sandbox, "sandbox-refresh") == 10
        with pytest.raises(AuthError) as refused:
            await client.organizations()
        assert minted(sandbox, "sandbox-refresh") == 10  # the 11th was never asked for
        assert "run again in 9 minutes" in str(refused.value) and "Access Denied" in str(refused.value)
        assert clock.slept == []

        clock.now += 480.0  # the first token was minted 580 s ago: the window frees up within a minute
        await client.organizations()
    assert clock.slept == [pytest.approx(20.0)]  # it waited, then asked
    assert minted(sandbox, "sandbox-refresh") == 11


async def test_zohos_access_denied_is_plain_and_kept_so_the_next_run_does_not_ask(make_sandbox: Any) -> None:
    """Another program filled the window: Zoho answers HTTP 200 "Access Denied"; the count is kept."""
    clock = Clock()
    sandbox = make_sandbox(token_limit=2, clock=clock)
    kept: list[Any] = []
    first = TokenSource(f"{sandbox.url}/oauth/v2/token", "sandbox-client", "sandbox-secret", "sandbox-refresh",
                        transport=sandbox.transport, clock=clock, keep=kept.append)
    await first.refresh()
    await first.refresh(stale=first.current)
    with pytest.raises(AuthError) as denied:
        await first.refresh(stale=first.current)
    assert "wait ten minutes and run again" in str(denied.value) and denied.value.code == "Access Denied"
    assert minted(sandbox, "sandbox-refresh") == 2

    later = TokenSource(f"{sandbox.url}/oauth/v2/token", "sandbox-client", "sandbox-secret", "sandbox-refresh",
                        transport=sandbox.transport, clock=clock, kept=kept[-1])
    clock.now += 60.0
    with pytest.raises(AuthError, match="run again in 9 minutes"):
        await later.refresh(stale=later.current)
    clock.now += 540.0
    assert await later.refresh(stale=later.current)
    assert minted(sandbox, "sandbox-refresh") == 3


def test_a_logged_traceback_is_redacted_too() -> None:
    from app.zoho.redaction import RedactingFilter, remember_secret

    token = "1000.0123456789abcdef.fedcba9876543210"
    remember_secret(token)
    try:
        raise ValueError(f"bad answer with access_token={token}")
    except ValueError as exc:
        record = logging.LogRecord("app.zoho", logging.ERROR, __file__, 1, "failed: %s", (token,),
                                   (type(exc), exc, exc.__traceback__))
    assert RedactingFilter().filter(record)
    text = logging.Formatter("%(message)s").format(record)
    assert "ValueError: bad answer with access_token=[redacted]" in text and "failed: [redacted]" in text
    assert token not in text


@pytest.mark.slow
def test_connections_test_names_each_scope_the_grant_lacks(sandbox: Any, tmp_path: Path) -> None:
    ring = MemoryKeyring()
    store = ConnectionStore(tmp_path / "c.json", backend=ring, environ={})
    code = sandbox.app.state.tokens.new_code(  # a Self Client code typed without credit notes and accounts
        "sandbox-client", frozenset({"ZohoBooks.contacts.ALL", "ZohoBooks.salesorders.ALL", "ZohoBooks.settings.READ"}))
    add_connection(sandbox, store, "narrow", code)
    add_connection(sandbox, store, "books", "sandbox-grant-books")
    refresh = ring.passwords[("zoho-bulk", "narrow:refresh_token")]
    out = io.StringIO()
    assert connections_command(args("test", "narrow"), store=store, transport=sandbox.transport, out=out) == 1
    said = out.getvalue()
    assert "missing scope ZohoBooks.creditnotes.ALL: cannot import and export Books credit notes" in said
    assert "missing scope ZohoBooks.accountants.READ: cannot look up accounts" in said
    assert "ZohoBooks.contacts.ALL" not in said and "ZohoBooks.salesorders.ALL" not in said
    assert minted(sandbox, refresh) <= 3  # the sign-in's, then at most one refresh per missing scope

    out = io.StringIO()
    assert connections_command(args("test", "books", crm=True), store=store, transport=sandbox.transport,
                               out=out) == 1
    assert "missing scope ZohoCRM.settings.modules.READ" in out.getvalue()
    out = io.StringIO()
    assert connections_command(args("test", "books"), store=store, transport=sandbox.transport, out=out) == 0
    assert "scopes granted for: contacts, salesorders, creditnotes, lookups, accounts" in out.getvalue()


def test_the_readme_lists_every_scope_asked_for() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Connecting to a real organization", 1)[1].split("\n## ", 1)[0]
    for scope in BOOKS_SCOPES + CRM_SCOPES:
        assert f"`{scope}`" in section, scope
    assert "Sales_Orders." not in section.replace("`Sales_Orders` is", "")


def test_a_kept_token_brings_its_api_domain_so_a_real_zoho_connection_needs_no_refresh(
        sandbox: Any, tmp_path: Path) -> None:
    """Real Zoho connections take the API root from the token answer's api_domain (no base URL given)."""
    from app.zoho.kept_tokens import KeyringKeeper

    ring = MemoryKeyring()
    signed_in = asyncio.run(TokenSource.exchange_code(f"{sandbox.url}/oauth/v2/token", "sandbox-client",
                                                      "sandbox-secret", "sandbox-grant",
                                                      transport=sandbox.transport))
    refresh = signed_in.refresh_token or ""
    signed_in.keep_with(KeyringKeeper(ring, "zoho-bulk", "acme", refresh))

    keeper = KeyringKeeper(ring, "zoho-bulk", "acme", refresh)  # the next run
    tokens = TokenSource(f"{sandbox.url}/oauth/v2/token", "sandbox-client", "sandbox-secret", refresh,
                         transport=sandbox.transport, kept=keeper.load(), keep=keeper)
    assert tokens.api_domain == sandbox.url and tokens.current == signed_in.current

    async def run() -> list[dict[str, Any]]:
        async with BooksClient(None, ORG, tokens, transport=sandbox.transport) as client:
            return await client.organizations()

    assert asyncio.run(run())[0]["organization_id"] == ORG
    assert tokens.refreshes == 0 and minted(sandbox, refresh) == 1
    assert KeyringKeeper(ring, "zoho-bulk", "acme", "another-refresh-token").load() is None  # another grant's


@pytest.mark.slow
@pytest.mark.parametrize("crm", [False, True])
def test_the_browser_sign_in_asks_for_crm_scopes_only_when_chosen(
        sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crm: bool) -> None:
    import app.zoho.signin as signin
    from tests.zoho.test_connections import browser_through

    monkeypatch.setattr(signin, "REDIRECT_PORT", 0)  # any free port instead of the registered one
    store = ConnectionStore(tmp_path / "c.json", backend=MemoryKeyring(), environ={})
    open_browser, visits = browser_through(sandbox)
    out = io.StringIO()
    code = connections_command(
        args("add", "web", base_url=sandbox.url, organization_id=ORG, client_id="sandbox-client",
             browser=True, crm=crm),
        store=store, prompt=lambda _: "sandbox-secret", open_browser=open_browser,
        transport=sandbox.transport, out=out)
    assert code == 0, out.getvalue()
    asked = parse_qs(urlsplit(visits[0]).query)["scope"][0].split(",")
    assert tuple(asked) == scopes_for(crm=crm)

    async def modules() -> list[dict[str, Any]]:  # the grant holds what was asked for, no more
        async with store.crm_client("web", transport=sandbox.transport) as client:
            return await client.modules()

    if crm:
        assert any(m.get("api_name") == "Quotes" for m in asyncio.run(modules()))
    else:
        with pytest.raises(MissingScope, match="ZohoCRM.settings.modules.READ"):
            asyncio.run(modules())
