"""Fixtures every test can use: the sandbox in-process (httpx.ASGITransport) and on a loopback port.

- ``sandbox``: in-process handle (``.url`` "http://sandbox.test", ``.transport``, ``.app``,
  ``.db_path``, ``.settings``) with limits generous enough that tests are never throttled.
- ``live_sandbox``: uvicorn on 127.0.0.1 and a free port (``.url``, ``.app``, ``.db_path``), generous limits.
- ``make_sandbox(**settings)`` / ``make_live_sandbox(**settings)``: factories; the settings start
  from SandboxSettings' defaults (Zoho's real limits: 100 per 60 s, 10 at once, 10,000 a day).
- ``data_dir``: zoho-bulk's data folder (ZOHO_BULK_DATA_DIR) under tmp_path: journals, the built-in sandbox.
- ``sandbox_token(url_or_handle)``: an access token of the built-in client for either kind.
- ``zoho_contract`` (autouse): every request the tool's own code sends through any httpx transport
  is checked against the written contract in tests/contract/ before it goes out; a deviation raises
  in the sender and fails the test at teardown (see tests.contract). ``zoho_contract.take()`` hands a
  test that breaks a rule on purpose the deviations, so they do not fail it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.sandbox import EmbeddedSandbox, SandboxSettings, create_app
from tests.contract.transport import ContractRecorder, checking_every_transport

GENEROUS = {"rate_limit": 100_000, "concurrency": 1_000, "daily_quota": 10_000_000}
_names = itertools.count(1)


@dataclass
class InProcessSandbox:
    """The sandbox app driven through httpx.ASGITransport (no socket)."""

    app: Any
    transport: httpx.ASGITransport
    db_path: Path
    settings: SandboxSettings
    url: str = "http://sandbox.test"

    def token(self) -> str:
        """A fresh access token of the built-in client (minted directly, no HTTP)."""
        return str(self.app.state.tokens.issue())


def _token_for(target: Any) -> str:
    if isinstance(target, InProcessSandbox):
        return target.token()
    url = target if isinstance(target, str) else target.url
    answer = httpx.post(
        f"{url}/oauth/v2/token",
        data={"grant_type": "refresh_token", "refresh_token": "sandbox-refresh",
              "client_id": "sandbox-client", "client_secret": "sandbox-secret"},
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


@pytest.fixture(autouse=True)
def zoho_contract() -> Iterator[ContractRecorder]:
    recorder = ContractRecorder()
    with checking_every_transport(recorder):
        yield recorder
    if recorder.violations:
        pytest.fail("requests broke Zoho's documented contract (tests/contract/kinds.py):\n  "
                    + "\n  ".join(dict.fromkeys(recorder.violations)), pytrace=False)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("ZOHO_BULK_DATA_DIR", str(path))
    return path


@pytest.fixture
def sandbox_token() -> Callable[[Any], str]:
    return _token_for


@pytest.fixture
def make_sandbox(tmp_path: Path) -> Iterator[Callable[..., InProcessSandbox]]:
    made: list[InProcessSandbox] = []

    def make(**settings: Any) -> InProcessSandbox:
        config = SandboxSettings(**settings)
        db_path = tmp_path / f"sandbox-{next(_names)}.sqlite3"
        app = create_app(config, db_path)
        handle = InProcessSandbox(app, httpx.ASGITransport(app=app), db_path, config)
        made.append(handle)
        return handle

    yield make
    for handle in made:
        handle.app.state.close()


@pytest.fixture
def make_live_sandbox(tmp_path: Path) -> Iterator[Callable[..., EmbeddedSandbox]]:
    started: list[EmbeddedSandbox] = []

    def make(**settings: Any) -> EmbeddedSandbox:
        db_path = tmp_path / f"live-sandbox-{next(_names)}.sqlite3"
        server = EmbeddedSandbox(SandboxSettings(**settings), db_path=db_path).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., InProcessSandbox]) -> InProcessSandbox:
    return make_sandbox(**GENEROUS)


@pytest.fixture
def live_sandbox(make_live_sandbox: Callable[..., EmbeddedSandbox]) -> EmbeddedSandbox:
    return make_live_sandbox(**GENEROUS)
