"""Run CPU-heavy work (reading, validating) on a Qt thread pool and await its result on the GUI loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

T = TypeVar("T")

_pending: set[_Delivery] = set()


class _Delivery(QObject):
    """Lives on the GUI thread; receives the worker's outcome through a queued signal."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, future: asyncio.Future[Any]) -> None:
        super().__init__()
        self._future = future
        self.succeeded.connect(self._on_success)
        self.failed.connect(self._on_failure)

    @Slot(object)
    def _on_success(self, value: object) -> None:
        _pending.discard(self)
        if not self._future.done():
            self._future.set_result(value)

    @Slot(object)
    def _on_failure(self, error: object) -> None:
        _pending.discard(self)
        if not self._future.done():
            assert isinstance(error, BaseException)
            self._future.set_exception(error)


class _Work(QRunnable):
    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], delivery: _Delivery) -> None:
        super().__init__()
        self._fn = fn
        self._args = args
        self._delivery = delivery

    def run(self) -> None:
        try:
            value = self._fn(*self._args)
        except BaseException as error:  # noqa: BLE001 - handed to the awaiting coroutine
            self._delivery.failed.emit(error)
        else:
            self._delivery.succeeded.emit(value)


async def in_background(fn: Callable[..., T], *args: Any) -> T:
    """Run fn(*args) on the shared QThreadPool; the GUI keeps painting while it works."""
    future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    delivery = _Delivery(future)
    _pending.add(delivery)
    QThreadPool.globalInstance().start(_Work(fn, args, delivery))
    return await future
