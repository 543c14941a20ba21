"""Random sequences of hash and set commands on real Redis and miniredis, every reply compared.

Hypothesis draws short programs over four keys from every hash and set command (with options and
some invalid arguments), plus SET/DEL/TYPE/EXISTS for WRONGTYPE paths and key removal. Replies are
byte-identical except where Redis's order is its hash table's:

* set replies (SMEMBERS, the algebra, whole-set SPOP/SRANDMEMBER) must hold the same members; when
  Redis answers with integers in numeric order (an intset), miniredis must answer identically;
* hash replies (HGETALL, HKEYS, HVALS, HRANDFIELD of the whole hash) are exact while the real hash
  is a listpack (insertion order), else compared as sorted pairs/elements;
* HSCAN/SSCAN are exact for listpack hashes and intsets; for a hashtable both servers are scanned
  to the end and the union of the pages compared;
* random picks (HRANDFIELD/SRANDMEMBER below the size, negative counts) are checked for shape and
  membership; SPOP only takes the whole set (count 1000) or nothing (count 0).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import comparers
from conformance.harness import Arg, Pair, RawConnection, split_aggregate
from conformance.test_hashes import decode

KEYS = st.sampled_from(["a", "b", "c", "d"])
MEMBERS = st.sampled_from(["1", "2", "3", "-5", "10", "01", "-0", "9223372036854775808", "x", "y", "zz", "",
                           "\x00", "hello world"])
FIELDS = st.sampled_from(["f1", "f2", "f3", "g", "", "n"])
VALUES = st.one_of(
    st.sampled_from(["", "0", "1", "-1", "10", "1.5", "abc", " 1", "01", "9223372036854775807", "inf", "1e300"]),
    st.integers(-100, 100).map(str),
    st.binary(max_size=8),
)
INTEGERS = st.one_of(st.integers(-20, 20).map(str), st.sampled_from(["9223372036854775807", "x", "1.0", ""]))
FLOATS = st.one_of(
    st.sampled_from(["0.1", "-0.1", "1e20", "-0.0", "3.0e5", "inf", "nan", "abc", "1e-20", "0x10", ".5", "1e300"]),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
)
SCAN_OPTIONS = st.sampled_from([(), ("COUNT", "1"), ("COUNT", "3"), ("MATCH", "f*"), ("MATCH", "*1*"),
                                ("MATCH", "?", "COUNT", "100"), ("COUNT", "0"), ("MATCH",)])


def _pairs(fields: list[tuple[str, str | bytes]]) -> list[str | bytes]:
    return [x for pair in fields for x in pair]


FIELD_VALUES = st.lists(st.tuples(FIELDS, VALUES), min_size=1, max_size=3).map(_pairs)
MEMBER_LISTS = st.lists(MEMBERS, min_size=1, max_size=4)
KEY_LISTS = st.lists(KEYS, min_size=1, max_size=3)

COMMANDS = st.one_of(
    st.builds(lambda k, fv: ("HSET", k, *fv), KEYS, FIELD_VALUES),
    st.builds(lambda k, fv: ("HMSET", k, *fv), KEYS, FIELD_VALUES),
    st.builds(lambda k, f, v: ("HSETNX", k, f, v), KEYS, FIELDS, VALUES),
    st.builds(lambda k, f: ("HGET", k, f), KEYS, FIELDS),
    st.builds(lambda k, fs: ("HMGET", k, *fs), KEYS, st.lists(FIELDS, min_size=1, max_size=3)),
    st.builds(lambda k, fs: ("HDEL", k, *fs), KEYS, st.lists(FIELDS, min_size=1, max_size=3)),
    st.builds(lambda c, k: (c, k), st.sampled_from(["HLEN", "HGETALL", "HKEYS", "HVALS"]), KEYS),
    st.builds(lambda c, k, f: (c, k, f), st.sampled_from(["HEXISTS", "HSTRLEN"]), KEYS, FIELDS),
    st.builds(lambda k, f, n: ("HINCRBY", k, f, n), KEYS, FIELDS, INTEGERS),
    st.builds(lambda k, f, n: ("HINCRBYFLOAT", k, f, n), KEYS, FIELDS, FLOATS),
    st.builds(lambda k, o: ("HSCAN", k, "0", *o), KEYS, SCAN_OPTIONS),
    st.builds(lambda k, o: ("HRANDFIELD", k, *o), KEYS,
              st.sampled_from([(), ("1000",), ("1000", "WITHVALUES"), ("2",), ("-3",), ("-3", "WITHVALUES"), ("0",),
                               ("x",), ("1", "WITHSCORES")])),
    st.builds(lambda k, ms: ("SADD", k, *ms), KEYS, MEMBER_LISTS),
    st.builds(lambda k, ms: ("SREM", k, *ms), KEYS, MEMBER_LISTS),
    st.builds(lambda c, k: (c, k), st.sampled_from(["SMEMBERS", "SCARD"]), KEYS),
    st.builds(lambda k, m: ("SISMEMBER", k, m), KEYS, MEMBERS),
    st.builds(lambda k, ms: ("SMISMEMBER", k, *ms), KEYS, MEMBER_LISTS),
    st.builds(lambda k, o: ("SPOP", k, *o), KEYS, st.sampled_from([("1000",), ("0",), ("-1",), ("x",)])),
    st.builds(lambda k, o: ("SRANDMEMBER", k, *o), KEYS, st.sampled_from([(), ("1000",), ("2",), ("-3",), ("0",)])),
    st.builds(lambda s, d, m: ("SMOVE", s, d, m), KEYS, KEYS, MEMBERS),
    st.builds(lambda c, ks: (c, *ks), st.sampled_from(["SINTER", "SUNION", "SDIFF"]), KEY_LISTS),
    st.builds(lambda c, d, ks: (c, d, *ks), st.sampled_from(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), KEYS,
              KEY_LISTS),
    st.builds(lambda ks, o: ("SINTERCARD", str(len(ks)), *ks, *o), KEY_LISTS,
              st.sampled_from([(), ("LIMIT", "1"), ("LIMIT", "0"), ("LIMIT", "-1")])),
    st.builds(lambda k, o: ("SSCAN", k, "0", *o), KEYS, SCAN_OPTIONS),
    st.builds(lambda k, v: ("SET", k, v), KEYS, VALUES),
    st.builds(lambda c, k: (c, k), st.sampled_from(["DEL", "TYPE", "EXISTS"]), KEYS),
)

SET_ORDERED = {"SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP"}
HASH_ORDERED = {"HGETALL", "HKEYS", "HVALS"}


def _encoding(conn: RawConnection, key: Arg) -> bytes:
    reply = conn.send("OBJECT", "ENCODING", key)
    return reply.split(b"\r\n")[1] if reply[:1] in (b"$", b"+") and not reply.startswith(b"$-1") else b""


def _canonical_int(raw: bytes) -> bool:
    return raw.lstrip(b"-").isdigit() and str(int(raw)).encode() == raw and -(2**63) <= int(raw) < 2**63


def _check_set_order(argv: tuple[Arg, ...], real: bytes, mini: bytes) -> None:
    if real[:1] == b"-":
        assert real == mini, (argv, real, mini)
        return
    assert comparers.sorted_array(real, mini), (argv, real, mini)
    items = decode(real)
    if isinstance(items, list) and items and all(isinstance(i, bytes) and _canonical_int(i) for i in items):
        numbers = [int(i) for i in items]  # type: ignore[arg-type]
        if numbers == sorted(numbers):  # Redis answered in intset order: miniredis must too
            assert real == mini, (argv, real, mini)


def _full_scan(conn: RawConnection, argv: tuple[Arg, ...]) -> tuple[bytes, list[bytes]]:
    """Scan to the end from cursor 0 with the same options; the error reply, or b"" and every element."""
    elements: list[bytes] = []
    cursor: Arg = "0"
    for _ in range(1000):
        raw = conn.send(argv[0], argv[1], cursor, *argv[3:])
        if raw[:1] == b"-":
            return raw, []
        reply = decode(raw)
        assert isinstance(reply, list) and len(reply) == 2
        cursor_raw, page = reply
        assert isinstance(cursor_raw, bytes) and isinstance(page, list)
        elements.extend(page)
        cursor = cursor_raw
        if cursor == b"0":
            return b"", elements
    raise AssertionError(f"{argv!r}: scan did not end")


def _check_random(pair: Pair, argv: tuple[Arg, ...], real: bytes, mini: bytes) -> None:
    """Random picks: the same reply type and header, every element taken from the collection."""
    assert real[:1] == mini[:1], (argv, real, mini)
    if real[:1] == b"-" or real[:1] == b"$" and real.startswith(b"$-1") or real[:1] == b"_":
        assert real == mini, (argv, real, mini)
        return
    command = str(argv[0]).upper()
    source = decode(pair.mini.send("HKEYS" if command == "HRANDFIELD" else "SMEMBERS", argv[1]))
    assert isinstance(source, list)
    if real[:1] == b"$":
        assert decode(mini) in source, (argv, mini, source)
        return
    assert split_aggregate(real)[0] == split_aggregate(mini)[0], (argv, real, mini)
    picked = decode(mini)
    assert isinstance(picked, list)
    if len(argv) > 3:  # WITHVALUES: nested pairs in RESP3, flat in RESP2
        names = [item[0] for item in picked] if pair.protocol == 3 else picked[0::2]  # type: ignore[index]
    else:
        names = picked
    assert all(name in source for name in names), (argv, mini, source)


def run_step(pair: Pair, argv: tuple[Arg, ...]) -> None:
    command = str(argv[0]).upper()
    if command in ("HSCAN", "SSCAN"):
        encoding = _encoding(pair.real, argv[1])
        if encoding in (b"hashtable",):
            real_error, real_items = _full_scan(pair.real, argv)
            mini_error, mini_items = _full_scan(pair.mini, argv)
            assert real_error == mini_error, (argv, real_error, mini_error)
            if command == "HSCAN":
                assert dict(zip(real_items[0::2], real_items[1::2], strict=True)) == dict(
                    zip(mini_items[0::2], mini_items[1::2], strict=True)), (argv, real_items, mini_items)
            else:
                assert set(real_items) == set(mini_items), (argv, real_items, mini_items)
            return
        pair.check(*argv)
        return
    random_pick = (command == "SRANDMEMBER" and argv[2:] in ((), ("2",), ("-3",))) or (
        command == "HRANDFIELD" and argv[2:3] in ((), ("2",), ("-3",)))
    if random_pick:
        real, mini = pair.both(*argv)
        _check_random(pair, argv, real, mini)
        return
    encoding = _encoding(pair.real, argv[1]) if len(argv) > 1 else b""
    real, mini = pair.both(*argv)
    if command in SET_ORDERED or command == "SRANDMEMBER":
        _check_set_order(argv, real, mini)
    elif command in HASH_ORDERED or command == "HRANDFIELD":
        if encoding == b"listpack" or real[:1] == b"-":
            assert real == mini, (argv, real, mini)
        elif command == "HGETALL" or (command == "HRANDFIELD" and len(argv) > 3 and pair.protocol == 2):
            assert comparers.sorted_pairs(real, mini), (argv, real, mini)
        else:
            assert comparers.sorted_array(real, mini), (argv, real, mini)
    else:
        assert real == mini, f"{argv!r}\n real: {real!r}\n mini: {mini!r}"


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=st.lists(COMMANDS, min_size=1, max_size=30))
def test_random_hash_set_programs(pairs: Pair, program: list[tuple[Arg, ...]]) -> None:
    pairs.check("FLUSHALL")
    for argv in program:
        run_step(pairs, argv)
    for key in ("a", "b", "c", "d"):
        pairs.check("TYPE", key)
        real, mini = pairs.both("SMEMBERS", key)
        if real[:1] != b"-":
            assert comparers.sorted_array(real, mini), (key, real, mini)
        real, mini = pairs.both("HGETALL", key)
        if real[:1] != b"-":
            assert comparers.sorted_pairs(real, mini), (key, real, mini)
