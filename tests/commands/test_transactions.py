"""MULTI/EXEC/DISCARD/WATCH/UNWATCH through redis-py, sync and asyncio, RESP2 and RESP3."""

from __future__ import annotations

import asyncio

import pytest
import redis
import redis.asyncio

from miniredis.testing.server import MiniRedisServer


def test_exec_runs_queued_commands_in_order(r: redis.Redis) -> None:
    pipe = r.pipeline(transaction=True)
    pipe.set("a", "1").get("a").set("a", "2").get("a")
    assert pipe.execute() == [True, b"1", True, b"2"]


def test_runtime_error_is_returned_inside_exec(r: redis.Redis) -> None:
    pipe = r.pipeline(transaction=True)
    pipe.set("a", "1").execute_command("SET", "a", "2", "EX", "notanumber").get("a")
    replies = pipe.execute(raise_on_error=False)
    assert replies[0] is True and replies[2] == b"1"
    assert isinstance(replies[1], redis.ResponseError) and "not an integer" in str(replies[1])


def test_queue_time_error_aborts_exec(r: redis.Redis) -> None:
    r.execute_command("MULTI")
    with pytest.raises(redis.ResponseError, match="unknown command"):
        r.execute_command("NOSUCH", "x")
    r.execute_command("SET", "a", "1")
    with pytest.raises(redis.exceptions.ExecAbortError):
        r.execute_command("EXEC")
    assert r.get("a") is None


def test_nested_multi_is_an_error_that_does_not_abort(r: redis.Redis) -> None:
    r.execute_command("MULTI")
    with pytest.raises(redis.ResponseError, match="MULTI calls can not be nested"):
        r.execute_command("MULTI")
    r.execute_command("SET", "a", "1")
    assert len(r.execute_command("EXEC")) == 1
    assert r.get("a") == b"1"


def test_exec_and_discard_without_multi(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="EXEC without MULTI"):
        r.execute_command("EXEC")
    with pytest.raises(redis.ResponseError, match="DISCARD without MULTI"):
        r.execute_command("DISCARD")


def test_discard_drops_the_queue(r: redis.Redis) -> None:
    r.execute_command("MULTI")
    r.execute_command("SET", "a", "1")
    r.execute_command("DISCARD")
    assert r.get("a") is None


def test_watch_broken_by_another_client_write(r: redis.Redis, server: MiniRedisServer) -> None:
    other = redis.Redis(host=server.host, port=server.port)
    r.set("k", "0")
    with r.pipeline() as pipe:
        pipe.watch("k")
        other.set("k", "changed")
        pipe.multi()
        pipe.set("k", "mine")
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert r.get("k") == b"changed"
    other.close()


def test_watch_untouched_key_lets_exec_run(r: redis.Redis) -> None:
    r.set("k", "0")
    with r.pipeline() as pipe:
        pipe.watch("k")
        pipe.multi()
        pipe.set("k", "mine")
        assert pipe.execute() == [True]
    assert r.get("k") == b"mine"


def test_watch_broken_by_expiry_in_between() -> None:
    with MiniRedisServer(manual_clock=True) as srv:
        client = redis.Redis.from_url(srv.url)
        client.set("k", "v", px=100)
        with client.pipeline() as pipe:
            pipe.watch("k")
            srv.clock.advance(1)  # type: ignore[attr-defined]
            pipe.multi()
            pipe.set("other", "x")
            with pytest.raises(redis.WatchError):
                pipe.execute()
        assert client.get("other") is None
        client.close()


def test_watch_inside_multi_is_refused(r: redis.Redis) -> None:
    r.execute_command("MULTI")
    with pytest.raises(redis.ResponseError, match="WATCH inside MULTI is not allowed"):
        r.execute_command("WATCH", "k")
    r.execute_command("DISCARD")


def test_unwatch_forgets_watched_keys(r: redis.Redis, server: MiniRedisServer) -> None:
    other = redis.Redis(host=server.host, port=server.port)
    r.execute_command("WATCH", "k")
    r.execute_command("UNWATCH")
    other.set("k", "changed")
    r.execute_command("MULTI")
    r.execute_command("SET", "x", "1")
    assert r.execute_command("EXEC") is not None
    other.close()


def test_disconnect_clears_watch_state(server: MiniRedisServer) -> None:
    client = redis.Redis(host=server.host, port=server.port)
    client.execute_command("WATCH", "gone")
    client.close()
    deadline = 50
    while deadline and server.call(lambda s: bool(s.dbs[0].watched)):
        deadline -= 1
        import time

        time.sleep(0.02)
    assert server.call(lambda s: s.dbs[0].watched) == {}


@pytest.mark.parametrize("protocol", [2, 3])
def test_asyncio_client_transaction_and_watch(server: MiniRedisServer, protocol: int) -> None:
    async def scenario() -> None:
        client = redis.asyncio.Redis(host=server.host, port=server.port, protocol=protocol)
        other = redis.asyncio.Redis(host=server.host, port=server.port, protocol=protocol)
        await client.set("ak", "0")
        async with client.pipeline() as pipe:
            await pipe.watch("ak")
            await other.set("ak", "1")
            pipe.multi()
            pipe.set("ak", "2")
            with pytest.raises(redis.WatchError):
                await pipe.execute()
        async with client.pipeline(transaction=True) as pipe:
            pipe.set("counter", "1").get("counter")
            assert await pipe.execute() == [True, b"1"]
        await client.aclose()
        await other.aclose()

    asyncio.run(scenario())
