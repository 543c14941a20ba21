"""Hash commands (Redis 7.0's t_hash.c): HSET ... HRANDFIELD, HSCAN.

A hash is a ``dict[bytes, bytes]``. A Python dict keeps insertion order, and updating a field keeps
its place, which is exactly the order of a Redis listpack-encoded hash: for small hashes HGETALL,
HKEYS, HVALS, HSCAN and a whole-hash HRANDFIELD come back in Redis's own order. (Large hashes are
hashtables in Redis, whose order no client can rely on.) A hash with no fields does not exist: the
last HDEL deletes the key.

Behaviour mirrored from Redis 7.0.15, as observed:

* argument errors come before the key lookup (so before WRONGTYPE), except HSCAN's options, which
  are read after it (a missing key answers an empty scan whatever they are);
* HINCRBYFLOAT adds in ``long double`` and prints with ``%.17Lf``, trailing zeros trimmed (the rule
  INCRBYFLOAT follows; ``LongDouble`` is shared with strings_numeric), and is propagated as the
  HSET of the resulting text so that replay is exact;
* keyspace events ``hset`` (HSET, HSETNX, HMSET), ``hdel``, ``hincrby``, ``hincrbyfloat``, class
  ``h``, and ``del`` (class ``g``) when the last field goes;
* HRANDFIELD: a count at least the hash's size returns the whole hash in order; a negative count
  may repeat fields; WITHVALUES pairs are nested arrays in RESP3 and flat in RESP2.
"""

from __future__ import annotations

import random
from itertools import islice
from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.args import eq, parse_int
from miniredis.commands.registry import command
from miniredis.commands.scan_cursor import is_compact_hash, matches, parse_cursor, parse_scan_options, scan_page
from miniredis.commands.strings_numeric import Infinite, LongDouble
from miniredis.errors import CommandError
from miniredis.keyspace.db import typed_lookups
from miniredis.protocol.replies import OK

if TYPE_CHECKING:
    from miniredis.keyspace.db import Db
    from miniredis.server.client import Client

HASH_NOT_INTEGER = "ERR hash value is not an integer"
HASH_NOT_FLOAT = "ERR hash value is not a float"
NAN_OR_INFINITY_VALUE = "ERR value is NaN or Infinity"
NAN_OR_INFINITY_RESULT = "ERR increment would produce NaN or Infinity"
OUT_OF_RANGE = "ERR value is out of range"
COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"

LLONG_MAX = 2**63 - 1
LLONG_MIN = -(2**63)
LONG_MAX = LLONG_MAX


read_hash, write_hash = typed_lookups(dict)  # WRONGTYPE for another type


def hash_for_update(db: Db, key: bytes) -> dict[bytes, bytes]:
    """The hash at ``key``, created empty (not yet stored) when missing; WRONGTYPE otherwise."""
    value = write_hash(db, key)
    return {} if value is None else value


def store(db: Db, key: bytes, value: dict[bytes, bytes]) -> None:
    """Store a hash that was created by ``hash_for_update`` or signal the in-place change."""
    if key in db.data and db.data[key] is value:
        db.signal_modified(key)
    else:
        db.add(key, value)


def _set_pairs(client: Client, argv: list[bytes], name: str) -> int:
    if len(argv) % 2:
        raise CommandError(errors.wrong_arity(name))
    db = client.db
    key = argv[1]
    value = hash_for_update(db, key)
    before = len(value)
    for index in range(2, len(argv), 2):
        value[argv[index]] = argv[index + 1]
    store(db, key, value)
    server = client.server
    server.dirty += (len(argv) - 2) // 2
    if server.keyspace_events:
        server.notify(db, "hset", key, "h")
    return len(value) - before


@command("hset")
def hset(client: Client, argv: list[bytes]) -> object:
    return _set_pairs(client, argv, "hset")


@command("hmset")
def hmset(client: Client, argv: list[bytes]) -> object:
    _set_pairs(client, argv, "hmset")
    return OK


