"""Hash commands through redis-py (RESP2 and RESP3): replies and their RESP3 shapes, errors and their
order, empty hashes deleted, WATCH, keyspace events and propagated effects, HSCAN cursors."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from miniredis.testing.server import MiniRedisServer
from tests.helpers import Recorder, error_of, is_resp3, raw

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def test_hset_hget_hmget(r: redis.Redis) -> None:
    assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert r.hset("h", mapping={"a": "x", "c": "3"}) == 1
    assert r.hget("h", "a") == b"x"
    assert r.hget("h", "nope") is None
    assert r.hget("nokey", "a") is None
    assert r.hmget("h", ["a", "nope", "c"]) == [b"x", None, b"3"]
    assert r.hmget("nokey", ["a", "b"]) == [None, None]
    assert r.hlen("h") == 3
    assert r.hstrlen("h", "a") == 1
    assert r.hstrlen("h", "nope") == 0
    assert r.hexists("h", "a") and not r.hexists("h", "nope") and not r.hexists("nokey", "a")


def test_hset_odd_arguments_is_an_arity_error(r: redis.Redis) -> None:
    assert error_of(r, "HSET", "h", "f", "v", "g") == "wrong number of arguments for 'hset' command"
    assert error_of(r, "HMSET", "h", "f", "v", "g") == "wrong number of arguments for 'hmset' command"
    assert error_of(r, "HSET", "h", "f") == "wrong number of arguments for 'hset' command"
    assert r.exists("h") == 0


def test_hmset_hsetnx(r: redis.Redis) -> None:
    assert r.execute_command("HMSET", "h", "a", "1", "b", "2") in (True, b"OK")
    assert r.hsetnx("h", "a", "9") == 0
    assert r.hsetnx("h", "c", "3") == 1
    assert r.hsetnx("new", "f", "v") == 1
    assert r.hgetall("h") == {b"a": b"1", b"b": b"2", b"c": b"3"}


def test_insertion_order_is_kept_like_a_listpack(r: redis.Redis) -> None:
    r.hset("h", mapping={"z": "1", "a": "2", "m": "3"})
    r.hset("h", "a", "updated")
    assert r.hkeys("h") == [b"z", b"a", b"m"]
    assert r.hvals("h") == [b"1", b"updated", b"3"]
    assert list(r.hgetall("h").items()) == [(b"z", b"1"), (b"a", b"updated"), (b"m", b"3")]


def test_hgetall_is_a_map_in_resp3(r: redis.Redis) -> None:
    r.hset("h", "f", "v")
    reply = raw(r, "HGETALL", "h")
    if is_resp3(r):
        assert reply == {b"f": b"v"}
    else:
        assert reply == [b"f", b"v"]
    assert raw(r, "HGETALL", "nokey") in ({}, [])


def test_hdel_deletes_the_emptied_hash(r: redis.Redis) -> None:
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert r.hdel("h", "a", "a", "nope") == 1
    assert r.hdel("nokey", "a") == 0
    assert r.hdel("h", "b", "c") == 1
    assert r.exists("h") == 0
    assert r.type("h") == b"none"


def test_wrongtype(r: redis.Redis) -> None:
    r.set("s", "v")
    for argv in (("HSET", "s", "f", "v"), ("HSETNX", "s", "f", "v"), ("HGET", "s", "f"), ("HMGET", "s", "f"),
                 ("HDEL", "s", "f"), ("HLEN", "s"), ("HEXISTS", "s", "f"), ("HSTRLEN", "s", "f"), ("HKEYS", "s"),
                 ("HVALS", "s"), ("HGETALL", "s"), ("HINCRBY", "s", "f", "1"), ("HINCRBYFLOAT", "s", "f", "1"),
                 ("HRANDFIELD", "s"), ("HSCAN", "s", "0"), ("HMSET", "s", "f", "v")):
        assert error_of(r, *argv) == WRONGTYPE, argv
    assert r.get("s") == b"v"


def test_argument_errors_come_before_wrongtype(r: redis.Redis) -> None:
    r.set("s", "v")
    assert error_of(r, "HINCRBY", "s", "f", "x") == "value is not an integer or out of range"
    assert error_of(r, "HINCRBYFLOAT", "s", "f", "x") == "value is not a valid float"
    assert error_of(r, "HINCRBYFLOAT", "s", "f", "inf") == "value is NaN or Infinity"
    assert error_of(r, "HRANDFIELD", "s", "x") == "value is not an integer or out of range"
    assert error_of(r, "HSCAN", "s", "x") == "invalid cursor"
    assert error_of(r, "HSCAN", "s", "0", "COUNT", "0") == WRONGTYPE  # options come after the type check


def test_hincrby(r: redis.Redis) -> None:
    assert r.hincrby("h", "n", 5) == 5
    assert r.hincrby("h", "n", -7) == -2
    assert r.hget("h", "n") == b"-2"
    r.hset("h", "s", "abc")
    assert error_of(r, "HINCRBY", "h", "s", "1") == "hash value is not an integer"
    r.hset("h", "big", str(2**63 - 1))
    assert error_of(r, "HINCRBY", "h", "big", "1") == "increment or decrement would overflow"
    assert error_of(r, "HINCRBY", "h", "n", "1.5") == "value is not an integer or out of range"
    assert r.hget("h", "big") == str(2**63 - 1).encode()


def test_hincrbyfloat(r: redis.Redis) -> None:
    assert r.hincrbyfloat("h", "f", 1.5) == 1.5
    assert raw(r, "HINCRBYFLOAT", "h", "f", "0.1") == b"1.6"
    assert raw(r, "HINCRBYFLOAT", "h", "g", "3.0e3") == b"3000"
    assert raw(r, "HINCRBYFLOAT", "h", "k", "1e-20") == b"0"
    assert raw(r, "HINCRBYFLOAT", "h", "x", "0x10") == b"16"
    r.hset("h", "s", "abc")
    assert error_of(r, "HINCRBYFLOAT", "h", "s", "1") == "hash value is not a float"
    r.hset("h", "inf", "inf")
    assert error_of(r, "HINCRBYFLOAT", "h", "inf", "1") == "increment would produce NaN or Infinity"
    assert error_of(r, "HINCRBYFLOAT", "h", "f", "nan") == "value is not a valid float"
    assert error_of(r, "HINCRBYFLOAT", "nokey", "f", "inf") == "value is NaN or Infinity"
    assert r.exists("nokey") == 0


def test_hrandfield(r: redis.Redis) -> None:
    assert r.hrandfield("nokey") is None
    assert r.hrandfield("nokey", 3) == []
    fields = {b"f%d" % i: b"v%d" % i for i in range(10)}
    r.hset("h", mapping=fields)  # type: ignore[arg-type]
    assert r.hrandfield("h") in fields
    picked: Any = r.hrandfield("h", 5)
    assert len(picked) == 5 and len(set(picked)) == 5 and set(picked) <= set(fields)
    repeated: Any = r.hrandfield("h", -30)
    assert len(repeated) == 30 and set(repeated) <= set(fields)
    assert r.hrandfield("h", 100) == list(fields)  # the whole hash, in order
    assert r.hrandfield("h", 0) == []


def test_hrandfield_withvalues_shapes(r: redis.Redis) -> None:
    r.hset("h", mapping={"a": "1", "b": "2"})
    reply = raw(r, "HRANDFIELD", "h", "2", "WITHVALUES")
    if is_resp3(r):
        assert reply == [[b"a", b"1"], [b"b", b"2"]]
    else:
        assert reply == [b"a", b"1", b"b", b"2"]
    repeated = raw(r, "HRANDFIELD", "h", "-5", "WITHVALUES")
    assert len(repeated) in (5, 10)
    assert error_of(r, "HRANDFIELD", "h", "1", "WITHVALUES", "x") == "syntax error"
    assert error_of(r, "HRANDFIELD", "h", str(-(2**62)), "WITHVALUES") == "value is out of range"
    assert error_of(r, "HRANDFIELD", "h", str(-(2**63))).startswith("value is out of range, value must between")


def test_hscan_small_hash_in_one_call(r: redis.Redis) -> None:
    r.hset("h", mapping={"a": "1", "b": "2", "ab": "3"})
    assert r.hscan("h", 0) == (0, {b"a": b"1", b"b": b"2", b"ab": b"3"})
    assert r.hscan("h", 0, match="a*") == (0, {b"a": b"1", b"ab": b"3"})
    assert r.hscan("h", 12345, count=1) == (0, {b"a": b"1", b"b": b"2", b"ab": b"3"})
    assert r.hscan("nokey", 0) == (0, {})
    assert error_of(r, "HSCAN", "h", "0", "COUNT", "0") == "syntax error"
    assert error_of(r, "HSCAN", "h", "0", "NOVALUES") == "syntax error"
    assert error_of(r, "HSCAN", "h", " 1") == "invalid cursor"


def test_hscan_large_hash_pages_and_survives_changes(r: redis.Redis) -> None:
    fields: dict[Any, Any] = {f"f{i}": str(i) for i in range(2000)}
    r.hset("h", mapping=fields)
    seen: dict[Any, Any] = {}
    cursor, pages = 0, 0
    while True:
        reply: Any = r.hscan("h", cursor, count=50)
        cursor, page = reply
        assert len(page) <= 60
        seen.update(page)
        pages += 1
        # Change the hash between calls: new fields, and removal of fields already returned.
        r.hset("h", f"new{pages}", "x")
        for field in list(page)[:3]:
            r.hdel("h", field)
        if cursor == 0:
            break
        assert pages < 1000
    assert pages > 10
    assert {f.encode() for f in fields} <= set(seen)


def test_hscan_long_values_are_paginated(r: redis.Redis) -> None:
    r.hset("h", mapping={f"f{i}": "x" * 65 for i in range(30)})
    cursor, page = r.hscan("h", 0, count=5)
    assert cursor != 0 and 1 <= len(page) < 30


def test_watch_is_broken_by_in_place_change(r: redis.Redis, server: MiniRedisServer) -> None:
    r.hset("h", "f", "1")
    other = redis.Redis(host=server.host, port=server.port)
    with r.pipeline() as pipe:
        pipe.watch("h")
        other.hincrby("h", "f", 1)
        pipe.multi()
        pipe.hget("h", "f")
        with pytest.raises(redis.WatchError):
            pipe.execute()
    other.close()


def test_events_and_effects(r: redis.Redis, rec: Recorder) -> None:
    r.hset("h", mapping={"a": "1", "b": "2"})
    r.hsetnx("h", "a", "x")  # no change: no event, not propagated
    r.hsetnx("h", "c", "3")
    r.hincrby("h", "a", 2)
    r.execute_command("HINCRBYFLOAT", "h", "b", "1.5")
    r.hdel("h", "zz")
    r.hdel("h", "a", "b", "c")
    assert rec.events == [
        ("hset", b"h", "h"), ("hset", b"h", "h"), ("hincrby", b"h", "h"), ("hincrbyfloat", b"h", "h"),
        ("hdel", b"h", "h"), ("del", b"h", "g"),
    ]
    assert rec.effects == [
        [b"HSET", b"h", b"a", b"1", b"b", b"2"], [b"HSETNX", b"h", b"c", b"3"], [b"HINCRBY", b"h", b"a", b"2"],
        [b"HSET", b"h", b"b", b"3.5"], [b"HDEL", b"h", b"a", b"b", b"c"],
    ]


def test_errors_write_nothing(r: redis.Redis, rec: Recorder) -> None:
    r.set("s", "v")
    rec.events.clear()
    rec.effects.clear()
    for argv in (("HSET", "s", "f", "v"), ("HINCRBY", "h", "f", "x"), ("HINCRBYFLOAT", "h", "f", "inf")):
        with pytest.raises(redis.ResponseError):
            r.execute_command(*argv)
    assert rec.events == [] and rec.effects == []
    assert r.exists("h") == 0
