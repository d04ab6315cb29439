"""`zoho-bulk connections {add,list,remove,test,scopes}`: the command line of the connection service
(app.zoho.connections).

`add` signs in and finds the organization before it saves anything; what went wrong goes to
standard error in one sentence, with exit 2 (nothing saved).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import webbrowser
from collections.abc import Callable
from typing import Any

import httpx

from app.errors import ZohoBulkError
from app.zoho.books import BooksClient
from app.zoho.connections import (
    NO_KEYRING_MESSAGE,
    REFRESH_ENV,
    SECRET_ENV,
    Connection,
    ConnectionStore,
    keep_sign_in,
    membership,
)
from app.zoho.errors import NoKeyring, ZohoError
from app.zoho.redaction import remember_secret
from app.zoho.scope_check import check_scopes, print_findings
from app.zoho.scopes import scopes_for
from app.zoho.signin import sign_in_with_browser
from app.zoho.tokens import TokenSource


def connections_command(
    args: argparse.Namespace,
    *,
    store: ConnectionStore | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
    open_browser: Callable[[str], object] = webbrowser.open,
    transport: httpx.AsyncBaseTransport | None = None,
    out: Any = None,
    err: Any = None,
) -> int:
    """`zoho-bulk connections {add,list,remove,test}`; returns the exit code (0 ok, 1 failed, 2 bad usage
    or nothing saved). What went wrong goes to `err` (standard error), in one plain sentence."""
    out = out or sys.stdout
    err = err or sys.stderr
    store = store or ConnectionStore()
    try:
        if args.action == "list":
            return _list(store, out)
        if args.action == "scopes":  # what to paste in the Self Client's Scope box
            print(",".join(scopes_for(crm=getattr(args, "crm", False))), file=out)
            return 0
        if not args.name:
            print(f"connections {args.action} needs a connection name", file=err)
            return 2
        if args.action == "remove":
            store.remove(args.name)
            print(f"removed connection {args.name!r} and its keyring entries", file=out)
            return 0
        if args.action == "test":
            return asyncio.run(_test(store, args.name, transport, out, crm=getattr(args, "crm", False)))
        try:
            return asyncio.run(_add(args, store, prompt, open_browser, transport, out))
        except (ZohoBulkError, ValueError) as exc:  # nothing was saved
            print(f"{_plain(exc)} (nothing saved)", file=err)
            return 2
    except (ZohoBulkError, ValueError) as exc:
        print(_plain(exc), file=err)
        return 2 if isinstance(exc, NoKeyring | ValueError) else 1


def _plain(exc: Exception) -> str:
    if isinstance(exc, ZohoBulkError):
        return exc.message
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'connection'}: {e['msg']}" for e in exc.errors())
    return str(exc)


def _list(store: ConnectionStore, out: Any) -> int:
    connections = store.list()
    if not connections:
        print("no saved connections (add one: zoho-bulk connections add NAME ...)", file=out)
        return 0
    default = store.default_name()
    for c in connections:
        where = f"data centre {c.data_centre}" if c.data_centre else f"base URL {c.base_url}"
        mark = " (default)" if c.name == default else ""
        print(
            f"{c.name}{mark}: {where}, organization {c.organization_id}, plan {c.plan} "
            f"({c.effective_daily_quota} calls a day, {c.effective_concurrency} at once), "
            f"client {c.client_id}, secrets: {store.secrets_state(c.name)}",
            file=out,
        )
    return 0


async def _add(
    args: argparse.Namespace,
    store: ConnectionStore,
    prompt: Callable[[str], str],
    open_browser: Callable[[str], object],
    transport: httpx.AsyncBaseTransport | None,
    out: Any,
) -> int:
    connection = Connection(
        name=args.name,
        data_centre=getattr(args, "data_centre", None),
        base_url=getattr(args, "base_url", None),
        organization_id=args.organization_id or "",
        plan=args.plan or "standard",
        client_id=args.client_id or "",
        daily_quota=getattr(args, "daily_quota", None),
        concurrency=getattr(args, "concurrency", None),
    )
    if connection.name in {c.name for c in store.list()} and not getattr(args, "replace", False):
        raise ZohoError(f"a connection called {connection.name!r} is saved already; pass --replace to "
                        "overwrite it")
    env_secret, env_refresh = store.environ.get(SECRET_ENV), store.environ.get(REFRESH_ENV)
    if not store.keyring_works():
        if not (env_secret and env_refresh):
            raise NoKeyring(NO_KEYRING_MESSAGE)
        remember_secret(env_secret)
        remember_secret(env_refresh)
        tokens = TokenSource(connection.token_url, connection.client_id, env_secret, env_refresh,
                             transport=transport)
        organization = await _check_organization(connection, tokens, transport)
        store.save(connection, default=args.default)
        print(
            f"saved connection {connection.name!r} (organization {connection.organization_id} {organization!r}) "
            f"without its secrets: there is no keyring here, so they come from {SECRET_ENV} and "
            f"{REFRESH_ENV} on every run, and its access token cannot be kept between runs: each run "
            "asks Zoho for a new one, and Zoho mints at most 10 in ten minutes (an 11th run within "
            "them is refused and told when to run again)",
            file=out,
        )
        return 0
    try:
        client_secret = env_secret or prompt(f"Client secret of {connection.client_id}: ").strip()
    except EOFError:
        client_secret = ""
    if not client_secret:
        raise ZohoError("no client secret given")
    remember_secret(client_secret)
    if args.grant_code:
        tokens = await TokenSource.exchange_code(
            connection.token_url, connection.client_id, client_secret, args.grant_code.strip(),
            transport=transport,
        )
    elif args.browser:

        def show_and_open(url: str) -> object:
            print(f"Sign in to Zoho in your browser; if it does not open, visit:\n{url}", file=out)
            return open_browser(url)

        tokens = await sign_in_with_browser(
            connection.accounts_url, connection.client_id, client_secret,
            scopes=scopes_for(crm=getattr(args, "crm", False)), open_browser=show_and_open,
            transport=transport,
        )
    elif env_refresh:
        tokens = TokenSource(connection.token_url, connection.client_id, client_secret, env_refresh,
                             transport=transport)
        await tokens.access_token()
    else:
        raise ZohoError("sign in with --grant-code CODE (a Self Client grant code) or --browser")
    organization = await _check_organization(connection, tokens, transport)
    keep_sign_in(store, connection, client_secret, tokens, default=args.default)
    print(
        f"saved connection {connection.name!r} (organization {connection.organization_id} {organization!r}); "
        "client secret and refresh token are in the system keyring",
        file=out,
    )
    return 0


async def _check_organization(connection: Connection, tokens: TokenSource,
                              transport: httpx.AsyncBaseTransport | None) -> str:
    """Sign in and find the connection's organization among the user's, before anything is saved; its name."""
    async with BooksClient(connection.books_base, connection.organization_id, tokens, connection.throttle(),
                           transport=transport) as client:
        found = await membership(client)
    if found.name is None:
        raise ZohoError(found.refusal())
    return found.name


async def _test(
    store: ConnectionStore, name: str, transport: httpx.AsyncBaseTransport | None, out: Any,
    *, crm: bool = False,
) -> int:
    async with store.books_client(name, transport=transport) as client:
        found = await membership(client)
        if found.name is None:
            print(found.refusal(), file=out)
            return 1
        quota = client.counters.quota_remaining
        left = f"; {quota} calls left today" if quota is not None else ""
        print(f"connection {name!r} works: organization {found.organization_id} {found.name!r}{left}", file=out)
        crm_client = store.crm_client(name, transport=transport) if crm else None
        try:  # one cheap read per scope: a grant typed without one is found now, not mid-job
            findings = await check_scopes(client, crm_client)
        finally:
            if crm_client is not None:
                await crm_client.aclose()
    return print_findings(findings, out, crm=crm)
