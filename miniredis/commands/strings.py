"""String commands (Redis 7.0's t_string.c): GET and SET with every option.

SET's options are parsed in Redis's order and with its compatibility rules
(``parseExtendedStringArgumentsOrReply``): NX/XX exclusive, one expiry form, KEEPTTL against any
expiry, GET with either; then the expiry value is checked, then GET's type check, then NX/XX.
A relative expiry is propagated as an absolute ``PXAT`` so that replay is deterministic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.args import parse_int
from miniredis.errors import CommandError
from miniredis.commands.registry import command
from miniredis.protocol.replies import OK

if TYPE_CHECKING:
    from miniredis.server.client import Client

LLONG_MAX = 2**63 - 1

_NX, _XX, _GET, _KEEPTTL, _EX, _PX, _EXAT, _PXAT = 1, 2, 4, 8, 16, 32, 64, 128
_EXPIRY_FLAGS = _EX | _PX | _EXAT | _PXAT


@command("get")
def get(client: Client, argv: list[bytes]) -> object:
    value = client.db.lookup_read(argv[1])
    if value is None or type(value) is bytes:
        return value
    raise CommandError(errors.WRONGTYPE)


def expire_at_ms(client: Client, raw: bytes, unit_seconds: bool, relative: bool) -> int:
    """An expiry argument as an absolute time in ms, with Redis's checks (getExpireMillisecondsOrReply)."""
    value = parse_int(raw)
    if value <= 0 or (unit_seconds and value > LLONG_MAX // 1000):
        raise CommandError(errors.INVALID_EXPIRE.format(client.last_command))
    if unit_seconds:
        value *= 1000
    if relative:
        value += client.server.clock.time_ms()
    if value > LLONG_MAX:
        raise CommandError(errors.INVALID_EXPIRE.format(client.last_command))
    return value


@command("set")
def set_(client: Client, argv: list[bytes]) -> object:
    if len(argv) == 3:  # the common case: no options
        db = client.db
        key = argv[1]
        db.data[key] = argv[2]
        if key in db.expires:
            del db.expires[key]
        if db.watched or db.blocking:
            db.signal_modified(key)
        client.server.dirty += 1
        client.server.notify(db, "set", key, "$")
        return OK
    flags = 0
    expire_raw = b""
    index = 3
    count = len(argv)
    while index < count:
        option = argv[index].lower()
        has_next = index + 1 < count
        if option == b"nx" and not flags & _XX:
            flags |= _NX
        elif option == b"xx" and not flags & _NX:
            flags |= _XX
        elif option == b"get":
            flags |= _GET
        elif option == b"keepttl" and not flags & _EXPIRY_FLAGS:
            flags |= _KEEPTTL
        elif option == b"ex" and not flags & (_KEEPTTL | _EXAT | _PX | _PXAT) and has_next:
            flags |= _EX
            expire_raw = argv[index + 1]
            index += 1
        elif option == b"px" and not flags & (_KEEPTTL | _EX | _EXAT | _PXAT) and has_next:
            flags |= _PX
            expire_raw = argv[index + 1]
            index += 1
        elif option == b"exat" and not flags & (_KEEPTTL | _EX | _PX | _PXAT) and has_next:
            flags |= _EXAT
            expire_raw = argv[index + 1]
            index += 1
        elif option == b"pxat" and not flags & (_KEEPTTL | _EX | _EXAT | _PX) and has_next:
            flags |= _PXAT
            expire_raw = argv[index + 1]
            index += 1
        else:
            raise CommandError(errors.SYNTAX)
        index += 1
    when_ms = 0
    if flags & _EXPIRY_FLAGS:
        when_ms = expire_at_ms(client, expire_raw, bool(flags & (_EX | _EXAT)), bool(flags & (_EX | _PX)))
    db = client.db
    key = argv[1]
    old = None
    if flags & _GET:
        old = db.lookup_read(key)
        if old is not None and type(old) is not bytes:
            raise CommandError(errors.WRONGTYPE)
    found = db.lookup(key) is not None
    if (flags & _NX and found) or (flags & _XX and not found):
        return old if flags & _GET else None
    db.set(key, argv[2], keep_ttl=bool(flags & _KEEPTTL))
    server = client.server
    server.dirty += 1
    server.notify(db, "set", key, "$")
    if when_ms:
        db.set_expire(key, when_ms)
        server.notify(db, "expire", key, "g")
        # Propagate the absolute time so that replaying the effect gives the same expiry.
        effect = [b"SET", key, argv[2], b"PXAT", b"%d" % when_ms]
        if flags & _GET:
            effect.append(b"GET")
        client.propagate = [effect]
    return old if flags & _GET else OK
