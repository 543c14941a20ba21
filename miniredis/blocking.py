"""Clients blocked on keys: one mechanism for every blocking command (Redis's blocked.c).

A blocking handler (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, XREADGROUP BLOCK, ...) that finds
nothing to serve returns ``Block(keys, timeout, ...)`` instead of a reply. The dispatcher hands it
to ``BlockingManager.block``: the client becomes a ``Waiter`` queued (FIFO) on each of its keys in
``Db.blocking``, its connection stops processing further requests, and a timer is armed.

A write to a key calls ``Db.signal_modified``, which marks the key ready when it has waiters. After
the writing command has finished (or EXEC, or a script), the dispatcher calls
``serve_ready_keys``: for each ready key, in the order keys became ready, its waiters are tried in
FIFO order by re-running their command's handler with ``client.blocked`` still set (so the handler
can read its saved state, e.g. the IDs ``$`` resolved to when it blocked, and ``ready_key``, the key
being served: a client blocked on several keys is served from the one that became ready). A handler that can
serve returns its reply and the client is released; one that returns ``Block`` again stays queued
in place. Serving can make other keys ready (BLMOVE pushes): the loop runs until none are left.

Timeouts reply ``Block.timeout_reply`` (a null array for most commands); ``CLIENT UNBLOCK`` does the
same, or replies ``-UNBLOCKED`` with ERROR; a disconnect just removes the waiter. Inside MULTI/EXEC
a blocking command never blocks: ``call`` turns a ``Block`` into its timeout reply. Blocking
timeouts run on the event loop's monotonic clock, not on the server clock (like Redis's timers).
"""

from __future__ import annotations

import math
import re
from collections import deque
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from miniredis.errors import TIMEOUT_NEGATIVE, TIMEOUT_NOT_FLOAT, CommandError
from miniredis.protocol.parser import string2ll
from miniredis.protocol.replies import NULL_ARRAY

if TYPE_CHECKING:
    import asyncio

    from miniredis.commands.registry import CommandSpec
    from miniredis.keyspace.db import Db
    from miniredis.server.app import Server
    from miniredis.server.client import Client

UNBLOCKED_ERROR = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range"
MAX_TIMER_SECONDS = 1e9  # a longer timeout (about 31 years; Redis accepts up to 2**63 ms) waits forever


class Block:
    """What a blocking handler returns when it cannot serve now."""

    __slots__ = ("keys", "timeout", "state", "timeout_reply")

    def __init__(self, keys: list[bytes], timeout: float, state: object = None,
                 timeout_reply: object = NULL_ARRAY) -> None:
        self.keys = keys  # keys in the client's current database
        self.timeout = timeout  # seconds; 0 waits forever
        self.state = state  # handler-specific, read back from client.blocked.state when re-run
        self.timeout_reply = timeout_reply


class Waiter:
    """A blocked client: what it waits on, how to retry, and its timer."""

    __slots__ = ("client", "db", "keys", "spec", "argv", "state", "timeout_reply", "timer", "since_ms", "ready_key")

    def __init__(self, client: Client, spec: CommandSpec, argv: list[bytes], block: Block) -> None:
        self.client = client
        self.db: Db = client.db
        self.keys = list(dict.fromkeys(block.keys))
        self.spec = spec
        self.argv = argv
        self.state = block.state
        self.timeout_reply = block.timeout_reply
        self.timer: asyncio.TimerHandle | None = None
        self.since_ms = client.server.clock.time_ms()
        # While the handler is re-run: the ready key being served. Redis serves a client blocked on
        # several keys from the key that became ready (in ready order), not from its first key.
        self.ready_key: bytes | None = None


class ReadyKeys(dict):  # type: ignore[type-arg]
    """Keys made ready by writes, in the order they became ready (an insertion-ordered set)."""

    def add(self, item: tuple[Db, bytes]) -> None:
        self[item] = None


def parse_timeout_seconds(raw: bytes) -> float:
    """BLPOP-style timeout in seconds, as Redis 7.0's getTimeoutFromObjectOrReply reads it.

    The text is read as a C long double (strtold: decimal or hex ``0x1p3``, ``inf``; no spaces, no
    ``_``, nan refused, a value that overflows or underflows to zero refused), then turned into
    milliseconds rounded up: ``0.0001`` waits 1 ms and ``-0.0001`` becomes 0 (wait forever). A
    product that does not fit a 64-bit integer (``inf``, ``1e16``) turns negative in that
    conversion, hence "timeout is negative" for those.
    """
    if len(raw) > 5120 or _TIMEOUT_SYNTAX.fullmatch(raw) is None:
        raise CommandError(TIMEOUT_NOT_FLOAT)
    body = raw.lstrip(b"+-").lower()
    if body.startswith(b"i"):
        raise CommandError(TIMEOUT_NEGATIVE)
    if body.startswith(b"0x"):
        value = _hex_value(body)
    else:
        number = Decimal(body.decode())
        if number and not _LDBL_TRUE_MIN_HALF < number <= _LDBL_MAX:
            raise CommandError(TIMEOUT_NOT_FLOAT)  # strtold's ERANGE: overflow, or underflow to 0
        value = Fraction(number) if number < _TIMEOUT_MS_LIMIT else None
    if value is None:
        raise CommandError(TIMEOUT_NEGATIVE)
    if raw[:1] == b"-":
        value = -value
    ms = math.ceil(value * 1000)
    if ms < 0 or ms >= 1 << 63:
        raise CommandError(TIMEOUT_NEGATIVE)
    return ms / 1000


