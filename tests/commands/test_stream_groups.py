"""Consumer-group commands through redis-py (RESP2 and RESP3): XGROUP, XREADGROUP, XACK, XPENDING,
XCLAIM, XAUTOCLAIM, XINFO GROUPS/CONSUMERS and XINFO STREAM FULL's groups, with a manual clock for
idle times; ``ConsumerGroup.check_invariants`` is asserted on the server side after the PEL moves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis

from miniredis.server.app import Server
from miniredis.structures.cgroup import ConsumerGroup
from miniredis.testing.server import MiniRedisServer


@pytest.fixture(scope="module")
def srv() -> Iterator[MiniRedisServer]:
    with MiniRedisServer(manual_clock=True) as server:
        yield server


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def r(request: pytest.FixtureRequest, srv: MiniRedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis(host=srv.host, port=srv.port, protocol=request.param)
    client.flushall()
    yield client
    client.close()


def check_groups(srv: MiniRedisServer) -> None:
    def run(server: Server) -> int:
        checked = 0
        for db in server.dbs:
            for value in db.data.values():
                for group in getattr(value, "groups", {}).values():
                    assert isinstance(group, ConsumerGroup)
                    group.check_invariants()
                    checked += 1
        return checked

    srv.call(run)


def read_ids(reply: Any) -> list[bytes]:
    """Entry IDs of an XREADGROUP reply, whatever the protocol's shape."""
    if not reply:
        return []
    streams = reply.items() if isinstance(reply, dict) else [(key, entries) for key, entries in reply]
    ids: list[bytes] = []
    for _, entries in streams:
        for per_stream in entries if isinstance(reply, dict) else [entries]:
            ids.extend(entry[0] for entry in per_stream)
    return ids


def autoclaim(r: redis.Redis, *args: Any) -> tuple[bytes, list[bytes], list[bytes]]:
    """XAUTOCLAIM s g b <args>: (cursor, claimed IDs, deleted IDs) — redis-py parses full entries."""
    cursor, claimed, deleted = r.execute_command("XAUTOCLAIM", "s", "g", "b", *args)
    return cursor, [entry[0] for entry in claimed], list(deleted)


def fill(r: redis.Redis, n: int, key: str = "s") -> None:
    for i in range(1, n + 1):
        r.xadd(key, {"n": i}, id=f"{i}-0")


# --- XGROUP ----------------------------------------------------------------------------------------
def test_create_mkstream_busygroup_destroy(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="requires the key to exist"):
        r.xgroup_create("s", "g", id="$")
    assert r.xgroup_create("s", "g", id="$", mkstream=True) is True
    assert r.type("s") == b"stream"
    with pytest.raises(redis.ResponseError, match="Consumer Group name already exists"):
        r.xgroup_create("s", "g", id="0")
    assert r.xgroup_destroy("s", "g") == 1
    assert r.xgroup_destroy("s", "g") == 0
    assert r.exists("s") == 1  # a stream stays when its last group goes


def test_createconsumer_delconsumer(r: redis.Redis, srv: MiniRedisServer) -> None:
    fill(r, 3)
    r.xgroup_create("s", "g", id="0")
    assert r.xgroup_createconsumer("s", "g", "alice") == 1
    assert r.xgroup_createconsumer("s", "g", "alice") == 0
    r.xreadgroup("g", "alice", {"s": ">"}, count=2)
    assert r.xgroup_delconsumer("s", "g", "alice") == 2  # its pending entries go with it
    assert r.xpending("s", "g")["pending"] == 0
    assert r.xgroup_delconsumer("s", "g", "alice") == 0
    with pytest.raises(redis.ResponseError, match="No such consumer group 'nope' for key name 's'"):
        r.xgroup_delconsumer("s", "nope", "alice")
    check_groups(srv)


