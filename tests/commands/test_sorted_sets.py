"""Sorted-set commands through redis-py (RESP2 and RESP3): replies, errors, encodings, keyspace events
and propagated effects. Byte-level equality with Redis is the conformance suite's job; these tests pin
the behaviour through a real client, plus what only the server can show (effects, events)."""

from __future__ import annotations

from typing import Any

import redis

from miniredis.structures.zset import ZSet
from miniredis.testing.server import MiniRedisServer
from tests.helpers import Recorder, error_of


def pairs(reply: Any) -> list[tuple[bytes, float]]:
    """redis-py's WITHSCORES reply (tuples in RESP2, lists in RESP3) as (member, score) tuples."""
    return [(member, float(score)) for member, score in reply]


def test_zadd_and_reads(r: redis.Redis) -> None:
    assert r.zadd("z", {"a": 1, "b": 2, "c": 0.1}) == 3
    assert r.zadd("z", {"a": 1}) == 0
    assert r.zscore("z", "c") == 0.1
    assert r.zscore("z", "nope") is None
    assert r.zcard("z") == 3 and r.zcard("nokey") == 0
    assert r.zrange("z", 0, -1) == [b"c", b"a", b"b"]
    assert pairs(r.zrange("z", 0, -1, withscores=True)) == [(b"c", 0.1), (b"a", 1.0), (b"b", 2.0)]
    assert r.zrank("z", "b") == 2 and r.zrevrank("z", "b") == 0 and r.zrank("z", "x") is None
    assert r.zmscore("z", ["a", "x", "b"]) == [1.0, None, 2.0]
    assert r.type("z") == b"zset"


def test_zadd_options(r: redis.Redis) -> None:
    r.zadd("z", {"a": 1, "b": 2})
    assert r.zadd("z", {"a": 5, "n": 1}, nx=True) == 1 and r.zscore("z", "a") == 1
    assert r.zadd("z", {"a": 5, "m": 1}, xx=True, ch=True) == 1 and r.zscore("z", "m") is None
    assert r.zadd("z", {"a": 3}, gt=True, ch=True) == 0
    assert r.zadd("z", {"a": 3}, lt=True, ch=True) == 1
    assert r.zadd("z", {"a": 2}, incr=True) == 5.0
    assert r.zadd("z", {"a": 2}, incr=True, nx=True) is None
    assert r.zincrby("z", 0.5, "b") == 2.5
    assert error_of(r, "ZADD", "z", "NX", "XX", "1", "a") == "XX and NX options at the same time are not compatible"
    assert error_of(r, "ZADD", "z", "GT", "LT", "1", "a") == (
        "GT, LT, and/or NX options at the same time are not compatible")
    assert error_of(r, "ZADD", "z", "INCR", "1", "a", "2", "b") == (
        "INCR option supports a single increment-element pair")
    assert error_of(r, "ZADD", "z", "nan", "a") == "value is not a valid float"
    r.zadd("z", {"inf": float("inf")})
    assert error_of(r, "ZINCRBY", "z", "-inf", "inf") == "resulting score is not a number (NaN)"
    r.set("s", "v")
    assert error_of(r, "ZADD", "s", "1", "a").startswith("WRONGTYPE")


def test_ranges(r: redis.Redis) -> None:
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert r.zrangebyscore("z", "(1", 3) == [b"b", b"c"]
    assert r.zrevrangebyscore("z", "+inf", "-inf", start=1, num=2) == [b"c", b"b"]
    assert r.zrange("z", 3, 1, byscore=True, desc=True) == [b"c", b"b", b"a"]
    assert r.zrange("z", 0, 10, byscore=True, offset=1, num=2) == [b"b", b"c"]
    assert r.zrevrange("z", 0, 1) == [b"d", b"c"]
    assert r.zcount("z", "(1", "+inf") == 3
    r.zadd("lex", {"a": 0, "b": 0, "c": 0})
    assert r.zrangebylex("lex", "[b", "+") == [b"b", b"c"]
    assert r.zrevrangebylex("lex", "+", "(a") == [b"c", b"b"]
    assert r.zlexcount("lex", "-", "+") == 3
    assert r.zrangestore("dst", "z", 1, 2) == 2 and r.zrange("dst", 0, -1) == [b"b", b"c"]
    assert error_of(r, "ZRANGEBYSCORE", "z", "x", "1") == "min or max is not a float"
    assert error_of(r, "ZRANGEBYLEX", "lex", "a", "b") == "min or max not valid string range item"
    assert error_of(r, "ZRANGE", "z", "0", "1", "LIMIT", "0", "1") == (
        "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")


