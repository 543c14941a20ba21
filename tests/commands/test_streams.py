"""Stream commands through redis-py (RESP2 and RESP3): replies and their shapes, error order, auto IDs
and the clock, keyspace events and propagated effects (``*`` and ``~`` rewritten as Redis writes
them to its AOF), OBJECT ENCODING, COPY, and XREAD inside MULTI."""

from __future__ import annotations

import pytest
import redis

from miniredis.clock import ManualClock
from miniredis.testing.server import MiniRedisServer
from tests.helpers import Recorder, error_of, raw

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
INVALID_ID = "Invalid stream ID specified as stream command argument"
MAX = 2**64 - 1


def test_xadd_explicit_and_partial_ids(r: redis.Redis) -> None:
    assert r.xadd("s", {"a": 1}, id="0-*") == b"0-1"
    assert r.xadd("s", {"a": 1}, id="5") == b"5-0"
    assert r.xadd("s", {"a": 1}, id="5-*") == b"5-1"
    assert error_of(r, "XADD", "s", "5-1", "a", "1").endswith("equal or smaller than the target stream top item")
    assert error_of(r, "XADD", "s", "4-*", "a", "1").endswith("equal or smaller than the target stream top item")
    assert r.xadd("s", {"a": 1}, id=f"6-{MAX}") == f"6-{MAX}".encode()
    assert error_of(r, "XADD", "s", "6-*", "a", "1") == "Elements are too large to be stored"
    assert r.xadd("s", {"a": 1}, id=f"{MAX}-{MAX}") == f"{MAX}-{MAX}".encode()
    assert error_of(r, "XADD", "s", "*", "a", "1").startswith("The stream has exhausted the last possible ID")
    assert r.xlen("s") == 5


def test_xadd_errors_in_redis_order(r: redis.Redis) -> None:
    r.set("str", "v")
    assert error_of(r, "XADD", "str", "MAXLEN", "~", "x", "*", "a", "1") == "value is not an integer or out of range"
    assert error_of(r, "XADD", "str", "0-0", "a", "1") == "The ID specified in XADD must be greater than 0-0"
    assert error_of(r, "XADD", "str", "*", "a", "1") == WRONGTYPE
    assert error_of(r, "XADD", "s", "*", "a", "1", "b") == "wrong number of arguments for 'xadd' command"
    assert error_of(r, "XADD", "s", "MAXLEN", "1", "a", "1") == INVALID_ID
    assert error_of(r, "XADD", "s", "LIMIT", "1", "*", "a", "1") == (
        "syntax error, LIMIT cannot be used without specifying a trimming strategy")
    assert error_of(r, "XADD", "s", "MAXLEN", "1", "LIMIT", "1", "*", "a", "1") == (
        "syntax error, LIMIT cannot be used without the special ~ option")
    assert error_of(r, "XADD", "s", "MAXLEN", "1", "MINID", "x", "*", "a", "1") == (
        "syntax error, MAXLEN and MINID options at the same time are not compatible")
    assert error_of(r, "XADD", "s", "MAXLEN", "-1", "*", "a", "1") == "The MAXLEN argument must be >= 0."
    assert r.xadd("s", {"a": 1}, nomkstream=True) is None
    assert r.exists("s") == 0


def test_auto_ids_follow_the_clock_and_survive_it_going_back() -> None:
    clock = ManualClock()
    with MiniRedisServer(clock=clock) as srv:
        client = redis.Redis(host=srv.host, port=srv.port)
        clock.set(1000.0)
        first = client.xadd("s", {"a": 1})
        second = client.xadd("s", {"a": 1})
        assert (first, second) == (b"1000000-0", b"1000000-1")
        clock.set(999.0)  # the clock steps back: IDs keep growing from the last one
        assert client.xadd("s", {"a": 1}) == b"1000000-2"
        clock.set(1001.0)
        assert client.xadd("s", {"a": 1}) == b"1001000-0"
        client.close()


