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
    with _stop_on_signals(job, err):
        try:
            if before_run is not None:
                await before_run(bar)
            result = await job.run(bar)
        finally:
            bar.close()
    print_summary(result, out)
    if as_json:
        print(json.dumps(result.summary()), file=out)
    return result.exit_code


@contextlib.contextmanager
def _stop_on_signals(job: Job[Any], err: TextIO) -> Iterator[None]:
    """The first Ctrl-C / SIGTERM cancels cleanly (requests already out come back first).

    A second Ctrl-C is Python's own KeyboardInterrupt, which app.cli ends with the --json line.
    """
    loop = asyncio.get_running_loop()
    installed: list[int] = []

    def stop(sig: int) -> None:
        print("\nStopping: waiting for the requests already sent...", file=err)
        job.cancel()
        loop.remove_signal_handler(sig)

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop, sig)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
