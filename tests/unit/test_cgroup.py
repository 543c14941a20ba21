"""Consumer-group structure (``miniredis.structures.cgroup``) without sockets: the group PEL and the
consumer PELs stay one consistent view through deliver / redeliver / ack / claim / delete_consumer,
and the Redis 7.0 entries-read and lag rules (counter, tombstones, estimates)."""

from __future__ import annotations

import random

from miniredis.structures.cgroup import ConsumerGroup, estimate_entries_read, range_has_tombstones
from miniredis.structures.stream import MAX_ID, Stream


def make_stream(n: int) -> Stream:
    stream = Stream()
    for i in range(1, n + 1):
        stream.append((i, 0), (b"f",), (b"%d" % i,), 100, 4096)
    return stream


def test_deliver_ack_keep_both_views() -> None:
    group = ConsumerGroup(b"g", (0, 0), 0)
    alice = group.consumer(b"alice", 10)
    bob = group.consumer(b"bob", 10)
    assert alice is not None and bob is not None
    group.deliver((1, 0), alice, 100)
    group.deliver((2, 0), bob, 100)
    group.check_invariants()
    assert list(group.pel) == [(1, 0), (2, 0)]
    assert list(alice.pel) == [(1, 0)]
    assert group.ack((1, 0)) is True
    assert group.ack((1, 0)) is False
    assert not alice.pel
    group.check_invariants()


def test_deliver_of_an_entry_pending_elsewhere_moves_it() -> None:
    group = ConsumerGroup(b"g", (0, 0), None)
    alice = group.consumer(b"alice", 0)
    bob = group.consumer(b"bob", 0)
    assert alice is not None and bob is not None
    group.deliver((1, 0), alice, 5)
    group.redeliver((1, 0), group.pel[(1, 0)], 6)
    assert group.pel[(1, 0)].delivery_count == 2
    group.deliver((1, 0), bob, 7)  # after XGROUP SETID back: the entry moves, its count restarts
    nack = group.pel[(1, 0)]
    assert nack.consumer is bob and nack.delivery_count == 1 and nack.delivery_time == 7
    assert not alice.pel and list(bob.pel) == [(1, 0)]
    group.check_invariants()


def test_noack_delivery_adds_nothing() -> None:
    group = ConsumerGroup(b"g", (0, 0), None)
    alice = group.consumer(b"alice", 0)
    assert alice is not None
    group.deliver((1, 0), alice, 5, noack=True)
    assert not group.pel and not alice.pel


def test_claim_moves_and_force_creates() -> None:
    group = ConsumerGroup(b"g", (0, 0), None)
    alice = group.consumer(b"alice", 0)
    bob = group.consumer(b"bob", 0)
    assert alice is not None and bob is not None
    assert group.claim((1, 0), bob, 5, None) is None  # not pending, no FORCE
    created = group.claim((1, 0), bob, 5, 1, force_create=True)
    assert created is not None and created.consumer is bob
    group.deliver((2, 0), alice, 1)
    moved = group.claim((2, 0), bob, 9, None)
    assert moved is not None and moved.delivery_count == 1 and moved.delivery_time == 9
    assert list(bob.pel) == [(1, 0), (2, 0)] and not alice.pel
    group.check_invariants()


def test_delete_consumer_drops_its_entries() -> None:
    group = ConsumerGroup(b"g", (0, 0), None)
    alice = group.consumer(b"alice", 0)
    bob = group.consumer(b"bob", 0)
    assert alice is not None and bob is not None
    for i in range(1, 4):
        group.deliver((i, 0), alice, 0)
    group.deliver((9, 0), bob, 0)
    assert group.delete_consumer(b"alice") == 3
    assert group.delete_consumer(b"alice") == 0
    assert list(group.pel) == [(9, 0)]
    assert list(group.consumers) == [b"bob"]
    group.check_invariants()


def test_consumers_are_in_byte_order() -> None:
    group = ConsumerGroup(b"g", (0, 0), None)
    for name in (b"zed", b"Alice", b"bob", b"alice"):
        group.consumer(name, 0)
    assert list(group.consumers) == [b"Alice", b"alice", b"bob", b"zed"]


def test_random_operations_keep_invariants() -> None:
    rng = random.Random(7)
    group = ConsumerGroup(b"g", (0, 0), None)
    names = [b"a", b"b", b"c"]
    for step in range(2000):
        name = rng.choice(names)
        consumer = group.consumer(name, step)
        assert consumer is not None
        entry = (rng.randint(1, 40), 0)
        op = rng.randrange(5)
        if op == 0:
            group.deliver(entry, consumer, step)
        elif op == 1:
            group.ack(entry)
        elif op == 2:
            group.claim(entry, consumer, step, rng.choice([None, 3]), force_create=rng.random() < 0.5)
        elif op == 3 and rng.random() < 0.1:
            group.delete_consumer(name)
        else:
            nack = group.pel.get(entry)
            if nack is not None:
                group.redeliver(entry, nack, step)
        group.check_invariants()


def test_copy_is_deep_and_consistent() -> None:
    group = ConsumerGroup(b"g", (5, 0), 3)
    alice = group.consumer(b"alice", 1)
    assert alice is not None
    group.deliver((1, 0), alice, 2)
    twin = group.copy()
    twin.check_invariants()
    assert twin.pel[(1, 0)] is not group.pel[(1, 0)]
    twin.ack((1, 0))
    assert (1, 0) in group.pel


def test_advance_counts_and_lag() -> None:
    stream = make_stream(5)
    group = ConsumerGroup(b"g", (0, 0), 0)
    assert group.lag(stream) == 5
    group.advance(stream, (1, 0))
    group.advance(stream, (2, 0))
    assert group.entries_read == 2 and group.last_id == (2, 0)
    assert group.lag(stream) == 3


def test_unknown_counter_is_estimated_without_tombstones() -> None:
    stream = make_stream(5)
    group = ConsumerGroup(b"g", (0, 0), None)
    assert group.lag(stream) == 5  # before the first entry: entries_added - length
    group.advance(stream, (1, 0))
    assert group.entries_read == 1  # the first entry: estimated exactly
    group.last_id = (5, 0)
    group.entries_read = None
    assert group.lag(stream) == 0  # the last ID: all read


def test_tombstones_make_the_lag_unknown() -> None:
    stream = make_stream(5)
    stream.delete((4, 0))
    assert range_has_tombstones(stream, (2, 0), MAX_ID)
    assert not range_has_tombstones(stream, (5, 0), MAX_ID)
    group = ConsumerGroup(b"g", (2, 0), None)
    assert estimate_entries_read(stream, (2, 0)) is None
    assert group.lag(stream) is None


def test_empty_stream_lag_is_zero() -> None:
    stream = Stream()
    assert ConsumerGroup(b"g", (0, 0), None).lag(stream) == 0
