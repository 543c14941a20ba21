"""Long lists on real Redis and miniredis: every list command across miniredis's packed nodes.

miniredis packs a list's middle into nodes of 128 elements once an end holds 256 (see
``miniredis.structures.quicklist``); the other list conformance cases use short lists that never
pack. Here each program starts from lists of several hundred elements pushed at both ends, so
indexes, ranges, inserts, removals and pops land inside nodes, at node boundaries and in the
unpacked ends; replies and the final contents are compared byte for byte.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.harness import Arg, Pair

KEYS = st.sampled_from(["a", "b"])
ELEMENTS = st.sampled_from(["x", "y", "e7", "e300", "e555", ""])
INDEXES = st.one_of(st.integers(-800, 800), st.sampled_from([0, -1, 127, 128, 255, 256, -129, -256, -257]))
COUNTS = st.sampled_from(["1", "3", "130", "300", "1000"])
SIDES = st.sampled_from(["LEFT", "RIGHT"])


def _fill(pairs: Pair, key: str, count: int) -> None:
    """``count`` elements e0.. pushed alternately at the head and the tail, in batches."""
    for start in range(0, count, 50):
        elements = [f"e{i}" for i in range(start, min(start + 50, count))]
        pairs.check("LPUSH" if start % 100 else "RPUSH", key, *elements)


COMMANDS = st.one_of(
    st.builds(lambda c, k, e, n: (c, k, *([e] * n)), st.sampled_from(["LPUSH", "RPUSH"]), KEYS, ELEMENTS,
              st.integers(1, 300)),
    st.builds(lambda c, k: (c, k), st.sampled_from(["LPOP", "RPOP", "LLEN"]), KEYS),
    st.builds(lambda c, k, n: (c, k, n), st.sampled_from(["LPOP", "RPOP"]), KEYS, COUNTS),
    st.builds(lambda k, i, j: ("LRANGE", k, i, j), KEYS, INDEXES, INDEXES),
    st.builds(lambda k, i, j: ("LTRIM", k, i, j), KEYS, INDEXES, INDEXES),
    st.builds(lambda k, i: ("LINDEX", k, i), KEYS, INDEXES),
    st.builds(lambda k, i, e: ("LSET", k, i, e), KEYS, INDEXES, ELEMENTS),
    st.builds(lambda k, n, e: ("LREM", k, n, e), KEYS, st.integers(-3, 3), ELEMENTS),
    st.builds(lambda k, w, p, e: ("LINSERT", k, w, p, e), KEYS, st.sampled_from(["BEFORE", "AFTER"]), ELEMENTS,
              ELEMENTS),
    st.builds(lambda k, e, r, c: ("LPOS", k, e, "RANK", r, "COUNT", c), KEYS, ELEMENTS,
              st.sampled_from(["1", "2", "-1", "-2"]), st.sampled_from(["0", "1", "2"])),
    st.builds(lambda s, d, f, t: ("LMOVE", s, d, f, t), KEYS, KEYS, SIDES, SIDES),
    st.builds(lambda s, d: ("RPOPLPUSH", s, d), KEYS, KEYS),
    st.builds(lambda side, n: ("LMPOP", "2", "a", "b", side, "COUNT", n), SIDES, COUNTS),
    st.builds(lambda k: ("COPY", k, "c", "REPLACE"), KEYS),
)


def test_long_list_walkthrough(pair: Pair) -> None:
    _fill(pair, "a", 1000)
    for index in (0, 1, 127, 128, 255, 256, 499, 500, 743, 744, 998, 999, -1, -128, -129, -600):
        pair.check("LINDEX", "a", index)
    for start, end in [(0, -1), (100, 900), (-300, -200), (255, 256), (127, 384), (990, 2000)]:
        pair.check("LRANGE", "a", start, end)
    pair.check("LSET", "a", 500, "mid")
    pair.check("LINSERT", "a", "BEFORE", "mid", "before-mid")
    pair.check("LINSERT", "a", "AFTER", "e999", "last")
    pair.check("LPOS", "a", "mid")
    pair.check("LREM", "a", 0, "e20")
    pair.check("LPOP", "a", 300)
    pair.check("RPOP", "a", 300)
    pair.check("LTRIM", "a", 10, -10)
    pair.check("OBJECT", "ENCODING", "a")
    pair.check("COPY", "a", "b")
    pair.check("RPOP", "a", 1000)
    pair.check("EXISTS", "a")
    pair.state("a", "b")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.tuples(st.integers(200, 900), st.integers(0, 400)), program=st.lists(COMMANDS, min_size=1, max_size=15))
def test_random_programs_on_long_lists(pair: Pair, sizes: tuple[int, int], program: list[tuple[Arg, ...]]) -> None:
    pair.check("FLUSHALL")
    _fill(pair, "a", sizes[0])
    if sizes[1]:
        _fill(pair, "b", sizes[1])
    for argv in program:
        pair.check(*argv)
    pair.state("a", "b", "c")
