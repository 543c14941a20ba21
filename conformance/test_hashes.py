"""Hash commands against real Redis 7.0: every command, option and error, in RESP2 and RESP3.

Small hashes are listpacks in Redis, which keep insertion order, and miniredis keeps the same order,
so most replies are compared byte for byte; hashes made large (over ``hash-max-listpack-entries``
or with a value over ``hash-max-listpack-value``) are hashtables, compared with ``sorted_pairs`` /
``sorted_array``. HSCAN pages are compared with ``scan_reply`` (below). Random replies
(HRANDFIELD below the hash's size) are compared by shape and membership.

Pinned surprises: HINCRBYFLOAT reads ``0x10`` and ``1e-4940`` (a subnormal long double, printed
``0``) but refuses ``1e5000``; ``inf`` as the increment is "value is NaN or Infinity" while an
``inf`` stored in the hash gives "increment would produce NaN or Infinity"; a cursor of ``-1`` is
2**64-1 and ``""`` is 0 while `` 5`` is invalid; HSCAN on a missing key ignores bad options but a
wrong-type key is WRONGTYPE before them; HRANDFIELD checks the count's integer syntax, then the
WITHVALUES syntax, then the ±LONG_MAX/2 range of a WITHVALUES count; COUNT counts fields.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conformance import comparers
from conformance.harness import Arg, Comparer, Pair, decode_bulk, split_aggregate


def decode(raw: bytes) -> object:
    """A RESP2/RESP3 reply as Python values (bulk -> bytes, aggregates -> lists), for shape checks."""
    kind = raw[:1]
    if kind in (b"*", b"~", b"%"):
        return [decode(item) for item in split_aggregate(raw)[1]]
    if kind in (b"$", b"+"):
        return decode_bulk(raw) if not raw.startswith(b"$-1") else None
    if kind == b":":
        return int(raw[1:-2])
    if kind == b"_":
        return None
    raise AssertionError(f"unexpected reply {raw!r}")


def scan_reply(real: bytes, mini: bytes) -> bool:
    """HSCAN/SSCAN of a hashtable: Redis's page order and cursor values follow its hash table; a
    page that ends the scan (cursor 0) must hold the same elements (pairs for HSCAN), in any order."""
    real_head, (real_cursor, real_page) = split_aggregate(real)
    mini_head, (mini_cursor, mini_page) = split_aggregate(mini)
    if real_head != mini_head or real_cursor != mini_cursor:
        return False
    return comparers.sorted_array(real_page, mini_page) or comparers.sorted_pairs(real_page, mini_page)


@dataclass
class Loose:
    """A step compared with a named comparer."""

    argv: tuple[Arg, ...]
    compare: Comparer


Step = tuple[Arg, ...] | Loose

CASES: dict[str, list[Step]] = {
    "hset_hget": [
        ("HSET", "h", "f", "v"), ("HGET", "h", "f"), ("HGET", "h", "nope"), ("HGET", "nokey", "f"),
        ("HSET", "h", "f", "v2", "g", "w"), ("HSET", "h", "f", "v3"), ("HGETALL", "h"),
        ("HSET", "h", b"\x00bin\r\n", b"\xff\x00"), ("HGET", "h", b"\x00bin\r\n"), ("HSET", "h", "", ""),
        ("HGET", "h", ""), ("HSET", "h", "dup", "1", "dup", "2"), ("HGET", "h", "dup"), ("HLEN", "h"),
        ("HKEYS", "h"), ("HVALS", "h"),
    ],
    "hset_arity": [
        ("HSET", "h"), ("HSET", "h", "f"), ("HSET", "h", "f", "v", "g"), ("HMSET", "h", "f"),
        ("HMSET", "h", "f", "v", "g"), ("HSETNX", "h", "f"), ("HGET", "h"), ("HMGET", "h"), ("HDEL", "h"),
        ("HLEN",), ("HEXISTS", "h"), ("HSTRLEN", "h"), ("HINCRBY", "h", "f"), ("HINCRBYFLOAT", "h", "f"),
        ("HGETALL",), ("HKEYS",), ("HVALS",), ("HRANDFIELD",), ("HSCAN", "h"), ("EXISTS", "h"),
    ],
    "hmset_hsetnx": [
        ("HMSET", "h", "a", "1", "b", "2"), ("HGETALL", "h"), ("HSETNX", "h", "a", "9"), ("HSETNX", "h", "c", "3"),
        ("HSETNX", "n", "x", "1"), ("HGETALL", "h"), ("HGETALL", "n"),
    ],
    "hmget_hexists_hstrlen": [
        ("HSET", "h", "a", "hello", "b", ""), ("HMGET", "h", "a", "nope", "b", "a"), ("HMGET", "nokey", "a", "b"),
        ("HEXISTS", "h", "a"), ("HEXISTS", "h", "z"), ("HEXISTS", "nokey", "a"), ("HSTRLEN", "h", "a"),
        ("HSTRLEN", "h", "b"), ("HSTRLEN", "h", "z"), ("HSTRLEN", "nokey", "a"), ("HSET", "h", "n", "12345"),
        ("HSTRLEN", "h", "n"), ("HSET", "h", "neg", "-9223372036854775808"), ("HSTRLEN", "h", "neg"),
    ],
    "hdel_deletes_empty_hash": [
        ("HSET", "h", "a", "1", "b", "2", "c", "3"), ("HDEL", "h", "a", "a", "nope"), ("HDEL", "h", "zz"),
        ("HDEL", "nokey", "a"), ("HGETALL", "h"), ("HDEL", "h", "b", "c", "d"), ("EXISTS", "h"), ("HLEN", "h"),
        ("HGETALL", "h"), ("HKEYS", "h"), ("HVALS", "h"), ("TYPE", "h"),
    ],
    "empty_replies": [
        ("HGETALL", "nokey"), ("HKEYS", "nokey"), ("HVALS", "nokey"), ("HLEN", "nokey"), ("HRANDFIELD", "nokey"),
        ("HRANDFIELD", "nokey", "3"), ("HRANDFIELD", "nokey", "-3", "WITHVALUES"), ("HSCAN", "nokey", "0"),
        ("HSCAN", "nokey", "7", "COUNT", "0"), ("HSCAN", "nokey", "0", "BOGUS"),
    ],
    "wrongtype": [
        ("SET", "s", "v"), ("HSET", "s", "f", "v"), ("HMSET", "s", "f", "v"), ("HSETNX", "s", "f", "v"),
        ("HGET", "s", "f"), ("HMGET", "s", "f"), ("HDEL", "s", "f"), ("HLEN", "s"), ("HEXISTS", "s", "f"),
        ("HSTRLEN", "s", "f"), ("HKEYS", "s"), ("HVALS", "s"), ("HGETALL", "s"), ("HINCRBY", "s", "f", "1"),
        ("HINCRBYFLOAT", "s", "f", "1"), ("HRANDFIELD", "s"), ("HRANDFIELD", "s", "1"),
        ("HRANDFIELD", "s", "1", "WITHVALUES"), ("HSCAN", "s", "0"), ("HSCAN", "s", "0", "BOGUS"), ("GET", "s"),
        ("SADD", "set", "m"), ("HGET", "set", "f"), ("HSET", "set", "f", "v"),
    ],
    "wrongtype_precedence": [
        # Argument errors first: the increment, the count, the cursor are read before the key.
        ("SET", "s", "v"), ("HINCRBY", "s", "f", "x"), ("HINCRBYFLOAT", "s", "f", "abc"),
        ("HINCRBYFLOAT", "s", "f", "inf"), ("HRANDFIELD", "s", "x"), ("HRANDFIELD", "s", "1", "WITHSCORES"),
        ("HRANDFIELD", "s", "-4611686018427387904", "WITHVALUES"), ("HSCAN", "s", "x"), ("HSCAN", "s", " 1"),
    ],
    "hincrby": [
        ("HINCRBY", "h", "n", "5"), ("HINCRBY", "h", "n", "-7"), ("HGET", "h", "n"), ("HINCRBY", "h", "n", "0"),
        ("HINCRBY", "h", "n", "x"), ("HINCRBY", "h", "n", "1.5"), ("HINCRBY", "h", "n", "+1"),
        ("HINCRBY", "h", "n", " 1"), ("HINCRBY", "h", "n", "9223372036854775808"),
        ("HINCRBY", "h", "big", "9223372036854775807"), ("HINCRBY", "h", "big", "1"), ("HGET", "h", "big"),
        ("HINCRBY", "h", "small", "-9223372036854775808"), ("HINCRBY", "h", "small", "-1"),
        ("HINCRBY", "h", "small", "0"), ("HSET", "h", "s", "abc", "sp", " 12", "lz", "012", "f", "1.0"),
        ("HINCRBY", "h", "s", "1"), ("HINCRBY", "h", "sp", "1"), ("HINCRBY", "h", "lz", "1"),
        ("HINCRBY", "h", "f", "1"), ("HINCRBY", "nokey", "f", "x"), ("EXISTS", "nokey"), ("HGETALL", "h"),
    ],
    "hincrbyfloat": [
        ("HINCRBYFLOAT", "h", "f", "1.5"), ("HINCRBYFLOAT", "h", "f", "0.1"), ("HINCRBYFLOAT", "h", "f", "-1.6"),
        ("HGET", "h", "f"), ("HINCRBYFLOAT", "h", "a", "0x10"), ("HINCRBYFLOAT", "h", "b", "1e-4940"),
        ("HINCRBYFLOAT", "h", "c", ".5"), ("HINCRBYFLOAT", "h", "d", "5."), ("HINCRBYFLOAT", "h", "e", "-.5e1"),
        ("HINCRBYFLOAT", "h", "e", "0x1p-3"), ("HINCRBYFLOAT", "h", "g", "3.0e3"), ("HINCRBYFLOAT", "h", "i", "5e-3"),
        ("HINCRBYFLOAT", "h", "j", "1.23456789012345678901234567890"), ("HINCRBYFLOAT", "h", "k", "-0.0"),
        ("HINCRBYFLOAT", "h", "l", "1e-20"), ("HINCRBYFLOAT", "h", "m", "123456789012345678901234567890"),
        ("HINCRBYFLOAT", "h", "n", "1e200"), ("HINCRBYFLOAT", "h", "n", "1e200"), ("HSET", "h", "int", "10"),
        ("HINCRBYFLOAT", "h", "int", "1"), ("HINCRBY", "h", "int", "1"), ("HINCRBYFLOAT", "h", "int", "-0.5"),
        ("HINCRBY", "h", "int", "1"), ("HSET", "h", "hex", "0x1p3"), ("HINCRBYFLOAT", "h", "hex", "1"),
        ("HSET", "h", "negzero", "-0"), ("HINCRBYFLOAT", "h", "negzero", "0"),
    ],
    "hincrbyfloat_huge": [
        ("HINCRBYFLOAT", "h", "f", "1e4000"), ("HINCRBYFLOAT", "h", "f", "1e4000"), ("HSTRLEN", "h", "f"),
        ("HSET", "h", "g", "1e308"), ("HINCRBYFLOAT", "h", "g", "1e308"),
    ],
    "hincrbyfloat_errors": [
        ("HINCRBYFLOAT", "h", "f", "abc"), ("HINCRBYFLOAT", "h", "f", "nan"), ("HINCRBYFLOAT", "h", "f", "inf"),
        ("HINCRBYFLOAT", "h", "f", "-infinity"), ("HINCRBYFLOAT", "h", "f", "1e5000"),
        ("HINCRBYFLOAT", "h", "f", "1e-5000"), ("HINCRBYFLOAT", "h", "f", "1_0"), ("HINCRBYFLOAT", "h", "f", " 1"),
        ("HINCRBYFLOAT", "h", "f", "1 "), ("HINCRBYFLOAT", "h", "f", ""), ("HINCRBYFLOAT", "h", "f", "0x"),
        ("EXISTS", "h"), ("HSET", "h", "s", "abc", "sp", " 1", "inf", "inf", "huge", "1e5000"),
        ("HINCRBYFLOAT", "h", "s", "1"), ("HINCRBYFLOAT", "h", "sp", "1"), ("HINCRBYFLOAT", "h", "inf", "1"),
        ("HINCRBYFLOAT", "h", "huge", "1"), ("HSET", "h", "max", "1e4932"), ("HINCRBYFLOAT", "h", "max", "1e4932"),
        ("HGETALL", "h"),
    ],
    "hrandfield_whole_hash_and_errors": [
        ("HSET", "h", "a", "1", "b", "2", "c", "3"), ("HRANDFIELD", "h", "3"), ("HRANDFIELD", "h", "10"),
        ("HRANDFIELD", "h", "3", "WITHVALUES"), ("HRANDFIELD", "h", "9223372036854775807"),
        ("HRANDFIELD", "h", "4611686018427387903", "withvalues"), ("HRANDFIELD", "h", "0"),
        ("HRANDFIELD", "h", "0", "WITHVALUES"), ("HRANDFIELD", "h", "x"), ("HRANDFIELD", "h", "1.5"),
        ("HRANDFIELD", "h", "x", "y"), ("HRANDFIELD", "h", "1", "WITHVALUE"),
        ("HRANDFIELD", "h", "1", "WITHVALUES", "x"),
        ("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES", "x"),
        ("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"),
        ("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"),
        ("HRANDFIELD", "h", "-9223372036854775808"), ("HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES"),
        ("HRANDFIELD", "h", "9223372036854775808"), ("HSET", "one", "f", "v"), ("HRANDFIELD", "one"),
        ("HRANDFIELD", "one", "-3"), ("HRANDFIELD", "one", "-2", "WITHVALUES"), ("HRANDFIELD", "one", "1"),
    ],
    "hscan_small": [
        ("HSET", "h", "a", "1", "b", "2", "ab", "3", "xyz", "4"), ("HSCAN", "h", "0"), ("HSCAN", "h", "123"),
        ("HSCAN", "h", "0", "COUNT", "1"), ("HSCAN", "h", "0", "MATCH", "a*"), ("HSCAN", "h", "0", "match", "*"),
        ("HSCAN", "h", "0", "MATCH", "nothing"), ("HSCAN", "h", "0", "COUNT", "2", "MATCH", "?", "COUNT", "5"),
        ("HSCAN", "h", "-1"), ("HSCAN", "h", "18446744073709551615"), ("HSCAN", "h", "+5"), ("HSCAN", "h", ""),
        ("HSCAN", "h", "-0"), ("HSCAN", "h", b"3\x00junk"),
    ],
    "hscan_errors": [
        ("HSET", "h", "a", "1"), ("HSCAN", "h", "x"), ("HSCAN", "h", " 5"), ("HSCAN", "h", "5 "),
        ("HSCAN", "h", "0x10"), ("HSCAN", "h", "18446744073709551616"), ("HSCAN", "h", "-"),
        ("HSCAN", "h", "0", "COUNT", "0"), ("HSCAN", "h", "0", "COUNT", "-1"), ("HSCAN", "h", "0", "COUNT", "x"),
        ("HSCAN", "h", "0", "COUNT", "9223372036854775808"), ("HSCAN", "h", "0", "COUNT"), ("HSCAN", "h", "0", "MATCH"),
        ("HSCAN", "h", "0", "FOO", "bar"), ("HSCAN", "h", "0", "NOVALUES"), ("HSCAN", "h", "0", "TYPE", "string"),
        ("HSCAN", "h", "x", "COUNT", "0"), ("HSCAN", "h", "0", "COUNT", "0", "MATCH"),
        ("HSCAN", "h", "0", "COUNT", "9223372036854775807"),
    ],
    "hashtable_encoded": [
        # A value over hash-max-listpack-value (64) makes a hashtable: its order is Redis's own.
        ("HSET", "h", "a", "1", "b", "x" * 65, "c", "3"), ("HLEN", "h"), ("HGET", "h", "b"),
        Loose(("HGETALL", "h"), comparers.sorted_pairs), Loose(("HKEYS", "h"), comparers.sorted_array),
        Loose(("HVALS", "h"), comparers.sorted_array), Loose(("HSCAN", "h", "0"), scan_reply),
        Loose(("HRANDFIELD", "h", "5"), comparers.sorted_array), ("HDEL", "h", "a", "b", "c"), ("EXISTS", "h"),
    ],
    "nul_bytes_in_numbers": [
        ("HSET", "h", "f", b"1\x00abc", "j", b"5\x00x"), ("HINCRBYFLOAT", "h", "f", "1"),
        ("HINCRBYFLOAT", "h", "g", b"2\x00x"), ("HINCRBY", "h", "i", b"2\x00x"), ("HINCRBY", "h", "j", "1"),
        ("HSCAN", "h", "0", "COUNT", b"5\x00"), ("HRANDFIELD", "h", b"1\x00"),
    ],
    "keys_with_odd_bytes": [
        ("HSET", b"k\x00ey", "f", "v"), ("HGET", b"k\x00ey", "f"), ("HSET", "h", "f" * 64, "v" * 64),
        ("HGETALL", "h"), ("HSCAN", "h", "0"),
    ],
}


def run_case(pair: Pair, steps: list[Step]) -> None:
    keys: set[Arg] = set()
    for step in steps:
        if isinstance(step, Loose):
            pair.check(*step.argv, compare=step.compare)
            argv = step.argv
        else:
            pair.check(*step)
            argv = step
        if len(argv) > 1:
            keys.add(argv[1])
    pair.state(*sorted(keys, key=str))


@pytest.mark.parametrize("name", list(CASES))
def test_hashes(pairs: Pair, name: str) -> None:
    run_case(pairs, CASES[name])


def test_hrandfield_random_shapes(pairs: Pair) -> None:
    """Below the hash's size the choice is random: same reply shape, fields (and values) of the hash."""
    fields = {b"f%d" % i: b"v%d" % i for i in range(20)}
    pairs.check("HSET", "h", *[x for pair in fields.items() for x in pair])
    real, mini = pairs.both("HRANDFIELD", "h")
    assert real[:1] == mini[:1] == b"$" and decode(mini) in fields
    for count, distinct in (("5", True), ("-30", False)):
        real, mini = pairs.both("HRANDFIELD", "h", count)
        assert split_aggregate(real)[0] == split_aggregate(mini)[0]
        chosen = decode(mini)
        assert isinstance(chosen, list) and all(field in fields for field in chosen)
        assert len(set(chosen)) == len(chosen) or not distinct
        real, mini = pairs.both("HRANDFIELD", "h", count, "WITHVALUES")
        assert split_aggregate(real)[0] == split_aggregate(mini)[0]
        flat = decode(mini)
        assert isinstance(flat, list)
        if pairs.protocol == 3:  # RESP3 nests each [field, value] pair
            assert all(isinstance(item, list) and len(item) == 2 for item in flat)
            chosen_pairs = [tuple(item) for item in flat if isinstance(item, list)]
        else:
            chosen_pairs = list(zip(flat[0::2], flat[1::2], strict=True))
        assert all(fields[field] == value for field, value in chosen_pairs)  # type: ignore[index]
        assert len({field for field, _ in chosen_pairs}) == len(chosen_pairs) or not distinct