_TIMEOUT_SYNTAX = re.compile(
    rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    rb"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
    rb"|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)"
)
_LDBL_MAX = Decimal("1.18973149535723176502e4932")
_LDBL_TRUE_MIN_HALF = Decimal("1.8225997659412373012e-4951")
_TIMEOUT_MS_LIMIT = Decimal(1 << 64)  # seconds beyond any 64-bit millisecond count


def _hex_value(body: bytes) -> Fraction | None:
    """A hex float (``0x1.8p3``) exactly; None when too large for a 64-bit millisecond count."""
    mantissa, _, exponent = body[2:].partition(b"p")
    whole, _, fraction = mantissa.partition(b".")
    digits = int((whole + fraction) or b"0", 16)
    power = int(exponent or b"0") - 4 * len(fraction)
    if not digits:
        return Fraction(0)
    if power > 80:
        if digits.bit_length() + power > 16385:
            raise CommandError(TIMEOUT_NOT_FLOAT)  # beyond a long double
        return None
    if power < -16500:
        if digits.bit_length() + power < -16445:
            raise CommandError(TIMEOUT_NOT_FLOAT)  # underflows to zero
        return Fraction(1, 1 << 20)  # a positive value far below one millisecond
    return Fraction(digits) * Fraction(2) ** power


def parse_timeout_ms(raw: bytes) -> float:
    """XREAD/XREADGROUP BLOCK: an integer number of milliseconds, returned in seconds."""
    value = string2ll(raw)
    if value is None:
        raise CommandError(TIMEOUT_NOT_INTEGER)
    if value < 0:
        raise CommandError(TIMEOUT_NEGATIVE)
    return value / 1000


class BlockingManager:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.count = 0  # INFO blocked_clients

    def block(self, client: Client, spec: CommandSpec, argv: list[bytes], block: Block) -> None:
        waiter = Waiter(client, spec, argv, block)
        client.blocked = waiter
        for key in waiter.keys:
            queue = waiter.db.blocking.get(key)
            if queue is None:
                queue = waiter.db.blocking[key] = deque()
            queue.append(waiter)  # type: ignore[attr-defined]
        self.count += 1
        loop = self.server.loop
        if 0 < block.timeout < MAX_TIMER_SECONDS and loop is not None:
            waiter.timer = loop.call_later(block.timeout, self.time_out, waiter)

    def _release(self, waiter: Waiter) -> None:
        client = waiter.client
        if client.blocked is not waiter:
            return
        client.blocked = None
        self.count -= 1
        if waiter.timer is not None:
            waiter.timer.cancel()
        blocking = waiter.db.blocking
        for key in waiter.keys:
            queue = blocking.get(key)
            if queue is not None:
                try:
                    queue.remove(waiter)  # type: ignore[attr-defined]
                except ValueError:
                    pass
                if not queue:
                    del blocking[key]

    def _reply_and_resume(self, client: Client, reply: object) -> None:
        if client.closed:
            return
        client.push(reply)
        connection = client.connection
        resume = getattr(connection, "resume", None)
        if resume is not None and self.server.loop is not None:
            # Later requests of this client run on the next loop pass, after its reply is queued.
            self.server.loop.call_soon(resume)

    def time_out(self, waiter: Waiter) -> None:
        client = waiter.client
        if client.blocked is not waiter:
            return
        self._release(waiter)
        self._reply_and_resume(client, waiter.timeout_reply)

    def unblock(self, client: Client, error: bool) -> bool:
        """CLIENT UNBLOCK: release ``client`` as if timed out, or with the UNBLOCKED error."""
        waiter = client.blocked
        if not isinstance(waiter, Waiter):
            return False
        self._release(waiter)
        self._reply_and_resume(client, CommandError(UNBLOCKED_ERROR) if error else waiter.timeout_reply)
        return True

    def forget(self, client: Client) -> None:
        """The client went away: drop its waiter, nothing else changes."""
        waiter = client.blocked
        if isinstance(waiter, Waiter):
            self._release(waiter)

    def serve_ready_keys(self) -> None:
        """Serve waiters on every ready key, FIFO per key, until no key is ready."""
        server = self.server
        ready = server.ready_keys
        while ready:
            db, key = next(iter(ready))
            del ready[(db, key)]
            queue = db.blocking.get(key)
            if not queue:
                continue
            for waiter in list(queue):  # type: ignore[call-overload]
                if waiter.client.blocked is not waiter:
                    continue
                present = key in db.data
                waiter.ready_key = key
                self._retry(waiter)
                waiter.ready_key = None
                if present and key not in db.data:
                    break  # the key is gone (popped empty): later waiters cannot be served by it
                # A key already gone when served is tried for every waiter: a blocked XREADGROUP
                # gets its error (Redis 7.0 fails each such client), other commands stay blocked.

    def _retry(self, waiter: Waiter) -> None:
        from miniredis.server.dispatcher import charge_served

        client = waiter.client  # its selected db cannot change while it is blocked
        dirty_before = self.server.dirty
        try:
            reply = waiter.spec.handler(client, waiter.argv)  # type: ignore[misc]
        except CommandError as failure:
            reply = failure
        except Exception:  # a handler bug: the waiter gets an error instead of hanging forever
            from miniredis.server.dispatcher import internal_error

            reply = internal_error(waiter.spec, waiter.argv)
        if type(reply) is Block:
            return  # still nothing for this client: it keeps its place
        self._release(waiter)
        charge_served(client, waiter, dirty_before)
        self._reply_and_resume(client, reply)
