"""Stream consumer groups, part 2 (Redis 7.0's t_stream.c): XPENDING, XCLAIM and XAUTOCLAIM — the
commands that inspect and move pending entries. Part 1 (XGROUP, XREADGROUP, XACK, XINFO) is
``stream_groups.py``; the structures are in ``miniredis.structures.cgroup``.

Behaviour mirrored from Redis 7.0.15, as observed on a running server:

* XPENDING takes 3 or 6..9 arguments (else a syntax error); ``IDLE`` is an option only with at least
  8 arguments; the count is read before the range bounds (``(`` exclusive bounds allowed), a negative
  count is 0; then WRONGTYPE, then NOGROUP. The summary form lists consumers with pending entries in
  name order, counts as bulk strings; an empty PEL is ``[0, nil, nil, nil-array]``;
* XCLAIM looks up the key and group first (WRONGTYPE, NOGROUP ``No such key 'k' or consumer group
  'g'``) and then parses: min-idle-time, IDs until the first argument that is not an ID, options
  (an unknown option, or one missing its value, is ``Unrecognized XCLAIM option``). A delivery time in
  the future or negative becomes now; a negative RETRYCOUNT is ignored. A pending entry whose stream
  entry was deleted is dropped from the PEL (even with FORCE); FORCE adds an entry not pending yet
  (delivery count 1, then incremented unless JUSTID). The claiming consumer is created only when an
  entry is actually claimed. LASTID moves the group's last ID forward (entries-read unchanged);
* XAUTOCLAIM parses everything first, then checks the key (WRONGTYPE) and the group. It scans at most
  COUNT x 10 PEL entries from the start ID; deleted entries are dropped, count against COUNT and are
  listed in the third element; the cursor is the next PEL ID after the scan, ``0-0`` at the end.
  COUNT is 1..LONG_MAX/16 (else ``COUNT must be > 0``); Redis then allocates COUNT stream IDs up
  front, which fails beyond the address space: that gives its ``Insufficient memory`` error;
* effects for the AOF are XCLAIM records (``TIME``/``RETRYCOUNT``/``FORCE JUSTID LASTID``) for each
  claimed or dropped entry — the ID argument as the client typed it for XCLAIM, the consumer that
  held a dropped entry — and ``XGROUP SETID`` when only LASTID changed something.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.args import eq, parse_int
from miniredis.commands.registry import command
from miniredis.commands.stream_args import U64_MAX, increment_id, parse_range_bound, parse_strict_id
from miniredis.commands.stream_groups import (
    add_effect,
    entry_exists,
    find_group,
    get_or_create_consumer,
    setid_effect,
    xclaim_effect,
)
from miniredis.commands.streams import entries_reply, read_stream
from miniredis.errors import CommandError
from miniredis.protocol.replies import NULL_ARRAY
from miniredis.structures.cgroup import Consumer, ConsumerGroup
from miniredis.structures.stream import MAX_ID, MIN_ID, Stream, StreamID, format_id

if TYPE_CHECKING:
    from miniredis.server.client import Client

NOGROUP_KEY_OR_GROUP = "NOGROUP No such key '{}' or consumer group '{}'"
XCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XCLAIM"
XCLAIM_IDLE = "ERR Invalid IDLE option argument for XCLAIM"
XCLAIM_TIME = "ERR Invalid TIME option argument for XCLAIM"
XCLAIM_RETRYCOUNT = "ERR Invalid RETRYCOUNT option argument for XCLAIM"
XCLAIM_UNKNOWN_OPTION = "ERR Unrecognized XCLAIM option '{}'"
XAUTOCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XAUTOCLAIM"
XAUTOCLAIM_COUNT = "ERR COUNT must be > 0"
XAUTOCLAIM_NO_MEMORY = "ERR Insufficient memory, failed allocating transient memory, COUNT too high."

LONG_MAX = 2**63 - 1
AUTOCLAIM_ATTEMPTS_FACTOR = 10  # PEL entries examined per requested entry
# Redis allocates COUNT 16-byte IDs for the deleted-IDs list before scanning; near the 47-bit user
# address space of x86-64 that allocation fails (observed on 7.0.15: 8796093022207 = 2**43 - 1 fails,
# 5 * 10**12 does not; the exact threshold depends on the machine).
AUTOCLAIM_ALLOC_LIMIT = 1 << 47


def _nogroup(key: bytes, group: bytes) -> CommandError:
    return CommandError(NOGROUP_KEY_OR_GROUP.format(errors.text(key), errors.text(group)))


def _lookup_group(stream: Stream | None, argv: list[bytes]) -> ConsumerGroup:
    group = find_group(stream, argv[2]) if stream is not None else None
    if group is None:
        raise _nogroup(argv[1], argv[2])
    return group


# --- XPENDING --------------------------------------------------------------------------------------
@command("xpending")
def xpending(client: Client, argv: list[bytes]) -> object:
    argc = len(argv)
    if argc != 3 and not 6 <= argc <= 9:
        raise CommandError(errors.SYNTAX)
    min_idle = 0
    start, end = MIN_ID, MAX_ID
    count = 0
    consumer_name: bytes | None = None
    if argc >= 6:
        at = 3
        if eq(argv[3], b"idle"):
            min_idle = parse_int(argv[4])
            if argc < 8:
                raise CommandError(errors.SYNTAX)
            at = 5
        count = max(parse_int(argv[at + 2]), 0)
        start = parse_range_bound(argv[at], 0, True)
        end = parse_range_bound(argv[at + 1], U64_MAX, False)
        if at + 3 < argc:
            consumer_name = argv[at + 3]
    stream = read_stream(client.db, argv[1])
    group = _lookup_group(stream, argv)
    if argc == 3:
        return _pending_summary(group)
    pel = group.pel
    if consumer_name is not None:
        consumer: Consumer | None = group.consumers.get(consumer_name)
        if consumer is None:
            return []
        pel = consumer.pel
    now_ms = client.server.clock.time_ms()
    reply: list[object] = []
    if start > end:
        return reply
    for entry_id in pel.irange(start, end):
        if len(reply) >= count:
            break
        nack = pel[entry_id]
        idle = max(now_ms - nack.delivery_time, 0)
        if min_idle and idle < min_idle:
            continue
        reply.append([format_id(entry_id), nack.consumer.name, idle, nack.delivery_count])
    return reply


def _pending_summary(group: ConsumerGroup) -> object:
    if not group.pel:
        return [0, None, None, NULL_ARRAY]
    owners = [[consumer.name, b"%d" % len(consumer.pel)] for consumer in group.consumers.values() if consumer.pel]
    return [len(group.pel), format_id(group.pel.first_key()), format_id(group.pel.last_key()), owners]


# --- XCLAIM ----------------------------------------------------------------------------------------
def _try_id(raw: bytes) -> StreamID | None:
    try:
        return parse_strict_id(raw)
    except CommandError:
        return None


@command("xclaim")
def xclaim(client: Client, argv: list[bytes]) -> object:
    key = argv[1]
    stream = read_stream(client.db, key)
    group = _lookup_group(stream, argv)
    assert stream is not None
    server = client.server
    now_ms = server.clock.time_ms()
    min_idle = max(parse_int(argv[4], XCLAIM_MIN_IDLE), 0)
    argc = len(argv)
    ids: list[tuple[StreamID, bytes]] = []
    j = 5
    while j < argc:
        parsed = _try_id(argv[j])
        if parsed is None:
            break
        ids.append((parsed, argv[j]))
        j += 1
    delivery_time: int | None = None
    retry_count = -1
    force = justid = False
    last_id: StreamID | None = None
    while j < argc:
        opt = argv[j].lower()
        more = argc - 1 - j
        if opt == b"force":
            force = True
        elif opt == b"justid":
            justid = True
        elif opt == b"idle" and more:
            j += 1
            delivery_time = now_ms - parse_int(argv[j], XCLAIM_IDLE)
        elif opt == b"time" and more:
            j += 1
            delivery_time = parse_int(argv[j], XCLAIM_TIME)
        elif opt == b"retrycount" and more:
            j += 1
            retry_count = parse_int(argv[j], XCLAIM_RETRYCOUNT)
        elif opt == b"lastid" and more:
            j += 1
            last_id = parse_strict_id(argv[j])
        else:
            raise CommandError(XCLAIM_UNKNOWN_OPTION.format(errors.text(argv[j])))
        j += 1
    if delivery_time is None or delivery_time < 0 or delivery_time > now_ms:
        delivery_time = now_ms  # Redis clamps a delivery time in the future (or negative) to now
    dirty_before = server.dirty
    propagate_last_id = False
    if last_id is not None and last_id > group.last_id:
        group.last_id = last_id
        propagate_last_id = True
    group_name = argv[2]
    consumer: Consumer | None = None
    reply: list[object] = []
    for entry_id, raw in ids:
        nack = group.pel.get(entry_id)
        if not entry_exists(stream, entry_id):
            if nack is not None:
                # The entry was deleted from the stream: its pending record goes too.
                add_effect(client, xclaim_effect(key, group_name, raw, nack.consumer.name, nack.delivery_time,
                                                 nack.delivery_count, group.last_id))
                group.ack(entry_id)
                server.dirty += 1
                propagate_last_id = False
            continue
        if nack is None:
            if not force:
                continue
            base_count = 1  # a record FORCE creates starts as delivered once
        else:
            if min_idle and now_ms - nack.delivery_time < min_idle:
                continue
            base_count = nack.delivery_count
        if consumer is None:
            consumer, _ = get_or_create_consumer(client, key, group, argv[3], now_ms)
        if retry_count >= 0:
            new_count = retry_count
        else:
            new_count = base_count if justid else base_count + 1
        group.claim(entry_id, consumer, delivery_time, new_count, force_create=True)
        if justid:
            reply.append(format_id(entry_id))
        else:
            reply.extend(entries_reply(stream, entry_id, entry_id, 1))
        add_effect(client, xclaim_effect(key, group_name, raw, consumer.name, delivery_time, new_count,
                                         group.last_id))
        server.dirty += 1
        propagate_last_id = False
    if propagate_last_id:
        add_effect(client, setid_effect(key, group_name, group))
        server.dirty += 1
    if server.dirty != dirty_before and client.propagate is None:
        client.propagate = []
    return reply


# --- XAUTOCLAIM ------------------------------------------------------------------------------------
@command("xautoclaim")
def xautoclaim(client: Client, argv: list[bytes]) -> object:
    key = argv[1]
    min_idle = max(parse_int(argv[4], XAUTOCLAIM_MIN_IDLE), 0)
    start = parse_range_bound(argv[5], 0, True)
    count = 100
    justid = False
    argc = len(argv)
    j = 6
    while j < argc:
        more = argc - 1 - j
        if eq(argv[j], b"count") and more:
            count = parse_int(argv[j + 1], XAUTOCLAIM_COUNT)
            if not 1 <= count <= LONG_MAX // max(16, AUTOCLAIM_ATTEMPTS_FACTOR):
                raise CommandError(XAUTOCLAIM_COUNT)
            j += 2
        elif eq(argv[j], b"justid"):
            justid = True
            j += 1
        else:
            raise CommandError(errors.SYNTAX)
    stream = read_stream(client.db, key)
    group = _lookup_group(stream, argv)
    assert stream is not None
    if (count + 1) * 16 >= AUTOCLAIM_ALLOC_LIMIT:
        raise CommandError(XAUTOCLAIM_NO_MEMORY)
    server = client.server
    now_ms = server.clock.time_ms()
    group_name = argv[2]
    attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR
    consumer: Consumer | None = None
    claimed: list[object] = []
    deleted: list[object] = []
    position: StreamID | None = start
    pel = group.pel
    # Bounded by ``attempts``: each pass examines one PEL entry.
    while attempts and count and position is not None:
        entry_id = next(iter(pel.irange(minimum=position)), None)
        if entry_id is None:
            position = None
            break
        attempts -= 1
        position = increment_id(entry_id) if entry_id != MAX_ID else None
        nack = pel[entry_id]
        if not entry_exists(stream, entry_id):
            add_effect(client, xclaim_effect(key, group_name, format_id(entry_id), nack.consumer.name,
                                             nack.delivery_time, nack.delivery_count, group.last_id))
            group.ack(entry_id)
            server.dirty += 1
            deleted.append(format_id(entry_id))
            count -= 1  # deleted IDs are part of the reply, so they count
            continue
        if min_idle and now_ms - nack.delivery_time < min_idle:
            continue
        if consumer is None:
            consumer, _ = get_or_create_consumer(client, key, group, argv[3], now_ms)
        new_count = nack.delivery_count if justid else nack.delivery_count + 1
        group.claim(entry_id, consumer, now_ms, new_count)
        if justid:
            claimed.append(format_id(entry_id))
        else:
            claimed.extend(entries_reply(stream, entry_id, entry_id, 1))
        count -= 1
        add_effect(client, xclaim_effect(key, group_name, format_id(entry_id), consumer.name, now_ms, new_count,
                                         group.last_id))
        server.dirty += 1
    cursor: StreamID = MIN_ID
    if position is not None:
        following = next(iter(pel.irange(minimum=position)), None)
        if following is not None:
            cursor = following
    return [format_id(cursor), claimed, deleted]
