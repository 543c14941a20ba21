"""Sorted-set commands: writes, point reads, pops and the blocking pops (Redis 7.0's t_zset.c).

ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, ZPOPMIN, ZPOPMAX,
ZMPOP, ZRANDMEMBER, ZSCAN and the blocking BZPOPMIN, BZPOPMAX, BZMPOP, as Redis 7.0.15 answers
them. The range commands live in ``sorted_sets_ranges``, the set algebra in ``sorted_sets_algebra``;
the helpers they share (score and lex-range parsing, score replies) are here.

Scores are parsed as Redis does: ZADD/ZINCRBY/WEIGHTS take a whole C double (``strtod``: hex and
``inf`` accepted; a leading space, trailing junk, overflow and nan refused); range bounds
(``(1``, ``-inf``) accept leading spaces and the empty text (0), and stop at a NUL byte. Scores are
replied as ``Double``: a ``%.17g`` bulk string in RESP2, a ``,`` double in RESP3. Score pairs
(WITHSCORES, ZPOPMIN with a count, ZRANDMEMBER) are flat ``member, score`` arrays in RESP2 and
arrays of ``[member, score]`` pairs in RESP3; ZPOPMIN without a count stays flat in RESP3.

Blocking (``miniredis.blocking``): BZPOPMIN/BZPOPMAX/BZMPOP return ``Block`` when no key holds a
zset; re-run when a key is written, they serve only from that ready key, and a ready key of
another type leaves them blocked (Redis 7.0 does the same). Effects propagated: a served
BZPOPMIN/BZPOPMAX becomes ``ZPOPMIN|ZPOPMAX key``, ZMPOP/BZMPOP ``ZPOPMIN|ZPOPMAX key n`` with
the number popped (as a Redis 7.0 replica receives them).
Keyspace events (class ``z``): zadd, zincr, zrem, zpopmin, zpopmax, and ``del`` (class ``g``) when a
sorted set is emptied, which deletes it.
"""

from __future__ import annotations

import math
import random
import re
from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.blocking import parse_timeout_seconds
from miniredis.commands.args import eq
from miniredis.commands.mpop import first_of, parse_mpop, serve_or_block
from miniredis.commands.registry import command
from miniredis.commands.scan_cursor import matches, parse_cursor, parse_scan_options, scan_page
from miniredis.commands.strings import c_option
from miniredis.errors import CommandError
from miniredis.keyspace.db import typed_lookups
from miniredis.protocol.parser import string2ll
from miniredis.protocol.replies import EMPTY_ARRAY, NULL_ARRAY, ONE, ZERO, Double
from miniredis.structures.zset import ZSet, listpack_score_text, same_score

if TYPE_CHECKING:
    from miniredis.server.client import Client

XX_AND_NX = "ERR XX and NX options at the same time are not compatible"
GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible"
INCR_SINGLE_PAIR = "ERR INCR option supports a single increment-element pair"
SCORE_NAN = "ERR resulting score is not a number (NaN)"
MIN_MAX_NOT_FLOAT = "ERR min or max is not a float"
MIN_MAX_NOT_LEX = "ERR min or max not valid string range item"
WEIGHT_NOT_FLOAT = "ERR weight value is not a float"
POP_COUNT_NOT_POSITIVE = "ERR value is out of range, must be positive"
RANDMEMBER_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
OUT_OF_RANGE = "ERR value is out of range"

LLONG_MAX = (1 << 63) - 1
_SMALL_COUNTS = (ZERO, ONE)

