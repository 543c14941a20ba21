"""Blocking list pops over TCP with the sync and asyncio redis-py clients (RESP2 and RESP3).

Synchronisation is on the server's count of blocked clients, never on sleeps: a blocking call is
started (a thread for the sync client, a task for asyncio), then the test waits until the server
reports it blocked before writing.
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
from tests.helpers import await_blocked, blocked_count, nothing_left, start, wait_blocked
from tests.helpers import blocked_clients as info_blocked


def flat(reply: object) -> object:
    return list(reply) if isinstance(reply, tuple) else reply


BLOCKING_CASES = [
    (("BLPOP", "k", "other", "0"), ("RPUSH", "k", "a", "b"), [b"k", b"a"]),
    (("BRPOP", "other", "k", "0"), ("RPUSH", "k", "a", "b"), [b"k", b"b"]),
    (("BLMOVE", "k", "dst", "RIGHT", "LEFT", "0"), ("RPUSH", "k", "a", "b"), b"b"),
    (("BRPOPLPUSH", "k", "dst", "0"), ("RPUSH", "k", "a", "b"), b"b"),
    (("BLMPOP", "0", "2", "other", "k", "LEFT", "COUNT", "5"), ("RPUSH", "k", "a", "b"), [b"k", [b"a", b"b"]]),
]


@pytest.mark.parametrize(("blocking", "write", "expected"), BLOCKING_CASES, ids=[case[0][0] for case in BLOCKING_CASES])
def test_wake_up(connect: Callable[[], redis.Redis], server: MiniRedisServer, pool: ThreadPoolExecutor,
                 blocking: tuple[str, ...], write: tuple[str, ...], expected: object) -> None:
    waiting, writer = connect(), connect()
    future = start(pool, waiting, *blocking)
    wait_blocked(server, 1)
    assert info_blocked(writer) == 1
    writer.execute_command(*write)
    assert flat(future.result(5)) == expected
    assert nothing_left(server)
    assert info_blocked(writer) == 0


@pytest.mark.parametrize("blocking", [case[0] for case in BLOCKING_CASES], ids=[case[0][0] for case in BLOCKING_CASES])
def test_timeout(connect: Callable[[], redis.Redis], server: MiniRedisServer, blocking: tuple[str, ...]) -> None:
    argv = [("0.05" if arg == "0" and index == (1 if blocking[0] == "BLMPOP" else len(blocking) - 1) else arg)
            for index, arg in enumerate(blocking)]
    started = time.monotonic()
    assert connect().execute_command(*argv) is None
    assert 0.04 <= time.monotonic() - started < 2
    assert nothing_left(server)


def test_zero_waits_until_served(connect: Callable[[], redis.Redis], server: MiniRedisServer,
                                 pool: ThreadPoolExecutor) -> None:
    waiting, writer = connect(), connect()
    future = start(pool, waiting, "BLPOP", "k", "0")
    wait_blocked(server, 1)
    time.sleep(0.2)  # longer than any short timeout: still waiting
    assert not future.done()
    writer.rpush("k", "v")
    assert flat(future.result(5)) == [b"k", b"v"]


@pytest.mark.parametrize(("timeout", "message"), [
    ("-1", "timeout is negative"), ("-0.5", "timeout is negative"), ("abc", "timeout is not a float or out of range"),
    ("1_0", "timeout is not a float or out of range"), ("inf", "timeout is negative"),
])
def test_timeout_errors(connect: Callable[[], redis.Redis], timeout: str, message: str) -> None:
    client = connect()
    for argv in (("BLPOP", "k", timeout), ("BRPOP", "k", timeout), ("BRPOPLPUSH", "k", "d", timeout),
                 ("BLMOVE", "k", "d", "LEFT", "LEFT", timeout), ("BLMPOP", timeout, "1", "k", "LEFT")):
        with pytest.raises(redis.ResponseError) as failure:
            client.execute_command(*argv)
        assert str(failure.value) == message


def test_disconnect_while_blocked_leaves_nothing(connect: Callable[[], redis.Redis], server: MiniRedisServer) -> None:
    # Raw sockets: redis-py would retry a command whose connection was closed under it.
    sockets = [socket.create_connection((server.host, server.port)) for _ in range(3)]
    for sock, request in zip(sockets, (b"*4\r\n$5\r\nBLPOP\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n0\r\n",
                                       b"*6\r\n$6\r\nBLMOVE\r\n$1\r\na\r\n$1\r\nc\r\n$4\r\nLEFT\r\n"
                                       b"$4\r\nLEFT\r\n$1\r\n0\r\n",
                                       b"*5\r\n$6\r\nBLMPOP\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\nb\r\n$5\r\nRIGHT\r\n"),
                             strict=True):
        sock.sendall(request)
    wait_blocked(server, 3)
    writer = connect()
    assert info_blocked(writer) == 3
    for sock in sockets:
        sock.close()
    wait_blocked(server, 0)
    assert nothing_left(server)
    writer.rpush("a", "x")
    writer.rpush("b", "y")
    assert writer.lrange("a", 0, -1) == [b"x"]  # nobody took them
    assert writer.lrange("b", 0, -1) == [b"y"]
    assert info_blocked(writer) == 0


def test_fifo_across_commands_on_one_key(connect: Callable[[], redis.Redis], server: MiniRedisServer,
                                         pool: ThreadPoolExecutor) -> None:
    commands = [("BLPOP", "k", "0"), ("BRPOP", "k", "0"), ("BLMOVE", "k", "d", "LEFT", "LEFT", "0"),
                ("BLPOP", "k", "0"), ("BRPOPLPUSH", "k", "d", "0"), ("BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "2")]
    futures = []
    for index, argv in enumerate(commands):
        futures.append(start(pool, connect(), *argv))
        wait_blocked(server, index + 1)  # the order of blocking is the order of serving
    connect().rpush("k", *[str(n) for n in range(1, 8)])
    results = [flat(future.result(5)) for future in futures]
    assert results == [[b"k", b"1"], [b"k", b"7"], b"2", [b"k", b"3"], b"6", [b"k", [b"5", b"4"]]]
    assert nothing_left(server)


def test_push_inside_multi_serves_after_exec(connect: Callable[[], redis.Redis], server: MiniRedisServer,
                                             pool: ThreadPoolExecutor) -> None:
    first, second, writer = connect(), connect(), connect()
    f1 = start(pool, first, "BLPOP", "k", "0")
    wait_blocked(server, 1)
    f2 = start(pool, second, "BLPOP", "k", "0")
    wait_blocked(server, 2)
    pipe = writer.pipeline(transaction=True)
    pipe.lpush("k", "x")
    pipe.lpush("k", "y")
    pipe.llen("k")
    assert pipe.execute() == [1, 2, 2]  # inside EXEC the list still held both
    assert flat(f1.result(5)) == [b"k", b"y"]
    assert flat(f2.result(5)) == [b"k", b"x"]


def test_push_and_pop_inside_multi_leaves_the_waiter(connect: Callable[[], redis.Redis], server: MiniRedisServer,
                                                    pool: ThreadPoolExecutor) -> None:
    waiting, writer = connect(), connect()
    future = start(pool, waiting, "BLPOP", "k", "0")
    wait_blocked(server, 1)
    pipe = writer.pipeline(transaction=True)
    pipe.lpush("k", "x")
    pipe.lpop("k")
    assert pipe.execute() == [1, b"x"]
    assert blocked_count(server) == 1 and not future.done()
    writer.rpush("k", "later")
    assert flat(future.result(5)) == [b"k", b"later"]


def test_chained_blmove(connect: Callable[[], redis.Redis], server: MiniRedisServer,
                        pool: ThreadPoolExecutor) -> None:
    hop1 = start(pool, connect(), "BLMOVE", "a", "b", "LEFT", "RIGHT", "0")
    wait_blocked(server, 1)
    hop2 = start(pool, connect(), "BRPOPLPUSH", "b", "c", "0")
    wait_blocked(server, 2)
    last = start(pool, connect(), "BLPOP", "c", "0")
    wait_blocked(server, 3)
    writer = connect()
    writer.lpush("a", "token")
    assert hop1.result(5) == b"token"
    assert hop2.result(5) == b"token"
    assert flat(last.result(5)) == [b"c", b"token"]
    assert writer.exists("a", "b", "c") == 0


def test_blmove_same_key_serves_the_next_waiter(connect: Callable[[], redis.Redis], server: MiniRedisServer,
                                                pool: ThreadPoolExecutor) -> None:
    rotate = start(pool, connect(), "BLMOVE", "k", "k", "LEFT", "RIGHT", "0")
    wait_blocked(server, 1)
    pop = start(pool, connect(), "BLPOP", "k", "0")
    wait_blocked(server, 2)
    connect().lpush("k", "x")
    assert rotate.result(5) == b"x"
    assert flat(pop.result(5)) == [b"k", b"x"]


def test_client_unblock(connect: Callable[[], redis.Redis], server: MiniRedisServer,
                        pool: ThreadPoolExecutor) -> None:
    timed, errored, admin = connect(), connect(), connect()
    timed_id, errored_id = timed.client_id(), errored.client_id()
    f1 = start(pool, timed, "BLMOVE", "k", "d", "LEFT", "LEFT", "0")
    f2 = start(pool, errored, "BLPOP", "k", "0")
    wait_blocked(server, 2)
    assert admin.execute_command("CLIENT", "UNBLOCK", timed_id, "TIMEOUT") == 1
    assert f1.result(5) is None
    assert admin.execute_command("CLIENT", "UNBLOCK", errored_id, "ERROR") == 1
    with pytest.raises(redis.ResponseError, match="UNBLOCKED client unblocked via CLIENT UNBLOCK"):
        f2.result(5)
    assert admin.execute_command("CLIENT", "UNBLOCK", errored_id) == 0
    assert nothing_left(server)


def test_blocking_command_inside_multi_does_not_block(connect: Callable[[], redis.Redis],
                                                      server: MiniRedisServer) -> None:
    client = connect()
    pipe = client.pipeline(transaction=True)
    pipe.blpop(["k"], 0)
    pipe.execute_command("BLMOVE", "k", "d", "LEFT", "LEFT", "0")
    pipe.rpush("k", "v")
    pipe.blpop(["k"], 0)
    assert [flat(reply) for reply in pipe.execute()] == [None, None, 1, [b"k", b"v"]]
    assert blocked_count(server) == 0


def test_pipelined_commands_after_a_blocked_one_wait(connect: Callable[[], redis.Redis], server: MiniRedisServer,
                                                     pool: ThreadPoolExecutor) -> None:
    client, writer = connect(), connect()

    def pipeline() -> list[object]:
        pipe = client.pipeline(transaction=False)
        pipe.blpop(["k"], 0)
        pipe.llen("k")
        pipe.rpush("k", "mine")
        return pipe.execute()  # type: ignore[no-any-return]

    future = pool.submit(pipeline)
    wait_blocked(server, 1)
    writer.rpush("k", "a", "b")
    replies = future.result(5)
    assert [flat(reply) for reply in replies] == [[b"k", b"a"], 1, 2]


# --- asyncio -----------------------------------------------------------------------------------------
async def test_async_wake_up_fifo(aconnect: Callable[[], redis.asyncio.Redis], server: MiniRedisServer) -> None:
    clients = [aconnect() for _ in range(4)]
    try:
        first = asyncio.ensure_future(clients[0].blpop(["k"], 0))
        await await_blocked(server, 1)
        second = asyncio.ensure_future(clients[1].execute_command("BLMOVE", "k", "d", "LEFT", "RIGHT", "0"))
        await await_blocked(server, 2)
        third = asyncio.ensure_future(clients[2].brpop(["k"], 0))
        await await_blocked(server, 3)
        await clients[3].rpush("k", "1", "2")
        assert flat(await asyncio.wait_for(first, 5)) == [b"k", b"1"]
        assert await asyncio.wait_for(second, 5) == b"2"
        await clients[3].rpush("k", "3")
        assert flat(await asyncio.wait_for(third, 5)) == [b"k", b"3"]
        assert await clients[3].lrange("d", 0, -1) == [b"2"]
    finally:
        for client in clients:
            await client.aclose()


async def test_async_timeout_and_errors(aconnect: Callable[[], redis.asyncio.Redis],
                                        server: MiniRedisServer) -> None:
    client = aconnect()
    try:
        assert await client.execute_command("BLMPOP", "0.05", "1", "k", "LEFT") is None
        assert await client.execute_command("BRPOPLPUSH", "k", "d", "0.05") is None
        with pytest.raises(redis.ResponseError, match="timeout is negative"):
            await client.execute_command("BLPOP", "k", "-1")
        with pytest.raises(redis.ResponseError, match="timeout is not a float or out of range"):
            await client.execute_command("BRPOP", "k", "soon")
    finally:
        await client.aclose()
    assert nothing_left(server)


async def test_async_cancel_and_disconnect(aconnect: Callable[[], redis.asyncio.Redis],
                                           server: MiniRedisServer) -> None:
    client, writer = aconnect(), aconnect()
    try:
        task = asyncio.ensure_future(client.blpop(["k"], 0))
        await await_blocked(server, 1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.aclose()
        await await_blocked(server, 0)
        assert nothing_left(server)
        await writer.rpush("k", "kept")
        assert await writer.lrange("k", 0, -1) == [b"kept"]
    finally:
        await writer.aclose()


async def test_async_push_in_multi(aconnect: Callable[[], redis.asyncio.Redis], server: MiniRedisServer) -> None:
    client, writer = aconnect(), aconnect()
    try:
        task = asyncio.ensure_future(client.execute_command("BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "10"))
        await await_blocked(server, 1)
        async with writer.pipeline(transaction=True) as pipe:
            pipe.rpush("b", "1", "2")
            pipe.rpush("a", "3")
            assert await pipe.execute() == [2, 1]
        # b became ready first: served from b, though a comes first in the command
        assert await asyncio.wait_for(task, 5) == [b"b", [b"2", b"1"]]
        assert await writer.lrange("a", 0, -1) == [b"3"]
    finally:
        await client.aclose()
        await writer.aclose()
