"""MiniRedisServer: addresses, settings, start-up errors, asyncio use, flushall, and a clean shutdown
(no thread, no socket, no client connection left behind)."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest
import redis
import redis.asyncio

from miniredis.server.app import Server
from miniredis.testing import MiniRedisServer

FD_DIR = Path("/proc/self/fd")


def open_fds() -> int:
    return len(os.listdir(FD_DIR))


def test_context_manager_gives_host_port_and_url() -> None:
    with MiniRedisServer() as srv:
        assert srv.host == "127.0.0.1"
        assert srv.port > 0
        assert srv.url == f"redis://127.0.0.1:{srv.port}"
        client = redis.Redis.from_url(srv.url)
        assert client.ping() is True
        client.close()
        assert srv.running
    assert not srv.running


def test_settings_are_keyword_arguments() -> None:
    with MiniRedisServer(databases=4, notify_keyspace_events="KEA", hz=50, appendonly=False) as srv:
        client = srv.client()
        assert client.config_get("databases") == {"databases": "4"}
        assert client.config_get("notify-keyspace-events") == {"notify-keyspace-events": "AKE"}
        assert client.config_get("hz") == {"hz": "50"}
        assert client.config_get("appendonly") == {"appendonly": "no"}
        with pytest.raises(redis.ResponseError, match="DB index is out of range"):
            client.execute_command("SELECT", "4")


def test_requirepass_goes_into_the_url_and_the_client() -> None:
    with MiniRedisServer(requirepass="s3cr:t@") as srv:
        assert srv.url == f"redis://:s3cr%3At%40@127.0.0.1:{srv.port}"
        assert redis.Redis.from_url(srv.url).ping() is True
        assert srv.client().ping() is True
        with socket.create_connection((srv.host, srv.port), timeout=5) as anonymous:
            anonymous.sendall(b"GET k\r\n")
            assert anonymous.recv(64) == b"-NOAUTH Authentication required.\r\n"


def test_unknown_or_bad_settings_fail_before_start() -> None:
    with pytest.raises(TypeError, match="unknown setting 'no-such-setting'"):
        MiniRedisServer(no_such_setting=1)
    with pytest.raises(ValueError, match="argument must be between 1 and"):
        MiniRedisServer(databases=0)


def test_a_port_in_use_is_raised_by_start() -> None:
    with MiniRedisServer() as first:
        before = threading.active_count()
        second = MiniRedisServer(port=first.port)
        with pytest.raises(OSError):
            second.start()
        assert threading.active_count() == before
        assert not second.running


def test_start_twice_is_refused_and_stop_is_idempotent() -> None:
    srv = MiniRedisServer().start()
    with pytest.raises(RuntimeError, match="already started"):
        srv.start()
    srv.stop()
    srv.stop()
    with pytest.raises(RuntimeError, match="not running"):
        srv.call(lambda server: None)


def test_call_runs_on_the_server_loop_and_nests() -> None:
    with MiniRedisServer() as srv:
        caller = threading.get_ident()

        def inner(server: Server) -> tuple[int, int]:
            return threading.get_ident(), srv.call(lambda again: len(again.dbs))

        thread_id, dbs = srv.call(inner)
        assert thread_id != caller and dbs == 16
        with pytest.raises(ZeroDivisionError):
            srv.call(lambda server: 1 // 0)


def test_flushall_empties_every_db() -> None:
    with MiniRedisServer() as srv:
        client = srv.client()
        client.set("a", 1)
        client.execute_command("SELECT", "3")
        client.set("b", 2)
        srv.flushall()
        assert srv.call(lambda server: sum(len(db.data) for db in server.dbs)) == 0


def test_shutdown_leaves_no_thread_socket_or_connection_behind() -> None:
    threads = threading.active_count()
    fds = open_fds() if FD_DIR.exists() else 0
    srv = MiniRedisServer().start()
    assert threading.active_count() == threads + 1
    client = redis.Redis(host=srv.host, port=srv.port)
    subscriber = client.pubsub()
    subscriber.subscribe("ch")
    assert subscriber.get_message(timeout=2) is not None
    raw = socket.create_connection((srv.host, srv.port), timeout=5)
    raw.sendall(b"PING\r\n")
    assert raw.recv(64) == b"+PONG\r\n"
    assert client.ping() is True
    port = srv.port
    srv.stop()
    assert threading.active_count() == threads
    # The server closed its end of each connection: the raw socket reads EOF.
    assert raw.recv(64) == b""
    raw.close()
    subscriber.close()
    client.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    if FD_DIR.exists():
        assert open_fds() == fds


def test_many_starts_and_stops_leak_nothing() -> None:
    threads = threading.active_count()
    fds = open_fds() if FD_DIR.exists() else 0
    for _ in range(5):
        with MiniRedisServer() as srv:
            srv.client().set("k", "v")
    assert threading.active_count() == threads
    if FD_DIR.exists():
        assert open_fds() == fds


async def test_async_with_and_a_redis_asyncio_client() -> None:
    async with MiniRedisServer() as srv:
        client = redis.asyncio.Redis.from_url(srv.url)
        await client.set("k", "v")
        assert await client.get("k") == b"v"
        # A blocking command on the test's loop is served by the server's own loop.
        other = redis.asyncio.Redis.from_url(srv.url)
        popped = await other.blpop(["q"], timeout=0.05)
        assert popped is None
        await client.aclose()
        await other.aclose()
    assert not srv.running


async def test_embedded_server_used_from_an_event_loop_without_async_with() -> None:
    with MiniRedisServer(manual_clock=True) as srv:
        client = redis.asyncio.Redis(host=srv.host, port=srv.port)
        await client.set("k", "v", ex=5)
        srv.clock.advance(5)  # blocks this loop briefly; the server loop runs
        assert await client.exists("k") == 0
        await client.aclose()


def test_stop_with_a_blocked_client_and_a_stalled_reader() -> None:
    threads = threading.active_count()
    fds = open_fds() if FD_DIR.exists() else 0
    srv = MiniRedisServer(client_output_buffer_limit="pubsub 0 0 0").start()
    blocked = socket.create_connection((srv.host, srv.port), timeout=5)
    blocked.sendall(b"BLPOP q 0\r\n")
    stalled = socket.create_connection((srv.host, srv.port), timeout=5)
    stalled.sendall(b"SUBSCRIBE ch\r\n")
    assert stalled.recv(64).startswith(b"*3\r\n$9\r\nsubscribe")
    publisher = srv.client()
    for _ in range(40):  # far more than the socket buffers hold: output stays queued on the server
        publisher.publish("ch", b"x" * 100_000)
    assert srv.call(lambda server: server.blocking is not None and len(server.clients)) == 3
    srv.stop()
    assert blocked.recv(64) == b""  # the blocked client is disconnected, not left hanging
    blocked.close()
    stalled.close()
    assert threading.active_count() == threads
    if FD_DIR.exists():
        assert open_fds() == fds