def test_ranges_counts_and_exclusive_bounds(r: redis.Redis) -> None:
    for i in range(1, 6):
        r.xadd("s", {"n": i}, id=f"{i}-1")
    assert [entry_id for entry_id, _ in r.xrange("s", "(2-1", "+") or []] == [b"3-1", b"4-1", b"5-1"]
    assert [entry_id for entry_id, _ in r.xrevrange("s", "(5-1", "-", count=2) or []] == [b"4-1", b"3-1"]
    assert r.xrange("s", "2", "3") == [(b"2-1", {b"n": b"2"}), (b"3-1", {b"n": b"3"})]
    assert raw(r, "XRANGE", "s", "-", "+", "COUNT", "0") is None
    assert raw(r, "XRANGE", "nokey", "-", "+", "COUNT", "0") == []
    assert error_of(r, "XRANGE", "s", f"({MAX}-{MAX}", "+") == "invalid start ID for the interval"
    assert error_of(r, "XRANGE", "s", "-", "(0-0") == "invalid end ID for the interval"
    assert error_of(r, "XRANGE", "s", "-", "+", "COUNT") == "syntax error"
    r.set("str", "v")
    assert error_of(r, "XRANGE", "str", "x", "+") == INVALID_ID
    assert error_of(r, "XRANGE", "str", "-", "+") == WRONGTYPE


def test_xdel_xlen_and_empty_streams_stay(r: redis.Redis, rec: Recorder) -> None:
    r.xadd("s", {"a": 1}, id="1-1")
    r.xadd("s", {"a": 2}, id="2-1")
    assert r.xdel("s", "1-1", "1-1", "9-9") == 1
    assert r.xdel("s", "9-9") == 0
    assert r.xdel("nokey", "not-an-id") == 0
    assert r.xdel("s", "2-1") == 1
    assert r.exists("s") == 1 and r.xlen("s") == 0
    info = r.xinfo_stream("s")
    assert info["max-deleted-entry-id"] == b"2-1" and info["recorded-first-entry-id"] == b"0-0"
    assert [event for event, _, kind in rec.events if kind == "t"] == ["xadd", "xadd", "xdel", "xdel"]
    assert rec.effects[-1] == [b"XDEL", b"s", b"2-1"]
    assert [b"XDEL", b"s", b"9-9"] not in rec.effects  # nothing deleted: nothing propagated


def test_propagation_rewrites_auto_ids_and_approximate_trims(r: redis.Redis, rec: Recorder) -> None:
    r.config_set("stream-node-max-entries", 3)
    try:
        for i in range(1, 8):
            r.xadd("s", {"a": 1}, id=f"{i}-1")
        assert r.xadd("s", {"a": 1}, id="8-1", maxlen=3, approximate=True) == b"8-1"
        assert rec.effects[-1] == [b"XADD", b"s", b"MAXLEN", b"=", b"5", b"8-1", b"a", b"1"]
        assert rec.events[-2:] == [("xadd", b"s", "t"), ("xtrim", b"s", "t")]
        assert r.xadd("s", {"a": 1}, id="99-*") == b"99-0"
        assert rec.effects[-1] == [b"XADD", b"s", b"99-0", b"a", b"1"]
        assert r.xtrim("s", minid="7", approximate=True) == 3
        assert rec.effects[-1] == [b"XTRIM", b"s", b"MINID", b"=", b"7-1"]
        count = len(rec.effects)
        assert r.xtrim("s", maxlen=100, approximate=True) == 0
        assert len(rec.effects) == count  # nothing trimmed: not propagated
        assert r.xtrim("s", maxlen=1, approximate=False) == 2
        assert rec.effects[-1] == [b"XTRIM", b"s", b"MAXLEN", b"1"]
        auto = r.xadd("s", {"a": 1})
        assert rec.effects[-1] == [b"XADD", b"s", auto, b"a", b"1"]
        assert r.xadd("e", {"a": 1}, id="5-1", minid="10", approximate=True) == b"5-1"
        assert r.xlen("e") == 0  # appended, then trimmed away with its node
        assert rec.effects[-1] == [b"XADD", b"e", b"MINID", b"=", f"{MAX}-{MAX}".encode(), b"5-1", b"a", b"1"]
    finally:
        r.config_set("stream-node-max-entries", 100)


