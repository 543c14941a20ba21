"""List commands and the blocking list pops (Redis 7.0's t_list.c and the list side of blocked.c).

LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET, LREM, LTRIM, LINSERT, LPOS,
LMOVE, RPOPLPUSH, LMPOP and the blocking BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP, as Redis 7.0.15
answers them. A list is a ``QuickList`` (``miniredis.structures.quicklist``: a reversed head, packed
middle nodes and a tail); a list emptied by a command is deleted. The single-element LPUSH, RPUSH,
LPOP and RPOP work on the head / tail Python lists directly and call into the QuickList only when
an end must be packed (``SPILL`` elements) or is empty: they are the hot paths.

Arguments are parsed in Redis's order, so the first failure is the reply: LRANGE/LTRIM/LREM parse
their numbers before looking at the key, LINDEX/LSET look at the key first; the blocking pops
parse their timeout before any key is read (BLMPOP parses numkeys, direction and COUNT first).
Option words are compared as C strings, so ``LEFT\\0x`` is LEFT.

Blocking (see ``miniredis.blocking``): a blocking pop that finds nothing returns ``Block``; when
a key it waits on is written, the handler is re-run with ``client.blocked`` set and serves only
from that ready key (Redis serves in the order keys became ready). On a re-run a key holding
another type is "not ready yet" (Redis 7.0 leaves such a client blocked), while BLMOVE's
destination of the wrong type is the WRONGTYPE reply, the element staying in the source. Inside
MULTI/EXEC nothing blocks: BLPOP/BRPOP/BLMPOP reply a null array, BLMOVE/BRPOPLPUSH a null bulk,
although their timeout reply is a null array (``*-1``) like every blocking list command.

Effects propagated (the AOF feed): BLPOP/BRPOP become ``LPOP key``/``RPOP key``; LMPOP and BLMPOP
``LPOP|RPOP key n`` with the number popped; BRPOPLPUSH ``RPOPLPUSH``; BLMOVE ``LMOVE`` (with the
client's own direction words when served at once, lower-case ones when served after blocking, as
Redis writes them). Keyspace events (class ``l``): lpush, rpush, lpop, rpop, linsert, lset, lrem,
ltrim, and ``del`` (class ``g``) when a list is emptied; LMOVE fires the destination's push event
before the source's pop event.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.blocking import Block, Waiter, parse_timeout_seconds
from miniredis.commands.args import parse_int
from miniredis.commands.mpop import cannot_block, first_of, parse_mpop, serve_or_block
from miniredis.commands.registry import Handler, command
from miniredis.commands.strings import c_option
from miniredis.errors import CommandError
from miniredis.keyspace.db import typed_lookups
from miniredis.protocol.parser import string2ll
from miniredis.protocol.replies import EMPTY_ARRAY, NULL_ARRAY, OK
from miniredis.structures.quicklist import SPILL, QuickList

if TYPE_CHECKING:
    from miniredis.keyspace.db import Db
    from miniredis.server.client import Client

POP_COUNT_NOT_POSITIVE = "ERR value is out of range, must be positive"
RANK_ZERO = (
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
    "or use negative to start from the end of the list"
)
COUNT_NEGATIVE = "ERR COUNT can't be negative"
MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative"

LLONG_MIN = -(1 << 63)
HEAD, TAIL = True, False  # where an element is popped or pushed: LEFT is the head


def _non_negative(raw: bytes, error: str) -> int:
    """getPositiveLongFromObjectOrReply: the one message for a non-integer and a negative value."""
    value = string2ll(raw)
    if value is None or value < 0:
        raise CommandError(error)
    return value


def _direction(raw: bytes) -> bool:
    """LEFT or RIGHT (any case, compared as a C string: cut at a NUL byte), else a syntax error."""
    word = c_option(raw)
    if word == b"left":
        return HEAD
    if word == b"right":
        return TAIL
    raise CommandError(errors.SYNTAX)


_list_read, _list_write = typed_lookups(QuickList)  # WRONGTYPE for another type


def _popped(client: Client, db: Db, key: bytes, items: QuickList, head: bool, count: int) -> None:
    """The side effects of popping ``count`` elements: events, deletion of an emptied list, dirty."""
    server = client.server
    events = server.keyspace_events
    if events:
        server.notify(db, "lpop" if head else "rpop", key, "l")
    if items.head or items.tail or items.packed:  # not empty (inline: no __bool__ call)
        if db.watched or db.blocking:
            db.signal_modified(key)
    else:
        db.delete(key)
        if events:
            server.notify(db, "del", key, "g")
    server.dirty += count


def _pop_many(items: QuickList, head: bool, count: int) -> list[bytes]:
    return items.pop_left_many(count) if head else items.pop_right_many(count)


# --- push ------------------------------------------------------------------------------------------
def _pusher(name: str, head: bool, only_existing: bool) -> Handler:
    """The handler of LPUSH, RPUSH, LPUSHX or RPUSHX: one function per command (a closure, not a
    shared helper taking flags) because LPUSH/RPUSH of one element are hot paths: the element is
    appended to the head (stored reversed) or tail list in C, with one length check for packing."""
    event = "lpush" if head else "rpush"

    def push(client: Client, argv: list[bytes]) -> object:
        db = client.db
        key = argv[1]
        items = db.lookup(key)
        if type(items) is QuickList:
            if db.watched or db.blocking:
                db.signal_modified(key)
        elif items is None:
            if only_existing:
                return 0
            items = QuickList()
            db.add(key, items)
        else:
            raise CommandError(errors.WRONGTYPE)
        part = items.head if head else items.tail
        if len(argv) == 3:
            part.append(argv[2])
        else:
            part.extend(islice(argv, 2, None))  # into the reversed head: the last argument ends up first
        if len(part) >= SPILL:
            if head:  # packs in place: ``part`` stays the end
                items.spill_head()
            else:
                items.spill_tail()
        server = client.server
        server.dirty += len(argv) - 2
        if server.keyspace_events:
            server.notify(db, event, key, "l")  # LPUSHX/RPUSHX fire lpush/rpush, as in Redis
        return len(items.head) + items.packed + len(items.tail)

    return command(name)(push)


lpush = _pusher("lpush", HEAD, False)
rpush = _pusher("rpush", TAIL, False)
lpushx = _pusher("lpushx", HEAD, True)
rpushx = _pusher("rpushx", TAIL, True)


# --- pop -------------------------------------------------------------------------------------------
def _pop(client: Client, argv: list[bytes], head: bool) -> object:
    """LPOP/RPOP with a COUNT argument (or too many arguments)."""
    db = client.db
    key = argv[1]
    if len(argv) > 3:
        raise CommandError(errors.wrong_arity("lpop" if head else "rpop"))
    count = _non_negative(argv[2], POP_COUNT_NOT_POSITIVE)
    items = _list_write(db, key)
    if items is None:
        return NULL_ARRAY
    if count == 0:
        return EMPTY_ARRAY
    popped = _pop_many(items, head, count)
    _popped(client, db, key, items, head, len(popped))
    return popped


def _popper(name: str, head: bool) -> Handler:
    """The handler of LPOP or RPOP. One element (the common case) is popped here from the head or
    tail list, with ``_popped``'s side effects inlined; a COUNT goes to ``_pop``."""

    def pop(client: Client, argv: list[bytes]) -> object:
        if len(argv) != 2:
            return _pop(client, argv, head)
        db = client.db
        key = argv[1]
        items = db.lookup(key)
        if type(items) is not QuickList:
            if items is None:
                return None
            raise CommandError(errors.WRONGTYPE)
        if head:
            value = (items.head or items.refill_head()).pop()  # a stored list is never empty
        else:
            value = (items.tail or items.refill_tail()).pop()
        server = client.server
        events = server.keyspace_events
        if events:
            server.notify(db, name, key, "l")
        if items.head or items.packed or items.tail:
            if db.watched or db.blocking:
                db.signal_modified(key)
        else:
            db.delete(key)
            if events:
                server.notify(db, "del", key, "g")
        server.dirty += 1
        return value

    return command(name)(pop)


