"""Shared fixtures: an embedded server per test module, redis-py clients (RESP2 and RESP3), a recorder of
keyspace events and propagated effects, and the extra clients and threads of the blocking tests (the
plain helpers they use are in tests/helpers.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import redis.asyncio

from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer
from tests.helpers import Recorder, recording, wait_blocked


def flush_everything(server: Server) -> None:
    for db in server.dbs:
        db.flush()


@pytest.fixture(scope="module")
def server() -> Iterator[MiniRedisServer]:
    with MiniRedisServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def clocked() -> Iterator[MiniRedisServer]:
    """An embedded server on a manual clock, per test module."""
    with MiniRedisServer(manual_clock=True) as srv:
        yield srv


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def r(request: pytest.FixtureRequest, server: MiniRedisServer) -> Iterator[redis.Redis]:
    """A redis-py client on a flushed server, once per protocol version."""
    server.call(flush_everything)
    client = redis.Redis(host=server.host, port=server.port, protocol=request.param)
    yield client
    client.close()


@pytest.fixture
def rec(server: MiniRedisServer, r: redis.Redis) -> Iterator[Recorder]:
    """Keyspace events and propagated effects of the commands ``r`` sends (see helpers.recording)."""
    with recording(server) as recorder:
        yield recorder


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def connect(request: pytest.FixtureRequest, server: MiniRedisServer) -> Iterator[Callable[[], redis.Redis]]:
    """``connect()`` opens another sync client (same protocol) on a flushed server; at the end they are
    closed and no client may stay blocked."""
    server.call(flush_everything)
    opened: list[redis.Redis] = []

    def make() -> redis.Redis:
        client = redis.Redis(host=server.host, port=server.port, protocol=request.param)
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()
    wait_blocked(server, 0)


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def aconnect(request: pytest.FixtureRequest, server: MiniRedisServer) -> Iterator[Callable[[], redis.asyncio.Redis]]:
    """``aconnect()`` makes an asyncio client (same protocol, closed by the test) on a flushed server; at
    the end no client may stay blocked."""
    server.call(flush_everything)

    def make() -> redis.asyncio.Redis:
        return redis.asyncio.Redis(host=server.host, port=server.port, protocol=request.param)

    yield make
    wait_blocked(server, 0)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        yield executor
