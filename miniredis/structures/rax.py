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

from collections.abc import Iterator
from typing import Generic, TypeVar

V = TypeVar("V")


class _Node(Generic[V]):
    __slots__ = ("labels", "children", "is_key", "value")

    def __init__(self) -> None:
        self.labels: list[bytes] = []  # edge labels, sorted; their first bytes are distinct
        self.children: list[_Node[V]] = []
        self.is_key = False
        self.value: V | None = None

    def edge_index(self, byte: int) -> int:
        """Position of the edge starting with ``byte``, or where it would be inserted."""
        for i, label in enumerate(self.labels):
            if label[0] >= byte:
                return i
        return len(self.labels)


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
        return node.value if node.is_key else None

    def __contains__(self, key: bytes) -> bool:
        node = self._walk_exact(key)
        return node is not None and node.is_key

    def _walk_exact(self, key: bytes) -> _Node[V] | None:
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
            del parent.children[i]
            node = parent
        if path and not node.is_key and len(node.children) == 1:
            parent, i = path[-1]
            parent.labels[i] += node.labels[0]
            parent.children[i] = node.children[0]
        return True

    # --- ordered access ----------------------------------------------------------------------------
    def items(self, reverse: bool = False) -> Iterator[tuple[bytes, V]]:
        yield from self._walk(self._root, b"", reverse)

    def _walk(self, node: _Node[V], prefix: bytes, reverse: bool) -> Iterator[tuple[bytes, V]]:
        if node.is_key and not reverse:
            yield prefix, node.value  # type: ignore[misc]
        order = range(len(node.labels) - 1, -1, -1) if reverse else range(len(node.labels))
        for i in order:
            yield from self._walk(node.children[i], prefix + node.labels[i], reverse)
        if node.is_key and reverse:
            yield prefix, node.value  # type: ignore[misc]

    def first(self) -> tuple[bytes, V] | None:
        return next(self.items(), None)

    def last(self) -> tuple[bytes, V] | None:
        return next(self.items(reverse=True), None)

    def seek(self, key: bytes, op: str) -> Iterator[tuple[bytes, V]]:
        """Iterate from the first key satisfying ``op`` (">=", ">", "<=", "<") against ``key``:
        forwards for ">=" and ">", backwards for "<=" and "<"."""
        if op in (">=", ">"):
            return self._seek_forward(self._root, b"", key, op == ">=")
        return self._seek_backward(self._root, b"", key, op == "<=")

    def _seek_forward(self, node: _Node[V], prefix: bytes, key: bytes, inclusive: bool) -> Iterator[
            tuple[bytes, V]]:
        # Invariant: prefix is a prefix of key (the path so far matched key exactly).
        depth = len(prefix)
        if depth == len(key):
            if node.is_key and inclusive:
                yield prefix, node.value  # type: ignore[misc]
            for i in range(len(node.labels)):
                yield from self._walk(node.children[i], prefix + node.labels[i], False)
            return
        # key continues past this node: the node's own key (== prefix) is smaller, skip it.
        rest = key[depth:]
        for i, label in enumerate(node.labels):
            head = rest[: len(label)]
            if label < head:
                continue  # the edge differs from key by a smaller byte: the whole subtree is smaller
            if label == head:
                yield from self._seek_forward(node.children[i], prefix + label, key, inclusive)
            else:
                # A greater byte, or key ends inside this edge: every key below is greater.
                yield from self._walk(node.children[i], prefix + label, False)

    def _seek_backward(self, node: _Node[V], prefix: bytes, key: bytes, inclusive: bool) -> Iterator[
            tuple[bytes, V]]:
        depth = len(prefix)
        if depth == len(key):
            # Every key below this node is longer than key, hence greater: only the node itself.
            if node.is_key and inclusive:
                yield prefix, node.value  # type: ignore[misc]
            return
        rest = key[depth:]
        for i in range(len(node.labels) - 1, -1, -1):
            label = node.labels[i]
            head = rest[: len(label)]
            if label == head:
                yield from self._seek_backward(node.children[i], prefix + label, key, inclusive)
            elif label < head:
                yield from self._walk(node.children[i], prefix + label, True)  # a smaller byte: all smaller
            # else: the subtree is greater than key (a greater byte, or key ends inside the edge)
        if node.is_key:
            yield prefix, node.value  # type: ignore[misc]  # prefix < key: a proper prefix is smaller

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
