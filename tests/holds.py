"""Holds a live sandbox's matching requests until the test releases them: "while a request is out" as an event.

``hold = RequestHold(sb.app, "POST", "/books/v3/contacts")`` puts itself in front of the sandbox app;
``hold.wait_held(1)`` returns once a matching request has arrived (its whole body read, so released it
does its work even if the client has gone; ``after=n`` lets the first n through); ``hold.release()`` lets the held ones and every later one
through (``hold.cut()`` breaks their connections instead); ``hold.wait_done(n)`` waits until n matching requests have been served.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from typing import Any

from app.sandbox.gate import LIVE_TRANSPORTS

WAIT_S = 60.0


class RequestHold:
    def __init__(self, app: Any, method: str, path_part: str, *, after: int = 0) -> None:
        self.method = method
        self.path_part = path_part
        self.after = after  # this many matching requests go through before the hold starts
        self.seen = 0
        self.held = 0
        self.done = 0
        self._released = threading.Event()
        self._cut = False
        self._changed = threading.Condition()
        inner = app.middleware_stack or app.build_middleware_stack()

        async def holding(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if not self._matches(scope):
                await inner(scope, receive, send)
                return
            self.seen += 1
            if self.seen <= self.after:
                try:
                    await inner(scope, receive, send)
                finally:
                    self._count("done")
                return
            body: list[dict[str, Any]] = []
            while True:
                message = await receive()
                body.append(message)
                if message["type"] != "http.request" or not message.get("more_body"):
                    break
            self._count("held")
            while not self._released.is_set():
                await asyncio.sleep(0.005)  # the server's own wait for the test's release
            if self._cut:  # the connection breaks: the request was sent, its answer never comes
                LIVE_TRANSPORTS[(tuple(scope.get("client") or ()), tuple(scope.get("server") or ()))].abort()
                self._count("done")
                return

            async def replay() -> dict[str, Any]:
                return body.pop(0) if body else await receive()

            try:
                await inner(scope, replay, send)
            finally:
                self._count("done")

        app.middleware_stack = holding

    def _matches(self, scope: dict[str, Any]) -> bool:
        return (scope.get("type") == "http" and scope.get("method") == self.method
                and self.path_part in scope.get("path", ""))

    def _count(self, name: str) -> None:
        with self._changed:
            setattr(self, name, getattr(self, name) + 1)
            self._changed.notify_all()

    def wait_held(self, n: int = 1, process: subprocess.Popen[str] | None = None) -> None:
        """Until n matching requests are held; fails at once, with what it said, if `process` ends first."""
        deadline = time.monotonic() + WAIT_S
        with self._changed:
            while self.held < n and (process is None or process.poll() is None):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(min(left, 0.2))  # an arrival wakes it; the process's end is looked at
            if self.held >= n:
                return
        said = process.communicate(timeout=WAIT_S)[1] if process is not None and process.poll() is not None else ""
        raise AssertionError(f"{self.held} of {n} requests arrived" + (f"; the process ended: {said}" if said else ""))

    def wait_done(self, n: int) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self.done >= n, WAIT_S), f"{self.done} of {n} requests served"

    def release(self) -> None:
        self._released.set()

    def cut(self) -> None:
        """End every held (and later) request by breaking its connection, unanswered and undone."""
        self._cut = True
        self._released.set()