def test_xsetid(r: redis.Redis, rec: Recorder) -> None:
    assert error_of(r, "XSETID", "nokey", "1-1") == "no such key"
    r.xadd("s", {"a": 1}, id="1-1")
    r.xadd("s", {"a": 1}, id="2-1")
    assert error_of(r, "XSETID", "s", "2-0") == "The ID specified in XSETID is smaller than the target stream top item"
    assert error_of(r, "XSETID", "s", "3-0", "ENTRIESADDED", "1") == (
        "The entries_added specified in XSETID is smaller than the target stream length")
    assert error_of(r, "XSETID", "s", "3-0", "ENTRIESADDED", "-1") == "entries_added must be positive"
    assert error_of(r, "XSETID", "s", "3-0", "MAXDELETEDID", "4-0") == (
        "The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
    assert r.execute_command("XSETID", "s", "9-0", "ENTRIESADDED", "7", "MAXDELETEDID", "1-5") in (b"OK", "OK", True)
    info = r.xinfo_stream("s")
    assert (info["last-generated-id"], info["entries-added"], info["max-deleted-entry-id"]) == (b"9-0", 7, b"1-5")
    assert rec.events[-1] == ("xsetid", b"s", "t")
    assert rec.effects[-1] == [b"XSETID", b"s", b"9-0", b"ENTRIESADDED", b"7", b"MAXDELETEDID", b"1-5"]


def test_xinfo_stream_fields(r: redis.Redis) -> None:
    for i in range(1, 13):
        r.xadd("s", {"f": i}, id=f"{i}-0")
    reply = raw(r, "XINFO", "STREAM", "s")
    pairs = reply if isinstance(reply, list) else [x for kv in reply.items() for x in kv]
    assert pairs[0::2] == [b"length", b"radix-tree-keys", b"radix-tree-nodes", b"last-generated-id",
                           b"max-deleted-entry-id", b"entries-added", b"recorded-first-entry-id", b"groups",
                           b"first-entry", b"last-entry"]
    full = raw(r, "XINFO", "STREAM", "s", "FULL")
    full_pairs = full if isinstance(full, list) else [x for kv in full.items() for x in kv]
    assert full_pairs[0::2][-2:] == [b"entries", b"groups"]
    assert len(full_pairs[full_pairs.index(b"entries") + 1]) == 10
    assert len(r.xinfo_stream("s", full=True)["entries"]) == 10
    assert error_of(r, "XINFO", "STREAM", "s", "FULL", "COUNT") == (
        "unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.")
    assert error_of(r, "XINFO", "STREAM", "nokey") == "no such key"
    assert r.object("encoding", "s") == b"stream"
    assert r.type("s") == b"stream"
    help_lines = r.execute_command("XINFO", "HELP")
    assert help_lines[0].startswith(b"XINFO <subcommand>") or help_lines[0].startswith("XINFO <subcommand>")


def test_copy_keeps_entries_and_metadata(r: redis.Redis) -> None:
    r.xadd("s", {"a": 1}, id="1-1")
    r.xadd("s", {"a": 2}, id="2-1")
    r.xdel("s", "1-1")
    assert r.copy("s", "c") == 1
    assert r.xrange("c") == r.xrange("s")
    assert r.xinfo_stream("c") == r.xinfo_stream("s")
    r.xadd("c", {"b": 1}, id="3-1")
    assert r.xlen("s") == 1 and r.xlen("c") == 2


def test_xread_shapes_and_errors(r: redis.Redis) -> None:
    r.xadd("s", {"a": 1}, id="1-1")
    r.xadd("t", {"b": 1}, id="1-1")
    reply = raw(r, "XREAD", "STREAMS", "s", "t", "0", "0")
    if isinstance(reply, dict):  # RESP3: a map key -> entries
        assert list(reply) == [b"s", b"t"]
    else:
        assert [item[0] for item in reply] == [b"s", b"t"]
    assert raw(r, "XREAD", "STREAMS", "s", "$") is None
    assert error_of(r, "XREAD", "STREAMS", "s", "t", "0") == (
        "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
    assert error_of(r, "XREAD", "NOACK", "STREAMS", "s", "0") == (
        "The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
    assert error_of(r, "XREAD", "BLOCK", "-1", "STREAMS", "s", "0") == "timeout is negative"
    r.set("str", "v")
    assert error_of(r, "XREAD", "STREAMS", "str", "x") == WRONGTYPE


def test_xread_block_inside_multi_does_not_block(r: redis.Redis) -> None:
    pipe = r.pipeline(transaction=True)
    pipe.execute_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    pipe.xadd("s", {"a": 1}, id="1-1")
    nothing, added = pipe.execute()
    assert not nothing and added == b"1-1"  # the null reply (redis-py shows it empty) at once


def test_watch_is_broken_by_xadd(r: redis.Redis) -> None:
    r.xadd("s", {"a": 1}, id="1-1")
    pipe = r.pipeline(transaction=True)
    pipe.watch("s")
    other = redis.Redis(connection_pool=r.connection_pool)
    other.xadd("s", {"a": 1}, id="2-1")
    pipe.multi()
    pipe.xlen("s")
    with pytest.raises(redis.WatchError):
        pipe.execute()
