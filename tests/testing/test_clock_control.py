"""Clock control: TTLs, idle times, XAUTOCLAIM/XPENDING idle, TIME and keyspace ``expired`` events follow
``srv.clock``; expiry happens when the clock moves, without another command; a clock stepped back
never breaks XADD."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from miniredis.clock import ManualClock
from miniredis.server.app import Server
from miniredis.testing import MiniRedisServer


@pytest.fixture
def srv() -> Iterator[MiniRedisServer]:
    with MiniRedisServer(manual_clock=True, notify_keyspace_events="Ex") as server:
        yield server


@pytest.fixture
def client(srv: MiniRedisServer) -> redis.Redis:
    return srv.client()


def clock_of(srv: MiniRedisServer) -> ManualClock:
    assert isinstance(srv.clock, ManualClock)
    return srv.clock


def test_ttl_and_pttl_follow_advance(srv: MiniRedisServer, client: redis.Redis) -> None:
    client.set("k", "v", ex=100)
    clock_of(srv).advance(40)
    assert client.ttl("k") == 60
    assert client.pttl("k") == 60_000
    clock_of(srv).advance(0.25)
    assert client.pttl("k") == 59_750
    clock_of(srv).advance(59.75)
    assert client.get("k") is None
    assert client.ttl("k") == -2


def test_time_and_set_follow_the_clock(srv: MiniRedisServer, client: redis.Redis) -> None:
    clock_of(srv).set(1_700_000_000.5)
    assert client.time() == (1_700_000_000, 500_000)
    client.set("k", "v", pxat=1_700_000_010_000)
    assert client.pttl("k") == 9_500
    clock_of(srv).set(1_700_000_010)
    assert client.exists("k") == 0
    assert srv.clock.time() == 1_700_000_010


def test_expired_event_is_delivered_after_advance_without_any_command(srv: MiniRedisServer,
                                                                    client: redis.Redis) -> None:
    subscriber = client.pubsub()
    subscriber.subscribe("__keyevent@0__:expired")
    assert subscriber.get_message(timeout=2)["type"] == "subscribe"  # type: ignore[index]
    client.set("a", 1, ex=10)
    client.set("b", 1, ex=20)
    time.sleep(0.25)  # cron ticks: nothing expires while the clock stands still
    assert subscriber.get_message(timeout=0.05) is None
    clock_of(srv).advance(10)
    # No command is sent to the server: the move itself expired "a".
    message = subscriber.get_message(timeout=2)
    assert message is not None and message["data"] == b"a"
    assert subscriber.get_message(timeout=0.2) is None
    clock_of(srv).advance(10)
    message = subscriber.get_message(timeout=2)
    assert message is not None and message["data"] == b"b"
    subscriber.close()


def test_due_keys_are_gone_from_keys_scan_and_dbsize_at_once(srv: MiniRedisServer, client: redis.Redis) -> None:
    # Many keys, nearly all due: the cron's cycle would stop at a stale share; the move sweeps them all.
    with client.pipeline(transaction=False) as pipe:
        for i in range(2000):
            pipe.set(f"k{i}", i, px=1000 + (i % 7))
        pipe.set("keep", 1, ex=3600)
        pipe.set("forever", 1)
        pipe.execute()
    client.execute_command("SELECT", "5")
    client.set("other-db", 1, ex=1)
    client.execute_command("SELECT", "0")
    expired_before = client.info("stats")["expired_keys"]
    clock_of(srv).advance(2)
    assert srv.call(lambda server: [len(db.data) for db in server.dbs][:6]) == [2, 0, 0, 0, 0, 0]
    assert sorted(client.keys()) == [b"forever", b"keep"]
    assert sorted(client.scan_iter()) == [b"forever", b"keep"]
    assert client.dbsize() == 2
    assert client.info("stats")["expired_keys"] == expired_before + 2001


def test_xadd_after_stepping_the_clock_back(srv: MiniRedisServer, client: redis.Redis) -> None:
    clock_of(srv).set(2_000_000_000)
    first = client.xadd("s", {"f": "v"})
    assert first == b"2000000000000-0"
    clock_of(srv).set(1_000_000_000)  # back by years
    assert client.xadd("s", {"f": "v"}) == b"2000000000000-1"
    clock_of(srv).advance(-5)
    assert client.xadd("s", {"f": "v"}) == b"2000000000000-2"
    assert client.xadd("s", {"f": "v"}, id="2000000000000-*") == b"2000000000000-3"
    clock_of(srv).set(2_000_000_001)
    assert client.xadd("s", {"f": "v"}) == b"2000000001000-0"
    assert client.xlen("s") == 5


def test_object_idletime_follows_advance(srv: MiniRedisServer, client: redis.Redis) -> None:
    client.set("k", "v")
    assert client.object("idletime", "k") == 0
    clock_of(srv).advance(42)
    assert client.object("idletime", "k") == 42
    client.get("k")  # a touch resets it
    assert client.object("idletime", "k") == 0
    clock_of(srv).advance(3)
    assert client.object("idletime", "k") == 3


def test_xautoclaim_min_idle_and_xpending_idle_follow_advance(srv: MiniRedisServer, client: redis.Redis) -> None:
    client.xgroup_create("s", "g", id="0", mkstream=True)
    entry = client.xadd("s", {"f": "v"})
    client.xreadgroup("g", "alice", {"s": ">"})
    # Not idle long enough yet: nothing to claim.
    assert client.xautoclaim("s", "g", "bob", min_idle_time=60_000, justid=True) == []
    clock_of(srv).advance(59.999)
    assert client.xautoclaim("s", "g", "bob", min_idle_time=60_000, justid=True) == []
    clock_of(srv).advance(0.001)
    pending = client.xpending_range("s", "g", "-", "+", 10)
    assert pending[0]["time_since_delivered"] == 60_000
    assert client.xautoclaim("s", "g", "bob", min_idle_time=60_000, justid=True) == [entry]
    consumers = {c["name"]: c for c in client.xinfo_consumers("s", "g")}
    assert consumers[b"alice"]["idle"] == 60_000


def test_a_move_on_the_loop_leaves_expiry_lazy(srv: MiniRedisServer, client: redis.Redis) -> None:
    # Inside srv.call the clock moves alone: Redis's lazy path (the read expires the key) stays observable.
    client.set("k", "v", px=100)
    srv.call(lambda server: clock_of(srv).advance(1))
    assert srv.call(lambda server: len(server.dbs[0].data)) == 1
    expired_before = client.info("stats")["expired_keys"]
    assert client.get("k") is None
    assert client.info("stats")["expired_keys"] == expired_before + 1


def test_watch_sees_a_key_expired_by_advance(srv: MiniRedisServer, client: redis.Redis) -> None:
    client.set("k", "v", px=100)
    with client.pipeline() as pipe:
        pipe.watch("k")
        clock_of(srv).advance(1)
        pipe.multi()
        pipe.set("other", "x")
        with pytest.raises(redis.WatchError):
            pipe.execute()


def test_a_clock_drives_one_server_at_a_time() -> None:
    clock = ManualClock(start_ms=1_000_000)
    with MiniRedisServer(clock=clock) as srv:
        assert srv.clock is clock and clock.attached
        with pytest.raises(ValueError, match="already drives a running server"):
            MiniRedisServer(clock=clock).start()
        assert srv.client().time() == (1000, 0)
    assert not clock.attached
    clock.advance(1)  # detached: a plain clock again
    assert clock.time_ms() == 1_001_000


def test_manual_clock_alone() -> None:
    clock = ManualClock(start_ms=5_000)
    clock.advance(1.5)
    assert (clock.time_ms(), clock.time_us(), clock.time()) == (6_500, 6_500_000, 6.5)
    clock.set(10)
    assert clock.time_ms() == 10_000
    clock.advance(-2)
    assert clock.time_ms() == 8_000
    assert repr(clock) == "ManualClock(8.000000)"


def test_expiry_of_a_key_in_a_transaction_queue_is_safe(srv: MiniRedisServer) -> None:
    # A move is applied between two commands on the loop, never in the middle of one.
    client = srv.client()
    client.set("k", "v", ex=1)

    def in_the_middle(server: Server) -> int:
        return len(server.dbs[0].expires)

    assert srv.call(in_the_middle) == 1
    clock_of(srv).advance(1)
    assert srv.call(in_the_middle) == 0


def test_the_system_clock_cannot_be_moved() -> None:
    with MiniRedisServer() as srv:
        with pytest.raises(TypeError, match="manual_clock=True"):
            srv.clock.advance(1)
        with pytest.raises(TypeError, match="manual_clock=True"):
            srv.clock.set(0)
