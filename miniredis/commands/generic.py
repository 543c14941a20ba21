"""Keyspace (generic) commands, Redis 7.0's db.c, expire.c and object.c: DEL, UNLINK, EXISTS, TYPE,
KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, TOUCH, OBJECT, the EXPIRE family, TTL family
and PERSIST.

Behaviour pinned against Redis 7.0.15:

- Lookups that must not change a key's access time (TYPE, EXISTS, TTL, OBJECT) use ``Db.peek_read``;
  they still expire the key lazily and count keyspace hits/misses, as LOOKUP_NOTOUCH does. KEYS
  hides expired keys without deleting them; SCAN deletes the expired keys it meets.
- EXPIRE-family options are parsed before the time (``Unsupported option``, then the NX/GT/LT
  conflicts), then the time's range is checked (seconds must fit in ms, the sum with now in 64
  bits), then the key is looked up. GT treats "no TTL" as infinite, LT as infinitely far too (so LT
  always applies to a persistent key). A time already past deletes the key: ``DEL`` is propagated
  and a ``del`` event sent. Otherwise the effect is propagated as ``PEXPIREAT key <ms>`` followed by
  the original options.
- RENAME onto itself answers OK (RENAMENX 0) without a write; a rename moves the TTL and the access
  time with the value and sends rename_from/rename_to, never ``del`` for an overwritten target.
- COPY and MOVE parse their db argument as a C int (``value is out of range, value must between``)
  and check the range (``DB index is out of range``) immediately, before the remaining options.
- SCAN's cursor is Redis's strtoul reading (``-1``, ``+5`` and the empty string are accepted); the
  cursor itself is the position in the db's hash order (see ``Db.scan``), so it is stable across
  inserts, deletes and resizes. The TYPE filter compares case-insensitively and an unknown type
  name just matches nothing (7.0 has no error for it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.args import parse_int
from miniredis.commands.registry import command
from miniredis.errors import CommandError
from miniredis.glob import glob_match
from miniredis.keyspace import expiry  # importing it registers the active expire cycle
from miniredis.keyspace.db import LfuAccess
from miniredis.keyspace.encodings import SHARED_REFCOUNT, encoding_of, is_shared
from miniredis.keyspace.objects import type_name
from miniredis.protocol.replies import OK, Simple

if TYPE_CHECKING:
    from miniredis.keyspace.db import Db
    from miniredis.server.client import Client

LLONG_MAX = 2**63 - 1
LLONG_MIN = -(2**63)
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
ULLONG_MAX = 2**64 - 1

SAME_OBJECT = "ERR source and destination objects are the same"
INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647"
INVALID_CURSOR = "ERR invalid cursor"
NX_CONFLICT = "ERR NX and XX, GT or LT options at the same time are not compatible"
GT_LT_CONFLICT = "ERR GT and LT options at the same time are not compatible"
LFU_NOT_SELECTED = (
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching "
    "between policies at runtime LRU and LFU data will take some time to adjust."
)
LFU_SELECTED = (
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between "
    "policies at runtime LRU and LFU data will take some time to adjust."
)
OBJECT_HELP = (
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
)
SCAN_DEFAULT_COUNT = 10


# --- helpers ------------------------------------------------------------------------------------------
def parse_int32(raw: bytes) -> int:
    """getIntFromObjectOrReply: a 64-bit integer, then the C int range with its own message."""
    value = parse_int(raw)
    if not INT_MIN <= value <= INT_MAX:
        raise CommandError(INT_RANGE)
    return value


def target_db(client: Client, raw: bytes) -> Db:
    """The db named by ``raw`` for COPY and MOVE (int parse, then selectDb's range check)."""
    index = parse_int32(raw)
    dbs = client.server.dbs
    if not 0 <= index < len(dbs):
        raise CommandError(errors.DB_INDEX)
    return dbs[index]


def parse_cursor(raw: bytes) -> int:
    """parseScanCursorOrReply: strtoul in base 10, refusing a leading space, trailing text and overflow."""
    nul = raw.find(b"\0")
    if nul >= 0:  # C sees the string end at a NUL byte
        raw = raw[:nul]
    if raw[:1].isspace():
        raise CommandError(INVALID_CURSOR)
    if not raw:
        return 0
    digits = raw[1:] if raw[:1] in (b"+", b"-") else raw
    if not digits.isdigit():
        raise CommandError(INVALID_CURSOR)
    value = int(digits)
    if value > ULLONG_MAX:
        raise CommandError(INVALID_CURSOR)
    return (-value) & ULLONG_MAX if raw[:1] == b"-" else value


def copy_value(value: object) -> object:
    """A deep copy of a keyspace value: strings are immutable; every other type copies itself."""
    if type(value) is bytes:
        return value
    duplicate = getattr(value, "copy", None)
    if duplicate is None:
        import copy

        return copy.deepcopy(value)
    return duplicate()


def move_access(src: Db, src_key: bytes, dst: Db, dst_key: bytes) -> None:
    """Carry the access time with a moved value (the object, and its LRU field, move in Redis)."""
    last = src.access.get(src_key)
    if last is not None:
        dict.__setitem__(dst.access, dst_key, last)


# --- DEL, UNLINK, EXISTS, TYPE, TOUCH -------------------------------------------------------------------
@command("unlink")  # UNLINK is DEL here: values are freed by Python either way
@command("del")
def delete_keys(client: Client, argv: list[bytes]) -> int:
    db = client.db
    server = client.server
    removed = 0
    for key in argv[1:]:
        if db.peek(key) is not None and db.delete(key):
            if server.keyspace_events:
                server.notify(db, "del", key, "g")
            server.dirty += 1
            removed += 1
    return removed


@command("exists")
def exists(client: Client, argv: list[bytes]) -> object:
    db = client.db
    return sum(1 for key in argv[1:] if db.peek_read(key) is not None)


@command("type")
def type_(client: Client, argv: list[bytes]) -> object:
    value = client.db.peek_read(argv[1])
    return Simple("none" if value is None else type_name(value).decode())


@command("touch")
def touch(client: Client, argv: list[bytes]) -> object:
    db = client.db
    return sum(1 for key in argv[1:] if db.lookup_read(key) is not None)


# --- KEYS, SCAN, RANDOMKEY --------------------------------------------------------------------------------
@command("keys")
def keys(client: Client, argv: list[bytes]) -> object:
    db = client.db
    pattern = argv[1]
    every = pattern == b"*"
    expires = db.expires
    now = client.server.clock.time_ms()
    found: list[bytes] = []
    for key in db.data:
        if (every or glob_match(pattern, key)) and not (expires and key in expires and expires[key] <= now):
            found.append(key)
    return found


@command("scan")
def scan(client: Client, argv: list[bytes]) -> object:
    cursor = parse_cursor(argv[1])
    count = SCAN_DEFAULT_COUNT
    pattern: bytes | None = None
    wanted_type: bytes | None = None
    index = 2
    while index < len(argv):
        option = argv[index].lower()
        if index + 1 >= len(argv):
            raise CommandError(errors.SYNTAX)
        if option == b"count":
            count = parse_int(argv[index + 1])
            if count < 1:
                raise CommandError(errors.SYNTAX)
        elif option == b"match":
            pattern = None if argv[index + 1] == b"*" else argv[index + 1]
        elif option == b"type":
            wanted_type = argv[index + 1].lower()
        else:
            raise CommandError(errors.SYNTAX)
        index += 2
    db = client.db
    next_cursor, candidates = db.scan(cursor, count)
    found: list[bytes] = []
    expires = db.expires
    for key in candidates:
        if pattern is not None and not glob_match(pattern, key):
            continue
        if wanted_type is not None:
            value = db.peek_read(key)  # 7.0 looks the key up for its type: counted, may expire it
            if value is None or type_name(value) != wanted_type:
                continue
        if key in expires and db.peek(key) is None:  # expireIfNeeded: an expired key is deleted, not shown
            continue
        found.append(key)
    return [b"%d" % next_cursor, found]


@command("randomkey")
def randomkey(client: Client, argv: list[bytes]) -> object:
    return client.db.random_key()


# --- RENAME, RENAMENX, COPY, MOVE -------------------------------------------------------------------------
def rename(client: Client, argv: list[bytes], nx: bool) -> object:
    db = client.db
    src, dst = argv[1], argv[2]
    value = db.lookup(src)
    if value is None:
        raise CommandError(errors.NO_SUCH_KEY)
    if src == dst:
        return 0 if nx else OK
    when = db.expires.get(src)
    if db.lookup(dst) is not None:
        if nx:
            return 0
        db.delete(dst)
    db.add(dst, value)
    move_access(db, src, db, dst)
    if when is not None:
        db.set_expire(dst, when)
    db.delete(src)
    server = client.server
    server.notify(db, "rename_from", src, "g")
    server.notify(db, "rename_to", dst, "g")
    server.dirty += 1
    return 1 if nx else OK


@command("rename")
def rename_(client: Client, argv: list[bytes]) -> object:
    return rename(client, argv, nx=False)


@command("renamenx")
def renamenx(client: Client, argv: list[bytes]) -> object:
    return rename(client, argv, nx=True)


@command("copy")
def copy(client: Client, argv: list[bytes]) -> object:
    src_db = client.db
    dst_db = src_db
    replace = False
    index = 3
    while index < len(argv):
        option = argv[index].lower()
        if option == b"replace":
            replace = True
        elif option == b"db" and index + 1 < len(argv):
            dst_db = target_db(client, argv[index + 1])
            index += 1
        else:
            raise CommandError(errors.SYNTAX)
        index += 1
    src, dst = argv[1], argv[2]
    if src_db is dst_db and src == dst:
        raise CommandError(SAME_OBJECT)
    value = src_db.lookup_read(src)
    if value is None:
        return 0
    when = src_db.expires.get(src)
    if dst_db.lookup(dst) is not None:
        if not replace:
            return 0
        dst_db.delete(dst)
    dst_db.add(dst, copy_value(value))
    if when is not None:
        dst_db.set_expire(dst, when)
    server = client.server
    server.notify(dst_db, "copy_to", dst, "g")
    server.dirty += 1
    return 1


@command("move")
def move(client: Client, argv: list[bytes]) -> object:
    src_db = client.db
    dst_db = target_db(client, argv[2])
    if src_db is dst_db:
        raise CommandError(SAME_OBJECT)
    key = argv[1]
    value = src_db.lookup(key)
    if value is None:
        return 0
    when = src_db.expires.get(key)
    if dst_db.lookup(key) is not None:
        return 0
    dst_db.add(key, value)
    move_access(src_db, key, dst_db, key)
    if when is not None:
        dst_db.set_expire(key, when)
    src_db.delete(key)
    server = client.server
    server.notify(src_db, "move_from", key, "g")
    server.notify(dst_db, "move_to", key, "g")
    server.dirty += 1
    return 1


# --- OBJECT -------------------------------------------------------------------------------------------------
# OBJECT's lookups count a miss but send no "keymiss" notification (notify=False), as Redis 7.0.
@command("object|encoding")
def object_encoding(client: Client, argv: list[bytes]) -> object:
    value = client.db.peek_read(argv[2], notify=False)
    if value is None:
        return None
    return encoding_of(value, client.server.config)


@command("object|refcount")
def object_refcount(client: Client, argv: list[bytes]) -> object:
    value = client.db.peek_read(argv[2], notify=False)
    if value is None:
        return None
    return SHARED_REFCOUNT if is_shared(value, client.server.config) else 1


@command("object|idletime")
def object_idletime(client: Client, argv: list[bytes]) -> object:
    db = client.db
    if db.peek_read(argv[2], notify=False) is None:
        return None
    if "lfu" in client.server.config.maxmemory_policy:
        raise CommandError(LFU_SELECTED)
    return db.idle_ms(argv[2]) // 1000


@command("object|freq")
def object_freq(client: Client, argv: list[bytes]) -> object:
    db = client.db
    if db.peek_read(argv[2], notify=False) is None:
        return None
    if "lfu" not in client.server.config.maxmemory_policy:
        raise CommandError(LFU_NOT_SELECTED)
    if not isinstance(db.access, LfuAccess):  # the policy changed since the last cron tick
        expiry.refresh_clocks(client.server)
    access = db.access
    assert isinstance(access, LfuAccess)
    return access.counter(argv[2], client.server.clock.time_ms())


@command("object|help")
def object_help(client: Client, argv: list[bytes]) -> object:
    return [Simple(line) for line in OBJECT_HELP]


# --- EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, PERSIST ------------------------------------------------------------
def expire(client: Client, argv: list[bytes], unit_seconds: bool, relative: bool) -> object:
    nx = xx = gt = lt = False
    for raw in argv[3:]:
        option = raw.lower()
        if option == b"nx":
            nx = True
        elif option == b"xx":
            xx = True
        elif option == b"gt":
            gt = True
        elif option == b"lt":
            lt = True
        else:
            raise CommandError(f"ERR Unsupported option {errors.text(raw)}")
    if nx and (xx or gt or lt):
        raise CommandError(NX_CONFLICT)
    if gt and lt:
        raise CommandError(GT_LT_CONFLICT)
    when = parse_int(argv[2])
    invalid = errors.INVALID_EXPIRE.format(client.last_command)
    if unit_seconds:
        # C's LLONG_MAX / 1000 and LLONG_MIN / 1000 truncate toward zero.
        if when > LLONG_MAX // 1000 or when < -(-LLONG_MIN // 1000):
            raise CommandError(invalid)
        when *= 1000
    server = client.server
    now = server.clock.time_ms()
    if relative:
        if when > LLONG_MAX - now:
            raise CommandError(invalid)
        when += now
    db = client.db
    key = argv[1]
    if db.lookup(key) is None:
        return 0
    current = db.expires.get(key)
    if nx and current is not None:
        return 0
    if xx and current is None:
        return 0
    if gt and (current is None or when <= current):
        return 0
    if lt and current is not None and when >= current:
        return 0
    server.dirty += 1
    if when <= now:
        db.delete(key)
        # Redis 7.0 rewrites the command as UNLINK when lazyfree-lazy-expire is on, DEL otherwise.
        lazy = getattr(server.config, "lazyfree_lazy_expire", False)
        client.propagate = [[b"UNLINK" if lazy else b"DEL", key]]
        server.notify(db, "del", key, "g")
        return 1
    db.set_expire(key, when)
    db.signal_modified(key)
    server.notify(db, "expire", key, "g")
    if relative or unit_seconds:  # PEXPIREAT itself is propagated as it came
        client.propagate = [[b"PEXPIREAT", key, b"%d" % when, *argv[3:]]]
    return 1


@command("expire")
def expire_(client: Client, argv: list[bytes]) -> object:
    return expire(client, argv, unit_seconds=True, relative=True)


@command("pexpire")
def pexpire(client: Client, argv: list[bytes]) -> object:
    return expire(client, argv, unit_seconds=False, relative=True)


@command("expireat")
def expireat(client: Client, argv: list[bytes]) -> object:
    return expire(client, argv, unit_seconds=True, relative=False)


@command("pexpireat")
def pexpireat(client: Client, argv: list[bytes]) -> object:
    return expire(client, argv, unit_seconds=False, relative=False)


@command("persist")
def persist(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    if db.lookup(key) is None or not db.persist(key):
        return 0
    db.signal_modified(key)
    client.server.notify(db, "persist", key, "g")
    client.server.dirty += 1
    return 1


# --- TTL, PTTL, EXPIRETIME, PEXPIRETIME -----------------------------------------------------------------------
def ttl(client: Client, key: bytes, in_ms: bool, absolute: bool) -> int:
    db = client.db
    if db.peek_read(key) is None:
        return -2
    when = db.expires.get(key)
    if when is None:
        return -1
    if not absolute:
        when = max(0, when - client.server.clock.time_ms())
    return when if in_ms else (when + 500) // 1000


@command("ttl")
def ttl_(client: Client, argv: list[bytes]) -> object:
    return ttl(client, argv[1], in_ms=False, absolute=False)


@command("pttl")
def pttl(client: Client, argv: list[bytes]) -> object:
    return ttl(client, argv[1], in_ms=True, absolute=False)


@command("expiretime")
def expiretime(client: Client, argv: list[bytes]) -> object:
    return ttl(client, argv[1], in_ms=False, absolute=True)


@command("pexpiretime")
def pexpiretime(client: Client, argv: list[bytes]) -> object:
    return ttl(client, argv[1], in_ms=True, absolute=True)