def test_removals_delete_empty_sets(r: redis.Redis) -> None:
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
    assert r.zremrangebyrank("z", 0, 0) == 1
    assert r.zremrangebyscore("z", "(2", 3) == 1
    assert r.zrem("z", "b", "nope") == 1
    r.zadd("lex", {"a": 0, "b": 0, "c": 0})
    assert r.zremrangebylex("lex", "(a", "+") == 2
    assert r.zrange("z", 0, -1) == [b"d", b"e"]
    assert r.zrem("z", "d", "e") == 2
    assert r.exists("z") == 0


def test_pops(r: redis.Redis) -> None:
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zpopmin("z") in ([(b"a", 1.0)], [b"a", 1.0])  # RESP3 keeps a count-less pop flat
    assert pairs(r.zpopmax("z", 5)) == [(b"c", 3.0), (b"b", 2.0)]
    assert r.exists("z") == 0
    assert r.zpopmin("z") == []
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    key, popped = r.zmpop(2, ["nokey", "z"], max=True, count=2)  # type: ignore[misc]
    assert key == b"z" and pairs(popped) == [(b"c", 3.0), (b"b", 2.0)]
    assert r.zmpop(1, ["nokey"], min=True) is None
    assert r.bzpopmin("z", 1) in ([b"z", b"a", 1.0], (b"z", b"a", 1.0))
    assert r.bzpopmax("z", 0.01) is None


def test_zrandmember(r: redis.Redis) -> None:
    members = {f"m{i}": i for i in range(10)}
    r.zadd("z", members)
    one: Any = r.zrandmember("z")
    assert one.decode() in members
    picked: Any = r.zrandmember("z", 5)
    assert len(set(picked)) == 5
    repeated: Any = r.zrandmember("z", -20)
    assert len(repeated) == 20
    with_scores: Any = r.zrandmember("z", 3, withscores=True)
    if r.get_connection_kwargs().get("protocol") in (None, 2):
        with_scores = zip(with_scores[0::2], with_scores[1::2], strict=True)
    assert all(members[member.decode()] == score for member, score in pairs(with_scores))
    assert r.zrandmember("nokey") is None and r.zrandmember("nokey", 3) == []


def test_algebra(r: redis.Redis) -> None:
    r.zadd("a", {"x": 1, "y": 2})
    r.zadd("b", {"y": 10, "z": 20})
    r.sadd("s", "y", "q")
    assert pairs(r.zunion(["a", "b"], withscores=True)) == [(b"x", 1.0), (b"y", 12.0), (b"z", 20.0)]
    assert pairs(r.zinter({"a": 2, "b": 1}, withscores=True)) == [(b"y", 14.0)]
    assert r.zdiff(["a", "b"]) == [b"x"]
    assert r.zunionstore("d", ["a", "s"], aggregate="MAX") == 3
    assert pairs(r.zrange("d", 0, -1, withscores=True)) == [(b"q", 1.0), (b"x", 1.0), (b"y", 2.0)]
    assert r.zinterstore("d", ["a", "nokey"]) == 0 and r.exists("d") == 0
    assert r.zdiffstore("d", ["b", "a"]) == 1
    assert r.zintercard(2, ["a", "b"]) == 1 and r.zintercard(2, ["a", "b"], limit=1) == 1
    assert error_of(r, "ZUNIONSTORE", "d", "0", "a") == "at least 1 input key is needed for 'zunionstore' command"
    assert error_of(r, "ZUNION", "2", "a", "b", "WEIGHTS", "1", "x") == "weight value is not a float"


