"""The QuickList structure against a plain Python list, without sockets.

Lists with tiny nodes (3 elements, spilling at 6) make every operation cross the head /
nodes / tail boundaries; a Hypothesis state machine drives it through random sequences of pushes,
pops, inserts, sets, removals, trims, ranges and index reads, checking the whole content and the
internal invariants after every step.
"""

from __future__ import annotations

import marshal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from miniredis.config import Config
from miniredis.keyspace.encodings import encoding_of
from miniredis.keyspace.objects import type_name
from miniredis.structures.quicklist import NODE, SPILL, QuickList


def tiny() -> QuickList:
    return QuickList(node=3)


def check_invariants(items: QuickList) -> None:
    nodes, sizes = items.nodes, items.sizes
    if nodes is None:
        assert sizes is None and items.packed == 0
    else:
        assert sizes is not None and len(nodes) == len(sizes) > 0
        assert [len(marshal.loads(blob)) for blob in nodes] == list(sizes)
        assert all(sizes) and sum(sizes) == items.packed
    assert len(items.head) < items.SPILL and len(items.tail) < items.SPILL


def filled(values: list[bytes], node: int = 3) -> QuickList:
    items = QuickList(node)
    for value in values:
        items.push_right(value)
    return items


def test_empty() -> None:
    items = QuickList()
    assert len(items) == 0 and not items and list(items) == [] and list(reversed(items)) == []
    assert items.range(0, 0) == [] and items.index(b"x") == -1 and items.remove(b"x", 0) == 0


def test_push_pop_both_ends_across_nodes() -> None:
    items = tiny()
    for i in range(20):
        items.push_left(b"%d" % i)
    check_invariants(items)
    assert items.packed > 0
    assert list(items) == [b"%d" % i for i in reversed(range(20))]
    # Popping from the other end unpacks nodes into the empty tail, then moves half the head.
    assert [items.pop_right() for _ in range(20)] == [b"%d" % i for i in range(20)]
    assert not items and items.nodes is None


def test_constructor_packs_and_iterates_both_ways() -> None:
    values = [b"v%d" % i for i in range(1000)]
    items = QuickList.from_iterable(values)
    check_invariants(items)
    assert items.packed >= 1000 - SPILL
    assert list(items) == values and list(reversed(items)) == values[::-1]
    assert len(items) == 1000 and items[0] == b"v0" and items[999] == b"v999" and items[500] == b"v500"


def test_extend_left_reverses_like_lpush() -> None:
    items = QuickList.from_iterable([b"z"], node=3)
    items.extend_left([b"%d" % i for i in range(10)])
    assert list(items) == [b"%d" % i for i in reversed(range(10))] + [b"z"]
    check_invariants(items)


def test_range_pop_many_and_trim() -> None:
    values = [b"%d" % i for i in range(50)]
    items = filled(values)
    for start, stop in [(0, 50), (0, 0), (10, 20), (49, 50), (3, 4), (0, 1), (25, 50)]:
        assert items.range(start, stop) == values[start:stop]
    assert items.pop_left_many(7) == values[:7]
    assert items.pop_right_many(5) == values[-5:][::-1]
    items.trim(3, 30)
    assert list(items) == values[7:45][3:30]
    check_invariants(items)
    assert items.pop_left_many(100) == values[10:37] and not items


def test_set_insert_index_remove() -> None:
    values = [b"%d" % (i % 7) for i in range(40)]
    items = filled(values)
    model = list(values)
    items[20] = b"x"
    model[20] = b"x"
    assert items.index(b"x") == 20 and items.index(b"nope") == -1
    items.insert(20, b"y")
    model.insert(20, b"y")
    assert list(items) == model
    assert items.remove(b"3", 2) == 2
    for _ in range(2):
        model.remove(b"3")
    assert items.remove(b"4", -3) == 3
    for _ in range(3):
        del model[len(model) - 1 - model[::-1].index(b"4")]
    assert list(items) == model
    assert items.remove(b"5", 0) == model.count(b"5")
    model = [item for item in model if item != b"5"]
    assert list(items) == model
    check_invariants(items)


def test_node_search_skips_near_matches() -> None:
    # b"ab" occurs inside b"xaby" in the packed bytes but no element equals it.
    items = filled([b"xaby"] * 20 + [b"ab"])
    assert items.index(b"ab") == 20
    assert items.index(b"a") == -1
    assert items.remove(b"ab", 0) == 1 and len(items) == 20


def test_insert_splits_a_full_node() -> None:
    items = filled([b"%d" % i for i in range(30)])
    model = [b"%d" % i for i in range(30)]
    for _ in range(10):
        items.insert(12, b"n")
        model.insert(12, b"n")
    assert list(items) == model
    check_invariants(items)
    assert items.sizes is not None and max(items.sizes) < 6


