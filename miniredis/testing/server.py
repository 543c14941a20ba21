"""An embedded miniredis: the server on its own thread and event loop, for tests and scripts.

    with MiniRedisServer() as srv:                    # or: async with MiniRedisServer() as srv
        client = redis.Redis.from_url(srv.url)

The server binds 127.0.0.1 on a free port (port 0) unless told otherwise and takes any redis.conf
setting as a keyword argument, underscores for dashes (``requirepass="s3cret"``,
``notify_keyspace_events="KEA"``, ``databases=4``, ``appendonly=True, dir=tmp_path``). ``stop()``
(or leaving the ``with`` block) closes every client connection and the listening socket, then ends
the thread: nothing is left behind. A client's ``SHUTDOWN`` stops it the same way.

Because the server owns its own loop on its own thread, any client works against it: redis-py sync
clients, ``redis.asyncio`` clients on the test's event loop, other processes (Celery, RQ workers).

Clock control: with ``manual_clock=True`` (or ``clock=ManualClock(...)``), ``srv.clock`` only moves
when the test says so. ``srv.clock.advance(s)`` / ``srv.clock.set(epoch)`` called from the test's
thread move the clock on the server loop between two commands, then catch up at once: every key
whose time has come expires (``expired`` keyspace events sent, gone from KEYS/SCAN/DBSIZE) and the
cached LRU clock is refreshed (OBJECT IDLETIME) before the call returns. TTL/PTTL, idle times,
XPENDING/XAUTOCLAIM/XCLAIM idle, CLIENT LIST age/idle and stream auto IDs all read that clock;
blocking-command timeouts do not (they run on the loop's monotonic clock, as Redis's timers do).
A move made *on* the loop (inside ``srv.call``) changes the clock alone and leaves expiry to lazy
lookups and the next cron tick, which lets a test observe Redis's lazy-expiry paths exactly.

``srv.call(fn)`` runs ``fn(server)`` on the server's loop and returns its result: direct, thread-safe
access to the ``Server`` (its dbs, config, stats) for seeding or inspecting state.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from miniredis.clock import Clock, ManualClock, SystemClock
from miniredis.config import Config, ConfigError
from miniredis.server.app import Server

if TYPE_CHECKING:
    import redis

T = TypeVar("T")

START_TIMEOUT = 10.0  # seconds to wait for the thread to listen (or fail)
CALL_TIMEOUT = 10.0  # seconds a call on the loop may take before the caller gives up
CLOSE_PASSES = 3  # loop passes given to closing transports before the rest are aborted


def render_setting(value: Any) -> str:
    """A Python value as redis.conf text: True/False -> yes/no, paths -> str, lists -> space-joined."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list | tuple):
        return " ".join(render_setting(item) for item in value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)  # type: ignore[return-value]
    return str(value)


def build_config(host: str, port: int, settings: dict[str, Any]) -> Config:
    """The server's Config: ``bind``/``port`` from host and port, then every setting by its redis.conf name."""
    overrides = {"bind": host, "port": str(port)}
    overrides.update({name.replace("_", "-"): render_setting(value) for name, value in settings.items()})
    try:
        return Config(overrides)
    except KeyError as error:
        raise TypeError(f"MiniRedisServer: unknown setting {error.args[0]!r}") from None
    except ConfigError as error:
        raise ValueError(f"MiniRedisServer: bad setting: {error}") from None


def expire_due_keys(server: Server) -> int:
    """Delete every key whose time has come, in every db, now (a complete active-expiry sweep).

    Unlike the cron's time-boxed cycle this does not stop at a stale share: after a clock move a test
    expects *all* due keys gone. Each deletion is Redis's: counted, DEL propagated, ``expired`` sent."""
    from miniredis.keyspace.expiry import refresh_clocks

    refresh_clocks(server)
    now = server.clock.time_ms()
    expired = 0
    for db in server.dbs:
        if not db.expires:
            continue
        for key in [key for key, when in db.expires.items() if when <= now]:
            if key in db.expires:  # a previous deletion's side path cannot remove it, but stay safe
                db.expire_now(key)
                expired += 1
    if expired:
        server.serve_ready_keys()  # expiry signals modified keys; nothing waits on a deleted key, but be exact
    return expired


