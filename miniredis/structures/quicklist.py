"""The list value type: a packed, quicklist-like sequence of ``bytes`` (Redis 7.0's quicklist.c idea).

A Redis list is a doubly linked list of listpacks; miniredis keeps the same shape with three parts,
in list order:

- ``head``: the first elements, stored **reversed** (``head[-1]`` is the first element), so LPUSH
  and LPOP are ``head.append`` / ``head.pop``;
- ``nodes``: the packed middle, a deque of blobs, each ``marshal.dumps(list_of_bytes, 2)`` of up
  to a few hundred elements, with the element count of each node in the parallel deque ``sizes``
  and their total in ``packed`` (both deques are None while nothing is packed);
- ``tail``: the last elements in order, so RPUSH and RPOP are ``tail.append`` / ``tail.pop``.

Why marshal: it packs and unpacks a list of bytes in C (about 8 ns and 15 ns per element), and a
packed element costs its bytes plus a 5-byte header, against a ``bytes`` object (33 bytes of
header, rounded up to 8) plus an 8-byte pointer when unpacked. Version 2 is used because it
never writes back-references, so a node is exactly ``[`` + count + the concatenated
``marshal.dumps(element, 2)`` of its elements: the encoding of an element is a substring of every
node holding it, which lets LREM/LPOS/LINSERT skip a node without unpacking it.

Spilling. When an end reaches ``SPILL`` (two nodes' worth) elements, its inner ``NODE`` elements
are packed into a node next to the middle; when the end being popped is empty, the nearest node
is unpacked into it, or with no nodes, half of the other end moves over. Packing only at 2*NODE
and unpacking only when empty gives every push and pop amortised O(1) with no thrashing at a
boundary. The command handlers in ``miniredis.commands.lists`` do the single-element push and pop
inline on ``head`` / ``tail`` and call ``spill_head`` / ``spill_tail`` / ``refill_head`` /
``refill_tail`` only at those thresholds.

Positions walk the node sizes from the nearer end (Redis walks its nodes the same way), so index
reads and writes cost O(nodes) plus one node's unpacking; LRANGE unpacks only the nodes overlapping
the range. OBJECT ENCODING of a list is ``quicklist`` whatever the shape (see ``keyspace/encodings``).
"""

from __future__ import annotations

import marshal
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Final

NODE: Final = 128  # elements packed into one node by a spill
SPILL: Final = 2 * NODE  # an end this long packs its inner NODE elements

_dumps: Final = marshal.dumps
_loads: Final = marshal.loads
_VERSION: Final = 2  # no back-references: a node's bytes contain each element's own encoding


