"""Property test: random sequences of keyspace and expiry commands give the same replies on both servers.

Hypothesis draws short scripts over a few keys from SET (with and without EX/PX/KEEPTTL), GET, DEL,
UNLINK, EXISTS, TYPE, TOUCH, RENAME, RENAMENX, COPY (REPLACE, DB), MOVE, the EXPIRE family with
every option (times far in the future, or in the past so keys get deleted), PERSIST and the TTL
family, and SELECT. Every reply is compared byte for byte except millisecond values (PTTL,
PEXPIRETIME), which may differ by the time between the two servers' replies: within 1 s. TTL and
EXPIRETIME are compared exactly except at a rounding edge (within 1). After each script the
state of every key in both dbs used is compared. Bounded: 50 examples, no deadline.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.conftest import Targets
from conformance.harness import Arg, Pair

KEYS = ("a", "b", "c")
key = st.sampled_from(KEYS)
value = st.sampled_from(("1", "v", "12345", "x" * 50))
expire_option = st.sampled_from(((), ("NX",), ("XX",), ("GT",), ("LT",), ("NX", "XX"), ("GT", "LT")))
seconds = st.one_of(st.integers(100, 1000), st.integers(-5, 0))
millis = st.one_of(st.integers(100_000, 1_000_000), st.integers(-5000, 0))
far_seconds = st.integers(4_000_000_000, 5_000_000_000)

command = st.one_of(
    st.tuples(st.just("SET"), key, value),
    st.builds(lambda k, v, s: ("SET", k, v, "EX", str(s)), key, value, st.integers(100, 1000)),
    st.builds(lambda k, v, ms: ("SET", k, v, "PX", str(ms)), key, value, st.integers(100_000, 1_000_000)),
    st.builds(lambda k, v: ("SET", k, v, "KEEPTTL"), key, value),
    st.tuples(st.just("GET"), key),
    st.builds(lambda ks: ("DEL", *ks), st.lists(key, min_size=1, max_size=3)),
    st.builds(lambda ks: ("UNLINK", *ks), st.lists(key, min_size=1, max_size=2)),
    st.builds(lambda ks: ("EXISTS", *ks), st.lists(key, min_size=1, max_size=3)),
    st.builds(lambda ks: ("TOUCH", *ks), st.lists(key, min_size=1, max_size=2)),
    st.tuples(st.just("TYPE"), key),
    st.tuples(st.just("RENAME"), key, key),
    st.tuples(st.just("RENAMENX"), key, key),
    st.builds(lambda s, d, extra: ("COPY", s, d, *extra), key, key,
              st.sampled_from(((), ("REPLACE",), ("DB", "1"), ("DB", "1", "REPLACE")))),
    st.tuples(st.just("MOVE"), key, st.sampled_from(("0", "1"))),
    st.builds(lambda k, s, o: ("EXPIRE", k, str(s), *o), key, seconds, expire_option),
    st.builds(lambda k, ms, o: ("PEXPIRE", k, str(ms), *o), key, millis, expire_option),
    st.builds(lambda k, t, o: ("EXPIREAT", k, str(t), *o), key, st.one_of(far_seconds, st.integers(1, 100)),
              expire_option),
    st.builds(lambda k, t, o: ("PEXPIREAT", k, str(t * 1000 + 123), *o), key, far_seconds, expire_option),
    st.tuples(st.just("PERSIST"), key),
    st.tuples(st.sampled_from(("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME")), key),
    st.tuples(st.just("SELECT"), st.sampled_from(("0", "1"))),
)


def _number(raw: bytes) -> int | None:
    return int(raw[1:-2]) if raw[:1] == b":" else None


def compare(argv: tuple[Arg, ...], real: bytes, mini: bytes) -> None:
    name = str(argv[0]).upper()
    if name in ("PTTL", "PEXPIRETIME", "TTL", "EXPIRETIME") and real != mini:
        real_value, mini_value = _number(real), _number(mini)
        assert real_value is not None and mini_value is not None, (argv, real, mini)
        slack = 1000 if name.startswith("P") else 1
        assert (real_value < 0) == (mini_value < 0) and abs(real_value - mini_value) <= slack, (argv, real, mini)
        if real_value < 0:
            assert real_value == mini_value, (argv, real, mini)
        return
    assert real == mini, (argv, real, mini)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=st.lists(command, min_size=1, max_size=25))
def test_random_keyspace_scripts(targets: Targets, script: list[tuple[Arg, ...]]) -> None:
    targets.flush()
    pair: Pair = targets.pair(2)
    try:
        for argv in script:
            real, mini = pair.both(*argv)
            compare(argv, real, mini)
        for db in ("0", "1"):
            pair.check("SELECT", db)
            pair.state(*KEYS)
    finally:
        pair.close()