lpop = _popper("lpop", HEAD)
rpop = _popper("rpop", TAIL)


# --- reads -----------------------------------------------------------------------------------------
@command("llen")
def llen(client: Client, argv: list[bytes]) -> object:
    items = _list_read(client.db, argv[1])
    return 0 if items is None else len(items.head) + items.packed + len(items.tail)


def _clamp_range(start: int, end: int, length: int) -> tuple[int, int] | None:
    """LRANGE/LTRIM indexes (negative from the end) as a non-empty [start, end] range, or None."""
    if start < 0:
        start = max(length + start, 0)
    if end < 0:
        end += length
    if start > end or start >= length:
        return None
    return start, min(end, length - 1)


@command("lrange")
def lrange(client: Client, argv: list[bytes]) -> object:
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    items = _list_read(client.db, argv[1])
    if items is None:
        return EMPTY_ARRAY
    bounds = _clamp_range(start, end, len(items))
    if bounds is None:
        return EMPTY_ARRAY
    return items.range(bounds[0], bounds[1] + 1)


@command("lindex")
def lindex(client: Client, argv: list[bytes]) -> object:
    items = _list_read(client.db, argv[1])
    if items is None:
        return None
    index = parse_int(argv[2])
    if index < 0:
        index += len(items)
    if 0 <= index < len(items):
        return items[index]
    return None


