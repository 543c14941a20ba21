"""Consumer groups: the group, its consumers and the pending entries list (PEL) — Redis 7.0's streamCG.

One ``ConsumerGroup`` owns every pending entry: ``pel`` maps an entry ID to its ``Nack`` (owner,
delivery time, delivery count), ordered by ID, and each ``Consumer`` has its own ordered PEL over
the same ``Nack`` objects. All changes go through the group's methods (``deliver``, ``ack``,
``claim``, ``delete_consumer``), which keep the two views consistent; ``check_invariants`` asserts it
and the tests call it after every operation (peer servers drifted exactly here).

Consumers are kept by name in byte order, as XINFO CONSUMERS lists them. Times are milliseconds
from the server clock. ``entries_read`` is Redis 7.0's read counter, ``None`` when unknown (Redis's
invalid value), from which XINFO GROUPS computes the lag (see ``lag``).
"""

from __future__ import annotations

from sortedcontainers import SortedDict

from miniredis.structures.pending import PendingMap
from miniredis.structures.stream import MAX_ID, Stream, StreamID


class Nack:
    """A pending entry: who has it, when it was last delivered, and how many times."""

    __slots__ = ("consumer", "delivery_time", "delivery_count")

    def __init__(self, consumer: Consumer, delivery_time: int, delivery_count: int = 1) -> None:
        self.consumer = consumer
        self.delivery_time = delivery_time
        self.delivery_count = delivery_count


class Consumer:
    __slots__ = ("name", "seen_time", "active_time", "pel")

    def __init__(self, name: bytes, now_ms: int) -> None:
        self.name = name
        self.seen_time = now_ms  # last time it read or claimed (XINFO CONSUMERS idle)
        self.active_time = -1  # last successful delivery or claim; kept for completeness
        self.pel: PendingMap[Nack] = PendingMap()  # the entries this consumer holds, by ID


