"""String commands against real Redis 7.0: every command, option and error, in RESP2 and RESP3.

Each case is a sequence of commands sent to both servers, every reply compared byte for byte;
the touched keys are compared afterwards (type, value, presence of a TTL). Pinned surprises:
GET with NX is allowed (7.0), GETEX answers null for a missing key before checking its expiry,
``SET ... EXAT 1`` succeeds and the key is gone on the next read, options are cut at a NUL byte,
INCRBYFLOAT prints long doubles with ``%.17Lf`` (``5e-18`` is ``0``, ``1e30`` is not exact),
GETRANGE with both ends negative and start > end is empty before clamping, SETRANGE with an empty
value never creates a key nor checks the size, and LCS refuses when its table would exceed
``proto-max-bulk-len``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.harness import Arg, Pair, RawConnection, info_field

Case = list[tuple[Arg, ...]]

CASES: dict[str, Case] = {
    "get_set": [
        ("GET", "k"), ("SET", "k", "v"), ("GET", "k"), ("SET", "k", ""), ("GET", "k"), ("SET", "k", b"\x00\xff\r\n"),
        ("GET", "k"), ("SET", "k", "1"), ("GET", "k"), ("SET", "k", "v", "extra"), ("GET", "k", "x"), ("SET", "k"),
    ],
    "set_nx_xx": [
        ("SET", "k", "1", "XX"), ("GET", "k"), ("SET", "k", "1", "NX"), ("SET", "k", "2", "NX"), ("GET", "k"),
        ("SET", "k", "3", "xx"), ("GET", "k"), ("SET", "k", "4", "nx", "nx"), ("SET", "k", "5", "XX", "XX"),
        ("SET", "k", "6", "NX", "XX"), ("SET", "k", "6", "XX", "NX"),
    ],
    "set_get": [
        ("SET", "k", "1", "GET"), ("SET", "k", "2", "GET"), ("SET", "k", "3", "NX", "GET"), ("GET", "k"),
        ("SET", "n", "x", "NX", "GET"), ("GET", "n"), ("SET", "m", "x", "XX", "GET"), ("GET", "m"),
        ("SET", "k", "4", "GET", "GET", "XX"), ("SET", "k", "5", "get", "ex", "100"),
        ("SET", "k", "6", "GET", "KEEPTTL"),
    ],
    "set_expiry_options": [
        ("SET", "a", "v", "EX", "100"), ("SET", "b", "v", "PX", "100000"), ("SET", "c", "v", "EXAT", "4000000000"),
        ("SET", "d", "v", "PXAT", "4000000000000"), ("SET", "e", "v", "ex", "10", "ex", "100"),
        ("SET", "f", "v", "EXAT", "9223372036854775"), ("SET", "g", "v", "PXAT", "9223372036854775807"),
        ("SET", "a", "w", "KEEPTTL"), ("SET", "b", "w"), ("PEXPIRETIME", "c"), ("PEXPIRETIME", "d"),
        ("PEXPIRETIME", "f"), ("PEXPIRETIME", "g"), ("TTL", "a"), ("TTL", "b"), ("TTL", "e"),
    ],
    "set_expiry_errors": [
        ("SET", "k", "v", "EX", "0"), ("SET", "k", "v", "EX", "-1"), ("SET", "k", "v", "PX", "0"),
        ("SET", "k", "v", "EXAT", "0"), ("SET", "k", "v", "PXAT", "-5"), ("SET", "k", "v", "EX", "abc"),
        ("SET", "k", "v", "EX", "1.5"), ("SET", "k", "v", "EX", "+1"), ("SET", "k", "v", "EX", " 1"),
        ("SET", "k", "v", "EX", "9223372036854775"), ("SET", "k", "v", "EX", "9223372036854776"),
        ("SET", "k", "v", "PX", "9223372036854775807"), ("SET", "k", "v", "EX", "9223372036854775808"),
        ("SET", "k", "v", "EXAT", "9223372036854776"), ("SET", "k", "v", "EX", ""), ("GET", "k"),
    ],
    "set_syntax_errors": [
        ("SET", "k", "v", "EX"), ("SET", "k", "v", "PX"), ("SET", "k", "v", "EXAT"), ("SET", "k", "v", "PXAT"),
        ("SET", "k", "v", "EX", "10", "PX", "100"), ("SET", "k", "v", "PX", "10", "EX", "100"),
        ("SET", "k", "v", "EXAT", "10", "PXAT", "100"), ("SET", "k", "v", "KEEPTTL", "EX", "10"),
        ("SET", "k", "v", "EX", "10", "KEEPTTL"), ("SET", "k", "v", "PERSIST"), ("SET", "k", "v", "FOO"),
        ("SET", "k", "v", "EX", "EX"), ("SET", "k", "v", "NX", "EX"), ("SET", "k", "v", "GETX"),
        ("SET", "k", "v", "KEEPTTL", "KEEPTTL"), ("SET", "k", "v", ""), ("GET", "k"),
    ],
    "set_error_precedence": [
        # Syntax before the expiry value, the expiry value before GET's type check.
        ("SET", "k", "v", "EX", "abc", "FOO"), ("SET", "k", "v", "EX", "0", "XX", "NX"),
        ("SET", "k", "v", "EX", "0", "GET"), ("SET", "k", "v", "EX", "0", "NX"),
    ],
    "set_options_cut_at_nul": [
        ("SET", "k", "v"), ("SET", "k", "w", b"nx\x00junk"), ("GET", "k"), ("SET", "k", "w", b"ex\x00", "100"),
        ("GET", "k"), ("SET", "k", "x", b"get\x00"), ("SET", "k", "y", b"\x00nx"),
    ],
    "set_past_expiry": [
        ("SET", "k", "v", "EXAT", "1"), ("GET", "k"), ("SET", "k", "v", "PXAT", "1", "GET"), ("EXISTS", "k"),
        ("SET", "k", "v"), ("SET", "k", "w", "PXAT", "1", "GET"), ("GET", "k"),
    ],
    "setnx_setex_psetex": [
        ("SETNX", "k", "1"), ("SETNX", "k", "2"), ("GET", "k"), ("SETEX", "k", "100", "v"), ("GET", "k"),
        ("TTL", "k"), ("PSETEX", "p", "100000", "v"), ("GET", "p"), ("SETEX", "k", "0", "v"),
        ("SETEX", "k", "-10", "v"), ("SETEX", "k", "abc", "v"), ("PSETEX", "k", "0", "v"),
        ("PSETEX", "k", "9223372036854775807", "v"), ("SETEX", "k", "9223372036854776", "v"),
        ("SETEX", "k", "9223372036854775", "v"), ("SETEX", "k", "100"), ("SETNX", "k"), ("PSETEX", "k", "1"),
        ("SETEX", "k", "1.5", "v"),
    ],
    "getset_getdel": [
        ("GETSET", "k", "1"), ("GETSET", "k", "2"), ("GET", "k"), ("SET", "t", "v", "EX", "100"),
        ("GETSET", "t", "w"), ("TTL", "t"), ("GETDEL", "k"), ("GETDEL", "k"), ("GET", "k"), ("GETDEL", "t"),
        ("GETSET", "k"), ("GETDEL", "k", "x"),
    ],
    "getex": [
        ("GETEX", "missing"), ("GETEX", "missing", "EX", "abc"), ("GETEX", "missing", "EX", "0"),
        ("GETEX", "missing", "PERSIST"), ("GETEX", "missing", "FOO"), ("SET", "k", "v"), ("GETEX", "k"),
        ("TTL", "k"), ("GETEX", "k", "EX", "100"), ("TTL", "k"), ("GETEX", "k", "PX", "200000"), ("TTL", "k"),
        ("GETEX", "k", "EXAT", "4000000000"), ("EXPIRETIME", "k"), ("GETEX", "k", "PXAT", "4000000000000"),
        ("PEXPIRETIME", "k"), ("GETEX", "k", "PERSIST"), ("TTL", "k"), ("GETEX", "k", "PERSIST"),
        ("GETEX", "k", "persist", "persist"), ("GETEX", "k", "EX", "10", "EX", "100"), ("TTL", "k"),
        ("GETEX", "k", "EX", "0"), ("GETEX", "k", "EX", "-1"), ("GETEX", "k", "PX", "abc"),
        ("GETEX", "k", "EX", "9223372036854776"), ("GETEX", "k", "PX", "9223372036854775807"),
        ("GETEX", "k", "EXAT", "1"), ("GET", "k"), ("SET", "k", "v"), ("GETEX", "k", "PXAT", "1"), ("EXISTS", "k"),
    ],
    "getex_syntax": [
        ("SET", "k", "v"), ("GETEX", "k", "NX"), ("GETEX", "k", "XX"), ("GETEX", "k", "GET"),
        ("GETEX", "k", "KEEPTTL"), ("GETEX", "k", "EX"), ("GETEX", "k", "PERSIST", "EX", "10"),
        ("GETEX", "k", "EX", "10", "PERSIST"), ("GETEX", "k", "EX", "10", "PX", "10"),
        ("GETEX", "k", "EXAT", "10", "PXAT", "10"), ("GETEX", "k", "FOO"), ("GETEX", "k", b"persist\x00x"),
        ("GETEX", "missing", "NX"), ("GETEX", "k", "EX", "abc", "FOO"), ("GETEX",),
    ],
    "mget_mset_msetnx": [
        ("MSET", "a", "1", "b", "2"), ("MGET", "a", "b", "c"), ("MSET", "a", "1", "b"), ("MSET", "a"),
        ("MSET", "a", "x", "a", "y"), ("GET", "a"), ("MSETNX", "a", "1", "c", "3"), ("GET", "c"),
        ("MSETNX", "c", "3", "d", "4"), ("MGET", "c", "d"), ("MSETNX", "x", "1", "x", "2"), ("GET", "x"),
        ("MSETNX", "e"), ("MSETNX", "e", "1", "f"), ("MGET",), ("MGET", "missing"),
        ("SET", "t", "v", "EX", "100"), ("MSET", "t", "w"), ("TTL", "t"),
    ],
    "append_strlen": [
        ("APPEND", "k", ""), ("EXISTS", "k"), ("STRLEN", "k"), ("APPEND", "k", "ab"), ("APPEND", "k", "cd"),
        ("GET", "k"), ("STRLEN", "k"), ("STRLEN", "missing"), ("SET", "n", "10"), ("APPEND", "n", "5"), ("GET", "n"),
        ("INCR", "n"), ("SET", "t", "v", "EX", "100"), ("APPEND", "t", "w"), ("TTL", "t"), ("APPEND", "k"),
        ("STRLEN", "k", "x"), ("APPEND", "e", b"\x00\x01"), ("STRLEN", "e"),
    ],
    "incr_decr": [
        ("INCR", "n"), ("INCR", "n"), ("DECR", "n"), ("INCRBY", "n", "10"), ("DECRBY", "n", "20"),
        ("INCRBY", "n", "-5"), ("DECRBY", "n", "-5"), ("GET", "n"), ("INCRBY", "n", "0"), ("DECR", "new"),
        ("INCRBY", "n2", "9223372036854775807"), ("INCR", "n2"), ("INCRBY", "n3", "-9223372036854775808"),
        ("DECR", "n3"), ("DECRBY", "n3", "1"), ("DECRBY", "x", "-9223372036854775808"),
        ("INCRBY", "n", "9223372036854775808"), ("INCRBY", "n", "1.5"), ("INCRBY", "n", "+1"), ("INCRBY", "n", "01"),
        ("INCRBY", "n", " 1"), ("INCRBY", "n", ""), ("INCRBY", "n", "-0"), ("INCRBY", "n", "1e3"),
        ("SET", "t", "5", "EX", "100"), ("INCR", "t"), ("TTL", "t"), ("INCR",), ("INCRBY", "n"),
        ("DECRBY", "n", "1", "2"),
    ],
    "incr_not_integer_values": [
        ("SET", "a", "+1"), ("INCR", "a"), ("SET", "a", "01"), ("INCR", "a"), ("SET", "a", " 1"), ("INCR", "a"),
        ("SET", "a", "1 "), ("INCR", "a"), ("SET", "a", "1.0"), ("INCR", "a"), ("SET", "a", ""), ("INCR", "a"),
        ("SET", "a", "-0"), ("DECR", "a"), ("SET", "a", "abc"), ("INCRBY", "a", "1"), ("DECRBY", "a", "x"),
        ("SET", "a", "9223372036854775808"), ("INCR", "a"), ("SET", "a", b"1\x00"), ("INCR", "a"),
        ("SET", "a", "0"), ("INCR", "a"), ("SET", "a", "-1"), ("INCR", "a"), ("INCR", "a"),
    ],
    "incrbyfloat": [
        ("INCRBYFLOAT", "f", "0.1"), ("INCRBYFLOAT", "f", "0.2"), ("INCRBYFLOAT", "f", "1e20"),
        ("INCRBYFLOAT", "g", "-0.0"), ("GET", "g"), ("INCRBYFLOAT", "h", "3.0e5"), ("INCRBYFLOAT", "h", "-3.0e5"),
        ("INCRBYFLOAT", "i", "10.5"), ("INCRBYFLOAT", "i", "0.1"), ("INCRBYFLOAT", "i", "-10.6"),
        ("INCRBYFLOAT", "j", "5.0e3"), ("INCRBYFLOAT", "j", "2.0e-3"), ("INCRBYFLOAT", "k", "1.7976931348623157e308"),
        ("INCRBYFLOAT", "k", "1.7976931348623157e308"), ("INCRBYFLOAT", "l", "1.23456789012345678901234"),
        ("INCRBYFLOAT", "m", "123456789012345678901234567890"), ("INCRBYFLOAT", "m2", "1e30"),
        ("SET", "n", "9223372036854775807"), ("INCRBYFLOAT", "n", "1"), ("INCRBYFLOAT", "o", "1e-17"),
        ("INCRBYFLOAT", "o2", "5e-18"), ("INCRBYFLOAT", "o3", "1.5e-17"), ("INCRBYFLOAT", "o4", "-5e-18"),
        ("INCRBYFLOAT", "o5", "0.000003814697265625"), ("INCRBYFLOAT", "o6", "1e-20"), ("INCRBYFLOAT", "o7", "-1e-20"),
        ("INCRBYFLOAT", "p", "0x10"), ("INCRBYFLOAT", "p", "0x1p-3"), ("INCRBYFLOAT", "p", "0X1.8P+1"),
        ("INCRBYFLOAT", "p", "0x.8"), ("INCRBYFLOAT", "q", ".5"), ("INCRBYFLOAT", "q", "5."),
        ("INCRBYFLOAT", "q", "+1.5"), ("INCRBYFLOAT", "q", "1E3"), ("INCRBYFLOAT", "r", "0e99999999999"),
        ("INCRBYFLOAT", "r", "1e0000000000000000000000000001"), ("INCRBYFLOAT", "s", "1e4000"),
        ("INCRBYFLOAT", "s", "1e4000"), ("INCRBYFLOAT", "s2", "1.18973149535723176502e+4932"),
        ("INCRBYFLOAT", "s3", "1e-4940"), ("INCRBYFLOAT", "s4", "3.6e-4951"), ("INCRBYFLOAT", "u", "-1.5"),
        ("INCRBYFLOAT", "u", "1.5"), ("INCRBYFLOAT", "v", "12345678901234567.123"),
        ("INCRBYFLOAT", "v2", "0.99999999999999999999"), ("INCRBYFLOAT", "v3", "18446744073709551617"),
        ("INCRBYFLOAT", "w", "0x1.fffffffffffffffep16383"), ("INCRBYFLOAT", "w2", "0x1p-16445"),
        ("INCRBYFLOAT", "w3", "0x1p-16446"), ("INCRBYFLOAT", "w4", "0x1p-16447"),
    ],
    "incrbyfloat_errors": [
        ("INCRBYFLOAT", "f", "abc"), ("INCRBYFLOAT", "f", "nan"), ("INCRBYFLOAT", "f", "-nan"),
        ("INCRBYFLOAT", "f", "inf"), ("INCRBYFLOAT", "f", "-inf"), ("INCRBYFLOAT", "f", "infinity"),
        ("INCRBYFLOAT", "f", "INF"), ("INCRBYFLOAT", "f", "1e5000"), ("INCRBYFLOAT", "f", "1e-5000"),
        ("INCRBYFLOAT", "f", "1.18973149535723176508e+4932"), ("INCRBYFLOAT", "f", "1e-4952"),
        ("INCRBYFLOAT", "f", " 1"), ("INCRBYFLOAT", "f", "1 "), ("INCRBYFLOAT", "f", ""), ("INCRBYFLOAT", "f", "1e"),
        ("INCRBYFLOAT", "f", "1e+"), ("INCRBYFLOAT", "f", "0x"), ("INCRBYFLOAT", "f", "1_0"),
        ("INCRBYFLOAT", "f", b"1\x002"), ("INCRBYFLOAT", "f", "0x1p"), ("INCRBYFLOAT", "f", "--1"),
        ("INCRBYFLOAT", "f", "0x1.ffffffffffffffffp16383"), ("INCRBYFLOAT", "f", "0" * 5119 + "1"),
        ("INCRBYFLOAT", "f", "0" * 5118 + "1"), ("SET", "g", "1e4932"), ("INCRBYFLOAT", "g", "1e4932"),
        ("SET", "g", "inf"), ("INCRBYFLOAT", "g", "abc"), ("INCRBYFLOAT", "g", "1"), ("SET", "g", "-inf"),
        ("INCRBYFLOAT", "g", "inf"), ("SET", "g", "abc"), ("INCRBYFLOAT", "g", "1"), ("SET", "g", " 1"),
        ("INCRBYFLOAT", "g", "1"), ("SET", "g", "0" * 5120), ("INCRBYFLOAT", "g", "1"), ("SET", "g", "0" * 5119),
        ("INCRBYFLOAT", "g", "1"), ("SET", "t", "1", "EX", "100"), ("INCRBYFLOAT", "t", "0.5"), ("TTL", "t"),
        ("INCRBYFLOAT", "f"), ("INCRBYFLOAT", "f", "1", "2"),
    ],
    "getrange_substr": [
        ("SET", "s", "Hello"), ("GETRANGE", "s", "0", "-1"), ("GETRANGE", "s", "-3", "-1"),
        ("GETRANGE", "s", "-1", "-3"), ("GETRANGE", "s", "-100", "-50"), ("GETRANGE", "s", "-100", "100"),
        ("GETRANGE", "s", "3", "2"), ("GETRANGE", "s", "5", "10"), ("GETRANGE", "s", "4", "10"),
        ("GETRANGE", "s", "0", "-100"), ("GETRANGE", "s", "-1", "-1"), ("GETRANGE", "s", "1", "-2"),
        ("GETRANGE", "s", "-9223372036854775808", "9223372036854775807"), ("GETRANGE", "missing", "0", "-1"),
        ("GETRANGE", "s", "a", "1"), ("GETRANGE", "missing", "a", "1"), ("GETRANGE", "s", "0", "1.5"),
        ("GETRANGE", "s", "0", "9223372036854775808"), ("SET", "e", ""), ("GETRANGE", "e", "0", "-1"),
        ("GETRANGE", "e", "0", "0"), ("GETRANGE", "e", "-1", "0"), ("SUBSTR", "s", "1", "3"),
        ("SUBSTR", "s", "-2", "-1"), ("SUBSTR", "missing", "0", "1"), ("SUBSTR", "s", "x", "1"),
        ("SET", "n", "12345"), ("GETRANGE", "n", "1", "2"), ("GETRANGE", "s", "0"), ("SUBSTR", "s", "0", "1", "2"),
    ],
    "setrange": [
        ("SETRANGE", "k", "0", ""), ("EXISTS", "k"), ("SETRANGE", "k", "3", ""), ("SETRANGE", "k", "3", "ab"),
        ("GET", "k"), ("SETRANGE", "k", "1", ""), ("SETRANGE", "k", "1", "xyz"), ("GET", "k"),
        ("SETRANGE", "k", "10", "z"), ("GET", "k"), ("SETRANGE", "k", "-1", "x"), ("SETRANGE", "k", "a", "x"),
        ("SETRANGE", "k", "1.0", "x"), ("SETRANGE", "k", "536870911", ""), ("SETRANGE", "k", "536870912", "x"),
        ("SETRANGE", "new", "536870912", ""), ("SETRANGE", "new", "536870912", "x"),
        ("SETRANGE", "new", "536870911", "xy"),
        ("SETRANGE", "new", "9223372036854775807", "x"), ("EXISTS", "new"), ("SETRANGE", "new", "-1", ""),
        ("SET", "t", "abc", "EX", "100"), ("SETRANGE", "t", "1", "Z"), ("TTL", "t"), ("GET", "t"),
        ("SET", "n", "100"), ("SETRANGE", "n", "0", "2"), ("INCR", "n"), ("SETRANGE", "k", "0"),
    ],
    "lcs": [
        ("MSET", "a", "ohmytext", "b", "mynewtext"), ("LCS", "a", "b"), ("LCS", "a", "b", "LEN"),
        ("LCS", "a", "b", "IDX"), ("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
        ("LCS", "a", "b", "idx", "withmatchlen"), ("LCS", "a", "b", "IDX", "LEN"), ("LCS", "a", "b", "LEN", "IDX"),
        ("LCS", "a", "b", "MINMATCHLEN"), ("LCS", "a", "b", "MINMATCHLEN", "x"),
        ("LCS", "a", "b", "MINMATCHLEN", "-5", "IDX"), ("LCS", "a", "b", "FOO"), ("LCS", "a", "missing", "IDX"),
        ("LCS", "missing", "other"), ("LCS", "missing", "other", "LEN"), ("LCS", "a", "b", "WITHMATCHLEN"),
        ("LCS", "a", "b", "MINMATCHLEN", "3", "LEN"), ("LCS", "a", "a", "IDX", "WITHMATCHLEN"),
        ("LCS", "a", "b", b"len\x00x"), ("LCS", "a", "b", "IDX", "MINMATCHLEN", "2", "MINMATCHLEN", "9"),
        ("LCS", "a", "b", "IDX", "MINMATCHLEN", "9223372036854775808"), ("LCS", "a"),
        ("MSET", "x", "GATTACAGATTACA", "y", "TAGACCATAGTA"), ("LCS", "x", "y"),
        ("LCS", "x", "y", "IDX", "WITHMATCHLEN"), ("LCS", "y", "x", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "2"),
        ("MSET", "x", b"\x00\x01\x02\x00", "y", b"\x02\x00"), ("LCS", "x", "y", "IDX"), ("LCS", "x", "y"),
    ],
    "arity": [
        ("GET",), ("SET", "k"), ("SETNX", "k"), ("GETSET", "k"), ("GETDEL",), ("STRLEN",), ("APPEND", "k"),
        ("INCR",), ("DECR", "a", "b"), ("INCRBY", "k"), ("DECRBY", "k"), ("GETRANGE", "k", "0"), ("SUBSTR", "k"),
        ("SETRANGE", "k", "0"), ("LCS", "a"), ("MGET",), ("MSET", "k"), ("MSETNX", "k"), ("PSETEX", "k", "1"),
    ],
}


@pytest.mark.parametrize("name", list(CASES))
def test_strings(pairs: Pair, name: str) -> None:
    keys: set[Arg] = set()
    for argv in CASES[name]:
        pairs.check(*argv)
        if len(argv) > 1:
            keys.add(argv[1])
    pairs.state(*sorted(keys, key=str))


def test_long_strings(pairs: Pair) -> None:
    big = "x" * 100_000
    pairs.check("SET", "k", big)
    pairs.check("APPEND", "k", big)
    pairs.check("STRLEN", "k")
    pairs.check("GETRANGE", "k", "99990", "100010")
    pairs.check("SETRANGE", "k", "199999", "yz")
    pairs.check("GETRANGE", "k", "-3", "-1")


def test_lcs_large(pairs: Pair) -> None:
    import random

    rnd = random.Random(3)
    a = "".join(rnd.choice("ACGT") for _ in range(2000))
    b = "".join(rnd.choice("ACGT") for _ in range(1500))
    pairs.check("MSET", "a", a, "b", b)
    pairs.check("LCS", "a", "b", "LEN")
    pairs.check("LCS", "a", "b")
    pairs.check("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")
    pairs.check("MSET", "a", "x" * 12000, "b", "x" * 12000)
    pairs.check("LCS", "a", "b", "LEN")


def test_limits_follow_proto_max_bulk_len(pair: Pair) -> None:
    pair.check("CONFIG", "SET", "proto-max-bulk-len", "1mb")
    try:
        pair.check("SET", "k", "x" * (1024 * 1024 - 1))
        pair.check("APPEND", "k", "y")
        pair.check("APPEND", "k", "z")
        pair.check("APPEND", "k", "")
        pair.check("SETRANGE", "k", str(1024 * 1024 - 1), "Q")
        pair.check("SETRANGE", "k", str(1024 * 1024), "Q")
        pair.check("SETRANGE", "n", str(1024 * 1024), "Q")
        pair.check("MSET", "a", "a" * 400, "b", "b" * 400)
        pair.check("LCS", "a", "b", "LEN")
        pair.check("MSET", "a", "a" * 600, "b", "b" * 600)
        pair.check("LCS", "a", "b", "LEN")
        pair.check("LCS", "a", "b", "IDX", "LEN")
    finally:
        pair.check("CONFIG", "SET", "proto-max-bulk-len", "512mb")


# --- WRONGTYPE ------------------------------------------------------------------------------------

_NON_STRING_MAKERS: list[tuple[Arg, ...]] = [
    ("HSET", "w", "f", "v"), ("SADD", "w", "m"), ("RPUSH", "w", "e"), ("ZADD", "w", "1", "m"),
    ("XADD", "w", "1-1", "f", "v"),
]


def make_non_string(pair: Pair) -> None:
    """Create key ``w`` holding a non-string value with the first command both servers serve."""
    for argv in _NON_STRING_MAKERS:
        real, mini = pair.both(*argv)
        if not mini.startswith(b"-ERR unknown command"):
            assert real == mini, (argv, real, mini)
            return
    pytest.skip("miniredis serves no command that creates a non-string key yet")


WRONGTYPE_CASES: list[tuple[Arg, ...]] = [
    ("GET", "w"), ("SET", "w", "v", "GET"), ("SET", "w", "v", "NX", "GET"), ("SET", "w", "v", "XX", "GET"),
    ("SET", "w", "v", "EX", "abc", "GET"), ("SET", "w", "v", "EX", "0", "GET"), ("SET", "w", "v", "FOO", "GET"),
    ("GETSET", "w", "v"), ("GETDEL", "w"), ("GETEX", "w"), ("GETEX", "w", "EX", "abc"), ("GETEX", "w", "FOO"),
    ("GETEX", "w", "PERSIST"), ("APPEND", "w", "x"), ("STRLEN", "w"), ("INCR", "w"), ("DECR", "w"),
    ("INCRBY", "w", "1"), ("INCRBY", "w", "x"), ("DECRBY", "w", "1"), ("DECRBY", "w", "-9223372036854775808"),
    ("INCRBYFLOAT", "w", "1"), ("INCRBYFLOAT", "w", "abc"), ("GETRANGE", "w", "0", "1"),
    ("GETRANGE", "w", "x", "1"), ("SUBSTR", "w", "0", "1"), ("SETRANGE", "w", "0", "x"), ("SETRANGE", "w", "0", ""),
    ("SETRANGE", "w", "-1", "x"), ("SETRANGE", "w", "536870912", "x"), ("LCS", "w", "s"), ("LCS", "s", "w"),
    ("LCS", "w", "s", "FOO"), ("LCS", "w", "s", "IDX", "LEN"), ("MGET", "w", "s", "missing"), ("SETNX", "w", "v"),
    ("MSETNX", "w", "v", "z", "v"), ("SET", "w", "v", "NX"),
]


def test_wrongtype(pairs: Pair) -> None:
    make_non_string(pairs)
    pairs.check("SET", "s", "str")
    for argv in WRONGTYPE_CASES:
        pairs.check(*argv)
    pairs.state("w", "s", "z")
    # A plain SET (and MSET) replaces a value of any type.
    pairs.check("SET", "w", "v")
    pairs.state("w")
    pairs.check("DEL", "w")
    make_non_string(pairs)
    pairs.check("SETEX", "w", "100", "v")
    pairs.state("w")
    pairs.check("DEL", "w")
    make_non_string(pairs)
    pairs.check("MSET", "w", "v")
    pairs.state("w")


# --- keyspace events ------------------------------------------------------------------------------

EVENT_CASES: list[tuple[Arg, ...]] = [
    ("SET", "k", "v"), ("SET", "k", "v", "EX", "100"), ("SET", "k", "w", "NX"), ("SET", "k", "w", "XX", "GET"),
    ("SET", "k", "v", "KEEPTTL"), ("SETNX", "n", "1"), ("SETNX", "n", "1"), ("SETEX", "e", "100", "v"),
    ("PSETEX", "e", "100000", "v"), ("GETSET", "k", "x"), ("MSET", "a", "1", "b", "2"), ("MSETNX", "a", "1"),
    ("MSETNX", "c", "1", "d", "2"), ("APPEND", "k", "y"), ("APPEND", "z", ""), ("INCR", "a"), ("DECRBY", "a", "5"),
    ("INCRBYFLOAT", "a", "1.5"), ("INCRBYFLOAT", "a", "inf"), ("SETRANGE", "b", "3", "x"), ("SETRANGE", "b", "0", ""),
    ("GETEX", "k"), ("GETEX", "k", "EX", "100"), ("GETEX", "k", "PERSIST"), ("GETEX", "k", "PERSIST"),
    ("GETEX", "k", "EXAT", "1"), ("GETDEL", "b"), ("GETDEL", "b"), ("SET", "p", "v", "PXAT", "1"), ("GET", "p"),
    ("GET", "a"), ("MGET", "a", "b"), ("STRLEN", "a"), ("GETRANGE", "a", "0", "1"), ("LCS", "a", "c"),
]


def _events_until_marker(conn: RawConnection) -> list[bytes]:
    events: list[bytes] = []
    for _ in range(64):  # bounded: every case emits a handful of events, then the marker's two
        reply = conn.read_reply(2.0)
        assert reply, f"no keyspace event from {conn!r} after {events!r}"
        if b"__keyevent@0__:set" in reply and b"__marker" in reply:
            return events
        if b"__marker" not in reply:
            events.append(reply)
    raise AssertionError(f"marker never came from {conn!r}: {events!r}")


def test_keyspace_events(pair_factory: Callable[..., Pair]) -> None:
    pub, sub = pair_factory(2), pair_factory(2)
    real, mini = sub.both("PSUBSCRIBE", "__key*__:*")
    if mini.startswith(b"-ERR unknown command"):
        sub.real.send("PUNSUBSCRIBE")
        pytest.skip("miniredis does not serve PSUBSCRIBE yet")
    assert real == mini
    pub.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        for argv in EVENT_CASES:
            pub.check(*argv)
            pub.check("SET", "__marker", "x")
            real_events, mini_events = _events_until_marker(sub.real), _events_until_marker(sub.mini)
            assert real_events == mini_events, (argv, real_events, mini_events)
    finally:
        pub.check("CONFIG", "SET", "notify-keyspace-events", "")


# --- INFO keyspace_hits / keyspace_misses ---------------------------------------------------------

STATS_CASES: list[tuple[Arg, ...]] = [
    ("GET", "a"), ("GET", "zz"), ("MGET", "a", "b", "zz", "w"), ("SET", "a", "1", "GET"),
    ("SET", "n", "1", "NX", "GET"),
    ("GETSET", "a", "2"), ("GETDEL", "b"), ("GETDEL", "b"), ("GETEX", "a"), ("GETEX", "zz"), ("STRLEN", "a"),
    ("STRLEN", "zz"), ("GETRANGE", "a", "0", "1"), ("GETRANGE", "zz", "0", "1"), ("LCS", "a", "zz"), ("LCS", "w", "a"),
    ("LCS", "a", "w"), ("APPEND", "a", "1"), ("INCR", "a"), ("INCRBYFLOAT", "a", "1"), ("SETRANGE", "a", "0", "1"),
    ("SETNX", "a", "1"), ("MSETNX", "a", "1"), ("SET", "a", "1", "XX"), ("GET", "w"),
]


def test_keyspace_hits_and_misses(pair: Pair) -> None:
    make_non_string(pair)
    pair.check("MSET", "a", "1", "b", "2")
    for argv in STATS_CASES:
        pair.check("CONFIG", "RESETSTAT")
        pair.check(*argv)
        real = [info_field(pair.real, "stats", name) for name in ("keyspace_hits", "keyspace_misses")]
        mini = [info_field(pair.mini, "stats", name) for name in ("keyspace_hits", "keyspace_misses")]
        assert real == mini, (argv, real, mini)
