"""The sorted-set value type (Redis 7.0's t_zset.c data structure, not its commands).

A ``ZSet`` keeps its members in Redis's order (by score, ties by member bytes as ``memcmp``
orders them) in a ``sortedcontainers.SortedList``, and a dict member -> entry for O(1) lookups.
Ranks, rank ranges and score ranges are O(log n) bisections of the sorted list.

Memory. Each member is one packed ``bytes`` entry: 8 bytes of score in an order-preserving
encoding (IEEE-754 bits with the sign bit flipped for positive numbers, all bits inverted for
negative ones, so unsigned big-endian order is numeric order), followed by the member itself.
Comparing two entries as bytes is comparing (score, member), exactly Redis's order; one small
object per member replaces a (score, member) tuple plus a float (~150 bytes per member at 1M
members instead of ~180, against ~110 for Redis). The dict maps the member to its entry, so
ZSCORE decodes 8 bytes and ZRANK bisects for the entry itself.

Negative zero. -0 and 0 are equal scores (same position), so the encoding writes both as 0; the
few members whose score really is -0 (possible only in a skiplist, see below) are remembered in
``negative_zero``.

Encoding. Redis keeps a small sorted set as a listpack and converts it, one way only, to a skiplist
once it holds more than ``zset-max-listpack-entries`` members or a member longer than
``zset-max-listpack-value`` bytes. ``compact`` records which one Redis would be using, because
replies can tell: OBJECT ENCODING, ZSCAN (a listpack is returned whole, with cursor 0, its scores
as the text the listpack holds) and negative zero (a listpack stores a score as text, where -0
is written ``0``, so a -0 score in a listpack reads back as 0, while a skiplist keeps -0).
Store commands (ZUNIONSTORE, ZRANGESTORE, ...) build their result and pick its encoding from its
final size, as Redis converts their result back to a listpack when it is small enough.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from sortedcontainers import SortedList

from miniredis.keyspace.encodings import register_encoding
from miniredis.keyspace.objects import register_type

if TYPE_CHECKING:
    from miniredis.config import Config

_LLONG_LIMIT = float(1 << 63)
_SIGN = 1 << 63
_ALL = (1 << 64) - 1
_DOUBLE = struct.Struct(">d")
_WORD = struct.Struct(">Q")
_pack_double = _DOUBLE.pack
_unpack_double = _DOUBLE.unpack
_pack_word = _WORD.pack
_unpack_word = _WORD.unpack
_unpack_word_from = _WORD.unpack_from


def score_prefix(score: float) -> int:
    """The order-preserving 64-bit image of a score (-0 maps to 0's image)."""
    if score == 0:
        return _SIGN
    bits: int = _unpack_word(_pack_double(score))[0]
    return bits ^ _ALL if bits & _SIGN else bits | _SIGN


def same_score(entry: bytes, score: float) -> bool:
    """Whether ``entry`` holds ``score`` (-0 and 0 being the same score, as in Redis)."""
    return _unpack_word_from(entry)[0] == score_prefix(score)  # type: ignore[no-any-return]


def entry_of(score: float, member: bytes) -> bytes:
    return _pack_word(score_prefix(score)) + member


def score_of(entry: bytes) -> float:
    bits: int = _unpack_word_from(entry)[0]
    bits = bits ^ _SIGN if bits & _SIGN else bits ^ _ALL
    value: float = _unpack_double(_pack_word(bits))[0]
    return value


def listpack_score_text(score: float) -> bytes:
    """The text a listpack holds for ``score`` (what ZSCAN of a listpack-encoded zset shows).

    An integral value that fits a 64-bit integer is written as that integer (``1e18`` is
    ``1000000000000000000``), anything else with ``%.17g``; ``inf``/``-inf`` as words.
    """
    if math.isinf(score):
        return b"inf" if score > 0 else b"-inf"
    if -_LLONG_LIMIT < score < _LLONG_LIMIT and score == int(score):
        return b"%d" % int(score)
    return b"%.17g" % score


class ZSet:
    """A sorted set: members ordered by (score, member), with O(1) score lookup."""

    __slots__ = ("entries", "index", "compact", "negative_zero")

    def __init__(self, pairs: Iterable[tuple[float, bytes]] = (), compact: bool = True) -> None:
        self.compact = compact  # True while Redis would hold it as a listpack
        self.negative_zero: set[bytes] | None = None  # members whose score is -0 (skiplist only)
        index: dict[bytes, bytes] = {}
        for score, member in pairs:
            index[member] = entry_of(score, member)
            if not compact and score == 0 and math.copysign(1.0, score) < 0:
                self._mark_negative_zero(member)
        self.index = index  # member -> entry
        self.entries: SortedList = SortedList(index.values())

    # --- size and lookups ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.index)

    def __bool__(self) -> bool:
        return bool(self.index)

    def __contains__(self, member: object) -> bool:
        return member in self.index

    def __iter__(self) -> Iterator[tuple[float, bytes]]:
        return map(self._pair, self.entries)

    def __repr__(self) -> str:
        return f"ZSet({list(self)!r})"

    def _pair(self, entry: bytes) -> tuple[float, bytes]:
        member = entry[8:]
        score = score_of(entry)
        if self.negative_zero is not None and score == 0 and member in self.negative_zero:
            score = -0.0
        return score, member

    def _mark_negative_zero(self, member: bytes) -> None:
        if self.negative_zero is None:
            self.negative_zero = set()
        self.negative_zero.add(member)

    def members(self) -> dict[bytes, bytes]:
        """The members (a dict view's keys: supports ``in``, iteration and ``len``) for scans."""
        return self.index

    def score(self, member: bytes) -> float | None:
        entry = self.index.get(member)
        if entry is None:
            return None
        bits: int = _unpack_word_from(entry)[0]  # score_of, inlined: ZADD and ZSCORE's hot path
        score: float = _unpack_double(_pack_word(bits ^ _SIGN if bits & _SIGN else bits ^ _ALL))[0]
        if score == 0 and self.negative_zero is not None and member in self.negative_zero:
            return -0.0
        return score

    def score_items(self) -> Iterator[tuple[bytes, float]]:
        """(member, score) for every member, in no particular order."""
        for member in self.index:
            yield member, self.score(member)  # type: ignore[misc]

    def rank(self, member: bytes) -> int | None:
        """0-based position of ``member`` in ascending order, or None."""
        entry = self.index.get(member)
        if entry is None:
            return None
        return self.entries.bisect_left(entry)  # type: ignore[no-any-return]

    def at(self, index: int) -> tuple[float, bytes]:
        return self._pair(self.entries[index])

    def member_at(self, index: int) -> bytes:
        entry: bytes = self.entries[index]
        return entry[8:]

    def slice(self, start: int, stop: int, reverse: bool = False) -> list[tuple[float, bytes]]:
        """Items with ascending positions start <= i < stop (walked from the top when ``reverse``)."""
        # score_of and _pair inlined: this loop builds every range reply.
        negative_zero = self.negative_zero
        pairs: list[tuple[float, bytes]] = []
        append = pairs.append
        for entry in self.entries.islice(start, stop, reverse=reverse):
            bits: int = _unpack_word_from(entry)[0]
            score: float = _unpack_double(_pack_word(bits ^ _SIGN if bits & _SIGN else bits ^ _ALL))[0]
            member = entry[8:]
            if negative_zero is not None and score == 0 and member in negative_zero:
                score = -0.0
            append((score, member))
        return pairs

    # --- writes --------------------------------------------------------------------------------------
    def insert(self, member: bytes, score: float) -> None:
        """Add a member known to be absent."""
        entry = entry_of(score, member)
        self.index[member] = entry
        self.entries.add(entry)
        if score == 0 and not self.compact and math.copysign(1.0, score) < 0:
            self._mark_negative_zero(member)

    def update(self, member: bytes, score: float) -> None:
        """Move a present member to ``score``."""
        entry = entry_of(score, member)
        previous = self.index[member]
        if entry != previous:
            self.entries.remove(previous)
            self.entries.add(entry)
            self.index[member] = entry
        if self.negative_zero is not None:
            self.negative_zero.discard(member)
        if score == 0 and not self.compact and math.copysign(1.0, score) < 0:
            self._mark_negative_zero(member)

    def set(self, member: bytes, score: float) -> bool:
        """Add or update; True when the member is new."""
        old = self.score(member)
        if old is None:
            self.insert(member, score)
            return True
        if old != score:
            self.update(member, score)
        return False

    def remove(self, member: bytes) -> bool:
        entry = self.index.pop(member, None)
        if entry is None:
            return False
        self.entries.remove(entry)
        if self.negative_zero is not None:
            self.negative_zero.discard(member)
        return True

    def pop_range(self, start: int, stop: int) -> list[tuple[float, bytes]]:
        """Remove and return the items at ascending positions start <= i < stop."""
        removed = self.slice(start, stop)
        if len(removed) == len(self.index):
            self.entries.clear()
            self.index.clear()
            self.negative_zero = None
            return removed
        del self.entries[start:stop]
        index = self.index
        negative_zero = self.negative_zero
        for _, member in removed:
            del index[member]
            if negative_zero is not None:
                negative_zero.discard(member)
        return removed

    def pop_min(self, count: int) -> list[tuple[float, bytes]]:
        return self.pop_range(0, min(count, len(self.entries)))

    def pop_max(self, count: int) -> list[tuple[float, bytes]]:
        total = len(self.entries)
        popped = self.pop_range(max(0, total - count), total)
        popped.reverse()
        return popped

    # --- encoding ------------------------------------------------------------------------------------
    def check_encoding(self, member_len: int, config: Config) -> None:
        """After an insert: convert to a skiplist once a listpack limit is passed (one way, as Redis)."""
        if self.compact and (
            len(self.index) > config.zset_max_listpack_entries or member_len > config.zset_max_listpack_value
        ):
            self.compact = False

    def fit_encoding(self, config: Config) -> None:
        """For a freshly built result (store commands): listpack when small enough, else skiplist."""
        limit = config.zset_max_listpack_value
        self.compact = len(self.index) <= config.zset_max_listpack_entries and all(
            len(member) <= limit for member in self.index
        )
        if self.compact:
            self.negative_zero = None  # a listpack writes -0 as "0"

    # --- score ranges --------------------------------------------------------------------------------
    def score_bounds(self, low: float, low_ex: bool, high: float, high_ex: bool) -> tuple[int, int]:
        """Positions [start, stop) of the items with scores in the range (empty when start >= stop).

        ``prefix + 1`` is the image of the next double up, so "first entry above x" is a bisection
        for the 8-byte image of x plus one (past inf it sorts after every entry)."""
        entries = self.entries
        low_image = score_prefix(low) + (1 if low_ex else 0)
        high_image = score_prefix(high) + (0 if high_ex else 1)
        start = entries.bisect_left(_pack_word(low_image)) if low_image <= _ALL else len(entries)
        stop = entries.bisect_left(_pack_word(high_image)) if high_image <= _ALL else len(entries)
        return start, max(start, stop)

    def copy(self) -> ZSet:
        """A deep copy (COPY): same members, scores and encoding."""
        duplicate = ZSet.__new__(ZSet)
        duplicate.compact = self.compact
        duplicate.index = dict(self.index)
        duplicate.entries = SortedList()
        duplicate.entries.update(self.entries)
        duplicate.negative_zero = None if self.negative_zero is None else set(self.negative_zero)
        return duplicate


def zset_encoding(value: object, config: Config) -> bytes:
    assert isinstance(value, ZSet)
    return b"listpack" if value.compact else b"skiplist"


register_type(ZSet, b"zset")
register_encoding(ZSet, zset_encoding)
