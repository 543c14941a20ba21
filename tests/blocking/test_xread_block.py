"""XREAD BLOCK through the shared blocking mechanism, with the sync and the asyncio redis-py clients:
wake-up by XADD, timeout, disconnect, FIFO queueing, several streams, and ``$`` resolved once."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis

from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer
from tests.helpers import Reader, blocked_clients
from tests.helpers import wait_info_blocked as wait_blocked


@pytest.fixture(scope="module")
def srv() -> Iterator[MiniRedisServer]:
    with MiniRedisServer() as server:
        yield server


@pytest.fixture
def r(srv: MiniRedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis(host=srv.host, port=srv.port)
    client.flushall()
    yield client
    client.close()


def test_sync_wakeup_by_xadd_and_dollar_resolved_once(srv: MiniRedisServer, r: redis.Redis) -> None:
    r.xadd("s", {"old": 1}, id="1-1")
    reader = Reader(srv, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    reader.start()
    wait_blocked(r, 1)
    r.xadd("s", {"new": 1}, id="2-1")
    reader.join(5)
    assert reader.reply == [[b"s", [(b"2-1", {b"new": b"1"})]]]
    assert blocked_clients(r) == 0


def test_sync_timeout_is_a_null_reply(srv: MiniRedisServer, r: redis.Redis) -> None:
    started = time.monotonic()
    reader = Reader(srv, "XREAD", "BLOCK", "60", "STREAMS", "s", "$")
    reader.start()
    reader.join(5)
    assert reader.reply == []  # the null array, as redis-py parses it for XREAD
    assert time.monotonic() - started >= 0.05
    assert blocked_clients(r) == 0


def test_several_streams_reply_only_the_ready_one(srv: MiniRedisServer, r: redis.Redis) -> None:
    r.xadd("s", {"a": 1}, id="1-1")
    reader = Reader(srv, "XREAD", "COUNT", "10", "BLOCK", "0", "STREAMS", "s", "t", "$", "$")
    reader.start()
    wait_blocked(r, 1)
    r.xadd("t", {"b": 2}, id="7-1")
    reader.join(5)
    assert reader.reply == [[b"t", [(b"7-1", {b"b": b"2"})]]]


def test_write_that_does_not_pass_the_id_keeps_waiting(srv: MiniRedisServer, r: redis.Redis) -> None:
    r.xadd("s", {"a": 1}, id="5-1")
    reader = Reader(srv, "XREAD", "BLOCK", "0", "STREAMS", "s", "5-1")
    reader.start()
    wait_blocked(r, 1)
    r.xdel("s", "5-1")  # a write to the key, nothing newer than 5-1
    r.delete("s")
    r.set("s", "now a string")  # another type: still blocked, no WRONGTYPE
    time.sleep(0.05)
    assert blocked_clients(r) == 1
    r.delete("s")
    r.xadd("s", {"a": 2}, id="9-1")
    reader.join(5)
    assert reader.reply == [[b"s", [(b"9-1", {b"a": b"2"})]]]


def test_fifo_queue_and_every_reader_served(srv: MiniRedisServer, r: redis.Redis) -> None:
    readers: list[Reader] = []
    for _ in range(3):
        reader = Reader(srv, "XREAD", "BLOCK", "0", "STREAMS", "q", "$")
        reader.start()
        wait_blocked(r, len(readers) + 1)
        readers.append(reader)

    def queue_order(server: Server) -> list[int]:
        return [waiter.client.id for waiter in server.dbs[0].blocking[b"q"]]  # type: ignore[attr-defined]

    order = srv.call(queue_order)
    assert order == sorted(order)  # clients connected (and blocked) in this order
    r.xadd("q", {"x": 1}, id="1-1")
    for reader in readers:
        reader.join(5)
        assert reader.reply == [[b"q", [(b"1-1", {b"x": b"1"})]]]


def test_disconnect_leaves_nothing(srv: MiniRedisServer, r: redis.Redis) -> None:
    sock = socket.create_connection((srv.host, srv.port))
    sock.sendall(b"*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$1\r\ns\r\n$1\r\n$\r\n")
    wait_blocked(r, 1)
    sock.close()
    wait_blocked(r, 0)
    assert srv.call(lambda server: dict(server.dbs[0].blocking)) == {}
    assert r.xadd("s", {"a": 1}, id="1-1") == b"1-1"


def test_exec_wakes_after_the_transaction(srv: MiniRedisServer, r: redis.Redis) -> None:
    reader = Reader(srv, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    reader.start()
    wait_blocked(r, 1)
    pipe = r.pipeline(transaction=True)
    pipe.xadd("s", {"a": 1}, id="1-1")
    pipe.xadd("s", {"a": 2}, id="2-1")
    pipe.execute()
    reader.join(5)
    assert reader.reply == [[b"s", [(b"1-1", {b"a": b"1"}), (b"2-1", {b"a": b"2"})]]]


# --- asyncio client --------------------------------------------------------------------------------
async def test_asyncio_wakeup_timeout_and_cancel(srv: MiniRedisServer) -> None:
    reader = aioredis.Redis(host=srv.host, port=srv.port)
    writer = aioredis.Redis(host=srv.host, port=srv.port, protocol=3)
    try:
        await writer.flushall()
        task: asyncio.Future[Any] = asyncio.ensure_future(reader.xread({"s": "$"}, block=0))
        for _ in range(500):
            if int((await writer.info("clients"))["blocked_clients"]) == 1:
                break
            await asyncio.sleep(0.005)
        await writer.xadd("s", {"a": 1}, id="1-1")
        assert await asyncio.wait_for(task, 5) == [[b"s", [(b"1-1", {b"a": b"1"})]]]

        assert await reader.xread({"s": "$"}, block=30) == []  # timed out (redis-py shows null as [])

        resp3 = aioredis.Redis(host=srv.host, port=srv.port, protocol=3)
        task = asyncio.ensure_future(resp3.xread({"s": "1-1", "t": "$"}, block=0))
        for _ in range(500):
            if int((await writer.info("clients"))["blocked_clients"]) == 1:
                break
            await asyncio.sleep(0.005)
        await writer.xadd("s", {"b": 2}, id="2-1")
        assert await asyncio.wait_for(task, 5) == {b"s": [[(b"2-1", {b"b": b"2"})]]}
        await resp3.aclose()

        blocked = aioredis.Redis(host=srv.host, port=srv.port)
        task = asyncio.ensure_future(blocked.xread({"s": "$"}, block=0))
        for _ in range(500):
            if int((await writer.info("clients"))["blocked_clients"]) == 1:
                break
            await asyncio.sleep(0.005)
        task.cancel()
        await blocked.aclose()
        await blocked.connection_pool.disconnect()
        for _ in range(500):
            if int((await writer.info("clients"))["blocked_clients"]) == 0:
                break
            await asyncio.sleep(0.005)
        assert int((await writer.info("clients"))["blocked_clients"]) == 0
    finally:
        await reader.aclose()
        await writer.aclose()
