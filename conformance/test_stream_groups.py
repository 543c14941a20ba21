"""Differential cases for the consumer-group commands, RESP2 and RESP3: XGROUP (every subcommand and
option, HELP), XREADGROUP (``>``, history, NOACK, COUNT, several keys, errors), XACK, XPENDING (summary
and extended, IDLE, exclusive bounds, consumer), XCLAIM (IDLE/TIME/RETRYCOUNT/FORCE/JUSTID/LASTID),
XAUTOCLAIM (cursor, COUNT, JUSTID, deleted IDs), XINFO GROUPS/CONSUMERS/STREAM FULL, and blocked
XREADGROUP clients (woken by XADD, timed out, failed when the key or the group goes away).

Replies are compared byte for byte except where a reply carries a clock reading: idle times and
delivery/seen times are compared by ``clock_fields``, defined here with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from conformance.harness import Pair, wait_blocked

# --- the one loose comparer of this file -------------------------------------------------------------
_CLOCK_PATTERNS = (
    re.compile(rb"(\$4\r\nidle\r\n):(\d+)\r\n"),  # XINFO CONSUMERS idle
    re.compile(rb"(\$9\r\nseen-time\r\n):(\d+)\r\n"),  # XINFO STREAM FULL consumers
    re.compile(rb"(\r\n):(1\d{12})\r\n"),  # absolute delivery times (XINFO STREAM FULL, TIME-less XCLAIM)
    # XPENDING extended entries: [id, consumer, idle, deliveries] -> the idle.
    re.compile(rb"(\*4\r\n\$\d+\r\n[0-9]+-[0-9]+\r\n\$\d+\r\n[^\r]*\r\n):(\d+)\r\n(?=:\d+\r\n)"),
)
CLOCK_TOLERANCE_MS = 1500


def clock_fields(real: bytes, mini: bytes) -> bool:
    """Idle times and delivery/seen times are readings of each server's own clock, taken a few
    milliseconds apart: those integers may differ by up to CLOCK_TOLERANCE_MS, all else must match."""
    real_values: list[int] = []
    mini_values: list[int] = []

    def masker(values: list[int]) -> Callable[[re.Match[bytes]], bytes]:
        def mask(match: re.Match[bytes]) -> bytes:
            values.append(int(match.group(2)))
            return match.group(1) + b":<clock>\r\n"

        return mask

    for pattern in _CLOCK_PATTERNS:
        real = pattern.sub(masker(real_values), real)
        mini = pattern.sub(masker(mini_values), mini)
    if real != mini or len(real_values) != len(mini_values):
        return False
    return all(abs(a - b) <= CLOCK_TOLERANCE_MS for a, b in zip(real_values, mini_values, strict=True))


def test_clock_fields_comparer_is_strict_elsewhere() -> None:
    base = b"*1\r\n*6\r\n$4\r\nname\r\n$1\r\nc\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:%d\r\n"
    assert clock_fields(base % 5, base % 7)
    assert not clock_fields(base % 5, base % 5000)
    assert not clock_fields(base % 5, base.replace(b":1\r\n", b":2\r\n") % 5)


# --- helpers -------------------------------------------------------------------------------------------
def setup(pair: Pair, *commands: tuple[str, ...]) -> None:
    for argv in commands:
        pair.check(*argv)


def stream_of(n: int, key: str = "s") -> list[tuple[str, ...]]:
    return [("XADD", key, f"{i}-1", "f", str(i)) for i in range(1, n + 1)]


def group_state(pair: Pair, key: str = "s", *groups: str) -> None:
    pair.check("XINFO", "GROUPS", key)
    for group in groups:
        pair.check("XINFO", "CONSUMERS", key, group, compare=clock_fields)
        pair.check("XPENDING", key, group)
        pair.check("XPENDING", key, group, "-", "+", "100", compare=clock_fields)


# --- XGROUP ------------------------------------------------------------------------------------------
def test_xgroup_help_and_arity(pairs: Pair) -> None:
    for argv in (("XGROUP", "HELP"), ("XGROUP", "help"), ("XGROUP", "HELP", "x"), ("XGROUP", "FOO"),
                 ("XGROUP", "CREATE", "s"), ("XGROUP", "CREATE", "s", "g"), ("XGROUP", "DESTROY", "s", "g", "x"),
                 ("XGROUP", "CREATECONSUMER", "s", "g"), ("XGROUP", "DELCONSUMER", "s", "g", "c", "d"),
                 ("XGROUP", "SETID", "s", "g"), ("XGROUP",)):
        pairs.check(*argv)


def test_xgroup_create_options_and_errors(pairs: Pair) -> None:
    for argv in (
        ("XGROUP", "CREATE", "s", "g", "$"),
        ("XGROUP", "CREATE", "s", "g", "bad"),
        ("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "x"),
        ("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "-2", "MKSTREAM"),
        ("XGROUP", "CREATE", "s", "g", "0", "BOGUS"),
        ("xgroup", "Create", "s", "g", "0", "bogus"),
        ("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD"),
        ("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "1", "ENTRIESREAD", "2"),
        ("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM", "MKSTREAM", "ENTRIESREAD", "1"),
        ("XGROUP", "CREATE", "s", "g", "+", "MKSTREAM"),
        ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
        ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
        ("XGROUP", "CREATE", "s", "g", "bad"),
        ("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-1"),
        ("XGROUP", "CREATE", "s", "g3", "5-5", "entriesread", "3", "mkstream"),
        ("XGROUP", "CREATE", "s", "g4", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM"),
        ("XGROUP", "CREATE", "s", "g5", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"),
        ("XGROUP", "CREATE", "s", "", "0"),
        ("XGROUP", "CREATE", "s", "big", "0", "ENTRIESREAD", "9223372036854775807"),
        ("SET", "str", "x"),
        ("XGROUP", "CREATE", "str", "g", "$"),
        ("XGROUP", "CREATE", "str", "g", "$", "MKSTREAM"),
        ("XGROUP", "CREATE", "str", "g", "0", "ENTRIESREAD", "x"),
    ):
        pairs.check(*argv)
    pairs.check("XINFO", "GROUPS", "s")
    pairs.check("TYPE", "s")


def test_xgroup_create_id_and_entries_read_defaults(pairs: Pair) -> None:
    setup(pairs, *stream_of(3))
    setup(pairs, ("XGROUP", "CREATE", "s", "dollar", "$"), ("XGROUP", "CREATE", "s", "zero", "0"),
          ("XGROUP", "CREATE", "s", "mid", "2-1"), ("XGROUP", "CREATE", "s", "ahead", "9-0"),
          ("XGROUP", "CREATE", "s", "counted", "$", "ENTRIESREAD", "7"))
    pairs.check("XINFO", "GROUPS", "s")
    pairs.check("XINFO", "STREAM", "s")


def test_xgroup_setid(pairs: Pair) -> None:
    setup(pairs, *stream_of(4), ("XGROUP", "CREATE", "s", "g", "0"))
    for argv in (
        ("XGROUP", "SETID", "nokey", "g", "0"),
        ("XGROUP", "SETID", "s", "nog", "0"),
        ("XGROUP", "SETID", "s", "nog", "bad"),
        ("XGROUP", "SETID", "s", "nog", "0", "ENTRIESREAD", "x"),
        ("XGROUP", "SETID", "s", "g", "bad"),
        ("XGROUP", "SETID", "s", "g", "0", "MKSTREAM"),
        ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD"),
        ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "-3"),
        ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "1", "ENTRIESREAD", "2"),
        ("XGROUP", "SETID", "s", "g", "2-1", "ENTRIESREAD", "2"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "SETID", "s", "g", "$"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "SETID", "s", "g", "1", "entriesread", "-1"),
        ("XINFO", "GROUPS", "s"),
    ):
        pairs.check(*argv)


def test_xgroup_consumers_and_destroy(pairs: Pair) -> None:
    setup(pairs, *stream_of(3), ("XGROUP", "CREATE", "s", "g", "0"), ("SET", "str", "x"))
    for argv in (
        ("XGROUP", "CREATECONSUMER", "s", "g", "alice"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "alice"),
        ("XGROUP", "CREATECONSUMER", "s", "nog", "alice"),
        ("XGROUP", "CREATECONSUMER", "nokey", "g", "alice"),
        ("XGROUP", "CREATECONSUMER", "str", "g", "alice"),
        ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"),
        ("XGROUP", "DELCONSUMER", "s", "g", "alice"),
        ("XGROUP", "DELCONSUMER", "s", "g", "alice"),
        ("XGROUP", "DELCONSUMER", "s", "nog", "alice"),
        ("XGROUP", "DELCONSUMER", "nokey", "g", "alice"),
        ("XPENDING", "s", "g"),
        ("XGROUP", "DESTROY", "s", "g"),
        ("XGROUP", "DESTROY", "s", "g"),
        ("XGROUP", "DESTROY", "nokey", "g"),
        ("XGROUP", "DESTROY", "str", "g"),
        ("XINFO", "GROUPS", "s"),
    ):
        pairs.check(*argv)


# --- XREADGROUP ----------------------------------------------------------------------------------------
def test_xreadgroup_parsing_errors(pairs: Pair) -> None:
    setup(pairs, *stream_of(2), ("XGROUP", "CREATE", "s", "g", "0"), ("SET", "str", "x"))
    for argv in (
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">", "x"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "bad"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "+"),
        ("XREADGROUP", "GROUP", "g", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "COUNT", "x", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "x", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "NOACK", "FOO", "STREAMS", "s", ">"),
        ("XREADGROUP", "FOO", "g", "c", "STREAMS", "s", ">"),
        ("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">", "s", ">"),
        ("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">", "s"),
        ("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "x", "y", "z"),
        ("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "nokey", ">", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey", "s", "$", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "str", ">", "bad"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", "s", "$", "0"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s", "$", "0"),
    ):
        pairs.check(*argv)
    group_state(pairs, "s", "g")  # no consumer was created by the failures


def test_xreadgroup_new_history_count_noack(pairs: Pair) -> None:
    setup(pairs, *stream_of(6), ("XGROUP", "CREATE", "s", "g", "0"))
    for argv in (
        ("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c2", "COUNT", "-5", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "c2", "COUNT", "2", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "1-1"),
        ("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", "1"),
        ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "18446744073709551615-18446744073709551615"),
        ("XREADGROUP", "GROUP", "g", "c3", "NOACK", "COUNT", "1", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c1", "GROUP", "g", "c4", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c4", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c4", "BLOCK", "10", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "c5", "STREAMS", "s", "s", ">", "0"),
        ("XREADGROUP", "GROUP", "g", "c5", "STREAMS", "s", "s", "0", "0"),
    ):
        pairs.check(*argv)
    group_state(pairs, "s", "g")


def test_xreadgroup_deleted_entries_in_history(pairs: Pair) -> None:
    setup(pairs, *stream_of(6), ("XGROUP", "CREATE", "s", "g", "0"),
          ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"),
          ("XDEL", "s", "2-1", "4-1"), ("XTRIM", "s", "MAXLEN", "1"))
    pairs.check("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0")
    pairs.check("XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "s", "0")
    group_state(pairs, "s", "g")


def test_xreadgroup_several_keys_and_lag(pairs: Pair) -> None:
    setup(pairs, *stream_of(3, "a"), *stream_of(2, "b"), ("XGROUP", "CREATE", "a", "g", "0"),
          ("XGROUP", "CREATE", "b", "g", "$"))
    pairs.check("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">", ">")
    setup(pairs, ("XADD", "b", "9-9", "f", "v"), ("XADD", "a", "9-9", "f", "v"), ("XDEL", "a", "9-9"))
    pairs.check("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">", ">")
    pairs.check("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">", ">")
    pairs.check("XINFO", "GROUPS", "a")
    pairs.check("XINFO", "GROUPS", "b")


def test_entries_read_and_lag_through_deletions(pairs: Pair) -> None:
    setup(pairs, *stream_of(5), ("XGROUP", "CREATE", "s", "g", "0"), ("XGROUP", "CREATE", "s", "h", "0"),
          ("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">"))
    pairs.check("XINFO", "GROUPS", "s")
    setup(pairs, ("XDEL", "s", "4-1"))
    pairs.check("XINFO", "GROUPS", "s")
    setup(pairs, ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"),
          ("XREADGROUP", "GROUP", "h", "c", "COUNT", "1", "STREAMS", "s", ">"))
    pairs.check("XINFO", "GROUPS", "s")
    setup(pairs, ("XDEL", "s", "1-1"), ("XADD", "s", "7-1", "f", "v"))
    pairs.check("XINFO", "GROUPS", "s")
    setup(pairs, ("XTRIM", "s", "MAXLEN", "0"))
    pairs.check("XINFO", "GROUPS", "s")
    pairs.check("XINFO", "STREAM", "s", "FULL", compare=clock_fields)


def test_xreadgroup_inside_scripts(pairs: Pair) -> None:
    # XREADGROUP builds its entries as RESP bytes; a script must still see the nested tables.
    setup(pairs, *stream_of(3), ("XADD", "s", "9-1", "x", "1", "y", "22"), ("XGROUP", "CREATE", "s", "g", "0"))
    walk = ("local r = redis.call('xreadgroup', 'group', 'g', ARGV[1], 'count', ARGV[2], 'streams', 's', '>') "
            "return {#r, r[1][1], #r[1][2], r[1][2][1][1], r[1][2][1][2], r[1][2][#r[1][2]][2]}")
    pairs.check("EVAL", walk, "0", "c1", "2")
    resp3 = ("redis.setresp(3) local r = redis.call('xreadgroup', 'group', 'g', 'c2', 'count', '5', 'streams', "
             "'s', '>') local e = r['map']['s'] return {#e, e[1][1], e[1][2][1], e[#e][1], e[#e][2][4]}")
    pairs.check("EVAL", resp3, "0")
    pairs.check("EVAL", "return redis.call('xreadgroup', 'group', 'g', 'c1', 'streams', 's', '>')", "0")
    pairs.check("EVAL", "return redis.call('xreadgroup', 'group', 'g', 'c1', 'streams', 's', '0')", "0")
    group_state(pairs, "s", "g")


# --- XACK ----------------------------------------------------------------------------------------------
def test_xack(pairs: Pair) -> None:
    setup(pairs, *stream_of(3), ("XGROUP", "CREATE", "s", "g", "0"),
          ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"), ("SET", "str", "x"))
    for argv in (
        ("XACK", "s", "g", "bad"),
        ("XACK", "s", "g", "-"),
        ("XACK", "nokey", "g", "bad"),
        ("XACK", "s", "nog", "bad"),
        ("XACK", "str", "g", "1-1"),
        ("XACK", "s", "g", "1-1", "bad"),
        ("XACK", "s", "g", "1-1", "1-1", "1"),
        ("XACK", "s", "g", "1-1"),
        ("XACK", "s", "g", "2-1", "3-1", "4-1"),
        ("XACK", "s"),
    ):
        pairs.check(*argv)
    group_state(pairs, "s", "g")


# --- XPENDING ------------------------------------------------------------------------------------------
def test_xpending_forms_and_errors(pairs: Pair) -> None:
    setup(pairs, *stream_of(5), ("XGROUP", "CREATE", "s", "g", "0"), ("SET", "str", "x"))
    pairs.check("XPENDING", "s", "g")
    setup(pairs, ("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">"),
          ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"))
    for argv in (
        ("XPENDING", "s", "g"),
        ("XPENDING", "nokey", "g"),
        ("XPENDING", "s", "nog"),
        ("XPENDING", "str", "g"),
        ("XPENDING", "s", "g", "x"),
        ("XPENDING", "s", "g", "-", "+"),
        ("XPENDING", "s", "g", "-", "+", "x"),
        ("XPENDING", "nokey", "g", "-", "+", "x"),
        ("XPENDING", "s", "g", "-", "+", "-1"),
        ("XPENDING", "s", "g", "-", "+", "0"),
        ("XPENDING", "s", "g", "x", "+", "1"),
        ("XPENDING", "s", "g", "x", "+", "y"),
        ("XPENDING", "nokey", "g", "x", "+", "y"),
        ("XPENDING", "s", "g", "-", "x", "1"),
        ("XPENDING", "s", "g", "IDLE"),
        ("XPENDING", "s", "g", "IDLE", "5"),
        ("XPENDING", "s", "g", "IDLE", "5", "-", "+"),
        ("XPENDING", "s", "g", "IDLE", "x", "-", "+", "1"),
        ("XPENDING", "s", "g", "IDLE", "5", "x", "y", "z"),
        ("XPENDING", "s", "g", "IDLE", "5", "-", "+", "1", "c", "d"),
        ("XPENDING", "s", "g", "-", "+", "1", "c", "d", "e", "f"),
        ("XPENDING", "s", "g", "(18446744073709551615-18446744073709551615", "+", "1"),
        ("XPENDING", "s", "g", "-", "(0-0", "1"),
        ("XPENDING", "s", "g", "5", "1", "10"),
        ("XPENDING", "s", "g", "-", "+", "10", "nobody"),
    ):
        pairs.check(*argv)
    for timed in (
        ("XPENDING", "s", "g", "-", "+", "10"),
        ("XPENDING", "s", "g", "-", "+", "2"),
        ("XPENDING", "s", "g", "(1-1", "(5-1", "10"),
        ("XPENDING", "s", "g", "2", "4", "10", "alice"),
        ("XPENDING", "s", "g", "-", "+", "10", "bob", "extra"),
        ("XPENDING", "s", "g", "IDLE", "0", "-", "+", "10"),
        ("XPENDING", "s", "g", "idle", "-5", "-", "+", "10", "alice"),
        ("XPENDING", "s", "g", "IDLE", "3600000", "-", "+", "10"),
    ):
        pairs.check(*timed, compare=clock_fields)


# --- XCLAIM --------------------------------------------------------------------------------------------
def test_xclaim_errors_and_order(pairs: Pair) -> None:
    setup(pairs, ("XCLAIM", "nokey", "g", "c", "x", "bad"), *stream_of(3), ("SET", "str", "x"),
          ("XCLAIM", "s", "g", "c", "x", "1-1"), ("XGROUP", "CREATE", "s", "g", "0"),
          ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"))
    for argv in (
        ("XCLAIM", "str", "g", "c", "x", "1-1"),
        ("XCLAIM", "s", "g", "c", "x", "1-1"),
        ("XCLAIM", "s", "g", "c", "0", "bad"),
        ("XCLAIM", "s", "g", "c", "0", "1-1", "bad"),
        ("XCLAIM", "s", "g", "c", "0", "1-1", "IDLE", "x"),
        ("XCLAIM", "s", "g", "c", "0", "1-1", "TIME", "x"),
        ("XCLAIM", "s", "g", "c", "0", "1-1", "RETRYCOUNT", "x"),
        ("XCLAIM", "s", "g", "c", "0", "1-1", "LASTID", "x"),
        ("XCLAIM", "s", "g", "c", "0", "1-1", "LASTID"),
        ("XCLAIM", "s", "g", "c", "0", "1-1", "IDLE"),
        ("XCLAIM", "s", "g", "c", "0", "1-1", "FORCE", "2-1"),
        ("XCLAIM", "s", "g", "c", "0", "+"),
        ("XCLAIM", "s", "g", "c", "0", "-"),
        ("XCLAIM", "s", "g", "c", "9223372036854775807", "1-1"),
    ):
        pairs.check(*argv)
    group_state(pairs, "s", "g")


def test_xclaim_options(pairs: Pair) -> None:
    setup(pairs, *stream_of(5), ("XGROUP", "CREATE", "s", "g", "0"),
          ("XREADGROUP", "GROUP", "g", "a", "COUNT", "3", "STREAMS", "s", ">"))
    for argv in (
        ("XCLAIM", "s", "g", "b", "3600000", "1-1"),  # not idle enough: nothing, no consumer
        ("XCLAIM", "s", "g", "b", "-1", "1-1", "JUSTID"),
        ("XCLAIM", "s", "g", "b", "0", "2-1", "3-1"),
        ("XCLAIM", "s", "g", "c", "0", "2-1", "JUSTID", "RETRYCOUNT", "9"),
        ("XCLAIM", "s", "g", "c", "0", "3-1", "JUSTID", "RETRYCOUNT", "-1", "IDLE", "-5"),
        ("XCLAIM", "s", "g", "c", "0", "4-1", "JUSTID"),
        ("XCLAIM", "s", "g", "c", "0", "4-1", "FORCE", "JUSTID"),
        ("XCLAIM", "s", "g", "d", "0", "5", "FORCE"),
        ("XCLAIM", "s", "g", "d", "0", "5-1", "FORCE", "FORCE", "RETRYCOUNT", "0"),
        ("XCLAIM", "s", "g", "d", "0", "1-1", "IDLE", "9223372036854775807", "JUSTID"),
        ("XCLAIM", "s", "g", "d", "0", "1-1", "TIME", "99999999999999", "JUSTID"),
        ("XCLAIM", "s", "g", "e", "0", "1-1", "2-1", "9-9", "LASTID", "10-0", "JUSTID"),
        ("XCLAIM", "s", "g", "e", "0", "9-9", "LASTID", "11-0"),
        ("XCLAIM", "s", "g", "e", "0", "9-9", "LASTID", "1-0"),
    ):
        pairs.check(*argv)
    group_state(pairs, "s", "g")
    pairs.check("XINFO", "STREAM", "s", "FULL", compare=clock_fields)


def test_xclaim_time_option_is_kept(pairs: Pair) -> None:
    setup(pairs, *stream_of(2), ("XGROUP", "CREATE", "s", "g", "0"),
          ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"),
          ("XCLAIM", "s", "g", "b", "0", "1-1", "TIME", "1000", "JUSTID"))
    pairs.check("XINFO", "STREAM", "s", "FULL", compare=clock_fields)
    pairs.check("XCLAIM", "s", "g", "c", "1000", "1-1", "JUSTID")  # idle since 1970: claimable


def test_xclaim_drops_deleted_entries(pairs: Pair) -> None:
    setup(pairs, *stream_of(4), ("XGROUP", "CREATE", "s", "g", "0"),
          ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"), ("XDEL", "s", "2-1", "3-1"))
    pairs.check("XCLAIM", "s", "g", "b", "0", "1-1", "2-1", "3-1", "4-1")
    pairs.check("XCLAIM", "s", "g", "b", "0", "2-1", "FORCE")
    group_state(pairs, "s", "g")


# --- XAUTOCLAIM ----------------------------------------------------------------------------------------
def test_xautoclaim_errors(pairs: Pair) -> None:
    setup(pairs, *stream_of(2), ("XGROUP", "CREATE", "s", "g", "0"), ("SET", "str", "x"))
    for argv in (
        ("XAUTOCLAIM", "str", "g", "c", "x", "0"),
        ("XAUTOCLAIM", "str", "g", "c", "0", "0", "COUNT", "576460752303423487"),
        ("XAUTOCLAIM", "nokey", "g", "c", "0", "0", "COUNT", "576460752303423487"),
        ("XAUTOCLAIM", "nokey", "g", "c", "0", "0"),
        ("XAUTOCLAIM", "nokey", "g", "c", "x", "0"),
        ("XAUTOCLAIM", "s", "nog", "c", "0", "x"),
        ("XAUTOCLAIM", "s", "g", "c", "x", "0"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "x"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "-1"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "x"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423488"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423487"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "0", "JUSTID", "JUSTID", "BOGUS"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "1000000"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "+"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "-", "JUSTID"),
    ):
        pairs.check(*argv)
    group_state(pairs, "s", "g")


def test_xautoclaim_cursor_count_deleted(pairs: Pair) -> None:
    setup(pairs, *stream_of(8), ("XGROUP", "CREATE", "s", "g", "0"),
          ("XREADGROUP", "GROUP", "g", "a", "COUNT", "5", "STREAMS", "s", ">"),
          ("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"), ("XDEL", "s", "2-1", "4-1", "7-1"))
    for argv in (
        ("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "2"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "3-1", "COUNT", "1", "JUSTID"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "(3-1", "COUNT", "3"),
        ("XAUTOCLAIM", "s", "g", "c", "0", "0"),
        ("XAUTOCLAIM", "s", "g", "d", "3600000", "0", "COUNT", "1", "JUSTID"),
        ("XAUTOCLAIM", "s", "g", "d", "-5", "0", "COUNT", "1", "JUSTID"),
        ("XAUTOCLAIM", "s", "g", "d", "0", "8-1", "JUSTID"),
        ("XAUTOCLAIM", "s", "g", "d", "0", "9", "JUSTID"),
    ):
        pairs.check(*argv)
    group_state(pairs, "s", "g")


def test_xautoclaim_scan_limit_is_ten_per_count(pairs: Pair) -> None:
    setup(pairs, *stream_of(30), ("XGROUP", "CREATE", "s", "g", "0"),
          ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"),
          ("XCLAIM", "s", "g", "a", "0", "25-1", "26-1", "TIME", "1000", "JUSTID"))
    # Only 25-1 and 26-1 are idle for an hour; COUNT 1 scans 10 entries and stops with a cursor.
    pairs.check("XAUTOCLAIM", "s", "g", "b", "3600000", "0", "COUNT", "1", "JUSTID")
    pairs.check("XAUTOCLAIM", "s", "g", "b", "3600000", "11-1", "COUNT", "1", "JUSTID")
    pairs.check("XAUTOCLAIM", "s", "g", "b", "3600000", "21-1", "COUNT", "1", "JUSTID")
    pairs.check("XAUTOCLAIM", "s", "g", "b", "3600000", "26-1", "COUNT", "1", "JUSTID")


# --- XINFO ---------------------------------------------------------------------------------------------
def test_xinfo_groups_consumers_full(pairs: Pair) -> None:
    setup(pairs, ("SET", "str", "x"))
    for argv in (("XINFO", "GROUPS", "nokey"), ("XINFO", "GROUPS", "str"), ("XINFO", "CONSUMERS", "nokey", "g"),
                 ("XINFO", "CONSUMERS", "str", "g"), ("XINFO", "GROUPS"), ("XINFO", "CONSUMERS", "s")):
        pairs.check(*argv)
    setup(pairs, *stream_of(4), ("XGROUP", "CREATE", "s", "g1", "0"), ("XGROUP", "CREATE", "s", "g0", "$"),
          ("XGROUP", "CREATECONSUMER", "s", "g1", "zed"),
          ("XREADGROUP", "GROUP", "g1", "Amy", "COUNT", "3", "STREAMS", "s", ">"),
          ("XREADGROUP", "GROUP", "g1", "bob", "STREAMS", "s", ">"))
    pairs.check("XINFO", "CONSUMERS", "s", "nog")
    pairs.check("XINFO", "GROUPS", "s")
    pairs.check("XINFO", "CONSUMERS", "s", "g1", compare=clock_fields)
    pairs.check("XINFO", "CONSUMERS", "s", "g0")
    pairs.check("XINFO", "STREAM", "s")
    pairs.check("XINFO", "STREAM", "s", "FULL", compare=clock_fields)
    pairs.check("XINFO", "STREAM", "s", "FULL", "COUNT", "1", compare=clock_fields)
    pairs.check("XINFO", "STREAM", "s", "FULL", "COUNT", "0", compare=clock_fields)


# --- WATCH and keyspace ------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ("XGROUP", "CREATECONSUMER", "s", "g", "new"),
    ("XGROUP", "SETID", "s", "g", "0"),
    ("XGROUP", "DESTROY", "s", "g"),
    ("XREADGROUP", "GROUP", "g", "new", "STREAMS", "s", ">"),
    ("XACK", "s", "g", "1-1"),
    ("XCLAIM", "s", "g", "new", "0", "1-1"),
    ("XAUTOCLAIM", "s", "g", "new", "0", "0"),
])
def test_group_changes_do_not_touch_watch(pair_factory: Callable[..., Pair], argv: tuple[str, ...]) -> None:
    watcher, other = pair_factory(), pair_factory()
    setup(other, *stream_of(2), ("XGROUP", "CREATE", "s", "g", "0"),
          ("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"))
    watcher.check("WATCH", "s")
    other.check(*argv)
    watcher.check("MULTI")
    watcher.check("PING")
    watcher.check("EXEC")


# --- blocked XREADGROUP ------------------------------------------------------------------------------
BLOCK = ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")


@pytest.mark.parametrize("protocol", [2, 3])
@pytest.mark.parametrize("actions", [
    [("XADD", "s", "1-1", "a", "1")],
    [("DEL", "s")],
    [("XGROUP", "DESTROY", "s", "g")],
    [("DEL", "s"), ("SET", "s", "x")],
    [("RENAME", "s", "s2")],
    [("MULTI",), ("DEL", "s"), ("XADD", "s", "1-1", "a", "1"), ("EXEC",)],
    [("MULTI",), ("XADD", "s", "1-1", "a", "1"), ("XDEL", "s", "1-1"), ("EXEC",)],
    [("MULTI",), ("XADD", "s", "1-1", "a", "1"), ("XADD", "s", "2-1", "a", "1"), ("EXEC",)],
], ids=["xadd", "del", "destroy", "del-set", "rename", "recreated-without-group", "added-and-deleted", "two"])
def test_blocked_reader(pair_factory: Callable[..., Pair], protocol: int,
                        actions: list[tuple[str, ...]]) -> None:
    blocked, other = pair_factory(protocol), pair_factory()
    setup(other, ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"))
    blocked.write(b"".join(_encode(BLOCK)))
    wait_blocked(other, 1)
    for argv in actions:
        other.check(*argv)
    blocked.read()
    wait_blocked(other, 0)
    other.check("XPENDING", "s", "g")


def test_blocked_readers_all_fail_when_the_key_goes(pair_factory: Callable[..., Pair]) -> None:
    readers = [pair_factory() for _ in range(3)]
    other = pair_factory()
    setup(other, ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"))
    for n, reader in enumerate(readers, 1):
        reader.write(b"".join(_encode(("XREADGROUP", "GROUP", "g", f"c{n}", "BLOCK", "0", "STREAMS", "s", ">"))))
        wait_blocked(other, n)
    other.check("DEL", "s")
    for reader in readers:
        reader.read()


def test_blocked_fifo_and_timeout(pair_factory: Callable[..., Pair]) -> None:
    first, second, other = pair_factory(), pair_factory(3), pair_factory()
    setup(other, ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"))
    first.write(b"".join(_encode(("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">"))))
    wait_blocked(other, 1)
    second.write(b"".join(_encode(("XREADGROUP", "GROUP", "g", "c2", "BLOCK", "300", "STREAMS", "s", ">"))))
    wait_blocked(other, 2)
    other.check("XADD", "s", "1-1", "a", "1")
    first.read()
    second.read()  # timed out: nothing left for the group after the first reader
    group_state(other, "s", "g")


def _encode(argv: tuple[str, ...]) -> list[bytes]:
    from conformance.harness import encode_command

    return [encode_command(argv)]


# --- effects written to the AOF ------------------------------------------------------------------------
AOF_PROGRAM: list[tuple[str, ...]] = [
    ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
    *stream_of(3),
    ("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">"),  # XCLAIM per entry
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"),  # history: nothing written
    ("XREADGROUP", "GROUP", "g", "c2", "NOACK", "STREAMS", "s", ">"),  # CREATECONSUMER + SETID
    ("XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", ">"),  # nothing served: nothing written
    ("XACK", "s", "g", "1-1", "9-9"),
    ("XACK", "s", "g", "9-9"),
    ("XCLAIM", "s", "g", "c4", "0", "2-1"),
    ("XCLAIM", "s", "g", "c4", "0", "2", "JUSTID", "IDLE", "5", "RETRYCOUNT", "7"),
    ("XDEL", "s", "2-1"),
    ("XCLAIM", "s", "g", "c5", "0", "2-1"),  # a deleted entry: dropped, written with its old owner
    ("XADD", "s", "4-1", "f", "4"),
    ("XREADGROUP", "GROUP", "g", "c5", "STREAMS", "s", ">"),
    ("XAUTOCLAIM", "s", "g", "c6", "0", "0", "COUNT", "10"),
    ("XCLAIM", "s", "g", "c6", "0", "55-5", "LASTID", "11-0", "JUSTID"),  # only the group moves: SETID
    ("XGROUP", "CREATECONSUMER", "s", "g", "c7"),
    ("XGROUP", "CREATECONSUMER", "s", "g", "c7"),
    ("XGROUP", "DELCONSUMER", "s", "g", "c7"),
    ("XGROUP", "DELCONSUMER", "s", "g", "c7"),
    ("XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "5"),
    ("XGROUP", "DESTROY", "s", "g"),
    ("XGROUP", "DESTROY", "s", "g"),
]


def _aof_records(directory: str) -> list[list[bytes]]:
    import glob

    from conformance.harness import reply_end

    records: list[list[bytes]] = []
    for path in sorted(glob.glob(f"{directory}/appendonlydir/*.incr.aof")):
        with open(path, "rb") as handle:
            data = handle.read()
        pos = 0
        while pos < len(data):
            end = reply_end(data, pos)
            header, pos_args = data[pos:end].split(b"\r\n", 1)
            parts = pos_args.split(b"\r\n")
            record = [parts[i] for i in range(1, 2 * int(header[1:]), 2)]
            pos = end
            if record[0].upper() not in (b"SELECT", b"MULTI", b"EXEC"):
                # Delivery times are each server's clock reading: compared as present, not by value.
                records.append([b"<time>" if i and record[i - 1] == b"TIME" else arg for i, arg in enumerate(record)])
    return records


def test_effects_written_to_the_aof(tmp_path: object) -> None:
    import shutil
    import subprocess
    import time
    from pathlib import Path

    from conformance.conftest import _free_port, _redis_server_binary, _wait_ready
    from conformance.harness import RawConnection
    from miniredis.testing.server import MiniRedisServer

    binary = _redis_server_binary()
    if binary is None:
        pytest.skip("redis-server not found")
    base = Path(str(tmp_path))
    (base / "real").mkdir()
    (base / "mini").mkdir()
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
         "--aof-use-rdb-preamble", "no", "--dir", str(base / "real"), "--logfile", ""],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_ready(proc, port)
        with MiniRedisServer(dir=str(base / "mini"), appendonly="yes") as srv:
            real, mini = RawConnection("127.0.0.1", port), RawConnection(srv.host, srv.port)
            for argv in AOF_PROGRAM:
                assert real.send(*argv)[:1] == mini.send(*argv)[:1], argv
            expected = _aof_records(str(base / "real"))
            deadline = time.monotonic() + 5
            written = _aof_records(str(base / "mini"))
            while written != expected and time.monotonic() < deadline:  # the AOF writer may lag a little
                time.sleep(0.05)
                written = _aof_records(str(base / "mini"))
            real.close()
            mini.close()
        assert written == expected
        assert any(record[0] == b"XCLAIM" for record in expected)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(base, ignore_errors=True)