def test_copy_is_independent() -> None:
    items = filled([b"%d" % i for i in range(30)])
    duplicate = items.copy()
    items[15] = b"changed"
    items.push_left(b"new")
    items.pop_right()
    assert list(duplicate) == [b"%d" % i for i in range(30)]
    assert type(QuickList().copy()) is QuickList


def test_type_and_encoding() -> None:
    assert type_name(QuickList()) == b"list"
    assert encoding_of(QuickList.from_iterable([b"a"]), Config({})) == b"quicklist"


def test_default_limits() -> None:
    assert SPILL == 2 * NODE
    items = QuickList()
    for i in range(SPILL):
        items.push_left(b"%d" % i)
    assert items.packed == NODE and len(items.head) == SPILL - NODE


ELEMENTS = st.sampled_from([b"a", b"b", b"c", b"", b"ab"])


class QuickListMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.items: QuickList = tiny()
        self.model: list[bytes] = []

    @rule(value=ELEMENTS)
    def push_left(self, value: bytes) -> None:
        self.items.push_left(value)
        self.model.insert(0, value)

    @rule(value=ELEMENTS)
    def push_right(self, value: bytes) -> None:
        self.items.push_right(value)
        self.model.append(value)

    @rule(values=st.lists(ELEMENTS, max_size=15), left=st.booleans())
    def extend(self, values: list[bytes], left: bool) -> None:
        if left:
            self.items.extend_left(values)
            self.model[:0] = values[::-1]
        else:
            self.items.extend_right(values)
            self.model.extend(values)

    @precondition(lambda self: self.model)
    @rule(left=st.booleans())
    def pop(self, left: bool) -> None:
        if left:
            assert self.items.pop_left() == self.model.pop(0)
        else:
            assert self.items.pop_right() == self.model.pop()

    @rule(count=st.integers(0, 20), left=st.booleans())
    def pop_many(self, count: int, left: bool) -> None:
        if left:
            expected = self.model[:count]
            del self.model[:count]
            assert self.items.pop_left_many(count) == expected
        else:
            expected = self.model[::-1][:count]
            del self.model[len(self.model) - len(expected):]
            assert self.items.pop_right_many(count) == expected

    @rule(data=st.data(), value=ELEMENTS)
    def insert(self, data: st.DataObject, value: bytes) -> None:
        index = data.draw(st.integers(0, len(self.model)))
        self.items.insert(index, value)
        self.model.insert(index, value)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), value=ELEMENTS)
    def set(self, data: st.DataObject, value: bytes) -> None:
        index = data.draw(st.integers(0, len(self.model) - 1))
        self.items[index] = value
        self.model[index] = value

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def get(self, data: st.DataObject) -> None:
        index = data.draw(st.integers(0, len(self.model) - 1))
        assert self.items[index] == self.model[index]

    @rule(value=ELEMENTS, count=st.integers(-4, 4))
    def remove(self, value: bytes, count: int) -> None:
        expected = 0
        if count >= 0:
            kept = []
            for item in self.model:
                if item == value and (count == 0 or expected < count):
                    expected += 1
                else:
                    kept.append(item)
        else:
            kept = []
            for item in reversed(self.model):
                if item == value and expected < -count:
                    expected += 1
                else:
                    kept.append(item)
            kept.reverse()
        assert self.items.remove(value, count) == expected
        self.model = kept

    @rule(value=ELEMENTS)
    def index(self, value: bytes) -> None:
        expected = self.model.index(value) if value in self.model else -1
        assert self.items.index(value) == expected

    @rule(data=st.data())
    def trim(self, data: st.DataObject) -> None:
        start = data.draw(st.integers(0, len(self.model)))
        stop = data.draw(st.integers(start, len(self.model)))
        self.items.trim(start, stop)
        self.model = self.model[start:stop]

    @rule(data=st.data())
    def range(self, data: st.DataObject) -> None:
        start = data.draw(st.integers(0, len(self.model)))
        stop = data.draw(st.integers(start, len(self.model)))
        assert self.items.range(start, stop) == self.model[start:stop]

    @rule()
    def copy(self) -> None:
        self.items = self.items.copy()

    @rule()
    def clear_sometimes(self) -> None:
        if len(self.model) > 60:
            self.items.clear()
            self.model = []

    @invariant()
    def same_content(self) -> None:
        assert len(self.items) == len(self.model)
        assert bool(self.items) == bool(self.model)
        assert list(self.items) == self.model
        assert list(reversed(self.items)) == self.model[::-1]
        check_invariants(self.items)


QuickListMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=50, deadline=None)
TestQuickList = QuickListMachine.TestCase
