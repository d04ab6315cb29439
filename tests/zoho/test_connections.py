"""Connections, sign-in and secrets: Self Client and browser flows against the sandbox, keyring, no secrets on disk."""

from __future__ import annotations

import argparse
import io
import json
import logging
from pathlib import Path

import httpx
import keyring.backends.fail
import pytest

from app.cli.connections import connections_command
from app.zoho import AuthError, BooksClient, Connection, ConnectionStore, NoKeyring, TokenSource
from app.zoho.connections import NO_KEYRING_MESSAGE
from app.zoho.datacentres import DATA_CENTRES, data_centre
from app.zoho.signin import sign_in_with_browser
from tests.keyrings import MemoryKeyring


def browser_through(sandbox):
    """An `open_browser` that follows Zoho's consent page like a browser: sandbox page, then the loopback redirect."""
    visits: list[str] = []

    async def open_browser(url: str) -> None:
        visits.append(url)
        async with httpx.AsyncClient(transport=sandbox.transport) as zoho:
            consent = await zoho.get(url)
        assert consent.status_code == 302
        async with httpx.AsyncClient() as loopback:  # the redirect goes to the tool's listener
            page = await loopback.get(consent.headers["location"])
        assert page.status_code == 200

    return open_browser, visits


def args(action: str, name: str | None = None, **options) -> argparse.Namespace:
    defaults = dict(data_centre=None, base_url=None, organization_id=None, plan=None, client_id=None,
                    grant_code=None, browser=False, default=False, replace=False)
    return argparse.Namespace(action=action, name=name, **{**defaults, **options})