def test_zscan(r: redis.Redis) -> None:
    r.zadd("small", {"a": 1, "b": 1e18})
    assert r.zscan("small", 0) == (0, [(b"a", 1.0), (b"b", 1e18)])
    r.zadd("big", {f"m{i}": i for i in range(500)})
    seen: dict[bytes, float] = {}
    cursor = 0
    for _ in range(1000):
        cursor, page = r.zscan("big", cursor, count=20)
        seen.update(pairs(page))
        r.zadd("big", {f"new{cursor}": -1})  # mutation between calls never loses a surviving member
        if cursor == 0:
            break
    assert all(seen[f"m{i}".encode()] == i for i in range(500))


def test_encodings_and_copy(r: redis.Redis) -> None:
    r.zadd("z", {f"m{i}": i for i in range(128)})
    assert r.object("encoding", "z") == b"listpack"
    r.zadd("z", {"one-more": 1})
    assert r.object("encoding", "z") == b"skiplist"
    r.zrem("z", "one-more")
    assert r.object("encoding", "z") == b"skiplist"  # one way, as in Redis
    r.zadd("long", {"x" * 65: 1})
    assert r.object("encoding", "long") == b"skiplist"
    assert r.copy("z", "z2") and r.object("encoding", "z2") == b"skiplist"
    r.zadd("z2", {"only-in-copy": 0})
    assert r.zcard("z") == 128 and r.zcard("z2") == 129


def test_negative_zero(r: redis.Redis, server: MiniRedisServer) -> None:
    r.zadd("small", {"a": -0.0})
    assert r.zscan("small", 0)[1] == [(b"a", 0.0)]
    server.call(lambda s: s.config.set("zset-max-listpack-entries", "0"))
    try:
        r.execute_command("ZADD", "big", "-0", "a")
        assert r.execute_command("ZSCORE", "big", "a") in (b"-0", -0.0)
    finally:
        server.call(lambda s: s.config.set("zset-max-listpack-entries", "128"))


def test_events(r: redis.Redis, rec: Recorder) -> None:
    r.zadd("z", {"a": 1, "b": 2})
    r.zadd("z", {"a": 1})
    r.zincrby("z", 1, "a")
    r.zrem("z", "a")
    r.zpopmin("z")
    r.zadd("y", {"a": 1})
    r.zunionstore("u", ["y"])
    r.zrangestore("r", "y", 0, 0)
    r.zremrangebyscore("y", "-inf", "+inf")
    assert [event for event in rec.events if event[2] != "n"] == [
        ("zadd", b"z", "z"), ("zincr", b"z", "z"), ("zrem", b"z", "z"), ("zpopmin", b"z", "z"), ("del", b"z", "g"),
        ("zadd", b"y", "z"), ("zunionstore", b"u", "z"), ("zrangestore", b"r", "z"), ("zremrangebyscore", b"y", "z"),
        ("del", b"y", "g"),
    ]


def test_propagated_effects(r: redis.Redis, rec: Recorder) -> None:
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    r.zadd("z", {"a": 1}, nx=True)  # no change: nothing propagated
    r.zmpop(1, ["z"], min=True, count=10)
    r.zadd("z", {"a": 1, "b": 2})
    r.bzpopmax("z", 0)
    r.execute_command("BZMPOP", "0", "1", "z", "MIN", "COUNT", "5")
    assert rec.effects == [
        [b"ZADD", b"z", b"1", b"a", b"2", b"b", b"3", b"c", b"4", b"d"], [b"ZPOPMIN", b"z", b"4"],
        [b"ZADD", b"z", b"1", b"a", b"2", b"b"], [b"ZPOPMAX", b"z"], [b"ZPOPMIN", b"z", b"1"],
    ]


def test_value_type(server: MiniRedisServer, r: redis.Redis) -> None:
    r.zadd("z", {"b": 1, "a": 1})
    value = server.call(lambda s: s.dbs[0].data[b"z"])
    assert isinstance(value, ZSet) and list(value) == [(1.0, b"a"), (1.0, b"b")]
