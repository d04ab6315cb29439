"""The sandbox served by uvicorn on a loopback port in a background thread."""

from __future__ import annotations

import asyncio
import socket
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.errors import ZohoBulkError
from app.private import private_file, private_folder
from app.sandbox.app import create_app
from app.sandbox.gate import LIVE_TRANSPORTS
from app.sandbox.settings import SandboxSettings


class DroppableH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, registering each connection so a drop fault can close it."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn gives a socket transport
        super().connection_made(transport)
        self._live_key = (tuple(self.client or ()), tuple(self.server or ()))
        LIVE_TRANSPORTS[self._live_key] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        LIVE_TRANSPORTS.pop(getattr(self, "_live_key", None), None)  # type: ignore[arg-type]  # None: never made, nothing to pop
        super().connection_lost(exc)


class SandboxError(ZohoBulkError):
    """The sandbox could not start (port taken, bad host, unreadable file)."""


def uvicorn_config(app: Any, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=host, port=port, http=DroppableH11Protocol, lifespan="off",
        log_level="warning", access_log=False, ws="none", timeout_graceful_shutdown=2,
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on exactly ``host``:``port`` (0 = a free port); SandboxError if not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as error:
        raise SandboxError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise SandboxError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sock


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[Any] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()

    async def shutdown(self, sockets: list[Any] | None = None) -> None:
        """uvicorn's graceful shutdown, then every connection it left open is broken, as a server that
        dies breaks them: a client never waits out its read timeout on a socket nobody serves any more."""
        await super().shutdown(sockets)
        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()


class EmbeddedSandbox:
    """uvicorn on 127.0.0.1 (a free port unless one is given) in its own thread.

    ``with EmbeddedSandbox(settings) as sb: sb.url`` — or ``start()`` / ``stop()``.
    Without ``db_path`` the data lives in a temporary directory removed on stop.
    """

    def __init__(
        self, settings: SandboxSettings | None = None, db_path: str | Path | None = None,
        *, host: str = "127.0.0.1", port: int = 0,
    ) -> None:
        self.settings = settings or SandboxSettings()
        self.host = host
        self.port = port
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if db_path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="zoho-bulk-sandbox-")
            db_path = Path(self._tmp.name) / "sandbox.sqlite3"
        self.db_path = Path(db_path)
        self.app: Any = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def listening_on(self) -> set[tuple[str, int]]:
        """The (address, port) pairs the running server accepts connections on; empty when stopped."""
        server = self._server
        if server is None:
            return set()
        return {tuple(sock.getsockname()[:2]) for listener in server.servers for sock in listener.sockets}

    def start(self) -> EmbeddedSandbox:
        if self._server is not None:
            return self
        sock = bind(self.host, self.port)
        self.port = int(sock.getsockname()[1])
        try:
            private_folder(self.db_path.parent, tighten=False)
            private_file(self.db_path)  # the customers' data imported into it: the user's alone
            self.app = create_app(self.settings, self.db_path)
        except Exception:
            sock.close()
            raise
        server = _Server(uvicorn_config(self.app, self.host, self.port))
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="zoho-bulk-sandbox", daemon=True
        )
        self._thread.start()
        while not server.ready.wait(0.05):
            if not self._thread.is_alive():
                self.stop()
                raise SandboxError(f"the sandbox could not start on {self.host}:{self.port}")
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout=10)
        self._server = self._thread = None
        if self.app is not None:
            self.app.state.close()
            self.app = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> EmbeddedSandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
