"""Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0's multi.c behaviour).

Queueing happens in the dispatcher: after MULTI, every command that passes the dispatcher's checks
is queued (``+QUEUED``); one that is rejected there (unknown command, arity, NOAUTH, ...) marks the
transaction dirty and EXEC then replies EXECABORT. Errors raised by MULTI/WATCH themselves inside a
transaction (nested MULTI, WATCH inside MULTI) are plain replies and do not abort it, as in Redis.

WATCH is optimistic locking: ``Db.signal_modified`` sets ``dirty_cas`` on every client watching the
key, so any write by anyone, a delete, an expiry, FLUSHDB/FLUSHALL, SWAPDB or a RENAME onto the key
makes EXEC fail with a null array. A watched key whose TTL has passed by EXEC time also fails it,
even if nothing has deleted it yet, unless it was already expired when it was watched (7.0 rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands import connection
from miniredis.commands.registry import command
from miniredis.errors import CommandError
from miniredis.protocol.replies import NULL_ARRAY, OK, Raw
from miniredis.server.app import Server
from miniredis.server.dispatcher import call

if TYPE_CHECKING:
    from miniredis.keyspace.db import Db
    from miniredis.server.client import Client


def _key_is_expired(db: Db, key: bytes) -> bool:
    when = db.expires.get(key)
    return when is not None and when <= db.server.clock.time_ms()


def watch_key(client: Client, db: Db, key: bytes) -> None:
    for watched_db, watched_key, _ in client.watched:
        if watched_db is db and watched_key == key:
            return
    client.watched.append((db, key, _key_is_expired(db, key)))
    db.watched.setdefault(key, set()).add(client)


def unwatch_all(client: Client) -> None:
    for db, key, _ in client.watched:
        watchers = db.watched.get(key)
        if watchers is not None:
            watchers.discard(client)
            if not watchers:
                del db.watched[key]
    client.watched = []
    client.dirty_cas = False


def watched_key_expired(client: Client) -> bool:
    """isWatchedKeyExpired: a watched key's TTL has passed since it was watched."""
    return any(
        not expired_when_watched and _key_is_expired(db, key) for db, key, expired_when_watched in client.watched
    )


def discard_transaction(client: Client) -> None:
    client.multi = None
    client.dirty_exec = False
    client.update_restricted()
    unwatch_all(client)


@command("multi")
def multi(client: Client, argv: list[bytes]) -> object:
    if client.multi is not None:
        raise CommandError(errors.MULTI_NESTED)
    client.multi = []
    client.update_restricted()
    return OK


@command("exec")
def exec_(client: Client, argv: list[bytes]) -> object:
    if client.multi is None:
        raise CommandError(errors.EXEC_WITHOUT_MULTI)
    if watched_key_expired(client):
        client.dirty_cas = True
    if client.dirty_exec or client.dirty_cas:
        aborted = client.dirty_exec
        discard_transaction(client)
        if aborted:
            raise CommandError(errors.EXECABORT)
        return NULL_ARRAY
    queued = client.multi
    unwatch_all(client)  # as early as possible: the transaction's own writes must not matter
    client.in_exec = True  # the client stays in MULTI (CLIENT LIST flag x) until EXEC is done
    replies: list[object] = []
    encode = client.encode
    try:
        for spec, queued_argv in queued:
            reply = call(client, spec, queued_argv)
            if client.encode is not encode:
                # HELLO switched the protocol mid-EXEC: Redis wrote the earlier replies already, in the
                # old protocol, and the rest (HELLO's own reply included) in the new one.
                replies = [done if type(done) is Raw else Raw(encode(done)) for done in replies]
                encode = client.encode
            replies.append(reply)
    finally:
        client.in_exec = False
        client.multi = None
        client.dirty_exec = False
        client.update_restricted()
    return replies


@command("discard")
def discard(client: Client, argv: list[bytes]) -> object:
    if client.multi is None:
        raise CommandError(errors.DISCARD_WITHOUT_MULTI)
    discard_transaction(client)
    return OK


@command("watch")
def watch(client: Client, argv: list[bytes]) -> object:
    if client.multi is not None:
        raise CommandError(errors.WATCH_IN_MULTI)
    for key in argv[1:]:
        watch_key(client, client.db, key)
    return OK


@command("unwatch")
def unwatch(client: Client, argv: list[bytes]) -> object:
    unwatch_all(client)
    return OK


def _forget_transaction(client: Client) -> None:
    client.multi = None
    client.dirty_exec = False
    unwatch_all(client)
    client.update_restricted()


Server.client_cleanups.append(_forget_transaction)
connection.RESET_HOOKS.append(_forget_transaction)
