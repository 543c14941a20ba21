"""Stream commands (no consumer groups) against real Redis 7.0: every command, option and error,
RESP2 and RESP3, byte for byte; XINFO STREAM's radix-tree counts included.

Explicit IDs keep replies deterministic; ``*`` is checked only where the reply does not show the
clock (errors, XLEN). Pinned surprises:

* XADD parses options and the ID before counting field/value pairs, and checks ``0-0`` before the
  key's type; ``XADD s MAXLEN = 1`` (no ID left) is the arity error; a repeated MAXLEN/MINID is the
  "same time" error before its threshold is read; ``XTRIM s MAXLEN ~`` reads ``~`` as the threshold;
* an ID part is read like strtoull: `` 1``, ``+1``, ``01-02`` are valid, ``-1`` is not;
* ``<ms>-*`` with the sequence exhausted is "Elements are too large to be stored";
* XADD appends then trims: ``MINID ~`` can trim the entry just added (the stream stays, empty);
* XRANGE ``COUNT 0`` / negative is a null array on an existing stream, an empty array on a missing
  one; ``(`` the maximum ID as start / ``(0-0`` as end are "invalid start/end ID for the interval";
* XDEL on a missing key replies 0 without reading the IDs; XSETID checks MAXDELETEDID against the
  new ID before the key exists ("no such key"), and compares with the last *entry*, not last ID;
* XREAD type-checks each key before reading its ID; ``$`` without BLOCK is a null reply; RESP3
  replies are maps; XINFO STREAM FULL shows 10 entries by default, COUNT 0 or negative all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from conformance.harness import Arg, Pair, wait_blocked

Script = list[tuple[Arg, ...]]

MAX = "18446744073709551615"


def run(pair: Pair, script: Script) -> None:
    for argv in script:
        pair.check(*argv)


XADD_ERRORS: Script = [
    ("XADD", "s", "*", "a"),
    ("XADD", "s", "*", "a", "1", "b"),
    ("XADD", "s", "LIMIT", "10", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "10", "LIMIT", "10", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "~", "10", "LIMIT", "10", "x", "a", "1"),
    ("XADD", "s", "MAXLEN", "~", "x", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "x", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "-1", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "~", "-1", "1-1", "a", "1"),
    ("XADD", "s", "MAXLEN", "9223372036854775808", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", " 1", "9-9", "a", "1"),
    ("XADD", "s", "MINID", "x", "*", "a", "1"),
    ("XADD", "s", "MINID", "-1", "*", "a", "1"),
    ("XADD", "s", "MINID", "+", "*", "a", "1"),
    ("XADD", "s", "MINID", "-", "*", "a", "1"),
    ("XADD", "s", "MINID", "1-*", "*", "a", "1"),
    ("XADD", "s", "MINID", MAX + "0", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "1", "MAXLEN", "x", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "1", "MINID", "2", "LIMIT", "4", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "x", "*", "a", "1"),
    ("XADD", "s", "LIMIT", "x", "MAXLEN", "1", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "=", "1"),
    ("XADD", "s", "MAXLEN", "1", "a", "1"),
    ("XADD", "s", "~", "*", "a", "1"),
    ("XADD", "s", "0-0", "a", "1"),
    ("XADD", "s", "0", "a", "1"),
    ("XADD", "s", "abc", "a", "1"),
    ("XADD", "s", "1-x", "a", "1"),
    ("XADD", "s", "-1", "a", "1"),
    ("XADD", "s", "1-", "a", "1"),
    ("XADD", "s", MAX + "0", "a", "1"),
    ("XADD", "s", "1-2-3", "a", "1"),
    ("XADD", "s", "x" * 200, "a", "1"),
    ("XADD", "s", "NOMKSTREAM", "*", "a", "1"),
    ("XADD", "s", "MAXLEN", "~", "5", "LIMIT", "2", "NOMKSTREAM", "*", "a", "1"),
    ("XADD", "s", "NOMKSTREAM", "0-0", "a", "1"),
    ("EXISTS", "s"),
    ("SET", "str", "v"),
    ("XADD", "str", "MAXLEN", "x", "*", "a", "1"),
    ("XADD", "str", "0-0", "a", "1"),
    ("XADD", "str", "*", "a", "1"),
    ("XADD", "str", "NOMKSTREAM", "*", "a", "1"),
]

XADD_IDS: Script = [
    ("XADD", "s", "0-*", "a", "1"),
    ("XADD", "s", "0-*", "a", "1"),
    ("XADD", "s", "5-3", "a", "1"),
    ("XADD", "s", "4-*", "a", "1"),
    ("XADD", "s", "5-*", "a", "1"),
    ("XADD", "s", "5-2", "a", "1"),
    ("XADD", "s", "5", "a", "1"),
    ("XADD", "s", "6", "a", "1", "b", "2"),
    ("XADD", "s", " 7", "a", "1"),
    ("XADD", "s", "+8", "a", "1"),
    ("XADD", "s", "09-01", "a", "1"),
    ("XADD", "s", "10-" + MAX, "a", "1"),
    ("XADD", "s", "10-*", "a", "1"),
    ("XADD", "s", "10-0", "a", "1"),
    ("XADD", "s", MAX + "-18446744073709551614", "a", "1"),
    ("XADD", "s", "*", "a", "1"),
    ("XADD", "s", "*", "a", "1"),
    ("XADD", "s", MAX + "-*", "a", "1"),
    ("XADD", "s", "NOMKSTREAM", "1-1", "a", "1"),
    ("XADD", "s", "1-1", "a", "1", "a", "2"),
    ("XRANGE", "s", "-", "+"),
    ("XLEN", "s"),
    ("XADD", "n", "NOMKSTREAM", "0-1", "a", "1"),
    ("XADD", "n", "nomkstream", "1-1", "f", "v", "f", "w", "", ""),
    ("XADD", "n2", "1-1", "f", "v", "f", "w", "", ""),
    ("XRANGE", "n2", "-", "+"),
    ("XADD", "big", "1-1", "f", "x" * 5000),
    ("XADD", "big", "2-1", "f", "-12", "g", "123456789012345678901"),
    ("XRANGE", "big", "-", "+"),
    ("XADD", "pct", "1-1", "%s", "%d", "a%", "%%"),
    ("XADD", "pct", "2-1", "%s", "%d", "a%", "%%", "x", "y", "z", "w"),
    ("XADD", "pct", "3-1", "%", "1", "b", "2", "%", "3"),
    ("XRANGE", "pct", "-", "+"),
    ("XREVRANGE", "pct", "+", "-", "COUNT", "2"),
    ("XREAD", "STREAMS", "pct", "big", "0", "0"),
]

RANGES: Script = [
    ("XADD", "s", "0-1", "a", "1"),
    ("XADD", "s", "0-2", "a", "1"),
    ("XADD", "s", "1-1", "a", "1", "b", "2"),
    ("XADD", "s", "2-1", "b", "2", "a", "1"),
    ("XADD", "s", "3-0", "c", "3"),
    ("XRANGE", "s", "-", "+"),
    ("XRANGE", "s", "-", "+", "COUNT", "2"),
    ("XRANGE", "s", "-", "+", "COUNT", "0"),
    ("XRANGE", "s", "-", "+", "COUNT", "-1"),
    ("XRANGE", "s", "-", "+", "COUNT", "x"),
    ("XRANGE", "s", "-", "+", "COUNT"),
    ("XRANGE", "s", "-", "+", "COUNT", "1", "COUNT", "2"),
    ("XRANGE", "s", "-", "+", "count", "1", "foo"),
    ("XRANGE", "s", "-", "+", "foo"),
    ("XRANGE", "s", "(1-1", "+"),
    ("XRANGE", "s", "(", "+"),
    ("XRANGE", "s", "-", "(3-0"),
    ("XRANGE", "s", "(-", "+"),
    ("XRANGE", "s", "-", "(+"),
    ("XRANGE", "s", "(" + MAX + "-" + MAX, "+"),
    ("XRANGE", "s", "-", "(0-0"),
    ("XRANGE", "s", "-", "(0"),
    ("XRANGE", "s", "(" + MAX, "+"),
    ("XRANGE", "s", "(0-" + MAX, "+"),
    ("XRANGE", "s", "-", "(1-0"),
    ("XRANGE", "s", "1", "1"),
    ("XRANGE", "s", "2", "1"),
    ("XRANGE", "s", "x", "+"),
    ("XRANGE", "s", "-", "x"),
    ("XRANGE", "s", "1-*", "+"),
    ("XRANGE", "s", "+", "-"),
    ("XRANGE", "s", "0", "0"),
    ("XREVRANGE", "s", "+", "-"),
    ("XREVRANGE", "s", "+", "-", "COUNT", "1"),
    ("XREVRANGE", "s", "+", "-", "COUNT", "0"),
    ("XREVRANGE", "s", "(3-0", "-"),
    ("XREVRANGE", "s", "+", "(1-1"),
    ("XREVRANGE", "s", "-", "+"),
    ("XREVRANGE", "s", "1", "1"),
    ("XREVRANGE", "s", "x", "-"),
    ("XREVRANGE", "s", "+", "x"),
    ("XREVRANGE", "s", "(0", "-"),
    ("XREVRANGE", "s", "(0-0", "-"),
    ("XREVRANGE", "s", "+", "(" + MAX + "-" + MAX),
    ("XRANGE", "nokey", "-", "+"),
    ("XRANGE", "nokey", "-", "+", "COUNT", "0"),
    ("XRANGE", "nokey", "x", "+", "COUNT", "0"),
    ("XREVRANGE", "nokey", "+", "-"),
    ("SET", "str", "v"),
    ("XRANGE", "str", "-", "+"),
    ("XRANGE", "str", "x", "+"),
    ("XRANGE", "str", "-", "+", "COUNT", "x"),
    ("XREVRANGE", "str", "+", "-"),
    ("XLEN", "s"),
    ("XLEN", "nokey"),
    ("XLEN", "str"),
]

DELETES: Script = [
    ("XADD", "s", "1-1", "a", "1"),
    ("XADD", "s", "2-1", "a", "1"),
    ("XADD", "s", "3-1", "a", "1"),
    ("XDEL", "s", "1-1", "1-1", "9-9"),
    ("XDEL", "s", "x"),
    ("XDEL", "s", "2-1", "x"),
    ("XRANGE", "s", "-", "+"),
    ("XDEL", "nokey", "1-1"),
    ("XDEL", "nokey", "x"),
    ("SET", "str", "v"),
    ("XDEL", "str", "1-1"),
    ("XDEL", "str", "x"),
    ("XDEL", "s", "1"),
    ("XDEL", "s", "-"),
    ("XDEL", "s", "+"),
    ("XINFO", "STREAM", "s"),
    ("XDEL", "s", "2-1", "3-1"),
    ("XINFO", "STREAM", "s"),
    ("EXISTS", "s"),
    ("XADD", "s", "3-1", "a", "1"),
    ("XADD", "s", "4-1", "a", "1"),
    ("XINFO", "STREAM", "s"),
]

TRIMS: Script = [
    ("XADD", "s", "1-1", "a", "1"),
    ("XADD", "s", "2-1", "a", "1"),
    ("XADD", "s", "3-1", "a", "1"),
    ("XADD", "s", "4-1", "a", "1"),
    ("XTRIM", "s"),
    ("XTRIM", "s", "MAXLEN"),
    ("XTRIM", "s", "MAXLEN", "x"),
    ("XTRIM", "s", "MAXLEN", "-1"),
    ("XTRIM", "s", "FOO", "1"),
    ("XTRIM", "s", "MAXLEN", "1", "FOO"),
    ("XTRIM", "s", "MAXLEN", "1", "LIMIT", "1"),
    ("XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "1", "NOMKSTREAM"),
    ("XTRIM", "s", "LIMIT", "1"),
    ("XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "-1"),
    ("XTRIM", "s", "MAXLEN", "1", "MINID", "1"),
    ("XTRIM", "s", "MINID", "1", "MINID", "1"),
    ("XTRIM", "s", "MAXLEN", "1", "1"),
    ("XTRIM", "s", "MAXLEN", "~"),
    ("XTRIM", "s", "~", "1"),
    ("XTRIM", "s", "MAXLEN", "~", "1"),
    ("XTRIM", "s", "MAXLEN", "5"),
    ("XTRIM", "s", "MINID", "2"),
    ("XTRIM", "s", "MINID", "2-2"),
    ("XRANGE", "s", "-", "+"),
    ("XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "0"),
    ("XTRIM", "s", "MAXLEN", "=", "0"),
    ("EXISTS", "s"),
    ("XLEN", "s"),
    ("XINFO", "STREAM", "s"),
    ("XTRIM", "nokey", "MAXLEN", "0"),
    ("XTRIM", "nokey", "MAXLEN", "x"),
    ("SET", "str", "v"),
    ("XTRIM", "str", "MAXLEN", "0"),
    ("XTRIM", "str", "MAXLEN", "x"),
]

SETIDS: Script = [
    ("XSETID", "s", "x"),
    ("XSETID", "nokey", "1-1"),
    ("XSETID", "nokey", "x"),
    ("XSETID", "nokey", "1-1", "ENTRIESADDED", "-1"),
    ("XSETID", "nokey", "1-1", "ENTRIESADDED", "5", "MAXDELETEDID", "6"),
    ("XSETID", "nokey", "1-1", "FOO"),
    ("XADD", "s", "1-1", "a", "1"),
    ("XADD", "s", "2-1", "a", "1"),
    ("XSETID", "s", "1-5"),
    ("XSETID", "s", "2-0"),
    ("XSETID", "s", "2-1", "ENTRIESADDED", "1"),
    ("XSETID", "s", "1-0", "ENTRIESADDED", "1"),
    ("XSETID", "s", "2-1", "ENTRIESADDED", "2"),
    ("XDEL", "s", "2-1"),
    ("XSETID", "s", "1-5"),
    ("XINFO", "STREAM", "s"),
    ("XSETID", "s", "1-0"),
    ("XSETID", "s", "1-1"),
    ("XSETID", "s", "1-1", "ENTRIESADDED", "0"),
    ("XSETID", "s", "1-1", "ENTRIESADDED", "1", "MAXDELETEDID", "2-0"),
    ("XSETID", "s", "1-1", "ENTRIESADDED", "1", "MAXDELETEDID", "1-1"),
    ("XSETID", "s", "5-0", "ENTRIESADDED"),
    ("XSETID", "s", "5-0", "ENTRIESADDED", "x"),
    ("XSETID", "s", "5-0", "ENTRIESADDED", "9223372036854775808"),
    ("XSETID", "s", "5-0", "ENTRIESADDED", "3", "MAXDELETEDID"),
    ("XSETID", "s", "5-0", "MAXDELETEDID", "x"),
    ("XSETID", "s", "5-0", "FOO", "1"),
    ("XSETID", "s", "5-0", "ENTRIESADDED", "10", "ENTRIESADDED", "11"),
    ("XSETID", "s", "5-0", "MAXDELETEDID", "1-0", "ENTRIESADDED", "12"),
    ("XINFO", "STREAM", "s"),
    ("XSETID", "s", "5-0", "MAXDELETEDID", "5"),
    ("XINFO", "STREAM", "s"),
    ("XSETID", "s", "+"),
    ("XSETID", "s", "-"),
    ("XSETID", "s", "5-*"),
    ("XSETID", "s", MAX + "-" + MAX),
    ("XADD", "s", "*", "a", "1"),
    ("XADD", "s", MAX + "-*", "a", "1"),
    ("SET", "str", "v"),
    ("XSETID", "str", "1-1"),
    ("XSETID", "str", "x"),
    ("XTRIM", "s", "MAXLEN", "0"),
    ("XSETID", "s", "0-0"),
    ("XINFO", "STREAM", "s"),
]

READS: Script = [
    ("XADD", "s", "1-1", "a", "1"),
    ("XADD", "s", "2-1", "a", "1"),
    ("XADD", "t", "1-1", "b", "1"),
    ("XREAD", "STREAMS", "s", "0"),
    ("XREAD", "STREAMS", "s", "t", "0", "1-1"),
    ("XREAD", "STREAMS", "s", "t", "0"),
    ("XREAD", "STREAMS", "s"),
    ("XREAD", "COUNT", "1", "STREAMS", "s", "t", "0", "0"),
    ("XREAD", "COUNT", "x", "STREAMS", "s", "0"),
    ("XREAD", "COUNT", "-1", "STREAMS", "s", "0"),
    ("XREAD", "COUNT", "0", "STREAMS", "s", "0"),
    ("XREAD", "BLOCK", "x", "STREAMS", "s", "0"),
    ("XREAD", "BLOCK", "-1", "STREAMS", "s", "0"),
    ("XREAD", "BLOCK", "1.5", "STREAMS", "s", "0"),
    ("XREAD", "BLOCK", "0", "STREAMS", "s", "0"),
    ("XREAD", "FOO", "STREAMS", "s", "0"),
    ("XREAD", "STREAMS", "s", "x"),
    ("XREAD", "STREAMS", "s", "$"),
    ("XREAD", "STREAMS", "s", "+"),
    ("XREAD", "STREAMS", "s", "-"),
    ("XREAD", "STREAMS", "s", "(1"),
    ("XREAD", "STREAMS", "s", "2"),
    ("XREAD", "STREAMS", "s", "1-*"),
    ("XREAD", "STREAMS", "nokey", "0"),
    ("XREAD", "STREAMS", "nokey", "$"),
    ("XREAD", "STREAMS", "s", "nokey", "0", "0"),
    ("XREAD", "STREAMS", "s", MAX + "-" + MAX),
    ("SET", "str", "v"),
    ("XREAD", "STREAMS", "str", "0"),
    ("XREAD", "STREAMS", "str", "x"),
    ("XREAD", "STREAMS", "s", "str", "0", "0"),
    ("XREAD", "STREAMS", "str", "s", "0", "x"),
    ("XREAD", "STREAMS", "s", "str", "x", "0"),
    ("XREAD", "COUNT", "1", "COUNT", "2", "STREAMS", "s", "0"),
    ("XREAD", "BLOCK", "10", "BLOCK", "20", "STREAMS", "s", "0"),
    ("XREAD", "count", "1", "streams", "s", "0"),
    ("XREAD", "NOACK", "STREAMS", "s", "0"),
    ("XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"),
    ("XREAD", "STREAMS", "s", "s", "0", "1-1"),
    ("XREAD", "STREAMS", "STREAMS", "0"),
    ("XREAD", "COUNT", "STREAMS", "s", "0"),
    ("XREAD", "COUNT", "1", "BLOCK", "1", "s", "0"),
    ("XREAD", "COUNT", "1"),
    ("XREAD", "COUNT", "1", "STREAMS"),
    ("XREAD", "STREAMS", "s", "1", "2", "3"),
    ("XREAD", "BLOCK", "20", "STREAMS", "s", "$"),
    ("XREAD", "BLOCK", "20", "STREAMS", "nokey", "$"),
    ("MULTI",),
    ("XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
    ("XREAD", "BLOCK", "0", "STREAMS", "s", "0"),
    ("EXEC",),
]

INFO: Script = [
    ("XINFO", "STREAM", "nokey"),
    ("XINFO", "STREAM", "nokey", "FULL"),
    ("XINFO", "STREAM", "nokey", "FOO"),
    ("XADD", "s", "1-1", "a", "1", "b", "2"),
    ("XADD", "s", "2-1", "a", "1", "b", "3"),
    ("XADD", "s", "3-1", "c", "1"),
    ("XINFO", "HELP"),
    ("XINFO", "help", "foo"),
    ("XINFO", "STREAM", "s"),
    ("XINFO", "STREAM", "s", "FULL"),
    ("XINFO", "STREAM", "s", "full", "count", "1"),
    ("XINFO", "STREAM", "s", "FULL", "COUNT", "0"),
    ("XINFO", "STREAM", "s", "FULL", "COUNT", "-1"),
    ("XINFO", "STREAM", "s", "FULL", "COUNT", "x"),
    ("XINFO", "STREAM", "s", "FULL", "COUNT"),
    ("XINFO", "STREAM", "s", "FOO"),
    ("XINFO", "stream", "s", "foo"),
    ("XINFO", "STREAM", "s", "FULL", "FOO"),
    ("XINFO", "STREAM", "s", "FULL", "COUNT", "1", "FOO"),
    ("XINFO", "STREAM", "s", "COUNT", "1"),
    ("SET", "str", "v"),
    ("XINFO", "STREAM", "str"),
    ("XINFO", "STREAM", "str", "FOO"),
    ("XINFO", "STREAM"),
    ("XINFO",),
    ("XINFO", "FOO"),
    ("OBJECT", "ENCODING", "s"),
    ("TYPE", "s"),
    ("XDEL", "s", "1-1"),
    ("XINFO", "STREAM", "s"),
    ("XDEL", "s", "2-1", "3-1"),
    ("XINFO", "STREAM", "s"),
    ("XINFO", "STREAM", "s", "FULL"),
    *[("XADD", "m", f"{i}-1", "f", str(i)) for i in range(1, 16)],
    ("XINFO", "STREAM", "m", "FULL"),
    ("XINFO", "STREAM", "m", "FULL", "COUNT", "12"),
    ("COPY", "m", "m2"),
    ("XINFO", "STREAM", "m2"),
    ("XRANGE", "m2", "-", "+"),
]

SCRIPTS: dict[str, Script] = {
    "xadd_errors": XADD_ERRORS,
    "xadd_ids": XADD_IDS,
    "ranges": RANGES,
    "deletes": DELETES,
    "trims": TRIMS,
    "setids": SETIDS,
    "reads": READS,
    "info": INFO,
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_script(pairs: Pair, name: str) -> None:
    run(pairs, SCRIPTS[name])


@pytest.fixture
def small_nodes(pairs: Pair) -> Iterator[Pair]:
    """Both servers with 3-entry stream nodes, restored afterwards."""
    pairs.check("CONFIG", "SET", "stream-node-max-entries", "3")
    yield pairs
    pairs.check("CONFIG", "SET", "stream-node-max-entries", "100")


def test_approximate_trims_follow_nodes(small_nodes: Pair) -> None:
    pair = small_nodes
    run(pair, [("XADD", "s", f"{i}-1", "a", str(i)) for i in range(1, 11)])
    run(pair, [
        ("XINFO", "STREAM", "s"),
        ("XTRIM", "s", "MAXLEN", "~", "8"),
        ("XTRIM", "s", "MAXLEN", "~", "5"),
        ("XINFO", "STREAM", "s"),
        ("XADD", "s", "MAXLEN", "~", "2", "LIMIT", "2", "11-1", "a", "1"),
        ("XADD", "s", "MAXLEN", "~", "2", "LIMIT", "3", "12-1", "a", "1"),
        ("XINFO", "STREAM", "s"),
        ("XTRIM", "s", "MINID", "~", "12"),
        ("XTRIM", "s", "MINID", "=", "12"),
        ("XINFO", "STREAM", "s"),
        ("XADD", "e", "MINID", "~", "10", "6-1", "a", "1"),
        ("XINFO", "STREAM", "e"),
        ("XADD", "e", "MAXLEN", "0", "7-1", "a", "1"),
        ("XINFO", "STREAM", "e"),
    ])
    # An exact MINID trim inside a node whose last entry is deleted keeps the node.
    run(pair, [("XADD", "d", f"{i}-1", "a", str(i)) for i in range(1, 4)])
    run(pair, [
        ("XDEL", "d", "3-1"),
        ("XTRIM", "d", "MINID", "3"),
        ("XINFO", "STREAM", "d"),
        ("XADD", "d", "4-1", "a", "1"),
        ("XINFO", "STREAM", "d", "FULL"),
    ])


def test_default_limit_of_approximate_trims(small_nodes: Pair) -> None:
    """``~`` without LIMIT does at most 100 x stream-node-max-entries entries of work (300 here)."""
    pair = small_nodes
    for i in range(1, 452):
        pair.check("XADD", "s", f"{i}-1", "a", str(i))
    pair.check("XTRIM", "s", "MAXLEN", "~", "0")
    pair.check("XADD", "s", "MAXLEN", "~", "0", "999-1", "a", "1")
    pair.check("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "0")
    pair.check("XINFO", "STREAM", "s")


def test_radix_tree_counts(pairs: Pair) -> None:
    """Many nodes (node size from entries and from bytes) give Redis's radix-tree-keys/nodes."""
    for i in range(1, 1200):
        pairs.check("XADD", "s", f"{i * 7919}-{i % 5}", "user_id", str(i), "event_type", "click", "amount", str(i * 3))
    for i in range(1, 60):
        pairs.check("XADD", "b", f"{i}-1", "payload", "y" * (i * 37))
    pairs.check("XINFO", "STREAM", "s")
    pairs.check("XINFO", "STREAM", "b")
    pairs.check("XTRIM", "s", "MAXLEN", "~", "500")
    pairs.check("XINFO", "STREAM", "s")
    pairs.check("XRANGE", "s", "4000000", "+", "COUNT", "5")
    pairs.check("XREVRANGE", "s", "(4000000", "-", "COUNT", "5")


