"""String commands through redis-py (RESP2 and RESP3): replies, errors, TTL handling, WATCH, keyspace
events and propagated effects; plus the long double and LCS helpers checked without sockets."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import redis

from miniredis.commands.strings import lcs_rows, lcs_walk
from miniredis.commands.strings_numeric import LongDouble
from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer
from tests.helpers import Recorder, error_of

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INTEGER = "value is not an integer or out of range"


def make_hash(server: MiniRedisServer, key: bytes = b"h") -> None:
    def create(srv: Server) -> None:
        srv.dbs[0].data[key] = {b"f": b"v"}

    server.call(create)


def expiry_of(server: MiniRedisServer, key: bytes) -> int | None:
    return server.call(lambda srv: srv.dbs[0].expires.get(key))


def now_ms(server: MiniRedisServer) -> int:
    return server.call(lambda srv: srv.clock.time_ms())


# --- SET and its relatives ----------------------------------------------------------------------


def test_set_and_get(r: redis.Redis) -> None:
    assert r.set("k", "v") is True
    assert r.get("k") == b"v"
    assert r.get("missing") is None


def test_set_nx_xx(r: redis.Redis) -> None:
    assert r.set("k", "1", xx=True) is None
    assert r.set("k", "1", nx=True) is True
    assert r.set("k", "2", nx=True) is None
    assert r.set("k", "3", xx=True) is True
    assert r.get("k") == b"3"


def test_set_get_option(r: redis.Redis) -> None:
    assert r.set("k", "1", get=True) is None
    assert r.set("k", "2", get=True) == b"1"
    # GET with NX (allowed since 7.0): the old value, and no write when the key exists.
    assert r.set("k", "3", nx=True, get=True) == b"2"
    assert r.get("k") == b"2"
    assert r.set("new", "x", nx=True, get=True) is None
    assert r.get("new") == b"x"
    assert r.set("absent", "x", xx=True, get=True) is None
    assert r.get("absent") is None


def test_set_get_on_wrong_type(r: redis.Redis, server: MiniRedisServer) -> None:
    make_hash(server)
    assert error_of(r, "SET", "h", "v", "GET") == WRONGTYPE
    assert error_of(r, "SET", "h", "v", "NX", "GET") == WRONGTYPE
    # Without GET the hash is simply replaced.
    assert r.set("h", "v") is True
    assert r.get("h") == b"v"


@pytest.mark.parametrize(
    "options",
    [
        ("NX", "XX"), ("XX", "NX"), ("EX", "10", "PX", "100"), ("PX", "100", "EXAT", "1"), ("KEEPTTL", "EX", "1"),
        ("EX", "1", "KEEPTTL"), ("EX",), ("PXAT",), ("FOO",), ("PERSIST",), ("GET", "EX"),
    ],
)
def test_set_syntax_errors(r: redis.Redis, options: tuple[str, ...]) -> None:
    assert error_of(r, "SET", "k", "v", *options) == "syntax error"


@pytest.mark.parametrize(
    "options",
    [("EX", "0"), ("PX", "-1"), ("EXAT", "0"), ("EX", "9223372036854776"), ("PX", "9223372036854775807"),
     ("EX", "9223372036854775")],
)
def test_set_invalid_expire(r: redis.Redis, options: tuple[str, ...]) -> None:
    assert error_of(r, "SET", "k", "v", *options) == "invalid expire time in 'set' command"


def test_set_expire_not_integer_comes_before_wrongtype(r: redis.Redis, server: MiniRedisServer) -> None:
    make_hash(server)
    assert error_of(r, "SET", "h", "v", "EX", "1.5", "GET") == NOT_INTEGER
    assert error_of(r, "SET", "h", "v", "EX", "0", "GET") == "invalid expire time in 'set' command"


def test_set_repeated_options(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.execute_command("SET", "k", "v", "EX", "10", "EX", "20", "NX", "NX") in (True, b"OK")
    when = expiry_of(server, b"k")
    assert when is not None and 19_000 < when - now_ms(server) <= 20_000


def test_set_option_cut_at_nul(r: redis.Redis) -> None:
    r.set("k", "v")
    assert r.execute_command("SET", "k", "w", b"nx\x00junk") is None


def test_set_expiry_forms(r: redis.Redis, server: MiniRedisServer) -> None:
    now = now_ms(server)
    r.set("ex", "v", ex=100)
    r.set("px", "v", px=100_000)
    r.set("exat", "v", exat=now // 1000 + 100)
    r.set("pxat", "v", pxat=now + 100_000)
    for key in (b"ex", b"px", b"exat", b"pxat"):
        when = expiry_of(server, key)
        assert when is not None and 98_000 < when - now <= 101_000, key


def test_set_drops_or_keeps_ttl(r: redis.Redis, server: MiniRedisServer) -> None:
    r.set("k", "v", ex=100)
    r.set("k", "w", keepttl=True)
    assert expiry_of(server, b"k") is not None
    r.set("k", "x", get=True)
    assert expiry_of(server, b"k") is None
    r.set("k", "v", ex=100)
    r.set("k", "y")
    assert expiry_of(server, b"k") is None


def test_set_with_past_exat_sets_a_key_that_is_already_expired(r: redis.Redis) -> None:
    assert r.set("k", "v", exat=1) is True
    assert r.get("k") is None


def test_setnx(r: redis.Redis) -> None:
    assert r.setnx("k", "1") is True
    assert r.setnx("k", "2") is False
    assert r.get("k") == b"1"


def test_setex_psetex(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.execute_command("SETEX", "a", 100, "v") in (True, b"OK")
    assert r.psetex("b", 100_000, "v") is True
    for key in (b"a", b"b"):
        when = expiry_of(server, key)
        assert when is not None and 98_000 < when - now_ms(server) <= 100_000
    assert error_of(r, "SETEX", "a", "0", "v") == "invalid expire time in 'setex' command"
    assert error_of(r, "PSETEX", "a", "-5", "v") == "invalid expire time in 'psetex' command"
    assert error_of(r, "SETEX", "a", "x", "v") == NOT_INTEGER


def test_getset_getdel(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.getset("k", "1") is None
    server.call(lambda srv: srv.dbs[0].expires.__setitem__(b"k", srv.clock.time_ms() + 100_000))
    assert r.getset("k", "2") == b"1"
    assert expiry_of(server, b"k") is None
    assert r.getdel("k") == b"2"
    assert r.get("k") is None
    assert r.getdel("k") is None
    make_hash(server)
    assert error_of(r, "GETSET", "h", "v") == WRONGTYPE
    assert error_of(r, "GETDEL", "h") == WRONGTYPE


def test_getex(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.getex("missing", ex=10) is None
    assert r.execute_command("GETEX", "missing", "EX", "notanumber") is None
    r.set("k", "v")
    assert r.getex("k") == b"v"
    assert r.getex("k", ex=100) == b"v"
    assert expiry_of(server, b"k") is not None
    assert r.getex("k", persist=True) == b"v"
    assert expiry_of(server, b"k") is None
    assert r.getex("k", pxat=now_ms(server) + 50_000) == b"v"
    assert r.getex("k", exat=1) == b"v"
    assert r.get("k") is None
    r.set("k", "v")
    assert error_of(r, "GETEX", "k", "EX", "0") == "invalid expire time in 'getex' command"
    assert error_of(r, "GETEX", "k", "PX", "x") == NOT_INTEGER
    for options in (("NX",), ("KEEPTTL",), ("GET",), ("PERSIST", "EX", "1"), ("EX", "1", "PERSIST"), ("EX",)):
        assert error_of(r, "GETEX", "k", *options) == "syntax error"
    make_hash(server)
    assert error_of(r, "GETEX", "h", "EX", "x") == WRONGTYPE


def test_mget_mset_msetnx(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.mset({"a": "1", "b": "2"}) is True
    make_hash(server)
    assert r.mget("a", "b", "h", "missing") == [b"1", b"2", None, None]
    assert error_of(r, "MSET", "a", "1", "b") == "wrong number of arguments for 'mset' command"
    assert error_of(r, "MSETNX", "a") == "wrong number of arguments for 'msetnx' command"
    assert r.msetnx({"a": "9", "c": "3"}) is False
    assert r.get("c") is None
    assert r.msetnx({"c": "3", "d": "4"}) is True
    assert r.execute_command("MSETNX", "x", "1", "x", "2") == 1
    assert r.get("x") == b"2"


def test_append_strlen(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.append("k", "") == 0
    assert server.call(lambda srv: srv.dbs[0].data.get(b"k")) == b""
    assert r.append("k", "ab") == 2
    assert r.append("k", "cd") == 4
    assert r.get("k") == b"abcd"
    assert r.strlen("k") == 4
    assert r.strlen("missing") == 0
    make_hash(server)
    assert error_of(r, "APPEND", "h", "x") == WRONGTYPE
    assert error_of(r, "STRLEN", "h") == WRONGTYPE


def test_append_keeps_ttl(r: redis.Redis, server: MiniRedisServer) -> None:
    r.set("k", "v", ex=100)
    r.append("k", "w")
    assert expiry_of(server, b"k") is not None


def test_append_limit(server: MiniRedisServer, r: redis.Redis) -> None:
    server.call(lambda srv: setattr(srv.config, "proto_max_bulk_len", 1024 * 1024))
    try:
        r.set("k", b"x" * (1024 * 1024 - 1))
        assert r.append("k", "y") == 1024 * 1024
        assert error_of(r, "APPEND", "k", "z") == "string exceeds maximum allowed size (proto-max-bulk-len)"
    finally:
        server.call(lambda srv: setattr(srv.config, "proto_max_bulk_len", 512 * 1024 * 1024))


# --- counters -----------------------------------------------------------------------------------


def test_incr_decr(r: redis.Redis) -> None:
    assert r.incr("n") == 1
    assert r.incrby("n", 10) == 11
    assert r.decr("n") == 10
    assert r.decrby("n", 15) == -5
    assert r.get("n") == b"-5"


@pytest.mark.parametrize("value", ["+1", "01", " 1", "1 ", "1.0", "", "abc", "9223372036854775808", "-0"])
def test_incr_on_a_non_integer(r: redis.Redis, value: str) -> None:
    r.set("n", value)
    assert error_of(r, "INCR", "n") == NOT_INTEGER
    assert error_of(r, "INCRBY", "k", value) == NOT_INTEGER


def test_incr_overflow(r: redis.Redis) -> None:
    r.set("n", str(2**63 - 1))
    assert error_of(r, "INCR", "n") == "increment or decrement would overflow"
    r.set("n", str(-(2**63)))
    assert error_of(r, "DECR", "n") == "increment or decrement would overflow"
    assert error_of(r, "DECRBY", "n", str(-(2**63))) == "decrement would overflow"
    assert r.incrby("n", 0) == -(2**63)


def test_incr_keeps_ttl_and_checks_type(r: redis.Redis, server: MiniRedisServer) -> None:
    r.set("n", "1", ex=100)
    r.incr("n")
    r.incrbyfloat("n", 0.5)
    assert expiry_of(server, b"n") is not None
    make_hash(server)
    assert error_of(r, "INCR", "h") == WRONGTYPE
    assert error_of(r, "INCRBYFLOAT", "h", "abc") == WRONGTYPE


@pytest.mark.parametrize(
    ("start", "increment", "expected"),
    [
        (None, "0.1", b"0.1"), ("0.1", "0.2", b"0.3"), (None, "1e20", b"100000000000000000000"),
        (None, "-0.0", b"0"), (None, "3.0e5", b"300000"), ("10.5", "0.1", b"10.6"), (None, "5.0e3", b"5000"),
        (None, "1e-20", b"0"), (None, "-1e-20", b"0"), (None, "0x10", b"16"), (None, ".5", b"0.5"),
        (None, "5.", b"5"), (None, "+1.5", b"1.5"), (None, "1.23456789012345678901234", b"1.23456789012345679"),
        (None, "123456789012345678901234567890", b"123456789012345678899921813504"),
        (None, "0.000003814697265625", b"0.00000381469726562"), ("9223372036854775807", "1", b"9223372036854775808"),
        (None, "1e-17", b"0.00000000000000001"), (None, "5e-18", b"0"), (None, "1.5e-17", b"0.00000000000000002"),
        (None, "0e99999999999", b"0"), (None, "1e-4940", b"0"), ("-1.5", "1.5", b"0"),
    ],
)
def test_incrbyfloat_formatting(r: redis.Redis, start: str | None, increment: str, expected: bytes) -> None:
    if start is not None:
        r.set("f", start)
    r.execute_command("INCRBYFLOAT", "f", increment)  # redis-py turns the reply into a float
    assert r.get("f") == expected


@pytest.mark.parametrize("increment", ["abc", "nan", "1e5000", "1e-5000", " 1", "1 ", "", "1e", "0x", "1_0", "1\x002"])
def test_incrbyfloat_not_a_float(r: redis.Redis, increment: str) -> None:
    assert error_of(r, "INCRBYFLOAT", "f", increment) == "value is not a valid float"


def test_incrbyfloat_infinity(r: redis.Redis) -> None:
    for increment in ("inf", "-inf", "infinity", "INF"):
        assert error_of(r, "INCRBYFLOAT", "f", increment) == "increment would produce NaN or Infinity"
    r.set("f", "1e4932")
    assert error_of(r, "INCRBYFLOAT", "f", "1e4932") == "increment would produce NaN or Infinity"
    r.set("f", "inf")  # an infinite stored value is read; a bad increment is still reported first
    assert error_of(r, "INCRBYFLOAT", "f", "abc") == "value is not a valid float"
    assert error_of(r, "INCRBYFLOAT", "f", "1") == "increment would produce NaN or Infinity"


def test_incrbyfloat_huge_values(r: redis.Redis) -> None:
    r.execute_command("INCRBYFLOAT", "f", "1e4000")
    raw = r.get("f")
    assert isinstance(raw, bytes) and len(raw) == 4000 and raw.startswith(b"99999999999999999999654")


# --- ranges -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(0, -1, b"Hello"), (-3, -1, b"llo"), (-1, -3, b""), (-100, -50, b"H"), (-100, 100, b"Hello"), (3, 2, b""),
     (5, 10, b""), (4, 10, b"o"), (0, -100, b"H"), (-1, -1, b"o")],
)
def test_getrange(r: redis.Redis, start: int, end: int, expected: bytes) -> None:
    r.set("s", "Hello")
    assert r.getrange("s", start, end) == expected
    assert r.execute_command("SUBSTR", "s", start, end) == expected


def test_getrange_edges(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.getrange("missing", 0, -1) == b""
    r.set("e", "")
    assert r.getrange("e", 0, -1) == b""
    assert error_of(r, "GETRANGE", "missing", "a", "1") == NOT_INTEGER
    make_hash(server)
    assert error_of(r, "GETRANGE", "h", "0", "1") == WRONGTYPE


def test_setrange(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.setrange("k", 0, "") == 0
    assert r.get("k") is None
    assert r.setrange("k", 3, "ab") == 5
    assert r.get("k") == b"\x00\x00\x00ab"
    assert r.setrange("k", 1, "") == 5
    assert r.setrange("k", 1, "xyz") == 5
    assert r.get("k") == b"\x00xyzb"
    assert r.setrange("k", 7, "!") == 8
    assert r.get("k") == b"\x00xyzb\x00\x00!"
    assert error_of(r, "SETRANGE", "k", "-1", "x") == "offset is out of range"
    assert error_of(r, "SETRANGE", "k", "x", "x") == NOT_INTEGER
    limit = "string exceeds maximum allowed size (proto-max-bulk-len)"
    assert error_of(r, "SETRANGE", "k", str(512 * 1024 * 1024), "x") == limit
    assert error_of(r, "SETRANGE", "new", str(512 * 1024 * 1024), "x") == limit
    assert r.setrange("new", 512 * 1024 * 1024, "") == 0
    make_hash(server)
    assert error_of(r, "SETRANGE", "h", "0", "x") == WRONGTYPE


# --- LCS ----------------------------------------------------------------------------------------


def test_lcs(r: redis.Redis, server: MiniRedisServer) -> None:
    r.mset({"a": "ohmytext", "b": "mynewtext"})
    assert r.execute_command("LCS", "a", "b") == b"mytext"
    assert r.execute_command("LCS", "a", "b", "LEN") == 6
    idx = r.execute_command("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")
    expected_matches = [[[4, 7], [5, 8], 4]]
    if isinstance(idx, dict):
        assert idx == {b"matches": expected_matches, b"len": 6}
    else:
        assert idx == [b"matches", expected_matches, b"len", 6]
    assert error_of(r, "LCS", "a", "b", "LEN", "IDX") == "If you want both the length and indexes, please just use IDX."
    assert error_of(r, "LCS", "a", "b", "MINMATCHLEN") == "syntax error"
    assert error_of(r, "LCS", "a", "b", "MINMATCHLEN", "x") == NOT_INTEGER
    assert r.execute_command("LCS", "missing", "other") == b""
    make_hash(server)
    assert error_of(r, "LCS", "a", "h", "FOO") == "The specified keys must contain string values"


def test_lcs_memory_limit(r: redis.Redis) -> None:
    r.mset({"a": "x" * 12000, "b": "x" * 12000})
    message = "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
    assert error_of(r, "LCS", "a", "b", "LEN") == message


def naive_lcs_table(a: bytes, b: bytes) -> list[list[int]]:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table


def test_bit_parallel_lcs_rows_match_the_quadratic_table() -> None:
    rnd = random.Random(7)
    for _ in range(200):
        a = bytes(rnd.choice(b"abc") for _ in range(rnd.randrange(0, 25)))
        b = bytes(rnd.choice(b"abc") for _ in range(rnd.randrange(0, 25)))
        table = naive_lcs_table(a, b)
        rows = lcs_rows(a, b)
        for i in range(len(a) + 1):
            for j in range(len(b) + 1):
                assert j - (rows[i] & ((1 << j) - 1)).bit_count() == table[i][j]
        common, runs = lcs_walk(a, b, rows)
        assert len(common) == table[-1][-1]
        assert sum(a_end - a_start + 1 for a_start, a_end, _, _ in runs) == len(common)
        for a_start, a_end, b_start, b_end in runs:
            assert a[a_start : a_end + 1] == b[b_start : b_end + 1]


# --- long double helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [(b"0.1", b"0.1"), (b"-2.5", b"-2.5"), (b"1e3", b"1000"), (b"0x1p-3", b"0.125"), (b"-0", b"0"),
     (b"0.30000000000000000001", b"0.3"), (b"1e30", b"1000000000000000000024696061952")],
)
def test_long_double_round_trip(text: bytes, expected: bytes) -> None:
    value = LongDouble.parse(text)
    assert value is not None
    assert value.add(LongDouble(False, 0, 0)).human() == expected


def test_long_double_refusals() -> None:
    for text in (b"", b"nan", b"1e5000", b"1e-5000", b" 1", b"1x", b"0" * 5120):
        with pytest.raises(ValueError):
            LongDouble.parse(text)
    assert LongDouble.parse(b"-Infinity") is None
    assert LongDouble.parse(b"0" * 5119) is not None


# --- WATCH, dirty, keyspace events and propagated effects ---------------------------------------


@pytest.mark.parametrize(
    "argv",
    [("SET", "w", "1", "EX", "100"), ("SETEX", "w", "100", "1"), ("GETSET", "w", "1"), ("GETDEL", "w"),
     ("GETEX", "w", "EX", "100"), ("MSET", "w", "1"), ("APPEND", "w", "x"), ("INCR", "w"), ("DECRBY", "w", "2"),
     ("INCRBYFLOAT", "w", "1.5"), ("SETRANGE", "w", "0", "9")],
)
def test_writes_break_watch(r: redis.Redis, argv: tuple[str, ...]) -> None:
    r.set("w", "5")
    other = redis.Redis(host=r.connection_pool.connection_kwargs["host"],
                        port=r.connection_pool.connection_kwargs["port"])
    try:
        with r.pipeline() as pipe:
            pipe.watch("w")
            other.execute_command(*argv)
            pipe.multi()
            pipe.get("w")
            with pytest.raises(redis.WatchError):
                pipe.execute()
    finally:
        other.close()


def test_getex_without_options_does_not_touch_watch(r: redis.Redis) -> None:
    r.set("w", "5")
    with r.pipeline() as pipe:
        pipe.watch("w")
        r.getex("w")
        r.getex("w", persist=True)  # no TTL: nothing changes
        pipe.multi()
        pipe.get("w")
        assert pipe.execute() == [b"5"]


def test_events_and_effects(r: redis.Redis, rec: Recorder, server: MiniRedisServer) -> None:
    r.set("a", "1")
    assert rec.events == [("set", b"a", "$")] and rec.effects == [[b"SET", b"a", b"1"]]
    rec.clear()
    r.set("a", "1", ex=100, get=True)
    assert rec.events == [("set", b"a", "$"), ("expire", b"a", "g")]
    (effect,) = rec.effects
    assert effect[:4] == [b"SET", b"a", b"1", b"PXAT"] and len(effect) == 5
    rec.clear()
    r.set("a", "2", nx=True)
    assert rec.events == [] and rec.effects == []
    r.execute_command("SETEX", "b", 100, "v")
    assert rec.effects[0][:4] == [b"SET", b"b", b"v", b"PXAT"]
    rec.clear()
    r.getset("b", "w")
    assert rec.events == [("set", b"b", "$")] and rec.effects == [[b"SET", b"b", b"w"]]
    rec.clear()
    r.getex("b", pxat=4_000_000_000_000)
    assert rec.events == [("expire", b"b", "g")] and rec.effects == [[b"PEXPIREAT", b"b", b"4000000000000"]]
    rec.clear()
    r.getex("b", persist=True)
    assert rec.events == [("persist", b"b", "g")] and rec.effects == [[b"PERSIST", b"b"]]
    rec.clear()
    r.getex("b", exat=1)
    assert rec.events == [("del", b"b", "g")] and rec.effects == [[b"DEL", b"b"]]
    r.set("c", "x")
    rec.clear()
    r.getdel("c")
    assert rec.events == [("del", b"c", "g")] and rec.effects == [[b"DEL", b"c"]]
    rec.clear()
    r.execute_command("INCRBYFLOAT", "f", "0.1")
    assert rec.events == [("incrbyfloat", b"f", "$")] and rec.effects == [[b"SET", b"f", b"0.1", b"KEEPTTL"]]
    rec.clear()
    r.execute_command("INCR", "n")
    r.execute_command("DECRBY", "n", 3)
    r.append("n", "0")
    r.setrange("n", 0, "1")
    assert rec.events == [("incrby", b"n", "$"), ("incrby", b"n", "$"), ("append", b"n", "$"),
                          ("setrange", b"n", "$")]
    assert rec.effects == [[b"INCR", b"n"], [b"DECRBY", b"n", b"3"], [b"APPEND", b"n", b"0"],
                           [b"SETRANGE", b"n", b"0", b"1"]]
    rec.clear()
    r.mset({"x": "1", "y": "2"})
    r.msetnx({"x": "1", "z": "2"})
    assert rec.events == [("set", b"x", "$"), ("set", b"y", "$")]
    assert rec.effects == [[b"MSET", b"x", b"1", b"y", b"2"]]
    rec.clear()
    r.getrange("x", 0, -1)
    r.strlen("x")
    r.mget("x", "y")
    r.get("x")
    r.getex("x")
    r.execute_command("LCS", "x", "y")
    r.setrange("x", 0, "")
    assert rec.events == [] and rec.effects == []


@pytest.fixture(scope="module")
def manual() -> Iterator[MiniRedisServer]:
    with MiniRedisServer(manual_clock=True) as srv:
        yield srv


def test_expiry_follows_the_clock(manual: MiniRedisServer) -> None:
    client = redis.Redis(host=manual.host, port=manual.port)
    try:
        client.set("k", "v", px=1500)
        client.execute_command("SETEX", "s", 1, "v")
        client.set("g", "v")
        client.getex("g", ex=2)
        client.set("n", "1", ex=1)
        client.incr("n")
        manual.call(lambda srv: srv.clock.advance(1.0))  # type: ignore[attr-defined]
        assert client.mget("k", "s", "g", "n") == [b"v", None, b"v", None]
        manual.call(lambda srv: srv.clock.advance(1.0))  # type: ignore[attr-defined]
        assert client.mget("k", "g") == [None, None]
        assert client.incr("n") == 1
    finally:
        client.close()