class MiniRedisServer:
    """A miniredis server on its own thread and event loop (see the module docstring)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, manual_clock: bool = False,
                 clock: Clock | None = None, **settings: Any) -> None:
        self.config = build_config(host, port, settings)
        self._host = self.config.bind  # ``bind=`` given as a setting wins over ``host``
        self.clock: Clock = clock or (ManualClock() if manual_clock else SystemClock())
        self.server: Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._clients: list[redis.Redis] = []

    # --- addresses ---------------------------------------------------------------------------------
    @property
    def host(self) -> str:
        """The address clients connect to: the first bind address (``*``/``0.0.0.0`` -> 127.0.0.1)."""
        first = self._host.split()[0].lstrip("-") if self._host.split() else "127.0.0.1"
        return "127.0.0.1" if first in ("*", "0.0.0.0") else first

    @property
    def port(self) -> int:
        if self.server is None:
            raise RuntimeError("MiniRedisServer is not started")
        return self.server.port

    @property
    def url(self) -> str:
        """``redis://host:port`` (with ``:password@`` when ``requirepass`` is set), for ``from_url``."""
        password = self.config.requirepass
        auth = f":{quote(password, safe='')}@" if password else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"redis://{auth}{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> MiniRedisServer:
        """Start the thread and wait until the server listens; errors at start-up are raised here."""
        if self._thread is not None:
            raise RuntimeError("MiniRedisServer already started")
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="miniredis", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise TimeoutError("miniredis did not start in time")
        if self._error is not None:
            error, self._error = self._error, None
            self._thread.join(START_TIMEOUT)
            self._thread = None
            raise error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        server: Server | None = None
        attached = False
        try:
            if isinstance(self.clock, ManualClock):
                self.clock.attach(self._move_clock)
                attached = True
            server = self.server = Server(self.config, self.clock)
            loop.run_until_complete(server.start())
        except BaseException as error:  # reported to the starting thread
            self._error = error
            if attached and isinstance(self.clock, ManualClock):
                self.clock.detach()
            try:
                self._finish(loop, server)
            except Exception:  # the start-up error is the one worth reporting
                pass
            self._ready.set()
            return
        # A client's SHUTDOWN ends the loop as stop() does.
        def request_stop() -> None:
            loop.call_soon(loop.stop)

        server.shutdown_requested = request_stop
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            if isinstance(self.clock, ManualClock):
                self.clock.detach()
            self._finish(loop, server)

    @staticmethod
    def _finish(loop: asyncio.AbstractEventLoop, server: Server | None) -> None:
        """Close listeners and every client connection, let the loop see them go, then close the loop."""

        async def close() -> None:
            if server is None:
                return
            await server.stop()
            for _ in range(CLOSE_PASSES):  # connection_lost callbacks run on the next loop passes
                if not server.clients:
                    break
                await asyncio.sleep(0)
            for client in list(server.clients.values()):  # a transport with unsent output: drop it
                if client.transport is not None:
                    client.transport.abort()
            await asyncio.sleep(0)

        try:
            loop.run_until_complete(close())
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    def stop(self) -> None:
        """Stop the server: clients are disconnected, sockets closed, the thread joined. Idempotent."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None and thread.is_alive():
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:  # the loop closed already (SHUTDOWN)
                pass
        thread.join(START_TIMEOUT)
        self._thread = None

    def __enter__(self) -> MiniRedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> MiniRedisServer:
        """``async with``: start and stop run in a worker thread so the caller's loop keeps running."""
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    # --- access from the test --------------------------------------------------------------------------
    def _on_loop(self) -> bool:
        thread = self._thread
        return thread is not None and threading.get_ident() == thread.ident

    def call(self, function: Callable[[Server], T]) -> T:
        """Run ``function(server)`` on the server's loop and return its result (or raise its error)."""
        loop, server = self._loop, self.server
        if loop is None or server is None or not self.running:
            raise RuntimeError("MiniRedisServer is not running")
        if self._on_loop():  # already on the loop (a call inside a call): run it directly
            return function(server)

        async def run() -> T:
            return function(server)

        return asyncio.run_coroutine_threadsafe(run(), loop).result(CALL_TIMEOUT)

    def _move_clock(self, move: Callable[[], None]) -> None:
        """The ManualClock's runner: move on the loop between commands, then catch up (see the docstring)."""
        if self._on_loop() or not self.running:
            move()  # on the loop (inside srv.call): the clock alone; stopped: nothing to catch up
            return

        def move_and_catch_up(server: Server) -> None:
            move()
            expire_due_keys(server)

        self.call(move_and_catch_up)

    def flushall(self) -> None:
        """Empty every database (as FLUSHALL does, AOF included), from the test's thread."""

        def flush(server: Server) -> None:
            removed = sum(db.flush() for db in server.dbs)
            server.dirty += max(removed, 1)
            server.propagate(server.dbs[0], [b"FLUSHALL"])

        self.call(flush)

    def client(self, **kwargs: Any) -> redis.Redis:
        """A redis-py client on this server (password included), closed by ``stop()``."""
        import redis

        options: dict[str, Any] = {"host": self.host, "port": self.port}
        if self.config.requirepass:
            options["password"] = self.config.requirepass
        options.update(kwargs)
        client = redis.Redis(**options)
        self._clients.append(client)
        return client

    def __repr__(self) -> str:
        where = f"{self.host}:{self.server.port}" if self.server is not None and self.running else "stopped"
        return f"<MiniRedisServer {where} clock={self.clock!r}>"
