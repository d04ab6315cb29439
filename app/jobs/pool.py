"""A bounded pool of workers that keeps the throttled client saturated; reused by import, export and convert."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from app.jobs.control import Cancelled, RunControl

T = TypeVar("T")


async def run_pool(items: Iterable[T], work: Callable[[T], Awaitable[None]], *, workers: int,
                   control: RunControl) -> list[T]:
    """Feed items to `workers` concurrent workers until done or cancelled; returns the items never started.

    Each worker passes `control.checkpoint()` before taking an item, so pause holds new
    work and cancel stops it; an item already started always runs to its end.
    """
    queue: asyncio.Queue[T] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def worker() -> None:
        while True:
            try:
                await control.checkpoint()
            except Cancelled:
                return
            try:
                item = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await work(item)

    tasks = [asyncio.ensure_future(worker()) for _ in range(max(1, workers))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    left: list[T] = []
    while not queue.empty():
        left.append(queue.get_nowait())
    return left
