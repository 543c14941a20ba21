"""String commands (Redis 7.0's t_string.c), except the counters (see ``strings_numeric``).

GET, SET, SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX, MGET, MSET, MSETNX, APPEND, STRLEN,
GETRANGE, SUBSTR, SETRANGE and LCS, as Redis 7.0.15 answers them. Strings are ``bytes`` values.

SET and GETEX options are parsed in Redis's order and with its compatibility rules
(``parseExtendedStringArgumentsOrReply``): NX/XX exclusive, one expiry form (the same form may be
repeated, the last value wins), KEEPTTL and PERSIST against any expiry, GET with either of NX/XX.
Options are compared as C strings, so an option is cut at its first NUL byte (``nx\\0junk`` is NX).
SET checks the expiry value, then GET's type, then NX/XX; GETEX looks the key up (a missing key is
a null reply whatever the expiry says) before it checks the expiry value.

Effects propagated (what Redis 7.0 feeds its AOF and replicas): SET/SETEX/PSETEX with an expiry
become ``SET key value PXAT <ms>``; GETSET becomes ``SET``; GETDEL becomes ``DEL``; GETEX becomes
``PEXPIREAT``, ``PERSIST`` or, for a time already past, ``DEL``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.args import parse_int
from miniredis.commands.registry import command
from miniredis.errors import CommandError
from miniredis.keyspace.db import typed_lookups
from miniredis.protocol.replies import OK, ONE, ZERO

if TYPE_CHECKING:
    from miniredis.server.client import Client

LLONG_MAX = 2**63 - 1

STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
OFFSET_OUT_OF_RANGE = "ERR offset is out of range"
LCS_NOT_STRINGS = "ERR The specified keys must contain string values"
LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX."
LCS_TOO_BIG = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"

_NX, _XX, _GET, _KEEPTTL, _EX, _PX, _EXAT, _PXAT, _PERSIST = 1, 2, 4, 8, 16, 32, 64, 128, 256
_EXPIRY_FLAGS = _EX | _PX | _EXAT | _PXAT
# Flags that exclude each expiry form (the form itself may repeat).
_EXPIRY_CONFLICTS = {
    b"ex": (_EX, _KEEPTTL | _PERSIST | _PX | _EXAT | _PXAT),
    b"px": (_PX, _KEEPTTL | _PERSIST | _EX | _EXAT | _PXAT),
    b"exat": (_EXAT, _KEEPTTL | _PERSIST | _EX | _PX | _PXAT),
    b"pxat": (_PXAT, _KEEPTTL | _PERSIST | _EX | _PX | _EXAT),
}


def c_option(raw: bytes) -> bytes:
    """An option word as Redis compares it (strcasecmp on a C string): lower case, cut at a NUL byte."""
    option = raw.lower()
    nul = option.find(b"\0")
    return option if nul < 0 else option[:nul]


lookup_string, lookup_string_write = typed_lookups(bytes)  # WRONGTYPE for another type


def check_string_length(client: Client, total: int) -> None:
    """checkStringLength: a string may not grow past ``proto-max-bulk-len``."""
    if total > client.server.config.proto_max_bulk_len:
        raise CommandError(STRING_TOO_LONG)


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
    if value > LLONG_MAX:  # the C addition would overflow
        raise CommandError(errors.INVALID_EXPIRE.format(client.last_command))
    return value


def parse_extended(argv: list[bytes], for_set: bool) -> tuple[int, bytes]:
    """SET's or GETEX's options from argv[3:] / argv[2:]: ``(flags, expiry argument)``, or ERR syntax."""
    flags = 0
    expire_raw = b""
    index = 3 if for_set else 2
    count = len(argv)
    while index < count:
        option = c_option(argv[index])
        conflict = _EXPIRY_CONFLICTS.get(option)
        if conflict is not None:
            if flags & conflict[1] or index + 1 >= count:
                raise CommandError(errors.SYNTAX)
            flags |= conflict[0]
            expire_raw = argv[index + 1]
            index += 2
            continue
        if for_set and option == b"nx" and not flags & _XX:
            flags |= _NX
        elif for_set and option == b"xx" and not flags & _NX:
            flags |= _XX
        elif for_set and option == b"get":
            flags |= _GET
        elif for_set and option == b"keepttl" and not flags & _EXPIRY_FLAGS:
            flags |= _KEEPTTL
        elif not for_set and option == b"persist" and not flags & _EXPIRY_FLAGS:
            flags |= _PERSIST
        else:
            raise CommandError(errors.SYNTAX)
        index += 1
    return flags, expire_raw


def set_generic(client: Client, key: bytes, value: bytes, flags: int, expire_raw: bytes) -> object:
    """setGenericCommand: the shared body of SET, SETNX, SETEX and PSETEX.

    Returns the old value under GET, None when NX/XX stopped the write, else True.
    """
    when_ms = 0
    if flags & _EXPIRY_FLAGS:
        when_ms = expire_at_ms(client, expire_raw, bool(flags & (_EX | _EXAT)), bool(flags & (_EX | _PX)))
    db = client.db
    old = None
    if flags & _GET:
        old = lookup_string(db, key)
    if flags & (_NX | _XX):
        found = db.lookup(key) is not None
        if (flags & _NX and found) or (flags & _XX and not found):
            return old if flags & _GET else None
    db.set(key, value, keep_ttl=bool(flags & _KEEPTTL))
    server = client.server
    server.dirty += 1
    server.notify(db, "set", key, "$")
    if when_ms:
        db.set_expire(key, when_ms)
        # Redis 7.0 propagates any expiring SET as SET key value PXAT <ms> (other options dropped),
        # so that replaying it gives the same expiry.
        client.propagate = [[b"SET", key, value, b"PXAT", b"%d" % when_ms]]
        server.notify(db, "expire", key, "g")
    return old if flags & _GET else True


@command("set")
def set_(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    # The common case: no options, no TTL to clear and no keyspace events. A volatile key (maybe
    # expired: "expired" then "new") or enabled events ("new") go through Db.set. (pub/sub helper)
    if len(argv) == 3 and key not in db.expires and not client.server.keyspace_events:
        db.data[key] = argv[2]
        db.access[key] = db.lru_ms  # OBJECT IDLETIME: a write touches the key
        if db.watched or db.blocking:
            db.signal_modified(key)
        client.server.dirty += 1
        return OK
    flags, expire_raw = parse_extended(argv, for_set=True)
    result = set_generic(client, argv[1], argv[2], flags, expire_raw)
    if flags & _GET:
        return result
    return OK if result is True else None


@command("setnx")
def setnx(client: Client, argv: list[bytes]) -> object:
    return ONE if set_generic(client, argv[1], argv[2], _NX, b"") is True else ZERO


@command("setex")
def setex(client: Client, argv: list[bytes]) -> object:
    set_generic(client, argv[1], argv[3], _EX, argv[2])
    return OK


@command("psetex")
def psetex(client: Client, argv: list[bytes]) -> object:
    set_generic(client, argv[1], argv[3], _PX, argv[2])
    return OK


@command("getset")
def getset(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    old = lookup_string(db, key)
    db.set(key, argv[2])
    server = client.server
    server.dirty += 1
    server.notify(db, "set", key, "$")
    client.propagate = [[b"SET", key, argv[2]]]
    return old


@command("getdel")
def getdel(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    value = lookup_string(db, key)
    if value is None:
        return None
    db.delete(key)
    server = client.server
    user_del_lazy = getattr(server.config, "lazyfree_lazy_user_del", False)
    client.propagate = [[b"UNLINK" if user_del_lazy else b"DEL", key]]
    server.notify(db, "del", key, "g")
    server.dirty += 1
    return value


@command("getex")
def getex(client: Client, argv: list[bytes]) -> object:
    flags, expire_raw = parse_extended(argv, for_set=False)
    db = client.db
    key = argv[1]
    value = lookup_string(db, key)
    if value is None:
        return None
    server = client.server
    if flags & _EXPIRY_FLAGS:
        when_ms = expire_at_ms(client, expire_raw, bool(flags & (_EX | _EXAT)), bool(flags & (_EX | _PX)))
        if when_ms <= server.clock.time_ms():
            # A time already past deletes the key, as EXPIRE does (checkAlreadyExpired).
            db.delete(key)
            lazy = getattr(server.config, "lazyfree_lazy_expire", False)
            client.propagate = [[b"UNLINK" if lazy else b"DEL", key]]
            server.notify(db, "del", key, "g")
        else:
            db.set_expire(key, when_ms)
            db.signal_modified(key)
            client.propagate = [[b"PEXPIREAT", key, b"%d" % when_ms]]
            server.notify(db, "expire", key, "g")
        server.dirty += 1
    elif flags & _PERSIST and db.persist(key):
        db.signal_modified(key)
        client.propagate = [[b"PERSIST", key]]
        server.notify(db, "persist", key, "g")
        server.dirty += 1
    return value


@command("mget")
def mget(client: Client, argv: list[bytes]) -> object:
    lookup = client.db.lookup_read
    values: list[object] = []
    for key in argv[1:]:
        value = lookup(key)
        values.append(value if type(value) is bytes else None)
    return values


@command("mset")
def mset(client: Client, argv: list[bytes]) -> object:
    if len(argv) % 2 == 0:
        raise CommandError(errors.wrong_arity("mset"))
    _set_pairs(client, argv)
    return OK


@command("msetnx")
def msetnx(client: Client, argv: list[bytes]) -> object:
    if len(argv) % 2 == 0:
        raise CommandError(errors.wrong_arity("msetnx"))
    lookup = client.db.lookup
    for index in range(1, len(argv), 2):
        if lookup(argv[index]) is not None:
            return ZERO
    _set_pairs(client, argv)
    return ONE


def _set_pairs(client: Client, argv: list[bytes]) -> None:
    db = client.db
    notify = client.server.notify
    for index in range(1, len(argv), 2):
        key = argv[index]
        db.set(key, argv[index + 1])
        notify(db, "set", key, "$")
    client.server.dirty += (len(argv) - 1) // 2


@command("append")
def append(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    old = lookup_string_write(db, key)
    if old is None:
        value = argv[2]
        db.add(key, value)
    else:
        check_string_length(client, len(old) + len(argv[2]))
        value = old + argv[2]
        db.set(key, value, keep_ttl=True)
    server = client.server
    server.notify(db, "append", key, "$")
    server.dirty += 1
    return len(value)


@command("strlen")
def strlen(client: Client, argv: list[bytes]) -> object:
    value = lookup_string(client.db, argv[1])
    return 0 if value is None else len(value)


@command("substr")  # SUBSTR is the old name of GETRANGE
@command("getrange")
def getrange(client: Client, argv: list[bytes]) -> object:
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    value = lookup_string(client.db, argv[1])
    if value is None:
        return b""
    # Both ends negative with start after end is empty before any clamping (so -1 -3 is empty,
    # while clamping alone would turn -100 -50 into 0 0).
    if start < 0 and end < 0 and start > end:
        return b""
    length = len(value)
    if start < 0:
        start = max(0, length + start)
    if end < 0:
        end = max(0, length + end)
    end = min(end, length - 1)
    if start > end or length == 0:
        return b""
    return value[start : end + 1]


@command("setrange")
def setrange(client: Client, argv: list[bytes]) -> object:
    offset = parse_int(argv[2])
    if offset < 0:
        raise CommandError(OFFSET_OUT_OF_RANGE)
    db = client.db
    key = argv[1]
    patch = argv[3]
    old = lookup_string_write(db, key)
    if old is None:
        if not patch:  # setting nothing on a missing key creates nothing
            return 0
        check_string_length(client, offset + len(patch))
        value = bytes(offset) + patch
        db.add(key, value)
    else:
        if not patch:
            return len(old)
        check_string_length(client, offset + len(patch))
        if offset > len(old):
            value = old + bytes(offset - len(old)) + patch
        else:
            value = old[:offset] + patch + old[offset + len(patch) :]
        db.set(key, value, keep_ttl=True)
    server = client.server
    server.notify(db, "setrange", key, "$")
    server.dirty += 1
    return len(value)


# --- LCS ----------------------------------------------------------------------------------------


def lcs_rows(a: bytes, b: bytes) -> list[int]:
    """The LCS table of ``a`` and ``b`` as one bit vector per row (bit-parallel, Hyyrö's recurrence).

    Row ``i`` describes LCS(a[:i], b[:j]) for every j: bit ``j`` of the row is 0 where the LCS grows
    from b[:j] to b[:j+1], so LCS(i, j) = j - popcount(row_i & (2**j - 1)). One big-integer update
    per byte of ``a`` replaces a row of the quadratic table.
    """
    width = len(b)
    ones = (1 << width) - 1
    masks: dict[int, int] = {}
    for position, byte in enumerate(b):
        masks[byte] = masks.get(byte, 0) | (1 << position)
    row = ones
    rows = [row]
    for byte in a:
        matched = row & masks.get(byte, 0)
        row = ((row + matched) | (row - matched)) & ones
        rows.append(row)
    return rows


def lcs_walk(a: bytes, b: bytes, rows: list[int]) -> tuple[bytes, list[tuple[int, int, int, int]]]:
    """Walk back from the end as Redis does: the LCS and its runs ``(a_start, a_end, b_start, b_end)``.

    Equal bytes step diagonally; otherwise the walk moves up in ``a`` only when that keeps a strictly
    longer LCS than moving left in ``b``. Runs are maximal diagonal stretches, last run first.
    """

    def lcs(i: int, j: int) -> int:
        return j - (rows[i] & ((1 << j) - 1)).bit_count()

    out = bytearray()
    runs: list[tuple[int, int, int, int]] = []
    i, j = len(a), len(b)
    run_end: tuple[int, int] | None = None  # (a, b) positions of the last byte of the current run
    while i > 0 and j > 0:
        if a[i - 1] == b[j - 1]:
            out.append(a[i - 1])
            if run_end is None:
                run_end = (i - 1, j - 1)
            i -= 1
            j -= 1
            if i == 0 or j == 0:  # the run reached the start of a string: the walk ends here
                runs.append((i, run_end[0], j, run_end[1]))
                run_end = None
            continue
        if run_end is not None:  # the run started at the cell just left diagonally
            runs.append((i, run_end[0], j, run_end[1]))
            run_end = None
        if lcs(i - 1, j) > lcs(i, j - 1):
            i -= 1
        else:
            j -= 1
    out.reverse()
    return bytes(out), runs


@command("lcs")
def lcs(client: Client, argv: list[bytes]) -> object:
    db = client.db
    # Both keys are looked up (and counted as hits or misses) before either type is checked.
    first, second = db.lookup_read(argv[1]), db.lookup_read(argv[2])
    if (first is not None and type(first) is not bytes) or (second is not None and type(second) is not bytes):
        raise CommandError(LCS_NOT_STRINGS)
    a: bytes = first or b""  # type: ignore[assignment]
    b: bytes = second or b""  # type: ignore[assignment]
    want_len = want_idx = with_match_len = False
    min_match_len = 0
    index = 3
    while index < len(argv):
        option = c_option(argv[index])
        if option == b"idx":
            want_idx = True
        elif option == b"len":
            want_len = True
        elif option == b"withmatchlen":
            with_match_len = True
        elif option == b"minmatchlen" and index + 1 < len(argv):
            min_match_len = max(0, parse_int(argv[index + 1]))
            index += 1
        else:
            raise CommandError(errors.SYNTAX)
        index += 1
    if want_idx and want_len:
        raise CommandError(LCS_LEN_AND_IDX)
    # Redis allocates the whole (len(a)+1) x (len(b)+1) table of 4-byte cells and refuses past the limit.
    if (len(a) + 1) * (len(b) + 1) * 4 > client.server.config.proto_max_bulk_len:
        raise CommandError(LCS_TOO_BIG)
    rows = lcs_rows(a, b)
    length = len(b) - rows[-1].bit_count()
    if want_len:
        return length
    common, runs = lcs_walk(a, b, rows)
    if not want_idx:
        return common
    matches: list[object] = []
    for a_start, a_end, b_start, b_end in runs:
        run_length = a_end - a_start + 1
        if min_match_len and run_length < min_match_len:
            continue
        match: list[object] = [[a_start, a_end], [b_start, b_end]]
        if with_match_len:
            match.append(run_length)
        matches.append(match)
    return {b"matches": matches, b"len": length}
