"""Set commands through redis-py (RESP2 and RESP3): replies and their RESP3 shapes (sets as ``~``),
intset order, errors and their order, empty sets deleted, SPOP/SMOVE/STORE effects and keyspace
events, SSCAN cursors."""

from __future__ import annotations

import random
from typing import Any

import pytest
import redis

from conformance.harness import RawConnection
from miniredis.commands.scan_cursor import parse_cursor, scan_page
from miniredis.errors import CommandError
from miniredis.testing.server import MiniRedisServer
from tests.helpers import Recorder, error_of, is_resp3, raw

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def test_sadd_srem_scard_sismember(r: redis.Redis) -> None:
    assert r.sadd("s", "a", "b", "a") == 2
    assert r.sadd("s", "b") == 0
    assert r.scard("s") == 2 and r.scard("nokey") == 0
    assert r.sismember("s", "a") and not r.sismember("s", "z") and not r.sismember("nokey", "a")
    assert r.smismember("s", ["a", "z", "b"]) == [1, 0, 1]
    assert r.smismember("nokey", ["a"]) == [0]
    assert r.srem("s", "a", "a", "z") == 1
    assert r.srem("nokey", "a") == 0
    assert r.srem("s", "b") == 1
    assert r.exists("s") == 0


def wire(server: MiniRedisServer, protocol: int, *argv: Any) -> bytes:
    """The raw bytes of one reply (redis-py turns RESP3 sets into lists, hiding ``~``)."""
    conn = RawConnection(server.host, server.port)
    try:
        if protocol == 3:
            conn.send("HELLO", "3")
        return conn.send(*argv)
    finally:
        conn.close()


def test_smembers_is_a_set_in_resp3_and_intsets_are_ordered(r: redis.Redis, server: MiniRedisServer) -> None:
    r.sadd("s", "10", "-3", "2", "7")
    members = b"$2\r\n-3\r\n$1\r\n2\r\n$1\r\n7\r\n$2\r\n10\r\n"  # intset order: numeric
    assert wire(server, 2, "SMEMBERS", "s") == b"*4\r\n" + members
    assert wire(server, 3, "SMEMBERS", "s") == b"~4\r\n" + members
    assert wire(server, 3, "SMEMBERS", "nokey") == b"~0\r\n"
    assert wire(server, 3, "SINTER", "s", "s") == b"~4\r\n" + members
    assert wire(server, 3, "SRANDMEMBER", "s", "10") == b"*4\r\n" + members  # an array, not a set


def test_large_integer_sets_are_not_sorted_for_free(r: redis.Redis, server: MiniRedisServer) -> None:
    """Past set-max-intset-entries Redis holds a hashtable: any order, but every member."""
    members = [str(i) for i in range(600)]
    r.sadd("s", *members)
    assert sorted(r.smembers("s")) == sorted(m.encode() for m in members)
    assert server.call(lambda srv: srv.config.set_max_intset_entries) == 512


def test_wrongtype(r: redis.Redis) -> None:
    r.set("str", "v")
    r.sadd("s", "1")
    for argv in (("SADD", "str", "a"), ("SREM", "str", "a"), ("SMEMBERS", "str"), ("SISMEMBER", "str", "a"),
                 ("SMISMEMBER", "str", "a"), ("SCARD", "str"), ("SPOP", "str"), ("SPOP", "str", "0"),
                 ("SRANDMEMBER", "str"), ("SRANDMEMBER", "str", "2"), ("SMOVE", "s", "str", "1"),
                 ("SMOVE", "str", "s", "1"), ("SINTER", "s", "str"), ("SINTER", "nokey", "str"),
                 ("SUNION", "str"), ("SDIFF", "nokey", "str"), ("SINTERSTORE", "d", "s", "str"),
                 ("SUNIONSTORE", "d", "str"), ("SDIFFSTORE", "d", "s", "str"), ("SINTERCARD", "2", "nokey", "str"),
                 ("SSCAN", "str", "0")):
        assert error_of(r, *argv) == WRONGTYPE, argv
    assert r.smove("nokey", "str", "1") == 0  # a missing source: the destination is not checked
    assert r.exists("d") == 0


