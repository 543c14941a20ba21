"""An embedded miniredis: the server on its own thread and event loop, for tests and scripts.

    with MiniRedisServer() as srv:
        client = redis.Redis.from_url(srv.url)

Binds 127.0.0.1 on a free port (port 0) by default and stops cleanly on exit. ``srv.clock`` is a
``ManualClock`` when ``manual_clock=True``, so tests can move time (TTLs, idle times, stream IDs).
``srv.call(fn)`` runs ``fn(server)`` on the server's loop and returns its result (thread-safe).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from miniredis.clock import Clock, ManualClock, SystemClock
from miniredis.config import Config
from miniredis.server.app import Server

T = TypeVar("T")


class MiniRedisServer:
    def __init__(self, manual_clock: bool = False, clock: Clock | None = None, **settings: Any) -> None:
        overrides = {"port": "0", "bind": "127.0.0.1"}
        overrides.update({name.replace("_", "-"): str(value) for name, value in settings.items()})
        self.config = Config(overrides)
        self.clock: Clock = clock or (ManualClock() if manual_clock else SystemClock())
        self.server: Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}"

    def start(self) -> MiniRedisServer:
        self._thread = threading.Thread(target=self._run, name="miniredis", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self.server = Server(self.config, self.clock)
            loop.run_until_complete(self.server.start())
        except BaseException as error:  # reported to the starting thread
            self._error = error
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self.server.stop())
            loop.close()

    def call(self, function: Callable[[Server], T]) -> T:
        """Run ``function(server)`` on the server's loop and return its result."""
        assert self._loop is not None and self.server is not None
        server = self.server

        async def run() -> T:
            return function(server)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> MiniRedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
