"""The radix tree against a sorted dict (property tests), and its Redis node count on known shapes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from miniredis.structures.rax import Rax

keys = st.binary(min_size=0, max_size=5).map(lambda raw: bytes(b % 4 for b in raw))  # few bytes: deep sharing
operations = st.lists(st.tuples(st.sampled_from(["insert", "remove"]), keys), max_size=60)


@settings(max_examples=300, deadline=None)
@given(operations, st.lists(keys, max_size=10))
def test_rax_behaves_like_a_sorted_dict(ops: list[tuple[str, bytes]], probes: list[bytes]) -> None:
    tree: Rax[bytes] = Rax()
    reference: dict[bytes, bytes] = {}
    for op, key in ops:
        if op == "insert":
            assert tree.insert(key, key) == (key not in reference)
            reference[key] = key
        else:
            assert tree.remove(key) == (key in reference)
            reference.pop(key, None)
    ordered = sorted(reference)
    assert len(tree) == len(ordered)
    assert [k for k, _ in tree.items()] == ordered
    assert [k for k, _ in tree.items(reverse=True)] == ordered[::-1]
    for probe in probes + ordered[:3]:
        assert tree.find(probe) == reference.get(probe)
        assert [k for k, _ in tree.seek(probe, ">=")] == [k for k in ordered if k >= probe]
        assert [k for k, _ in tree.seek(probe, ">")] == [k for k in ordered if k > probe]
        assert [k for k, _ in tree.seek(probe, "<=")] == [k for k in ordered if k <= probe][::-1]
        assert [k for k, _ in tree.seek(probe, "<")] == [k for k in ordered if k < probe][::-1]


@settings(max_examples=200, deadline=None)
@given(st.lists(keys, max_size=40), st.lists(keys, max_size=40))
def test_shape_depends_only_on_the_key_set(first: list[bytes], removed: list[bytes]) -> None:
    """After any insert/remove history the tree equals one built from the remaining keys directly."""
    tree: Rax[int] = Rax()
    for key in first:
        tree.insert(key, 0)
    for key in removed:
        tree.remove(key)
    rebuilt: Rax[int] = Rax()
    for key, _ in tree.items():
        rebuilt.insert(key, 0)
    assert tree.redis_node_count() == rebuilt.redis_node_count()


def test_redis_node_count_on_documented_shapes() -> None:
    tree: Rax[int] = Rax()
    assert tree.redis_node_count() == 1  # the empty root
    tree.insert(b"foo", 0)
    assert tree.redis_node_count() == 2  # compressed "foo" -> key leaf
    tree.insert(b"foobar", 0)
    tree.insert(b"footer", 0)
    # ["foo"] -> [t b] (key "foo") -> ("er"), ("ar") -> two leaves
    assert tree.redis_node_count() == 6
    tree.remove(b"foobar")
    tree.remove(b"footer")
    assert tree.redis_node_count() == 2
