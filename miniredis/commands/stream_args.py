"""Argument parsing shared by the stream commands: stream IDs and the XADD/XTRIM trimming options.

Used by ``streams.py`` (XADD, XTRIM, XRANGE, XREAD, XSETID, ...) and by the consumer-group commands.
Every parser raises ``CommandError`` with Redis 7.0.15's exact text, in Redis's order, so that a
handler can parse first and let the first failure be the reply.

Stream IDs, as Redis 7.0 reads them (observed):

* ``<ms>-<seq>`` or ``<ms>`` (the missing sequence is 0 for a range start, the maximum for a range
  end); both parts are unsigned 64-bit numbers read like C's ``strtoull`` when they are not plain
  integers: leading blanks, ``+`` and leading zeros are accepted, plain negative numbers are not,
  but ``-0`` and `` -5`` are (the latter wraps around, as strtoull does). At most 127 bytes.
* ``-`` and ``+`` (the minimum and maximum IDs) only where a range bound is read (not *strict*);
* ``(<id>`` for an exclusive range bound (XRANGE/XREVRANGE only);
* ``<ms>-*`` only for XADD (the sequence is generated).
"""

from __future__ import annotations

from dataclasses import dataclass

from miniredis.commands.args import parse_int
from miniredis.errors import SYNTAX, CommandError
from miniredis.protocol.parser import string2ll
from miniredis.structures.stream import MAX_ID, MIN_ID, StreamID

INVALID_ID = "ERR Invalid stream ID specified as stream command argument"
MAXLEN_NEGATIVE = "ERR The MAXLEN argument must be >= 0."
LIMIT_NEGATIVE = "ERR The LIMIT argument must be >= 0."
TRIM_BOTH = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
LIMIT_WITHOUT_STRATEGY = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
LIMIT_WITHOUT_APPROX = "ERR syntax error, LIMIT cannot be used without the special ~ option"

U64_MAX = 2**64 - 1
_ID_MAX_LEN = 127  # Redis copies an ID into a 128-byte buffer; longer arguments are invalid
_BLANKS = b" \t\n\v\f\r"


def parse_u64(raw: bytes) -> int | None:
    """An unsigned 64-bit number as Redis's ``string2ull`` reads it, or None.

    A canonical integer (string2ll) must not be negative; anything else goes through strtoull
    rules: optional leading blanks, an optional sign (``-`` negates modulo 2**64), decimal digits up
    to the end, no overflow.
    """
    if not raw:
        return None
    if raw.isdigit() and len(raw) <= 19:
        return int(raw)  # the common case: plain digits, cannot overflow (leading zeros are fine here)
    if len(raw) <= 20:
        value = string2ll(raw)
        if value is not None:
            return value if value >= 0 else None
    text = raw.lstrip(_BLANKS)
    negative = False
    if text[:1] in (b"+", b"-"):
        negative = text[:1] == b"-"
        text = text[1:]
    if not text or not text.isdigit():
        return None
    value = int(text)
    if value > U64_MAX:
        return None
    return (-value) & U64_MAX if negative else value


def parse_id(raw: bytes, missing_seq: int = 0, strict: bool = False) -> StreamID:
    """A stream ID; ``-``/``+`` are accepted unless ``strict`` (Redis's streamParseIDOrReply)."""
    if len(raw) > _ID_MAX_LEN:
        raise CommandError(INVALID_ID)
    if not strict and len(raw) == 1:
        if raw == b"-":
            return MIN_ID
        if raw == b"+":
            return MAX_ID
    dash = raw.find(b"-")
    if dash < 0:
        ms = parse_u64(raw)
        if ms is None:
            raise CommandError(INVALID_ID)
        return ms, missing_seq
    ms = parse_u64(raw[:dash])
    seq = parse_u64(raw[dash + 1 :])
    if ms is None or seq is None:
        raise CommandError(INVALID_ID)
    return ms, seq


def parse_strict_id(raw: bytes, missing_seq: int = 0) -> StreamID:
    """A concrete ID (``-`` and ``+`` refused): XDEL, XSETID, MINID, XREAD, XCLAIM..."""
    return parse_id(raw, missing_seq, strict=True)


def parse_xadd_id(raw: bytes) -> tuple[StreamID, bool]:
    """XADD's explicit ID: ``<ms>-<seq>``, ``<ms>`` or ``<ms>-*``; returns (id, seq_given).

    ``*`` itself is handled by the caller. Without a given sequence the returned seq is 0.
    """
    if raw.endswith(b"-*") and len(raw) <= _ID_MAX_LEN:
        ms = parse_u64(raw[:-2])
        if ms is None:
            raise CommandError(INVALID_ID)
        return (ms, 0), False
    return parse_strict_id(raw), True


