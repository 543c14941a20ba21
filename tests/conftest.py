"""Shared fixtures: an embedded server per test module and redis-py clients (RESP2 and RESP3)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer


def flush_everything(server: Server) -> None:
    for db in server.dbs:
        db.flush()


@pytest.fixture(scope="module")
def server() -> Iterator[MiniRedisServer]:
    with MiniRedisServer() as srv:
        yield srv


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def r(request: pytest.FixtureRequest, server: MiniRedisServer) -> Iterator[redis.Redis]:
    """A redis-py client on a flushed server, once per protocol version."""
    server.call(flush_everything)
    client = redis.Redis(host=server.host, port=server.port, protocol=request.param)
    yield client
    client.close()
