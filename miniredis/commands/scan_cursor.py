"""Cursors for HSCAN and SSCAN (Redis 7.0's ``scanGenericCommand`` for a hash or set value).

What Redis guarantees, and what miniredis keeps:

* An element present in the collection for the whole scan is returned at least once.
* A small collection in a compact encoding (a listpack hash, an intset set) is returned whole in
  one call with cursor 0, whatever the cursor and COUNT (``is_compact_hash`` / ``is_compact_set``
  decide that from ``hash-max-listpack-*`` and ``set-max-intset-entries``).
* Otherwise a call returns about COUNT elements; MATCH filters them *after* they are taken, so a
  page may be empty while the cursor is not 0.

How: elements are visited in the order of a fixed 64-bit hash of their bytes, and the cursor is
"the next hash value to visit". That order does not depend on what else is in the collection, so
additions, removals and resizes between calls never make the scan skip a surviving element (the
property Redis gets from its reverse-binary cursor). Python's ``hash`` of bytes is stable for the
life of the process, which is all a cursor needs. To avoid sorting the whole collection on every
call, the sorted hash order is kept in a small snapshot cache: a cursor of 0 always takes a fresh
snapshot (so everything present when the scan starts is in it), later calls reuse it and skip the
elements that have left the collection since. Elements added after the snapshot may be missed,
which SCAN allows.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Collection

from miniredis.commands.args import eq, parse_int
from miniredis.errors import SYNTAX, CommandError
from miniredis.glob import glob_match

INVALID_CURSOR = "ERR invalid cursor"

_MASK = (1 << 64) - 1
_SNAPSHOTS = 16  # how many collections keep a sorted snapshot between calls


def parse_cursor(raw: bytes) -> int:
    """A cursor as Redis 7.0 reads it: ``strtoul`` base 10 over the whole text.

    So ``""`` is 0, ``+5`` is 5, ``-1`` wraps to 2**64-1, and a leading space, trailing junk or a
    value past 2**64-1 is ``ERR invalid cursor``. The text ends at a NUL byte, as a C string does.
    """
    nul = raw.find(b"\0")
    if nul >= 0:
        raw = raw[:nul]
    if not raw:
        return 0
    sign = raw[:1]
    digits = raw[1:] if sign in (b"+", b"-") else raw
    if not digits or not digits.isdigit() or not digits.isascii():
        raise CommandError(INVALID_CURSOR)
    value = int(digits)
    if value > _MASK:
        raise CommandError(INVALID_CURSOR)
    return (-value) & _MASK if sign == b"-" else value


def parse_scan_options(argv: list[bytes], start: int) -> tuple[bytes | None, int]:
    """``[MATCH pattern] [COUNT count]`` in any order, repeated options overriding: (pattern, count).

    A COUNT that is not an integer is the integer error; one below 1 is a syntax error; any other
    word (TYPE included: that one is the keyspace SCAN's) is a syntax error.
    """
    pattern: bytes | None = None
    count = 10
    index = start
    total = len(argv)
    while index < total:
        option = argv[index]
        if index + 1 >= total:
            raise CommandError(SYNTAX)
        if eq(option, b"count"):
            count = parse_int(argv[index + 1])
            if count < 1:
                raise CommandError(SYNTAX)
        elif eq(option, b"match"):
            pattern = argv[index + 1]
        else:
            raise CommandError(SYNTAX)
        index += 2
    if pattern == b"*":  # matches everything: no filtering, as in Redis
        pattern = None
    return pattern, count


def matches(pattern: bytes | None, element: bytes) -> bool:
    return pattern is None or glob_match(pattern, element)


def is_compact_hash(value: dict[bytes, bytes], max_entries: int, max_value: int) -> bool:
    """Whether Redis would hold this hash as a listpack (small, short fields and values)."""
    if len(value) > max_entries:
        return False
    for field, item in value.items():
        if len(field) > max_value or len(item) > max_value:
            return False
    return True


def is_integer_member(member: bytes) -> bool:
    """Whether an intset can hold ``member``: the canonical text of a 64-bit signed integer."""
    if not member or len(member) > 20:
        return False
    head = member[1:] if member[:1] == b"-" else member
    if not head.isdigit() or not head.isascii() or (head[:1] == b"0" and (len(head) > 1 or member[:1] == b"-")):
        return False
    return -(2**63) <= int(member) < 2**63


def is_compact_set(value: Collection[bytes], max_entries: int) -> bool:
    """Whether Redis 7.0 would hold this set as an intset (few members, all integers)."""
    return len(value) <= max_entries and all(is_integer_member(member) for member in value)


class _Snapshot:
    __slots__ = ("collection", "hashes", "elements")

    def __init__(self, collection: Collection[bytes]) -> None:
        self.collection = collection  # held so that its id() is not reused while cached
        pairs = sorted((hash(element) & _MASK, element) for element in collection)
        self.hashes = [pair[0] for pair in pairs]
        self.elements = [pair[1] for pair in pairs]


_cache: OrderedDict[int, _Snapshot] = OrderedDict()


def _snapshot(collection: Collection[bytes], fresh: bool) -> _Snapshot:
    key = id(collection)
    snapshot = _cache.get(key)
    if fresh or snapshot is None or snapshot.collection is not collection:
        snapshot = _Snapshot(collection)
        _cache[key] = snapshot
        if len(_cache) > _SNAPSHOTS:
            _cache.popitem(last=False)
    _cache.move_to_end(key)
    return snapshot


def scan_page(collection: Collection[bytes], cursor: int, count: int) -> tuple[int, list[bytes]]:
    """One page of a paginated scan: ``(next_cursor, elements)``, next_cursor 0 when done.

    ``collection`` is a set or a dict (its keys are scanned). About ``count`` elements are taken;
    elements sharing a hash value always come in the same page, so the cursor never splits them.
    """
    if not collection:
        return 0, []
    snapshot = _snapshot(collection, fresh=cursor == 0)
    hashes, elements = snapshot.hashes, snapshot.elements
    index = bisect_left(hashes, cursor)
    total = len(hashes)
    page: list[bytes] = []
    while index < total and len(page) < count:
        element = elements[index]
        if element in collection:
            page.append(element)
        index += 1
    while index < total and hashes[index] == hashes[index - 1]:  # keep equal hashes together
        element = elements[index]
        if element in collection:
            page.append(element)
        index += 1
    if index >= total:
        return 0, page
    return hashes[index], page


def forget(collection: Collection[bytes]) -> None:
    """Drop the snapshot of ``collection`` (used by tests; snapshots otherwise age out)."""
    _cache.pop(id(collection), None)
