"""Runs an import, export or CRM conversion from the terminal: Ctrl-C stops it cleanly, a progress bar, the summary, the exit code."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Protocol, TextIO, TypeVar

from app.jobs.progress import ProgressCallback, TextProgressBar


class Result(Protocol):
    exit_code: int

    def summary(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=Result)
R_co = TypeVar("R_co", bound=Result, covariant=True)


class Job(Protocol[R_co]):
    def cancel(self) -> None: ...

    async def run(self, on_progress: ProgressCallback | None = None) -> R_co: ...


def refuse(message: str, *, as_json: bool, out: TextIO | None = None) -> int:
    """Nothing was sent (exit 2); with --json the error object is the last line."""
    print(f"Nothing was sent: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"error": message, "exit_code": 2}), file=out or sys.stdout)
    return 2


async def run_in_terminal(job: Job[R], print_summary: Callable[[R, TextIO], None], *, as_json: bool,
                          out: TextIO | None = None, err: TextIO | None = None,
                          before_run: Callable[[TextProgressBar], Awaitable[None]] | None = None) -> int:
    """Run `job` with a progress bar on `err`, then its summary (and the --json line, last) on `out`.

    `before_run` (the export's listing) runs under the same Ctrl-C handling as the run itself.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    bar = TextProgressBar(err)
    with _stop_on_signals(job, err) as signals:
        try:
            if before_run is not None:
                await before_run(bar)
            result = await job.run(bar)
        except asyncio.CancelledError:
            if not signals.at_once:
                raise
            return stopped_at_once(as_json=as_json, out=out, err=err)
        finally:
            bar.close()
    print_summary(result, out)
    if as_json:
        print(json.dumps(result.summary()), file=out)
    return result.exit_code


def stopped_at_once(*, as_json: bool, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """A second Ctrl-C: no report, but the journal knows every row (exit 3, resumable)."""
    message = "Stopped at once; run the same command again to resume (no row is sent twice)."
    print(message, file=err or sys.stderr)
    if as_json:  # CLI.md: the JSON object is still the last line
        print(json.dumps({"error": message, "exit_code": 3}), file=out or sys.stdout)
    return 3


class _Signals:
    """What Ctrl-C / SIGTERM asked for so far."""

    stopping = False
    at_once = False


@contextlib.contextmanager
def _stop_on_signals(job: Job[Any], err: TextIO) -> Iterator[_Signals]:
    """The first Ctrl-C / SIGTERM cancels cleanly (requests already out come back first).

    The second one stops at once: the running task is cancelled, so requests in flight are
    abandoned and their rows stay "sent" in the journal, to be looked up when the job resumes.
    It is handled here rather than left to Python's KeyboardInterrupt, which would land
    inside whichever task happened to be running and leave it half-finished.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    signals = _Signals()
    installed: list[signal.Signals] = []

    def stop(sig: int) -> None:
        if not signals.stopping:
            signals.stopping = True
            print("\nStopping: waiting for the requests already sent...", file=err)
            job.cancel()
        elif not signals.at_once and task is not None:
            signals.at_once = True
            task.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop, sig)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    try:
        yield signals
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
