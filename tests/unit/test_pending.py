"""PendingMap (the PEL's ordered map) against sortedcontainers.SortedDict as the model."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sortedcontainers import SortedDict

from miniredis.structures.pending import PendingMap

IDS = st.tuples(st.integers(0, 60), st.integers(0, 2))
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), IDS),
        st.tuples(st.just("append"), st.integers(0, 3)),  # above every ID so far: the delivery path
        st.tuples(st.just("del"), IDS),
        st.tuples(st.just("pop"), IDS),
        st.tuples(st.just("range"), st.tuples(st.one_of(st.none(), IDS), st.one_of(st.none(), IDS))),
        st.tuples(st.just("first"), st.none()),
    ),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(ops=OPS)
def test_pending_map_behaves_like_a_sorted_dict(ops: list[tuple[str, object]]) -> None:
    pel: PendingMap[int] = PendingMap()
    model: SortedDict = SortedDict()
    top = (100, 0)
    for step, (op, arg) in enumerate(ops):
        if op == "set":
            pel[arg] = step  # type: ignore[index]
            model[arg] = step
        elif op == "append":
            top = (top[0] + 1 + int(arg), 0)  # type: ignore[call-overload]
            pel[top] = step
            model[top] = step
        elif op == "del":
            if arg in model:
                del pel[arg]  # type: ignore[arg-type]
                del model[arg]
        elif op == "pop":
            assert pel.pop(arg, None) == model.pop(arg, None)  # type: ignore[arg-type]
        elif op == "range":
            low, high = arg  # type: ignore[misc]
            assert list(pel.irange(low, high)) == list(model.irange(low, high))
        elif op == "first":
            if model:
                assert pel.first_key() == model.keys()[0]
                assert pel.last_key() == model.keys()[-1]
        pel.check()
        assert len(pel) == len(model) and bool(pel) == bool(model)
    assert list(pel) == list(model)
    assert list(pel.items()) == list(model.items())
    for key in list(model):
        assert pel[key] == model[key] and key in pel


def test_queue_pattern_stays_compact() -> None:
    # Deliver in order, acknowledge from the oldest end: dead IDs are dropped as they pile up.
    pel: PendingMap[int] = PendingMap()
    for i in range(10_000):
        pel[(i, 0)] = i
        if i >= 100:
            del pel[(i - 100, 0)]
    pel.check()
    assert len(pel) == 100 and pel.first_key() == (9_900, 0) and pel.last_key() == (9_999, 0)
    assert len(pel._keys) <= 2 * 100 + 40  # live IDs plus at most as many dead ones (and a margin)


def test_an_older_id_goes_in_order_and_a_dead_one_revives_in_place() -> None:
    pel: PendingMap[str] = PendingMap()
    for i in (1, 3, 5):
        pel[(i, 0)] = "a"
    del pel[(3, 0)]
    pel[(2, 0)] = "claimed"  # XCLAIM of an older entry
    pel[(3, 0)] = "again"  # the same ID pending again (XGROUP SETID backwards, then a read)
    pel.check()
    assert list(pel.items()) == [((1, 0), "a"), ((2, 0), "claimed"), ((3, 0), "again"), ((5, 0), "a")]
    assert list(pel.irange((2, 0), (4, 9))) == [(2, 0), (3, 0)]
