"""Sorted-set algebra (Redis 7.0's ``zunionInterDiffGenericCommand``).

ZUNION, ZINTER, ZDIFF, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE and ZINTERCARD. Inputs may be sorted
sets or plain sets (every set member has score 1). Parsing order, as Redis: numkeys (an integer;
below 1 is ``at least 1 input key is needed for '<command>' command``; more than the arguments left
is a syntax error), then every input key is read (WRONGTYPE before any option error), then the
options: WEIGHTS (one float per key, ``weight value is not a float``), AGGREGATE SUM|MIN|MAX,
WITHSCORES (not for the STORE forms), LIMIT (ZINTERCARD only); ZDIFF takes neither WEIGHTS nor
AGGREGATE.

Arithmetic follows Redis exactly, floating-point order included: inputs are taken from the
smallest to the largest (a stable sort by cardinality), a weighted score that is nan (``0 * inf``)
counts as 0 in unions and for the first input of an intersection, and a sum that is nan
(``inf + -inf``) becomes 0. A STORE form writes its result over whatever the destination held
(event zunionstore/zinterstore/zdiffstore) or deletes the destination when the result is empty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.registry import command
from miniredis.commands.sorted_sets import WEIGHT_NOT_FLOAT, pairs_reply, parse_score, store_zset
from miniredis.errors import CommandError
from miniredis.protocol.parser import string2ll
from miniredis.protocol.replies import EMPTY_ARRAY
from miniredis.structures.zset import ZSet

if TYPE_CHECKING:
    from miniredis.server.client import Client

NEED_ONE_KEY = "ERR at least 1 input key is needed for '{}' command"
LIMIT_NEGATIVE = "ERR LIMIT can't be negative"

UNION, INTER, DIFF = "union", "inter", "diff"

Source = ZSet | set[bytes] | None


def _size(source: Source) -> int:
    return 0 if source is None else len(source)


def _items(source: Source) -> Iterable[tuple[bytes, float]]:
    if source is None:
        return ()
    if isinstance(source, ZSet):
        return source.score_items()
    return ((member, 1.0) for member in source)


def _score_of(source: Source, member: bytes) -> float | None:
    if type(source) is ZSet:
        return source.score(member)
    return 1.0 if member in source else None  # type: ignore[operator]


def _aggregate(target: float, value: float, how: bytes) -> float:
    if how == b"sum":
        total = target + value
        return 0.0 if math.isnan(total) else total
    if how == b"min":
        return value if value < target else target
    return value if value > target else target


def _compute(sources: list[Source], weights: list[float], how: bytes, op: str, limit: int = 0,
             count_only: bool = False) -> dict[bytes, float] | int:
    if op == DIFF:
        first = sources[0]
        result: dict[bytes, float] = {}
        for member, score in _items(first):
            if not any(other is not None and _score_of(other, member) is not None for other in sources[1:]):
                result[member] = score
        return result
    order = sorted(range(len(sources)), key=lambda i: _size(sources[i]))
    if op == INTER:
        if _size(sources[order[0]]) == 0:
            return 0 if count_only else {}
        base, rest = order[0], order[1:]
        result = {}
        found = 0
        for member, score in _items(sources[base]):
            value = weights[base] * score
            if math.isnan(value):
                value = 0.0
            for index in rest:
                other = _score_of(sources[index], member)
                if other is None:
                    break
                value = _aggregate(value, weights[index] * other, how)
            else:
                if count_only:
                    found += 1
                    if limit and found >= limit:
                        break
                else:
                    result[member] = value
        return found if count_only else result
    result = {}
    for index in order:
        weight = weights[index]
        for member, score in _items(sources[index]):
            value = weight * score
            if math.isnan(value):
                value = 0.0
            existing = result.get(member)
            result[member] = value if existing is None else _aggregate(existing, value, how)
    return result


def _algebra(client: Client, argv: list[bytes], op: str, store: bool, count_only: bool = False) -> object:
    numkeys_index = 2 if store else 1
    numkeys = string2ll(argv[numkeys_index])
    if numkeys is None:
        raise CommandError(errors.NOT_INTEGER)
    name = argv[0].lower().decode("latin-1")
    if numkeys < 1:
        raise CommandError(NEED_ONE_KEY.format(name))
    if numkeys > len(argv) - numkeys_index - 1:
        raise CommandError(errors.SYNTAX)
    db = client.db
    sources: list[Source] = []
    for key in argv[numkeys_index + 1:numkeys_index + 1 + numkeys]:
        value = db.lookup_read(key)  # read lookups even for the STORE forms (keymiss, misses), as Redis
        if value is not None and type(value) is not ZSet and type(value) is not set:
            raise CommandError(errors.WRONGTYPE)
        sources.append(value)  # type: ignore[arg-type]
    weights = [1.0] * numkeys
    how = b"sum"
    with_scores = False
    limit = 0
    index = numkeys_index + 1 + numkeys
    while index < len(argv):
        remaining = len(argv) - index
        word = argv[index].lower()
        if op != DIFF and remaining >= numkeys + 1 and word == b"weights":
            weights = [parse_score(raw, WEIGHT_NOT_FLOAT) for raw in argv[index + 1:index + 1 + numkeys]]
            index += numkeys
        elif op != DIFF and remaining >= 2 and word == b"aggregate":
            how = argv[index + 1].lower()
            if how not in (b"sum", b"min", b"max"):
                raise CommandError(errors.SYNTAX)
            index += 1
        elif remaining >= 1 and not store and not count_only and word == b"withscores":
            with_scores = True
        elif count_only and remaining >= 2 and word == b"limit":
            value = string2ll(argv[index + 1])
            if value is None or value < 0:
                raise CommandError(LIMIT_NEGATIVE)
            limit = value
            index += 1
        else:
            raise CommandError(errors.SYNTAX)
        index += 1
    result = _compute(sources, weights, how, op, limit, count_only)
    if count_only:
        return result
    assert isinstance(result, dict)
    pairs = sorted((score, member) for member, score in result.items())
    if store:
        return store_zset(client, argv[1], pairs, "z" + op + "store")
    if not pairs:
        return EMPTY_ARRAY
    if with_scores:
        return pairs_reply(client, pairs)
    return [member for _, member in pairs]


@command("zunion")
def zunion(client: Client, argv: list[bytes]) -> object:
    return _algebra(client, argv, UNION, False)


@command("zinter")
def zinter(client: Client, argv: list[bytes]) -> object:
    return _algebra(client, argv, INTER, False)


@command("zdiff")
def zdiff(client: Client, argv: list[bytes]) -> object:
    return _algebra(client, argv, DIFF, False)


@command("zunionstore")
def zunionstore(client: Client, argv: list[bytes]) -> object:
    return _algebra(client, argv, UNION, True)


@command("zinterstore")
def zinterstore(client: Client, argv: list[bytes]) -> object:
    return _algebra(client, argv, INTER, True)


@command("zdiffstore")
def zdiffstore(client: Client, argv: list[bytes]) -> object:
    return _algebra(client, argv, DIFF, True)


@command("zintercard")
def zintercard(client: Client, argv: list[bytes]) -> object:
    return _algebra(client, argv, INTER, False, count_only=True)
