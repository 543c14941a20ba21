"""Random sequences of stream commands on real Redis and miniredis, every reply compared byte for byte.

Hypothesis draws short programs over two stream keys (and one string key for WRONGTYPE paths):
XADD with explicit, partial (``<ms>-*``) and invalid IDs and every trimming option, XDEL, XTRIM,
XRANGE/XREVRANGE with exclusive bounds and COUNT, XREAD, XSETID, XLEN, and XINFO STREAM (whose
radix-tree-keys/nodes and metadata expose node boundaries, trims and deletion bookkeeping).
IDs are explicit so replies are deterministic. Nodes are made small (3-8 entries, a few hundred
bytes) on both servers so that node splits, approximate trims and node frees happen often.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.harness import Arg, Pair

KEYS = st.sampled_from(["s", "t", "str"])
MS = st.integers(0, 30)
IDS = st.one_of(
    st.builds(lambda ms, seq: f"{ms}-{seq}", MS, st.integers(0, 4)),
    MS.map(str),
    st.sampled_from(["0-0", "18446744073709551615-18446744073709551615", "x", "1-*"]),
)
ADD_IDS = st.one_of(IDS, MS.map(lambda ms: f"{ms}-*"))
BOUNDS = st.one_of(IDS, st.sampled_from(["-", "+"]), IDS.map(lambda i: "(" + i))
FIELDS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "user_id", ""]),
              st.one_of(st.integers(-300, 70000).map(str), st.sampled_from(["", "v", "word" * 20]))),
    min_size=1, max_size=3,
).map(lambda pairs: [x for pair in pairs for x in pair])
TRIMS = st.one_of(
    st.just(()),
    st.builds(lambda op, n: ("MAXLEN", *op, str(n)), st.sampled_from([(), ("~",), ("=",)]), st.integers(-1, 12)),
    st.builds(lambda op, i: ("MINID", *op, i), st.sampled_from([(), ("~",), ("=",)]), IDS),
    st.builds(lambda n, lim: ("MAXLEN", "~", str(n), "LIMIT", str(lim)), st.integers(0, 12), st.integers(-1, 10)),
    st.builds(lambda i, lim: ("MINID", "~", i, "LIMIT", str(lim)), IDS, st.integers(0, 10)),
)
COUNTS = st.one_of(st.just(()), st.integers(-1, 5).map(lambda n: ("COUNT", str(n))))

COMMANDS = st.one_of(
    st.builds(lambda k, nomk, trim, i, f: ("XADD", k, *nomk, *trim, i, *f), KEYS,
              st.sampled_from([(), ("NOMKSTREAM",)]), TRIMS, ADD_IDS, FIELDS),
    st.builds(lambda k, i, f: ("XADD", k, i, *f), KEYS, ADD_IDS, FIELDS),
    st.builds(lambda k, ids: ("XDEL", k, *ids), KEYS, st.lists(IDS, min_size=1, max_size=3)),
    st.builds(lambda k, trim: ("XTRIM", k, *trim), KEYS, TRIMS.filter(bool)),
    st.builds(lambda k, a, b, c: ("XRANGE", k, a, b, *c), KEYS, BOUNDS, BOUNDS, COUNTS),
    st.builds(lambda k, a, b, c: ("XREVRANGE", k, a, b, *c), KEYS, BOUNDS, BOUNDS, COUNTS),
    st.builds(lambda c, k, i: ("XREAD", *c, "STREAMS", k, i), COUNTS, KEYS, st.one_of(IDS, st.just("$"))),
    st.builds(lambda k, i, opts: ("XSETID", k, i, *opts), KEYS, IDS,
              st.sampled_from([(), ("ENTRIESADDED", "20"), ("ENTRIESADDED", "0"), ("MAXDELETEDID", "3-0"),
                               ("ENTRIESADDED", "100", "MAXDELETEDID", "30-5")])),
    st.builds(lambda k: ("XLEN", k), KEYS),
    st.builds(lambda k: ("XINFO", "STREAM", k), KEYS),
    st.builds(lambda k: ("XINFO", "STREAM", k, "FULL", "COUNT", "0"), KEYS),
    st.builds(lambda k: ("DEL", k), KEYS),
)


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(program=st.lists(COMMANDS, min_size=1, max_size=25),
       node_entries=st.sampled_from(["3", "5", "8"]), node_bytes=st.sampled_from(["120", "300", "4096"]))
def test_random_stream_programs(pairs: Pair, program: list[tuple[Arg, ...]], node_entries: str,
                                node_bytes: str) -> None:
    pair = pairs
    pair.check("FLUSHALL")
    pair.check("CONFIG", "SET", "stream-node-max-entries", node_entries)
    pair.check("CONFIG", "SET", "stream-node-max-bytes", node_bytes)
    pair.check("SET", "str", "x")
    try:
        for argv in program:
            pair.check(*argv)
        for key in ("s", "t"):
            pair.check("XINFO", "STREAM", key, "FULL", "COUNT", "0")
    finally:
        pair.check("CONFIG", "SET", "stream-node-max-entries", "100")
        pair.check("CONFIG", "SET", "stream-node-max-bytes", "4096")
