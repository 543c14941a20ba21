"""Clients blocked on keys: one mechanism for every blocking command (Redis's blocked.c).

A blocking handler (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, XREADGROUP BLOCK, ...) that finds
nothing to serve returns ``Block(keys, timeout, ...)`` instead of a reply. The dispatcher hands it
to ``BlockingManager.block``: the client becomes a ``Waiter`` queued (FIFO) on each of its keys in
``Db.blocking``, its connection stops processing further requests, and a timer is armed.

A write to a key calls ``Db.signal_modified``, which marks the key ready when it has waiters. After
the writing command has finished (or EXEC, or a script), the dispatcher calls
``serve_ready_keys``: for each ready key, in the order keys became ready, its waiters are tried in
FIFO order by re-running their command's handler with ``client.blocked`` still set (so the handler
can read its saved state, e.g. the IDs ``$`` resolved to when it blocked). A handler that can
serve returns its reply and the client is released; one that returns ``Block`` again stays queued
in place. Serving can make other keys ready (BLMOVE pushes): the loop runs until none are left.

Timeouts reply ``Block.timeout_reply`` (a null array for most commands); ``CLIENT UNBLOCK`` does the
same, or replies ``-UNBLOCKED`` with ERROR; a disconnect just removes the waiter. Inside MULTI/EXEC
a blocking command never blocks: ``call`` turns a ``Block`` into its timeout reply. Blocking
timeouts run on the event loop's monotonic clock, not on the server clock (like Redis's timers).
"""

from __future__ import annotations

import math
from collections import deque
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

    __slots__ = ("client", "db", "keys", "spec", "argv", "state", "timeout_reply", "timer", "since_ms")

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


class ReadyKeys(dict):  # type: ignore[type-arg]
    """Keys made ready by writes, in the order they became ready (an insertion-ordered set)."""

    def add(self, item: tuple[Db, bytes]) -> None:
        self[item] = None


def parse_timeout_seconds(raw: bytes) -> float:
    """BLPOP-style timeout: seconds as a float (``0.05``); errors as Redis's getTimeoutFromObjectOrReply."""
    try:
        value = float(raw)
    except ValueError:
        raise CommandError(TIMEOUT_NOT_FLOAT) from None
    if math.isnan(value) or math.isinf(value) or raw[:1].isspace() or raw[-1:].isspace():
        raise CommandError(TIMEOUT_NOT_FLOAT)
    if value < 0:
        raise CommandError(TIMEOUT_NEGATIVE)
    return value


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
        if block.timeout > 0 and loop is not None:
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
                self._retry(waiter)
                if key not in db.data:
                    break  # the key is gone (popped empty): later waiters cannot be served by it

    def _retry(self, waiter: Waiter) -> None:
        from miniredis.server.dispatcher import charge_served

        client = waiter.client  # its selected db cannot change while it is blocked
        dirty_before = self.server.dirty
        try:
            reply = waiter.spec.handler(client, waiter.argv)  # type: ignore[misc]
        except CommandError as failure:
            reply = failure
        if type(reply) is Block:
            return  # still nothing for this client: it keeps its place
        self._release(waiter)
        charge_served(client, waiter, dirty_before)
        self._reply_and_resume(client, reply)
