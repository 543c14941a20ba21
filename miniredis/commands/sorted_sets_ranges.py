"""Sorted-set range commands (Redis 7.0's ``zrangeGenericCommand`` and ``zremrangeGenericCommand``).

ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), ZRANGESTORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE,
ZRANGEBYLEX, ZREVRANGEBYLEX, ZREVRANGE, ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX.

Parsing follows Redis's order: options first (a repeated WITHSCORES is accepted, a repeated REV,
BYSCORE or BYLEX is a syntax error, LIMIT's numbers fail as integers at once), then the
combination errors (LIMIT with a rank range: only a count other than -1 is refused; WITHSCORES
with BYLEX), then the range itself, and only then the key. With REV, BYSCORE and BYLEX take
``max min``. LIMIT's negative offset gives nothing, a negative count everything after the offset.

ZRANGESTORE writes its result whatever the destination held (an empty result deletes the
destination); events: zrangestore, zremrangebyrank, zremrangebyscore, zremrangebylex, and ``del``
when a key is emptied or an empty result removes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.registry import command
from miniredis.commands.sorted_sets import (
    after_removal,
    lex_bounds,
    lex_bounds_reverse,
    parse_lex_bound,
    parse_score_range,
    range_reply,
    read_zset,
    store_zset,
    write_zset,
)
from miniredis.errors import CommandError
from miniredis.protocol.parser import string2ll
from miniredis.protocol.replies import EMPTY_ARRAY

if TYPE_CHECKING:
    from miniredis.server.client import Client

LIMIT_NEEDS_BY = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
WITHSCORES_BYLEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"

RANK, SCORE, LEX = "rank", "score", "lex"


def _long(raw: bytes) -> int:
    value = string2ll(raw)
    if value is None:
        raise CommandError(errors.NOT_INTEGER)
    return value


def rank_bounds(start: int, end: int, total: int) -> tuple[int, int] | None:
    """ZRANGE/ZREMRANGEBYRANK indexes (negative from the end) as ascending [start, end], or None."""
    if start < 0:
        start += total
    if end < 0:
        end += total
    if start < 0:
        start = 0
    if start > end or start >= total:
        return None
    return start, min(end, total - 1)


def _zrange(client: Client, argv: list[bytes], store: bool, kind: str | None, reverse: bool | None) -> object:
    """zrangeGenericCommand: ``kind``/``reverse`` None when the command leaves them to options."""
    first = 2 if store else 1
    key = argv[first]
    with_scores = False
    offset, limit = 0, -1
    limit_given = False
    index = first + 3
    total_args = len(argv)
    while index < total_args:
        word = argv[index].lower()
        left = total_args - index - 1
        if not store and word == b"withscores":
            with_scores = True
        elif word == b"limit" and left >= 2:
            offset = _long(argv[index + 1])
            limit = _long(argv[index + 2])
            limit_given = True
            index += 2
        elif reverse is None and word == b"rev":
            reverse = True
        elif kind is None and word == b"bylex":
            kind = LEX
        elif kind is None and word == b"byscore":
            kind = SCORE
        else:
            raise CommandError(errors.SYNTAX)
        index += 1
    if kind is None:
        kind = RANK
    reverse = bool(reverse)
    if limit_given and kind == RANK and limit != -1:
        raise CommandError(LIMIT_NEEDS_BY)
    if with_scores and kind == LEX:
        raise CommandError(WITHSCORES_BYLEX)
    raw_min, raw_max = argv[first + 1], argv[first + 2]
    if reverse and kind != RANK:
        raw_min, raw_max = raw_max, raw_min
    if kind == RANK:
        start_rank, end_rank = _long(raw_min), _long(raw_max)
    elif kind == SCORE:
        score_range = parse_score_range(raw_min, raw_max)
    else:
        low, high = parse_lex_bound(raw_min), parse_lex_bound(raw_max)
    zset = read_zset(client.db, key)
    pairs: list[tuple[float, bytes]] = []
    if zset is not None:
        if kind == RANK:
            total = len(zset)
            bounds = rank_bounds(start_rank, end_rank, total)
            if bounds is not None:
                start, end = bounds
                if reverse:
                    start, end = total - 1 - end, total - 1 - start
                pairs = zset.slice(start, end + 1, reverse)
        elif offset >= 0:
            if kind == SCORE:
                start, stop = zset.score_bounds(*score_range)
            else:
                start, stop = (lex_bounds_reverse if reverse else lex_bounds)(zset, low, high)
            if reverse:
                stop -= offset
                if limit >= 0:
                    start = max(start, stop - limit)
            else:
                start += offset
                if limit >= 0:
                    stop = min(stop, start + limit)
            if start < stop:
                pairs = zset.slice(start, stop, reverse)
    if store:
        return store_zset(client, argv[1], pairs, "zrangestore")
    if not pairs:
        return EMPTY_ARRAY
    return range_reply(client, pairs, with_scores)


@command("zrange")
def zrange(client: Client, argv: list[bytes]) -> object:
    return _zrange(client, argv, False, None, None)


@command("zrangestore")
def zrangestore(client: Client, argv: list[bytes]) -> object:
    return _zrange(client, argv, True, None, None)


@command("zrevrange")
def zrevrange(client: Client, argv: list[bytes]) -> object:
    return _zrange(client, argv, False, RANK, True)


@command("zrangebyscore")
def zrangebyscore(client: Client, argv: list[bytes]) -> object:
    return _zrange(client, argv, False, SCORE, False)


@command("zrevrangebyscore")
def zrevrangebyscore(client: Client, argv: list[bytes]) -> object:
    return _zrange(client, argv, False, SCORE, True)


@command("zrangebylex")
def zrangebylex(client: Client, argv: list[bytes]) -> object:
    return _zrange(client, argv, False, LEX, False)


@command("zrevrangebylex")
def zrevrangebylex(client: Client, argv: list[bytes]) -> object:
    return _zrange(client, argv, False, LEX, True)


# --- ZREMRANGEBY* -------------------------------------------------------------------------------------
def _zremrange(client: Client, argv: list[bytes], kind: str) -> object:
    if kind == RANK:
        start_rank, end_rank = _long(argv[2]), _long(argv[3])
    elif kind == SCORE:
        score_range = parse_score_range(argv[2], argv[3])
    else:
        low, high = parse_lex_bound(argv[2]), parse_lex_bound(argv[3])
    key = argv[1]
    zset = write_zset(client.db, key)
    if zset is None:
        return 0
    if kind == RANK:
        bounds = rank_bounds(start_rank, end_rank, len(zset))
        if bounds is None:
            return 0
        start, stop = bounds[0], bounds[1] + 1
    elif kind == SCORE:
        start, stop = zset.score_bounds(*score_range)
    else:
        start, stop = lex_bounds(zset, low, high)
    removed = len(zset.pop_range(start, stop)) if start < stop else 0
    if removed:
        after_removal(client, key, zset, "zremrangeby" + kind, removed)
    return removed


@command("zremrangebyrank")
def zremrangebyrank(client: Client, argv: list[bytes]) -> object:
    return _zremrange(client, argv, RANK)


@command("zremrangebyscore")
def zremrangebyscore(client: Client, argv: list[bytes]) -> object:
    return _zremrange(client, argv, SCORE)


@command("zremrangebylex")
def zremrangebylex(client: Client, argv: list[bytes]) -> object:
    return _zremrange(client, argv, LEX)