# --- data centres -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dc", "accounts", "books"),
    [
        ("us", "https://accounts.zoho.com", "https://www.zohoapis.com/books/v3"),
        ("eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu/books/v3"),
        ("in", "https://accounts.zoho.in", "https://www.zohoapis.in/books/v3"),
        ("au", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au/books/v3"),
        ("jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp/books/v3"),
        ("ca", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca/books/v3"),
        ("cn", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn/books/v3"),
        ("sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa/books/v3"),
    ],
)
def test_each_data_centre_builds_its_urls(dc: str, accounts: str, books: str) -> None:
    connection = Connection(name="x", data_centre=dc, organization_id="1", client_id="c")
    assert connection.token_url == f"{accounts}/oauth/v2/token"
    assert connection.books_url == books
    assert len(DATA_CENTRES) == 8


def test_data_centres_by_name_and_plans_set_limits() -> None:
    assert data_centre("Europe").code == "eu"
    assert data_centre("com.au").code == "au"
    with pytest.raises(ValueError, match="unknown data centre"):
        data_centre("mars")
    free = Connection(name="f", data_centre="eu", organization_id="1", client_id="c", plan="Free")
    assert (free.effective_daily_quota, free.effective_concurrency) == (1_000, 5)
    own = Connection(name="p", data_centre="eu", organization_id="1", client_id="c", plan="professional",
                     daily_quota=7_500, concurrency=3)
    assert (own.effective_daily_quota, own.effective_concurrency) == (7_500, 3)
    with pytest.raises(ValueError):
        Connection(name="both", data_centre="eu", base_url="http://127.0.0.1:1", organization_id="1", client_id="c")


# --- sign-in flows against the sandbox ----------------------------------------------------------


async def test_self_client_grant_code_gives_a_refresh_token_that_works(sandbox) -> None:
    tokens = await TokenSource.exchange_code(f"{sandbox.url}/oauth/v2/token", "sandbox-client", "sandbox-secret",
                                             "sandbox-grant", transport=sandbox.transport)
    assert tokens.refresh_token and tokens.refresh_token != "sandbox-refresh"
    assert tokens.api_domain == sandbox.url
    async with BooksClient(None, "10234695", tokens, transport=sandbox.transport) as client:
        organizations = await client.organizations()  # base URL from the token answer's api_domain
    assert organizations[0]["organization_id"] == "10234695"


async def test_a_wrong_grant_code_or_secret_is_a_plain_auth_error(sandbox) -> None:
    url = f"{sandbox.url}/oauth/v2/token"
    with pytest.raises(AuthError, match="grant code"):
        await TokenSource.exchange_code(url, "sandbox-client", "sandbox-secret", "1000.nope",
                                        transport=sandbox.transport)
    with pytest.raises(AuthError, match="client secret is wrong") as wrong:
        await TokenSource.exchange_code(url, "sandbox-client", "not-the-secret", "sandbox-grant",
                                        transport=sandbox.transport)
    assert "not-the-secret" not in str(wrong.value)


async def test_browser_sign_in_through_a_loopback_listener(sandbox) -> None:
    open_browser, visits = browser_through(sandbox)
    tokens = await sign_in_with_browser(sandbox.url, "sandbox-client", "sandbox-secret",
                                        open_browser=open_browser, transport=sandbox.transport, port=0)
    assert len(visits) == 1
    query = httpx.URL(visits[0]).params
    assert query["access_type"] == "offline" and query["response_type"] == "code"
    assert query["redirect_uri"].startswith("http://127.0.0.1:")
    assert tokens.refresh_token
    async with BooksClient(f"{sandbox.url}/books/v3", "10234695", tokens, transport=sandbox.transport) as client:
        contacts, _ = await client.list_page("contacts")
    assert contacts and tokens.refreshes == 0  # the access token of the sign-in itself was used


async def test_browser_answer_with_a_forged_state_is_refused(sandbox) -> None:
    async def forging_browser(url: str) -> None:
        async with httpx.AsyncClient(transport=sandbox.transport) as zoho:
            consent = await zoho.get(url)
        forged = httpx.URL(consent.headers["location"]).copy_set_param("state", "forged")
        async with httpx.AsyncClient() as loopback:
            await loopback.get(forged)

    with pytest.raises(AuthError, match="state"):
        await sign_in_with_browser(sandbox.url, "sandbox-client", "sandbox-secret",
                                   open_browser=forging_browser, transport=sandbox.transport, port=0)


# --- connections, keyring and the command line -------------------------------------------------


@pytest.mark.slow
def test_cli_add_list_test_remove_with_a_keyring(sandbox, tmp_path: Path) -> None:
    ring = MemoryKeyring()
    store = ConnectionStore(tmp_path / "connections.json", backend=ring, environ={})
    out = io.StringIO()

    code = connections_command(
        args("add", "demo", base_url=sandbox.url, organization_id="10234695", client_id="sandbox-client",
             grant_code="sandbox-grant", plan="premium"),
        store=store, prompt=lambda _: "sandbox-secret", transport=sandbox.transport, out=out)
    assert code == 0, out.getvalue()
    refresh = ring.passwords[("zoho-bulk", "demo:refresh_token")]
    assert ring.passwords[("zoho-bulk", "demo:client_secret")] == "sandbox-secret"

    saved = (tmp_path / "connections.json").read_text()
    assert "sandbox-secret" not in saved and refresh not in saved
    assert json.loads(saved)["default"] == "demo"
    assert (tmp_path / "connections.json").stat().st_mode & 0o077 == 0

    assert connections_command(args("list"), store=store, out=out) == 0
    assert "demo (default)" in out.getvalue() and "secrets: keyring" in out.getvalue()
    assert connections_command(args("test", "demo"), store=store, transport=sandbox.transport, out=out) == 0
    assert "works: organization 10234695 'Zylker Demo Ltd'" in out.getvalue()
    tokens = store.tokens("demo", transport=sandbox.transport)
    assert tokens.refreshes == 0  # the sign-in's own access token, kept in the keyring, served the test
    kept = ring.passwords[("zoho-bulk", "demo:access_token")]
    assert tokens.current and tokens.current in kept and refresh not in kept
    assert tokens.current not in saved and tokens.current not in out.getvalue()
    assert refresh not in out.getvalue()

    assert connections_command(args("remove", "demo"), store=store, out=out) == 0
    assert store.list() == [] and ring.passwords == {}


@pytest.mark.slow
def test_cli_add_through_the_browser(sandbox, tmp_path: Path, monkeypatch) -> None:
    import app.zoho.signin as signin

    monkeypatch.setattr(signin, "REDIRECT_PORT", 0)  # any free port instead of the registered one
    ring = MemoryKeyring()
    store = ConnectionStore(tmp_path / "c.json", backend=ring, environ={})
    open_browser, visits = browser_through(sandbox)
    out = io.StringIO()
    code = connections_command(
        args("add", "web", base_url=sandbox.url, organization_id="10234695", client_id="sandbox-client",
             browser=True),
        store=store, prompt=lambda _: "sandbox-secret", open_browser=open_browser,
        transport=sandbox.transport, out=out)
    assert code == 0, out.getvalue()
    assert visits and ring.passwords[("zoho-bulk", "web:refresh_token")]


@pytest.mark.slow
def test_no_keyring_gives_the_plain_message_and_env_vars_work_for_one_run(sandbox, tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path / "c.json", backend=keyring.backends.fail.Keyring(), environ={})
    out, err = io.StringIO(), io.StringIO()
    code = connections_command(
        args("add", "demo", base_url=sandbox.url, organization_id="10234695", client_id="sandbox-client",
             grant_code="sandbox-grant"),
        store=store, prompt=lambda _: "sandbox-secret", transport=sandbox.transport, out=out, err=err)
    assert code == 2
    assert err.getvalue().strip() == f"{NO_KEYRING_MESSAGE} (nothing saved)" and out.getvalue() == ""
    assert not (tmp_path / "c.json").exists()

    env = {"ZOHO_BULK_CLIENT_SECRET": "sandbox-secret", "ZOHO_BULK_REFRESH_TOKEN": "sandbox-refresh"}
    store = ConnectionStore(tmp_path / "c.json", backend=keyring.backends.fail.Keyring(), environ=env)
    out = io.StringIO()
    assert connections_command(
        args("add", "demo", base_url=sandbox.url, organization_id="10234695", client_id="sandbox-client"),
        store=store, transport=sandbox.transport, out=out) == 0
    assert "without its secrets: there is no keyring here, so they come from ZOHO_BULK_CLIENT_SECRET" in out.getvalue()
    assert "sandbox-refresh" not in (tmp_path / "c.json").read_text()
    assert connections_command(args("test", "demo"), store=store, transport=sandbox.transport, out=out) == 0

    bare = ConnectionStore(tmp_path / "c.json", backend=keyring.backends.fail.Keyring(), environ={})
    with pytest.raises(NoKeyring) as missing:
        bare.secrets("demo")
    assert str(missing.value) == NO_KEYRING_MESSAGE


@pytest.mark.slow
def test_sign_in_leaves_no_secret_in_logs(sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ring = MemoryKeyring()
    store = ConnectionStore(tmp_path / "c.json", backend=ring, environ={})
    out = io.StringIO()
    connections_command(
        args("add", "demo", base_url=sandbox.url, organization_id="10234695", client_id="sandbox-client",
             grant_code="sandbox-grant"),
        store=store, prompt=lambda _: "sandbox-secret", transport=sandbox.transport, out=out)
    connections_command(args("test", "demo"), store=store, transport=sandbox.transport, out=out)
    issued = list(sandbox.app.state.tokens.tokens)
    assert issued
    everything = caplog.text + out.getvalue() + (tmp_path / "c.json").read_text()
    for secret in (*issued, ring.passwords[("zoho-bulk", "demo:refresh_token")], "sandbox-secret", "sandbox-grant"):
        assert secret not in everything


@pytest.mark.slow
def test_the_command_line_without_a_keyring_end_to_end(live_sandbox, platformdirs_isolated, monkeypatch,
                                                       capsys) -> None:
    from app.cli import main
    from app.zoho.connections import settings_path

    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        add = ["connections", "add", "local", "--base-url", live_sandbox.url, "--organization-id", "10234695",
               "--client-id", "sandbox-client", "--plan", "free", "--concurrency", "3"]
        assert main(add) == 2
        said = capsys.readouterr()
        assert said.err.strip() == f"{NO_KEYRING_MESSAGE} (nothing saved)" and said.out == ""
        assert not settings_path().exists()

        monkeypatch.setenv("ZOHO_BULK_CLIENT_SECRET", "sandbox-secret")
        monkeypatch.setenv("ZOHO_BULK_REFRESH_TOKEN", "sandbox-refresh")
        assert main(add) == 0
        assert main(["connections", "list"]) == 0
        assert main(["connections", "test", "local"]) == 0
        said = capsys.readouterr().out
        assert "local (default)" in said and "1000 calls a day, 3 at once" in said
        assert "secrets: environment" in said and "works: organization 10234695" in said
        saved = settings_path().read_text()
        assert str(platformdirs_isolated) in str(settings_path())
        assert "sandbox-secret" not in saved and "sandbox-refresh" not in saved
        assert main(["connections", "remove", "local"]) == 0
        assert main(["connections", "test", "local"]) == 1
        assert "no saved connection called 'local'" in capsys.readouterr().err
    finally:
        keyring.set_keyring(previous)


# --- connections add checks before it saves ------------------------------------------------------


def add_args(name: str, url: str, **options) -> argparse.Namespace:
    return args("add", name, base_url=url, organization_id=options.pop("organization_id", "10234695"),
                client_id="sandbox-client", **options)


ENV = {"ZOHO_BULK_CLIENT_SECRET": "sandbox-secret", "ZOHO_BULK_REFRESH_TOKEN": "sandbox-refresh"}


@pytest.mark.slow
@pytest.mark.parametrize(("case", "reason"), [
    ("wrong secret", "sign-in failed: Zoho does not know this client ID, or the client secret is wrong"),
    ("wrong organization", "organization 999 is not among this user's organizations (10234695"),
    ("unreachable", "could not reach Zoho's sign-in server at 127.0.0.1"),
])
@pytest.mark.parametrize("with_keyring", [True, False])
def test_add_checks_the_credentials_and_saves_nothing_when_they_fail(
        sandbox, tmp_path: Path, case: str, reason: str, with_keyring: bool) -> None:
    ring = MemoryKeyring()
    secret = "not-the-secret" if case == "wrong secret" else "sandbox-secret"
    environ = {} if with_keyring else {**ENV, "ZOHO_BULK_CLIENT_SECRET": secret}
    store = ConnectionStore(tmp_path / "c.json", backend=ring if with_keyring else keyring.backends.fail.Keyring(),
                            environ=environ)
    url = "http://127.0.0.1:9" if case == "unreachable" else sandbox.url  # the discard port: nobody listens
    options = {"organization_id": "999"} if case == "wrong organization" else {}
    if with_keyring:
        options["grant_code"] = "sandbox-grant"
    out, err = io.StringIO(), io.StringIO()
    code = connections_command(add_args("demo", url, **options), store=store, prompt=lambda _: secret,
                               transport=None if case == "unreachable" else sandbox.transport, out=out, err=err)
    assert code == 2, out.getvalue() + err.getvalue()
    assert reason in err.getvalue() and err.getvalue().rstrip().endswith("(nothing saved)"), err.getvalue()
    assert out.getvalue() == "" and "Traceback" not in err.getvalue()
    assert not (tmp_path / "c.json").exists() and ring.passwords == {}


@pytest.mark.slow
def test_add_refuses_to_overwrite_a_saved_name_without_replace(sandbox, tmp_path: Path) -> None:
    ring = MemoryKeyring()
    store = ConnectionStore(tmp_path / "c.json", backend=ring, environ={})

    def add(*, replace: bool = False, plan: str = "free") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = connections_command(add_args("demo", sandbox.url, grant_code="sandbox-grant", plan=plan,
                                            replace=replace),
                                   store=store, prompt=lambda _: "sandbox-secret", transport=sandbox.transport,
                                   out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    assert add()[0] == 0
    refresh = ring.passwords[("zoho-bulk", "demo:refresh_token")]
    code, out, err = add(plan="premium")
    assert code == 2 and out == ""
    assert err.strip() == ("a connection called 'demo' is saved already; pass --replace to overwrite it "
                           "(nothing saved)")
    assert store.get("demo").plan == "free" and ring.passwords[("zoho-bulk", "demo:refresh_token")] == refresh
    code, out, _ = add(plan="premium", replace=True)
    assert code == 0 and "saved connection 'demo' (organization 10234695 'Zylker Demo Ltd')" in out
    assert store.get("demo").plan == "premium" and [c.name for c in store.list()] == ["demo"]