# --- number parsing ---------------------------------------------------------------------------------
_STRTOD = re.compile(
    rb"[ \t\n\v\f\r]*[+-]?(?:"
    rb"(?P<hex>0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?)"
    rb"|(?P<dec>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    rb"|(?P<inf>[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)"
    rb"|(?P<nan>[nN][aA][nN](?:\([0-9A-Za-z_]*\))?))"
)


_PLAIN_DECIMAL = re.compile(rb"-?[0-9]{1,20}(?:\.[0-9]{1,20})?")


def strtod(raw: bytes) -> tuple[float, int, bool]:
    """C ``strtod`` on ``raw``: (value, bytes consumed, ERANGE). Nothing parsed is (0.0, 0, False)."""
    found = _STRTOD.match(raw)
    if found is None:
        return 0.0, 0, False
    text = found.group(0).strip(b" \t\n\v\f\r")
    negative = text[:1] == b"-"
    if found.group("inf") is not None:
        return (-math.inf if negative else math.inf), found.end(), False
    if found.group("nan") is not None:
        return math.nan, found.end(), False
    erange = False
    if found.group("hex") is not None:
        try:
            value = float.fromhex(text.decode())
        except OverflowError:
            value, erange = (-math.inf if negative else math.inf), True
        digits = found.group("hex")[2:].split(b"p")[0].split(b"P")[0]
    else:
        value = float(text)
        erange = math.isinf(value)
        digits = found.group("dec").lower().split(b"e")[0]
    if value == 0 and digits.strip(b"0.") != b"":
        erange = True  # underflow to zero
    return value, found.end(), erange


def parse_score(raw: bytes, error: str = errors.NOT_FLOAT) -> float:
    """A whole double as getDoubleFromObject reads it (ZADD, ZINCRBY scores; WEIGHTS)."""
    # Fast paths (plain integers and decimals, far from overflow); everything else goes through strtod.
    if raw.isdigit() and len(raw) < 300:
        return float(raw)
    if _PLAIN_DECIMAL.fullmatch(raw) is not None:
        return float(raw)
    value, used, erange = strtod(raw)
    if (not raw or raw[:1] in b" \t\n\v\f\r" or used != len(raw) or math.isnan(value)
            or (erange and (math.isinf(value) or value == 0))):
        raise CommandError(error)
    return value


def parse_score_bound(raw: bytes) -> tuple[float, bool]:
    """A ZRANGEBYSCORE bound: ``(x`` exclusive, else inclusive; (value, exclusive)."""
    exclusive = raw[:1] == b"("
    text = raw[1:] if exclusive else raw
    nul = text.find(b"\0")
    if nul >= 0:
        text = text[:nul]  # C strings end at NUL
    value, used, _ = strtod(text)
    if used != len(text) or math.isnan(value):
        raise CommandError(MIN_MAX_NOT_FLOAT)
    return value, exclusive


def parse_score_range(raw_min: bytes, raw_max: bytes) -> tuple[float, bool, float, bool]:
    low, low_ex = parse_score_bound(raw_min)
    high, high_ex = parse_score_bound(raw_max)
    return low, low_ex, high, high_ex


# A lex bound: (kind, value, exclusive); kind -1 is "-", 1 is "+", 0 a value.
LexBound = tuple[int, bytes, bool]


def parse_lex_bound(raw: bytes) -> LexBound:
    nul = raw.find(b"\0")
    head = raw[:nul] if nul >= 0 else raw
    first = head[:1]
    if first == b"+" and len(head) == 1:
        return 1, b"", True
    if first == b"-" and len(head) == 1:
        return -1, b"", True
    if first == b"[":
        return 0, raw[1:], False
    if first == b"(":
        return 0, raw[1:], True
    raise CommandError(MIN_MAX_NOT_LEX)


def lex_gte_min(member: bytes, low: LexBound) -> bool:
    kind, value, exclusive = low
    if kind:
        return kind < 0
    return member > value if exclusive else member >= value


def lex_lte_max(member: bytes, high: LexBound) -> bool:
    kind, value, exclusive = high
    if kind:
        return kind > 0
    return member < value if exclusive else member <= value


def _lex_empty(low: LexBound, high: LexBound) -> bool:
    """Whether min > max (or equal with an exclusive end): no member can be in range."""
    low_key = (low[0], low[1])
    high_key = (high[0], high[1])
    return low_key > high_key or (low_key == high_key and (low[2] or high[2]))


def lex_bounds(zset: ZSet, low: LexBound, high: LexBound) -> tuple[int, int]:
    """Ascending positions [start, stop) of the members in a lex range.

    A listpack is walked as Redis walks it (first member >= min, then on while <= max); a skiplist
    is bisected, which gives the same answer when every member shares one score (the only case
    Redis defines)."""
    total = len(zset)
    if not total or _lex_empty(low, high):
        return 0, 0
    member_at = zset.member_at
    if not lex_gte_min(member_at(-1), low) or not lex_lte_max(member_at(0), high):
        return 0, 0
    if zset.compact:
        start = 0
        while start < total and not lex_gte_min(member_at(start), low):
            start += 1
        stop = start
        while stop < total and lex_lte_max(member_at(stop), high):
            stop += 1
        return start, stop
    lo, hi = 0, total
    while lo < hi:
        mid = (lo + hi) // 2
        if lex_gte_min(member_at(mid), low):
            hi = mid
        else:
            lo = mid + 1
    start = lo
    hi = total
    while lo < hi:
        mid = (lo + hi) // 2
        if lex_lte_max(member_at(mid), high):
            lo = mid + 1
        else:
            hi = mid
    return start, max(start, lo)


def lex_bounds_reverse(zset: ZSet, low: LexBound, high: LexBound) -> tuple[int, int]:
    """Like ``lex_bounds`` for a walk from the top (ZREVRANGEBYLEX): last member <= max, then down
    while >= min; returned as ascending positions [start, stop)."""
    if not zset.compact:
        return lex_bounds(zset, low, high)
    total = len(zset)
    if not total or _lex_empty(low, high):
        return 0, 0
    member_at = zset.member_at
    if not lex_gte_min(member_at(-1), low) or not lex_lte_max(member_at(0), high):
        return 0, 0
    stop = total
    while stop > 0 and not lex_lte_max(member_at(stop - 1), high):
        stop -= 1
    start = stop
    while start > 0 and lex_gte_min(member_at(start - 1), low):
        start -= 1
    return start, stop


# --- keys ---------------------------------------------------------------------------------------------
read_zset, write_zset = typed_lookups(ZSet)  # WRONGTYPE for another type


def store_zset(client: Client, destination: bytes, pairs: list[tuple[float, bytes]], event: str) -> int:
    """ZRANGESTORE/ZUNIONSTORE/...: replace ``destination`` with a zset of ``pairs`` (event ``event``),
    or delete it (event ``del``) when there are none; the reply is the new cardinality."""
    db = client.db
    server = client.server
    if pairs:
        result = ZSet(pairs, compact=False)
        result.fit_encoding(server.config)
        db.set(destination, result)
        server.notify(db, event, destination, "z")
        server.dirty += 1
    elif db.delete(destination):
        server.notify(db, "del", destination, "g")
        server.dirty += 1
    return len(pairs)


def after_removal(client: Client, key: bytes, zset: ZSet, event: str, removed: int) -> None:
    """Event, deletion of an emptied zset, modified signal and dirty count after a removal."""
    db = client.db
    server = client.server
    server.notify(db, event, key, "z")
    if zset:
        db.signal_modified(key)
    else:
        db.delete(key)
        server.notify(db, "del", key, "g")
    server.dirty += removed


def pairs_reply(client: Client, pairs: list[tuple[float, bytes]], nested: bool = True) -> list[object]:
    """member/score pairs: flat in RESP2, [member, score] pairs in RESP3 (unless ``nested`` is False)."""
    if client.resp == 3 and nested:
        return [[member, Double(score)] for score, member in pairs]
    reply: list[object] = []
    for score, member in pairs:
        reply.append(member)
        reply.append(Double(score))
    return reply


def range_reply(client: Client, pairs: list[tuple[float, bytes]], with_scores: bool) -> list[object]:
    if with_scores:
        return pairs_reply(client, pairs)
    return [member for _, member in pairs]


# --- ZADD / ZINCRBY -----------------------------------------------------------------------------------
def _zadd(client: Client, argv: list[bytes], incr_command: bool) -> object:
    nx = xx = gt = lt = ch = incr = False
    index = 2
    if not incr_command:
        while index < len(argv) and argv[index][:1].isalpha():  # flags are words: a digit ends them
            word = argv[index].lower()
            if word == b"nx":
                nx = True
            elif word == b"xx":
                xx = True
            elif word == b"gt":
                gt = True
            elif word == b"lt":
                lt = True
            elif word == b"ch":
                ch = True
            elif word == b"incr":
                incr = True
            else:
                break
            index += 1
    else:
        incr = True
    rest = len(argv) - index
    if rest % 2 or not rest:
        raise CommandError(errors.SYNTAX)
    if nx and xx:
        raise CommandError(XX_AND_NX)
    if (gt and nx) or (lt and nx) or (gt and lt):
        raise CommandError(GT_LT_NX)
    if incr and rest > 2:
        raise CommandError(INCR_SINGLE_PAIR)
    if rest == 2:
        pairs = [(parse_score(argv[index]), argv[index + 1])]
    else:
        pairs = [(parse_score(argv[i]), argv[i + 1]) for i in range(index, len(argv), 2)]
    db = client.db
    key = argv[1]
    zset = db.lookup(key)
    if zset is not None and type(zset) is not ZSet:
        raise CommandError(errors.WRONGTYPE)
    if zset is None:
        if xx:
            return None if incr else 0
        zset = _new_zset(client, pairs[0][1])
        db.add(key, zset)
    config = client.server.config
    added = updated = 0
    result: float | None = None
    for score, member in pairs:
        current = zset.score(member)
        if current is None:
            if xx:
                continue
            zset.insert(member, score)
            zset.check_encoding(len(member), config)
            added += 1
            result = score
            continue
        if nx:
            continue
        if incr:
            score += current
            if math.isnan(score):
                raise CommandError(SCORE_NAN)
        if (lt and score >= current) or (gt and score <= current):
            continue
        result = score
        if score != current:
            zset.update(member, score)
            updated += 1
    changed = added + updated
    if changed:
        server = client.server
        db.signal_modified(key)
        server.notify(db, "zincr" if incr else "zadd", key, "z")
        server.dirty += changed
    if incr:
        return None if result is None else Double(result)
    count = changed if ch else added
    return _SMALL_COUNTS[count] if count < 2 else count  # pre-encoded :0 / :1, the common replies


def _new_zset(client: Client, first_member: bytes) -> ZSet:
    """A zset created by ZADD/ZINCRBY: Redis 7.0 starts a skiplist at once when listpacks are off or
    the first member is too long for one."""
    config = client.server.config
    return ZSet(compact=config.zset_max_listpack_entries != 0 and len(first_member) <= config.zset_max_listpack_value)


@command("zadd")
def zadd(client: Client, argv: list[bytes]) -> object:
    if len(argv) != 4 or argv[2][:1].isalpha():
        return _zadd(client, argv, False)
    # ZADD key score member, the common form, without the option machinery.
    score = parse_score(argv[2])
    member = argv[3]
    db = client.db
    key = argv[1]
    zset = db.lookup(key)
    if zset is None:
        zset = _new_zset(client, member)
        db.add(key, zset)
    elif type(zset) is not ZSet:
        raise CommandError(errors.WRONGTYPE)
    entry = zset.index.get(member)
    if entry is None:
        zset.insert(member, score)
        zset.check_encoding(len(member), client.server.config)
        reply = ONE
    elif same_score(entry, score):
        return ZERO
    else:
        zset.update(member, score)
        reply = ZERO
    server = client.server
    if db.watched or db.blocking:
        db.signal_modified(key)
    if server.keyspace_events:
        server.notify(db, "zadd", key, "z")
    server.dirty += 1
    return reply


@command("zincrby")
def zincrby(client: Client, argv: list[bytes]) -> object:
    return _zadd(client, argv, True)


# --- removal and point reads --------------------------------------------------------------------------
@command("zrem")
def zrem(client: Client, argv: list[bytes]) -> object:
    key = argv[1]
    zset = write_zset(client.db, key)
    if zset is None:
        return 0
    removed = 0
    for member in argv[2:]:
        if zset.remove(member):
            removed += 1
            if not zset:
                break
    if removed:
        after_removal(client, key, zset, "zrem", removed)
    return removed


@command("zcard")
def zcard(client: Client, argv: list[bytes]) -> object:
    zset = read_zset(client.db, argv[1])
    return 0 if zset is None else len(zset)


@command("zscore")
def zscore(client: Client, argv: list[bytes]) -> object:
    zset = read_zset(client.db, argv[1])
    if zset is None:
        return None
    score = zset.score(argv[2])
    return None if score is None else Double(score)


@command("zmscore")
def zmscore(client: Client, argv: list[bytes]) -> object:
    zset = read_zset(client.db, argv[1])
    reply: list[object] = []
    for member in argv[2:]:
        score = None if zset is None else zset.score(member)
        reply.append(None if score is None else Double(score))
    return reply


def _rank(client: Client, argv: list[bytes], reverse: bool) -> object:
    zset = read_zset(client.db, argv[1])
    if zset is None:
        return None
    rank = zset.rank(argv[2])
    if rank is None:
        return None
    return len(zset) - 1 - rank if reverse else rank


@command("zrank")
def zrank(client: Client, argv: list[bytes]) -> object:
    return _rank(client, argv, False)


@command("zrevrank")
def zrevrank(client: Client, argv: list[bytes]) -> object:
    return _rank(client, argv, True)


@command("zcount")
def zcount(client: Client, argv: list[bytes]) -> object:
    bounds = parse_score_range(argv[2], argv[3])
    zset = read_zset(client.db, argv[1])
    if zset is None:
        return 0
    start, stop = zset.score_bounds(*bounds)
    return stop - start


@command("zlexcount")
def zlexcount(client: Client, argv: list[bytes]) -> object:
    low = parse_lex_bound(argv[2])
    high = parse_lex_bound(argv[3])
    zset = read_zset(client.db, argv[1])
    if zset is None:
        return 0
    start, stop = lex_bounds(zset, low, high)
    return stop - start


# --- pops ---------------------------------------------------------------------------------------------
def pop(client: Client, key: bytes, zset: ZSet, maximum: bool, count: int) -> list[tuple[float, bytes]]:
    """Pop ``count`` members from one end, with events, deletion when emptied and dirty."""
    popped = zset.pop_max(count) if maximum else zset.pop_min(count)
    after_removal(client, key, zset, "zpopmax" if maximum else "zpopmin", len(popped))
    return popped


def _zpop(client: Client, argv: list[bytes], maximum: bool) -> object:
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    counted = len(argv) == 3
    count = 1
    if counted:
        value = string2ll(argv[2])
        if value is None or value < 0:
            raise CommandError(POP_COUNT_NOT_POSITIVE)
        count = value
    key = argv[1]
    zset = write_zset(client.db, key)
    if zset is None or count == 0:
        return EMPTY_ARRAY
    popped = pop(client, key, zset, maximum, count)
    return pairs_reply(client, popped, nested=counted)


@command("zpopmin")
def zpopmin(client: Client, argv: list[bytes]) -> object:
    return _zpop(client, argv, False)


@command("zpopmax")
def zpopmax(client: Client, argv: list[bytes]) -> object:
    return _zpop(client, argv, True)


def _min_or_max(raw: bytes) -> bool:
    """ZMPOP's MIN or MAX (any case, compared as a C string): True for MAX, else a syntax error."""
    word = c_option(raw)
    if word not in (b"min", b"max"):
        raise CommandError(errors.SYNTAX)
    return word == b"max"


def _mpop_serve(client: Client, key: bytes, zset: ZSet, maximum: bool, count: int) -> list[object]:
    popped = pop(client, key, zset, maximum, count)
    client.propagate = [[b"ZPOPMAX" if maximum else b"ZPOPMIN", key, b"%d" % len(popped)]]
    return [key, [[member, Double(score)] for score, member in popped]]


@command("zmpop")
def zmpop(client: Client, argv: list[bytes]) -> object:
    keys, maximum, count = parse_mpop(argv, 1, _min_or_max, c_option)
    found = first_of(client.db, keys, write_zset)
    if found is None:
        return NULL_ARRAY
    return _mpop_serve(client, found[0], found[1], maximum, count)


@command("bzmpop")
def bzmpop(client: Client, argv: list[bytes]) -> object:
    keys, maximum, count = parse_mpop(argv, 2, _min_or_max, c_option)
    timeout = parse_timeout_seconds(argv[1])
    return serve_or_block(
        client, keys, timeout, ZSet, write_zset,
        lambda key, zset: _mpop_serve(client, key, zset, maximum, count),
    )


def _blocking_pop(client: Client, argv: list[bytes], maximum: bool) -> object:
    timeout = parse_timeout_seconds(argv[-1])

    def serve(key: bytes, zset: ZSet) -> list[object]:
        score, member = pop(client, key, zset, maximum, 1)[0]
        client.propagate = [[b"ZPOPMAX" if maximum else b"ZPOPMIN", key]]
        return [key, member, Double(score)]

    return serve_or_block(client, argv[1:-1], timeout, ZSet, write_zset, serve)


@command("bzpopmin")
def bzpopmin(client: Client, argv: list[bytes]) -> object:
    return _blocking_pop(client, argv, False)


@command("bzpopmax")
def bzpopmax(client: Client, argv: list[bytes]) -> object:
    return _blocking_pop(client, argv, True)


# --- ZRANDMEMBER --------------------------------------------------------------------------------------
@command("zrandmember")
def zrandmember(client: Client, argv: list[bytes]) -> object:
    if len(argv) == 2:
        zset = read_zset(client.db, argv[1])
        if zset is None:
            return None
        return zset.at(random.randrange(len(zset)))[1]
    count = string2ll(argv[2])
    if count is None:
        raise CommandError(errors.NOT_INTEGER)
    if count < -LLONG_MAX:
        raise CommandError(RANDMEMBER_RANGE)
    with_scores = False
    if len(argv) == 4:
        if not eq(argv[3], b"withscores"):
            raise CommandError(errors.SYNTAX)
        with_scores = True
    elif len(argv) > 4:
        raise CommandError(errors.SYNTAX)
    if with_scores and count < -(LLONG_MAX // 2):
        raise CommandError(OUT_OF_RANGE)
    zset = read_zset(client.db, argv[1])
    if zset is None or count == 0:
        return EMPTY_ARRAY
    total = len(zset)
    if count < 0:
        picks = [zset.at(random.randrange(total)) for _ in range(-count)]
    elif count >= total:
        picks = list(zset)
    else:
        picks = [zset.at(index) for index in random.sample(range(total), count)]
    return range_reply(client, picks, with_scores)


# --- ZSCAN --------------------------------------------------------------------------------------------
@command("zscan")
def zscan(client: Client, argv: list[bytes]) -> object:
    cursor = parse_cursor(argv[2])
    zset = read_zset(client.db, argv[1])
    if zset is None:
        return [b"0", []]  # a missing key answers before its options are parsed, as in Redis
    pattern, count = parse_scan_options(argv, 3)
    elements: list[object] = []
    if zset.compact:
        # A listpack is returned whole in one call, its scores as the text it stores.
        for score, member in zset:
            if matches(pattern, member):
                elements.append(member)
                elements.append(listpack_score_text(score))
        return [b"0", elements]
    next_cursor, members = scan_page(zset.members(), cursor, count)
    for member in members:
        if matches(pattern, member):
            elements.append(member)
            value = zset.score(member)
            assert value is not None
            elements.append(b"%.17g" % value if not math.isinf(value) else (b"inf" if value > 0 else b"-inf"))
    return [b"%d" % next_cursor, elements]
