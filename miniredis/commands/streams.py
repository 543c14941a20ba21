"""Stream commands without consumer groups (Redis 7.0's t_stream.c): XADD, XRANGE, XREVRANGE, XLEN,
XDEL, XTRIM, XSETID, XREAD (with BLOCK), XINFO STREAM and XINFO HELP.

The data structure is ``miniredis.structures.stream.Stream``; argument parsing shared with the
consumer-group commands is in ``stream_args.py``. Behaviour mirrored from Redis 7.0.15, as observed:

* arguments and IDs are parsed before the key is looked up (so before WRONGTYPE), except XDEL (a
  missing key replies 0 without reading the IDs) and XREAD (each key is type-checked before its
  ID is read); XADD's field/value count is checked after its ID is parsed;
* XADD appends first and trims afterwards, so ``MINID ~`` may trim the new entry away at once;
  auto IDs are ``max(clock ms, last ms)`` with the sequence incremented, so a clock stepping back
  never makes XADD fail; a stream is never deleted when it becomes empty;
* effects are propagated as Redis writes them to its AOF: an auto ID (``*``, ``<ms>-*``) becomes
  the concrete ID, and an approximate trim (``~``) becomes exact: ``MAXLEN = <length after>`` or
  ``MINID = <ID of the first node's first entry>`` (the maximum ID once the stream is empty), the
  LIMIT argument kept; XTRIM and XDEL that remove nothing are not propagated;
* keyspace events (class ``t``): ``xadd`` then ``xtrim`` when that trim removed entries, ``xdel``,
  ``xtrim``, ``xsetid``;
* XREAD replies a map in RESP3 (key -> entries, duplicate keys kept) and an array of
  [key, entries] pairs in RESP2; with BLOCK and nothing to read it blocks (see ``blocking.py``)
  with ``$`` resolved once, when it blocks. A blocked XREAD whose key is deleted, or becomes
  another type, stays blocked until data arrives on a stream at that key or it times out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from miniredis import errors
from miniredis.blocking import Block, parse_timeout_ms
from miniredis.commands.args import eq, parse_int
from miniredis.commands.registry import command, help_reply
from miniredis.commands.stream_args import (
    U64_MAX,
    TrimArgs,
    increment_id,
    parse_range_bound,
    parse_strict_id,
    parse_trim_args,
    parse_xadd_id,
)
from miniredis.errors import CommandError
from miniredis.keyspace.db import typed_lookups
from miniredis.keyspace.encodings import register_encoding
from miniredis.keyspace.objects import register_type
from miniredis.protocol.replies import NULL_ARRAY, OK, Raw
from miniredis.structures.listpack import Entry, StreamNode
from miniredis.structures.stream import MAX_ID, MIN_ID, Stream, StreamID, flat_pairs, format_id, key_id

if TYPE_CHECKING:
    from miniredis.config import Config
    from miniredis.server.client import Client

XADD_ZERO_ID = "ERR The ID specified in XADD must be greater than 0-0"
XADD_ID_TOO_SMALL = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
XADD_SEQ_EXHAUSTED = "ERR Elements are too large to be stored"
STREAM_EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items"
NO_SUCH_KEY = "ERR no such key"
XSETID_SMALLER_THAN_TOP = "ERR The ID specified in XSETID is smaller than the target stream top item"
XSETID_ENTRIES_ADDED_SMALL = "ERR The entries_added specified in XSETID is smaller than the target stream length"
XSETID_SMALLER_THAN_DELETED = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
ENTRIES_ADDED_NEGATIVE = "ERR entries_added must be positive"
XREAD_UNBALANCED = (
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
)
XREAD_NOACK = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
XREAD_GROUP = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
XINFO_STREAM_ARGS = "ERR unknown subcommand or wrong number of arguments for '{}'. Try XINFO HELP."
XINFO_FULL_DEFAULT_COUNT = 10
NO_OPTIONS: Final = TrimArgs(id_index=2)

register_type(Stream, b"stream")


def _stream_encoding(value: object, config: Config) -> bytes:
    return b"stream"


register_encoding(Stream, _stream_encoding)

# --- consumer-group hook ---------------------------------------------------------------------------
GroupsFullInfo = Callable[[Stream, int], list[object]]
GROUPS_FULL_INFO: GroupsFullInfo | None = None
"""Set by the consumer-groups module: ``fn(stream, count)`` -> the ``groups`` list of XINFO STREAM FULL."""


def groups_full_info(stream: Stream, count: int) -> list[object]:
    """The ``groups`` part of XINFO STREAM FULL: one entry per group, from the consumer-groups module
    (``GROUPS_FULL_INFO``); an empty list while no groups module is loaded or the stream has none.
    ``count`` limits the PEL entries shown per group and consumer (0: all), as for ``entries``."""
    if GROUPS_FULL_INFO is None or not stream.groups:
        return []
    return GROUPS_FULL_INFO(stream, count)


# --- helpers ---------------------------------------------------------------------------------------
read_stream, write_stream = typed_lookups(Stream)  # WRONGTYPE for another type


def entries_reply(stream: Stream, start: StreamID, end: StreamID, count: int = 0,
                  reverse: bool = False) -> list[object]:
    """Entries in [start, end] as XRANGE replies them: [[id, [field, value, ...]], ...]."""
    return [[format_id(entry_id), flat_pairs(node, entry)]
            for entry_id, node, entry in stream.range(start, end, count, reverse)]


def _entry_template(fields: tuple[bytes, ...]) -> bytes:
    """A %-format for one entry with these field names: the ID and the values are filled in."""
    parts = [b"*2\r\n$%d\r\n%s\r\n*", str(2 * len(fields)).encode(), b"\r\n"]
    for field in fields:
        parts.append(b"$" + str(len(field)).encode() + b"\r\n" + field.replace(b"%", b"%%") + b"\r\n$%d\r\n%s\r\n")
    return b"".join(parts)


def encode_entry(templates: dict[int, bytes], text: bytes, node: StreamNode, entry: Entry) -> bytes:
    """One entry as RESP (``[id, [field, value, ...]]``, the same bytes in RESP2 and RESP3), from a
    %-format template per field-name tuple kept in ``templates`` (one dict per reply)."""
    fields = entry[2] if entry[2] is not None else node.fields
    template = templates.get(id(fields))
    if template is None:
        template = templates[id(fields)] = _entry_template(fields)
    values = entry[3]
    if len(values) == 3:
        a, b, c = values
        return template % (len(text), text, len(a), a, len(b), b, len(c), c)
    if len(values) == 1:
        a = values[0]
        return template % (len(text), text, len(a), a)
    args: list[object] = [len(text), text]
    for value in values:
        args.append(len(value))
        args.append(value)
    return template % tuple(args)


def encoded_entries(stream: Stream, start: StreamID, end: StreamID, count: int = 0,
                    reverse: bool = False) -> tuple[int, Raw]:
    """``entries_reply`` pre-encoded: (number of entries, the array as RESP bytes).

    An entry list is arrays of bulk strings only, the same bytes in RESP2 and RESP3, so the hot
    read paths (XRANGE, XREAD, XREADGROUP, XINFO FULL) build the bytes directly, one %-format per
    entry (``encode_entry``), instead of nested lists for the encoder.
    """
    templates: dict[int, bytes] = {}
    parts = [encode_entry(templates, b"%d-%d" % entry_id, node, entry)
             for entry_id, node, entry in stream.range(start, end, count, reverse)]
    return len(parts), Raw(b"*%d\r\n" % len(parts) + b"".join(parts))


def _trim(stream: Stream, argv: list[bytes], args: TrimArgs) -> tuple[int, list[bytes] | None]:
    """Run the trim described by ``args``; returns (removed, argv rewritten for
    propagation when the trim was approximate, else None)."""
    if args.strategy == "maxlen":
        removed = stream.trim(maxlen=args.maxlen, approx=args.approx, limit=args.limit)
    else:
        removed = stream.trim(minid=args.minid, approx=args.approx, limit=args.limit)
    if not args.approx:
        return removed, None
    rewritten = list(argv)
    rewritten[args.approx_index] = b"="
    if args.strategy == "maxlen":
        rewritten[args.value_index] = b"%d" % stream.length
    else:
        first = stream.rax.first()
        rewritten[args.value_index] = format_id(key_id(first[0]) if first else MAX_ID)
    return removed, rewritten


# --- XADD ------------------------------------------------------------------------------------------
@command("xadd")
def xadd(client: Client, argv: list[bytes]) -> object:
    server = client.server
    config = server.config
    args = NO_OPTIONS if argv[2] == b"*" else parse_trim_args(argv, 2, True, config.stream_node_max_entries)
    id_index = args.id_index
    if id_index >= len(argv):
        raise CommandError(errors.wrong_arity("xadd"))
    raw_id = argv[id_index]
    auto = raw_id == b"*"
    explicit: StreamID = MIN_ID
    seq_given = True
    if not auto:
        explicit, seq_given = parse_xadd_id(raw_id)
    pairs = len(argv) - id_index - 1
    if pairs < 2 or pairs % 2:
        raise CommandError(errors.wrong_arity("xadd"))
    if not auto and seq_given and explicit == MIN_ID:
        raise CommandError(XADD_ZERO_ID)
    db = client.db
    key = argv[1]
    stream = db.lookup(key)
    created = stream is None
    if stream is None:
        if args.nomkstream:
            return None
        stream = Stream()
    elif type(stream) is not Stream:
        raise CommandError(errors.WRONGTYPE)
    last = stream.last_id
    if last == MAX_ID:
        raise CommandError(STREAM_EXHAUSTED)
    if auto:
        ms = server.clock.time_ms()
        if ms > last[0]:
            new_id = (ms, 0)
        else:
            new_id = increment_id(last)  # the clock went back, or several IDs in one millisecond
    elif not seq_given:
        if explicit[0] == last[0]:
            if last[1] == U64_MAX:
                raise CommandError(XADD_SEQ_EXHAUSTED)
            new_id = (last[0], last[1] + 1)
        elif explicit[0] < last[0]:
            raise CommandError(XADD_ID_TOO_SMALL)
        else:
            new_id = explicit
    else:
        if explicit <= last:
            raise CommandError(XADD_ID_TOO_SMALL)
        new_id = explicit
    stream.append(new_id, tuple(argv[id_index + 1 :: 2]), tuple(argv[id_index + 2 :: 2]),
                  config.stream_node_max_entries, config.stream_node_max_bytes)
    if created:
        db.add(key, stream)
    elif db.watched or db.blocking:
        db.signal_modified(key)
    server.dirty += 1
    if server.keyspace_events:
        server.notify(db, "xadd", key, "t")
    effect = argv
    reply = b"%d-%d" % new_id  # format_id() inlined: XADD is a hot path
    if (not seq_given or auto) and server.propagating:
        effect = list(argv)
        effect[id_index] = reply
    if args.strategy is not None:
        removed, rewritten = _trim(stream, effect, args)
        if rewritten is not None:
            effect = rewritten
        if removed and server.keyspace_events:
            server.notify(db, "xtrim", key, "t")
    if effect is not argv:
        client.propagate = [effect]
    return reply


# --- XTRIM, XDEL, XLEN, XSETID ---------------------------------------------------------------------
@command("xtrim")
def xtrim(client: Client, argv: list[bytes]) -> object:
    server = client.server
    args = parse_trim_args(argv, 2, False, server.config.stream_node_max_entries)
    db = client.db
    key = argv[1]
    stream = write_stream(db, key)
    if stream is None:
        return 0
    if args.strategy is None:
        raise CommandError(errors.SYNTAX)
    removed, rewritten = _trim(stream, argv, args)
    if removed:
        db.signal_modified(key)
        server.dirty += removed
        server.notify(db, "xtrim", key, "t")
        if rewritten is not None:
            client.propagate = [rewritten]
    return removed


@command("xdel")
def xdel(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    stream = write_stream(db, key)
    if stream is None:
        return 0
    ids = [parse_strict_id(raw) for raw in argv[2:]]  # every ID is checked before any deletion
    deleted = 0
    for stream_id in ids:
        if stream.delete(stream_id):
            deleted += 1
    if deleted:
        db.signal_modified(key)
        server = client.server
        server.dirty += deleted
        server.notify(db, "xdel", key, "t")
    return deleted


@command("xlen")
def xlen(client: Client, argv: list[bytes]) -> object:
    stream = read_stream(client.db, argv[1])
    return 0 if stream is None else stream.length


@command("xsetid")
def xsetid(client: Client, argv: list[bytes]) -> object:
    new_id = parse_strict_id(argv[2])
    entries_added: int | None = None
    max_deleted: StreamID | None = None
    i = 3
    while i < len(argv):
        more = len(argv) - 1 - i
        if eq(argv[i], b"entriesadded") and more:
            entries_added = parse_int(argv[i + 1])
            if entries_added < 0:
                raise CommandError(ENTRIES_ADDED_NEGATIVE)
            i += 2
        elif eq(argv[i], b"maxdeletedid") and more:
            max_deleted = parse_strict_id(argv[i + 1])
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    if max_deleted is not None and new_id < max_deleted:
        raise CommandError(XSETID_SMALLER_THAN_DELETED)
    db = client.db
    key = argv[1]
    stream = write_stream(db, key)
    if stream is None:
        raise CommandError(NO_SUCH_KEY)
    if stream.length:
        last = stream.last_entry()
        if last is not None and new_id < last[0]:
            raise CommandError(XSETID_SMALLER_THAN_TOP)
        if entries_added is not None and entries_added < stream.length:
            raise CommandError(XSETID_ENTRIES_ADDED_SMALL)
    stream.last_id = new_id
    if entries_added is not None:
        stream.entries_added = entries_added
    if max_deleted is not None:
        stream.max_deleted_id = max_deleted
    # No signal_modified: Redis 7.0.15's XSETID does not break WATCH (pinned in conformance).
    server = client.server
    server.dirty += 1
    server.notify(db, "xsetid", key, "t")
    return OK


# --- XRANGE / XREVRANGE ----------------------------------------------------------------------------
def _range(client: Client, argv: list[bytes], reverse: bool) -> object:
    raw_start, raw_end = (argv[3], argv[2]) if reverse else (argv[2], argv[3])
    start = parse_range_bound(raw_start, 0, True)
    end = parse_range_bound(raw_end, U64_MAX, False)
    count = -1  # no limit
    i = 4
    while i < len(argv):
        if eq(argv[i], b"count") and i + 1 < len(argv):
            count = max(parse_int(argv[i + 1]), 0)
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    stream = read_stream(client.db, argv[1])
    if stream is None:
        return []
    if count == 0:
        return NULL_ARRAY
    return encoded_entries(stream, start, end, max(count, 0), reverse)[1]


@command("xrange")
def xrange(client: Client, argv: list[bytes]) -> object:
    return _range(client, argv, False)


@command("xrevrange")
def xrevrange(client: Client, argv: list[bytes]) -> object:
    return _range(client, argv, True)


# --- XREAD ---------------------------------------------------------------------------------------
@command("xread")
def xread(client: Client, argv: list[bytes]) -> object:
    count = 0
    timeout: float | None = None
    streams_at = -1
    argc = len(argv)
    i = 1
    while i < argc:
        more = argc - 1 - i
        opt = argv[i].lower()
        if opt == b"block" and more:
            timeout = parse_timeout_ms(argv[i + 1])
            i += 2
        elif opt == b"count" and more:
            count = max(parse_int(argv[i + 1]), 0)
            i += 2
        elif opt == b"streams" and more:
            streams_at = i + 1
            break
        elif opt == b"group" and more >= 2:
            raise CommandError(XREAD_GROUP)
        elif opt == b"noack":
            raise CommandError(XREAD_NOACK)
        else:
            raise CommandError(errors.SYNTAX)
    if streams_at < 0:
        raise CommandError(errors.SYNTAX)
    if (argc - streams_at) % 2:
        raise CommandError(XREAD_UNBALANCED)
    n = (argc - streams_at) // 2
    keys = argv[streams_at : streams_at + n]
    db = client.db
    waiter = client.blocked
    if waiter is not None:
        ids: list[StreamID] = waiter.state  # type: ignore[attr-defined]  # re-run after a wake-up
    else:
        ids = []
        for key, raw in zip(keys, argv[streams_at + n :], strict=True):
            stream = read_stream(client.db, key)
            if raw == b"$":
                ids.append(stream.last_id if stream is not None else MIN_ID)
            else:
                ids.append(parse_strict_id(raw))
    found: list[tuple[bytes, Raw]] = []
    for key, after in zip(keys, ids, strict=True):
        value = db.lookup(key)
        if type(value) is not Stream or after == MAX_ID:
            continue  # a blocked reader ignores a key that became another type, as Redis 7.0 does
        assert isinstance(value, Stream)
        if value.length and value.last_id > after:
            n, entries = encoded_entries(value, increment_id(after), MAX_ID, count)
            if n:
                found.append((key, entries))
    if found:
        if client.resp == 3:
            # A map that keeps repeated keys (XREAD STREAMS s s ...), as Redis writes it.
            encode = client.encode
            return Raw(b"%%%d\r\n" % len(found) + b"".join(encode(k) + encode(v) for k, v in found))
        return [[key, entries] for key, entries in found]
    if timeout is None:
        return NULL_ARRAY
    return Block(list(keys), timeout, state=ids)


# --- XINFO STREAM / HELP ---------------------------------------------------------------------------
@command("xinfo|stream")
def xinfo_stream(client: Client, argv: list[bytes]) -> object:
    value = client.db.lookup_read(argv[2])
    if value is None:
        raise CommandError(NO_SUCH_KEY)
    if type(value) is not Stream:
        raise CommandError(errors.WRONGTYPE)
    stream: Stream = value
    full = False
    count = XINFO_FULL_DEFAULT_COUNT
    if len(argv) > 3:
        if not eq(argv[3], b"full") or len(argv) not in (4, 6) or (len(argv) == 6 and not eq(argv[4], b"count")):
            raise CommandError(XINFO_STREAM_ARGS.format(argv[1].decode("latin-1")))
        full = True
        if len(argv) == 6:
            count = max(parse_int(argv[5]), 0)
    reply: dict[object, object] = {
        b"length": stream.length,
        b"radix-tree-keys": stream.node_count,
        b"radix-tree-nodes": stream.radix_tree_nodes(),
        b"last-generated-id": format_id(stream.last_id),
        b"max-deleted-entry-id": format_id(stream.max_deleted_id),
        b"entries-added": stream.entries_added,
        b"recorded-first-entry-id": format_id(stream.first_id),
    }
    if full:
        reply[b"entries"] = encoded_entries(stream, MIN_ID, MAX_ID, count)[1]
        reply[b"groups"] = groups_full_info(stream, count)
        return reply
    reply[b"groups"] = len(stream.groups)
    first = stream.first_entry()
    last = stream.last_entry()
    reply[b"first-entry"] = None if first is None else [format_id(first[0]), first[1]]
    reply[b"last-entry"] = None if last is None else [format_id(last[0]), last[1]]
    return reply


@command("xinfo|help")
def xinfo_help(client: Client, argv: list[bytes]) -> object:
    return help_reply("xinfo", [
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
    ])
