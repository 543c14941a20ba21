"""A stream's packed node: up to ``stream-node-max-entries`` entries in one bytes buffer.

Modelled on the listpack nodes of Redis streams. A node starts with a *master entry* (the field
names of its first entry); every entry then stores its ID as deltas from the node's master ID and,
when its field names equal the master's (the SAMEFIELDS flag), only its values. Deleted entries stay
in place with the DELETED flag until the whole node is freed.

Layout of one packed entry (``varint`` = 7 bits per byte, little end first; ``zigzag`` for signed)::

    flags(1 byte: 1=DELETED 2=SAMEFIELDS) | varint ms-delta | zigzag seq-delta
    | [varint n, n x (varint len, field)]  (only without SAMEFIELDS)
    | values: one varint header h per value: h odd  -> the value is the canonical decimal text of
                                                     the integer h >> 1 (no bytes follow)
                                              h even -> h >> 1 bytes of text follow

Storing canonical non-negative integers (``12345``, not ``012`` or ``+1``) as numbers mirrors
Redis's listpack, which stores such strings as integers; it saves a few bytes per entry on typical
event data (IDs, amounts, counters), and the text is rebuilt exactly on read.

The open tail node keeps its entries as tuples (cheap appends); a node is packed once a newer node
takes over, so no Python object per entry stays alive in a long stream.

``lp_bytes`` is the size Redis's own listpack would have for the same node, computed from the
listpack encoding rules (integers in 1-9 bytes, strings with a 1/2/5-byte header, a back-length
per element). Redis decides when to open a new node from that size and ``stream-node-max-bytes``,
so keeping the same figure makes node boundaries, and with them ``MAXLEN ~`` trims and XINFO's
radix-tree counts, the same as Redis's. The exact figure needs a parse of every value, and it only
matters near the limit: a node adds a cheap upper bound per entry and switches to exact sizes when
the bound nears ``stream-node-max-bytes`` (``StreamNode.append``, ``exact_size``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from miniredis.protocol.parser import string2ll

DELETED: Final = 1
SAMEFIELDS: Final = 2

LISTPACK_HEADER_AND_END: Final = 7  # 4-byte total size + 2-byte count + 1 end byte
_VARINT1: Final = [bytes((i,)) for i in range(128)]

# An entry: (ms, seq, field names or None when they equal the master's, values, flags)
Entry = tuple[int, int, "tuple[bytes, ...] | None", "tuple[bytes, ...]", int]


def _varint(value: int) -> bytes:
    if value < 128:
        return _VARINT1[value]
    out = bytearray()
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _unzigzag(value: int) -> int:
    return value >> 1 if not value & 1 else -((value + 1) >> 1)


# --- Redis listpack size model ----------------------------------------------------------------------
def _backlen_size(encoded: int) -> int:
    if encoded <= 127:
        return 1
    if encoded < 16383:
        return 2
    if encoded < 2097151:
        return 3
    if encoded < 268435455:
        return 4
    return 5


def _as_int64(value: int) -> int:
    value &= 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value >= 1 << 63 else value


def lp_int_size(value: int) -> int:
    """Bytes a listpack element holding the integer ``value`` takes, back-length (1 byte) included."""
    if 0 <= value <= 127:
        return 2
    if -4096 <= value <= 4095:
        return 3
    if -32768 <= value <= 32767:
        return 4
    if -8388608 <= value <= 8388607:
        return 5
    if -2147483648 <= value <= 2147483647:
        return 6
    return 10


_DIGITS: Final = frozenset(b"0123456789")
_INTEGER_START: Final = frozenset(b"0123456789-")
_COUNT_BOUNDS: Final = frozenset((127, 4095, 32767, 8388607, 2147483647))


def lp_str_size(value: bytes) -> int:
    """Bytes a listpack element holding ``value`` takes: strings that are integers are stored as such."""
    length = len(value)
    # Only a string starting with a digit or '-' can be an integer: skip the parse for the others.
    if length <= 20 and length and (value[0] in _DIGITS or value[0] == 45):
        if value.isdigit() and (value[0] != 48 or length == 1):
            return lp_int_size(int(value)) if length < 19 else _lp_parsed_size(value, length)
        if value[0] == 45:
            return _lp_parsed_size(value, length)
    if length <= 63:
        return length + 2  # 1-byte header, 1-byte back-length
    encoded = length + (2 if length <= 4095 else 5)
    return encoded + _backlen_size(encoded)


def _values_size(values: tuple[bytes, ...], values_len: int, exact: bool) -> int:
    """Listpack bytes of an entry's values: exact, or an upper bound from their total raw length (a
    value of n <= 63 bytes takes at most n + 2, of up to 4095 at most n + 4, longer ones at most n + 10;
    a value stored as an integer never takes more than its text would)."""
    if exact:
        total = 0
        for value in values:
            length = len(value)
            # lp_str_size() inlined for the common short non-numeric value.
            if 0 < length <= 63 and value[0] not in _INTEGER_START:
                total += length + 2
            else:
                total += lp_str_size(value)
        return total
    if values_len <= 63:
        return values_len + 2 * len(values)
    if values_len <= 4095:
        return values_len + 4 * len(values)
    return values_len + 10 * len(values)


def _lp_parsed_size(value: bytes, length: int) -> int:
    number = string2ll(value)
    if number is not None:
        return lp_int_size(number)
    if length <= 63:
        return length + 2
    return length + 2 + _backlen_size(length + 2)

class StreamNode:
    """One node of a stream's radix tree (see the module docstring)."""

    __slots__ = ("master_ms", "master_seq", "fields", "fields_len", "entries", "blob", "count", "deleted",
                 "lp_bytes", "lp_exact", "_master_size", "last")

    def __init__(self, ms: int, seq: int, fields: tuple[bytes, ...]) -> None:
        self.master_ms = ms
        self.master_seq = seq
        self.fields = fields
        self.fields_len = sum(map(len, fields))  # Redis's size check counts raw field and value lengths
        self.entries: list[Entry] | None = []  # open form; None once packed
        self.blob = b""  # packed form
        self.count = 0  # valid entries
        self.deleted = 0  # entries flagged DELETED
        self._master_size = sum(map(lp_str_size, fields)) + lp_int_size(len(fields)) + lp_int_size(0)
        # Redis's listpack size for this node when lp_exact; otherwise an upper bound of it (see append).
        self.lp_bytes = LISTPACK_HEADER_AND_END + self._master_size + lp_int_size(0) + lp_int_size(0)
        self.lp_exact = False
        self.last = ms << 64 | seq  # ID of the last entry, deleted or not (Redis reads the listpack's edge)

    # --- appending (open nodes only) ---------------------------------------------------------------
    def append(self, ms: int, seq: int, fields: tuple[bytes, ...] | None, values: tuple[bytes, ...],
               values_len: int) -> None:
        """Add an entry; ``fields`` is None when the names are the master's (SAMEFIELDS), and
        ``values_len`` the raw length of the values.

        The exact listpack size of an entry takes a parse of every value (Redis stores integers as
        numbers), but it only matters near ``stream-node-max-bytes``. So the node adds a cheap upper
        bound per entry (a value of up to 63 bytes takes at most its length + 2, integers never more
        than their text) and ``exact_size()`` computes the real figure when the bound gets close to
        the limit; from then on every entry adds its exact size."""
        entries = self.entries
        if entries is None:
            entries = self.unpack()
        self.last = ms << 64 | seq
        # Redis stores the ID deltas as int64 (a wrapped uint64 difference).
        ms_delta = ms - self.master_ms
        seq_delta = seq - self.master_seq
        size = 2  # the flags
        size += 2 if 0 <= ms_delta <= 127 else lp_int_size(_as_int64(ms_delta))
        size += 2 if 0 <= seq_delta <= 127 else lp_int_size(_as_int64(seq_delta))
        if fields is None:
            entries.append((ms, seq, None, values, SAMEFIELDS))
            n = len(values)
            if values_len <= 63 and n < 125 and not self.lp_exact:
                size += values_len + 2 * n + 2  # _values_size()'s bound and the lp-count, inlined
            else:
                size += _values_size(values, values_len, self.lp_exact) + lp_int_size(3 + n)
        else:
            entries.append((ms, seq, fields, values, 0))
            size += (lp_int_size(len(fields)) + sum(map(lp_str_size, fields)) + lp_int_size(4 + 2 * len(fields))
                     + _values_size(values, values_len, self.lp_exact))
        count = self.count
        if count in _COUNT_BOUNDS:  # the count's own listpack size grows past these values
            size += lp_int_size(count + 1) - lp_int_size(count)
        self.count = count + 1
        self.lp_bytes += size

    def exact_size(self) -> int:
        """Make ``lp_bytes`` Redis's exact listpack size for the node (see ``append``) and return it."""
        if not self.lp_exact:
            size = LISTPACK_HEADER_AND_END + self._master_size + lp_int_size(self.count) + lp_int_size(self.deleted)
            master_ms, master_seq = self.master_ms, self.master_seq
            for ms, seq, fields, values, _ in self:
                size += 2 + lp_int_size(_as_int64(ms - master_ms)) + lp_int_size(_as_int64(seq - master_seq))
                size += sum(map(lp_str_size, values))
                if fields is None:
                    size += lp_int_size(3 + len(values))
                else:
                    size += lp_int_size(len(fields)) + sum(map(lp_str_size, fields)) + lp_int_size(4 + 2 * len(fields))
            self.lp_bytes = size
            self.lp_exact = True
        return self.lp_bytes

    def _set_counts(self, count: int, deleted: int) -> None:
        # The same delta keeps an exact size exact and an upper bound an upper bound.
        self.lp_bytes += lp_int_size(count) - lp_int_size(self.count) + lp_int_size(deleted) - lp_int_size(
            self.deleted)
        self.count = count
        self.deleted = deleted

    @property
    def total(self) -> int:
        """Entries in the node, deleted ones included (Redis compares this with the max entries)."""
        return self.count + self.deleted

    # --- packed form -------------------------------------------------------------------------------
    def pack(self) -> None:
        """Turn the open entries into the packed buffer (no Python object per entry remains)."""
        if self.entries is None:
            return
        parts: list[bytes] = []
        append = parts.append
        master_ms, master_seq = self.master_ms, self.master_seq
        varint1 = _VARINT1
        for ms, seq, fields, values, flags in self.entries:
            ms_delta = ms - master_ms  # entries only grow: never negative
            seq_delta = seq - master_seq
            zigzag = seq_delta * 2 if seq_delta >= 0 else -seq_delta * 2 - 1
            append(varint1[flags])
            append(varint1[ms_delta] if ms_delta < 128 else _varint(ms_delta))
            append(varint1[zigzag] if zigzag < 128 else _varint(zigzag))
            if fields is not None:
                append(_varint(len(fields)))
                for field in fields:
                    append(_varint(len(field)))
                    append(field)
            for value in values:
                length = len(value)
                # A canonical non-negative integer below 2**62 is stored as a number (see the docstring).
                if 0 < length <= 18 and value.isdigit() and (value[0] != 48 or length == 1):
                    append(_varint(int(value) << 1 | 1))
                else:
                    append(varint1[length << 1] if length < 64 else _varint(length << 1))
                    append(value)
        self.blob = b"".join(parts)
        self.entries = None

    def unpack(self) -> list[Entry]:
        """Back to the open form (for a deletion mark inside a packed node)."""
        if self.entries is None:
            self.entries = list(self._decode())
            self.blob = b""
        return self.entries

    def __iter__(self) -> Iterator[Entry]:
        """Every entry in ID order, deleted ones included (check ``flags & DELETED``)."""
        if self.entries is not None:
            return iter(self.entries)
        return self._decode()

    def reversed(self) -> Iterator[Entry]:
        return reversed(self.decoded())

    def decoded(self) -> list[Entry]:
        """The entries as a list (ID order), for seeking with bisect. A packed node's decoding is kept in
        a small cache shared by all nodes: consumers reading through a backlog with COUNT 10 would
        otherwise decode the same node ten times."""
        if self.entries is not None:
            return self.entries
        cached = _DECODED.get(id(self))
        if cached is not None and cached[0] is self and cached[1] is self.blob:
            return cached[2]
        entries = list(self._decode())
        if len(_DECODED) >= _DECODED_SLOTS:
            del _DECODED[next(iter(_DECODED))]
        _DECODED[id(self)] = (self, self.blob, entries)
        return entries

    def _decode(self) -> Iterator[Entry]:
        blob = self.blob
        pos = 0
        end = len(blob)
        master_ms, master_seq = self.master_ms, self.master_seq
        nmaster = len(self.fields)
        while pos < end:
            flags = blob[pos]
            value = blob[pos + 1]  # one-byte varints (the common case) are read inline
            if value < 128:
                pos += 2
            else:
                value, pos = _read_varint(blob, pos + 1)
            ms = master_ms + value
            value = blob[pos]
            if value < 128:
                pos += 1
            else:
                value, pos = _read_varint(blob, pos)
            seq = master_seq + (value >> 1 if not value & 1 else -((value + 1) >> 1))
            fields: tuple[bytes, ...] | None = None
            if flags & SAMEFIELDS:
                n = nmaster
            else:
                n, pos = _read_varint(blob, pos)
                names = []
                for _ in range(n):
                    length, pos = _read_varint(blob, pos)
                    names.append(blob[pos : pos + length])
                    pos += length
                fields = tuple(names)
            values = []
            for _ in range(n):
                header = blob[pos]
                if header < 128:
                    pos += 1
                else:
                    header, pos = _read_varint(blob, pos)
                if header & 1:
                    values.append(b"%d" % (header >> 1))
                else:
                    length = header >> 1
                    values.append(blob[pos : pos + length])
                    pos += length
            yield ms, seq, fields, tuple(values), flags

    # --- deletion ----------------------------------------------------------------------------------
    def mark_deleted(self, index: int) -> None:
        """Flag the entry at ``index`` (in ID order) as deleted."""
        entries = self.unpack()
        ms, seq, fields, values, flags = entries[index]
        entries[index] = (ms, seq, fields, values, flags | DELETED)
        self._set_counts(self.count - 1, self.deleted + 1)

    def fields_of(self, entry: Entry) -> tuple[bytes, ...]:
        return entry[2] if entry[2] is not None else self.fields

    def last_id(self) -> tuple[int, int]:
        """ID of the node's last entry, deleted or not."""
        return self.last >> 64, self.last & 0xFFFFFFFFFFFFFFFF

    def first_last_ids(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """IDs of the first and last valid entries, or None when none is valid."""
        first = last = None
        for ms, seq, _, _, flags in self:
            if not flags & DELETED:
                if first is None:
                    first = (ms, seq)
                last = (ms, seq)
        return None if first is None or last is None else (first, last)

    def memory(self) -> int:
        """Rough bytes held by this node (for MEMORY-like figures and benchmarks)."""
        return len(self.blob) + (0 if self.entries is None else 120 * len(self.entries))


# id(node) -> (node, blob, entries): the last few packed nodes decoded (insertion order = age).
_DECODED: dict[int, tuple[StreamNode, bytes, list[Entry]]] = {}
_DECODED_SLOTS: Final = 8


def _read_varint(blob: bytes, pos: int) -> tuple[int, int]:
    byte = blob[pos]
    if byte < 128:
        return byte, pos + 1
    value = 0
    shift = 0
    while True:
        byte = blob[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 128:
            return value, pos
        shift += 7
