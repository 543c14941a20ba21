"""Blocking sorted-set pops (BZPOPMIN, BZPOPMAX, BZMPOP) over TCP with the sync and asyncio redis-py
clients, RESP2 and RESP3: wake-up, timeout, disconnect, FIFO order, ZADD inside MULTI.

Synchronisation is on the server's count of blocked clients, never on sleeps.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import redis.asyncio

from miniredis.testing.server import MiniRedisServer
from tests.helpers import await_blocked, nothing_left, start, wait_blocked


def norm(reply: object) -> object:
    """Tuples as lists and scores as floats, whatever redis-py's protocol-specific parsing gave."""
    if isinstance(reply, (list, tuple)):
        return [norm(item) for item in reply]
    if isinstance(reply, bytes):
        try:
            return float(reply)
        except ValueError:
            return reply
    return reply


CASES = [
    (("BZPOPMIN", "other", "z", "0"), [b"z", b"a", 1.0]),
    (("BZPOPMAX", "z", "other", "0"), [b"z", b"c", 3.0]),
    (("BZMPOP", "0", "2", "other", "z", "MIN", "COUNT", "2"), [b"z", [[b"a", 1.0], [b"b", 2.0]]]),
    (("BZMPOP", "5", "1", "z", "MAX"), [b"z", [[b"c", 3.0]]]),
]


@pytest.mark.parametrize(("blocking", "expected"), CASES, ids=[" ".join(case[0][:1]) + str(i) for i, case in
                                                               enumerate(CASES)])
def test_wake_up(connect: Callable[[], redis.Redis], server: MiniRedisServer, pool: ThreadPoolExecutor,
                 blocking: tuple[str, ...], expected: object) -> None:
    waiting, writer = connect(), connect()
    future = start(pool, waiting, *blocking)
    wait_blocked(server, 1)
    assert int(writer.info("clients")["blocked_clients"]) == 1
    writer.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert norm(future.result(5)) == expected
    wait_blocked(server, 0)
    assert nothing_left(server)


@pytest.mark.parametrize("blocking", [("BZPOPMIN", "z", "0.05"), ("BZPOPMAX", "a", "b", "0.05"),
                                      ("BZMPOP", "0.05", "1", "z", "MIN", "COUNT", "3")])
def test_timeout(connect: Callable[[], redis.Redis], server: MiniRedisServer, blocking: tuple[str, ...]) -> None:
    client = connect()
    began = time.monotonic()
    assert client.execute_command(*blocking) is None
    assert time.monotonic() - began >= 0.04
    assert nothing_left(server)


def test_timeout_errors(connect: Callable[[], redis.Redis]) -> None:
    client = connect()
    with pytest.raises(redis.ResponseError, match="timeout is negative"):
        client.execute_command("BZPOPMIN", "z", "-1")
    with pytest.raises(redis.ResponseError, match="timeout is not a float or out of range"):
        client.execute_command("BZMPOP", "soon", "1", "z", "MIN")


