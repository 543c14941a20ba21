"""Set commands (Redis 7.0's t_set.c): SADD ... SINTERCARD, the algebra and its STORE forms, SSCAN.

A set is a ``set[bytes]``; a set with no members does not exist (the last SREM, SPOP or SMOVE out
deletes the key). Reply order: Redis 7.0 keeps a small set of integers as an intset, which it
walks in numeric order, and every other set as a hashtable, whose order no client can rely on.
``ordered`` reproduces the first case exactly (up to ``set-max-intset-entries`` integer members)
and returns any order otherwise. That covers SMEMBERS, SSCAN, the algebra (whose result is built
as an intset while it can be) and the whole-set answers of SPOP and SRANDMEMBER.

Behaviour mirrored from Redis 7.0.15, as observed:

* argument errors come before the key lookup, except SPOP's ``count 0`` (after WRONGTYPE);
* the algebra type-checks every key, even after a missing one;
* SPOP is propagated as its effect: ``SREM key member`` per popped member, or ``DEL key`` when the
  count takes the whole set (Redis wraps several effects of one command in MULTI/EXEC);
* keyspace events, class ``s``: ``sadd``, ``srem``, ``spop``, SMOVE as ``srem`` on the source and
  ``sadd`` on the destination, ``sinterstore``/``sunionstore``/``sdiffstore``; ``del`` (class ``g``)
  when a set is emptied or a STORE with an empty result removes its destination.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.args import eq, parse_int
from miniredis.commands.registry import command
from miniredis.commands.scan_cursor import is_compact_set, matches, parse_cursor, parse_scan_options, scan_page
from miniredis.errors import CommandError
from miniredis.keyspace.db import typed_lookups
from miniredis.protocol.replies import SetReply

if TYPE_CHECKING:
    from miniredis.server.app import Server
    from miniredis.server.client import Client

SPOP_COUNT = "ERR value is out of range, must be positive"
COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
NUMKEYS = "ERR numkeys should be greater than 0"
NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args"
LIMIT_NEGATIVE = "ERR LIMIT can't be negative"

LONG_MAX = 2**63 - 1


def ordered(server: Server, members: Iterable[bytes]) -> list[bytes]:
    """Members in the order Redis 7.0 replies with: numeric for what would be an intset."""
    listed = list(members)
    if is_compact_set(listed, server.config.set_max_intset_entries):
        listed.sort(key=int)
    return listed


read_set, write_set = typed_lookups(set)  # WRONGTYPE for another type


def random_member(members: set[bytes]) -> bytes:
    """A uniformly random member (sets have no O(1) random access; islice walks at C speed)."""
    return next(islice(members, random.randrange(len(members)), None))


def _remove_members(client: Client, key: bytes, members: set[bytes], removed: Iterable[bytes]) -> None:
    """Take ``removed`` out of the set at ``key`` after the caller's event; delete the key when emptied."""
    members.difference_update(removed)
    db = client.db
    if members:
        db.signal_modified(key)
    else:
        db.delete(key)
        client.server.notify(db, "del", key, "g")


