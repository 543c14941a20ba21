"""Set commands against real Redis 7.0: every command, option and error, in RESP2 and RESP3.

Redis 7.0 keeps a small set of integers as an intset, walked in numeric order, and miniredis
replies in that order too, so integer sets are compared byte for byte. Any other set is a
hashtable whose order is Redis's own: those replies use ``sorted_array`` (and ``scan_reply`` for
SSCAN pages). Random replies (SPOP / SRANDMEMBER below the set's size) are compared by shape and
membership, and the popped state is checked on miniredis alone.

Pinned surprises: SPOP's count error is "value is out of range, must be positive" even for a
non-integer; SPOP's ``count 0`` comes after WRONGTYPE; SRANDMEMBER refuses only LLONG_MIN
(-LONG_MAX..LONG_MAX); SMOVE from a missing key answers 0 without type-checking the destination,
and SMOVE of a member onto its own set answers 1 without writing; SINTER, SUNION and SDIFF
type-check every key even after a missing one; SINTERCARD folds every numkeys parse failure into
"numkeys should be greater than 0" and every LIMIT failure into "LIMIT can't be negative", and a
repeated LIMIT takes the last; STORE with an empty result deletes the destination (any type).
"""

from __future__ import annotations

import pytest

from conformance import comparers
from conformance.harness import Pair, split_aggregate
from conformance.test_hashes import Loose, Step, decode, run_case, scan_reply

S = comparers.sorted_array