class QuickList:
    """A list of ``bytes``: reversed head, packed middle nodes, tail (see the module docstring).

    ``NODE`` / ``SPILL`` are per list so tests can exercise node boundaries with tiny nodes
    (``QuickList(node=3)``); the command fast paths use the module constants of the same name, so
    only lists made with the default size reach them.
    """

    __slots__ = ("head", "tail", "nodes", "sizes", "packed", "NODE", "SPILL")

    head: list[bytes]
    tail: list[bytes]
    nodes: deque[bytes] | None
    sizes: deque[int] | None
    packed: int
    NODE: int
    SPILL: int

    def __init__(self, node: int = NODE) -> None:
        """An empty list (kept minimal: LPUSH/RPUSH on a new key create one per command)."""
        self.head = []
        self.tail = []
        self.nodes = None
        self.sizes = None
        self.packed = 0
        self.NODE = node
        self.SPILL = 2 * node

    @staticmethod
    def from_iterable(items: Iterable[bytes], node: int = NODE) -> QuickList:
        """A list holding ``items`` in order, packed as RPUSH would have packed it."""
        quicklist = QuickList(node)
        quicklist.extend_right(items)
        return quicklist

    # --- size and iteration --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.head) + self.packed + len(self.tail)

    def __bool__(self) -> bool:
        return bool(self.head or self.tail or self.packed)

    def _chunks(self) -> Iterator[Iterable[bytes]]:
        yield reversed(self.head)
        if self.nodes is not None:
            for blob in self.nodes:
                yield _loads(blob)
        yield self.tail

    def _chunks_reversed(self) -> Iterator[Iterable[bytes]]:
        yield reversed(self.tail)
        if self.nodes is not None:
            for blob in reversed(self.nodes):
                yield reversed(_loads(blob))
        yield self.head

    def __iter__(self) -> Iterator[bytes]:
        return chain.from_iterable(self._chunks())

    def __reversed__(self) -> Iterator[bytes]:
        return chain.from_iterable(self._chunks_reversed())

    def __repr__(self) -> str:
        return f"QuickList({list(self)!r})"

    def copy(self) -> QuickList:
        """An independent copy: the packed nodes are immutable bytes, so only containers are copied."""
        duplicate = QuickList(self.NODE)
        duplicate.head = self.head[:]
        duplicate.tail = self.tail[:]
        if self.nodes is not None and self.sizes is not None:
            duplicate.nodes = self.nodes.copy()
            duplicate.sizes = self.sizes.copy()
            duplicate.packed = self.packed
        return duplicate

    def clear(self) -> None:
        self.head = []
        self.tail = []
        self.nodes = self.sizes = None
        self.packed = 0

    # --- packing -------------------------------------------------------------------------------
    def _node_deques(self) -> tuple[deque[bytes], deque[int]]:
        if self.nodes is None or self.sizes is None:
            self.nodes = deque()
            self.sizes = deque()
        return self.nodes, self.sizes

    def spill_head(self) -> None:
        """Pack the head's inner elements into nodes until it is shorter than SPILL."""
        head = self.head
        node = self.NODE
        chunks = (len(head) - node) // node
        if chunks <= 0:
            return
        nodes, sizes = self._node_deques()
        for index in range(chunks):
            # head[0] is the element next to the middle; a node holds its elements in list order.
            chunk = head[index * node:(index + 1) * node]
            chunk.reverse()
            nodes.appendleft(_dumps(chunk, _VERSION))
            sizes.appendleft(node)
        del head[:chunks * node]
        self.packed += chunks * node

    def spill_tail(self) -> None:
        """Pack the tail's inner elements into nodes until it is shorter than SPILL."""
        tail = self.tail
        node = self.NODE
        chunks = (len(tail) - node) // node
        if chunks <= 0:
            return
        nodes, sizes = self._node_deques()
        for index in range(chunks):
            nodes.append(_dumps(tail[index * node:(index + 1) * node], _VERSION))
            sizes.append(node)
        del tail[:chunks * node]
        self.packed += chunks * node

    def _drop_node_deques_if_empty(self) -> None:
        if not self.nodes:
            self.nodes = self.sizes = None

    def refill_head(self) -> list[bytes]:
        """Give the (empty) head the elements nearest to it: the first node, else half of the tail.

        Returns the new head (empty only if the list is empty)."""
        nodes = self.nodes
        if nodes:
            assert self.sizes is not None
            head: list[bytes] = _loads(nodes.popleft())
            self.packed -= self.sizes.popleft()
            self._drop_node_deques_if_empty()
            head.reverse()
        else:
            tail = self.tail
            count = (len(tail) + 1) // 2
            head = tail[:count]
            head.reverse()
            del tail[:count]
        self.head = head
        return head

    def refill_tail(self) -> list[bytes]:
        """Give the (empty) tail the elements nearest to it: the last node, else half of the head.

        Returns the new tail (empty only if the list is empty)."""
        nodes = self.nodes
        if nodes:
            assert self.sizes is not None
            tail: list[bytes] = _loads(nodes.pop())
            self.packed -= self.sizes.pop()
            self._drop_node_deques_if_empty()
        else:
            head = self.head
            count = (len(head) + 1) // 2
            tail = head[:count]
            tail.reverse()
            del head[:count]
        self.tail = tail
        return tail

    # --- both ends -----------------------------------------------------------------------------
    def push_left(self, value: bytes) -> None:
        head = self.head
        head.append(value)
        if len(head) >= self.SPILL:
            self.spill_head()

    def push_right(self, value: bytes) -> None:
        tail = self.tail
        tail.append(value)
        if len(tail) >= self.SPILL:
            self.spill_tail()

    def extend_left(self, values: Iterable[bytes]) -> None:
        """LPUSH of several values: each one becomes the new first element, in turn."""
        self.head.extend(values)
        if len(self.head) >= self.SPILL:
            self.spill_head()

    def extend_right(self, values: Iterable[bytes]) -> None:
        self.tail.extend(values)
        if len(self.tail) >= self.SPILL:
            self.spill_tail()

    def pop_left(self) -> bytes:
        """Remove and return the first element (IndexError when empty)."""
        head = self.head or self.refill_head()
        return head.pop()

    def pop_right(self) -> bytes:
        tail = self.tail or self.refill_tail()
        return tail.pop()

    def pop_left_many(self, count: int) -> list[bytes]:
        """Remove and return up to ``count`` first elements, first element first."""
        head = self.head
        if count <= len(head):  # all from the head: one slice
            popped = head[len(head) - count:]
            del head[len(head) - count:]
            popped.reverse()
            return popped
        count = min(count, len(head) + self.packed + len(self.tail))
        popped = self.range(0, count)
        self.drop_left(count)
        return popped

    def pop_right_many(self, count: int) -> list[bytes]:
        """Remove and return up to ``count`` last elements, last element first."""
        tail = self.tail
        if count <= len(tail):
            popped = tail[len(tail) - count:]
            del tail[len(tail) - count:]
            popped.reverse()
            return popped
        length = len(self.head) + self.packed + len(tail)
        count = min(count, length)
        popped = self.range(length - count, length)
        popped.reverse()
        self.drop_right(count)
        return popped

    def drop_left(self, count: int) -> None:
        """Remove the first ``count`` elements (``0 <= count <= len``)."""
        head = self.head
        if count <= len(head):
            if count:
                del head[len(head) - count:]
            return
        count -= len(head)
        head.clear()
        nodes, sizes = self.nodes, self.sizes
        if nodes is not None and sizes is not None:
            while nodes and sizes[0] <= count:
                nodes.popleft()
                size = sizes.popleft()
                count -= size
                self.packed -= size
            if count and nodes:
                rest: list[bytes] = _loads(nodes.popleft())
                self.packed -= sizes.popleft()
                del rest[:count]
                rest.reverse()
                self.head = rest
                count = 0
            self._drop_node_deques_if_empty()
        if count:
            del self.tail[:count]

    def drop_right(self, count: int) -> None:
        """Remove the last ``count`` elements (``0 <= count <= len``)."""
        tail = self.tail
        if count <= len(tail):
            if count:
                del tail[len(tail) - count:]
            return
        count -= len(tail)
        tail.clear()
        nodes, sizes = self.nodes, self.sizes
        if nodes is not None and sizes is not None:
            while nodes and sizes[-1] <= count:
                nodes.pop()
                size = sizes.pop()
                count -= size
                self.packed -= size
            if count and nodes:
                rest: list[bytes] = _loads(nodes.pop())
                self.packed -= sizes.pop()
                del rest[len(rest) - count:]
                self.tail = rest
                count = 0
            self._drop_node_deques_if_empty()
        if count:
            del self.head[:count]

    def trim(self, start: int, stop: int) -> None:
        """Keep only positions ``start <= i < stop`` (LTRIM, bounds already clamped)."""
        self.drop_right(len(self) - stop)
        self.drop_left(start)

    # --- positions -----------------------------------------------------------------------------
    def _locate(self, position: int) -> tuple[int, int]:
        """(node index, offset in that node) of packed position ``0 <= position < packed``.

        Nodes made by spills hold exactly NODE elements, so the node is first guessed assuming
        the nodes between the position and the nearer end are all full, and the guess checked
        with one sum over the sizes (in C); when inserts or removals changed sizes on that side,
        the sizes are walked from the nearer end instead."""
        sizes = self.sizes
        assert sizes is not None
        count = len(sizes)
        packed = self.packed
        node_size = self.NODE
        if position < packed // 2:
            guess = position // node_size
            if guess < count:
                before = sum(islice(sizes, guess))
                if before <= position < before + sizes[guess]:
                    return guess, position - before
        else:
            from_end = (packed - 1 - position) // node_size
            guess = count - 1 - from_end
            if guess >= 0:
                size = sizes[guess]
                before = packed - sum(islice(reversed(sizes), from_end)) - size
                if before <= position < before + size:
                    return guess, position - before
        if position < packed // 2:
            for index, size in enumerate(sizes):
                if position < size:
                    return index, position
                position -= size
        else:
            position = self.packed - position  # distance from the end, >= 1
            last = len(sizes) - 1
            for index, size in enumerate(reversed(sizes)):
                if position <= size:
                    return last - index, size - position
                position -= size
        raise IndexError(position)

    def __getitem__(self, index: int) -> bytes:
        """The element at ``0 <= index < len`` (callers resolve negative indexes)."""
        head = self.head
        if index < len(head):
            return head[len(head) - 1 - index]
        index -= len(head)
        if index < self.packed:
            assert self.nodes is not None
            node, offset = self._locate(index)
            element: bytes = _loads(self.nodes[node])[offset]
            return element
        return self.tail[index - self.packed]

    def __setitem__(self, index: int, value: bytes) -> None:
        head = self.head
        if index < len(head):
            head[len(head) - 1 - index] = value
            return
        index -= len(head)
        if index < self.packed:
            assert self.nodes is not None
            node, offset = self._locate(index)
            elements = _loads(self.nodes[node])
            elements[offset] = value
            self.nodes[node] = _dumps(elements, _VERSION)
            return
        self.tail[index - self.packed] = value

    def insert(self, index: int, value: bytes) -> None:
        """Insert ``value`` so it ends at position ``0 <= index <= len`` (LINSERT)."""
        head = self.head
        if index <= len(head):
            head.insert(len(head) - index, value)
            if len(head) >= self.SPILL:
                self.spill_head()
            return
        index -= len(head)
        if index >= self.packed:
            tail = self.tail
            tail.insert(index - self.packed, value)
            if len(tail) >= self.SPILL:
                self.spill_tail()
            return
        nodes, sizes = self.nodes, self.sizes
        assert nodes is not None and sizes is not None
        node, offset = self._locate(index)
        elements = _loads(nodes[node])
        elements.insert(offset, value)
        self.packed += 1
        if len(elements) < self.SPILL:
            nodes[node] = _dumps(elements, _VERSION)
            sizes[node] += 1
            return
        half = len(elements) // 2  # a node grown to two nodes' worth splits in halves
        nodes[node] = _dumps(elements[:half], _VERSION)
        sizes[node] = half
        nodes.insert(node + 1, _dumps(elements[half:], _VERSION))
        sizes.insert(node + 1, len(elements) - half)

    def range(self, start: int, stop: int) -> list[bytes]:
        """The elements at positions ``start <= i < stop`` (``0 <= start <= stop <= len``),
        unpacking only the nodes that overlap them."""
        head = self.head
        length_head = len(head)
        result: list[bytes] = []
        if start < length_head:
            result = head[length_head - min(stop, length_head):length_head - start]
            result.reverse()
            if stop <= length_head:
                return result
        packed = self.packed
        first = max(start - length_head, 0)
        last = min(stop - length_head, packed)  # exclusive
        if first < last:
            nodes, sizes = self.nodes, self.sizes
            assert nodes is not None and sizes is not None
            node, offset = self._locate(first)
            wanted = last - first
            for blob in islice(nodes, node, None):
                piece = _loads(blob)[offset:offset + wanted]
                result += piece
                wanted -= len(piece)
                if not wanted:
                    break
                offset = 0
        tail_start = max(start - length_head - packed, 0)
        tail_stop = stop - length_head - packed
        if tail_stop > tail_start:
            result += self.tail[tail_start:tail_stop]
        return result

    # --- searches ------------------------------------------------------------------------------
    def index(self, value: bytes) -> int:
        """The position of the first element equal to ``value``, or -1 (LINSERT's pivot)."""
        head = self.head
        if value in head:
            return head[::-1].index(value)
        position = len(head)
        if self.nodes is not None and self.sizes is not None:
            encoded = _dumps(value, _VERSION)
            for blob, size in zip(self.nodes, self.sizes, strict=True):
                if encoded in blob:
                    elements = _loads(blob)
                    if value in elements:
                        return position + elements.index(value)
                position += size
        if value in self.tail:
            return position + self.tail.index(value)
        return -1

    def remove(self, value: bytes, count: int) -> int:
        """LREM: remove elements equal to ``value`` -- all of them when ``count`` is 0, else the
        first ``count`` ones (the last ``-count`` ones when negative); returns how many."""
        from_tail = count < 0
        left = abs(count) or -1  # -1: no limit
        removed = 0

        def without(elements: list[bytes], reverse: bool) -> list[bytes]:
            """``elements`` (in list order when not ``reverse``) without the matches still wanted,
            walking from the end being searched from."""
            nonlocal left, removed
            if left == -1:
                kept = [item for item in elements if item != value]
                removed += len(elements) - len(kept)
                return kept
            walk = reversed(elements) if reverse else elements
            kept = []
            for item in walk:
                if left and item == value:
                    left -= 1
                    removed += 1
                else:
                    kept.append(item)
            if reverse:
                kept.reverse()
            return kept

        def search_nodes() -> None:
            nodes, sizes = self.nodes, self.sizes
            if not left or nodes is None or sizes is None:
                return
            encoded = _dumps(value, _VERSION)
            order = range(len(nodes) - 1, -1, -1) if from_tail else range(len(nodes))
            emptied = False
            for node in order:
                if not left:
                    break
                blob = nodes[node]
                if encoded not in blob:  # cheap: no match in this node without unpacking it
                    continue
                elements = _loads(blob)
                if value not in elements:
                    continue
                kept = without(elements, from_tail)
                self.packed -= len(elements) - len(kept)
                sizes[node] = len(kept)
                nodes[node] = _dumps(kept, _VERSION)
                emptied = emptied or not kept
            if emptied:
                self.nodes = deque(blob for blob, size in zip(nodes, sizes, strict=True) if size)
                self.sizes = deque(size for size in sizes if size)
                self._drop_node_deques_if_empty()

        # Parts are searched in the walking direction; the head is stored reversed, so it is walked
        # from its storage end when searching from the first element.
        if from_tail:
            if value in self.tail:
                self.tail = without(self.tail, True)
            search_nodes()
            if left and value in self.head:
                self.head = without(self.head, False)
        else:
            if value in self.head:
                self.head = without(self.head, True)
            search_nodes()
            if left and value in self.tail:
                self.tail = without(self.tail, False)
        return removed
