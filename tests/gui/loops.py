"""The qasync loop of GUI tests and benchmarks: started on a QApplication, driven by Qt events, closed cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import qasync
import shiboken6
from PySide6.QtCore import QCoreApplication, QEventLoop

T = TypeVar("T")


@contextmanager
def running(app: QCoreApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop on `app`, current and marked running: coroutines advance whenever Qt processes events.

    On the way out, tasks still pending are cancelled and allowed to finish, then the loop is closed.
    """
    loop = qasync.QEventLoop(app, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            until_done(loop, asyncio.gather(*pending, return_exceptions=True))
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]  # stop() would quit the QApplication
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)
        close(loop)


def until_done(loop: asyncio.AbstractEventLoop, work: Awaitable[T]) -> T:
    """Process Qt events (and so the loop's callbacks) until `work` ends; its result, or its exception raised."""
    future = asyncio.ensure_future(work, loop=loop)
    if not future.done():
        waiting = QEventLoop()
        future.add_done_callback(lambda _: waiting.quit())
        waiting.exec()
    QCoreApplication.processEvents()  # what the ending scheduled, as run_until_complete does
    return future.result()


def close(loop: qasync.QEventLoop) -> None:
    """Close `loop`, then delete its timer object here, on the GUI thread.

    qasync's close() only marks its timer object stopped: the Qt timers of callbacks still
    scheduled (a timeout, a sleep) stay registered until they fire. Left to the garbage
    collector, the object may be destroyed on whichever thread runs the next collection (the
    sandbox's server thread, a journal writer), where Qt cannot stop its timers; one of them then
    fires on freed memory, and a later test crashes in QCoreApplication::notify.
    """
    loop.close()
    timer = loop._timer  # type: ignore[attr-defined]  # qasync's own name for it
    if shiboken6.isValid(timer):
        shiboken6.delete(timer)
