"""The stream type: a radix tree of packed nodes plus the metadata Redis 7.0 keeps per stream.

IDs are ``(ms, seq)`` tuples of unsigned 64-bit integers. The tree (``Rax``) maps the 16-byte
big-endian ID of each node's master entry to the node (``StreamNode``), so byte order is ID order
and a range read seeks straight to its first node. New entries go into the last node until it holds
``stream-node-max-entries`` entries (deleted ones count) or Redis's listpack size for it would
reach ``stream-node-max-bytes``; then the last node is packed and a new one opened.

Trimming follows Redis's rules: whole nodes are dropped from the head while they fit the limit;
``~`` stops at the first node that cannot go whole; an exact trim then flags the remaining surplus
entries of that node as deleted. XDEL flags an entry; a node whose entries are all deleted is freed.
Metadata: length, last ID, recorded first ID, max deleted entry ID, entries added (7.0's counters
behind XINFO and consumer-group lag), and the consumer groups (owned by the groups module).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from itertools import chain, islice
from typing import Final

from miniredis.structures.listpack import DELETED, Entry, StreamNode
from miniredis.structures.rax import Rax

StreamID = tuple[int, int]
MIN_ID: Final[StreamID] = (0, 0)
MAX_ID: Final[StreamID] = (2**64 - 1, 2**64 - 1)


def id_key(stream_id: StreamID) -> bytes:
    return stream_id[0].to_bytes(8, "big") + stream_id[1].to_bytes(8, "big")


def key_id(key: bytes) -> StreamID:
    return int.from_bytes(key[:8], "big"), int.from_bytes(key[8:], "big")


def format_id(stream_id: StreamID) -> bytes:
    return b"%d-%d" % stream_id


class Stream:
    __slots__ = ("rax", "length", "last_id", "first_id", "max_deleted_id", "entries_added", "groups", "tail")

    def __init__(self) -> None:
        self.rax: Rax[StreamNode] = Rax()
        self.length = 0
        self.last_id: StreamID = MIN_ID
        self.first_id: StreamID = MIN_ID  # recorded-first-entry-id
        self.max_deleted_id: StreamID = MIN_ID
        self.entries_added = 0
        self.groups: dict[bytes, object] = {}  # name -> ConsumerGroup (insertion order = creation order)
        self.tail: StreamNode | None = None  # the last node, where appends go

    # --- appending ---------------------------------------------------------------------------------
    def append(self, stream_id: StreamID, fields: tuple[bytes, ...], values: tuple[bytes, ...],
               max_entries: int, max_bytes: int) -> None:
        """Add an entry whose ID is greater than ``last_id`` (the caller checked it).

        A new node is opened, as Redis does, when the last one holds ``max_entries`` entries (deleted
        ones count) or when its listpack size plus the raw length of the new fields and values would
        reach ``max_bytes``."""
        node = self.tail
        values_len = sum(map(len, values))
        if node is not None:
            same = fields == node.fields
            incoming = (node.fields_len if same else sum(map(len, fields))) + values_len
            limit = max_bytes if 0 < max_bytes <= 1 << 30 else 1 << 30
            if node.lp_bytes + incoming >= limit and not node.lp_exact:
                node.exact_size()  # the upper bound is near the limit: take the exact figure
            if node.lp_bytes + incoming >= limit or (max_entries and node.count + node.deleted >= max_entries):
                node.pack()
                if same:
                    fields = node.fields  # one field-name tuple shared by the nodes, not one per node
                node = None
            else:
                node.append(stream_id[0], stream_id[1], None if same else fields, values, values_len)
        if node is None:
            node = StreamNode(stream_id[0], stream_id[1], fields)
            self.rax.insert(id_key(stream_id), node)
            self.tail = node
            node.append(stream_id[0], stream_id[1], None, values, values_len)
        if self.length == 0:
            self.first_id = stream_id
        self.length += 1
        self.entries_added += 1
        self.last_id = stream_id

    # --- reading -----------------------------------------------------------------------------------
    def _nodes_after(self, key: bytes) -> Iterator[tuple[bytes, StreamNode]]:
        yield from self.rax.seek(key, ">")

    def range(self, start: StreamID, end: StreamID, count: int = 0,
              reverse: bool = False) -> Iterator[tuple[StreamID, StreamNode, Entry]]:
        """Valid entries with ``start <= id <= end`` in order (newest first with ``reverse``), at most
        ``count`` of them when count > 0; yields (id, node, entry): ``entry[3]`` holds the values,
        ``entry[2]`` the field names or None when they are the node's (``node.fields``)."""
        if start > end or self.length == 0:
            return
        produced = 0
        if not reverse:
            # The node holding `start` begins at the last master ID <= start. Reads of the newest
            # entries (consumers keeping up) start in the tail node: no tree walk at all.
            tail = self.tail
            nodes: Iterator[tuple[bytes, StreamNode]] | list[tuple[bytes, StreamNode]]
            if tail is not None and start >= (tail.master_ms, tail.master_seq):
                nodes = [(b"", tail)]
            else:
                first = next(self.rax.seek(id_key(start), "<="), None)
                if first is None:
                    nodes = self.rax.seek(id_key(start), ">=")
                else:
                    # The node holding `start`, then the ones after it: that second seek runs only
                    # when the read goes past the first node (rarely, for COUNT-sized reads).
                    nodes = chain((first,), self._nodes_after(first[0]))
            seeking = True
            for _, node in nodes:
                if (node.master_ms, node.master_seq) > end:
                    return
                entries = node.decoded()
                # Entries compare with an (ms, seq) pair by their ID: bisect finds the first >= start.
                index = bisect_left(entries, start) if seeking else 0  # type: ignore[arg-type]
                seeking = False
                for entry in islice(entries, index, None):
                    if entry[4] & DELETED:
                        continue
                    entry_id = (entry[0], entry[1])
                    if entry_id > end:
                        return
                    yield entry_id, node, entry
                    produced += 1
                    if produced == count:
                        return
        else:
            seeking = True
            for master, node in self.rax.seek(id_key(end), "<="):
                entries = node.decoded()
                stop = bisect_left(entries, (end[0], end[1] + 1)) if seeking else len(entries)  # type: ignore[arg-type]
                seeking = False
                for index in range(stop - 1, -1, -1):
                    entry = entries[index]
                    if entry[4] & DELETED:
                        continue
                    entry_id = (entry[0], entry[1])
                    if entry_id < start:
                        return
                    yield entry_id, node, entry
                    produced += 1
                    if produced == count:
                        return
                if key_id(master) < start:
                    return

    def first_entry(self) -> tuple[StreamID, list[bytes]] | None:
        for entry_id, node, entry in self.range(MIN_ID, MAX_ID, 1):
            return entry_id, flat_pairs(node, entry)
        return None

    def last_entry(self) -> tuple[StreamID, list[bytes]] | None:
        for entry_id, node, entry in self.range(MIN_ID, MAX_ID, 1, reverse=True):
            return entry_id, flat_pairs(node, entry)
        return None

    # --- deleting ----------------------------------------------------------------------------------
    def delete(self, stream_id: StreamID) -> bool:
        """XDEL one ID: flag it deleted; free its node when nothing valid is left."""
        found = next(self.rax.seek(id_key(stream_id), "<="), None)
        if found is None:
            return False
        master, node = found
        for index, entry in enumerate(node):
            if (entry[0], entry[1]) == stream_id:
                if entry[4] & DELETED:
                    return False
                node.mark_deleted(index)
                if node is not self.tail:
                    node.pack()
                break
            if (entry[0], entry[1]) > stream_id:
                return False
        else:
            return False
        self.length -= 1
        if node.count == 0:
            self._drop_node(master, node)
        if stream_id > self.max_deleted_id:
            self.max_deleted_id = stream_id
        if stream_id == self.first_id:
            self._refresh_first_id()
        return True

    def _drop_node(self, master: bytes, node: StreamNode) -> None:
        self.rax.remove(master)
        if node is self.tail:
            last = self.rax.last()
            self.tail = last[1] if last else None

    def _refresh_first_id(self) -> None:
        first = self.first_entry()
        self.first_id = first[0] if first else MIN_ID

    def trim(self, maxlen: int | None = None, minid: StreamID | None = None, approx: bool = False,
             limit: int = 0) -> int:
        """XTRIM/XADD trimming by MAXLEN or MINID (one of them); returns the entries removed.

        Whole nodes go from the head while the limit allows; for MINID a node goes whole when the
        ID of its last entry (deleted or not, as Redis reads the listpack's edge) is below ``minid``.
        """
        removed = 0
        # Bounded: every pass either drops the head node or ends the loop.
        for _ in range(len(self.rax) + 1):
            head = self.rax.first()
            if head is None:
                break
            master, node = head
            if maxlen is not None and self.length <= maxlen:
                break
            if limit and removed + node.count > limit:
                break
            if maxlen is not None:
                whole = self.length - node.count >= maxlen
            else:
                whole = node.last_id() < minid  # type: ignore[operator]
            if whole:
                self._drop_node(master, node)
                self.length -= node.count
                removed += node.count
                continue
            if approx:
                break
            for index, entry in enumerate(list(node)):
                if maxlen is not None:
                    if self.length <= maxlen:
                        break
                elif (entry[0], entry[1]) >= minid:  # type: ignore[operator]
                    break
                if not entry[4] & DELETED:
                    node.mark_deleted(index)
                    self.length -= 1
                    removed += 1
            if node is not self.tail:
                node.pack()
            break
        if removed:
            if self.length == 0:
                self.first_id = MIN_ID
            else:
                self._refresh_first_id()
        return removed

    # --- shape -------------------------------------------------------------------------------------
    @property
    def node_count(self) -> int:
        """XINFO radix-tree-keys."""
        return len(self.rax)

    def radix_tree_nodes(self) -> int:
        """XINFO radix-tree-nodes, as Redis's rax would count them."""
        return self.rax.redis_node_count()

    def copy(self) -> Stream:
        """A deep copy (COPY): entries, metadata and consumer groups."""
        other = Stream()
        for master, node in self.rax.items():
            clone = StreamNode(node.master_ms, node.master_seq, node.fields)
            for ms, seq, fields, values, flags in node:
                clone.append(ms, seq, fields, values, sum(map(len, values)))
                if flags & DELETED:
                    clone.mark_deleted(clone.total - 1)
            if node is not self.tail:
                clone.pack()
            other.rax.insert(master, clone)
            if node is self.tail:
                other.tail = clone
        other.length = self.length
        other.last_id = self.last_id
        other.first_id = self.first_id
        other.max_deleted_id = self.max_deleted_id
        other.entries_added = self.entries_added
        other.groups = {name: group.copy() for name, group in self.groups.items()}  # type: ignore[attr-defined]
        return other


def flat_pairs(node: StreamNode, entry: tuple) -> list[bytes]:  # type: ignore[type-arg]
    """An entry's field/value list as XRANGE replies it: [f1, v1, f2, v2, ...]."""
    fields = entry[2] if entry[2] is not None else node.fields
    values = entry[3]
    out: list[bytes] = [b""] * (2 * len(values))
    out[0::2] = fields
    out[1::2] = values
    return out
