"""GUI fixtures: offscreen Qt, one qasync loop (`qloop`) on the test's QApplication, an AppContext on throw-away folders.

Coroutines (page actions) run with `run(coro)`, which pumps Qt events until the coroutine ends, or advance
inside qtbot.waitUntil/waitSignal — so no test sleeps. Error dialogs are found with `error_dialogs()`.
"""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Awaitable, Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

import pytest  # noqa: E402

from tests.conftest import GENEROUS  # noqa: E402
from tests.gui import loops  # noqa: E402
from tests.keyrings import MemoryKeyring  # noqa: E402

T = TypeVar("T")


@pytest.fixture
def gui_folders(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Job journals, reports and the built-in sandbox's file under tmp_path."""
    monkeypatch.delenv("ZOHO_BULK_SANDBOX_RATE", raising=False)
    return tmp_path


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """The test's qasync loop on its QApplication, current and marked running (as inside the app's exec()).

    Coroutines advance whenever Qt processes events: while `run(...)` waits, and inside
    qtbot.waitUntil or qtbot.waitSignal. Tasks still pending at the end are cancelled.
    """
    with loops.running(qapp) as loop:
        yield loop


@pytest.fixture
def run(qloop: asyncio.AbstractEventLoop) -> Callable[[Awaitable[T]], T]:
    """Run a page's coroutine (or await a started task) on the qasync loop until it ends."""

    def run_until_done(work: Awaitable[T]) -> T:
        return loops.until_done(qloop, work)

    return run_until_done


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def context(gui_folders: Path, qloop: asyncio.AbstractEventLoop, keyring_backend: MemoryKeyring) -> Iterator[Any]:
    """An AppContext with its own preferences, connections file, keyring and built-in sandbox (generous limits)."""
    from app.gui.context import AppContext
    from app.gui.preferences import Preferences
    from app.sandbox import SandboxSettings
    from app.zoho import ConnectionStore

    ctx = AppContext(Preferences(gui_folders / "gui.ini"),
                     ConnectionStore(gui_folders / "connections.json", backend=keyring_backend, environ={}),
                     sandbox_settings=SandboxSettings(**GENEROUS), sandbox_db=gui_folders / "sandbox.sqlite")
    ctx.url_opener = lambda url: pytest.fail(f"a test tried to open {url} in the real browser")
    yield ctx
    ctx.shutdown()


@pytest.fixture
def window(context: Any, qtbot: Any) -> Any:
    from app.gui.window import MainWindow

    win = MainWindow(context)
    win.remember = False
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def error_dialogs(qapp: Any) -> Callable[[], list[Any]]:
    """The error dialogs open now (each has `.message`, the plain sentence shown)."""
    from PySide6.QtWidgets import QApplication

    from app.gui.errors import ErrorDialog

    def find() -> list[Any]:
        qapp.processEvents()
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]

    return find
