"""Per-client state (Redis's ``client`` struct): identity, selected db, protocol, auth, MULTI, WATCH,
subscriptions, blocking and reply mode. It is also the context every command handler receives."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from miniredis.protocol.encoder import Encoder, encode2, encode3

if TYPE_CHECKING:
    import asyncio

    from miniredis.commands.registry import CommandSpec
    from miniredis.keyspace.db import Db
    from miniredis.server.app import Server


log = logging.getLogger("miniredis")


class Client:
    __slots__ = (
        "id", "server", "db", "resp", "encode", "name", "addr", "laddr", "fd", "created_ms", "last_interaction_ms",
        "authenticated", "user", "multi", "dirty_exec", "dirty_cas", "watched", "channels", "patterns",
        "shard_channels", "reply_mode", "last_command", "close_after_reply", "closed", "transport", "out",
        "flush_scheduled", "no_evict", "is_monitor", "blocked", "unblock_error", "kind", "propagate",
        "connection", "argv_mem", "in_exec", "restricted", "soft_limit_since",
    )

    def __init__(self, server: Server, client_id: int, transport: asyncio.Transport | None) -> None:
        self.id = client_id
        self.server = server
        self.db: Db = server.dbs[0]
        self.resp = 2
        self.encode: Encoder = encode2
        self.name = b""
        self.addr = ""
        self.laddr = ""
        self.fd = -1
        self.created_ms = self.last_interaction_ms = server.clock.time_ms()
        self.authenticated = not server.config.requirepass
        self.user = b"default"
        self.multi: list[tuple[CommandSpec, list[bytes]]] | None = None  # queued commands while in MULTI
        self.dirty_exec = False  # a command was rejected while queueing: EXEC will abort
        self.dirty_cas = False  # a WATCHed key was touched: EXEC will fail
        self.watched: list[tuple[Db, bytes, bool]] = []  # (db, key, already expired when watched)
        # Subscriptions in subscription order (dicts used as ordered sets).
        self.channels: dict[bytes, None] = {}
        self.patterns: dict[bytes, None] = {}
        self.shard_channels: dict[bytes, None] = {}
        self.reply_mode = "on"  # CLIENT REPLY ON|OFF|SKIP ("skip_next" after SKIP)
        self.last_command = "NULL"
        self.close_after_reply = False
        self.closed = False
        self.transport = transport
        self.out: list[bytes] = []  # encoded replies and pushes not yet written
        self.flush_scheduled = False
        self.no_evict = False
        self.is_monitor = False
        self.blocked: object | None = None  # the blocking module's waiter while blocked
        self.unblock_error = False
        self.kind = "normal"  # normal | pubsub | master | replica (CLIENT LIST TYPE)
        self.propagate: list[list[bytes]] | None = None
        self.connection: object | None = None
        self.argv_mem = 0
        self.in_exec = False
        self.soft_limit_since = 0.0  # monotonic time the output first passed the soft limit (0: under it)
        # True while any dispatcher check could reject or divert this client's commands
        # (unauthenticated, in MULTI, RESP2 with subscriptions, replies off, CLIENT PAUSE or MONITOR
        # active); see update_restricted().
        self.restricted = True
        self.update_restricted()

    def update_restricted(self) -> None:
        """Recompute ``restricted``; called wherever auth, MULTI, protocol or subscriptions change."""
        self.restricted = (
            not self.authenticated or self.multi is not None or (self.resp == 2 and self.in_pubsub_context)
            or self.reply_mode != "on" or self.server.checks_needed
        )

    def set_protocol(self, version: int) -> None:
        self.resp = version
        self.encode = encode3 if version == 3 else encode2
        self.update_restricted()

    @property
    def subscriptions(self) -> int:
        return len(self.channels) + len(self.patterns) + len(self.shard_channels)

    @property
    def in_pubsub_context(self) -> bool:
        """RESP2 clients with a subscription may only run the pub/sub commands (CLIENT_PUBSUB)."""
        return bool(self.channels or self.patterns or self.shard_channels)

    def push(self, reply: object) -> None:
        """Queue an out-of-band reply (blocked-command reply, MONITOR line) for this loop pass."""
        if not self.closed:
            self.push_raw(self.encode(reply))

    def push_raw(self, data: bytes) -> None:
        """Queue encoded bytes; written once per loop pass however many arrive (fan-out batching)."""
        if self.closed or self.close_after_reply:
            return
        self.out.append(data)
        if not self.flush_scheduled:
            self.flush_scheduled = True
            self.server.schedule_flush(self)

    def flush(self) -> None:
        if self.server.aof_buf and self.server.aof.before_reply(self):
            return  # AOF records reach the file first; appendfsync always defers this flush to the pass's end
        self.flush_scheduled = False
        transport = self.transport
        if transport is None or self.closed:
            self.out.clear()
            return
        if self.out:
            data = b"".join(self.out) if len(self.out) > 1 else self.out[0]
            self.out.clear()
            transport.write(data)
            if self.server.output_limits_enforced:
                # Nothing left unsent (the usual case) is under every limit: no check to run, unless
                # a soft-limit clock is running and must be reset.
                pending = transport.get_write_buffer_size()
                if pending or self.soft_limit_since:
                    self.check_output_limits(pending)
        if self.close_after_reply and not self.closed:
            transport.close()

    def check_output_limits(self, pending: int) -> None:
        """client-output-buffer-limit: over the hard limit, or over the soft limit for longer than its
        seconds, the client is disconnected at once and what it had not read is dropped (as Redis)."""
        limit = self.server.config.client_output_buffer_limit["pubsub" if self.in_pubsub_context else "normal"]
        if limit.hard and pending >= limit.hard:
            self.drop("hard")
        elif limit.soft and pending >= limit.soft:
            now = time.monotonic()
            if not self.soft_limit_since:
                self.soft_limit_since = now
            elif now - self.soft_limit_since > limit.soft_seconds:  # Redis: over it for *more* than the seconds
                self.drop("soft")
        else:
            self.soft_limit_since = 0.0

    def drop(self, why: str) -> None:
        log.warning("Client %s scheduled to be closed ASAP for overcoming of output buffer limits (%s).",
                    self.addr, why)
        self.close_after_reply = True
        self.out.clear()
        if self.transport is not None:
            self.transport.abort()

    def __repr__(self) -> str:
        return f"Client(id={self.id}, addr={self.addr})"
