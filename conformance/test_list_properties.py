"""Random sequences of list commands on real Redis and miniredis, every reply compared byte for byte.

Hypothesis draws short programs over three keys from every list command (options, bad numbers and
wrong types included), the blocking ones with a short timeout (they are either served at once or
time out on both servers), plus SET/DEL/EXPIRE for WRONGTYPE paths and key removal. After each
program the type and content of every key are compared too.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.harness import Arg, Pair

KEYS = st.sampled_from(["a", "b", "c"])
ELEMENTS = st.sampled_from(["x", "y", "z", "", "1", "-1", "x y", "\x00"])
INDEXES = st.one_of(st.integers(-6, 6).map(str), st.sampled_from(["x", "9223372036854775807", "-9223372036854775808",
                                                                  "1.0", ""]))
COUNTS = st.one_of(st.integers(-2, 5).map(str), st.sampled_from(["x", "9223372036854775807"]))
SIDES = st.sampled_from(["LEFT", "RIGHT", "left", "Right", "MIDDLE"])
TIMEOUTS = st.sampled_from(["0.01", "-1", "x", "0.001"])
ELEMENT_LISTS = st.lists(ELEMENTS, min_size=1, max_size=4)
KEY_LISTS = st.lists(KEYS, min_size=1, max_size=3)
LPOS_OPTIONS = st.lists(
    st.one_of(st.tuples(st.just("RANK"), st.sampled_from(["1", "2", "-1", "-2", "0", "x", "-9223372036854775808"])),
              st.tuples(st.just("COUNT"), st.sampled_from(["0", "1", "2", "-1"])),
              st.tuples(st.just("MAXLEN"), st.sampled_from(["0", "1", "3", "-1"])),
              st.just(("FOO",))),
    max_size=3,
).map(lambda options: [word for option in options for word in option])


def _mpop_tail(side: str, count: str | None) -> list[str]:
    return [side] if count is None else [side, "COUNT", count]


MPOP_TAILS = st.builds(_mpop_tail, SIDES, st.one_of(st.none(), COUNTS))

COMMANDS = st.one_of(
    st.builds(lambda c, k, es: (c, k, *es), st.sampled_from(["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]), KEYS,
              ELEMENT_LISTS),
    st.builds(lambda c, k: (c, k), st.sampled_from(["LPOP", "RPOP", "LLEN"]), KEYS),
    st.builds(lambda c, k, n: (c, k, n), st.sampled_from(["LPOP", "RPOP"]), KEYS, COUNTS),
    st.builds(lambda k, i, j: ("LRANGE", k, i, j), KEYS, INDEXES, INDEXES),
    st.builds(lambda k, i, j: ("LTRIM", k, i, j), KEYS, INDEXES, INDEXES),
    st.builds(lambda k, i: ("LINDEX", k, i), KEYS, INDEXES),
    st.builds(lambda k, i, e: ("LSET", k, i, e), KEYS, INDEXES, ELEMENTS),
    st.builds(lambda k, n, e: ("LREM", k, n, e), KEYS, st.integers(-3, 3).map(str), ELEMENTS),
    st.builds(lambda k, w, p, e: ("LINSERT", k, w, p, e), KEYS, st.sampled_from(["BEFORE", "after", "x"]), ELEMENTS,
              ELEMENTS),
    st.builds(lambda k, e, o: ("LPOS", k, e, *o), KEYS, ELEMENTS, LPOS_OPTIONS),
    st.builds(lambda s, d, f, t: ("LMOVE", s, d, f, t), KEYS, KEYS, SIDES, SIDES),
    st.builds(lambda s, d: ("RPOPLPUSH", s, d), KEYS, KEYS),
    st.builds(lambda ks, tail: ("LMPOP", str(len(ks)), *ks, *tail), KEY_LISTS, MPOP_TAILS),
    st.builds(lambda c, ks, t: (c, *ks, t), st.sampled_from(["BLPOP", "BRPOP"]), KEY_LISTS, TIMEOUTS),
    st.builds(lambda s, d, t: ("BRPOPLPUSH", s, d, t), KEYS, KEYS, TIMEOUTS),
    st.builds(lambda s, d, f, to, t: ("BLMOVE", s, d, f, to, t), KEYS, KEYS, SIDES, SIDES, TIMEOUTS),
    st.builds(lambda t, ks, tail: ("BLMPOP", t, str(len(ks)), *ks, *tail), TIMEOUTS, KEY_LISTS, MPOP_TAILS),
    st.builds(lambda k, v: ("SET", k, v), KEYS, ELEMENTS),
    st.builds(lambda k: ("DEL", k), KEYS),
    st.builds(lambda k: ("EXPIRE", k, "100"), KEYS),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=st.lists(COMMANDS, min_size=1, max_size=25))
def test_random_list_programs(pairs: Pair, program: list[tuple[Arg, ...]]) -> None:
    pairs.check("FLUSHALL")
    for argv in program:
        pairs.check(*argv)
    pairs.state("a", "b", "c")