def test_spop(r: redis.Redis) -> None:
    assert r.spop("nokey") is None
    assert r.spop("nokey", 3) == []
    r.sadd("s", *[f"m{i}" for i in range(20)])
    one: Any = r.spop("s")
    assert one is not None and not r.sismember("s", one)
    many: Any = r.spop("s", 5)
    assert len(set(many)) == 5 and r.scard("s") == 14
    assert r.spop("s", 0) == []
    rest: Any = r.spop("s", 100)
    assert len(rest) == 14 and r.exists("s") == 0
    assert error_of(r, "SPOP", "s", "-1") == "value is out of range, must be positive"
    assert error_of(r, "SPOP", "s", "x") == "value is out of range, must be positive"
    assert error_of(r, "SPOP", "s", "1", "2") == "syntax error"


def test_spop_count_reply_is_a_set_in_resp3(r: redis.Redis, server: MiniRedisServer) -> None:
    r.sadd("s", "3", "1", "2")
    assert wire(server, 3, "SPOP", "s", "10") == b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    assert wire(server, 3, "SPOP", "s", "10") == b"~0\r\n"
    assert wire(server, 2, "SPOP", "s", "10") == b"*0\r\n"


def test_srandmember(r: redis.Redis) -> None:
    assert r.srandmember("nokey") is None
    assert r.srandmember("nokey", 5) == []
    members = {f"m{i}".encode() for i in range(10)}
    r.sadd("s", *members)
    assert r.srandmember("s") in members
    distinct: Any = r.srandmember("s", 5)
    assert len(set(distinct)) == 5 and set(distinct) <= members
    repeated: Any = r.srandmember("s", -40)
    assert len(repeated) == 40 and set(repeated) <= members
    whole: Any = r.srandmember("s", 100)
    assert set(whole) == members
    assert r.srandmember("s", 0) == []
    assert r.scard("s") == 10
    assert error_of(r, "SRANDMEMBER", "s", str(-(2**63))).startswith("value is out of range, value must between")
    assert error_of(r, "SRANDMEMBER", "s", "1", "2") == "syntax error"


def test_srandmember_is_roughly_uniform(r: redis.Redis) -> None:
    r.sadd("s", "a", "b", "c", "d")
    picks: Any = r.srandmember("s", -4000)
    counts = {member: picks.count(member) for member in (b"a", b"b", b"c", b"d")}
    assert all(800 < count < 1200 for count in counts.values()), counts


def test_smove(r: redis.Redis) -> None:
    r.sadd("a", "1", "2")
    assert r.smove("a", "b", "1") == 1
    assert r.smembers("b") == {b"1"}
    assert r.smove("a", "b", "9") == 0
    assert r.smove("a", "a", "2") == 1 and r.smove("a", "a", "9") == 0
    assert r.smove("a", "b", "2") == 1
    assert r.exists("a") == 0 and r.smembers("b") == {b"1", b"2"}


def test_algebra(r: redis.Redis) -> None:
    r.sadd("a", "1", "2", "3", "x")
    r.sadd("b", "2", "3", "4")
    assert r.sinter(["a", "b"]) == {b"2", b"3"}
    assert r.sinter(["a", "nokey"]) == set()
    assert r.sunion(["a", "b", "nokey"]) == {b"1", b"2", b"3", b"4", b"x"}
    assert r.sdiff(["a", "b"]) == {b"1", b"x"}
    assert r.sdiff(["nokey", "a"]) == set()
    assert r.sintercard(2, ["a", "b"]) == 2
    assert r.sintercard(2, ["a", "b"], limit=1) == 1
    assert r.sintercard(1, ["a"], limit=0) == 4


def test_algebra_intset_order(r: redis.Redis) -> None:
    r.sadd("a", "30", "10", "20")
    r.sadd("b", "20", "5")
    if not is_resp3(r):
        assert raw(r, "SUNION", "a", "b") == [b"5", b"10", b"20", b"30"]
        assert raw(r, "SDIFF", "a", "b") == [b"10", b"30"]
        assert raw(r, "SINTER", "a", "b") == [b"20"]


