"""The ordered map behind a pending entries list: stream ID -> ``Nack``, iterated in ID order.

A PEL is a queue in practice: entries arrive in increasing ID order (each ``>`` read delivers IDs
above the group's last one) and mostly leave from the oldest end (acknowledgements in delivery
order). ``sortedcontainers.SortedDict`` paid about 1.6 µs for that insert-plus-delete pair in pure
Python; this map pays about 0.3 µs:

- ``_map``: a dict for lookups, the live entries;
- ``_keys``: every live ID in order, plus IDs deleted since the last compaction ("dead": in
  ``_keys`` but not in ``_map``). An ID above all others is appended; another one (XCLAIM moving an
  older entry to a consumer, XGROUP SETID backwards then a new read) is inserted with bisect, or
  revives its dead copy. Deletion only removes the dict entry; once dead IDs outnumber the live
  ones, ``_keys`` is rebuilt without them, so every operation stays amortised O(1) or O(log n)
  plus the C-speed move of a list insert;
- ``_start``: ``_keys[:_start]`` are all dead (acknowledgements eat the front), so the oldest
  pending ID is found without rescanning them.

Ordered reads (``irange``, iteration, ``first_key``/``last_key``) skip dead IDs. The map must not
be changed while one of its iterators is in use (the commands take one item at a time, or change
only the ``Nack`` objects).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import islice
from typing import Generic, TypeVar

StreamID = tuple[int, int]
V = TypeVar("V")

_COMPACT_MIN = 32  # below this many dead IDs a rebuild is not worth it


class PendingMap(Generic[V]):
    __slots__ = ("_map", "_keys", "_start", "_dead")

    def __init__(self) -> None:
        self._map: dict[StreamID, V] = {}
        self._keys: list[StreamID] = []
        self._start = 0
        self._dead = 0

    # --- lookups ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._map)

    def __bool__(self) -> bool:
        return bool(self._map)

    def __contains__(self, key: object) -> bool:
        return key in self._map

    def __getitem__(self, key: StreamID) -> V:
        return self._map[key]

    def get(self, key: StreamID, default: V | None = None) -> V | None:
        return self._map.get(key, default)

    # --- changes ---------------------------------------------------------------------------------
    def __setitem__(self, key: StreamID, value: V) -> None:
        live = self._map
        if key in live:
            live[key] = value
            return
        live[key] = value
        keys = self._keys
        if not keys or key > keys[-1]:
            keys.append(key)  # the usual case: a newly delivered entry
            return
        index = bisect_left(keys, key)
        if index < len(keys) and keys[index] == key:
            self._dead -= 1  # its dead copy comes back to life, in place
        else:
            keys.insert(index, key)
        if index < self._start:
            self._start = index

    def __delitem__(self, key: StreamID) -> None:
        del self._map[key]
        self._dead += 1
        if self._dead > _COMPACT_MIN and self._dead > len(self._map):
            self._compact()

    def pop(self, key: StreamID, default: V | None = None) -> V | None:
        if key not in self._map:
            return default
        value = self._map[key]
        del self[key]
        return value

    def _compact(self) -> None:
        live = self._map
        self._keys = [key for key in islice(self._keys, self._start, None) if key in live]
        self._start = 0
        self._dead = 0

    # --- ordered reads ---------------------------------------------------------------------------
    def first_key(self) -> StreamID:
        """The smallest pending ID (KeyError when empty)."""
        keys, live = self._keys, self._map
        start = self._start
        while start < len(keys) and keys[start] not in live:
            start += 1
        self._start = start  # everything before is dead: later searches start here
        if start == len(keys):
            raise KeyError("empty")
        return keys[start]

    def last_key(self) -> StreamID:
        """The greatest pending ID (KeyError when empty)."""
        keys, live = self._keys, self._map
        for index in range(len(keys) - 1, self._start - 1, -1):
            if keys[index] in live:
                return keys[index]
        raise KeyError("empty")

    def __iter__(self) -> Iterator[StreamID]:
        return self.irange()

    def irange(self, minimum: StreamID | None = None, maximum: StreamID | None = None) -> Iterator[StreamID]:
        """Pending IDs with ``minimum <= id <= maximum`` (either bound may be None), in order."""
        keys, live = self._keys, self._map
        start = self._start if minimum is None else bisect_left(keys, minimum, self._start)
        stop = len(keys) if maximum is None else bisect_right(keys, maximum, start)
        return (key for key in islice(keys, start, stop) if key in live)

    def items(self) -> Iterator[tuple[StreamID, V]]:
        live = self._map
        return ((key, live[key]) for key in self.irange())

    def check(self) -> None:
        """Internal invariants, for tests: ``_keys`` sorted without duplicates, holding every live ID."""
        keys = self._keys
        assert all(a < b for a, b in zip(keys, keys[1:], strict=False)), "keys out of order"
        assert all(key not in self._map for key in keys[: self._start]), "a live key before _start"
        assert set(keys) >= set(self._map), "a live key missing from _keys"
        assert len(keys) - len(self._map) == self._dead, "dead count drifted"