def test_stream_node_max_bytes(pairs: Pair) -> None:
    pairs.check("CONFIG", "SET", "stream-node-max-bytes", "200")
    try:
        for i in range(1, 40):
            pairs.check("XADD", "s", f"{i}-1", "f", "v" * (i % 7), "n", str(i * 1000))
        pairs.check("XINFO", "STREAM", "s")
        pairs.check("XADD", "t", "1-1", "f", "z" * 300)
        pairs.check("XADD", "t", "2-1", "f", "z")
        pairs.check("XINFO", "STREAM", "t")
    finally:
        pairs.check("CONFIG", "SET", "stream-node-max-bytes", "4096")


def test_node_boundaries_where_integers_pack_small(pairs: Pair) -> None:
    # Integer values take fewer listpack bytes than their text: miniredis sizes a node with a cheap
    # upper bound until it nears stream-node-max-bytes, then exactly. The boundaries must be Redis's.
    for i in range(1, 400):
        numbers = [word for j in range(8) for word in (f"n{j}", str(10**9 + i * 7919 + j))]
        pairs.check("XADD", "ints", f"{i}-0", *numbers)
        pairs.check("XADD", "mixed", f"{i}-0", "id", str(i * 1000), "name", "x" * (i % 61), "neg", str(-i))
    for key in ("ints", "mixed"):
        pairs.check("XINFO", "STREAM", key)
        pairs.check("XTRIM", key, "MAXLEN", "~", "150")
        pairs.check("XINFO", "STREAM", key)