def test_setid_and_entries_read(r: redis.Redis) -> None:
    fill(r, 5)
    r.xgroup_create("s", "g", id="0")
    r.execute_command("XGROUP", "SETID", "s", "g", "3-0", "ENTRIESREAD", "3")
    info = r.xinfo_groups("s")[0]
    assert info["last-delivered-id"] == b"3-0" and info["entries-read"] == 3 and info["lag"] == 2
    r.execute_command("XGROUP", "SETID", "s", "g", "$")
    info = r.xinfo_groups("s")[0]
    assert info["last-delivered-id"] == b"5-0" and info["entries-read"] is None and info["lag"] == 0
    with pytest.raises(redis.ResponseError, match="ENTRIESREAD must be positive or -1"):
        r.execute_command("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "-2")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'SETID'"):
        r.execute_command("XGROUP", "SETID", "s", "g", "0", "MKSTREAM")


def test_xgroup_help(r: redis.Redis) -> None:
    lines = r.execute_command("XGROUP", "HELP")
    assert lines[0].startswith(b"XGROUP <subcommand>") and len(lines) == 17


# --- XREADGROUP / XACK -----------------------------------------------------------------------------
def test_read_new_then_history_then_ack(r: redis.Redis, srv: MiniRedisServer) -> None:
    fill(r, 4)
    r.xgroup_create("s", "g", id="0")
    assert read_ids(r.xreadgroup("g", "c1", {"s": ">"}, count=3)) == [b"1-0", b"2-0", b"3-0"]
    assert read_ids(r.xreadgroup("g", "c2", {"s": ">"})) == [b"4-0"]
    assert read_ids(r.xreadgroup("g", "c2", {"s": ">"})) == []
    assert read_ids(r.xreadgroup("g", "c1", {"s": "0"})) == [b"1-0", b"2-0", b"3-0"]
    assert read_ids(r.xreadgroup("g", "c1", {"s": "1-0"}, count=1)) == [b"2-0"]
    assert r.xack("s", "g", "1-0", "2-0", "9-9") == 2
    assert read_ids(r.xreadgroup("g", "c1", {"s": "0"})) == [b"3-0"]
    pending = r.xpending_range("s", "g", "-", "+", 10)
    assert [(p["message_id"], p["consumer"], p["times_delivered"]) for p in pending] == [
        (b"3-0", b"c1", 3), (b"4-0", b"c2", 1)]
    check_groups(srv)


def test_history_shows_deleted_entries_as_nil(r: redis.Redis) -> None:
    fill(r, 2)
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "c", {"s": ">"})
    r.xdel("s", "1-0")
    raw = r.execute_command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0")
    assert b"1-0" in repr(raw).encode()
    pending = r.xpending_range("s", "g", "-", "+", 10)
    assert [p["times_delivered"] for p in pending] == [1, 2]  # the deleted one is not counted again


def test_noack_leaves_nothing_pending(r: redis.Redis) -> None:
    fill(r, 3)
    r.xgroup_create("s", "g", id="0")
    assert read_ids(r.xreadgroup("g", "c", {"s": ">"}, noack=True)) == [b"1-0", b"2-0", b"3-0"]
    assert r.xpending("s", "g")["pending"] == 0
    assert r.xinfo_groups("s")[0]["entries-read"] == 3