@command("hsetnx")
def hsetnx(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key, field = argv[1], argv[2]
    value = hash_for_update(db, key)
    if field in value:
        return 0
    value[field] = argv[3]
    store(db, key, value)
    server = client.server
    server.dirty += 1
    server.notify(db, "hset", key, "h")
    return 1


@command("hget")
def hget(client: Client, argv: list[bytes]) -> object:
    value = read_hash(client.db, argv[1])
    return None if value is None else value.get(argv[2])


@command("hmget")
def hmget(client: Client, argv: list[bytes]) -> object:
    value = read_hash(client.db, argv[1])
    if value is None:
        return [None] * (len(argv) - 2)
    return [value.get(field) for field in argv[2:]]


@command("hdel")
def hdel(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    value = write_hash(db, key)
    if value is None:
        return 0
    deleted = 0
    for field in argv[2:]:
        if value.pop(field, None) is not None:
            deleted += 1
            if not value:
                break
    if deleted:
        server = client.server
        server.dirty += deleted
        server.notify(db, "hdel", key, "h")
        if value:
            db.signal_modified(key)
        else:
            db.delete(key)
            server.notify(db, "del", key, "g")
    return deleted


@command("hlen")
def hlen(client: Client, argv: list[bytes]) -> object:
    value = read_hash(client.db, argv[1])
    return 0 if value is None else len(value)


@command("hstrlen")
def hstrlen(client: Client, argv: list[bytes]) -> object:
    value = read_hash(client.db, argv[1])
    if value is None:
        return 0
    item = value.get(argv[2])
    return 0 if item is None else len(item)


@command("hexists")
def hexists(client: Client, argv: list[bytes]) -> object:
    value = read_hash(client.db, argv[1])
    return 1 if value is not None and argv[2] in value else 0


@command("hkeys")
def hkeys(client: Client, argv: list[bytes]) -> object:
    value = read_hash(client.db, argv[1])
    return [] if value is None else list(value)


@command("hvals")
def hvals(client: Client, argv: list[bytes]) -> object:
    value = read_hash(client.db, argv[1])
    return [] if value is None else list(value.values())


@command("hgetall")
def hgetall(client: Client, argv: list[bytes]) -> object:
    value = read_hash(client.db, argv[1])
    # A copy: inside EXEC the reply is encoded after later commands may have changed the hash.
    return {} if value is None else dict(value)


@command("hincrby")
def hincrby(client: Client, argv: list[bytes]) -> object:
    increment = parse_int(argv[3])
    db = client.db
    key, field = argv[1], argv[2]
    value = hash_for_update(db, key)
    current = 0
    raw = value.get(field)
    if raw is not None:
        current = parse_int(raw, HASH_NOT_INTEGER)
    result = current + increment
    if result > LLONG_MAX or result < LLONG_MIN:
        raise CommandError(errors.OVERFLOW)
    value[field] = b"%d" % result
    store(db, key, value)
    server = client.server
    server.dirty += 1
    server.notify(db, "hincrby", key, "h")
    return result


@command("hincrbyfloat")
def hincrbyfloat(client: Client, argv: list[bytes]) -> object:
    try:
        increment = LongDouble.parse(argv[3])
    except ValueError:
        raise CommandError(errors.NOT_FLOAT) from None
    if increment is None:  # an explicit infinity is read, then refused
        raise CommandError(NAN_OR_INFINITY_VALUE)
    db = client.db
    key, field = argv[1], argv[2]
    value = hash_for_update(db, key)
    raw = value.get(field)
    current: LongDouble | None = LongDouble(False, 0, 0)
    if raw is not None:
        try:
            current = LongDouble.parse(raw)
        except ValueError:
            raise CommandError(HASH_NOT_FLOAT) from None
    try:
        if current is None:  # the stored value is an infinity: the sum is not finite
            raise Infinite
        text = current.add(increment).human()
    except Infinite:
        raise CommandError(NAN_OR_INFINITY_RESULT) from None
    value[field] = text
    store(db, key, value)
    server = client.server
    server.dirty += 1
    server.notify(db, "hincrbyfloat", key, "h")
    # The printed text, not the increment, is the effect: replaying the addition could round differently.
    client.propagate = [[b"HSET", key, field, text]]
    return text


@command("hrandfield")
def hrandfield(client: Client, argv: list[bytes]) -> object:
    if len(argv) == 2:
        value = read_hash(client.db, argv[1])
        if value is None:
            return None
        return next(islice(value, random.randrange(len(value)), None))  # no copy of the whole hash
    count = parse_int(argv[2])
    if count < -LONG_MAX:
        raise CommandError(COUNT_RANGE)
    with_values = False
    if len(argv) >= 4:
        if len(argv) > 4 or not eq(argv[3], b"withvalues"):
            raise CommandError(errors.SYNTAX)
        if count < -(LONG_MAX // 2) or count > LONG_MAX // 2:
            raise CommandError(OUT_OF_RANGE)
        with_values = True
    value = read_hash(client.db, argv[1])
    if value is None or count == 0:
        return []
    fields: list[bytes]
    if count < 0:
        keys = list(value)
        fields = [random.choice(keys) for _ in range(-count)]
    elif count >= len(value):
        fields = list(value)
    else:
        fields = random.sample(list(value), count)
    if not with_values:
        return fields
    if client.resp == 3:
        return [[field, value[field]] for field in fields]
    flat: list[bytes] = []
    for field in fields:
        flat.append(field)
        flat.append(value[field])
    return flat


@command("hscan")
def hscan(client: Client, argv: list[bytes]) -> object:
    cursor = parse_cursor(argv[2])
    value = read_hash(client.db, argv[1])
    if value is None:
        return [b"0", []]
    pattern, count = parse_scan_options(argv, 3)
    config = client.server.config
    if is_compact_hash(value, config.hash_max_listpack_entries, config.hash_max_listpack_value):
        next_cursor, fields = 0, list(value)  # a listpack is returned whole, in order
    else:
        next_cursor, fields = scan_page(value, cursor, count)
    reply: list[bytes] = []
    for field in fields:
        if matches(pattern, field):
            reply.append(field)
            reply.append(value[field])
    return [b"%d" % next_cursor, reply]
