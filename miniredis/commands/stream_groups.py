"""Stream consumer groups, part 1 (Redis 7.0's t_stream.c): XGROUP (CREATE, SETID, CREATECONSUMER,
DELCONSUMER, DESTROY, HELP), XREADGROUP (with BLOCK), XACK, XINFO GROUPS, XINFO CONSUMERS and the
``groups`` part of XINFO STREAM FULL. XCLAIM, XAUTOCLAIM and XPENDING are in ``stream_claims.py``.

The group structures (group PEL and consumer PELs over shared ``Nack`` objects, the 7.0 entries-read
and lag rules) are in ``miniredis.structures.cgroup``. Behaviour mirrored from Redis 7.0.15, as
observed on a running server:

* XGROUP CREATE/SETID read their options first (unknown option -> the subcommand syntax error,
  ENTRIESREAD must be >= -1), then the key (WRONGTYPE; a missing key is an error unless CREATE
  ... MKSTREAM), then the group (NOGROUP), then the argument count (CREATE takes at most 8
  arguments, SETID 5 or 7), then the ID. A group created or set without ENTRIESREAD has an unknown
  entries-read counter (nil in XINFO);
* group and PEL changes do not touch WATCH (Redis does not signal the key), but XGROUP DESTROY wakes
  the clients blocked on the key so that they get the NOGROUP error;
* XREADGROUP checks each key in turn (WRONGTYPE, then NOGROUP, then its ID); ``$`` is refused. A key
  read with ``>`` is served only when its last valid entry is beyond the group's last ID; a key read
  with an explicit ID (the consumer's own PEL, IDs greater than the given one) is always served,
  entries deleted meanwhile being ``[id, nil]`` (their delivery counter untouched). The consumer is
  created only when a key is served (``xgroup-createconsumer`` event);
* a blocked XREADGROUP is re-run when its key is written: if the key is gone or no longer a stream it
  gets ``-UNBLOCKED the stream key no longer exists``, if the group is gone ``-NOGROUP the consumer
  group this client was blocked on no longer exists``;
* effects written to the AOF, as 7.0.15 writes them: each entry delivered by ``>`` becomes
  ``XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID last``; a NOACK read
  that delivered something writes ``XGROUP CREATECONSUMER`` (when it created the consumer) and
  ``XGROUP SETID key group last ENTRIESREAD n``; history reads are not propagated; XACK and XGROUP
  are propagated as themselves when they changed something.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.blocking import Block, parse_timeout_ms
from miniredis.commands import streams as streams_module
from miniredis.commands.args import eq, parse_int
from miniredis.commands.registry import command, help_reply
from miniredis.commands.stream_args import increment_id, parse_strict_id
from miniredis.commands.streams import XREAD_UNBALANCED, encode_entry, entries_reply, read_stream, write_stream
from miniredis.errors import CommandError
from miniredis.protocol.replies import NULL_ARRAY, OK, Raw
from miniredis.structures.cgroup import Consumer, ConsumerGroup
from miniredis.structures.stream import MAX_ID, Stream, StreamID, format_id

if TYPE_CHECKING:
    from miniredis.keyspace.db import Db
    from miniredis.server.client import Client

XGROUP_NO_KEY = (
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the "
    "MKSTREAM option to create an empty stream automatically."
)
XGROUP_SYNTAX = "ERR unknown subcommand or wrong number of arguments for '{}'. Try XGROUP HELP."
BUSYGROUP = "BUSYGROUP Consumer Group name already exists"
ENTRIESREAD_RANGE = "ERR value for ENTRIESREAD must be positive or -1"
NOGROUP_FOR_KEY = "NOGROUP No such consumer group '{}' for key name '{}'"
NOGROUP_XREADGROUP = "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option"
XREADGROUP_DOLLAR = (
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this "
    "consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return "
    "an empty result set."
)
XREADGROUP_MISSING_GROUP = "ERR Missing GROUP option for XREADGROUP"
BLOCKED_KEY_GONE = "UNBLOCKED the stream key no longer exists"
BLOCKED_GROUP_GONE = "NOGROUP the consumer group this client was blocked on no longer exists"

# --- shared helpers (also used by stream_claims.py) ------------------------------------------------
def find_group(stream: Stream, name: bytes) -> ConsumerGroup | None:
    return stream.groups.get(name)  # type: ignore[return-value]


def groups_in_name_order(stream: Stream) -> list[ConsumerGroup]:
    """Redis keeps a stream's groups in a radix tree: XINFO lists them in byte order of their names,
    not in creation order."""
    return [group for _, group in sorted(stream.groups.items())]  # type: ignore[misc]


def entry_exists(stream: Stream, entry_id: StreamID) -> bool:
    return next(stream.range(entry_id, entry_id, 1), None) is not None


def notify_consumer_created(client: Client, key: bytes) -> None:
    client.server.notify(client.db, "xgroup-createconsumer", key, "t")


def get_or_create_consumer(client: Client, key: bytes, group: ConsumerGroup, name: bytes,
                           now_ms: int) -> tuple[Consumer, bool]:
    """The consumer ``name`` (created with its keyspace event when missing), its seen-time refreshed."""
    consumer = group.consumers.get(name)
    if consumer is not None:
        consumer.seen_time = now_ms
        return consumer, False
    created = group.consumer(name, now_ms)
    assert created is not None
    client.server.dirty += 1
    notify_consumer_created(client, key)
    return created, True


def xclaim_effect(key: bytes, group_name: bytes, raw_id: bytes, consumer: bytes, nack_time: int, count: int,
                  last_id: StreamID) -> list[bytes]:
    """The XCLAIM that Redis writes to the AOF for a PEL change (``streamPropagateXCLAIM``)."""
    return [b"XCLAIM", key, group_name, consumer, b"0", raw_id, b"TIME", b"%d" % nack_time,
            b"RETRYCOUNT", b"%d" % count, b"FORCE", b"JUSTID", b"LASTID", format_id(last_id)]


def setid_effect(key: bytes, group_name: bytes, group: ConsumerGroup) -> list[bytes]:
    """``XGROUP SETID key group last ENTRIESREAD n`` (``streamPropagateGroupID``)."""
    entries_read = -1 if group.entries_read is None else group.entries_read
    return [b"XGROUP", b"SETID", key, group_name, format_id(group.last_id), b"ENTRIESREAD", b"%d" % entries_read]


def add_effect(client: Client, effect: list[bytes]) -> None:
    """Record an effect for the AOF (nothing is kept while no AOF takes effects)."""
    if not client.server.propagating:
        return
    if client.propagate is None:
        client.propagate = []
    client.propagate.append(effect)


def mark_ready(db: Db, key: bytes) -> None:
    """Wake the clients blocked on ``key`` without touching WATCH (Redis's signalKeyAsReady)."""
    if db.blocking and key in db.blocking:
        db.server.ready_keys.add((db, key))


# --- XGROUP ----------------------------------------------------------------------------------------
def _group_options(argv: list[bytes], create: bool) -> tuple[bool, int | None]:
    """CREATE/SETID options from argv[5:]: (MKSTREAM given, ENTRIESREAD value or None)."""
    mkstream = False
    entries_read: int | None = None
    i = 5
    while i < len(argv):
        if create and eq(argv[i], b"mkstream"):
            mkstream = True
            i += 1
        elif eq(argv[i], b"entriesread") and i + 1 < len(argv):
            value = parse_int(argv[i + 1])
            if value < -1:
                raise CommandError(ENTRIESREAD_RANGE)
            entries_read = None if value == -1 else value
            i += 2
        else:
            raise CommandError(XGROUP_SYNTAX.format(errors.text(argv[1])))
    return mkstream, entries_read


def _xgroup_stream(client: Client, key: bytes, may_create: bool) -> Stream | None:
    stream = write_stream(client.db, key)
    if stream is None and not may_create:
        raise CommandError(XGROUP_NO_KEY)
    return stream


def _xgroup_group(stream: Stream, argv: list[bytes]) -> ConsumerGroup:
    group = find_group(stream, argv[3])
    if group is None:
        raise CommandError(NOGROUP_FOR_KEY.format(errors.text(argv[3]), errors.text(argv[2])))
    return group


def _group_id(raw: bytes, stream: Stream | None) -> StreamID:
    if raw == b"$":
        return stream.last_id if stream is not None else (0, 0)
    return parse_strict_id(raw)


@command("xgroup|create")
def xgroup_create(client: Client, argv: list[bytes]) -> object:
    mkstream, entries_read = _group_options(argv, True)
    key = argv[2]
    stream = _xgroup_stream(client, key, mkstream)
    if len(argv) > 8:
        raise CommandError(XGROUP_SYNTAX.format(errors.text(argv[1])))
    last_id = _group_id(argv[4], stream)
    db = client.db
    if stream is None:
        stream = Stream()
        db.add(key, stream)
    elif argv[3] in stream.groups:
        raise CommandError(BUSYGROUP)
    stream.groups[argv[3]] = ConsumerGroup(argv[3], last_id, entries_read)
    client.server.dirty += 1
    client.server.notify(db, "xgroup-create", key, "t")
    return OK


@command("xgroup|setid")
def xgroup_setid(client: Client, argv: list[bytes]) -> object:
    _, entries_read = _group_options(argv, False)
    stream = _xgroup_stream(client, argv[2], False)
    assert stream is not None
    group = _xgroup_group(stream, argv)
    if len(argv) not in (5, 7):
        raise CommandError(XGROUP_SYNTAX.format(errors.text(argv[1])))
    group.last_id = _group_id(argv[4], stream)
    group.entries_read = entries_read
    client.server.dirty += 1
    client.server.notify(client.db, "xgroup-setid", argv[2], "t")
    return OK


@command("xgroup|destroy")
def xgroup_destroy(client: Client, argv: list[bytes]) -> object:
    key = argv[2]
    stream = _xgroup_stream(client, key, False)
    assert stream is not None
    if stream.groups.pop(argv[3], None) is None:
        return 0
    client.server.dirty += 1
    client.server.notify(client.db, "xgroup-destroy", key, "t")
    mark_ready(client.db, key)  # clients blocked in XREADGROUP on this group get NOGROUP
    return 1


@command("xgroup|createconsumer")
def xgroup_createconsumer(client: Client, argv: list[bytes]) -> object:
    key = argv[2]
    stream = _xgroup_stream(client, key, False)
    assert stream is not None
    group = _xgroup_group(stream, argv)
    if argv[4] in group.consumers:
        return 0
    group.consumer(argv[4], client.server.clock.time_ms())
    client.server.dirty += 1
    notify_consumer_created(client, key)
    return 1


@command("xgroup|delconsumer")
def xgroup_delconsumer(client: Client, argv: list[bytes]) -> object:
    key = argv[2]
    stream = _xgroup_stream(client, key, False)
    assert stream is not None
    group = _xgroup_group(stream, argv)
    if argv[4] not in group.consumers:
        return 0
    pending = group.delete_consumer(argv[4])
    client.server.dirty += 1
    client.server.notify(client.db, "xgroup-delconsumer", key, "t")
    return pending


@command("xgroup|help")
def xgroup_help(client: Client, argv: list[bytes]) -> object:
    return help_reply("xgroup", [
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
    ])


# --- XREADGROUP ------------------------------------------------------------------------------------
class _ReadArgs:
    __slots__ = ("count", "timeout", "noack", "group", "consumer", "keys", "raw_ids")

    def __init__(self) -> None:
        self.count = 0
        self.timeout: float | None = None
        self.noack = False
        self.group = b""
        self.consumer = b""
        self.keys: list[bytes] = []
        self.raw_ids: list[bytes] = []


def _parse_xreadgroup(argv: list[bytes]) -> _ReadArgs:
    args = _ReadArgs()
    argc = len(argv)
    streams_at = -1
    have_group = False
    i = 1
    while i < argc:
        more = argc - 1 - i
        opt = argv[i].lower()
        if opt == b"block" and more:
            args.timeout = parse_timeout_ms(argv[i + 1])
            i += 2
        elif opt == b"count" and more:
            args.count = max(parse_int(argv[i + 1]), 0)
            i += 2
        elif opt == b"streams" and more:
            streams_at = i + 1
            break
        elif opt == b"group" and more >= 2:
            args.group, args.consumer = argv[i + 1], argv[i + 2]
            have_group = True
            i += 3
        elif opt == b"noack":
            args.noack = True
            i += 1
        else:
            raise CommandError(errors.SYNTAX)
    if streams_at < 0:
        raise CommandError(errors.SYNTAX)
    if (argc - streams_at) % 2:
        raise CommandError(XREAD_UNBALANCED)
    if not have_group:
        raise CommandError(XREADGROUP_MISSING_GROUP)
    n = (argc - streams_at) // 2
    args.keys = argv[streams_at : streams_at + n]
    args.raw_ids = argv[streams_at + n :]
    return args


def _serve_new(client: Client, key: bytes, stream: Stream, group: ConsumerGroup, args: _ReadArgs,
               now_ms: int, woken: bool = False) -> Raw | None:
    """``>``: deliver entries after the group's last ID (pre-encoded), or None when there is nothing
    to serve.

    A direct read serves the key when its last valid entry is beyond the group's last ID; a woken
    blocked read when the last *generated* ID is, so an entry added and deleted in one transaction
    wakes it with an empty list (as Redis 7.0 does)."""
    if stream.last_id <= group.last_id:
        return None
    # A valid entry beyond the group's last ID exists exactly when this range is not empty.
    found = list(stream.range(increment_id(group.last_id), MAX_ID, args.count))
    if not found and not woken:
        return None
    consumer, created = get_or_create_consumer(client, key, group, args.consumer, now_ms)
    server = client.server
    propagating = server.propagating  # effects are built only when something (the AOF) takes them
    group_name = args.group
    templates: dict[int, bytes] = {}
    parts: list[bytes] = []  # the entries pre-encoded (see streams.encoded_entries)
    for entry_id, node, entry in found:
        group.advance(stream, entry_id)
        formatted = format_id(entry_id)
        parts.append(encode_entry(templates, formatted, node, entry))
        if not args.noack:
            group.deliver(entry_id, consumer, now_ms)
            if propagating:
                nack = group.pel[entry_id]
                add_effect(client, xclaim_effect(key, group_name, formatted, consumer.name,
                                                 nack.delivery_time, nack.delivery_count, group.last_id))
    server.dirty += len(parts)
    if args.noack and parts and propagating:
        if created:
            add_effect(client, [b"XGROUP", b"CREATECONSUMER", key, group_name, consumer.name])
        add_effect(client, setid_effect(key, group_name, group))
    return Raw(b"*%d\r\n" % len(parts) + b"".join(parts))


def _serve_history(client: Client, key: bytes, stream: Stream, group: ConsumerGroup, args: _ReadArgs,
                   after: StreamID, now_ms: int) -> list[object]:
    """An explicit ID: the consumer's own pending entries with greater IDs (deleted ones as [id, nil])."""
    consumer, _ = get_or_create_consumer(client, key, group, args.consumer, now_ms)
    entries: list[object] = []
    for entry_id in consumer.pel.irange(minimum=increment_id(after)):
        if args.count and len(entries) >= args.count:
            break
        found = entries_reply(stream, entry_id, entry_id, 1)
        if found:
            entries.append(found[0])
            nack = consumer.pel[entry_id]
            nack.delivery_time = now_ms
            nack.delivery_count += 1
        else:
            entries.append([format_id(entry_id), NULL_ARRAY])
    return entries


def _reply(client: Client, found: list[tuple[bytes, object]]) -> object:
    if client.resp == 3:
        # A map that keeps repeated keys (STREAMS s s ...), as Redis writes it.
        encode = client.encode
        return Raw(b"%%%d\r\n" % len(found) + b"".join(encode(k) + encode(v) for k, v in found))
    return [[key, entries] for key, entries in found]


@command("xreadgroup")
def xreadgroup(client: Client, argv: list[bytes]) -> object:
    args = _parse_xreadgroup(argv)
    waiter = client.blocked
    if waiter is not None:
        return _rerun_blocked(client, args, getattr(waiter, "ready_key", None))
    targets: list[tuple[bytes, Stream, ConsumerGroup, StreamID | None]] = []
    group_text = errors.text(args.group)
    for key, raw in zip(args.keys, args.raw_ids, strict=True):
        stream = read_stream(client.db, key)
        group = find_group(stream, args.group) if stream is not None else None
        if stream is None or group is None:
            raise CommandError(NOGROUP_XREADGROUP.format(errors.text(key), group_text))
        after: StreamID | None = None  # None: ">"
        if raw == b"$":
            raise CommandError(XREADGROUP_DOLLAR)
        if raw != b">":
            after = parse_strict_id(raw)
            if after == MAX_ID:
                after = None  # Redis stores ">" as the maximum ID: giving that ID reads new entries
        targets.append((key, stream, group, after))
    server = client.server
    dirty_before = server.dirty
    now_ms = server.clock.time_ms()
    found: list[tuple[bytes, object]] = []
    for key, stream, group, after in targets:
        if after is None:
            entries = _serve_new(client, key, stream, group, args, now_ms)
            if entries is not None:
                found.append((key, entries))
        else:
            found.append((key, _serve_history(client, key, stream, group, args, after, now_ms)))
    if server.dirty != dirty_before and client.propagate is None:
        client.propagate = []  # a consumer created by a read is not written to the AOF (as 7.0.15)
    if found:
        return _reply(client, found)
    if args.timeout is None:
        return NULL_ARRAY
    return Block(list(args.keys), args.timeout)


def _rerun_blocked(client: Client, args: _ReadArgs, ready_key: bytes | None) -> object:
    """Re-run after a key this client blocks on became ready: serve it, fail, or keep blocking."""
    keys = [ready_key] if ready_key is not None else list(dict.fromkeys(args.keys))
    db = client.db
    now_ms = client.server.clock.time_ms()
    found: list[tuple[bytes, object]] = []
    server = client.server
    dirty_before = server.dirty
    for key in keys:
        value = db.lookup(key)
        if type(value) is not Stream:
            raise CommandError(BLOCKED_KEY_GONE)
        group = find_group(value, args.group)
        if group is None:
            raise CommandError(BLOCKED_GROUP_GONE)
        entries = _serve_new(client, key, value, group, args, now_ms, woken=True)
        if entries is not None:
            found.append((key, entries))
            break  # Redis serves a blocked client from one ready key
    if server.dirty != dirty_before and client.propagate is None:
        client.propagate = []
    if found:
        return _reply(client, found)
    assert args.timeout is not None
    return Block(list(args.keys), args.timeout)


# --- XACK ------------------------------------------------------------------------------------------
@command("xack")
def xack(client: Client, argv: list[bytes]) -> object:
    stream = read_stream(client.db, argv[1])  # Redis reads the key as a read (keyspace hits/misses)
    if stream is None:
        return 0
    group = find_group(stream, argv[2])
    if group is None:
        return 0
    ids = [parse_strict_id(raw) for raw in argv[3:]]  # all IDs are checked before any is acknowledged
    acked = 0
    for entry_id in ids:
        if group.ack(entry_id):
            acked += 1
    client.server.dirty += acked
    return acked


# --- XINFO GROUPS / CONSUMERS / STREAM FULL --------------------------------------------------------
def _xinfo_stream(client: Client, key: bytes) -> Stream:
    stream = read_stream(client.db, key)
    if stream is None:
        raise CommandError(errors.NO_SUCH_KEY)
    return stream


@command("xinfo|groups")
def xinfo_groups(client: Client, argv: list[bytes]) -> object:
    stream = _xinfo_stream(client, argv[2])
    reply: list[object] = []
    for group in groups_in_name_order(stream):
        reply.append({
            b"name": group.name,
            b"consumers": len(group.consumers),
            b"pending": len(group.pel),
            b"last-delivered-id": format_id(group.last_id),
            b"entries-read": group.entries_read,
            b"lag": group.lag(stream),
        })
    return reply


@command("xinfo|consumers")
def xinfo_consumers(client: Client, argv: list[bytes]) -> object:
    stream = _xinfo_stream(client, argv[2])
    group = find_group(stream, argv[3])
    if group is None:
        raise CommandError(NOGROUP_FOR_KEY.format(errors.text(argv[3]), errors.text(argv[2])))
    now_ms = client.server.clock.time_ms()
    return [
        {b"name": consumer.name, b"pending": len(consumer.pel), b"idle": max(now_ms - consumer.seen_time, 0)}
        for consumer in group.consumers.values()
    ]


def groups_full_info(stream: Stream, count: int) -> list[object]:
    """XINFO STREAM FULL's ``groups``: each group with its PEL and its consumers' PELs (``count``
    entries at most per list, 0 for all), times as absolute Unix milliseconds."""
    reply: list[object] = []
    for group in groups_in_name_order(stream):
        pending: list[object] = []
        for entry_id, nack in group.pel.items():
            if count and len(pending) >= count:
                break
            pending.append([format_id(entry_id), nack.consumer.name, nack.delivery_time, nack.delivery_count])
        consumers: list[object] = []
        for consumer in group.consumers.values():
            own: list[object] = []
            for entry_id, nack in consumer.pel.items():
                if count and len(own) >= count:
                    break
                own.append([format_id(entry_id), nack.delivery_time, nack.delivery_count])
            consumers.append({
                b"name": consumer.name,
                b"seen-time": consumer.seen_time,
                b"pel-count": len(consumer.pel),
                b"pending": own,
            })
        reply.append({
            b"name": group.name,
            b"last-delivered-id": format_id(group.last_id),
            b"entries-read": group.entries_read,
            b"lag": group.lag(stream),
            b"pel-count": len(group.pel),
            b"pending": pending,
            b"consumers": consumers,
        })
    return reply


streams_module.GROUPS_FULL_INFO = groups_full_info