@command("lpos")
def lpos(client: Client, argv: list[bytes]) -> object:
    rank = 1
    count: int | None = None
    maxlen = 0
    index = 3
    while index < len(argv):
        option = c_option(argv[index])
        if index + 1 >= len(argv):
            raise CommandError(errors.SYNTAX)
        if option == b"rank":
            rank = parse_int(argv[index + 1])
            if rank == 0:
                raise CommandError(RANK_ZERO)
        elif option == b"count":
            count = _non_negative(argv[index + 1], COUNT_NEGATIVE)
        elif option == b"maxlen":
            maxlen = _non_negative(argv[index + 1], MAXLEN_NEGATIVE)
        else:
            raise CommandError(errors.SYNTAX)
        index += 2
    items = _list_read(client.db, argv[1])
    if items is None:
        return EMPTY_ARRAY if count is not None else None
    wanted = count or 0
    if rank == LLONG_MIN:
        # Redis negates the rank in C, which leaves LLONG_MIN negative: every match from the
        # tail is taken and the COUNT limit never triggers.
        rank, wanted = -1, 0
    element = argv[2]
    length = len(items)
    from_tail = rank < 0
    skip = -rank - 1 if from_tail else rank - 1
    found: list[int] = []
    walk = reversed(items) if from_tail else iter(items)
    limit = maxlen or length
    for position, item in enumerate(islice(walk, limit)):
        if item == element:
            if skip:
                skip -= 1
                continue
            found.append(length - 1 - position if from_tail else position)
            if count is None or len(found) == wanted:
                break
    if count is None:
        return found[0] if found else None
    return found