class ConsumerGroup:
    __slots__ = ("name", "last_id", "entries_read", "pel", "consumers")

    def __init__(self, name: bytes, last_id: StreamID, entries_read: int | None) -> None:
        self.name = name
        self.last_id = last_id
        self.entries_read = entries_read
        self.pel: PendingMap[Nack] = PendingMap()  # every pending entry of the group, by ID
        self.consumers: SortedDict = SortedDict()  # name -> Consumer, in byte order

    # --- consumers ---------------------------------------------------------------------------------
    def consumer(self, name: bytes, now_ms: int, create: bool = True) -> Consumer | None:
        found: Consumer | None = self.consumers.get(name)
        if found is None and create:
            found = self.consumers[name] = Consumer(name, now_ms)
        return found

    def delete_consumer(self, name: bytes) -> int:
        """Remove a consumer and its pending entries (they are gone from the group PEL too);
        returns how many it had pending."""
        consumer = self.consumers.pop(name, None)
        if consumer is None:
            return 0
        for entry_id in consumer.pel:
            del self.pel[entry_id]
        return len(consumer.pel)

    # --- delivery and acknowledgement --------------------------------------------------------------
    def deliver(self, entry_id: StreamID, consumer: Consumer, now_ms: int, noack: bool = False) -> None:
        """An entry read with ``>`` by ``consumer``: it becomes pending for it (unless NOACK).
        An entry still pending elsewhere (possible after XGROUP SETID) moves to this consumer."""
        if noack:
            return
        nack = self.pel.get(entry_id)
        if nack is not None:
            del nack.consumer.pel[entry_id]
            nack.consumer = consumer
            nack.delivery_time = now_ms
            nack.delivery_count = 1
        else:
            nack = self.pel[entry_id] = Nack(consumer, now_ms)
        consumer.pel[entry_id] = nack

    def redeliver(self, entry_id: StreamID, nack: Nack, now_ms: int) -> None:
        """An entry read again from the consumer's own history (XREADGROUP with an explicit ID)."""
        nack.delivery_time = now_ms
        nack.delivery_count += 1

    def ack(self, entry_id: StreamID) -> bool:
        nack = self.pel.pop(entry_id, None)
        if nack is None:
            return False
        del nack.consumer.pel[entry_id]
        return True

    def claim(self, entry_id: StreamID, consumer: Consumer, delivery_time: int, delivery_count: int | None,
              force_create: bool = False) -> Nack | None:
        """Move a pending entry to ``consumer`` (XCLAIM/XAUTOCLAIM); with ``force_create`` an entry not
        pending yet is added (XCLAIM FORCE). ``delivery_count`` None keeps the current count."""
        nack = self.pel.get(entry_id)
        if nack is None:
            if not force_create:
                return None
            nack = self.pel[entry_id] = Nack(consumer, delivery_time, 0)
        else:
            del nack.consumer.pel[entry_id]
        nack.consumer = consumer
        nack.delivery_time = delivery_time
        if delivery_count is not None:
            nack.delivery_count = delivery_count
        consumer.pel[entry_id] = nack
        return nack

    def forget_entry(self, entry_id: StreamID) -> None:
        """Drop a pending entry whose stream entry no longer exists (XCLAIM/XAUTOCLAIM find it deleted)."""
        self.ack(entry_id)

    # --- counters ----------------------------------------------------------------------------------
    def lag(self, stream: Stream) -> int | None:
        """XINFO GROUPS lag: entries not yet delivered to the group, None when it cannot be known."""
        if not stream.entries_added:
            return 0
        if self.entries_read is not None and not range_has_tombstones(stream, self.last_id, MAX_ID):
            return stream.entries_added - self.entries_read
        estimate = estimate_entries_read(stream, self.last_id)
        return None if estimate is None else stream.entries_added - estimate

    def advance(self, stream: Stream, entry_id: StreamID) -> None:
        """The group delivered ``entry_id`` (greater than its last ID): move last_id and the counter."""
        if self.entries_read is not None and not range_has_tombstones(stream, entry_id, MAX_ID):
            self.entries_read += 1
        elif stream.entries_added:
            self.entries_read = estimate_entries_read(stream, entry_id)
        self.last_id = entry_id

    def copy(self) -> ConsumerGroup:
        other = ConsumerGroup(self.name, self.last_id, self.entries_read)
        for name, consumer in self.consumers.items():
            clone = other.consumers[name] = Consumer(name, consumer.seen_time)
            clone.active_time = consumer.active_time
        for entry_id, nack in self.pel.items():
            owner = other.consumers[nack.consumer.name]
            twin = other.pel[entry_id] = Nack(owner, nack.delivery_time, nack.delivery_count)
            owner.pel[entry_id] = twin
        return other

    def check_invariants(self) -> None:
        """The group PEL is exactly the union of the consumers' PELs, with matching owners."""
        seen = 0
        self.pel.check()
        for name, consumer in self.consumers.items():
            assert consumer.name == name
            consumer.pel.check()
            for entry_id, nack in consumer.pel.items():
                assert nack.consumer is consumer
                assert nack.delivery_count >= 0
                assert self.pel.get(entry_id) is nack, f"{entry_id} of {name!r} missing from the group PEL"
                seen += 1
        assert seen == len(self.pel), "group PEL holds entries no consumer owns"


def range_has_tombstones(stream: Stream, start: StreamID, end: StreamID) -> bool:
    """Whether a deleted entry may lie in [start, end] (Redis 7.0 tracks only the latest deletion)."""
    if not stream.length or stream.max_deleted_id == (0, 0):
        return False
    if stream.first_id > stream.max_deleted_id:
        return False
    return start <= stream.max_deleted_id <= end


def estimate_entries_read(stream: Stream, entry_id: StreamID) -> int | None:
    """How many entries were added up to ``entry_id`` (Redis 7.0's estimate), None when unknowable."""
    if not stream.entries_added:
        return 0
    if not stream.length and entry_id <= stream.last_id:
        return stream.entries_added
    if entry_id == stream.last_id:
        return stream.entries_added
    if entry_id > stream.last_id:
        return None
    if stream.max_deleted_id == (0, 0) or stream.max_deleted_id < stream.first_id:
        if entry_id < stream.first_id:
            return stream.entries_added - stream.length
        if entry_id == stream.first_id:
            return stream.entries_added - stream.length + 1
    return None