def test_sintercard_errors(r: redis.Redis) -> None:
    r.sadd("a", "1")
    assert error_of(r, "SINTERCARD", "0", "a") == "numkeys should be greater than 0"
    assert error_of(r, "SINTERCARD", "x", "a") == "numkeys should be greater than 0"
    assert error_of(r, "SINTERCARD", "2", "a") == "Number of keys can't be greater than number of args"
    assert error_of(r, "SINTERCARD", "1", "a", "LIMIT", "-1") == "LIMIT can't be negative"
    assert error_of(r, "SINTERCARD", "1", "a", "LIMIT") == "syntax error"
    assert error_of(r, "SINTERCARD", "1", "a", "FOO", "1") == "syntax error"


def test_store_commands(r: redis.Redis, server: MiniRedisServer) -> None:
    r.sadd("a", "1", "2", "3")
    r.sadd("b", "2", "3", "4")
    r.set("d", "string", ex=100)
    assert r.sinterstore("d", ["a", "b"]) == 2
    assert r.smembers("d") == {b"2", b"3"} and r.ttl("d") == -1
    assert r.sunionstore("d", ["a", "b"]) == 4
    assert r.sdiffstore("d", ["a", "b"]) == 1 and r.smembers("d") == {b"1"}
    assert r.sinterstore("a", ["a", "b"]) == 2 and r.smembers("a") == {b"2", b"3"}
    assert r.sinterstore("d", ["nokey", "a"]) == 0 and r.exists("d") == 0
    # The stored set is a new object: changing a source later does not change it.
    r.sunionstore("copy", ["b"])
    r.sadd("b", "new")
    assert r.smembers("copy") == {b"2", b"3", b"4"}


def test_sscan(r: redis.Redis) -> None:
    r.sadd("ints", "3", "1", "2")
    assert r.sscan("ints", 0) == (0, [b"1", b"2", b"3"])
    assert r.sscan("ints", 999, count=1) == (0, [b"1", b"2", b"3"])
    assert r.sscan("ints", 0, match="[12]") == (0, [b"1", b"2"])
    assert r.sscan("nokey", 0) == (0, [])
    assert error_of(r, "SSCAN", "ints", "0", "COUNT", "0") == "syntax error"
    assert error_of(r, "SSCAN", "ints", "abc") == "invalid cursor"


def test_sscan_hashtable_pages_and_survives_changes(r: redis.Redis) -> None:
    members = {f"m{i}" for i in range(3000)}
    r.sadd("s", *members)
    seen: set[Any] = set()
    cursor, pages = 0, 0
    while True:
        cursor, page = r.sscan("s", cursor, count=100)
        assert len(page) <= 110
        seen.update(page)
        pages += 1
        r.sadd("s", *[f"added{pages}-{i}" for i in range(50)])  # grows a lot while scanning
        r.srem("s", *page[:5])
        if cursor == 0:
            break
        assert pages < 1000
    assert pages >= 20
    assert {m.encode() for m in members} <= seen


def test_sscan_match_may_return_empty_pages(r: redis.Redis) -> None:
    r.sadd("s", *[f"m{i}" for i in range(500)])
    cursor, page = r.sscan("s", 0, match="nothing*", count=10)
    assert cursor != 0 and page == []


def test_events_and_effects(r: redis.Redis, rec: Recorder) -> None:
    r.sadd("s", "a", "b", "c")
    r.sadd("s", "a")  # nothing added: no event, not propagated
    r.srem("s", "zz")
    r.srem("s", "c")
    r.smove("s", "d", "a")
    r.smove("d", "d", "a")
    r.smove("s", "d", "b")
    assert rec.events == [
        ("sadd", b"s", "s"), ("srem", b"s", "s"), ("srem", b"s", "s"), ("sadd", b"d", "s"),
        ("srem", b"s", "s"), ("del", b"s", "g"), ("sadd", b"d", "s"),
    ]
    assert rec.effects == [
        [b"SADD", b"s", b"a", b"b", b"c"], [b"SREM", b"s", b"c"], [b"SMOVE", b"s", b"d", b"a"],
        [b"SMOVE", b"s", b"d", b"b"],
    ]


