"""The one path every request takes (Redis's ``processCommand`` and ``call``).

``dispatch(client, argv)`` runs the checks in Redis 7.0's order, each rejection being the reply:

1. lookup (command, then subcommand)      -> unknown command / unknown subcommand
2. arity from the command table           -> wrong number of arguments for '<fullname>'
3. authentication                         -> NOAUTH (unless the command is no_auth)
4. no_multi commands inside MULTI         -> Command not allowed inside a transaction
5. RESP2 pub/sub context                  -> Can't execute '<fullname>': only (P|S)SUBSCRIBE ...
6. CLIENT PAUSE                           -> the request is postponed until the pause ends
7. MULTI                                  -> queued (QUEUED); a rejection above marks EXEC to abort
8. ``call``: run the handler, count commandstats/errorstats, feed MONITOR, then the side paths
   after the command: propagation of effects, then serving clients blocked on keys made ready.

Handlers never await; all waiting lives in the connection and timer layers.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.errors import CommandError
from miniredis.protocol.replies import QUEUED

if TYPE_CHECKING:
    from miniredis.commands.registry import CommandSpec
    from miniredis.server.client import Client


class Postponed:
    """Returned when CLIENT PAUSE holds the request: the connection retries it when the pause ends."""

    __slots__ = ()


POSTPONED = Postponed()

_TRANSACTION_CONTROL = frozenset({"exec", "discard", "multi", "watch", "quit", "reset"})

perf_counter_ns = time.perf_counter_ns


def resolve(client: Client, argv: list[bytes]) -> CommandSpec:
    """Find the spec for ``argv`` and check its arity, raising the exact rejection text."""
    spec = client.server.table.lookup(argv[0])
    if spec is None:
        raise CommandError(errors.unknown_command(argv[0], argv[1:]))
    if spec.subcommands and len(argv) > 1:
        sub = spec.subcommands.get(argv[1]) or spec.subcommands.get(argv[1].lower())
        if sub is None:
            raise CommandError(errors.unknown_subcommand(argv[1], argv[0]))
        spec = sub
    arity = spec.arity
    if (arity > 0 and arity != len(argv)) or len(argv) < -arity:
        raise CommandError(errors.wrong_arity(spec.name))
    return spec


def dispatch(client: Client, argv: list[bytes]) -> object:
    """Process one request and return its reply value (or POSTPONED).

    The common case (a known plain command with the right arity, from an authenticated client
    outside MULTI, pub/sub context and CLIENT PAUSE) takes the short path; everything else goes
    through ``dispatch_checked``, which runs every check in Redis's order.
    """
    server = client.server
    spec = server.table.by_name.get(argv[0])
    if spec is None or spec.subcommands or client.restricted or server.pause_active or server.monitors:
        return dispatch_checked(client, argv)
    arity = spec.arity
    if (arity > 0 and arity != len(argv)) or len(argv) < -arity:
        return dispatch_checked(client, argv)
    # call(), inlined for the common case: no MONITOR; same stats and propagation.
    client.last_command = spec.name
    dirty_before = server.dirty
    started = perf_counter_ns()
    try:
        reply = spec.handler(client, argv)  # type: ignore[misc]
    except CommandError as failure:
        reply = failure
        spec.failed_calls += 1
        server.stats.count_error(failure)
    spec.calls += 1
    spec.usec += (perf_counter_ns() - started) // 1000
    server.commands_processed += 1
    if server.dirty != dirty_before:
        propagated = client.propagate
        if propagated is not None:
            client.propagate = None
            for effect in propagated:
                server.propagate(client.db, effect)
        else:
            server.propagate(client.db, argv)
    if server.ready_keys:
        server.serve_ready_keys()
    return reply


def dispatch_checked(client: Client, argv: list[bytes]) -> object:
    """The full processCommand path: every rejection in Redis's order, pause, MULTI queueing."""
    server = client.server
    spec: CommandSpec | None = None
    try:
        spec = resolve(client, argv)
        if not client.authenticated and not spec.no_auth:
            raise CommandError(errors.NOAUTH)
        if client.multi is not None and spec.no_multi:
            raise CommandError(errors.NOT_ALLOWED_IN_MULTI)
        if client.resp == 2 and not spec.pubsub_allowed and client.in_pubsub_context:
            raise CommandError(errors.PUBSUB_CONTEXT.format(spec.name))
    except CommandError as rejection:
        server.stats.count_error(rejection)
        if spec is not None:
            spec.rejected_calls += 1
        if client.multi is not None:
            client.dirty_exec = True
        return rejection
    if server.pause_active and server.pause_holds(client, spec):
        return POSTPONED
    if client.multi is not None and spec.name not in _TRANSACTION_CONTROL:
        client.multi.append((spec, argv))
        return QUEUED
    reply = call(client, spec, argv)
    if server.ready_keys:
        server.serve_ready_keys()
    return reply


def call(client: Client, spec: CommandSpec, argv: list[bytes]) -> object:
    """Run a handler (Redis's ``call``): stats, MONITOR, and propagation of the effect."""
    server = client.server
    client.last_command = spec.name
    dirty_before = server.dirty
    started = perf_counter_ns()
    try:
        reply = spec.handler(client, argv)  # type: ignore[misc]
    except CommandError as failure:
        reply = failure
    spec.calls += 1
    spec.usec += (perf_counter_ns() - started) // 1000
    server.commands_processed += 1
    if type(reply) is CommandError:
        spec.failed_calls += 1
        server.stats.count_error(reply)
    if server.monitors and not spec.skip_monitor and "admin" not in spec.flags:
        server.feed_monitors(client, argv)
    if server.dirty != dirty_before:
        propagated = client.propagate
        if propagated is not None:
            client.propagate = None
            for effect in propagated:
                server.propagate(client.db, effect)
        else:
            server.propagate(client.db, argv)
    return reply