def test_hscan_large_hash_returns_everything(pairs: Pair) -> None:
    """A hashtable-encoded hash is scanned page by page on both servers; each full scan sees every field."""
    fields = [f"field:{i}" for i in range(1200)]
    for start in range(0, len(fields), 200):
        chunk = fields[start : start + 200]
        pairs.check("HSET", "h", *[x for f in chunk for x in (f, f[6:])])
    for count in ("10", "100", "1000"):
        for label, conn in (("real", pairs.real), ("mini", pairs.mini)):
            seen: dict[bytes, bytes] = {}
            cursor = b"0"
            for _ in range(10_000):
                raw = conn.send("HSCAN", "h", cursor, "COUNT", count)
                _, (cursor_raw, page) = split_aggregate(raw)
                cursor = cursor_raw.split(b"\r\n")[1]
                items = [item.split(b"\r\n")[1] for item in split_aggregate(page)[1]]
                seen.update(zip(items[0::2], items[1::2], strict=True))
                if cursor == b"0":
                    break
            assert cursor == b"0", label
            assert len(seen) == len(fields), (label, count)
            assert all(seen[f.encode()] == f[6:].encode() for f in fields), label
    real, mini = pairs.both("HSCAN", "h", "0", "MATCH", "nomatch*", "COUNT", "5")
    assert split_aggregate(mini)[1][1] == split_aggregate(real)[1][1] == b"*0\r\n"


