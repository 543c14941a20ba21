"""Stream storage: packed nodes, node boundaries, range reads, deletion and trimming rules."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from miniredis.structures.listpack import DELETED, StreamNode, lp_int_size, lp_str_size
from miniredis.structures.stream import MAX_ID, MIN_ID, Stream, flat_pairs


def build(count: int, max_entries: int = 100, max_bytes: int = 4096) -> tuple[Stream, list[tuple[int, int]]]:
    stream = Stream()
    ids = []
    for i in range(count):
        stream_id = (1000 + i // 3, i % 3)
        ids.append(stream_id)
        stream.append(stream_id, (b"f", b"g"), (b"%d" % i, b"x"), max_entries, max_bytes)
    return stream, ids


def test_nodes_fill_to_max_entries_and_pack() -> None:
    stream, _ = build(1050)
    assert stream.node_count == 11
    nodes = [node for _, node in stream.rax.items()]
    assert all(node.entries is None for node in nodes[:-1])  # sealed nodes hold no entry objects
    assert nodes[-1].entries is not None and len(nodes[-1].entries) == 50


def test_range_both_directions_with_bounds_and_count() -> None:
    stream, ids = build(1050)
    assert [e[0] for e in stream.range(MIN_ID, MAX_ID)] == ids
    assert [e[0] for e in stream.range(MIN_ID, MAX_ID, reverse=True)] == ids[::-1]
    inside = [i for i in ids if (1100, 1) <= i <= (1200, 0)]
    assert [e[0] for e in stream.range((1100, 1), (1200, 0))] == inside
    assert [e[0] for e in stream.range((1100, 1), (1200, 0), reverse=True)] == inside[::-1]
    assert [e[0] for e in stream.range((1100, 1), MAX_ID, count=5)] == inside[:5]
    entry_id, node, entry = next(stream.range((1000, 1), MAX_ID))
    assert flat_pairs(node, entry) == [b"f", b"1", b"g", b"x"]


def test_delete_flags_entries_and_frees_empty_nodes() -> None:
    stream, ids = build(150)
    for stream_id in ids[:100]:
        assert stream.delete(stream_id)
    assert not stream.delete(ids[0])
    assert stream.length == 50 and stream.node_count == 1
    assert stream.first_id == ids[100]
    assert stream.max_deleted_id == ids[99]


def test_approximate_trim_removes_whole_nodes_only() -> None:
    stream, _ = build(1050)
    assert stream.trim(maxlen=500, approx=True) == 500
    assert stream.length == 550 and stream.node_count == 6
    assert stream.trim(maxlen=500) == 50
    assert stream.length == 500


def test_listpack_size_model() -> None:
    assert lp_int_size(5) == 2 and lp_int_size(-1) == 3 and lp_int_size(2**40) == 10
    assert lp_str_size(b"12") == lp_int_size(12)  # integer-looking strings are stored as integers
    assert lp_str_size(b"012") == 1 + 3 + 1
    assert lp_str_size(b"x" * 100) == 2 + 100 + 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "del", "trim"]), st.integers(0, 40)), max_size=80))
def test_stream_matches_a_plain_list_model(ops: list[tuple[str, int]]) -> None:
    stream = Stream()
    model: list[tuple[tuple[int, int], tuple[bytes, ...]]] = []
    rnd = random.Random(0)
    next_ms = 1
    for op, arg in ops:
        if op == "add":
            stream_id = (next_ms, 0)
            next_ms += 1
            fields = (b"a", b"b") if arg % 3 else (b"c",)
            values = tuple(b"v%d" % rnd.randint(0, 999) for _ in fields)
            stream.append(stream_id, fields, values, 5, 4096)
            model.append((stream_id, values))
        elif op == "del" and model:
            victim = model.pop(arg % len(model))[0]
            assert stream.delete(victim)
        elif op == "trim":
            removed = stream.trim(maxlen=arg)
            expected = max(0, len(model) - arg)
            assert removed == expected
            del model[:expected]
        assert stream.length == len(model)
        assert [(e[0], e[2][3]) for e in stream.range(MIN_ID, MAX_ID)] == model
    for _, node in stream.rax.items():
        assert node.count == sum(1 for entry in node if not entry[4] & DELETED)
        assert isinstance(node, StreamNode)


VALUES = st.one_of(
    st.binary(max_size=80),
    st.integers(-(2**63), 2**64).map(lambda n: b"%d" % n),  # stored as integers by Redis when they fit
    st.sampled_from([b"0", b"007", b"-0", b"+1", b"9" * 19, b"x" * 5000]),
)
ENTRIES = st.lists(st.tuples(st.integers(0, 300), st.integers(0, 3), st.lists(VALUES, min_size=1, max_size=4)),
                   min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(entries=ENTRIES)
def test_node_size_bound_never_under_and_exact_mode_agrees(entries: list[tuple[int, int, list[bytes]]]) -> None:
    # A node adds an upper bound of each entry's listpack size until it needs the exact figure;
    # the bound must never be below the exact size (or a node would overflow stream-node-max-bytes),
    # and a node sizing exactly from its first entry must agree with a recomputation.
    fields = (b"a", b"bb", b"ccc", b"d")
    bounded = StreamNode(1000, 0, fields)
    exact = StreamNode(1000, 0, fields)
    exact.exact_size()
    ms, seq = 1000, 0
    for step, (ms_step, seq_step, values) in enumerate(entries):
        ms, seq = (ms + ms_step, seq + seq_step) if ms_step else (ms, seq + seq_step + 1)
        names = None if len(values) == len(fields) and step % 3 else tuple(b"f%d" % i for i in range(len(values)))
        for node in (bounded, exact):
            node.append(ms, seq, names, tuple(values), sum(map(len, values)))
        check = StreamNode(1000, 0, fields)
        for entry in bounded.entries or []:
            check.append(entry[0], entry[1], entry[2], entry[3], sum(map(len, entry[3])))
        truth = check.exact_size()
        assert bounded.lp_bytes >= truth
        assert exact.lp_bytes == truth
    assert bounded.exact_size() == exact.lp_bytes