def parse_range_bound(raw: bytes, missing_seq: int, is_start: bool) -> StreamID:
    """An XRANGE/XREVRANGE bound: ``-``, ``+``, an ID, or ``(<id>`` (exclusive, turned inclusive here).

    ``missing_seq`` fills an ID without sequence (0 for the low bound, the maximum for the high one).
    An exclusive bound that cannot be stepped (``(`` the last ID as low bound, ``(0-0`` as high
    bound) is Redis's ``invalid start/end ID for the interval`` error.
    """
    if len(raw) > 1 and raw[:1] == b"(":
        stream_id = parse_strict_id(raw[1:], missing_seq)
        if is_start:
            if stream_id == MAX_ID:
                raise CommandError("ERR invalid start ID for the interval")
            return increment_id(stream_id)
        if stream_id == MIN_ID:
            raise CommandError("ERR invalid end ID for the interval")
        return decrement_id(stream_id)
    return parse_id(raw, missing_seq)


def increment_id(stream_id: StreamID) -> StreamID:
    """The next ID (the caller makes sure ``stream_id`` is not the maximum)."""
    ms, seq = stream_id
    return (ms, seq + 1) if seq < U64_MAX else (ms + 1, 0)


def decrement_id(stream_id: StreamID) -> StreamID:
    """The previous ID (the caller makes sure ``stream_id`` is not 0-0)."""
    ms, seq = stream_id
    return (ms, seq - 1) if seq > 0 else (ms - 1, U64_MAX)


@dataclass
class TrimArgs:
    """The trimming options of XADD / XTRIM, and for XADD where its ID and fields start.

    ``strategy`` is ``"maxlen"``, ``"minid"`` or None. ``limit`` is the effective work limit (0: none):
    the given LIMIT, or for ``~`` without LIMIT 100 x stream-node-max-entries (clamped to 1..10**6,
    10000 when that is 0). ``value_index`` / ``approx_index`` are argv positions of the threshold and
    of the ``~``/``=`` (-1 if absent), used to rewrite ``~`` trims for propagation as Redis does.
    """

    strategy: str | None = None
    maxlen: int = 0
    minid: StreamID = MIN_ID
    approx: bool = False
    limit: int = 0
    limit_given: bool = False
    nomkstream: bool = False
    value_index: int = -1
    approx_index: int = -1
    id_index: int = -1  # XADD only: position of the ID argument


def parse_trim_args(argv: list[bytes], start: int, xadd: bool, node_max_entries: int) -> TrimArgs:
    """Parse ``[NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]]`` from ``argv[start:]``.

    For XADD the first argument that is not an option is the ID (its position goes to ``id_index``;
    the ID itself is parsed by the caller); for XTRIM an unknown argument is a syntax error.
    Errors come in Redis's order: each option as it is read, then the LIMIT consistency checks.
    """
    args = TrimArgs()
    argc = len(argv)
    i = start
    while i < argc:
        more = argc - 1 - i  # arguments after this one
        opt = argv[i]
        if xadd and opt == b"*":
            break  # the common case: an auto ID, no more options
        lowered = opt.lower()
        if lowered in (b"maxlen", b"minid") and more:
            next_arg = argv[i + 1]
            approx_index = -1
            if more >= 2 and next_arg in (b"~", b"="):
                args.approx = next_arg == b"~"
                approx_index = i + 1
                i += 1
            value = argv[i + 1]
            if args.strategy is not None:
                raise CommandError(TRIM_BOTH)  # before the second threshold is read
            if lowered == b"maxlen":
                args.maxlen = _parse_threshold(lowered, value)  # type: ignore[assignment]
            else:
                args.minid = _parse_threshold(lowered, value)  # type: ignore[assignment]
            args.strategy = lowered.decode()
            args.approx_index = approx_index
            args.value_index = i + 1
            i += 2
            continue
        if lowered == b"limit" and more:
            limit = parse_int(argv[i + 1])
            if limit < 0:
                raise CommandError(LIMIT_NEGATIVE)
            args.limit = limit
            args.limit_given = True
            i += 2
            continue
        if xadd and lowered == b"nomkstream":
            args.nomkstream = True
            i += 1
            continue
        if xadd:
            break  # not an option: the ID
        raise CommandError(SYNTAX)
    args.id_index = i
    if args.limit_given:
        if args.strategy is None:
            raise CommandError(LIMIT_WITHOUT_STRATEGY)
        if not args.approx:
            raise CommandError(LIMIT_WITHOUT_APPROX)
    elif args.approx:
        # Bound the work of an approximate trim to about 100 nodes.
        limit = 100 * node_max_entries
        args.limit = 10000 if limit <= 0 else min(limit, 1_000_000)
    if not args.approx:
        args.limit = 0  # exact trims have no LIMIT
    return args


def _parse_threshold(option: bytes, raw: bytes) -> int | StreamID:
    if option == b"maxlen":
        maxlen = parse_int(raw)
        if maxlen < 0:
            raise CommandError(MAXLEN_NEGATIVE)
        return maxlen
    return parse_strict_id(raw)