def test_hash_keyspace_events(pair: Pair, pair_factory: object) -> None:
    """Events hset/hdel/hincrby/hincrbyfloat (class h) and del when the last field goes."""
    from conformance.harness import Pair as PairType

    assert callable(pair_factory)
    listener: PairType = pair_factory(2)
    if listener.mini.send("PUBSUB", "NUMPAT").startswith(b"-ERR unknown command"):
        pytest.skip("pub/sub is not served by miniredis yet")
    pair.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        listener.check("PSUBSCRIBE", "__key*__:*")
        for argv in (("HSET", "h", "a", "1"), ("HSET", "h", "a", "1"), ("HSETNX", "h", "a", "2"),
                     ("HSETNX", "h", "b", "2"), ("HMSET", "h", "c", "3"), ("HINCRBY", "h", "a", "1"),
                     ("HINCRBYFLOAT", "h", "a", "1.5"), ("HINCRBY", "h", "a", "x"), ("HDEL", "h", "zz"),
                     ("HDEL", "h", "a", "b"), ("HDEL", "h", "c"), ("HSET", "h", "x", "y")):
            pair.check(*argv)
        pair.check("PING")
        real = listener.real.read_all()
        mini = listener.mini.read_all()
        assert real == mini
        assert len(real) == 2 * 10  # keyspace + keyevent for each event: HSETNX of a present field, the
        # failed HINCRBY and HDEL of a missing field send none; the HDEL that empties the hash sends two
    finally:
        pair.check("CONFIG", "SET", "notify-keyspace-events", "")
