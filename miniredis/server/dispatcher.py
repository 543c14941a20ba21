"""The one path every request takes (Redis's ``processCommand`` and ``call``).

``dispatch(client, argv)`` runs the checks in Redis 7.0's order, each rejection being the reply:

1. lookup (command, then subcommand)      -> unknown command / unknown subcommand
2. arity from the command table           -> wrong number of arguments for '<fullname>'
3. authentication                         -> NOAUTH (unless the command is no_auth)
4. no_multi commands inside MULTI         -> Command not allowed inside a transaction
5. RESP2 pub/sub context                  -> Can't execute '<fullname>': only (P|S)SUBSCRIBE ...
6. a MONITOR connection touching keys     -> Replica can't interact with the keyspace
7. CLIENT PAUSE                           -> the request is postponed until the pause ends
8. MULTI                                  -> queued (QUEUED); a rejection above marks EXEC to abort
   (a rejected EXEC itself answers EXECABORT with the reason and discards the transaction)
9. ``call``: run the handler, count commandstats/errorstats, feed MONITOR, then the side paths
   after the command: propagation of effects, then serving clients blocked on keys made ready.

``run_requests`` runs a batch and takes a short path for the common case (see its docstring);
everything else goes through ``dispatch``. Handlers never await; all waiting lives in the
connection and timer layers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from miniredis import errors
from miniredis.blocking import Block
from miniredis.errors import CommandError
from miniredis.protocol.replies import NO_REPLY, QUEUED, Raw

if TYPE_CHECKING:
    from miniredis.blocking import Waiter
    from miniredis.commands.registry import CommandSpec
    from miniredis.server.client import Client


class Postponed:
    """Returned when CLIENT PAUSE holds the request: the connection retries it when the pause ends."""

    __slots__ = ()


class Blocked:
    """Returned when the command blocked the client (see blocking.py): no reply yet."""

    __slots__ = ()


POSTPONED: Final = Postponed()
BLOCKED: Final = Blocked()

_TRANSACTION_CONTROL: Final = frozenset({"exec", "discard", "multi", "watch", "quit", "reset"})

perf_counter_ns: Final = time.perf_counter_ns
log = logging.getLogger("miniredis")

REPLY_ON: Final = "on"  # client.reply_mode values are these interned strings: "on", "off", "skip", "skip_next"


def lookup(client: Client, argv: list[bytes]) -> CommandSpec:
    """The spec for ``argv`` (command, then subcommand), or the unknown command/subcommand error.
    Like Redis's lookup, it sets the client's current command (``NULL`` when there is none)."""
    spec = client.server.table.lookup(argv[0])
    if spec is not None and spec.subcommands and len(argv) > 1:
        spec = spec.subcommands.get(argv[1]) or spec.subcommands.get(argv[1].lower())
        if spec is None:
            client.last_command = "NULL"
            raise CommandError(errors.unknown_subcommand(argv[1], argv[0]))
    if spec is None:
        client.last_command = "NULL"
        raise CommandError(errors.unknown_command(argv[0], argv[1:]))
    client.last_command = spec.name
    return spec


def internal_error(spec: CommandSpec, argv: list[bytes]) -> CommandError:
    """The reply for an unexpected exception in a handler (a miniredis bug): logged with its
    traceback; the client gets an error and keeps its connection, the server keeps running."""
    log.exception("Unexpected error running %r (%d arguments)", spec.name, len(argv))
    return CommandError(f"ERR internal error in '{spec.name}': see the server log")


def check_arity(spec: CommandSpec, argv: list[bytes]) -> None:
    arity = spec.arity
    if (arity > 0 and arity != len(argv)) or len(argv) < -arity:
        raise CommandError(errors.wrong_arity(spec.name))


def resolve(client: Client, argv: list[bytes]) -> CommandSpec:
    """``lookup`` plus the arity check: the spec, or the exact rejection text (AOF replay uses it)."""
    spec = lookup(client, argv)
    check_arity(spec, argv)
    return spec


def run_requests(client: Client, requests: Sequence[list[bytes]]) -> int:
    """Dispatch a batch of requests in order, appending each encoded reply to ``client.out``.

    Returns how many requests were consumed: fewer than ``len(requests)`` when one was postponed
    (CLIENT PAUSE; it is not consumed) or the client is to be closed after its reply (QUIT, KILL).

    The common case (a known plain command with the right arity, from a client outside MULTI,
    RESP2 pub/sub context and auth checks, with no CLIENT PAUSE or MONITOR) runs inline here: it is
    ``call()`` without MONITOR. Time is charged per *run* of the same command: a pipeline of 16
    LPUSH reads the clock twice, not 16 times (a clock read costs as much as a small command's
    bookkeeping), and INFO commandstats sees the same totals. Everything else goes through
    ``dispatch``, which runs every check in Redis's order.
    """
    server = client.server
    by_name = server.table.by_name
    append = client.out.append
    encode = client.encode
    propagating = server.propagating
    clock = perf_counter_ns()
    run: CommandSpec | None = None  # the command of the current run, charged when the run ends
    consumed = 0
    for argv in requests:
        spec = by_name.get(argv[0])
        # One test for: a known command, plain, with an argument count its arity allows (see
        # CommandSpec.short_min/short_max), from a client no check applies to (Client.restricted,
        # which also covers CLIENT PAUSE and MONITOR through Server.checks_needed).
        if spec is None or client.restricted or not spec.short_min <= len(argv) <= spec.short_max:
            if run is not None:
                now = perf_counter_ns()
                run.nsec += now - clock
                clock = now
                run = None
            reply = dispatch(client, argv)
            clock = perf_counter_ns()
            if reply is POSTPONED:
                return consumed
            consumed += 1
            if reply is BLOCKED:
                return consumed  # the rest of the pipeline waits until the client is released
            encode = client.encode  # these may have changed (HELLO, CONFIG SET appendonly)
            propagating = server.propagating
            mode = client.reply_mode
            if reply is NO_REPLY:
                pass
            elif mode is REPLY_ON:
                append(reply if type(reply) is Raw else encode(reply))  # type: ignore[arg-type]
            elif mode == "skip_next":
                client.reply_mode = REPLY_ON
                client.update_restricted()
            elif mode == "skip":
                client.reply_mode = "skip_next"
            if client.close_after_reply:
                break
            continue
        # The short path: call() inlined, without MONITOR; the same stats and propagation. A plain
        # command never closes the client, switches its protocol or replies nothing (QUIT, HELLO and
        # RESET are not plain; CLIENT REPLY modes make the client restricted).
        if spec is not run:
            if run is not None:
                now = perf_counter_ns()
                run.nsec += now - clock
                clock = now
            run = spec
        client.last_command = spec.name
        dirty_before = server.dirty
        try:
            reply = spec.handler(client, argv)  # type: ignore[misc]
        except CommandError as failure:
            reply = failure
            spec.failed_calls += 1
            server.stats.count_error(failure)
        except Exception:  # a bug in a handler must not cost the client its connection
            reply = internal_error(spec, argv)
            spec.failed_calls += 1
            server.stats.count_error(reply)
        spec.calls += 1
        if propagating:
            if server.dirty != dirty_before:
                propagate_effects(client, argv)
            else:
                client.propagate = None
        if server.ready_keys:
            # Serving blocked clients runs their commands: charge this run first, start a new one after.
            now = perf_counter_ns()
            spec.nsec += now - clock
            server.serve_ready_keys()
            clock = perf_counter_ns()
            run = None
        consumed += 1
        # The replies that are the same in both protocols and most common are encoded here, without
        # an encoder call: pre-encoded ones (+OK, +QUEUED), bulk strings and integers.
        kind = type(reply)
        if kind is Raw:
            append(reply)  # type: ignore[arg-type]
        elif kind is bytes:
            append(b"$%d\r\n%b\r\n" % (len(reply), reply))  # type: ignore[arg-type,str-format]
        elif kind is int:
            append(b":%d\r\n" % reply)  # type: ignore[str-format]
        else:
            append(encode(reply))
    if run is not None:
        run.nsec += perf_counter_ns() - clock
    return consumed


def dispatch(client: Client, argv: list[bytes]) -> object:
    """Process one request through every check, in Redis's processCommand order, and return its
    reply value (or POSTPONED when CLIENT PAUSE holds it)."""
    server = client.server
    spec: CommandSpec | None = None
    try:
        spec = lookup(client, argv)
        check_arity(spec, argv)  # after lookup, so that an arity rejection is counted for the spec
        if not client.authenticated and not spec.no_auth:
            raise CommandError(errors.NOAUTH)
        if client.multi is not None and spec.no_multi:
            raise CommandError(errors.NOT_ALLOWED_IN_MULTI)
        if client.resp == 2 and not spec.pubsub_allowed and client.in_pubsub_context:
            raise CommandError(errors.PUBSUB_CONTEXT.format(spec.name))
        if client.is_monitor and (spec.write or spec.readonly or spec.may_replicate):
            # A MONITOR connection is a replica to Redis: it may not touch the keyspace.
            raise CommandError(errors.REPLICA_KEYSPACE)
    except CommandError as rejection:
        if spec is not None:
            spec.rejected_calls += 1
        if client.multi is not None:
            client.dirty_exec = True
        if spec is not None and spec.name == "exec":
            # A rejected EXEC discards the transaction and says why (execCommandAbort), even
            # outside MULTI: "EXECABORT Transaction discarded because of: <reason>".
            from miniredis.commands.transactions import discard_transaction

            if client.multi is not None:
                discard_transaction(client)
            reason = rejection.message[4:] if rejection.message.startswith("ERR ") else rejection.message
            rejection = CommandError("EXECABORT Transaction discarded because of: " + reason)
        server.stats.count_error(rejection)
        return rejection
    if server.pause_active and server.pause_holds(client, spec, argv):
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
    except Exception:  # a bug in a handler must not cost the client its connection
        reply = internal_error(spec, argv)
    if type(reply) is Block:
        if client.in_exec or client.multi is not None:
            reply = reply.timeout_reply  # inside MULTI/EXEC a blocking command does not block
        else:
            server.blocking.block(client, spec, argv, reply)
            reply = BLOCKED
    now = perf_counter_ns()
    spec.nsec += now - started
    spec.calls += 1
    if type(reply) is CommandError:
        spec.failed_calls += 1
        server.stats.count_error(reply)
    if server.monitors and not spec.skip_monitor and "admin" not in spec.flags:
        server.feed_monitors(client, argv)
    if server.dirty != dirty_before:
        if server.propagating:
            propagate_effects(client, argv)
        client.propagate = None
    return reply


def charge_served(client: Client, waiter: Waiter, dirty_before: int) -> None:
    """A blocked client was served by re-running its handler: propagate the effect it recorded
    (the non-blocking form, e.g. LPOP for BLPOP), as Redis does for a served blocked client."""
    server = client.server
    if server.dirty != dirty_before:
        if server.propagating:
            propagate_effects(client, waiter.argv)
        client.propagate = None


def propagate_effects(client: Client, argv: list[bytes]) -> None:
    """Feed the effect of the command that just ran to the AOF: its rewritten form(s) or argv itself."""
    effects = client.propagate
    client.propagate = None
    # One call per command (not per effect), so the AOF can group a command's effects (MULTI/EXEC).
    client.server.propagate_command(client, argv, effects)