@command("sadd")
def sadd(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    members = write_set(db, key)
    created = members is None
    if members is None:
        members = set()
    before = len(members)
    members.update(argv[2:])
    added = len(members) - before
    if added:
        if created:
            db.add(key, members)
        else:
            db.signal_modified(key)
        server = client.server
        server.dirty += added
        if server.keyspace_events:
            server.notify(db, "sadd", key, "s")
    return added


@command("srem")
def srem(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    members = write_set(db, key)
    if members is None:
        return 0
    removed = [member for member in dict.fromkeys(argv[2:]) if member in members]
    if removed:
        server = client.server
        server.dirty += len(removed)
        server.notify(db, "srem", key, "s")
        _remove_members(client, key, members, removed)
    return len(removed)


@command("smembers")
def smembers(client: Client, argv: list[bytes]) -> object:
    members = read_set(client.db, argv[1])
    return SetReply() if members is None else SetReply(ordered(client.server, members))


@command("sismember")
def sismember(client: Client, argv: list[bytes]) -> object:
    members = read_set(client.db, argv[1])
    return 1 if members is not None and argv[2] in members else 0


@command("smismember")
def smismember(client: Client, argv: list[bytes]) -> object:
    members = read_set(client.db, argv[1])
    if members is None:
        return [0] * (len(argv) - 2)
    return [1 if member in members else 0 for member in argv[2:]]


@command("scard")
def scard(client: Client, argv: list[bytes]) -> object:
    members = read_set(client.db, argv[1])
    return 0 if members is None else len(members)


@command("spop")
def spop(client: Client, argv: list[bytes]) -> object:
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    db = client.db
    key = argv[1]
    server = client.server
    if len(argv) == 2:
        members = write_set(db, key)
        if members is None:
            return None
        member = random_member(members)
        server.dirty += 1
        server.notify(db, "spop", key, "s")
        client.propagate = [[b"SREM", key, member]]
        _remove_members(client, key, members, (member,))
        return member
    count = parse_int(argv[2], SPOP_COUNT)
    if count < 0:
        raise CommandError(SPOP_COUNT)
    members = write_set(db, key)
    if members is None or count == 0:
        return SetReply()
    if count >= len(members):  # the whole set: the effect is deleting the key
        reply = ordered(server, members)
        server.dirty += 1
        server.notify(db, "spop", key, "s")
        client.propagate = [[b"DEL", key]]
        _remove_members(client, key, members, reply)
        return SetReply(reply)
    popped = random.sample(list(members), count)
    server.dirty += count
    server.notify(db, "spop", key, "s")
    client.propagate = [[b"SREM", key, member] for member in popped]
    _remove_members(client, key, members, popped)
    return SetReply(popped)


@command("srandmember")
def srandmember(client: Client, argv: list[bytes]) -> object:
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    if len(argv) == 2:
        members = read_set(client.db, argv[1])
        return None if members is None else random_member(members)
    count = parse_int(argv[2])
    if count < -LONG_MAX:
        raise CommandError(COUNT_RANGE)
    members = read_set(client.db, argv[1])
    if members is None or count == 0:
        return []
    if count < 0:
        return random.choices(list(members), k=-count)
    if count >= len(members):
        return ordered(client.server, members)
    return random.sample(list(members), count)


@command("smove")
def smove(client: Client, argv: list[bytes]) -> object:
    db = client.db
    source_key, destination_key, member = argv[1], argv[2], argv[3]
    source = db.lookup(source_key)
    destination = db.lookup(destination_key)
    if source is None:  # nothing to move: the destination's type is not even checked
        return 0
    if type(source) is not set or (destination is not None and type(destination) is not set):
        raise CommandError(errors.WRONGTYPE)
    if source is destination:
        return 1 if member in source else 0
    if member not in source:
        return 0
    server = client.server
    server.notify(db, "srem", source_key, "s")
    _remove_members(client, source_key, source, (member,))
    server.dirty += 1
    if destination is None:
        destination = set()
        db.add(destination_key, destination)
    if member not in destination:
        destination.add(member)
        db.signal_modified(destination_key)
        server.dirty += 1
        server.notify(db, "sadd", destination_key, "s")
    return 1


# --- the algebra ----------------------------------------------------------------------------------


def _sources(client: Client, keys: list[bytes], for_store: bool) -> list[set[bytes] | None]:
    """Every key's set (None when missing), type-checked in order: one WRONGTYPE fails the command."""
    db = client.db
    # Redis 7.0.15 reads the sources of the STORE forms as reads too: INFO keyspace_misses and
    # "keymiss" events count them (checked against real Redis by the pub/sub helper).
    return [read_set(db, key) for key in keys]


def _intersection(sources: list[set[bytes] | None], limit: int = 0) -> set[bytes]:
    if any(source is None for source in sources):
        return set()
    present = sorted((source for source in sources if source is not None), key=len)
    smallest, others = present[0], present[1:]
    if not limit:
        return smallest.intersection(*others)
    result: set[bytes] = set()
    for member in smallest:
        if all(member in other for other in others):
            result.add(member)
            if len(result) >= limit:
                break
    return result


def _union(sources: list[set[bytes] | None]) -> set[bytes]:
    result: set[bytes] = set()
    for source in sources:
        if source is not None:
            result.update(source)
    return result


def _difference(sources: list[set[bytes] | None]) -> set[bytes]:
    first = sources[0]
    if first is None:
        return set()
    return first.difference(*(source for source in sources[1:] if source is not None))


def _store(client: Client, destination: bytes, result: set[bytes], event: str) -> int:
    """Write a STORE result: the new set replaces the destination (and its TTL); empty deletes it."""
    db = client.db
    server = client.server
    if not result:
        if db.delete(destination):
            server.dirty += 1
            server.notify(db, "del", destination, "g")
        return 0
    db.set(destination, result)
    server.dirty += 1
    server.notify(db, event, destination, "s")
    return len(result)


@command("sinter")
def sinter(client: Client, argv: list[bytes]) -> object:
    result = _intersection(_sources(client, argv[1:], for_store=False))
    return SetReply(ordered(client.server, result))


@command("sinterstore")
def sinterstore(client: Client, argv: list[bytes]) -> object:
    result = _intersection(_sources(client, argv[2:], for_store=True))
    return _store(client, argv[1], result, "sinterstore")


@command("sunion")
def sunion(client: Client, argv: list[bytes]) -> object:
    result = _union(_sources(client, argv[1:], for_store=False))
    return SetReply(ordered(client.server, result))


@command("sunionstore")
def sunionstore(client: Client, argv: list[bytes]) -> object:
    result = _union(_sources(client, argv[2:], for_store=True))
    return _store(client, argv[1], result, "sunionstore")


@command("sdiff")
def sdiff(client: Client, argv: list[bytes]) -> object:
    result = _difference(_sources(client, argv[1:], for_store=False))
    return SetReply(ordered(client.server, result))


@command("sdiffstore")
def sdiffstore(client: Client, argv: list[bytes]) -> object:
    result = _difference(_sources(client, argv[2:], for_store=True))
    return _store(client, argv[1], result, "sdiffstore")


@command("sintercard")
def sintercard(client: Client, argv: list[bytes]) -> object:
    try:
        numkeys = parse_int(argv[1])
    except CommandError:
        raise CommandError(NUMKEYS) from None
    if numkeys < 1:
        raise CommandError(NUMKEYS)
    if numkeys > len(argv) - 2:
        raise CommandError(NUMKEYS_TOO_MANY)
    limit = 0
    index = 2 + numkeys
    while index < len(argv):
        if eq(argv[index], b"limit") and index + 1 < len(argv):
            try:
                limit = parse_int(argv[index + 1])
            except CommandError:
                raise CommandError(LIMIT_NEGATIVE) from None
            if limit < 0:
                raise CommandError(LIMIT_NEGATIVE)
            index += 2
        else:
            raise CommandError(errors.SYNTAX)
    sources = _sources(client, argv[2 : 2 + numkeys], for_store=False)
    return len(_intersection(sources, limit))


@command("sscan")
def sscan(client: Client, argv: list[bytes]) -> object:
    cursor = parse_cursor(argv[2])
    members = read_set(client.db, argv[1])
    if members is None:
        return [b"0", []]
    pattern, count = parse_scan_options(argv, 3)
    if is_compact_set(members, client.server.config.set_max_intset_entries):
        next_cursor, page = 0, sorted(members, key=int)  # an intset is returned whole, in order
    else:
        next_cursor, page = scan_page(members, cursor, count)
    return [b"%d" % next_cursor, [member for member in page if matches(pattern, member)]]
