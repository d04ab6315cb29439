"""Saved Zoho connections: profiles in a settings file (no secrets), secrets in the OS keyring, and the service the
command line and the app add, test and remove them through.

A connection names a data centre (or a sandbox's base URL), an organization, a plan and an
OAuth client ID. Its client secret and refresh token live in the OS keyring under the service
"zoho-bulk". Where no keyring works, the user is told so plainly and may pass both for one run
in ZOHO_BULK_CLIENT_SECRET and ZOHO_BULK_REFRESH_TOKEN.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
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
    def books_base(self) -> str | None:
        """The Books API a client is given: a sandbox's; None for Zoho, whose token answer names the api_domain
        (Zoho's OAuth guide: "use the api_domain in the response to make API calls")."""
        return self.books_url if self.base_url else None

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
            calls=self.per_minute,
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
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
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
        return BooksClient(
            connection.books_base, connection.organization_id, tokens, connection.throttle(), transport=transport
        )

    def crm_client(self, name: str, *, transport: httpx.AsyncBaseTransport | None = None) -> CrmClient:
        connection = self.get(name)
        tokens = self.tokens(name, transport=transport)
        return CrmClient(connection.base_url, tokens, transport=transport)


# --- the service the command line and the app share ------------------------------------------


@dataclass(frozen=True)
class Membership:
    """The signed-in user's organizations, read once: whether the connection's organization is among them."""

    organization_id: str
    names: dict[str, str]  # organization ID -> name, as Zoho lists them

    @property
    def name(self) -> str | None:
        """The organization's name; None when the user does not belong to it."""
        return self.names.get(self.organization_id)

    def refusal(self) -> str:
        theirs = ", ".join(self.names) or "none"
        return (f"signed in, but organization {self.organization_id} is not among this user's organizations "
                f"({theirs})")


async def user_organizations(connection: Connection, tokens: TokenSource, *,
                             transport: httpx.AsyncBaseTransport | None = None) -> dict[str, str]:
    """The organizations the signed-in user belongs to (ID -> name), read before one is chosen."""
    async with BooksClient(connection.books_base, "", tokens, transport=transport) as client:
        return _names(await client.organizations())


async def membership(client: BooksClient) -> Membership:
    """Sign in through `client` (a token exchange when it has none) and find its organization among the user's.

    A wrong secret, grant, URL or organization is found here, before anything is saved or sent.
    """
    return Membership(client.organization_id, _names(await client.organizations()))


def _names(organizations: list[dict[str, Any]]) -> dict[str, str]:
    return {str(o.get("organization_id")): str(o.get("name") or "") for o in organizations}


def keep_sign_in(store: ConnectionStore, connection: Connection, client_secret: str, tokens: TokenSource, *,
                 default: bool = False) -> None:
    """Save a signed-in connection: its secrets in the keyring (NoKeyring if there is none), the sign-in's own
    access token kept for the next runs, then the profile."""
    store.store_secrets(connection.name, client_secret, tokens.refresh_token or "")
    keeper = store.keeper(connection.name, tokens.refresh_token or "")
    if keeper is not None:
        tokens.keep_with(keeper)
    store.save(connection, default=default)
