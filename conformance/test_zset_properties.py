"""Random sequences of sorted-set commands on real Redis and miniredis, every reply compared.

Hypothesis draws short programs over four keys from every sorted-set command (options, invalid
arguments and WRONGTYPE paths included; SADD gives plain sets as algebra inputs, SET/DEL strings
and removals). The zsets stay small (listpack-encoded), where Redis's replies are fully
deterministic, so every reply is compared byte for byte, with two exceptions: ZRANDMEMBER of the
whole zset (Redis's order is its own: same members, any order) and ZRANDMEMBER below the size
(random: only counts 0 and the whole set are drawn, plus the single-member form, checked for
membership). Mixed scores are allowed under BYLEX: a listpack walk is deterministic and miniredis
walks it the way Redis does.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import comparers
from conformance.harness import Arg, Pair

KEYS = st.sampled_from(["a", "b", "c", "d"])
MEMBERS = st.sampled_from(["x", "y", "z", "w", "", "10", "a b", "\x00", "xx", "Y"])
SCORES = st.sampled_from(["1", "2", "-1", "0", "-0", "0.1", "0.2", "3.5", "inf", "-inf", "1e20", "x", "nan", "+2",
                          "0x10", "1e-5"])
BOUNDS = st.sampled_from(["-inf", "+inf", "0", "1", "(1", "2", "(0.1", "(inf", "x", "3.5", "(", "-1"])
LEX = st.sampled_from(["-", "+", "[x", "(x", "[y", "(z", "[", "(", "x", "[10", "[a b"])
INTS = st.sampled_from(["0", "1", "-1", "2", "-2", "5", "-100", "x"])
FLAGS = st.lists(st.sampled_from(["NX", "XX", "GT", "LT", "CH", "INCR"]), max_size=2, unique=True)
RANGE_OPTIONS = st.lists(st.sampled_from([("WITHSCORES",), ("REV",), ("LIMIT", "1", "2"), ("LIMIT", "0", "-1"),
                                          ("BYSCORE",), ("BYLEX",)]), max_size=3).map(
    lambda options: tuple(word for option in options for word in option))
ALGEBRA_OPTIONS = st.sampled_from([(), ("WITHSCORES",), ("WEIGHTS", "2", "0.5"), ("AGGREGATE", "MIN"),
                                   ("AGGREGATE", "MAX", "WITHSCORES"), ("WEIGHTS", "1", "-1", "WITHSCORES"),
                                   ("WEIGHTS", "inf", "0", "WITHSCORES")])


def _pairs(items: list[tuple[str, str]]) -> list[str]:
    return [x for pair in items for x in pair]


SCORE_MEMBERS = st.lists(st.tuples(SCORES, MEMBERS), min_size=1, max_size=4).map(_pairs)

COMMANDS = st.one_of(
    st.builds(lambda k, f, sm: ("ZADD", k, *f, *sm), KEYS, FLAGS, SCORE_MEMBERS),
    st.builds(lambda k, s, m: ("ZINCRBY", k, s, m), KEYS, SCORES, MEMBERS),
    st.builds(lambda k, ms: ("ZREM", k, *ms), KEYS, st.lists(MEMBERS, min_size=1, max_size=3)),
    st.builds(lambda c, k: (c, k), st.sampled_from(["ZCARD", "TYPE", "DEL", "EXISTS"]), KEYS),
    st.builds(lambda c, k, m: (c, k, m), st.sampled_from(["ZSCORE", "ZRANK", "ZREVRANK"]), KEYS, MEMBERS),
    st.builds(lambda k, ms: ("ZMSCORE", k, *ms), KEYS, st.lists(MEMBERS, min_size=1, max_size=3)),
    st.builds(lambda c, k, lo, hi: (c, k, lo, hi), st.sampled_from(["ZCOUNT", "ZREMRANGEBYSCORE"]), KEYS, BOUNDS,
              BOUNDS),
    st.builds(lambda c, k, lo, hi: (c, k, lo, hi), st.sampled_from(["ZLEXCOUNT", "ZREMRANGEBYLEX"]), KEYS, LEX, LEX),
    st.builds(lambda k, lo, hi: ("ZREMRANGEBYRANK", k, lo, hi), KEYS, INTS, INTS),
    st.builds(lambda k, lo, hi, o: ("ZRANGE", k, lo, hi, *o), KEYS, st.one_of(INTS, BOUNDS, LEX),
              st.one_of(INTS, BOUNDS, LEX), RANGE_OPTIONS),
    st.builds(lambda d, k, lo, hi, o: ("ZRANGESTORE", d, k, lo, hi, *o), KEYS, KEYS, st.one_of(INTS, BOUNDS),
              st.one_of(INTS, BOUNDS), RANGE_OPTIONS),
    st.builds(lambda c, k, lo, hi, o: (c, k, lo, hi, *o), st.sampled_from(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]),
              KEYS, BOUNDS, BOUNDS, st.sampled_from([(), ("WITHSCORES",), ("LIMIT", "1", "1"), ("LIMIT", "-1", "2")])),
    st.builds(lambda c, k, lo, hi, o: (c, k, lo, hi, *o), st.sampled_from(["ZRANGEBYLEX", "ZREVRANGEBYLEX"]),
              KEYS, LEX, LEX, st.sampled_from([(), ("LIMIT", "0", "2"), ("WITHSCORES",)])),
    st.builds(lambda k, lo, hi, o: ("ZREVRANGE", k, lo, hi, *o), KEYS, INTS, INTS, st.sampled_from([(),
    ("WITHSCORES",)])),
    st.builds(lambda c, k, n: (c, k, *n), st.sampled_from(["ZPOPMIN", "ZPOPMAX"]), KEYS,
              st.sampled_from([(), ("1",), ("2",), ("0",), ("-1",), ("10",)])),
    st.builds(lambda ks, w, n: ("ZMPOP", str(len(ks)), *ks, w, *n), st.lists(KEYS, min_size=1, max_size=2),
              st.sampled_from(["MIN", "MAX", "x"]), st.sampled_from([(), ("COUNT", "2"), ("COUNT", "0")])),
    st.builds(lambda c, ks: (c, *ks, "0.001"), st.sampled_from(["BZPOPMIN", "BZPOPMAX"]),
              st.lists(KEYS, min_size=1, max_size=2)),
    st.builds(lambda c, k1, k2, o: (c, "2", k1, k2, *o), st.sampled_from(["ZUNION", "ZINTER", "ZDIFF"]), KEYS, KEYS,
              ALGEBRA_OPTIONS),
    st.builds(lambda c, d, k1, k2, o: (c, d, "2", k1, k2, *o),
              st.sampled_from(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]), KEYS, KEYS, KEYS, ALGEBRA_OPTIONS),
    st.builds(lambda k1, k2, o: ("ZINTERCARD", "2", k1, k2, *o), KEYS, KEYS,
              st.sampled_from([(), ("LIMIT", "1"), ("LIMIT", "-1")])),
    st.builds(lambda k, o: ("ZRANDMEMBER", k, *o), KEYS,
              st.sampled_from([(), ("0",), ("1000",), ("1000", "WITHSCORES"), ("x",), ("1", "foo")])),
    st.builds(lambda k, o: ("ZSCAN", k, "0", *o), KEYS,
              st.sampled_from([(), ("COUNT", "1"), ("MATCH", "x*"), ("MATCH", "?", "COUNT", "100"), ("COUNT", "0")])),
    st.builds(lambda k, ms: ("SADD", k, *ms), KEYS, st.lists(MEMBERS, min_size=1, max_size=3)),
    st.builds(lambda k: ("SET", k, "v"), KEYS),
)


def run_step(pair: Pair, argv: tuple[Arg, ...]) -> None:
    command = str(argv[0]).upper()
    real, mini = pair.both(*argv)
    if command == "ZRANDMEMBER" and len(argv) == 2 and real[:1] == b"$" and not real.startswith(b"$-1"):
        assert mini[:1] == b"$", (argv, real, mini)
        members = pair.mini.send("ZRANGE", argv[1], "0", "-1")
        assert mini.split(b"\r\n")[1] in members.split(b"\r\n"), (argv, mini, members)
        return
    if command == "ZRANDMEMBER" and argv[2:3] == ("1000",) and real[:1] == b"*":
        if len(argv) == 4 and pair.protocol == 2:
            assert comparers.sorted_pairs(real, mini), (argv, real, mini)
        else:
            assert comparers.sorted_array(real, mini), (argv, real, mini)
        return
    assert real == mini, f"{argv!r}\n real: {real!r}\n mini: {mini!r}"


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=st.lists(COMMANDS, min_size=1, max_size=30))
def test_random_zset_programs(pairs: Pair, program: list[tuple[Arg, ...]]) -> None:
    pairs.check("FLUSHALL")
    for argv in program:
        run_step(pairs, argv)
    for key in ("a", "b", "c", "d"):
        pairs.check("TYPE", key)
        pairs.check("OBJECT", "ENCODING", key)
        real, mini = pairs.both("ZRANGE", key, "0", "-1", "WITHSCORES")
        assert real == mini, (key, real, mini)