def test_xreadgroup_errors(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="No such key 's' or consumer group 'g' in XREADGROUP"):
        r.xreadgroup("g", "c", {"s": ">"})
    r.xgroup_create("s", "g", id="$", mkstream=True)
    with pytest.raises(redis.ResponseError, match=r"The \$ ID is meaningless"):
        r.xreadgroup("g", "c", {"s": "$"})
    with pytest.raises(redis.ResponseError, match="Missing GROUP option"):
        r.execute_command("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">", "s", ">")
    r.set("str", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.xreadgroup("g", "c", {"str": ">"})


def test_consumer_created_only_when_served(r: redis.Redis) -> None:
    r.xgroup_create("s", "g", id="$", mkstream=True)
    r.xreadgroup("g", "ghost", {"s": ">"})
    assert r.xinfo_consumers("s", "g") == []
    r.xadd("s", {"a": 1}, id="1-0")
    r.xreadgroup("g", "real", {"s": ">"})
    assert [c["name"] for c in r.xinfo_consumers("s", "g")] == [b"real"]


def test_xack_reads_key_then_group_then_ids(r: redis.Redis) -> None:
    assert r.xack("nokey", "g", "bad") == 0
    r.xgroup_create("s", "g", id="$", mkstream=True)
    assert r.xack("s", "nogroup", "bad") == 0
    with pytest.raises(redis.ResponseError, match="Invalid stream ID"):
        r.xack("s", "g", "bad")


# --- XPENDING --------------------------------------------------------------------------------------
def test_xpending_summary_extended_idle(r: redis.Redis, srv: MiniRedisServer) -> None:
    fill(r, 3)
    r.xgroup_create("s", "g", id="0")
    assert r.xpending("s", "g")["pending"] == 0
    r.xreadgroup("g", "b", {"s": ">"}, count=1)
    srv.clock.advance(5)
    r.xreadgroup("g", "a", {"s": ">"})
    summary = r.xpending("s", "g")
    assert summary["pending"] == 3 and summary["min"] == b"1-0" and summary["max"] == b"3-0"
    assert [c["name"] for c in summary["consumers"]] == [b"a", b"b"]
    old = r.xpending_range("s", "g", "-", "+", 10, idle=4000)
    assert [p["message_id"] for p in old] == [b"1-0"]
    assert old[0]["time_since_delivered"] == 5000
    assert [p["message_id"] for p in r.xpending_range("s", "g", "-", "+", 10, consumername="a")] == [
        b"2-0", b"3-0"]
    assert r.xpending_range("s", "g", "(1-0", "+", 1)[0]["message_id"] == b"2-0"
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("XPENDING", "s", "g", "-", "+")


# --- XCLAIM / XAUTOCLAIM ---------------------------------------------------------------------------
def test_xclaim_min_idle_force_justid_retrycount(r: redis.Redis, srv: MiniRedisServer) -> None:
    fill(r, 3)
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "a", {"s": ">"}, count=2)
    assert r.xclaim("s", "g", "b", 1000, ["1-0"], justid=True) == []  # not idle long enough
    assert r.xinfo_consumers("s", "g")[0]["name"] == b"a"
    assert len(r.xinfo_consumers("s", "g")) == 1  # the claimer is created only when it claims
    srv.clock.advance(2)
    assert r.xclaim("s", "g", "b", 1000, ["1-0"], justid=True) == [b"1-0"]
    claimed = r.xclaim("s", "g", "b", 0, ["2-0"])
    assert claimed[0][0] == b"2-0"
    assert r.xclaim("s", "g", "b", 0, ["3-0"], justid=True) == []  # never delivered, no FORCE
    assert r.xclaim("s", "g", "b", 0, ["3-0"], force=True, justid=True) == [b"3-0"]
    r.xclaim("s", "g", "b", 0, ["3-0"], retrycount=7, justid=True)
    counts = {p["message_id"]: p["times_delivered"] for p in r.xpending_range("s", "g", "-", "+", 10)}
    assert counts == {b"1-0": 1, b"2-0": 2, b"3-0": 7}
    check_groups(srv)


def test_xclaim_drops_deleted_entries_and_lastid(r: redis.Redis, srv: MiniRedisServer) -> None:
    fill(r, 2)
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "a", {"s": ">"})
    r.xdel("s", "1-0")
    assert r.xclaim("s", "g", "b", 0, ["1-0", "2-0"], justid=True) == [b"2-0"]
    assert [p["message_id"] for p in r.xpending_range("s", "g", "-", "+", 10)] == [b"2-0"]
    r.execute_command("XCLAIM", "s", "g", "b", "0", "9-9", "LASTID", "50-0", "JUSTID")
    assert r.xinfo_groups("s")[0]["last-delivered-id"] == b"50-0"
    with pytest.raises(redis.ResponseError, match="Unrecognized XCLAIM option 'BOGUS'"):
        r.execute_command("XCLAIM", "s", "g", "b", "0", "2-0", "BOGUS")
    with pytest.raises(redis.ResponseError, match="Invalid min-idle-time argument for XCLAIM"):
        r.execute_command("XCLAIM", "s", "g", "b", "x", "2-0")
    check_groups(srv)