def test_wrong_type_then_served(connect: Callable[[], redis.Redis], server: MiniRedisServer,
                                pool: ThreadPoolExecutor) -> None:
    waiting, writer = connect(), connect()
    writer.set("s", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        waiting.bzpopmin(["s"], 0)
    future = start(pool, waiting, "BZPOPMIN", "z", "0")
    wait_blocked(server, 1)
    writer.set("z", "string")  # another type: still blocked
    time.sleep(0.05)
    assert not future.done()
    writer.delete("z")
    writer.zadd("z", {"m": 7})
    assert norm(future.result(5)) == [b"z", b"m", 7.0]


def test_fifo(connect: Callable[[], redis.Redis], server: MiniRedisServer, pool: ThreadPoolExecutor) -> None:
    writer = connect()
    futures = []
    for index, argv in enumerate((("BZPOPMIN", "z", "0"), ("BZMPOP", "0", "1", "z", "MAX", "COUNT", "2"),
                                  ("BZPOPMAX", "z", "0"))):
        futures.append(start(pool, connect(), *argv))
        wait_blocked(server, index + 1)
    writer.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert norm(futures[0].result(5)) == [b"z", b"a", 1.0]
    assert norm(futures[1].result(5)) == [b"z", [[b"c", 3.0], [b"b", 2.0]]]
    assert not futures[2].done()
    wait_blocked(server, 1)
    writer.zadd("z", {"late": 9})
    assert norm(futures[2].result(5)) == [b"z", b"late", 9.0]


def test_zadd_inside_multi_serves_after_exec(connect: Callable[[], redis.Redis], server: MiniRedisServer,
                                             pool: ThreadPoolExecutor) -> None:
    writer = connect()
    first = start(pool, connect(), "BZPOPMIN", "z", "0")
    wait_blocked(server, 1)
    second = start(pool, connect(), "BZPOPMAX", "z", "0")
    wait_blocked(server, 2)
    with writer.pipeline(transaction=True) as pipe:
        pipe.zadd("z", {"x": 1})
        pipe.zadd("z", {"y": 2, "w": 3})
        pipe.zcard("z")
        assert pipe.execute() == [1, 2, 3]
    assert norm(first.result(5)) == [b"z", b"x", 1.0]
    assert norm(second.result(5)) == [b"z", b"w", 3.0]
    assert writer.zrange("z", 0, -1) == [b"y"]


def test_inside_multi_does_not_block(connect: Callable[[], redis.Redis]) -> None:
    client = connect()
    with client.pipeline(transaction=True) as pipe:
        pipe.execute_command("BZPOPMIN", "z", "0")
        pipe.execute_command("BZMPOP", "0", "1", "z", "MIN")
        assert pipe.execute() == [None, None]


def test_disconnect_while_blocked(connect: Callable[[], redis.Redis], server: MiniRedisServer) -> None:
    # Raw sockets: redis-py would retry a command whose connection was closed under it.
    requests = (b"*4\r\n$8\r\nBZPOPMIN\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n0\r\n",
                b"*6\r\n$6\r\nBZMPOP\r\n$1\r\n0\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\nb\r\n$3\r\nMIN\r\n")
    sockets = [socket.create_connection((server.host, server.port)) for _ in requests]
    for sock, request in zip(sockets, requests, strict=True):
        sock.sendall(request)
    wait_blocked(server, 2)
    for sock in sockets:
        sock.close()
    wait_blocked(server, 0)
    assert nothing_left(server)
    writer = connect()
    writer.zadd("a", {"kept": 1})
    assert writer.zrange("a", 0, -1) == [b"kept"]


# --- asyncio -----------------------------------------------------------------------------------------
async def test_async_wake_up_fifo(aconnect: Callable[[], redis.asyncio.Redis], server: MiniRedisServer) -> None:
    clients = [aconnect() for _ in range(4)]
    try:
        first = asyncio.ensure_future(clients[0].bzpopmin(["z"], 0))
        await await_blocked(server, 1)
        second = asyncio.ensure_future(clients[1].execute_command("BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"))
        await await_blocked(server, 2)
        third = asyncio.ensure_future(clients[2].bzpopmax(["z"], 0))
        await await_blocked(server, 3)
        await clients[3].zadd("z", {"a": 1, "b": 2, "c": 3})
        assert norm(await asyncio.wait_for(first, 5)) == [b"z", b"a", 1.0]
        assert norm(await asyncio.wait_for(second, 5)) == [b"z", [[b"c", 3.0], [b"b", 2.0]]]
        await clients[3].zadd("z", {"d": 4})
        assert norm(await asyncio.wait_for(third, 5)) == [b"z", b"d", 4.0]
        assert await clients[3].exists("z") == 0
    finally:
        for client in clients:
            await client.aclose()


async def test_async_timeout(aconnect: Callable[[], redis.asyncio.Redis], server: MiniRedisServer) -> None:
    client = aconnect()
    try:
        assert await client.bzpopmin(["z"], 0.05) is None  # type: ignore[arg-type]
        assert await client.execute_command("BZMPOP", "0.05", "1", "z", "MIN") is None
    finally:
        await client.aclose()
    assert nothing_left(server)


async def test_async_cancel_and_disconnect(aconnect: Callable[[], redis.asyncio.Redis],
                                           server: MiniRedisServer) -> None:
    client, writer = aconnect(), aconnect()
    try:
        task = asyncio.ensure_future(client.bzpopmax(["z"], 0))
        await await_blocked(server, 1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.aclose()
        await await_blocked(server, 0)
        assert nothing_left(server)
        await writer.zadd("z", {"kept": 1})
        assert await writer.zrange("z", 0, -1) == [b"kept"]
    finally:
        await writer.aclose()


async def test_async_zadd_in_multi(aconnect: Callable[[], redis.asyncio.Redis], server: MiniRedisServer) -> None:
    client, writer = aconnect(), aconnect()
    try:
        task = asyncio.ensure_future(client.execute_command("BZMPOP", "0", "2", "a", "b", "MIN", "COUNT", "10"))
        await await_blocked(server, 1)
        async with writer.pipeline(transaction=True) as pipe:
            pipe.zadd("b", {"x": 2, "y": 1})
            pipe.zadd("a", {"z": 0})
            await pipe.execute()
        assert norm(await asyncio.wait_for(task, 5)) == [b"b", [[b"y", 1.0], [b"x", 2.0]]]
        assert await writer.zrange("a", 0, -1) == [b"z"]
    finally:
        await client.aclose()
        await writer.aclose()