# --- XREAD BLOCK with two clients on each server ---------------------------------------------------
def _blocked_reader(pair_factory: Callable[..., Pair], protocol: int) -> tuple[Pair, Pair]:
    return pair_factory(protocol), pair_factory(protocol)


@pytest.mark.parametrize("protocol", [2, 3])
def test_xread_block_served_by_xadd(pair_factory: Callable[..., Pair], protocol: int) -> None:
    reader, writer = _blocked_reader(pair_factory, protocol)
    writer.check("XADD", "s", "1-1", "a", "1")
    reader.write(b"*8\r\n$5\r\nXREAD\r\n$5\r\nCOUNT\r\n$1\r\n5\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n"
                 b"$1\r\ns\r\n$1\r\n$\r\n")
    wait_blocked(writer, 1)
    writer.check("XADD", "s", "2-1", "b", "2")
    reader.read()
    reader.check("XREAD", "STREAMS", "s", "0")


@pytest.mark.parametrize("protocol", [2, 3])
def test_xread_block_timeout_and_multi(pair_factory: Callable[..., Pair], protocol: int) -> None:
    reader, writer = _blocked_reader(pair_factory, protocol)
    started = time.monotonic()
    reader.check("XREAD", "BLOCK", "50", "STREAMS", "s", "t", "$", "$")
    assert time.monotonic() - started >= 0.04
    writer.check("MULTI")
    writer.check("XADD", "s", "1-1", "a", "1")
    writer.check("EXEC")