def test_xautoclaim_cursor_ends_and_deleted_ids(r: redis.Redis, srv: MiniRedisServer) -> None:
    fill(r, 6)
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "a", {"s": ">"})
    r.xdel("s", "2-0")
    cursor, claimed, deleted = autoclaim(r, "0", "0", "COUNT", "2")
    assert (cursor, claimed, deleted) == (b"3-0", [b"1-0"], [b"2-0"])
    seen = list(claimed)
    for _ in range(10):  # the cursor ends at 0-0 within a bounded number of calls
        cursor, claimed, deleted = autoclaim(r, "0", cursor, "COUNT", "2")
        seen.extend(claimed)
        if cursor == b"0-0":
            break
    assert cursor == b"0-0"
    assert seen == [b"1-0", b"3-0", b"4-0", b"5-0", b"6-0"]
    with pytest.raises(redis.ResponseError, match="COUNT must be > 0"):
        r.execute_command("XAUTOCLAIM", "s", "g", "b", "0", "0", "COUNT", "0")
    check_groups(srv)


def test_xautoclaim_respects_min_idle(r: redis.Redis, srv: MiniRedisServer) -> None:
    fill(r, 2)
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "a", {"s": ">"}, count=1)
    srv.clock.advance(10)
    r.xreadgroup("g", "a", {"s": ">"}, count=1)
    cursor, claimed, deleted = autoclaim(r, "5000", "0-0")
    assert (cursor, claimed, deleted) == (b"0-0", [b"1-0"], [])


# --- XINFO -----------------------------------------------------------------------------------------
def test_xinfo_consumers_idle_and_order(r: redis.Redis, srv: MiniRedisServer) -> None:
    fill(r, 2)
    r.xgroup_create("s", "g", id="0")
    r.xgroup_createconsumer("s", "g", "zed")
    r.xreadgroup("g", "amy", {"s": ">"}, count=1)
    srv.clock.advance(3)
    consumers = r.xinfo_consumers("s", "g")
    assert [(c["name"], c["pending"], c["idle"]) for c in consumers] == [(b"amy", 1, 3000), (b"zed", 0, 3000)]


def test_xinfo_stream_full_groups(r: redis.Redis) -> None:
    fill(r, 3)
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "c", {"s": ">"}, count=2)
    full = r.execute_command("XINFO", "STREAM", "s", "FULL")
    if isinstance(full, list):
        full = dict(zip(full[::2], full[1::2], strict=True))
    groups = full[b"groups"] if b"groups" in full else full["groups"]
    assert len(groups) == 1
    text = repr(groups)
    assert "pel-count" in text and "seen-time" in text


def test_keyspace_events(r: redis.Redis) -> None:
    r.config_set("notify-keyspace-events", "Et")
    pubsub = r.pubsub()
    try:
        pubsub.psubscribe("__keyevent@0__:*")
        assert pubsub.get_message(timeout=1)["type"] == "psubscribe"  # type: ignore[index]
        r.xgroup_create("s", "g", id="$", mkstream=True)
        r.xgroup_createconsumer("s", "g", "a")
        r.xgroup_createconsumer("s", "g", "a")  # exists: no event
        r.xadd("s", {"f": 1}, id="1-0")
        r.xreadgroup("g", "b", {"s": ">"})  # creates b
        r.xack("s", "g", "1-0")  # no event
        r.xclaim("s", "g", "c", 0, ["1-0"], force=True, justid=True)  # creates c
        r.execute_command("XGROUP", "SETID", "s", "g", "0")
        r.xgroup_delconsumer("s", "g", "a")
        r.xgroup_destroy("s", "g")
        events = []
        for _ in range(20):
            message = pubsub.get_message(timeout=0.2)
            if message is None:
                break
            events.append(message["channel"].split(b":", 1)[1])
        assert events == [b"xgroup-create", b"xgroup-createconsumer", b"xadd", b"xgroup-createconsumer",
                          b"xgroup-createconsumer", b"xgroup-setid", b"xgroup-delconsumer", b"xgroup-destroy"]
    finally:
        pubsub.close()
        r.config_set("notify-keyspace-events", "")