CASES: dict[str, list[Step]] = {
    "sadd_srem_integers": [
        ("SADD", "s", "5", "3", "-1", "10", "3"), ("SMEMBERS", "s"), ("SCARD", "s"), ("SADD", "s", "3"),
        ("SADD", "s", "-9223372036854775808", "9223372036854775807"), ("SMEMBERS", "s"), ("SREM", "s", "3", "3", "99"),
        ("SREM", "nokey", "1"), ("SMEMBERS", "s"), ("SISMEMBER", "s", "5"), ("SISMEMBER", "s", "3"),
        ("SISMEMBER", "nokey", "5"), ("SMISMEMBER", "s", "5", "3", "10"), ("SMISMEMBER", "nokey", "a", "b"),
        ("SREM", "s", "5", "-1", "10", "-9223372036854775808", "9223372036854775807"), ("EXISTS", "s"),
        ("SMEMBERS", "s"), ("SCARD", "s"),
    ],
    "not_intsets": [
        # Leading zeros, "-0" and values past 64 bits are strings: a hashtable, any order.
        ("SADD", "a", "01", "1"), Loose(("SMEMBERS", "a"), S), ("SADD", "b", "-0", "0"), Loose(("SMEMBERS", "b"), S),
        ("SADD", "c", "9223372036854775808", "1"), Loose(("SMEMBERS", "c"), S), ("SADD", "d", "x", "y", "z"),
        Loose(("SMEMBERS", "d"), S), ("SADD", "e", b"\x00", b"\r\n", ""), Loose(("SMEMBERS", "e"), S),
        ("SISMEMBER", "e", ""), ("SMISMEMBER", "e", b"\x00", "x"),
    ],
    "empty_replies": [
        ("SMEMBERS", "nokey"), ("SCARD", "nokey"), ("SPOP", "nokey"), ("SPOP", "nokey", "3"), ("SPOP", "nokey", "0"),
        ("SRANDMEMBER", "nokey"), ("SRANDMEMBER", "nokey", "5"), ("SRANDMEMBER", "nokey", "-5"),
        ("SINTER", "nokey"), ("SUNION", "nokey"), ("SDIFF", "nokey"), ("SINTERCARD", "1", "nokey"),
        ("SSCAN", "nokey", "0"), ("SSCAN", "nokey", "0", "BOGUS"), ("SMOVE", "nokey", "other", "m"),
    ],
    "arity": [
        ("SADD", "s"), ("SREM", "s"), ("SMEMBERS",), ("SISMEMBER", "s"), ("SMISMEMBER", "s"), ("SCARD",),
        ("SPOP",), ("SRANDMEMBER",), ("SMOVE", "a", "b"), ("SINTER",), ("SINTERSTORE", "d"), ("SINTERCARD", "1"),
        ("SUNION",), ("SUNIONSTORE", "d"), ("SDIFF",), ("SDIFFSTORE", "d"), ("SSCAN", "s"),
    ],
    "wrongtype": [
        ("SET", "str", "v"), ("SADD", "str", "a"), ("SREM", "str", "a"), ("SMEMBERS", "str"), ("SISMEMBER", "str", "a"),
        ("SMISMEMBER", "str", "a"), ("SCARD", "str"), ("SPOP", "str"), ("SPOP", "str", "1"), ("SPOP", "str", "0"),
        ("SRANDMEMBER", "str"), ("SRANDMEMBER", "str", "1"), ("SSCAN", "str", "0"), ("SSCAN", "str", "0", "FOO"),
        ("SADD", "s", "1", "2"), ("SINTER", "s", "str"), ("SINTER", "nokey", "str"), ("SINTER", "str", "nokey"),
        ("SUNION", "s", "str"), ("SUNION", "nokey", "str"), ("SDIFF", "s", "str"), ("SDIFF", "nokey", "str"),
        ("SDIFF", "str", "s"), ("SINTERSTORE", "d", "s", "str"), ("SINTERSTORE", "d", "nokey", "str"),
        ("SUNIONSTORE", "d", "s", "str"), ("SDIFFSTORE", "d", "nokey", "str"), ("SINTERCARD", "1", "str"),
        ("SINTERCARD", "2", "nokey", "str"), ("SINTERCARD", "2", "s", "str"), ("EXISTS", "d"), ("GET", "str"),
        ("HSET", "h", "f", "v"), ("SADD", "h", "x"), ("SMEMBERS", "h"),
    ],
    "argument_errors_before_wrongtype": [
        ("SET", "str", "v"), ("SPOP", "str", "x"), ("SPOP", "str", "-1"), ("SPOP", "str", "1", "2"),
        ("SRANDMEMBER", "str", "x"), ("SRANDMEMBER", "str", "1", "2"), ("SRANDMEMBER", "str", "-9223372036854775808"),
        ("SSCAN", "str", "x"), ("SINTERCARD", "1", "str", "LIMIT", "-1"), ("SINTERCARD", "1", "str", "FOO"),
        ("SINTERCARD", "0", "str"),
    ],
    "spop_deterministic": [
        ("SADD", "one", "m"), ("SPOP", "one"), ("EXISTS", "one"), ("SADD", "s", "3", "1", "2"), ("SPOP", "s", "0"),
        ("SPOP", "s", "3"), ("EXISTS", "s"), ("SADD", "t", "7", "5"), ("SPOP", "t", "100"), ("SCARD", "t"),
        ("SADD", "u", "x"), ("SPOP", "u", "1"), ("SPOP", "u", "x"), ("SPOP", "u", "-1"), ("SPOP", "u", "1.5"),
        ("SPOP", "u", "9223372036854775808"), ("SPOP", "u", "1", "2"),
    ],
    "srandmember_deterministic": [
        ("SADD", "s", "30", "10", "20"), ("SRANDMEMBER", "s", "3"), ("SRANDMEMBER", "s", "9223372036854775807"),
        ("SRANDMEMBER", "s", "0"), ("SRANDMEMBER", "s", "x"), ("SRANDMEMBER", "s", "1", "2"),
        ("SRANDMEMBER", "s", "-9223372036854775808"), ("SRANDMEMBER", "s", "9223372036854775808"),
        ("SADD", "one", "m"), ("SRANDMEMBER", "one"), ("SRANDMEMBER", "one", "-3"), ("SRANDMEMBER", "one", "1"),
        ("SCARD", "s"),
    ],
    "smove": [
        ("SADD", "a", "1", "2"), ("SADD", "b", "3"), ("SMOVE", "a", "b", "1"), ("SMEMBERS", "a"), ("SMEMBERS", "b"),
        ("SMOVE", "a", "b", "9"), ("SMOVE", "a", "a", "2"), ("SMOVE", "a", "a", "9"), ("SMOVE", "a", "new", "2"),
        ("EXISTS", "a"), ("SMEMBERS", "new"), ("SADD", "a", "3"), ("SMOVE", "a", "b", "3"), ("EXISTS", "a"),
        ("SMEMBERS", "b"), ("SET", "str", "v"), ("SMOVE", "b", "str", "1"), ("SMOVE", "str", "b", "1"),
        ("SMOVE", "nokey", "str", "1"), ("SMOVE", "str", "str", "1"), ("SMOVE", "b", "nokey", "nothere"),
        ("EXISTS", "nokey"), ("SMEMBERS", "b"),
    ],
    "algebra_integers": [
        ("SADD", "a", "5", "3", "-1", "10"), ("SADD", "b", "3", "4", "5", "100"), ("SADD", "c", "5"),
        ("SINTER", "a", "b"), ("SINTER", "a", "b", "c"), ("SINTER", "a"), ("SINTER", "a", "nokey"),
        ("SUNION", "a", "b"), ("SUNION", "a", "nokey", "c"), ("SDIFF", "a", "b"), ("SDIFF", "a", "nokey"),
        ("SDIFF", "a", "a"), ("SDIFF", "nokey", "a"), ("SINTERCARD", "2", "a", "b"),
        ("SINTERCARD", "3", "a", "b", "c"), ("SINTERCARD", "2", "a", "nokey"), ("SINTERCARD", "1", "a", "LIMIT", "2"),
        ("SINTERCARD", "1", "a", "limit", "0"),
        ("SINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "100"),
    ],
    "algebra_strings": [
        ("SADD", "a", "x", "y", "z", "1"), ("SADD", "b", "y", "z", "w"), Loose(("SINTER", "a", "b"), S),
        Loose(("SUNION", "a", "b"), S), Loose(("SDIFF", "a", "b"), S), Loose(("SDIFF", "b", "a"), S),
        ("SINTERCARD", "2", "a", "b"), Loose(("SINTER", "a", "a"), S),
    ],
    "store": [
        ("SADD", "a", "1", "2", "3"), ("SADD", "b", "2", "3", "4"), ("SINTERSTORE", "d", "a", "b"), ("SMEMBERS", "d"),
        ("SUNIONSTORE", "d", "a", "b"), ("SMEMBERS", "d"), ("SDIFFSTORE", "d", "a", "b"), ("SMEMBERS", "d"),
        ("SINTERSTORE", "a", "a", "b"), ("SMEMBERS", "a"), ("SUNIONSTORE", "d", "d"), ("SMEMBERS", "d"),
        ("SINTERSTORE", "d", "nokey", "a"), ("EXISTS", "d"), ("SINTERSTORE", "d", "nokey"), ("EXISTS", "d"),
        ("SUNIONSTORE", "d", "nokey"), ("SDIFFSTORE", "d", "nokey"), ("SDIFFSTORE", "d", "a", "a"), ("EXISTS", "d"),
        ("SET", "str", "v"), ("SINTERSTORE", "str", "a", "b"), ("TYPE", "str"), ("SMEMBERS", "str"),
        ("SET", "str", "v"), ("SUNIONSTORE", "str", "nokey"), ("EXISTS", "str"), ("HSET", "h", "f", "v"),
        ("SDIFFSTORE", "h", "a"), ("TYPE", "h"),
    ],
    "store_drops_ttl": [
        ("SADD", "a", "1"), ("SET", "d", "v", "EX", "1000"), ("SUNIONSTORE", "d", "a"), ("TTL", "d"),
        ("SADD", "e", "9"), ("EXPIRE", "e", "1000"), ("SADD", "e", "10"), ("TTL", "e"),
    ],
    "sintercard_errors": [
        ("SADD", "a", "1"), ("SINTERCARD", "0", "a"), ("SINTERCARD", "-1", "a"), ("SINTERCARD", "x", "a"),
        ("SINTERCARD", "9223372036854775808", "a"), ("SINTERCARD", "2", "a"), ("SINTERCARD", "3", "a"),
        ("SINTERCARD", "9223372036854775807", "a"), ("SINTERCARD", "1", "a", "LIMIT"),
        ("SINTERCARD", "1", "a", "LIMIT", "-1"), ("SINTERCARD", "1", "a", "LIMIT", "x"),
        ("SINTERCARD", "1", "a", "LIMIT", "9223372036854775808"), ("SINTERCARD", "1", "a", "FOO"),
        ("SINTERCARD", "1", "a", "LIMIT", "1", "FOO"), ("SINTERCARD", "01", "a"),
        ("SINTERCARD", "1", "a", "LIMIT", "01"),
    ],
    "nul_bytes_in_numbers": [
        ("SADD", "s", "1", b"1\x00"), Loose(("SMEMBERS", "s"), S), ("SPOP", "s", b"1\x00"),
        ("SRANDMEMBER", "s", b"1\x00"), ("SINTERCARD", b"1\x00", "s"), ("SINTERCARD", "1", "s", "LIMIT", b"1\x00"),
        ("SSCAN", "s", "0", "COUNT", b"1\x00"),
    ],
    "sscan_intset": [
        ("SADD", "s", "30", "-2", "10", "20"), ("SSCAN", "s", "0"), ("SSCAN", "s", "99", "COUNT", "1"),
        ("SSCAN", "s", "0", "MATCH", "*0"), ("SSCAN", "s", "0", "MATCH", "[12]*"), ("SSCAN", "s", "-1"),
        ("SSCAN", "s", "0", "COUNT", "0"), ("SSCAN", "s", "0", "COUNT", "x"), ("SSCAN", "s", "0", "MATCH"),
        ("SSCAN", "s", "0", "NOVALUES"), ("SSCAN", "s", " 0"), ("SSCAN", "s", "0", "TYPE", "set"),
    ],
    "sscan_small_hashtable": [
        # Fewer members than COUNT: one page with cursor 0 on both servers.
        ("SADD", "s", "a", "b", "c", "dd"), Loose(("SSCAN", "s", "0"), scan_reply),
        Loose(("SSCAN", "s", "0", "MATCH", "?"), scan_reply), Loose(("SSCAN", "s", "0", "COUNT", "100"), scan_reply),
    ],
}


@pytest.mark.parametrize("name", list(CASES))
def test_sets(pairs: Pair, name: str) -> None:
    run_case(pairs, CASES[name])


def _members(pair: Pair, key: str) -> set[bytes]:
    value = decode(pair.mini.send("SMEMBERS", key))
    assert isinstance(value, list)
    return {item for item in value if isinstance(item, bytes)}


def test_spop_random(pairs: Pair) -> None:
    """Below the set's size SPOP is random: same shape on both, the popped members leave the set."""
    members = {b"m%d" % i for i in range(30)}
    pairs.check("SADD", "s", *sorted(members))
    real, mini = pairs.both("SPOP", "s")
    assert real[:1] == mini[:1] == b"$"
    popped = decode(mini)
    assert popped in members and popped not in _members(pairs, "s")
    real, mini = pairs.both("SPOP", "s", "5")
    assert split_aggregate(real)[0] == split_aggregate(mini)[0]  # ~5 in RESP3, *5 in RESP2
    popped_many = decode(mini)
    assert isinstance(popped_many, list) and len(set(popped_many)) == 5
    left = _members(pairs, "s")
    assert len(left) == 24 and not left & set(popped_many) and left <= members  # type: ignore[arg-type]
    pairs.check("SCARD", "s")


def test_srandmember_random(pairs: Pair) -> None:
    members = {b"m%d" % i for i in range(30)}
    pairs.check("SADD", "s", *sorted(members))
    real, mini = pairs.both("SRANDMEMBER", "s")
    assert real[:1] == mini[:1] == b"$" and decode(mini) in members
    for count, distinct in (("5", True), ("-50", False)):
        real, mini = pairs.both("SRANDMEMBER", "s", count)
        assert split_aggregate(real)[0] == split_aggregate(mini)[0]
        chosen = decode(mini)
        assert isinstance(chosen, list) and set(chosen) <= members  # type: ignore[arg-type]
        assert len(set(chosen)) == len(chosen) or not distinct  # type: ignore[arg-type]
    pairs.check("SCARD", "s")


def test_sscan_large_set_returns_everything(pairs: Pair) -> None:
    """Hashtable sets are scanned page by page; each full scan sees every member, on both servers."""
    members = [f"member:{i}" for i in range(1500)] + [str(i) for i in range(600)]
    for start in range(0, len(members), 300):
        pairs.check("SADD", "s", *members[start : start + 300])
    pairs.check("SADD", "ints", *range(600))  # over set-max-intset-entries: a hashtable too
    for key, expected in (("s", set(members)), ("ints", {str(i) for i in range(600)})):
        for count in ("7", "500"):
            for label, conn in (("real", pairs.real), ("mini", pairs.mini)):
                seen: set[bytes] = set()
                cursor = b"0"
                for _ in range(10_000):
                    page = decode(conn.send("SSCAN", key, cursor, "COUNT", count))
                    assert isinstance(page, list)
                    cursor_value, items = page
                    assert isinstance(cursor_value, bytes) and isinstance(items, list)
                    cursor = cursor_value
                    seen.update(item for item in items if isinstance(item, bytes))
                    if cursor == b"0":
                        break
                assert cursor == b"0", label
                assert seen == {m.encode() for m in expected}, (label, key, count)


def test_set_keyspace_events(pair: Pair, pair_factory: object) -> None:
    """sadd/srem/spop/smove (srem + sadd)/s*store events, del when emptied, as Redis 7.0 sends them."""
    assert callable(pair_factory)
    listener: Pair = pair_factory(2)
    if listener.mini.send("PUBSUB", "NUMPAT").startswith(b"-ERR unknown command"):
        pytest.skip("pub/sub is not served by miniredis yet")
    pair.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        listener.check("PSUBSCRIBE", "__keyevent*__:*")
        for argv in (("SADD", "s", "1", "2"), ("SADD", "s", "1"), ("SREM", "s", "9"), ("SREM", "s", "1"),
                     ("SMOVE", "s", "d", "2"), ("SMOVE", "d", "d", "2"), ("SADD", "t", "5"), ("SPOP", "t"),
                     ("SADD", "u", "1", "2"), ("SPOP", "u", "5"), ("SINTERSTORE", "x", "d", "d"),
                     ("SINTERSTORE", "x", "nokey"), ("SUNIONSTORE", "x", "nokey"), ("SUNIONSTORE", "x", "d"),
                     ("SDIFFSTORE", "x", "d"), ("SREM", "d", "2")):
            pair.check(*argv)
        pair.check("PING")
        assert listener.real.read_all() == listener.mini.read_all()
    finally:
        pair.check("CONFIG", "SET", "notify-keyspace-events", "")
