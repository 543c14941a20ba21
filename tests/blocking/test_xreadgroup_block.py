"""XREADGROUP BLOCK through the shared blocking mechanism (sync and asyncio redis-py clients): woken
by XADD, FIFO among waiters, timeouts, MULTI, and the errors Redis 7.0 sends a blocked reader when the
stream key goes away (``UNBLOCKED the stream key no longer exists``) or the group is destroyed
(``NOGROUP the consumer group this client was blocked on no longer exists``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis

from miniredis.testing.server import MiniRedisServer
from tests.helpers import Reader, blocked_clients
from tests.helpers import wait_info_blocked as wait_blocked

KEY_GONE = "UNBLOCKED the stream key no longer exists"
GROUP_GONE = "NOGROUP the consumer group this client was blocked on no longer exists"


@pytest.fixture(scope="module")
def srv() -> Iterator[MiniRedisServer]:
    with MiniRedisServer() as server:
        yield server


@pytest.fixture
def r(srv: MiniRedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis(host=srv.host, port=srv.port)
    client.flushall()
    client.xgroup_create("s", "g", id="$", mkstream=True)
    yield client
    client.close()


def block_cmd(consumer: str, *extra: str, timeout: str = "0") -> tuple[str, ...]:
    return ("XREADGROUP", "GROUP", "g", consumer, *extra, "BLOCK", timeout, "STREAMS", "s", ">")


def ids_of(reply: Any) -> list[bytes]:
    return [entry[0] for _, entries in reply for entry in entries]


def test_woken_by_xadd_and_entry_pending(srv: MiniRedisServer, r: redis.Redis) -> None:
    reader = Reader(srv, *block_cmd("c"))
    reader.start()
    wait_blocked(r, 1)
    r.xadd("s", {"a": 1}, id="1-0")
    reader.join(5)
    assert ids_of(reader.reply) == [b"1-0"]
    assert r.xpending("s", "g")["pending"] == 1
    assert blocked_clients(r) == 0


def test_fifo_among_waiters(srv: MiniRedisServer, r: redis.Redis) -> None:
    readers: list[Reader] = []
    for name in ("first", "second", "third"):
        reader = Reader(srv, *block_cmd(name, "COUNT", "1"))
        reader.start()
        wait_blocked(r, len(readers) + 1)
        readers.append(reader)
    for i in range(1, 4):
        r.xadd("s", {"n": i}, id=f"{i}-0")
        wait_blocked(r, 3 - i)
    for reader in readers:
        reader.join(5)
    assert [ids_of(reader.reply) for reader in readers] == [[b"1-0"], [b"2-0"], [b"3-0"]]
    owners = {p["message_id"]: p["consumer"] for p in r.xpending_range("s", "g", "-", "+", 10)}
    assert owners == {b"1-0": b"first", b"2-0": b"second", b"3-0": b"third"}


def test_one_xadd_serves_only_the_first_waiter(srv: MiniRedisServer, r: redis.Redis) -> None:
    readers = [Reader(srv, *block_cmd(name)) for name in ("a", "b")]
    for n, reader in enumerate(readers, 1):
        reader.start()
        wait_blocked(r, n)
    r.xadd("s", {"x": 1}, id="1-0")
    readers[0].join(5)
    assert ids_of(readers[0].reply) == [b"1-0"]
    assert blocked_clients(r) == 1  # the second waiter finds nothing new for the group and stays
    r.xadd("s", {"x": 2}, id="2-0")
    readers[1].join(5)
    assert ids_of(readers[1].reply) == [b"2-0"]


def test_timeout_is_a_null_reply(srv: MiniRedisServer, r: redis.Redis) -> None:
    started = time.monotonic()
    reader = Reader(srv, *block_cmd("c", timeout="80"))
    reader.start()
    reader.join(5)
    assert reader.reply == []  # the null array, as redis-py parses it for XREADGROUP
    assert time.monotonic() - started >= 0.07
    assert r.xinfo_consumers("s", "g") == []  # a read that served nothing creates no consumer


def test_key_deleted_unblocks_every_waiter_with_an_error(srv: MiniRedisServer, r: redis.Redis) -> None:
    readers = [Reader(srv, *block_cmd(f"c{i}")) for i in range(3)]
    for n, reader in enumerate(readers, 1):
        reader.start()
        wait_blocked(r, n)
    r.delete("s")
    for reader in readers:
        reader.join(5)
        assert isinstance(reader.reply, redis.ResponseError) and str(reader.reply) == KEY_GONE
    assert blocked_clients(r) == 0


def test_key_replaced_by_another_type(srv: MiniRedisServer, r: redis.Redis) -> None:
    reader = Reader(srv, *block_cmd("c"))
    reader.start()
    wait_blocked(r, 1)
    r.set("s", "now a string")
    reader.join(5)
    assert str(reader.reply) == KEY_GONE


def test_group_destroyed(srv: MiniRedisServer, r: redis.Redis) -> None:
    reader = Reader(srv, *block_cmd("c"))
    reader.start()
    wait_blocked(r, 1)
    r.xgroup_destroy("s", "g")
    reader.join(5)
    assert str(reader.reply) == GROUP_GONE


def test_group_recreated_in_a_transaction_keeps_waiting(srv: MiniRedisServer, r: redis.Redis) -> None:
    reader = Reader(srv, *block_cmd("c", timeout="300"))
    reader.start()
    wait_blocked(r, 1)
    with r.pipeline(transaction=True) as pipe:
        pipe.xgroup_destroy("s", "g")
        pipe.xgroup_create("s", "g", id="$")
        pipe.execute()
    time.sleep(0.05)
    assert blocked_clients(r) == 1
    reader.join(5)
    assert reader.reply == []  # timed out


def test_noack_blocked_read(srv: MiniRedisServer, r: redis.Redis) -> None:
    reader = Reader(srv, *block_cmd("c", "NOACK"))
    reader.start()
    wait_blocked(r, 1)
    r.xadd("s", {"a": 1}, id="1-0")
    reader.join(5)
    assert ids_of(reader.reply) == [b"1-0"]
    assert r.xpending("s", "g")["pending"] == 0


def test_history_read_never_blocks(r: redis.Redis) -> None:
    reply = r.execute_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "0")
    assert reply == [[b"s", []]]


def test_inside_multi_it_does_not_block(r: redis.Redis) -> None:
    with r.pipeline(transaction=True) as pipe:
        pipe.execute_command(*block_cmd("c"))
        assert pipe.execute() == [[]]  # the null array at once


def test_disconnected_waiter_is_dropped(srv: MiniRedisServer, r: redis.Redis) -> None:
    other = redis.Redis(host=srv.host, port=srv.port, socket_timeout=0.2)
    with pytest.raises(redis.TimeoutError):
        other.execute_command(*block_cmd("gone"))
    other.close()
    wait_blocked(r, 0)
    r.xadd("s", {"a": 1}, id="1-0")
    assert r.xpending("s", "g")["pending"] == 0  # nobody was served


async def test_asyncio_readers_share_the_work(srv: MiniRedisServer, r: redis.Redis) -> None:
    clients = [aioredis.Redis(host=srv.host, port=srv.port) for _ in range(2)]
    try:
        tasks = [asyncio.create_task(client.execute_command(*block_cmd(f"a{i}", "COUNT", "1")))
                 for i, client in enumerate(clients)]
        for _ in range(500):
            if blocked_clients(r) == 2:
                break
            await asyncio.sleep(0.01)
        r.xadd("s", {"n": 1}, id="1-0")
        r.xadd("s", {"n": 2}, id="2-0")
        replies = await asyncio.wait_for(asyncio.gather(*tasks), 5)
        assert sorted(ids_of(reply)[0] for reply in replies) == [b"1-0", b"2-0"]
    finally:
        for client in clients:
            await client.aclose()
