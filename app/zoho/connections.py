"""Saved Zoho connections: profiles in a settings file (no secrets), secrets in the OS keyring, and the CLI.

A connection names a data centre (or a sandbox's base URL), an organization, a plan and an
OAuth client ID. Its client secret and refresh token live in the OS keyring under the service
"zoho-bulk". Where no keyring works, the user is told so plainly and may pass both for one run
in ZOHO_BULK_CLIENT_SECRET and ZOHO_BULK_REFRESH_TOKEN.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import logging
import os
import sys
import tempfile
import webbrowser
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import keyring
import keyring.backends.fail
import keyring.errors
import platformdirs
from keyring.backend import KeyringBackend
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.zoho.books import BooksClient
from app.zoho.crm import CrmClient
from app.zoho.datacentres import data_centre, plan
from app.zoho.errors import AuthError, NoKeyring, ZohoError
from app.zoho.kept_tokens import KeyringKeeper
from app.zoho.redaction import remember_secret
from app.zoho.scope_check import check_scopes, print_findings
from app.zoho.scopes import scopes_for
from app.zoho.signin import sign_in_with_browser
from app.zoho.throttle import Throttle
from app.zoho.tokens import TokenSource

log = logging.getLogger("app.zoho")

KEYRING_SERVICE = "zoho-bulk"
SECRET_ENV = "ZOHO_BULK_CLIENT_SECRET"
REFRESH_ENV = "ZOHO_BULK_REFRESH_TOKEN"
NO_KEYRING_MESSAGE = (
    "No system keyring is available, so the Zoho client secret and refresh token cannot be "
    "stored safely. Install or unlock a keyring (GNOME Keyring or KWallet on Linux, Keychain "
    "on macOS, Credential Manager on Windows), or pass them for this run only in the "
    f"environment variables {SECRET_ENV} and {REFRESH_ENV}."
)


def settings_path() -> Path:
    """Where connection profiles are saved: the user config directory of zoho-bulk."""
    return Path(platformdirs.user_config_dir("zoho-bulk", appauthor=False)) / "connections.json"


class Connection(BaseModel):
    """A saved Zoho connection profile; holds no secret."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    data_centre: str | None = None
    base_url: str | None = None
    organization_id: str = Field(min_length=1)
    plan: str = "standard"
    client_id: str = Field(min_length=1)
    daily_quota: int | None = Field(default=None, ge=1)
    concurrency: int | None = Field(default=None, ge=1)
    per_minute: int = Field(default=100, ge=1)
    window_s: float = Field(default=60.0, gt=0)

    @field_validator("data_centre")
    @classmethod
    def _known_data_centre(cls, value: str | None) -> str | None:
        return data_centre(value).code if value else None

    @field_validator("plan")
    @classmethod
    def _known_plan(cls, value: str) -> str:
        return plan(value).name

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        url = httpx.URL(value)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _one_place(self) -> Connection:
        if bool(self.data_centre) == bool(self.base_url):
            raise ValueError("give either a data centre or a base URL (for a sandbox), not both")
        return self

    @property
    def accounts_url(self) -> str:
        """The OAuth server: the data centre's accounts server, or the sandbox itself."""
        return self.base_url or data_centre(self.data_centre or "").accounts_url

    @property
    def token_url(self) -> str:
        return f"{self.accounts_url}/oauth/v2/token"

    @property
    def api_domain(self) -> str:
        """Where the APIs live before the token answer says otherwise."""
        return self.base_url or data_centre(self.data_centre or "").api_domain

    @property
    def books_url(self) -> str:
        return f"{self.api_domain}/books/v3"

    @property
    def crm_url(self) -> str:
        return self.api_domain

    @property
    def effective_daily_quota(self) -> int:
        return self.daily_quota or plan(self.plan).daily_quota

    @property
    def effective_concurrency(self) -> int:
        return self.concurrency or plan(self.plan).concurrency

    def throttle(self) -> Throttle:
        """The process-wide throttle of this connection's organization."""
        return Throttle.shared(
            f"books {httpx.URL(self.api_domain).netloc.decode()} {self.organization_id}",
            per_minute=self.per_minute,
            window_s=self.window_s,
            concurrency=self.effective_concurrency,
            daily_quota=self.effective_daily_quota,
        )