def test_spop_is_propagated_as_srem_or_del(r: redis.Redis, rec: Recorder) -> None:
    r.sadd("s", *[str(i) for i in range(10)])
    rec.clear()
    one: Any = r.spop("s")
    assert rec.effects == [[b"SREM", b"s", one]] and rec.events == [("spop", b"s", "s")]
    rec.clear()
    three: Any = r.spop("s", 3)
    assert sorted(rec.effects) == sorted([b"SREM", b"s", member] for member in three)
    rec.clear()
    r.spop("s", 0)
    assert rec.effects == [] and rec.events == []
    r.spop("s", 100)
    assert rec.effects == [[b"DEL", b"s"]]
    assert rec.events == [("spop", b"s", "s"), ("del", b"s", "g")]
    rec.clear()
    r.sadd("t", "x")
    r.spop("t")
    assert rec.effects[-1] == [b"SREM", b"t", b"x"] and rec.events[-2:] == [("spop", b"t", "s"), ("del", b"t", "g")]


def test_store_events(r: redis.Redis, rec: Recorder) -> None:
    r.sadd("a", "1")
    r.sinterstore("x", ["a"])
    r.sinterstore("x", ["nokey"])
    r.sunionstore("x", ["nokey"])  # x is already gone: no event, not propagated
    r.sdiffstore("y", ["a"])
    r.sunionstore("y", ["a"])
    assert rec.events == [
        ("sadd", b"a", "s"), ("sinterstore", b"x", "s"), ("del", b"x", "g"), ("sdiffstore", b"y", "s"),
        ("sunionstore", b"y", "s"),
    ]
    assert [effect[0] for effect in rec.effects] == [b"SADD", b"SINTERSTORE", b"SINTERSTORE", b"SDIFFSTORE",
                                                     b"SUNIONSTORE"]


def test_watch_is_broken_by_sadd(r: redis.Redis, server: MiniRedisServer) -> None:
    r.sadd("s", "1")
    other = redis.Redis(host=server.host, port=server.port)
    with r.pipeline() as pipe:
        pipe.watch("s")
        other.sadd("s", "2")
        pipe.multi()
        pipe.scard("s")
        with pytest.raises(redis.WatchError):
            pipe.execute()
    other.close()


def test_scan_page_guarantee_under_random_changes() -> None:
    """No sockets: scan_page returns every element present for the whole scan, whatever changes between calls."""
    rnd = random.Random(7)
    for _ in range(30):
        members = {b"m%d" % rnd.randrange(10_000) for _ in range(rnd.randrange(50, 400))}
        stable = set(members)
        seen: set[bytes] = set()
        cursor, calls = 0, 0
        while True:
            cursor, page = scan_page(members, cursor, rnd.choice((1, 5, 10, 50)))
            seen.update(page)
            calls += 1
            for _ in range(rnd.randrange(20)):  # additions, removals, growth and shrinkage between calls
                if rnd.random() < 0.5:
                    members.add(b"n%d" % rnd.randrange(100_000))
                elif members:
                    gone = rnd.choice(sorted(members))
                    members.discard(gone)
                    stable.discard(gone)
            if cursor == 0:
                break
            assert calls < 10_000
        assert stable <= seen


def test_parse_cursor_like_strtoul() -> None:
    assert parse_cursor(b"") == 0
    assert parse_cursor(b"+5") == 5
    assert parse_cursor(b"-1") == 2**64 - 1
    assert parse_cursor(b"-0") == 0
    assert parse_cursor(b"7\x00junk") == 7
    assert parse_cursor(b"18446744073709551615") == 2**64 - 1
    for bad in (b" 1", b"1 ", b"0x1", b"-", b"+", b"18446744073709551616", b"1.0"):
        with pytest.raises(CommandError):
            parse_cursor(bad)
