"""Sorted-set commands against real Redis 7.0: every command, option and error, in RESP2 and RESP3.

Every case runs in both protocols (``pairs``) and ends by comparing the touched keys' state.

Pinned surprises:

* scores print with ``%.17g`` (``0.1`` is ``0.10000000000000001``, ``1e18`` is ``1e+18``);
* a listpack stores a score as text, so a ``-0`` score reads back as ``0`` while the zset is
  small, but stays ``-0`` in a skiplist; ``ZADD INCR -0`` still answers ``-0``;
* ZSCAN of a listpack shows the stored text (``1e18`` as ``1000000000000000000``), of a skiplist
  ``%.17g``;
* a range bound accepts what ``strtod`` accepts without a range check: ``(`` alone and the empty
  text are 0, a leading space and ``0x10`` are fine, ``1e400`` is inf; ZADD refuses the leading
  space, overflow and the empty text but takes hex;
* ZRANGE's LIMIT with a rank range is refused only when its count is not -1;
* WEIGHTS with too few values is a syntax error, with a non-float among enough values the float
  error; ZUNION-family inputs are type-checked before any option is parsed;
* ``ZRANDMEMBER k -9223372036854775808`` has its own range message, and WITHSCORES with a count
  below -LONG_MAX/2 "value is out of range";
* in an intersection the first (smallest) input's ``0 * inf`` weighted score counts as 0, the
  others' do not (MIN/MAX then ignore the nan);
* ZPOPMIN of a missing key is an empty array, ZMPOP's a null array; RESP3 nests ZPOPMIN's pairs
  only when a count is given.
"""

from __future__ import annotations

import pytest

from conformance import comparers
from conformance.harness import Pair, split_aggregate
from conformance.test_hashes import Loose, Step, run_case
from conformance.test_hashes import decode as decode_basic

S = comparers.sorted_array


def decode(raw: bytes) -> object:
    """``test_hashes.decode`` that also reads RESP3 doubles (as their text)."""
    if raw[:1] == b",":
        return raw[1:-2]
    if raw[:1] in (b"*", b"~"):
        return [decode(item) for item in split_aggregate(raw)[1]]
    return decode_basic(raw)

