"""Random sequences of string commands on real Redis and miniredis: every reply compared, byte for byte.

Hypothesis draws short programs over four keys from every string command (with their options and
some invalid arguments), plus DEL/EXISTS/TYPE; expiries are either far in the future or already
past, so that no key expires between two commands on one server and not on the other.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.harness import Arg, Pair

KEYS = st.sampled_from(["a", "b", "c", "d"])
VALUES = st.one_of(
    st.sampled_from(["", "0", "1", "-1", "10", "9223372036854775807", "-9223372036854775808", "1.5", "abc", " 1",
                     "01", "+1", "1e3", "hello world", "ohmytext", "mynewtext"]),
    st.integers(-1000, 1000).map(str),
    st.binary(max_size=12),
)
INTEGERS = st.one_of(
    st.integers(-20, 20).map(str),
    st.sampled_from(["9223372036854775807", "-9223372036854775808", "9223372036854775808", "x", "1.0", "+1", ""]),
)
FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr),
    st.sampled_from(["0.1", "-0.1", "1e20", "-0.0", "3.0e5", "inf", "nan", "abc", "1e-20", "5e-18", "0x10", ".5"]),
    st.decimals(min_value=-10**6, max_value=10**6, allow_nan=False, allow_infinity=False, places=6).map(str),
)
FUTURE_S = st.sampled_from(["100", "1000", "86400"])
BAD_RELATIVE = st.sampled_from(["0", "-5", "abc", "9223372036854775807"])  # never a short TTL: no races


def _set() -> st.SearchStrategy[tuple[Arg, ...]]:
    condition = st.sampled_from([(), ("NX",), ("XX",), ("NX", "XX")])
    get = st.sampled_from([(), ("GET",)])
    expiry = st.one_of(
        st.just(()),
        st.just(("KEEPTTL",)),
        st.tuples(st.sampled_from(["EX", "PX"]), FUTURE_S),
        st.tuples(st.just("EXAT"), st.sampled_from(["4000000000", "1"])),
        st.tuples(st.just("PXAT"), st.sampled_from(["4000000000000", "1"])),
        st.tuples(st.sampled_from(["EX", "PX"]), BAD_RELATIVE),
    )
    return st.builds(lambda key, value, c, g, e: ("SET", key, value, *c, *g, *e), KEYS, VALUES, condition, get, expiry)


COMMANDS = st.one_of(
    _set(),
    st.builds(lambda k: ("GET", k), KEYS),
    st.builds(lambda k, v: ("SETNX", k, v), KEYS, VALUES),
    st.builds(lambda k, t, v: ("SETEX", k, t, v), KEYS, st.one_of(FUTURE_S, BAD_RELATIVE), VALUES),
    st.builds(lambda k, t, v: ("PSETEX", k, t, v), KEYS, st.one_of(FUTURE_S, BAD_RELATIVE), VALUES),
    st.builds(lambda k, v: ("GETSET", k, v), KEYS, VALUES),
    st.builds(lambda k: ("GETDEL", k), KEYS),
    st.builds(
        lambda k, o: ("GETEX", k, *o),
        KEYS,
        st.sampled_from([(), ("PERSIST",), ("EX", "100"), ("PX", "100000"), ("EXAT", "4000000000"), ("EXAT", "1"),
                         ("PXAT", "1"), ("EX", "0"), ("EX", "x"), ("NX",), ("PERSIST", "EX", "1")]),
    ),
    st.builds(lambda ks: ("MGET", *ks), st.lists(KEYS, min_size=1, max_size=4)),
    st.builds(lambda kv: ("MSET", *[x for pair in kv for x in pair]), st.lists(st.tuples(KEYS, VALUES), min_size=1,
                                                                               max_size=3)),
    st.builds(lambda kv: ("MSETNX", *[x for pair in kv for x in pair]), st.lists(st.tuples(KEYS, VALUES), min_size=1,
                                                                                 max_size=3)),
    st.builds(lambda k, v: ("APPEND", k, v), KEYS, VALUES),
    st.builds(lambda k: ("STRLEN", k), KEYS),
    st.builds(lambda c, k: (c, k), st.sampled_from(["INCR", "DECR"]), KEYS),
    st.builds(lambda c, k, n: (c, k, n), st.sampled_from(["INCRBY", "DECRBY"]), KEYS, INTEGERS),
    st.builds(lambda k, f: ("INCRBYFLOAT", k, f), KEYS, FLOATS),
    st.builds(lambda c, k, s, e: (c, k, s, e), st.sampled_from(["GETRANGE", "SUBSTR"]), KEYS, INTEGERS, INTEGERS),
    st.builds(lambda k, o, v: ("SETRANGE", k, o, v), KEYS, st.one_of(st.integers(-1, 30).map(str), INTEGERS),
              VALUES),
    st.builds(
        lambda a, b, o: ("LCS", a, b, *o),
        KEYS,
        KEYS,
        st.sampled_from([(), ("LEN",), ("IDX",), ("IDX", "WITHMATCHLEN"), ("IDX", "MINMATCHLEN", "2"),
                         ("IDX", "LEN"), ("FOO",)]),
    ),
    st.builds(lambda k: ("DEL", k), KEYS),
    st.builds(lambda k: ("EXISTS", k), KEYS),
    st.builds(lambda k: ("TYPE", k), KEYS),
    st.builds(lambda k: ("HSET", k, "f", "v"), KEYS),  # a non-string key, for WRONGTYPE paths
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=st.lists(COMMANDS, min_size=1, max_size=30))
def test_random_string_programs(pairs: Pair, program: list[tuple[Arg, ...]]) -> None:
    pairs.check("FLUSHALL")
    hashes_served = not pairs.mini.send("HSET", "probe", "f", "v").startswith(b"-ERR unknown command")
    pairs.check("FLUSHALL")
    for argv in program:
        if argv[0] == "HSET" and not hashes_served:
            continue  # no non-string type served yet: the key is created on neither side
        real, mini = pairs.both(*argv)
        assert real == mini, f"{argv!r}\n real: {real!r}\n mini: {mini!r}\n program: {program!r}"
    pairs.state("a", "b", "c", "d")
