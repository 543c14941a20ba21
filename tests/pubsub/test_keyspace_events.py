"""Keyspace notifications driven by the server's clock: lazy and active expiry, ``new`` and
``keymiss``, class selection through CONFIG SET, and the channel names per database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from miniredis.clock import ManualClock
from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer


@pytest.fixture
def admin(clocked: MiniRedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis(host=clocked.host, port=clocked.port)
    client.flushall()
    yield client
    client.config_set("notify-keyspace-events", "")
    client.close()


class Events:
    def __init__(self, srv: MiniRedisServer, protocol: int = 2, pattern: str = "__key*__:*") -> None:
        self.client = redis.Redis(host=srv.host, port=srv.port, protocol=protocol)
        self.pubsub = self.client.pubsub()
        self.pubsub.psubscribe(pattern)
        assert self.pubsub.get_message(timeout=1) is not None

    def take(self, quiet: float = 0.1) -> list[tuple[str, str]]:
        """(channel, payload) of every message until ``quiet`` seconds pass without one."""
        got: list[tuple[str, str]] = []
        for _ in range(1000):
            message: Any = self.pubsub.get_message(timeout=quiet)
            if message is None:
                return got
            if message["type"] == "pmessage":
                got.append((message["channel"].decode(), message["data"].decode()))
        return got

    def close(self) -> None:
        self.pubsub.close()
        self.client.close()


@pytest.fixture
def events(clocked: MiniRedisServer, admin: redis.Redis) -> Iterator[Events]:
    watcher = Events(clocked)
    yield watcher
    watcher.close()


def _clock(srv: MiniRedisServer) -> ManualClock:
    assert isinstance(srv.clock, ManualClock)
    return srv.clock


def test_lazy_expiry_sends_expired_then_keymiss(clocked: MiniRedisServer, admin: redis.Redis, events: Events) -> None:
    admin.config_set("notify-keyspace-events", "KEAm")
    admin.set("lazy", "v", px=500)
    assert events.take() == [("__keyspace@0__:lazy", "set"), ("__keyevent@0__:set", "lazy"),
                             ("__keyspace@0__:lazy", "expire"), ("__keyevent@0__:expire", "lazy")]
    _clock(clocked).advance(1)
    # Read at once: either the read or the cron expires it first; both send "expired" exactly once.
    assert admin.get("lazy") is None
    got = events.take()
    assert ("__keyspace@0__:lazy", "expired") in got and ("__keyevent@0__:expired", "lazy") in got
    assert got.count(("__keyspace@0__:lazy", "expired")) == 1
    assert ("__keyspace@0__:lazy", "keymiss") in got


def test_active_expiry_follows_the_clock(clocked: MiniRedisServer, admin: redis.Redis, events: Events) -> None:
    admin.config_set("notify-keyspace-events", "Ex")
    for i in range(5):
        admin.set(f"v{i}", "1", ex=10)
    time.sleep(0.3)  # several cron ticks: nothing expires while the clock stands still
    assert events.take() == []
    _clock(clocked).advance(11)
    deadline = time.monotonic() + 5
    got: list[tuple[str, str]] = []
    while len(got) < 5 and time.monotonic() < deadline:
        got += events.take()
    assert sorted(got) == [("__keyevent@0__:expired", f"v{i}") for i in range(5)]
    assert admin.dbsize() == 0


def test_set_over_an_expired_key_sends_expired_new_set(clocked: MiniRedisServer, admin: redis.Redis,
                                                      events: Events) -> None:
    admin.config_set("notify-keyspace-events", "Kx$n")
    def plant(server: Server) -> None:  # a key whose time has passed, not yet deleted
        server.dbs[0].data[b"old"] = b"1"
        server.dbs[0].expires[b"old"] = server.clock.time_ms() - 1

    clocked.call(plant)
    admin.set("old", "2")
    assert events.take() == [("__keyspace@0__:old", "expired"), ("__keyspace@0__:old", "new"),
                             ("__keyspace@0__:old", "set")]


def test_new_only_for_created_keys(admin: redis.Redis, events: Events) -> None:
    admin.config_set("notify-keyspace-events", "En")
    admin.set("a", "1")
    admin.set("a", "2")
    admin.hset("h", "f", "1")
    admin.hset("h", "g", "1")
    admin.sadd("s", "m")
    admin.rpush("l", "x")
    admin.rename("a", "b")
    admin.copy("b", "c")
    admin.incr("n")
    assert [payload for _, payload in events.take()] == ["a", "h", "s", "l", "b", "c", "n"]


def test_keymiss_for_reads_only(admin: redis.Redis, events: Events) -> None:
    admin.config_set("notify-keyspace-events", "Km")
    admin.get("nope")
    admin.exists("nope2")
    admin.type("nope3")
    admin.lpop("nope4")  # a write lookup: no keymiss
    admin.delete("nope5")
    admin.object("encoding", "nope6")  # OBJECT does not notify
    admin.mget("nope7", "nope8")
    assert events.take() == [("__keyspace@0__:nope", "keymiss"), ("__keyspace@0__:nope2", "keymiss"),
                             ("__keyspace@0__:nope3", "keymiss"), ("__keyspace@0__:nope7", "keymiss"),
                             ("__keyspace@0__:nope8", "keymiss")]


@pytest.mark.parametrize(("flags", "expected"), [
    ("", []), ("K", []), ("E", []), ("g", []), ("Kg", [("__keyspace@0__:k", "del")]),
    ("E$", [("__keyevent@0__:set", "k")]), ("KE$g", [("__keyspace@0__:k", "set"), ("__keyevent@0__:set", "k"),
                                                   ("__keyspace@0__:k", "del"), ("__keyevent@0__:del", "k")]),
    ("AK", [("__keyspace@0__:k", "set"), ("__keyspace@0__:k", "del")]),
])
def test_class_selection(admin: redis.Redis, events: Events, flags: str, expected: list[tuple[str, str]]) -> None:
    admin.config_set("notify-keyspace-events", flags)
    admin.set("k", "v")
    admin.delete("k")
    assert events.take() == expected


def test_channels_name_the_database(clocked: MiniRedisServer, admin: redis.Redis, events: Events) -> None:
    admin.config_set("notify-keyspace-events", "KE$")
    other = redis.Redis(host=clocked.host, port=clocked.port, db=5)
    try:
        other.set("k", "v")
    finally:
        other.close()
    assert events.take() == [("__keyspace@5__:k", "set"), ("__keyevent@5__:set", "k")]


def test_resp3_subscriber_gets_its_own_events_as_pushes_before_the_reply(clocked: MiniRedisServer,
                                                                         admin: redis.Redis) -> None:
    import socket

    admin.config_set("notify-keyspace-events", "E$")
    with socket.create_connection((clocked.host, clocked.port)) as sock:
        sock.sendall(b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n*2\r\n$9\r\nSUBSCRIBE\r\n$18\r\n__keyevent@0__:set\r\n")
        time.sleep(0.1)
        sock.recv(65536)
        sock.sendall(b"*3\r\n$3\r\nSET\r\n$2\r\nme\r\n$1\r\nv\r\n")
        time.sleep(0.1)
        data = sock.recv(65536)
    assert data == b">3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:set\r\n$2\r\nme\r\n+OK\r\n"
