"""The sandbox served by uvicorn on a loopback port in a background thread."""

from __future__ import annotations

import asyncio
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.sandbox.app import create_app
from app.sandbox.gate import LIVE_TRANSPORTS
from app.sandbox.settings import SandboxSettings


class DroppableH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, registering each connection so a drop fault can close it."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._live_key = (tuple(self.client or ()), tuple(self.server or ()))
        LIVE_TRANSPORTS[self._live_key] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        LIVE_TRANSPORTS.pop(getattr(self, "_live_key", None), None)  # type: ignore[arg-type]
        super().connection_lost(exc)


def uvicorn_config(app: Any, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=host, port=port, http=DroppableH11Protocol, lifespan="off",
        log_level="warning", access_log=False, ws="none", timeout_graceful_shutdown=2,
    )


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[Any] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


class SandboxError(Exception):
    """The sandbox could not start (port taken, bad host, unreadable file)."""


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

    def start(self) -> EmbeddedSandbox:
        if self._server is not None:
            return self
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.app = create_app(self.settings, self.db_path)
        server = _Server(uvicorn_config(self.app, self.host, self.port))
        self._server = server
        self._thread = threading.Thread(target=server.run, name="zoho-bulk-sandbox", daemon=True)
        self._thread.start()
        while not server.ready.wait(0.05):
            if not self._thread.is_alive():
                self._server = None
                raise SandboxError(f"the sandbox could not listen on {self.host}:{self.port}")
        sockets = [s for srv in server.servers for s in srv.sockets]
        self.port = int(sockets[0].getsockname()[1])
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
