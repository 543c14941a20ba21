"""Helpers shared by the test modules under tests/ (imported as ``from tests.helpers import ...``;
fixtures built on them live in tests/conftest.py): reading replies and errors through redis-py,
recording keyspace events and propagated effects, and waiting for blocked clients without sleeps."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import redis

from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer

# --- raw requests and polling ----------------------------------------------------------------------


def encode_command(*argv: str | bytes | int) -> bytes:
    """One request as a RESP array of bulk strings (str and int arguments sent as their text)."""
    parts = [arg if isinstance(arg, bytes) else str(arg).encode() for arg in argv]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(part), part) for part in parts)


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Polls ``predicate`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


# --- replies through redis-py ---------------------------------------------------------------------


def error_of(r: redis.Redis, *argv: Any) -> str:
    """The text of the error reply ``argv`` gets (the command must fail)."""
    with pytest.raises(redis.ResponseError) as info:
        r.execute_command(*argv)
    return str(info.value)


def raw(r: redis.Redis, *argv: Any) -> Any:
    """The reply as parsed from the wire, without redis-py's per-command conversions (RESP2 maps stay
    flat lists, RESP3 sets stay sets)."""
    connection = r.connection_pool.get_connection()
    try:
        connection.send_command(*argv)
        return connection.read_response()
    finally:
        r.connection_pool.release(connection)


def is_resp3(r: redis.Redis) -> bool:
    return r.connection_pool.connection_kwargs.get("protocol") == 3


# --- keyspace events and propagated effects ---------------------------------------------------------


class Recorder:
    """Keyspace events and propagated effects, captured by replacing the server's hooks."""

    def __init__(self) -> None:
        self.events: list[tuple[str, bytes, str]] = []
        self.effects: list[list[bytes]] = []

    def clear(self) -> None:
        self.events.clear()
        self.effects.clear()


@contextmanager
def recording(server: MiniRedisServer) -> Iterator[Recorder]:
    """Turns every keyspace event class on and effect propagation on, and records both (a command's
    effects, without the AOF, go through ``propagate`` one by one, as Server.propagate_command does)."""
    recorder = Recorder()

    def install(srv: Server) -> None:
        srv.config.set("notify-keyspace-events", "KEA")  # hot paths skip notify() when events are off
        srv.propagating = True
        srv.notify = lambda db, event, key, kind: recorder.events.append((event, key, kind))
        srv.propagate = lambda db, argv: recorder.effects.append(list(argv))

        def command_effects(client: Any, argv: list[bytes], effects: list[list[bytes]] | None) -> None:
            recorder.effects.extend(list(effect) for effect in (effects if effects is not None else [argv]))

        srv.propagate_command = command_effects

    def remove(srv: Server) -> None:
        srv.config.set("notify-keyspace-events", "")
        srv.propagating = False
        srv.notify = srv.publish_event
        srv.propagate = srv.feed_effect
        srv.propagate_command = srv.feed_command

    server.call(install)
    try:
        yield recorder
    finally:
        server.call(remove)


# --- blocked clients ------------------------------------------------------------------------------


def blocked_count(server: MiniRedisServer) -> int:
    return server.call(lambda s: s.blocking.count)


def wait_blocked(server: MiniRedisServer, n: int, timeout: float = 5.0) -> None:
    """Waits until the server counts ``n`` blocked clients (synchronisation without sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if blocked_count(server) == n:
            return
        time.sleep(0.002)
    raise AssertionError(f"blocked clients never reached {n} (now {blocked_count(server)})")


async def await_blocked(server: MiniRedisServer, n: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if blocked_count(server) == n:
            return
        await asyncio.sleep(0.002)
    raise AssertionError(f"blocked clients never reached {n} (now {blocked_count(server)})")


def nothing_left(server: MiniRedisServer) -> bool:
    """No blocked client and no key still watched by one, in any database."""
    return server.call(lambda s: s.blocking.count == 0 and all(not db.blocking for db in s.dbs))


def blocked_clients(client: redis.Redis) -> int:
    """INFO's ``blocked_clients``, read through a client."""
    return int(client.info("clients")["blocked_clients"])


def wait_info_blocked(client: redis.Redis, n: int, timeout: float = 5.0) -> None:
    """Waits until INFO, read through ``client``, reports ``n`` blocked clients."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if blocked_clients(client) == n:
            return
        time.sleep(0.005)
    raise AssertionError(f"blocked_clients never reached {n}")


def start(pool: ThreadPoolExecutor, client: redis.Redis, *argv: object) -> Future[object]:
    """Runs one (blocking) command on a worker thread."""
    return pool.submit(client.execute_command, *argv)


class Reader(threading.Thread):
    """A sync client running one blocking command on its own thread; keeps the reply or the error."""

    def __init__(self, srv: MiniRedisServer, *argv: Any) -> None:
        super().__init__(daemon=True)
        self.client = redis.Redis(host=srv.host, port=srv.port)
        self.argv = argv
        self.reply: Any = "unset"

    def run(self) -> None:
        try:
            self.reply = self.client.execute_command(*self.argv)
        except redis.ResponseError as error:
            self.reply = error
        finally:
            self.client.close()
