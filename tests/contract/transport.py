"""The contract check on the wire: an httpx transport wrapper, and the patch that puts it under every transport.

A request that breaks the contract is not sent: the sender gets ``ContractViolation`` (an
AssertionError, which no client code turns into a plain message) and the recorder keeps it, so
a request made on a background thread, whose exception a job might swallow, still fails the test.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.contract.check import deviations

APP_DIR = Path(__file__).resolve().parents[2] / "app"
SANDBOX_DIR = APP_DIR / "sandbox"
HTTPX_DIR = str(Path(httpx.__file__).parent)
CHECKED = "zoho_bulk_contract_checked"  # request.extensions key: checked once however many wrappers
PATCHED = (httpx.ASGITransport, httpx.AsyncHTTPTransport, httpx.HTTPTransport, httpx.MockTransport,
           httpx.WSGITransport)


class ContractViolation(AssertionError):
    """A request the tool was about to send breaks Zoho's documented contract."""


class ContractRecorder:
    """Checks requests and keeps every deviation seen (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.violations: list[str] = []

    def check(self, request: httpx.Request) -> None:
        if request.extensions.get(CHECKED):
            return
        request.extensions = {**request.extensions, CHECKED: True}
        problems = deviations(request)
        if problems:
            with self._lock:
                self.violations.extend(problems)
            raise ContractViolation("the request breaks Zoho's documented contract:\n  " + "\n  ".join(problems))

    def take(self) -> list[str]:
        """The deviations recorded so far, forgotten (for a test that breaks a rule on purpose)."""
        with self._lock:
            taken, self.violations = self.violations, []
        return taken


def sent_by_the_tool() -> bool:
    """True when the code that handed the request to httpx is zoho-bulk's own (app/, not the sandbox).

    Walks out from the transport past httpx itself and any transport wrapping another (a test's
    recording transport), to the code that called the httpx client: a request the tool sends is
    sent from app.zoho (or app.jobs.target); a request a test writes by hand to probe the sandbox,
    or a test's stand-in browser, is not the tool's. An awaited coroutine's frame links back to
    the one awaiting it, so this holds for async clients too.
    """
    frame = sys._getframe(1)
    app, sandbox, here = str(APP_DIR), str(SANDBOX_DIR), str(Path(__file__).parent)
    while frame is not None:
        name = frame.f_code.co_filename
        wrapper = frame.f_code.co_name in ("handle_request", "handle_async_request") or name.startswith(here)
        if not wrapper and not name.startswith(HTTPX_DIR):
            return name.startswith(app) and not name.startswith(sandbox)
        frame = frame.f_back
    return False


class ContractTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a sync or async httpx transport: every request is checked before `inner` sends it."""

    def __init__(self, inner: Any, recorder: ContractRecorder | None = None) -> None:
        self.inner = inner
        self.recorder = recorder or ContractRecorder()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.recorder.check(request)
        return self.inner.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.recorder.check(request)
        return await self.inner.handle_async_request(request)

    def close(self) -> None:
        if hasattr(self.inner, "close"):
            self.inner.close()

    async def aclose(self) -> None:
        if hasattr(self.inner, "aclose"):
            await self.inner.aclose()


@contextmanager
def checking_every_transport(recorder: ContractRecorder,
                             only: Callable[[], bool] = sent_by_the_tool) -> Iterator[ContractRecorder]:
    """Within the block, every request `only` accepts, through any of httpx's transports, is checked."""
    saved: list[tuple[type, str, Any]] = []

    def sync_wrapper(original: Any) -> Any:
        def handle_request(self: Any, request: httpx.Request) -> httpx.Response:
            if only():
                recorder.check(request)
            return original(self, request)
        return handle_request

    def async_wrapper(original: Any) -> Any:
        async def handle_async_request(self: Any, request: httpx.Request) -> httpx.Response:
            if only():
                recorder.check(request)
            return await original(self, request)
        return handle_async_request

    for cls in PATCHED:
        for name, wrap in (("handle_request", sync_wrapper), ("handle_async_request", async_wrapper)):
            original = cls.__dict__.get(name)
            if original is not None:
                saved.append((cls, name, original))
                setattr(cls, name, wrap(original))
    try:
        yield recorder
    finally:
        for cls, name, original in saved:
            setattr(cls, name, original)
