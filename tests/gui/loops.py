"""Closing a test's qasync loop so that none of its Qt timers outlives it."""

from __future__ import annotations

import qasync
import shiboken6


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