# --- in-place writes -------------------------------------------------------------------------------
@command("lset")
def lset(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    items = _list_write(db, key)
    if items is None:
        raise CommandError(errors.NO_SUCH_KEY)
    index = parse_int(argv[2])
    if index < 0:
        index += len(items)
    if not 0 <= index < len(items):
        raise CommandError(errors.OUT_OF_RANGE)
    items[index] = argv[3]
    db.signal_modified(key)
    server = client.server
    server.dirty += 1
    server.notify(db, "lset", key, "l")
    return OK


@command("linsert")
def linsert(client: Client, argv: list[bytes]) -> object:
    where = c_option(argv[2])
    if where not in (b"before", b"after"):
        raise CommandError(errors.SYNTAX)
    db = client.db
    key = argv[1]
    items = _list_write(db, key)
    if items is None:
        return 0
    index = items.index(argv[3])
    if index < 0:
        return -1
    items.insert(index if where == b"before" else index + 1, argv[4])
    db.signal_modified(key)
    server = client.server
    server.dirty += 1
    server.notify(db, "linsert", key, "l")
    return len(items)


def _emptied_or_modified(client: Client, db: Db, key: bytes, items: QuickList) -> None:
    if items:
        db.signal_modified(key)
    else:
        db.delete(key)
        client.server.notify(db, "del", key, "g")


@command("lrem")
def lrem(client: Client, argv: list[bytes]) -> object:
    count = parse_int(argv[2])
    db = client.db
    key = argv[1]
    items = _list_write(db, key)
    if items is None:
        return 0
    removed = items.remove(argv[3], count)
    if removed:
        server = client.server
        server.dirty += removed
        server.notify(db, "lrem", key, "l")
        _emptied_or_modified(client, db, key, items)
    return removed


@command("ltrim")
def ltrim(client: Client, argv: list[bytes]) -> object:
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    db = client.db
    key = argv[1]
    items = _list_write(db, key)
    if items is None:
        return OK
    length = len(items)
    bounds = _clamp_range(start, end, length)
    if bounds is None:
        removed = length
        items.clear()
    else:
        start, end = bounds
        removed = length - (end - start + 1)
        if removed:
            items.trim(start, end + 1)
    server = client.server
    # Redis sends the event and touches the key (WATCH) even when nothing was trimmed; only a
    # removal counts as a change to propagate.
    server.notify(db, "ltrim", key, "l")
    server.dirty += removed
    _emptied_or_modified(client, db, key, items)
    return OK


# --- moves -----------------------------------------------------------------------------------------
def _move(client: Client, source: bytes, items: QuickList, destination: bytes, head: bool, to_head: bool) -> bytes:
    """lmoveGenericCommand once the source is known to be a non-empty list: WRONGTYPE for the
    destination before anything changes, then push, events (push before pop), and cleanup."""
    db = client.db
    target = _list_write(db, destination)
    if head:
        value = (items.head or items.refill_head()).pop()  # a stored list is never empty
    else:
        value = (items.tail or items.refill_tail()).pop()
    if target is None:
        target = QuickList()
        db.add(destination, target)
    else:
        db.signal_modified(destination)
    if to_head:
        part = target.head
        part.append(value)
        if len(part) >= SPILL:
            target.spill_head()
    else:
        part = target.tail
        part.append(value)
        if len(part) >= SPILL:
            target.spill_tail()
    server = client.server
    if server.keyspace_events:
        server.notify(db, "lpush" if to_head else "rpush", destination, "l")
    _popped(client, db, source, items, head, 1)
    return value


@command("lmove")
def lmove(client: Client, argv: list[bytes]) -> object:
    head = _direction(argv[3])
    to_head = _direction(argv[4])
    items = _list_write(client.db, argv[1])
    if items is None:
        return None
    return _move(client, argv[1], items, argv[2], head, to_head)


@command("rpoplpush")
def rpoplpush(client: Client, argv: list[bytes]) -> object:
    items = _list_write(client.db, argv[1])
    if items is None:
        return None
    return _move(client, argv[1], items, argv[2], TAIL, HEAD)


def _blocking_move(client: Client, argv: list[bytes], head: bool, to_head: bool, timeout_raw: bytes) -> object:
    """BLMOVE and BRPOPLPUSH once their directions are parsed."""
    timeout = parse_timeout_seconds(timeout_raw)
    db = client.db
    source, destination = argv[1], argv[2]
    rpoplpush_form = len(argv) == 4
    if isinstance(client.blocked, Waiter):
        items = db.lookup(source)
        if type(items) is not QuickList or not items:
            return Block([source], timeout)  # still nothing (or not a list): keep waiting
        value = _move(client, source, items, destination, head, to_head)
        client.propagate = [
            [b"RPOPLPUSH", source, destination] if rpoplpush_form
            else [b"LMOVE", source, destination, b"left" if head else b"right", b"left" if to_head else b"right"]
        ]
        return value
    items = _list_write(db, source)
    if items is None:
        if cannot_block(client):
            return None
        return Block([source], timeout)
    value = _move(client, source, items, destination, head, to_head)
    client.propagate = [[b"RPOPLPUSH", source, destination] if rpoplpush_form else [b"LMOVE", *argv[1:5]]]
    return value


@command("blmove")
def blmove(client: Client, argv: list[bytes]) -> object:
    head = _direction(argv[3])
    to_head = _direction(argv[4])
    return _blocking_move(client, argv, head, to_head, argv[5])


@command("brpoplpush")
def brpoplpush(client: Client, argv: list[bytes]) -> object:
    return _blocking_move(client, argv, TAIL, HEAD, argv[3])


# --- LMPOP and the blocking pops -----------------------------------------------------------------
def _mpop_serve(client: Client, key: bytes, items: QuickList, head: bool, count: int) -> list[object]:
    popped = _pop_many(items, head, count)
    _popped(client, client.db, key, items, head, len(popped))
    client.propagate = [[b"LPOP" if head else b"RPOP", key, b"%d" % len(popped)]]
    return [key, popped]


@command("lmpop")
def lmpop(client: Client, argv: list[bytes]) -> object:
    keys, head, count = parse_mpop(argv, 1, _direction, c_option)
    found = first_of(client.db, keys, _list_write)
    if found is None:
        return NULL_ARRAY
    return _mpop_serve(client, found[0], found[1], head, count)


@command("blmpop")
def blmpop(client: Client, argv: list[bytes]) -> object:
    keys, head, count = parse_mpop(argv, 2, _direction, c_option)
    timeout = parse_timeout_seconds(argv[1])
    return serve_or_block(
        client, keys, timeout, QuickList, _list_write,
        lambda key, items: _mpop_serve(client, key, items, head, count),
    )


def _blocking_pop(client: Client, argv: list[bytes], head: bool) -> object:
    timeout = parse_timeout_seconds(argv[-1])

    def serve(key: bytes, items: QuickList) -> list[object]:
        value = items.pop_left() if head else items.pop_right()
        _popped(client, client.db, key, items, head, 1)
        client.propagate = [[b"LPOP" if head else b"RPOP", key]]
        return [key, value]

    return serve_or_block(client, argv[1:-1], timeout, QuickList, _list_write, serve)


@command("blpop")
def blpop(client: Client, argv: list[bytes]) -> object:
    return _blocking_pop(client, argv, HEAD)


@command("brpop")
def brpop(client: Client, argv: list[bytes]) -> object:
    return _blocking_pop(client, argv, TAIL)
