"""Where a job sends its calls: a running sandbox (--sandbox URL), a saved connection, or the embedded sandbox."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.errors import ZohoBulkError
from app.private import data_dir
from app.zoho import BooksClient, ConnectionStore, CrmClient, Throttle, ZohoError

SANDBOX_ORGANIZATION_ID = "10234695"
RATE_ENV = "ZOHO_BULK_SANDBOX_RATE"  # "N/SECONDS[/CONCURRENCY]": the limits of a sandbox target


class TargetError(ZohoBulkError):
    """No usable target (unknown connection, no credentials, sandbox not reachable); a plain sentence."""


@dataclass
class Target:
    """A Zoho organization to talk to; `books()` gives a new client on its shared throttle."""

    name: str  # shown to the user: "sandbox at http://127.0.0.1:8777", "connection Acme"
    identity: str  # stable across runs, part of a job's identity
    make_client: Callable[[], BooksClient]
    make_crm: Callable[[], CrmClient] | None = None

    def books(self) -> BooksClient:
        return self.make_client()

    def crm(self) -> CrmClient:
        """A new Zoho CRM client of the same organization (CRM conversion)."""
        if self.make_crm is None:
            raise TargetError(f"{self.name} offers no Zoho CRM.")
        return self.make_crm()


def sandbox_info(url: str) -> dict[str, Any]:
    """The sandbox's root page (GET {url}/): its organization, instance and limits; TargetError if none answers."""
    try:
        info = httpx.get(url.rstrip("/") + "/", timeout=5.0).json()
    except (httpx.HTTPError, ValueError):
        info = None
    if not isinstance(info, dict) or "organization_id" not in info:
        raise TargetError(f"No sandbox answers at {url}; start one with `zoho-bulk sandbox`.")
    return info


def sandbox_limits(url: str, info: dict[str, Any] | None = None) -> tuple[int, float, int, int | None]:
    """(calls, window_s, concurrency, daily_quota) for a sandbox: ZOHO_BULK_SANDBOX_RATE or the root page."""
    raw = os.environ.get(RATE_ENV)
    if raw:
        parts = raw.split("/")
        try:
            per = int(parts[0])
            window = float(parts[1]) if len(parts) > 1 else 60.0
            concurrency = int(parts[2]) if len(parts) > 2 else 10
        except ValueError:
            raise TargetError(f"{RATE_ENV} must look like 100/60 or 100/60/10, not {raw!r}") from None
        return per, window, concurrency, None
    limits = (info if info is not None else sandbox_info(url)).get("limits") or {}
    try:
        daily = limits.get("daily_quota")
        return (int(limits.get("rate_limit", 100)), float(limits.get("rate_window_s", 60.0)),
                int(limits.get("concurrency", 10)), int(daily) if daily is not None else None)
    except (TypeError, ValueError, AttributeError):
        raise TargetError(f"The sandbox at {url} gives limits this program cannot read.") from None


def sandbox_target(url: str, *, transport: httpx.AsyncBaseTransport | None = None,
                   throttle: Throttle | None = None, name: str | None = None,
                   identity: str | None = None) -> Target:
    """A sandbox already running at `url` (or served by `transport`), with its built-in credentials.

    Without a transport the root page is read: its limits pace the run and its instance ID
    joins the identity, since every sandbox serves the same organization ID.
    """
    root = url.rstrip("/")
    info = sandbox_info(root) if transport is None and (throttle is None or identity is None) else {}
    if throttle is None:
        per, window, concurrency, daily = (100, 60.0, 10, None) if transport else sandbox_limits(root, info)
        throttle = Throttle(calls=per, window_s=window, concurrency=concurrency,
                            daily_quota=daily)
    if identity is None:
        instance = info.get("instance")
        identity = f"sandbox {SANDBOX_ORGANIZATION_ID}" + (f" {instance}" if instance else "")
    shared = throttle
    return Target(
        name=name or f"sandbox at {root}",
        identity=identity,
        make_client=lambda: BooksClient.for_sandbox(root, transport=transport, throttle=shared),
        make_crm=lambda: CrmClient.for_sandbox(root, transport=transport),
    )


def connection_target(name: str, store: ConnectionStore | None = None) -> Target:
    store = store or ConnectionStore()
    try:
        connection = store.get(name)
        store.secrets(name)
    except (KeyError, ZohoError, ValueError) as exc:
        raise TargetError(f'The connection "{name}" cannot be used: {exc}') from None
    return Target(name=f"connection {name}",
                  identity=f"{connection.api_domain} {connection.organization_id}",
                  make_client=lambda: store.books_client(name),
                  make_crm=lambda: store.crm_client(name))


def embedded_db() -> Path:
    return data_dir() / "sandbox.sqlite"


@contextlib.contextmanager
def open_target(*, sandbox: str | None = None, connection: str | None = None,
                store: ConnectionStore | None = None) -> Iterator[Target]:
    """The target the command line asks for; starts (and stops) the embedded sandbox when needed."""
    if sandbox:
        yield sandbox_target(sandbox)
        return
    if connection:
        yield connection_target(connection, store)
        return
    store = store or ConnectionStore()
    try:
        default = store.default_name()
    except (OSError, ValueError, ZohoError) as exc:
        # Never fall back to the embedded sandbox here: the user's default may be a real Zoho.
        raise TargetError(f"{exc}. Fix or remove that file, or name a target with --connection "
                          "NAME or --sandbox URL.") from None
    if default:
        yield connection_target(default, store)
        return
    with embedded_sandbox(embedded_db()) as url:
        yield sandbox_target(url, name="embedded sandbox", identity="embedded sandbox")


@contextlib.contextmanager
def embedded_sandbox(db_path: Path, **settings: object) -> Iterator[str]:
    """The sandbox served on a free loopback port for as long as the block runs; yields its URL."""
    from app.sandbox import EmbeddedSandbox, SandboxSettings

    db_path.parent.mkdir(parents=True, exist_ok=True)
    with EmbeddedSandbox(SandboxSettings(**settings), db_path=db_path) as sb:  # type: ignore[arg-type]  # SandboxSettings' own keywords
        yield sb.url