CASES: dict[str, list[Step]] = {
    "zadd_basic": [
        ("ZADD", "z", "1", "a", "2", "b", "0.1", "c", "100", "d", "-0", "e", "inf", "f"),
        ("ZRANGE", "z", "0", "-1", "WITHSCORES"), ("ZSCORE", "z", "c"), ("ZSCORE", "z", "d"), ("ZSCORE", "z", "e"),
        ("ZSCORE", "z", "f"), ("ZSCORE", "z", "nope"), ("ZSCORE", "nokey", "a"), ("ZCARD", "z"), ("ZCARD", "nokey"),
        ("ZADD", "z", "1", "a"), ("ZADD", "z", "3", "a", "3", "a"), ("ZSCORE", "z", "a"),
        ("ZADD", "z", "1e20", "big", "1.5e-7", "sm", "123456789012345678", "h", "-1e300", "neg"),
        ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
        ("ZADD", "t", "1", "b", "1", "a", "1", "c", "1", b"\xff", "1", "", "1", "A"), ("ZRANGE", "t", "0", "-1"),
    ],
    "zadd_flags": [
        ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZADD", "z", "CH", "5", "b"),
        ("ZADD", "z", "ch", "xx", "1", "new", "9", "c"),
        ("ZADD", "z", "GT", "1", "c"), ("ZADD", "z", "GT", "CH", "10", "c"), ("ZADD", "z", "LT", "CH", "20", "c"),
        ("ZADD", "z", "LT", "CH", "5", "c", "7", "x"), ("ZADD", "z", "GT", "0", "y"),
        ("ZADD", "z", "NX", "100", "a", "4", "n"),
        ("ZADD", "z", "XX", "100", "a", "4", "m"), ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
        ("ZADD", "z", "INCR", "1", "a"), ("ZADD", "z", "incr", "nx", "1", "c"), ("ZADD", "z", "INCR", "XX", "1", "zz"),
        ("ZADD", "z", "INCR", "GT", "1", "c"), ("ZADD", "z", "INCR", "GT", "-1", "c"),
        ("ZADD", "z", "INCR", "LT", "1", "c"),
        ("ZADD", "z", "INCR", "LT", "-1", "c"), ("ZADD", "z", "CH", "INCR", "1", "a"), ("ZADD", "z", "INCR", "0", "a"),
        ("ZADD", "nokey", "XX", "1", "a"), ("EXISTS", "nokey"), ("ZADD", "nokey", "XX", "INCR", "1", "a"),
        ("ZADD", "z", "INCR", "inf", "a"), ("ZADD", "z", "INCR", "-inf", "a"), ("ZSCORE", "z", "a"),
    ],
    "zadd_errors": [
        ("ZADD", "z", "xx", "nx", "1", "a"), ("ZADD", "z", "gt", "lt", "1", "a"), ("ZADD", "z", "gt", "nx", "1", "a"),
        ("ZADD", "z", "lt", "nx", "1", "a"), ("ZADD", "z", "incr", "1", "a", "2", "b"), ("ZADD", "z", "1"),
        ("ZADD", "z", "x", "a"), ("ZADD", "z", "nan", "a"), ("ZADD", "z", "1", "c", "2"),
        ("ZADD", "z", "foo", "1", "c"),
        ("ZADD", "z", "incr"), ("ZADD", "z", "nx"), ("ZADD", "z", "incr", "1", "a", "2"),
        ("ZADD", "z", "nx", "xx", "1"),
        ("ZADD", "z", "0x10", "a"), ("ZADD", "z", "1e400", "a"), ("ZADD", "z", " 1", "a"), ("ZADD", "z", "1 ", "a"),
        ("ZADD", "z", "1_0", "a"), ("ZADD", "z", "", "a"), ("ZADD", "z", "1e-400", "a"), ("ZADD", "z", "+inf", "p"),
        ("ZADD", "z", "-Infinity", "q"), ("ZADD", "z", "1", "ok", "x", "bad"), ("EXISTS", "z"),
        ("ZADD", "z", ".5", "r", "5.", "s", "1E2", "t"), ("ZADD", "z", "1e", "a"), ("ZADD", "z", "0x", "a"),
        ("SET", "str", "v"), ("ZADD", "str", "1", "a"), ("ZADD", "str", "xx", "1", "a"), ("ZADD", "str", "x", "a"),
        ("ZADD",), ("ZADD", "z"),
    ],
    "zincrby": [
        ("ZINCRBY", "z", "1.5", "a"), ("ZINCRBY", "z", "x", "a"), ("ZINCRBY", "z", "inf", "a"),
        ("ZINCRBY", "z", "-inf", "a"), ("ZINCRBY", "z", "1"), ("ZINCRBY", "z", "0.1", "b"),
        ("ZINCRBY", "z", "0.2", "b"),
        ("SET", "str", "v"), ("ZINCRBY", "str", "1", "a"), ("ZINCRBY", "str", "x", "a"),
        ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
    ],
    "negative_zero": [
        ("ZADD", "q", "INCR", "-0", "new"), ("ZSCORE", "q", "new"), ("ZADD", "q", "-0", "neg"), ("ZSCORE", "q", "neg"),
        ("ZINCRBY", "q", "-0", "new"), ("ZSCAN", "q", "0"), ("CONFIG", "SET", "zset-max-listpack-entries", "0"),
        ("ZADD", "y", "-0", "a", "1", "b"), ("ZSCORE", "y", "a"), ("ZADD", "y", "INCR", "-0", "a"),
        ("ZADD", "y", "0", "q"), ("ZINCRBY", "y", "-0", "q"), ("ZSCORE", "y", "q"), ("OBJECT", "ENCODING", "y"),
        ("ZRANGESTORE", "small", "y", "0", "-1"), ("CONFIG", "SET", "zset-max-listpack-entries", "128"),
        ("ZRANGESTORE", "small", "y", "0", "-1"), ("ZRANGE", "small", "0", "-1", "WITHSCORES"),
        ("OBJECT", "ENCODING", "small"),
    ],
    "encodings": [
        ("CONFIG", "SET", "zset-max-listpack-entries", "2"), ("ZADD", "p", "1", "a", "1", "a", "1", "a"),
        ("OBJECT", "ENCODING", "p"), ("ZADD", "p2", "1", "a", "1", "b"), ("OBJECT", "ENCODING", "p2"),
        ("ZADD", "p2", "1", "c"), ("OBJECT", "ENCODING", "p2"), ("ZREM", "p2", "a", "b"), ("OBJECT", "ENCODING", "p2"),
        ("ZUNIONSTORE", "p3", "1", "p2"), ("OBJECT", "ENCODING", "p3"), ("ZRANGESTORE", "p4", "p2", "0", "-1"),
        ("OBJECT", "ENCODING", "p4"), ("COPY", "p2", "p5"), ("OBJECT", "ENCODING", "p5"),
        ("CONFIG", "SET", "zset-max-listpack-entries", "128"), ("CONFIG", "SET", "zset-max-listpack-value", "3"),
        ("ZADD", "v", "1", "abcd"), ("OBJECT", "ENCODING", "v"), ("ZADD", "v2", "1", "abc"),
        ("OBJECT", "ENCODING", "v2"),
        ("ZINCRBY", "v3", "1", "abcd"), ("OBJECT", "ENCODING", "v3"),
        ("CONFIG", "SET", "zset-max-listpack-value", "64"),
    ],
    "zscan_listpack": [
        ("ZADD", "z", "-0", "a", "1e18", "b", "1e19", "c", "9.2233720368547758e18", "d", "-9.2233720368547758e18", "e",
         "4503599627370497", "f", "0.5", "g", "-1.5", "h", "1e-300", "i", "inf", "j", "-inf", "k"),
        ("ZSCAN", "z", "0"), ("ZSCAN", "z", "0", "COUNT", "1"), ("ZSCAN", "z", "123"),
        ("ZSCAN", "z", "0", "MATCH", "[a-c]"),
        ("ZSCAN", "z", "0", "count", "0"), ("ZSCAN", "z", "x"), ("ZSCAN", "z", "0", "novalues"),
        ("ZSCAN", "nokey", "0"),
        ("ZSCAN", "z", "0", "MATCH"), ("ZSCAN", "z", "0", "COUNT", "x"), ("SET", "str", "v"), ("ZSCAN", "str", "0"),
        ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
    ],
    "zrem_zcard_delete": [
        ("ZADD", "e", "1", "a"), ("ZREM", "e", "a"), ("EXISTS", "e"), ("ZADD", "e", "1", "a", "2", "b"),
        ("ZREM", "e", "a", "nope", "a"), ("ZREM", "nokey", "a"), ("ZREM", "e", "b", "b"), ("EXISTS", "e"),
        ("SET", "str", "v"), ("ZREM", "str", "a"), ("ZCARD", "str"), ("ZREM", "e"),
    ],
    "rank_mscore_count": [
        ("ZADD", "z", "1", "a", "2", "b", "3", "c", "3", "d"), ("ZRANK", "z", "c"), ("ZRANK", "z", "nope"),
        ("ZREVRANK", "z", "c"), ("ZREVRANK", "z", "a"), ("ZRANK", "nokey", "a"), ("ZRANK", "z", "a", "withscore"),
        ("ZMSCORE", "z", "a", "nope", "c"), ("ZMSCORE", "nokey", "a"), ("ZMSCORE", "z"),
        ("ZCOUNT", "z", "x", "1"), ("ZCOUNT", "z", "(1", "(3"), ("ZCOUNT", "z", "-inf", "+inf"),
        ("ZCOUNT", "z", "3", "1"),
        ("ZCOUNT", "z", "(3", "3"), ("ZCOUNT", "z", "3", "(3"), ("ZCOUNT", "nokey", "0", "1"),
        ("ZCOUNT", "z", "1", "nan"),
        ("ZCOUNT", "z", "(", "2"), ("ZCOUNT", "z", "", "2"), ("ZCOUNT", "z", " 1", "2"), ("ZCOUNT", "z", "1 ", "2"),
        ("ZCOUNT", "z", "0x1", "2"), ("ZCOUNT", "z", "1e400", "inf"), ("ZCOUNT", "z", "(inf", "+inf"),
        ("ZCOUNT", "z", "-inf", "(-inf"), ("ZCOUNT", "z", "((1", "2"), ("ZCOUNT", "z", "[1", "2"),
        ("SET", "str", "v"), ("ZRANK", "str", "a"), ("ZSCORE", "str", "a"), ("ZMSCORE", "str", "a"),
        ("ZCOUNT", "str", "0", "1"),
        ("ZCOUNT", "str", "x", "1"),
    ],
    "lex": [
        ("ZADD", "e", "0", "a", "0", "b", "0", "c", "0", "d"), ("ZRANGEBYLEX", "e", "[b", "(d"),
        ("ZRANGEBYLEX", "e", "(a", "[c"),
        ("ZRANGEBYLEX", "e", "[d", "[a"), ("ZRANGEBYLEX", "e", "-", "[b"), ("ZRANGEBYLEX", "e", "[c", "+"),
        ("ZRANGEBYLEX", "e", "+", "-"), ("ZRANGEBYLEX", "e", "-", "-"), ("ZRANGEBYLEX", "e", "+", "+"),
        ("ZRANGEBYLEX", "e", "(b", "(b"), ("ZRANGEBYLEX", "e", "[b", "[b"), ("ZREVRANGEBYLEX", "e", "[c", "[a"),
        ("ZREVRANGEBYLEX", "e", "+", "-", "LIMIT", "1", "2"), ("ZRANGEBYLEX", "e", "-", "+", "LIMIT", "1", "-1"),
        ("ZRANGE", "e", "(d", "(a", "BYLEX", "REV"), ("ZRANGE", "e", "[c", "[a", "bylex", "rev"),
        ("ZRANGEBYLEX", "e", "a", "b"), ("ZRANGEBYLEX", "e", "", "+"), ("ZRANGEBYLEX", "e", "-x", "+"),
        ("ZRANGEBYLEX", "e", "-", "+", "WITHSCORES"), ("ZREVRANGEBYLEX", "e", "+", "-", "LIMIT", "0", "1", "foo"),
        ("ZLEXCOUNT", "e", "-", "+"), ("ZLEXCOUNT", "e", "x", "+"), ("ZLEXCOUNT", "e", "[b", "(d"),
        ("ZLEXCOUNT", "nokey", "-", "+"), ("ZRANGEBYLEX", "e", "[", "+"), ("ZRANGEBYLEX", "e", "(", "+"),
        ("ZRANGEBYLEX", "e", "-", "+", "LIMIT", "-1", "2"), ("ZRANGEBYLEX", "e", "-", "+", "LIMIT", "2", "0"),
        ("ZADD", "mixed", "1", "b", "2", "a", "3", "c"), ("ZRANGEBYLEX", "mixed", "[a", "[a"),
        ("ZRANGEBYLEX", "mixed", "-", "[b"), ("ZREVRANGEBYLEX", "mixed", "[c", "[b"), ("ZLEXCOUNT", "mixed", "[a", "+"),
        ("ZREMRANGEBYLEX", "mixed", "[a", "[b"), ("ZREMRANGEBYLEX", "e", "(a", "[c"),
        ("ZREMRANGEBYLEX", "e", "x", "+"), ("ZREMRANGEBYLEX", "nokey", "-", "+"), ("ZREMRANGEBYLEX", "e", "-", "+"),
        ("EXISTS", "e"),
    ],
    "zrange_rank": [
        ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZRANGE", "z", "0", "-1"), ("ZRANGE", "z", "0", "-1", "REV"),
        ("ZRANGE", "z", "1", "0", "rev"), ("ZRANGE", "z", "-100", "100"), ("ZRANGE", "z", "1", "-100"),
        ("ZRANGE", "z", "-2", "-1", "WITHSCORES"), ("ZRANGE", "z", "0", "0", "rev", "withscores"),
        ("ZRANGE", "z", "5", "10"),
        ("ZRANGE", "nokey", "0", "-1"), ("ZREVRANGE", "z", "0", "-1", "WITHSCORES"),
        ("ZREVRANGE", "z", "0", "1", "withscores", "withscores"),
        ("ZREVRANGE", "z", "0", "-1", "withscore"), ("ZREVRANGE", "z", "0", "-1", "withscores", "extra"),
        ("ZREVRANGE", "z", "0", "-1", "rev"), ("ZREVRANGE", "z", "0", "-1", "LIMIT", "0", "1"),
        ("ZRANGE", "z", "0", "-1", "withscores", "extra"), ("ZRANGE", "z", "0", "1", "limit", "0", "1"),
        ("ZRANGE", "z", "0", "1", "limit", "0", "-1"), ("ZRANGE", "z", "0", "1", "limit", "5", "-1"),
        ("ZRANGE", "z", "0", "1", "limit", "0", "-2"), ("ZRANGE", "z", "0", "1", "limit", "0"),
        ("ZRANGE", "z", "x", "1"),
        ("ZRANGE", "z", "(0", "1"), ("ZRANGE", "z", "0", "1", "foo"), ("ZRANGE", "z", "0", "-1", "rev", "rev"),
        ("ZRANGE", "z", "x", "1", "limit", "0", "1"), ("ZRANGE", "z", "0", "1", "byscore", "bylex"),
        ("ZRANGE", "z", "0", "1", "byscore", "byscore"), ("ZRANGE", "z", "0", "1", "byscore", "limit", "x", "1"),
        ("ZRANGE", "z", "0", "1", "byscore", "limit", "0", "x"), ("ZRANGE", "z", "a", "b", "bylex", "withscores"),
        ("ZRANGE", "z", "0", "1", "limit", "0", "1", "withscores", "bylex"),
        ("ZRANGE", "z", "0", "-1", "byscore", "rev", "limit"),
        ("ZRANGE", "z", "x", "y", "byscore"), ("ZRANGE", "z", "(1", "x", "byscore"),
        ("SET", "str", "v"), ("ZRANGE", "str", "0", "-1"), ("ZRANGE", "str", "x", "1"), ("ZRANGE", "z"),
    ],
    "zrange_score": [
        ("ZADD", "z", "1", "a", "2", "b", "3", "c", "3", "d", "-inf", "m", "inf", "p"),
        ("ZRANGE", "z", "3", "1", "BYSCORE", "REV", "WITHSCORES"), ("ZRANGE", "z", "1", "3", "byscore", "rev"),
        ("ZRANGE", "z", "0", "3", "byscore", "limit", "1", "-1"),
        ("ZRANGE", "z", "0", "3", "byscore", "limit", "-1", "1"),
        ("ZRANGE", "z", "0", "3", "byscore", "limit", "1", "0"),
        ("ZRANGE", "z", "-inf", "inf", "byscore", "limit", "0", "1", "limit", "0", "2"),
        ("ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", "0", "2"),
        ("ZRANGEBYSCORE", "z", "-inf", "+inf", "limit", "0"),
        ("ZRANGEBYSCORE", "z", "-inf", "+inf", "foo"),
        ("ZRANGEBYSCORE", "z", "-inf", "+inf", "withscores", "withscores"),
        ("ZRANGEBYSCORE", "z", "(1", "(3"), ("ZRANGEBYSCORE", "z", "(1", "3"), ("ZRANGEBYSCORE", "z", "3", "3"),
        ("ZRANGEBYSCORE", "z", "0", "1", "rev"), ("ZRANGEBYSCORE", "z", "0", "1", "byscore"),
        ("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES", "LIMIT", "1", "5"),
        ("ZREVRANGEBYSCORE", "z", "1", "0", "rev"),
        ("ZREVRANGEBYSCORE", "z", "(3", "(1"), ("ZREVRANGEBYSCORE", "z", "3", "(2", "LIMIT", "1", "1"),
        ("ZREVRANGEBYSCORE", "z", "-inf", "+inf"), ("ZRANGEBYSCORE", "z", "inf", "inf"),
        ("ZRANGEBYSCORE", "z", "-inf", "-inf"),
        ("ZRANGEBYSCORE", "z", "(-inf", "(inf", "limit", "2", "100", "withscores"),
        ("ZRANGEBYSCORE", "nokey", "0", "1"),
        ("ZRANGE", "z", "(3", "(1", "BYSCORE", "REV", "LIMIT", "0", "10"),
    ],
    "zrangestore": [
        ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZRANGESTORE", "d", "z", "0", "-1", "withscores"),
        ("ZRANGESTORE", "d", "z", "0", "-1"), ("ZRANGESTORE", "d", "z", "5", "6"), ("EXISTS", "d"),
        ("ZADD", "d", "1", "x"), ("ZRANGESTORE", "d", "nokey", "0", "-1"), ("EXISTS", "d"), ("SET", "s", "x"),
        ("ZRANGESTORE", "d", "s", "0", "-1"), ("ZRANGESTORE", "s", "z", "0", "0"), ("TYPE", "s"),
        ("ZRANGESTORE", "d", "z", "0", "-1", "byscore"), ("ZRANGESTORE", "d", "z", "-inf", "inf", "byscore"),
        ("ZRANGESTORE", "d", "z", "-inf", "inf", "byscore", "rev"),
        ("ZRANGESTORE", "d", "z", "+inf", "-inf", "byscore", "rev", "limit", "0", "2"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZRANGESTORE", "d", "z", "[b", "+", "bylex"), ("ZRANGESTORE", "d", "z", "0", "0", "rev"),
        ("ZRANGESTORE", "z", "z", "1", "1"), ("SET", "ttl", "v", "EX", "100"), ("ZRANGESTORE", "ttl", "z", "0", "-1"),
        ("TTL", "ttl"),
    ],
    "zremrange": [
        ("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"), ("ZREMRANGEBYRANK", "z", "x", "1"),
        ("ZREMRANGEBYRANK", "z", "5", "10"), ("ZREMRANGEBYRANK", "z", "-100", "0"),
        ("ZREMRANGEBYRANK", "z", "-1", "-1"),
        ("ZREMRANGEBYSCORE", "z", "x", "1"), ("ZREMRANGEBYSCORE", "z", "(2", "3"), ("ZREMRANGEBYSCORE", "z", "5", "1"),
        ("ZREMRANGEBYLEX", "z", "x", "+"), ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
        ("ZREMRANGEBYRANK", "nokey", "0", "-1"),
        ("ZREMRANGEBYSCORE", "nokey", "-inf", "inf"), ("ZREMRANGEBYSCORE", "z", "-inf", "+inf"), ("EXISTS", "z"),
        ("ZADD", "z", "1", "a"), ("ZREMRANGEBYRANK", "z", "0", "-1"), ("EXISTS", "z"), ("SET", "str", "v"),
        ("ZREMRANGEBYRANK", "str", "0", "1"), ("ZREMRANGEBYRANK", "str", "x", "1"),
    ],
    "pops": [
        ("ZADD", "z", "1", "a", "2", "b", "0.1", "c", "100", "d", "-0", "e", "inf", "f"), ("ZPOPMIN", "z"),
        ("ZPOPMIN", "z", "2"), ("ZPOPMIN", "z", "0"), ("ZPOPMIN", "z", "-1"), ("ZPOPMIN", "z", "x"),
        ("ZPOPMIN", "z", "1", "2"),
        ("ZPOPMAX", "z"), ("ZPOPMAX", "z", "1"), ("ZPOPMAX", "z", "10"), ("EXISTS", "z"), ("ZPOPMIN", "nokey"),
        ("ZPOPMIN", "nokey", "2"), ("ZPOPMAX", "nokey", "0"), ("SET", "str", "v"), ("ZPOPMIN", "str"),
        ("ZPOPMIN", "str", "-1"), ("ZPOPMIN", "str", "0"),
    ],
    "zmpop": [
        ("ZADD", "a", "1", "x", "2", "y", "3", "z"), ("SET", "str", "v"), ("ZMPOP", "0", "a", "min"),
        ("ZMPOP", "x", "a", "min"),
        ("ZMPOP", "1", "a", "foo"), ("ZMPOP", "1", "a", "min", "count", "0"), ("ZMPOP", "1", "a", "min", "count", "x"),
        ("ZMPOP", "1", "a", "min", "count", "1", "count", "1"), ("ZMPOP", "2", "a", "min"),
        ("ZMPOP", "1", "nokey", "min"),
        ("ZMPOP", "1", "str", "min"), ("ZMPOP", "2", "nokey", "str", "min"),
        ("ZMPOP", "2", "nokey", "a", "max", "count", "2"),
        ("ZMPOP", "1", "a", "MIN", "COUNT", "10"), ("EXISTS", "a"), ("ZMPOP", "1", "a", "min", "count"),
    ],
    "zrandmember_errors": [
        ("ZADD", "a", "1", "x", "2", "y", "3", "z"), ("ZRANDMEMBER", "nokey"), ("ZRANDMEMBER", "nokey", "5"),
        ("ZRANDMEMBER", "nokey", "x"), ("ZRANDMEMBER", "a", "x"), ("ZRANDMEMBER", "a", "0"),
        ("ZRANDMEMBER", "a", "1", "withscores", "foo"), ("ZRANDMEMBER", "a", "5", "withscore"),
        ("ZRANDMEMBER", "a", "-9223372036854775808"), ("ZRANDMEMBER", "a", "-9223372036854775807", "withscores"),
        ("ZRANDMEMBER", "a", "-4611686018427387904", "withscores"), ("ZRANDMEMBER", "a", "0", "withscores"),
        ("ZRANDMEMBER", "nokey", "-9223372036854775808"), ("SET", "str", "v"), ("ZRANDMEMBER", "str"),
        ("ZRANDMEMBER", "str", "1"), Loose(("ZRANDMEMBER", "a", "9223372036854775807"), S),
        Loose(("ZRANDMEMBER", "a", "3"), S), ("ZADD", "one", "5", "m"), ("ZRANDMEMBER", "one"),
        ("ZRANDMEMBER", "one", "-3", "WITHSCORES"), ("ZRANDMEMBER", "one", "1", "withscores"),
    ],
    "algebra": [
        ("ZADD", "a", "1", "x", "2", "y", "3", "z"), ("ZADD", "b", "10", "y", "20", "z", "30", "w"),
        ("SADD", "s", "y", "w", "q"),
        ("SET", "str", "v"), ("ZUNION", "2", "a", "b", "WITHSCORES"),
        ("ZUNION", "2", "a", "b", "weights", "2", "3", "withscores"),
        ("ZUNION", "2", "a", "b", "weights", "2", "withscores"), ("ZUNION", "2", "a", "b", "weights", "2", "x"),
        ("ZUNION", "2", "a", "b", "weights", "2"), ("ZUNION", "2", "a", "b", "aggregate", "max", "withscores"),
        ("ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"), ("ZUNION", "2", "a", "b", "aggregate", "foo"),
        ("ZUNION", "2", "a", "b", "aggregate"), ("ZUNION", "2", "a", "b"), ("ZINTER", "2", "a", "b", "withscores"),
        ("ZINTER", "2", "a", "s", "withscores"), ("ZINTER", "2", "a", "b", "weights", "1", "-1", "aggregate", "sum"),
        ("ZDIFF", "2", "a", "b", "withscores"), ("ZDIFF", "2", "a", "s", "withscores"),
        ("ZDIFF", "2", "s", "a", "withscores"),
        ("ZDIFF", "2", "a", "b", "weights", "1", "2"), ("ZDIFF", "2", "a", "b", "aggregate", "max"),
        ("ZDIFF", "1", "nokey"),
        ("ZUNION", "3", "a", "b"), ("ZUNION", "x", "a", "b"), ("ZUNION", "-1", "a"), ("ZUNION", "0", "a"),
        ("ZUNION", "2", "a", "str"), ("ZUNION", "2", "a", "str", "weights", "x", "y"),
        ("ZUNION", "2", "a", "nokey", "withscores"),
        ("ZINTER", "2", "a", "nokey"), ("ZINTER", "0", "a"), ("ZDIFF", "0", "a"),
        ("ZINTER", "2", "a", "a", "withscores", "foo"),
        ("ZUNIONSTORE", "d", "0", "a"), ("ZINTERSTORE", "d", "0", "a"), ("ZDIFFSTORE", "d", "0", "a"),
        ("ZUNIONSTORE", "d", "2", "a", "b", "withscores"), ("ZUNIONSTORE", "d", "2", "a", "s"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZINTERSTORE", "d", "2", "a", "nokey"), ("EXISTS", "d"),
        ("ZINTERSTORE", "d", "2", "a", "b", "weights", "inf", "-inf"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"), ("ZUNIONSTORE", "d", "2", "a", "b", "weights", "inf", "-inf"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZUNIONSTORE", "d", "2", "a", "b", "weights", "0", "0", "aggregate", "max"),
        ("ZDIFFSTORE", "d", "2", "b", "a"), ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZDIFFSTORE", "d", "2", "a", "a"),
        ("EXISTS", "d"), ("ZUNIONSTORE", "str", "1", "a"), ("TYPE", "str"), ("ZUNIONSTORE", "d", "2", "a", "str"),
        ("SET", "str2", "v"), ("ZUNIONSTORE", "d", "2", "a", "str2"), ("ZINTERSTORE", "a", "2", "a", "b"),
        ("ZRANGE", "a", "0", "-1", "WITHSCORES"),
    ],
    "algebra_nan_and_order": [
        ("ZADD", "a", "inf", "x", "-inf", "y", "1", "z"), ("ZUNIONSTORE", "d", "1", "a", "weights", "0"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZUNION", "2", "a", "a", "aggregate", "min", "weights", "1", "-1", "withscores"),
        ("ZUNION", "2", "a", "a", "withscores"), ("ZINTER", "2", "a", "a", "weights", "1", "-1", "withscores"),
        ("ZADD", "p", "-5", "x", "1", "y"), ("ZADD", "q", "inf", "x", "2", "y"),
        ("ZINTER", "2", "p", "q", "weights", "1", "0", "aggregate", "max", "withscores"),
        ("ZINTER", "2", "q", "p", "weights", "0", "1", "aggregate", "max", "withscores"),
        ("ZADD", "c", "1", "x", "2", "y", "3", "z"),
        ("ZINTER", "2", "p", "c", "weights", "1", "0", "aggregate", "min", "withscores"),
        ("ZINTER", "2", "c", "q", "weights", "1", "0", "aggregate", "min", "withscores"),
        ("ZADD", "f1", "0.1", "m"), ("ZADD", "f2", "0.2", "m", "1", "n"),
        ("ZADD", "f3", "0.3", "m", "1", "n", "2", "o"),
        ("ZUNION", "3", "f3", "f2", "f1", "withscores"), ("ZUNION", "3", "f1", "f2", "f3", "withscores"),
        ("ZINTER", "3", "f3", "f1", "f2", "withscores"),
    ],
    "zintercard": [
        ("ZADD", "a", "1", "x", "2", "y", "3", "z"), ("ZADD", "b", "10", "y", "20", "z", "30", "w"),
        ("SADD", "s", "y", "w"),
        ("SET", "str", "v"), ("ZINTERCARD", "2", "a", "b"), ("ZINTERCARD", "2", "a", "b", "limit", "1"),
        ("ZINTERCARD", "2", "a", "b", "LIMIT", "0"), ("ZINTERCARD", "2", "a", "b", "limit", "-1"),
        ("ZINTERCARD", "2", "a", "b", "limit", "x"), ("ZINTERCARD", "2", "a", "s"), ("ZINTERCARD", "3", "a", "b"),
        ("ZINTERCARD", "x", "a"), ("ZINTERCARD", "0", "a"), ("ZINTERCARD", "1", "a", "foo"),
        ("ZINTERCARD", "2", "a", "str"),
        ("ZINTERCARD", "2", "a", "str", "limit", "-1"), ("ZINTERCARD", "2", "a", "nokey"),
        ("ZINTERCARD", "1", "a", "limit"),
        ("ZINTERCARD", "2", "a", "b", "limit", "1", "limit", "5"), ("ZINTERCARD", "1", "a", "withscores"),
    ],
    "blocking_immediate": [
        ("ZADD", "b", "10", "y", "20", "z", "30", "w"), ("SET", "str", "v"), ("BZPOPMIN", "b", "x"),
        ("BZPOPMIN", "b", "-1"),
        ("BZPOPMIN", "nokey", "b", "0"), ("BZPOPMAX", "b", "0"), ("BZPOPMAX", "nokey", "0.01"),
        ("BZMPOP", "0.01", "1", "nokey", "min"), ("BZMPOP", "x", "1", "b", "min"), ("BZMPOP", "0", "0", "b", "min"),
        ("BZMPOP", "x", "0", "b", "min"), ("BZMPOP", "x", "1", "b", "foo"),
        ("BZMPOP", "0", "1", "b", "min", "count", "0"),
        ("BZMPOP", "0", "2", "nokey", "b", "max", "COUNT", "5"), ("BZPOPMIN", "str", "0"), ("BZPOPMIN", "a", "b", "x"),
        ("BZMPOP", "0", "1", "str", "min"), ("EXISTS", "b"),
    ],
    "command_getkeys": [
        ("COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"),
        ("COMMAND", "GETKEYS", "ZINTERCARD", "2", "a", "b", "LIMIT", "1"),
        ("COMMAND", "GETKEYS", "ZMPOP", "2", "a", "b", "MIN"),
        ("COMMAND", "GETKEYS", "BZMPOP", "0", "2", "a", "b", "MIN"),
        ("COMMAND", "GETKEYS", "ZRANGESTORE", "d", "s", "0", "1"),
        ("COMMAND", "GETKEYS", "BZPOPMIN", "a", "b", "0"), ("COMMAND", "GETKEYS", "ZDIFF", "2", "a", "b"),
        ("COMMAND", "INFO", "ZADD", "ZUNIONSTORE", "BZMPOP", "ZRANGESTORE"),
    ],
    "multi": [
        ("MULTI",), ("BZPOPMIN", "nokey", "0"), ("BZMPOP", "0", "1", "nokey", "max"), ("ZADD", "k", "1", "a"),
        ("BZPOPMAX", "k", "0"), ("EXEC",),
    ],
}


@pytest.mark.parametrize("name", list(CASES))
def test_sorted_sets(pairs: Pair, name: str) -> None:
    run_case(pairs, CASES[name])


def test_zrandmember_random_shapes(pairs: Pair) -> None:
    """Below the set's size (or with a negative count) the picks are random: same shape, members of the set."""
    members = {f"m{i}".encode(): i for i in range(20)}
    pairs.check("ZADD", "z", *[x for m, s in members.items() for x in (str(s), m)])
    real, mini = pairs.both("ZRANDMEMBER", "z")
    assert real[:1] == mini[:1] == b"$" and decode(mini) in members
    cases = ((("5",), True), (("-30",), False), (("5", "WITHSCORES"), True), (("-30", "WITHSCORES"), False))
    for argv, distinct in cases:
        real, mini = pairs.both("ZRANDMEMBER", "z", *argv)
        head_real, items_real = split_aggregate(real)
        head_mini, items_mini = split_aggregate(mini)
        assert head_real == head_mini
        picked = decode(mini)
        assert isinstance(picked, list)
        if len(argv) == 2:
            if pairs.protocol == 2:
                picked = [[picked[i], picked[i + 1]] for i in range(0, len(picked), 2)]
            for member, score in picked:
                assert float(score if not isinstance(score, bytes) else score.decode()) == members[member]
            picked = [member for member, _ in picked]
        assert all(member in members for member in picked)
        if distinct:
            assert len(set(picked)) == len(picked)


def test_zscan_skiplist(pairs: Pair) -> None:
    """A skiplist is scanned in hash order: the union of the pages must be the whole zset."""
    pairs.check("ZADD", "z", *[x for i in range(300) for x in (str(i / 10), f"m{i}")])
    pairs.check("ZADD", "z", "-0", "negzero", "1e18", "big")
    for conn in (pairs.real, pairs.mini):
        seen: dict[bytes, bytes] = {}
        cursor = b"0"
        for _ in range(1000):
            reply = decode(conn.send("ZSCAN", "z", cursor, "COUNT", "7"))
            assert isinstance(reply, list)
            cursor, page = reply[0], reply[1]
            seen.update(zip(page[0::2], page[1::2], strict=True))
            if cursor == b"0":
                break
        assert len(seen) == 302
        assert seen[b"negzero"] == b"-0" and seen[b"big"] == b"1e+18" and seen[b"m1"] == b"0.10000000000000001"
    real, mini = pairs.both("ZSCAN", "z", "0", "MATCH", "m1?", "COUNT", "1000")
    assert comparers.sorted_pairs(split_aggregate(real)[1][1], split_aggregate(mini)[1][1])


def test_large_zset_ranges(pairs: Pair) -> None:
    """A skiplist-encoded zset (past 128 members) answers ranges exactly like a small one."""
    pairs.check("ZADD", "z", *[x for i in range(500) for x in (str(i % 50), f"m{i:03d}")])
    pairs.check("OBJECT", "ENCODING", "z")
    for argv in (("ZRANGE", "z", "100", "120", "WITHSCORES"), ("ZRANGE", "z", "5", "(7", "BYSCORE", "LIMIT", "3", "9"),
                 ("ZREVRANGEBYSCORE", "z", "(40", "-inf", "LIMIT", "7", "5", "WITHSCORES"), ("ZRANK", "z", "m123"),
                 ("ZREVRANK", "z", "m123"), ("ZCOUNT", "z", "(10", "20"), ("ZREMRANGEBYRANK", "z", "-10", "-3"),
                 ("ZREMRANGEBYSCORE", "z", "(45", "47"), ("ZPOPMAX", "z", "3"), ("ZPOPMIN", "z", "3"), ("ZCARD", "z"),
                 ("ZRANGE", "z", "-5", "-1", "REV", "WITHSCORES"), ("ZRANGESTORE", "d", "z", "0", "9"),
                 ("OBJECT", "ENCODING", "d"), ("ZUNIONSTORE", "u", "2", "z", "d", "WEIGHTS", "1", "0.5"),
                 ("ZRANGE", "u", "0", "20", "WITHSCORES"), ("OBJECT", "ENCODING", "u")):
        pairs.check(*argv)
    pairs.check("ZADD", "lex", *[x for i in range(300) for x in ("0", f"k{i:03d}")])
    lex_steps: tuple[tuple[str, ...], ...] = (
        ("ZRANGEBYLEX", "lex", "[k100", "(k110"), ("ZREVRANGEBYLEX", "lex", "(k200", "-", "LIMIT", "2", "3"),
        ("ZLEXCOUNT", "lex", "(k050", "+"), ("ZREMRANGEBYLEX", "lex", "[k010", "[k020"), ("ZCARD", "lex"),
    )
    for steps in lex_steps:
        pairs.check(*steps)
    pairs.state("z", "d", "u", "lex")


MISS_PROBES: list[tuple[str, ...]] = [
    ("ZRANGESTORE", "d", "nokey", "0", "-1"), ("ZUNIONSTORE", "d", "1", "nokey"), ("ZINTERSTORE", "d", "2", "n1", "n2"),
    ("ZDIFFSTORE", "d", "1", "nokey"), ("ZINTERCARD", "1", "nokey"), ("ZMPOP", "1", "nokey", "MIN"),
    ("BZPOPMIN", "nokey", "0.01"), ("BZMPOP", "0.01", "1", "nokey", "MIN"), ("ZADD", "nokey", "XX", "1", "a"),
    ("ZREM", "nokey", "a"), ("ZPOPMIN", "nokey"), ("ZRANDMEMBER", "nokey"), ("ZSCAN", "nokey", "0"),
    ("ZRANGE", "nokey", "0", "1"), ("ZCOUNT", "nokey", "0", "1"), ("ZSCORE", "nokey", "a"), ("ZMSCORE", "nokey", "a"),
    ("ZRANK", "nokey", "a"), ("ZREMRANGEBYRANK", "nokey", "0", "1"), ("ZINCRBY", "new", "1", "a"), ("ZCARD", "nokey"),
    ("ZLEXCOUNT", "nokey", "-", "+"), ("ZUNION", "1", "nokey"), ("ZDIFF", "1", "nokey"), ("ZINTER", "2", "n1", "n2"),
]


def _misses(raw: bytes) -> int:
    text = decode_basic(raw)
    assert isinstance(text, bytes)
    for line in text.split(b"\r\n"):
        if line.startswith(b"keyspace_misses:"):
            return int(line.split(b":")[1])
    raise AssertionError("no keyspace_misses")


@pytest.mark.parametrize("argv", MISS_PROBES, ids=lambda argv: argv[0])
def test_keyspace_misses(pair: Pair, argv: tuple[str, ...]) -> None:
    """Read lookups (INFO keyspace_misses, keymiss events) exactly where Redis 7.0 makes them: the
    STORE forms read their sources, the pops and writes look keys up for writing."""
    before = [_misses(raw) for raw in pair.both("INFO", "stats")]
    pair.check(*argv)
    after = [_misses(raw) for raw in pair.both("INFO", "stats")]
    assert after[0] - before[0] == after[1] - before[1], (argv, before, after)