class ConnectionStore:
    """Connection profiles in a JSON settings file, their secrets in the keyring (or the environment)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        backend: KeyringBackend | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.path = path or settings_path()
        self._backend = backend
        self.environ = environ if environ is not None else os.environ
        self._token_sources: dict[str, tuple[tuple[object, ...], TokenSource]] = {}

    # --- the settings file (no secrets) --------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"default": None, "connections": {}}
        except (OSError, ValueError) as exc:
            raise ZohoError(f"cannot read the connection settings in {self.path}: {exc}") from None
        data.setdefault("connections", {})
        data.setdefault("default", None)
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".connections-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def list(self) -> list[Connection]:
        data = self._read()
        return [Connection(**profile) for profile in data["connections"].values()]

    def get(self, name: str) -> Connection:
        profile = self._read()["connections"].get(name)
        if profile is None:
            raise ZohoError(f"no saved connection called {name!r} (see: zoho-bulk connections list)")
        return Connection(**profile)

    def default_name(self) -> str | None:
        data = self._read()
        name = data.get("default")
        return name if name in data["connections"] else None

    def save(self, connection: Connection, *, default: bool = False) -> None:
        data = self._read()
        data["connections"][connection.name] = connection.model_dump(mode="json", exclude_none=True)
        if default or not data.get("default"):
            data["default"] = connection.name
        self._write(data)

    def set_default(self, name: str) -> None:
        data = self._read()
        if name not in data["connections"]:
            raise ZohoError(f"no saved connection called {name!r}")
        data["default"] = name
        self._write(data)

    def remove(self, name: str) -> None:
        data = self._read()
        if name not in data["connections"]:
            raise ZohoError(f"no saved connection called {name!r}")
        del data["connections"][name]
        if data.get("default") == name:
            data["default"] = next(iter(data["connections"]), None)
        self._write(data)
        if self.keyring_works():
            for kind in ("client_secret", "refresh_token", "access_token"):
                with contextlib.suppress(keyring.errors.KeyringError):
                    self.backend.delete_password(KEYRING_SERVICE, f"{name}:{kind}")

    # --- secrets -------------------------------------------------------------------------------

    @property
    def backend(self) -> KeyringBackend:
        return self._backend or keyring.get_keyring()

    def keyring_works(self) -> bool:
        """True when a real keyring backend is there (not keyring's "fail" backend)."""
        backend = self.backend
        if isinstance(backend, keyring.backends.fail.Keyring):
            return False
        children = getattr(backend, "backends", None)
        return children is None or bool(children)

    def store_secrets(self, name: str, client_secret: str, refresh_token: str) -> None:
        """Put a connection's client secret and refresh token in the keyring; NoKeyring if there is none."""
        if not self.keyring_works():
            raise NoKeyring(NO_KEYRING_MESSAGE)
        try:
            self.backend.set_password(KEYRING_SERVICE, f"{name}:client_secret", client_secret)
            self.backend.set_password(KEYRING_SERVICE, f"{name}:refresh_token", refresh_token)
        except keyring.errors.KeyringError:
            raise NoKeyring(NO_KEYRING_MESSAGE) from None

    def secrets(self, name: str) -> tuple[str, str]:
        """(client secret, refresh token) from the environment for this run, else from the keyring."""
        secret, refresh = self.environ.get(SECRET_ENV), self.environ.get(REFRESH_ENV)
        if secret and refresh:
            remember_secret(secret)
            remember_secret(refresh)
            return secret, refresh
        if not self.keyring_works():
            raise NoKeyring(NO_KEYRING_MESSAGE)
        try:
            secret = secret or self.backend.get_password(KEYRING_SERVICE, f"{name}:client_secret")
            refresh = refresh or self.backend.get_password(KEYRING_SERVICE, f"{name}:refresh_token")
        except keyring.errors.KeyringError:
            raise NoKeyring(NO_KEYRING_MESSAGE) from None
        if not secret or not refresh:
            raise AuthError(
                f"the keyring holds no sign-in for connection {name!r}; add it again "
                f"(zoho-bulk connections add {name} --grant-code CODE or --browser)"
            )
        remember_secret(secret)
        remember_secret(refresh)
        return secret, refresh

    def secrets_state(self, name: str) -> str:
        """Where this connection's secrets would come from: "environment", "keyring", "missing" or "no keyring"."""
        if self.environ.get(SECRET_ENV) and self.environ.get(REFRESH_ENV):
            return "environment"
        if not self.keyring_works():
            return "no keyring"
        try:
            found = self.backend.get_password(KEYRING_SERVICE, f"{name}:refresh_token")
        except keyring.errors.KeyringError:
            return "no keyring"
        return "keyring" if found else "missing"

    # --- clients -------------------------------------------------------------------------------

    def tokens(self, name: str, *, transport: httpx.AsyncBaseTransport | None = None) -> TokenSource:
        """The connection's token source, one per connection for the store's life (one refresh, shared)."""
        connection = self.get(name)
        secret, refresh = self.secrets(name)
        key = (name, connection.token_url, connection.client_id, secret, refresh, id(transport))
        cached = self._token_sources.get(name)
        if cached is None or cached[0] != key:
            keeper = self.keeper(name, refresh)
            tokens = TokenSource(connection.token_url, connection.client_id, secret, refresh,
                                 transport=transport, kept=keeper.load() if keeper else None, keep=keeper)
            self._token_sources[name] = (key, tokens)
            return tokens
        return cached[1]

    def keeper(self, name: str, refresh_token: str) -> KeyringKeeper | None:
        """Where the connection's access token is kept between runs: the keyring beside the refresh token.

        Secrets passed in the environment are for one run only, so their token is not kept either.
        """
        from_environment = bool(self.environ.get(SECRET_ENV) and self.environ.get(REFRESH_ENV))
        if not from_environment and self.keyring_works():
            return KeyringKeeper(self.backend, KEYRING_SERVICE, name, refresh_token)
        log.info("secrets from the environment: the access token of connection %r is not kept, so this "
                 "run asks Zoho for a new one (Zoho mints at most 10 in ten minutes)", name)
        return None

    def books_client(
        self, name: str, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> BooksClient:
        """A Books client of the saved connection `name`, on its organization's shared throttle."""
        connection = self.get(name)
        tokens = self.tokens(name, transport=transport)
        base = connection.books_url if connection.base_url else None  # real Zoho: from api_domain
        return BooksClient(
            base, connection.organization_id, tokens, connection.throttle(), transport=transport
        )

    def crm_client(self, name: str, *, transport: httpx.AsyncBaseTransport | None = None) -> CrmClient:
        connection = self.get(name)
        tokens = self.tokens(name, transport=transport)
        return CrmClient(connection.base_url, tokens, transport=transport)


# --- the command line -------------------------------------------------------------------------


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
        except (ZohoError, ValueError) as exc:  # nothing was saved
            print(f"{_plain(exc)} (nothing saved)", file=err)
            return 2
    except (ZohoError, ValueError) as exc:
        print(_plain(exc), file=err)
        return 2 if isinstance(exc, NoKeyring | ValueError) else 1


def _plain(exc: Exception) -> str:
    if isinstance(exc, ZohoError):
        return str(exc)
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
    store.store_secrets(connection.name, client_secret, tokens.refresh_token or "")
    keeper = store.keeper(connection.name, tokens.refresh_token or "")
    if keeper is not None:  # the sign-in's own access token serves the next runs
        tokens.keep_with(keeper)
    store.save(connection, default=args.default)
    print(
        f"saved connection {connection.name!r} (organization {connection.organization_id} {organization!r}); "
        "client secret and refresh token are in the system keyring",
        file=out,
    )
    return 0


async def _check_organization(connection: Connection, tokens: TokenSource,
                              transport: httpx.AsyncBaseTransport | None) -> str:
    """Sign in (a token exchange) and find the connection's organization among the user's; its name.

    A wrong secret, grant, URL or organization is found here, before anything is saved.
    """
    base = connection.books_url if connection.base_url else None  # real Zoho: from api_domain
    async with BooksClient(base, connection.organization_id, tokens, connection.throttle(),
                           transport=transport) as client:
        organizations = await client.organizations()
    mine = [o for o in organizations if str(o.get("organization_id")) == connection.organization_id]
    if not mine:
        theirs = ", ".join(str(o.get("organization_id")) for o in organizations) or "none"
        raise ZohoError(f"signed in, but organization {connection.organization_id} is not among this "
                        f"user's organizations ({theirs})")
    return str(mine[0].get("name") or "")


async def _test(
    store: ConnectionStore, name: str, transport: httpx.AsyncBaseTransport | None, out: Any,
    *, crm: bool = False,
) -> int:
    connection = store.get(name)
    async with store.books_client(name, transport=transport) as client:
        organizations = await client.organizations()
        mine = [o for o in organizations if str(o.get("organization_id")) == connection.organization_id]
        if not mine:
            print(
                f"signed in, but organization {connection.organization_id} is not among this "
                f"user's organizations ({', '.join(str(o.get('organization_id')) for o in organizations)})",
                file=out,
            )
            return 1
        quota = client.counters.quota_remaining
        left = f"; {quota} calls left today" if quota is not None else ""
        print(f"connection {name!r} works: organization {connection.organization_id} "
              f"{mine[0].get('name', '')!r}{left}", file=out)
        crm_client = store.crm_client(name, transport=transport) if crm else None
        try:  # one cheap read per scope: a grant typed without one is found now, not mid-job
            findings = await check_scopes(client, crm_client)
        finally:
            if crm_client is not None:
                await crm_client.aclose()
    return print_findings(findings, out, crm=crm)
