"""What the multi-key pops of lists and sorted sets share (Redis 7.0's LMPOP/ZMPOP and the blocking pops).

LMPOP/BLMPOP (``lists``) and ZMPOP/BZMPOP (``sorted_sets``) read ``numkeys key... WHERE [COUNT n]``
the same way: numkeys first ("numkeys should be greater than 0"), then the direction word, then a
single COUNT ("count should be greater than 0"); anything else is a syntax error. BLPOP, BRPOP,
BLMPOP, BZPOPMIN, BZPOPMAX and BZMPOP then serve the first key holding their type, in argument
order (a key of another type coming first is WRONGTYPE), or block on all of their keys. Re-run
after a key became ready (``miniredis.blocking``), they serve only from that ready key, and a
ready key that is empty or holds another type leaves them blocked, as in Redis 7.0. Inside
MULTI/EXEC they never block: the reply is a null array.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from miniredis import errors
from miniredis.blocking import Block, Waiter
from miniredis.errors import CommandError
from miniredis.protocol.parser import string2ll
from miniredis.protocol.replies import NULL_ARRAY

if TYPE_CHECKING:
    from miniredis.keyspace.db import Db
    from miniredis.server.client import Client

NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0"
MPOP_COUNT_NOT_POSITIVE = "ERR count should be greater than 0"

W = TypeVar("W")
V = TypeVar("V")


def parse_mpop(
    argv: list[bytes], first: int, where: Callable[[bytes], W], option: Callable[[bytes], bytes]
) -> tuple[list[bytes], W, int]:
    """``numkeys key... WHERE [COUNT n]`` from ``argv[first]`` on: (keys, where(WHERE), count).

    ``where`` parses the direction word (raising the syntax error itself); ``option`` normalises an
    option word before it is compared with ``count``.
    """
    numkeys = string2ll(argv[first])
    if numkeys is None or numkeys <= 0:
        raise CommandError(NUMKEYS_NOT_POSITIVE)
    where_index = first + 1 + numkeys
    if where_index >= len(argv):
        raise CommandError(errors.SYNTAX)
    direction = where(argv[where_index])
    count = 0
    index = where_index + 1
    while index < len(argv):
        if option(argv[index]) == b"count" and index + 1 < len(argv) and not count:
            value = string2ll(argv[index + 1])
            if value is None or value <= 0:
                raise CommandError(MPOP_COUNT_NOT_POSITIVE)
            count = value
            index += 2
        else:
            raise CommandError(errors.SYNTAX)
    return argv[first + 1:where_index], direction, count or 1


def cannot_block(client: Client) -> bool:
    """Inside MULTI/EXEC a blocking command answers at once (Redis's CLIENT_DENY_BLOCKING)."""
    return client.in_exec or client.multi is not None


def first_of(db: Db, keys: list[bytes], lookup: Callable[[Db, bytes], V | None]) -> tuple[bytes, V] | None:
    """The first key ``lookup`` finds a value at, in argument order (``lookup`` raises WRONGTYPE)."""
    for key in keys:
        value = lookup(db, key)
        if value is not None:
            return key, value
    return None


def serve_or_block(
    client: Client,
    keys: list[bytes],
    timeout: float,
    kind: type,
    lookup: Callable[[Db, bytes], V | None],
    serve: Callable[[bytes, V], object],
) -> object:
    """A blocking pop: ``serve(key, value)`` from the first key holding a ``kind`` (or, on a re-run,
    from the ready key if it now holds a non-empty ``kind``), else a null array inside MULTI/EXEC,
    else ``Block`` on all of ``keys``."""
    waiter = client.blocked
    found: tuple[bytes, V] | None
    if isinstance(waiter, Waiter):
        found = None
        key = waiter.ready_key
        if key is not None:
            value = client.db.lookup(key)
            if type(value) is kind and value:
                found = key, cast(V, value)
    else:
        found = first_of(client.db, keys, lookup)
    if found is None:
        if cannot_block(client):
            return NULL_ARRAY
        return Block(keys, timeout)
    return serve(found[0], found[1])
