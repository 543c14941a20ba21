"""A radix tree (compressed trie) over byte-string keys, ordered, with seek in both directions.

This is the index of a stream: keys are the 16-byte big-endian IDs of each packed node's first
entry, so byte order is ID order. It supports what Redis's rax gives t_stream.c: insert, delete,
find, seek to the first key >=, >, <=, < a given key, and ordered iteration both ways.

Theory of operation (a Patricia trie)::

    root --"f"--> [branch] --"irst"--> (key "first")
                           --"oo"----> (key "foo") --"bar"--> (key "foobar")

Every node is the root, a key, or a branch point (two or more children); an edge carries the
bytes between two such nodes, and the first bytes of a node's edges are distinct and kept sorted.
A deletion merges a node left with one child that is not a key into its parent edge, so the shape
is canonical: it depends only on the set of keys.

Redis's rax stores the same tree with different node boundaries: a branch node holds one byte per
child, and the rest of each child's edge becomes a compressed node of its own. ``redis_node_count``
maps one shape to the other, which is what ``XINFO STREAM`` reports as ``radix-tree-nodes``:
one node per trie node, plus one for every edge longer than one byte that leaves a branch point.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Generic, TypeVar

V = TypeVar("V")


class _Node(Generic[V]):
    __slots__ = ("labels", "firsts", "children", "is_key", "value")

    def __init__(self) -> None:
        self.labels: list[bytes] = []  # edge labels, sorted; their first bytes are distinct
        self.firsts = bytearray()  # the first byte of each label, for bisect
        self.children: list[_Node[V]] = []
        self.is_key = False
        self.value: V | None = None

    def edge_index(self, byte: int) -> int:
        """Position of the edge starting with ``byte``, or where it would be inserted."""
        return bisect_left(self.firsts, byte)


def _common_prefix(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class Rax(Generic[V]):
    """An ordered map from bytes to values, stored as a radix tree."""

    __slots__ = ("_root", "_size")

    def __init__(self) -> None:
        self._root: _Node[V] = _Node()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    # --- point operations --------------------------------------------------------------------------
    def find(self, key: bytes) -> V | None:
        node = self._walk_exact(key)
        return node.value if node is not None and node.is_key else None

    def __contains__(self, key: bytes) -> bool:
        node = self._walk_exact(key)
        return node is not None and node.is_key

    def _walk_exact(self, key: bytes) -> _Node[V] | None:
        """The node reached by following ``key`` exactly (a key or an inner node), or None."""
        node = self._root
        pos = 0
        while pos < len(key):
            i = node.edge_index(key[pos])
            if i == len(node.labels) or node.labels[i][0] != key[pos]:
                return None
            label = node.labels[i]
            if key[pos : pos + len(label)] != label:
                return None
            pos += len(label)
            node = node.children[i]
        return node

    def insert(self, key: bytes, value: V) -> bool:
        """Set ``key`` to ``value``; True when the key is new."""
        node = self._root
        pos = 0
        while True:
            if pos == len(key):
                added = not node.is_key
                node.is_key = True
                node.value = value
                self._size += added
                return added
            i = node.edge_index(key[pos])
            if i == len(node.labels) or node.labels[i][0] != key[pos]:
                leaf: _Node[V] = _Node()
                leaf.is_key = True
                leaf.value = value
                node.labels.insert(i, key[pos:])
                node.firsts.insert(i, key[pos])
                node.children.insert(i, leaf)
                self._size += 1
                return True
            label = node.labels[i]
            common = _common_prefix(label, key[pos:])
            if common == len(label):
                pos += common
                node = node.children[i]
                continue
            # Split the edge at `common`: node --label[:common]--> middle --label[common:]--> child.
            middle: _Node[V] = _Node()
            middle.labels = [label[common:]]
            middle.firsts = bytearray(label[common : common + 1])
            middle.children = [node.children[i]]
            node.labels[i] = label[:common]
            node.children[i] = middle
            node = middle
            pos += common

    def remove(self, key: bytes) -> bool:
        """Delete ``key``; True when it was present."""
        path: list[tuple[_Node[V], int]] = []
        node = self._root
        pos = 0
        while pos < len(key):
            i = node.edge_index(key[pos])
            if i == len(node.labels) or node.labels[i][0] != key[pos]:
                return False
            label = node.labels[i]
            if key[pos : pos + len(label)] != label:
                return False
            path.append((node, i))
            pos += len(label)
            node = node.children[i]
        if not node.is_key:
            return False
        node.is_key = False
        node.value = None
        self._size -= 1
        # Drop childless non-key nodes upwards, then merge a one-child non-key node into its edge.
        while path and not node.is_key and not node.children:
            parent, i = path.pop()
            del parent.labels[i]
            del parent.firsts[i]
            del parent.children[i]
            node = parent
        if path and not node.is_key and len(node.children) == 1:
            parent, i = path[-1]
            parent.labels[i] += node.labels[0]
            parent.children[i] = node.children[0]
        return True

    # --- ordered access ----------------------------------------------------------------------------
    # Iteration keeps an explicit stack of (node, prefix, next child index) instead of nested
    # generators: a recursive ``yield from`` chain costs a frame hop per level for every key yielded.
    def items(self, reverse: bool = False) -> Iterator[tuple[bytes, V]]:
        root = self._root
        if reverse:
            return self._unwind_backward([(root, b"", len(root.labels))])
        return self._unwind_forward([(root, b"", 0)], root.is_key, b"", root)

    def first(self) -> tuple[bytes, V] | None:
        return next(self.items(), None)

    def last(self) -> tuple[bytes, V] | None:
        return next(self.items(reverse=True), None)

    def seek(self, key: bytes, op: str) -> Iterator[tuple[bytes, V]]:
        """Iterate from the first key satisfying ``op`` (">=", ">", "<=", "<") against ``key``:
        forwards for ">=" and ">", backwards for "<=" and "<"."""
        if op in (">=", ">"):
            return self._seek_forward(key, op == ">=")
        return self._seek_backward(key, op == "<=")

    def _seek_forward(self, key: bytes, inclusive: bool) -> Iterator[tuple[bytes, V]]:
        stack: list[tuple[_Node[V], bytes, int]] = []
        node, prefix = self._root, b""
        yield_self = False
        while True:
            depth = len(prefix)
            if depth == len(key):
                # This node's key equals key; everything below it is longer, hence greater.
                yield_self = node.is_key and inclusive
                stack.append((node, prefix, 0))
                break
            rest = key[depth:]
            descended = False
            i = bisect_left(node.firsts, rest[0])
            if i < len(node.labels):
                label = node.labels[i]
                head = rest[: len(label)]
                if label < head:
                    stack.append((node, prefix, i + 1))  # a smaller byte: only later siblings are greater
                elif label == head:
                    stack.append((node, prefix, i + 1))  # later siblings are greater
                    node, prefix = node.children[i], prefix + label
                    descended = True
                else:
                    stack.append((node, prefix, i))  # a greater byte, or key ends inside the edge
            else:
                stack.append((node, prefix, i))  # every edge is smaller: nothing more here
            if not descended:
                break
        return self._unwind_forward(stack, yield_self, prefix, node)

    @staticmethod
    def _unwind_forward(stack: list[tuple[_Node[V], bytes, int]], yield_first: bool, first_prefix: bytes,
                        first_node: _Node[V]) -> Iterator[tuple[bytes, V]]:
        if yield_first:
            yield first_prefix, first_node.value  # type: ignore[misc]
        while stack:
            node, prefix, i = stack.pop()
            if i < len(node.labels):
                stack.append((node, prefix, i + 1))
                child = node.children[i]
                child_prefix = prefix + node.labels[i]
                if child.is_key:
                    yield child_prefix, child.value  # type: ignore[misc]
                stack.append((child, child_prefix, 0))

    def _seek_backward(self, key: bytes, inclusive: bool) -> Iterator[tuple[bytes, V]]:
        # Stack entries (node, prefix, i): children below index i are still to visit (last first),
        # then the node's own key, which is smaller than all of them.
        stack: list[tuple[_Node[V], bytes, int]] = []
        node, prefix = self._root, b""
        while True:
            depth = len(prefix)
            if depth == len(key):
                if node.is_key and inclusive:
                    stack.append((node, prefix, 0))  # just the node itself: its subtree is greater
                break
            rest = key[depth:]
            i = bisect_right(node.firsts, rest[0]) - 1  # the last edge whose first byte is <= key's
            if i < 0:
                # Every edge is greater than key; the node's own key, a proper prefix, is smaller.
                stack.append((node, prefix, 0))
                break
            label = node.labels[i]
            head = rest[: len(label)]
            if label == head:
                stack.append((node, prefix, i))
                node, prefix = node.children[i], prefix + label
            elif label < head:
                stack.append((node, prefix, i + 1))  # subtree i and every smaller sibling
                node = None  # type: ignore[assignment]
            else:
                stack.append((node, prefix, i))  # key ends inside edge i, or it is greater: smaller ones
                node = None  # type: ignore[assignment]
            if node is None:
                break
        return self._unwind_backward(stack)

    @staticmethod
    def _unwind_backward(stack: list[tuple[_Node[V], bytes, int]]) -> Iterator[tuple[bytes, V]]:
        while stack:
            node, prefix, i = stack.pop()
            if i > 0:
                stack.append((node, prefix, i - 1))
                child = node.children[i - 1]
                stack.append((child, prefix + node.labels[i - 1], len(child.labels)))
            elif node.is_key:
                yield prefix, node.value  # type: ignore[misc]

    # --- shape -------------------------------------------------------------------------------------
    def redis_node_count(self) -> int:
        """Nodes Redis's rax would use for the same keys (XINFO STREAM radix-tree-nodes)."""
        count = 0
        stack = [self._root]
        while stack:
            node = stack.pop()
            count += 1
            if len(node.labels) > 1:
                count += sum(1 for label in node.labels if len(label) > 1)
            stack.extend(node.children)
        return count