def test_xread_block_several_streams_and_retype(pair_factory: Callable[..., Pair]) -> None:
    reader, writer = _blocked_reader(pair_factory, 2)
    writer.check("XADD", "s", "5-1", "a", "1")
    reader.write(b"*7\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$3\r\n300\r\n$7\r\nSTREAMS\r\n$1\r\nt\r\n$1\r\ns\r\n"
                 b"$1\r\n$\r\n")  # unbalanced on purpose: an immediate error
    reader.read()
    reader.write(b"*8\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$3\r\n300\r\n$7\r\nSTREAMS\r\n$1\r\nt\r\n$1\r\ns\r\n"
                 b"$1\r\n$\r\n$1\r\n$\r\n")
    wait_blocked(writer, 1)
    writer.check("DEL", "s")
    writer.check("SET", "s", "x")  # another type: the reader stays blocked
    writer.check("DEL", "s")
    writer.check("XADD", "s", "2-1", "a", "1")  # below the resolved $ (5-1): still blocked
    reader.read()  # the timeout's null reply
    reader.write(b"*8\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$1\r\nt\r\n$1\r\ns\r\n"
                 b"$1\r\n$\r\n$1\r\n$\r\n")
    wait_blocked(writer, 1)
    writer.check("XADD", "t", "1-1", "x", "y")
    reader.read()
