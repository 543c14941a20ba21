"""List commands through redis-py (RESP2 and RESP3): replies, errors, emptied lists, events, effects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def call(r: redis.Redis, *argv: object) -> object:
    return r.execute_command(*argv)


def items(r: redis.Redis, key: str) -> list[bytes]:
    return r.lrange(key, 0, -1)  # type: ignore[return-value]


# --- pushes ------------------------------------------------------------------------------------------
def test_lpush_rpush_order_and_length(r: redis.Redis) -> None:
    assert r.lpush("l", "a", "b", "c") == 3
    assert r.rpush("l", "x", "y") == 5
    assert items(r, "l") == [b"c", b"b", b"a", b"x", b"y"]
    assert r.type("l") == b"list"


def test_pushx_only_existing(r: redis.Redis) -> None:
    assert r.lpushx("l", "a") == 0
    assert r.rpushx("l", "a") == 0
    assert r.exists("l") == 0
    r.rpush("l", "m")
    assert call(r, "LPUSHX", "l", "a", "b") == 3
    assert call(r, "RPUSHX", "l", "y", "z") == 5
    assert items(r, "l") == [b"b", b"a", b"m", b"y", b"z"]


@pytest.mark.parametrize("argv", [
    ("LPUSH", "s", "a"), ("RPUSH", "s", "a"), ("LPUSHX", "s", "a"), ("RPUSHX", "s", "a"), ("LPOP", "s"),
    ("RPOP", "s", "1"), ("LLEN", "s"), ("LRANGE", "s", "0", "-1"), ("LINDEX", "s", "0"), ("LSET", "s", "0", "v"),
    ("LREM", "s", "0", "a"), ("LTRIM", "s", "0", "1"), ("LINSERT", "s", "BEFORE", "a", "b"), ("LPOS", "s", "a"),
    ("LMOVE", "s", "d", "LEFT", "RIGHT"), ("RPOPLPUSH", "s", "d"), ("LMPOP", "1", "s", "LEFT"),
    ("BLPOP", "s", "0"), ("BRPOP", "nothing", "s", "0"), ("BLMOVE", "s", "d", "LEFT", "RIGHT", "0"),
    ("BRPOPLPUSH", "s", "d", "0"), ("BLMPOP", "0", "1", "s", "LEFT"),
])
def test_wrongtype(r: redis.Redis, argv: tuple[str, ...]) -> None:
    r.set("s", "string")
    with pytest.raises(redis.ResponseError, match=WRONGTYPE):
        call(r, *argv)


# --- pops --------------------------------------------------------------------------------------------
def test_pop_single_and_count(r: redis.Redis) -> None:
    r.rpush("l", "a", "b", "c", "d", "e")
    assert r.lpop("l") == b"a"
    assert r.rpop("l") == b"e"
    assert r.lpop("l", 2) == [b"b", b"c"]
    assert r.rpop("l", 10) == [b"d"]
    assert r.exists("l") == 0  # emptied lists are deleted


def test_pop_missing_key_and_count_zero(r: redis.Redis) -> None:
    assert r.lpop("nope") is None
    assert r.lpop("nope", 3) is None
    assert r.rpop("nope", 0) is None
    r.rpush("l", "a")
    assert r.lpop("l", 0) == []
    assert items(r, "l") == [b"a"]


@pytest.mark.parametrize("count", ["-1", "x", "1.5"])
def test_pop_count_errors(r: redis.Redis, count: str) -> None:
    r.rpush("l", "a")
    with pytest.raises(redis.ResponseError, match="value is out of range, must be positive"):
        call(r, "LPOP", "l", count)


def test_pop_too_many_arguments(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'rpop' command"):
        call(r, "RPOP", "l", "1", "2")


# --- reads -------------------------------------------------------------------------------------------
def test_llen_lindex(r: redis.Redis) -> None:
    assert r.llen("l") == 0
    r.rpush("l", "a", "b", "c")
    assert r.llen("l") == 3
    assert r.lindex("l", 0) == b"a"
    assert r.lindex("l", -1) == b"c"
    assert r.lindex("l", 3) is None
    assert r.lindex("l", -4) is None
    assert call(r, "LINDEX", "nope", "x") is None  # the key is looked up before the index is parsed
    with pytest.raises(redis.ResponseError, match="value is not an integer or out of range"):
        call(r, "LINDEX", "l", "x")


@pytest.mark.parametrize(("start", "end", "expected"), [
    (0, -1, "abcde"), (1, 3, "bcd"), (-2, -1, "de"), (-100, 1, "ab"), (3, 100, "de"), (4, 2, ""), (5, 10, ""),
    (-1, -3, ""), (0, 0, "a"), (-5, -5, "a"), (2, -2, "cd"),
])
def test_lrange(r: redis.Redis, start: int, end: int, expected: str) -> None:
    r.rpush("l", *"abcde")
    assert r.lrange("l", start, end) == [c.encode() for c in expected]


def test_lrange_errors_before_key(r: redis.Redis) -> None:
    r.set("s", "v")
    with pytest.raises(redis.ResponseError, match="not an integer"):
        call(r, "LRANGE", "s", "x", "1")
    assert r.lrange("nope", 0, -1) == []


def test_lrange_large_list_from_either_end(r: redis.Redis) -> None:
    values = [str(i).encode() for i in range(1000)]
    r.rpush("l", *values)
    assert r.lrange("l", 990, -1) == values[990:]
    assert r.lrange("l", -995, -990) == values[5:11]
    assert r.lrange("l", 3, 7) == values[3:8]


def test_lpos(r: redis.Redis) -> None:
    r.rpush("l", "a", "b", "c", "a", "b", "a")
    assert r.lpos("l", "a") == 0
    assert r.lpos("l", "a", rank=2) == 3
    assert r.lpos("l", "a", rank=-1) == 5
    assert r.lpos("l", "a", rank=-2) == 3
    assert r.lpos("l", "a", count=0) == [0, 3, 5]
    assert r.lpos("l", "a", count=2, rank=-1) == [5, 3]
    assert r.lpos("l", "a", count=0, maxlen=4) == [0, 3]
    assert r.lpos("l", "a", rank=2, maxlen=3) is None
    assert r.lpos("l", "z") is None
    assert r.lpos("l", "z", count=1) == []
    assert r.lpos("nope", "a") is None
    assert r.lpos("nope", "a", count=1) == []
    assert call(r, "LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "1") == [5, 3, 0]


@pytest.mark.parametrize(("options", "message"), [
    (("RANK", "0"), "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
                    "negative to start from the end of the list"),
    (("RANK", "x"), "value is not an integer or out of range"),
    (("COUNT", "-1"), "COUNT can't be negative"),
    (("COUNT", "x"), "COUNT can't be negative"),
    (("MAXLEN", "-1"), "MAXLEN can't be negative"),
    (("COUNT",), "syntax error"),
    (("FOO", "1"), "syntax error"),
])
def test_lpos_errors(r: redis.Redis, options: tuple[str, ...], message: str) -> None:
    with pytest.raises(redis.ResponseError) as failure:
        call(r, "LPOS", "nope", "a", *options)
    assert str(failure.value) == message


# --- in-place writes ---------------------------------------------------------------------------------
def test_lset(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="^no such key$"):
        r.lset("nope", 0, "v")
    r.rpush("l", "a", "b")
    assert r.lset("l", -1, "z") is True
    assert items(r, "l") == [b"a", b"z"]
    with pytest.raises(redis.ResponseError, match="^index out of range$"):
        r.lset("l", 2, "v")
    with pytest.raises(redis.ResponseError, match="not an integer"):
        call(r, "LSET", "l", "x", "v")


def test_linsert(r: redis.Redis) -> None:
    assert r.linsert("nope", "BEFORE", "a", "b") == 0
    r.rpush("l", "a", "c", "a")
    assert r.linsert("l", "BEFORE", "c", "b") == 4
    assert r.linsert("l", "after", "a", "x") == 5  # the first pivot from the head
    assert r.linsert("l", "BEFORE", "zz", "y") == -1
    assert items(r, "l") == [b"a", b"x", b"b", b"c", b"a"]
    with pytest.raises(redis.ResponseError, match="syntax error"):
        call(r, "LINSERT", "l", "MIDDLE", "a", "b")


@pytest.mark.parametrize(("count", "removed", "left"), [
    (0, 3, "bcd"), (2, 2, "bcda"), (-2, 2, "abcd"), (-1, 1, "abacd"), (10, 3, "bcd"), (-10, 3, "bcd"),
])
def test_lrem(r: redis.Redis, count: int, removed: int, left: str) -> None:
    r.rpush("l", *"abacda")
    assert r.lrem("l", count, "a") == removed
    assert items(r, "l") == [c.encode() for c in left]


def test_lrem_empties_and_missing(r: redis.Redis) -> None:
    assert r.lrem("nope", 0, "a") == 0
    r.rpush("l", "a", "a")
    assert r.lrem("l", 0, "a") == 2
    assert r.exists("l") == 0
    with pytest.raises(redis.ResponseError, match="not an integer"):
        call(r, "LREM", "nope", "x", "a")


@pytest.mark.parametrize(("start", "end", "left"), [
    (0, -1, "abcdef"), (1, -2, "bcde"), (2, 2, "c"), (-2, -1, "ef"), (0, 0, "a"), (-100, 100, "abcdef"),
    (4, 1, ""), (10, 20, ""), (0, 3, "abcd"), (3, -1, "def"),
])
def test_ltrim(r: redis.Redis, start: int, end: int, left: str) -> None:
    r.rpush("l", *"abcdef")
    assert r.ltrim("l", start, end) is True
    assert items(r, "l") == [c.encode() for c in left]
    assert r.exists("l") == (1 if left else 0)


def test_ltrim_keeps_ttl(r: redis.Redis) -> None:
    r.rpush("l", "a", "b", "c")
    r.expire("l", 100)
    r.ltrim("l", 0, 0)
    assert 0 < r.ttl("l") <= 100  # type: ignore[operator]


# --- moves -------------------------------------------------------------------------------------------
def test_lmove_directions(r: redis.Redis) -> None:
    r.rpush("src", "a", "b", "c")
    assert r.lmove("src", "dst", "LEFT", "RIGHT") == b"a"
    assert r.lmove("src", "dst", "RIGHT", "LEFT") == b"c"
    assert items(r, "dst") == [b"c", b"a"]
    assert r.rpoplpush("src", "dst") == b"b"
    assert r.exists("src") == 0
    assert items(r, "dst") == [b"b", b"c", b"a"]
    assert r.lmove("nope", "dst", "LEFT", "LEFT") is None
    assert r.rpoplpush("nope", "dst") is None


def test_lmove_same_key_rotates(r: redis.Redis) -> None:
    r.rpush("l", "a", "b", "c")
    assert r.lmove("l", "l", "LEFT", "RIGHT") == b"a"
    assert items(r, "l") == [b"b", b"c", b"a"]
    assert r.rpoplpush("l", "l") == b"a"
    assert items(r, "l") == [b"a", b"b", b"c"]
    r.delete("l")
    r.rpush("l", "only")
    assert r.lmove("l", "l", "RIGHT", "LEFT") == b"only"
    assert items(r, "l") == [b"only"]


def test_lmove_wrong_destination_changes_nothing(r: redis.Redis) -> None:
    r.rpush("l", "a")
    r.set("s", "v")
    with pytest.raises(redis.ResponseError, match=WRONGTYPE):
        r.lmove("l", "s", "LEFT", "RIGHT")
    assert items(r, "l") == [b"a"]
    assert r.lmove("nope", "s", "LEFT", "RIGHT") is None  # a missing source is checked first


def test_lmove_syntax(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="syntax error"):
        call(r, "LMOVE", "a", "b", "UP", "LEFT")


def test_lmpop(r: redis.Redis) -> None:
    r.rpush("b", "1", "2", "3")
    assert call(r, "LMPOP", "2", "a", "b", "LEFT") == [b"b", [b"1"]]
    assert call(r, "LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5") == [b"b", [b"3", b"2"]]
    assert r.exists("b") == 0
    assert call(r, "LMPOP", "2", "a", "b", "LEFT") is None


@pytest.mark.parametrize(("argv", "message"), [
    (("0", "a", "LEFT"), "numkeys should be greater than 0"),
    (("-1", "a", "LEFT"), "numkeys should be greater than 0"),
    (("x", "a", "LEFT"), "numkeys should be greater than 0"),
    (("3", "a", "LEFT"), "syntax error"),
    (("2", "a", "b"), "syntax error"),
    (("1", "a", "MIDDLE"), "syntax error"),
    (("1", "a", "LEFT", "COUNT", "0"), "count should be greater than 0"),
    (("1", "a", "LEFT", "COUNT", "x"), "count should be greater than 0"),
    (("1", "a", "LEFT", "COUNT"), "syntax error"),
    (("1", "a", "LEFT", "COUNT", "1", "COUNT", "2"), "syntax error"),
    (("1", "a", "LEFT", "FOO"), "syntax error"),
])
def test_lmpop_errors(r: redis.Redis, argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(redis.ResponseError) as failure:
        call(r, "LMPOP", *argv)
    assert str(failure.value) == message


def test_lmpop_takes_first_list_before_a_wrong_type(r: redis.Redis) -> None:
    r.rpush("l", "x")
    r.set("s", "v")
    assert call(r, "LMPOP", "2", "l", "s", "LEFT") == [b"l", [b"x"]]
    with pytest.raises(redis.ResponseError, match=WRONGTYPE):
        call(r, "LMPOP", "2", "nope", "s", "LEFT")


# --- non-blocking uses of the blocking commands ------------------------------------------------------
def test_blocking_commands_served_at_once(r: redis.Redis) -> None:
    r.rpush("l", "a", "b", "c", "d", "e")
    assert r.blpop(["nope", "l"], 0) in ([b"l", b"a"], (b"l", b"a"))
    assert r.brpop(["l"], 0) in ([b"l", b"e"], (b"l", b"e"))
    assert r.blmove("l", "d", 0, "LEFT", "LEFT") == b"b"
    assert r.brpoplpush("l", "d", 0) == b"d"
    assert call(r, "BLMPOP", "0", "1", "l", "LEFT", "COUNT", "9") == [b"l", [b"c"]]
    assert items(r, "d") == [b"d", b"b"]


def test_blocking_commands_inside_multi(r: redis.Redis) -> None:
    pipe = r.pipeline(transaction=True)
    pipe.blpop(["l"], 0)
    pipe.brpop(["l"], 0)
    pipe.brpoplpush("l", "d", 0)
    pipe.blmove("l", "d", 0, "LEFT", "RIGHT")
    pipe.execute_command("BLMPOP", "0", "1", "l", "LEFT")
    assert pipe.execute() == [None, None, None, None, None]


# --- keyspace events and effects ---------------------------------------------------------------------
@pytest.fixture
def recorded(server: MiniRedisServer) -> Iterator[list[tuple[str, bytes, str]]]:
    """Keyspace events and propagated effects recorded on the server (no pub/sub client needed)."""
    log: list[tuple[str, bytes, str]] = []
    admin = redis.Redis(host=server.host, port=server.port)
    admin.config_set("notify-keyspace-events", "KEA")

    def notify(db: object, event: str, key: bytes, kind: str) -> None:
        if kind != "n":  # "new" (key created) is outside KEA, as in Redis
            log.append((event, key, kind))

    def propagate_command(client: object, argv: list[bytes], effects: list[list[bytes]] | None) -> None:
        for effect in effects if effects is not None else [argv]:
            log.append(("effect", b" ".join(effect), ""))

    def install(srv: Server) -> bool:
        srv.notify = notify
        srv.propagate_command = propagate_command
        propagating = srv.propagating
        srv.propagating = True
        return propagating

    def restore(srv: Server) -> None:
        srv.notify = srv.publish_event
        srv.propagate_command = srv.feed_command
        srv.propagating = propagating

    propagating = server.call(install)
    yield log
    server.call(restore)
    admin.config_set("notify-keyspace-events", "")
    admin.close()


def test_events_and_effects(r: redis.Redis, recorded: list[tuple[str, bytes, str]]) -> None:
    r.rpush("k", "a", "b")
    r.lmove("k", "d", "LEFT", "RIGHT")
    r.rpoplpush("k", "k")
    r.linsert("d", "BEFORE", "a", "z")
    r.lset("d", 0, "q")
    r.lrem("d", 0, "q")
    r.lrem("d", 0, "nothing")
    r.ltrim("d", 0, -1)
    r.ltrim("d", 1, 0)
    r.blpop(["k"], 0)
    call(r, "LMPOP", "2", "nope", "k", "RIGHT", "COUNT", "3")
    assert recorded == [
        ("rpush", b"k", "l"), ("effect", b"RPUSH k a b", ""),
        ("rpush", b"d", "l"), ("lpop", b"k", "l"), ("effect", b"LMOVE k d LEFT RIGHT", ""),
        ("lpush", b"k", "l"), ("rpop", b"k", "l"), ("effect", b"RPOPLPUSH k k", ""),
        ("linsert", b"d", "l"), ("effect", b"LINSERT d BEFORE a z", ""),
        ("lset", b"d", "l"), ("effect", b"LSET d 0 q", ""),
        ("lrem", b"d", "l"), ("effect", b"LREM d 0 q", ""),
        ("ltrim", b"d", "l"),  # nothing trimmed: an event, no effect
        ("ltrim", b"d", "l"), ("del", b"d", "g"), ("effect", b"LTRIM d 1 0", ""),
        ("lpop", b"k", "l"), ("del", b"k", "g"), ("effect", b"LPOP k", ""),
    ]
    recorded.clear()
    r.rpush("k", "a", "b", "c")
    call(r, "LMPOP", "1", "k", "RIGHT", "COUNT", "2")
    r.blmove("k", "d", 0, "LEFT", "RIGHT")
    r.rpush("k", "x")
    r.brpoplpush("k", "d", 0)
    call(r, "BLMPOP", "0", "1", "d", "LEFT", "COUNT", "10")
    assert [entry for entry in recorded if entry[0] == "effect"] == [
        ("effect", b"RPUSH k a b c", ""), ("effect", b"RPOP k 2", ""), ("effect", b"LMOVE k d LEFT RIGHT", ""),
        ("effect", b"RPUSH k x", ""), ("effect", b"RPOPLPUSH k d", ""), ("effect", b"LPOP d 2", ""),
    ]


def test_dirty_counts_elements(r: redis.Redis, server: MiniRedisServer) -> None:
    def dirty() -> int:
        return server.call(lambda s: s.dirty)

    before = dirty()
    r.rpush("l", "a", "b", "c", "d")
    r.lpop("l", 0)
    r.ltrim("l", 0, -1)
    r.lrem("l", 0, "zz")
    assert dirty() - before == 4
    r.ltrim("l", 1, 1)
    assert dirty() - before == 7
