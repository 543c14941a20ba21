"""The Server: owns every piece of state and the event-loop side of the process.

One event loop owns all state, as in Redis: databases, clients, the command table, statistics,
CLIENT PAUSE, MONITOR. Listening sockets are created on the configured bind addresses (a ``-``
prefix marks an address that may be unavailable, as in redis.conf); port 0 picks a free port. A
timer runs ``cron`` ``hz`` times a second (Redis's ``serverCron``): active expiry, client
timeouts, the instantaneous-ops sample, the end of CLIENT PAUSE.

Hooks that later subsystems fill: ``notify`` (keyspace notifications), ``propagate`` (AOF feed of
effects), ``serve_ready_keys`` (clients blocked on keys made ready by a write).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from miniredis import __version__
from miniredis.blocking import BlockingManager, ReadyKeys
from miniredis.clock import Clock, SystemClock
from miniredis.commands import load_commands
from miniredis.commands.registry import TABLE, CommandSpec
from miniredis.config import Config
from miniredis.errors import CommandError
from miniredis.keyspace.db import Db
from miniredis.persistence.aof import Aof
from miniredis.pubsub import PubSubHub
from miniredis.quoting import repr_arg
from miniredis.server.connection import RespConnection

if TYPE_CHECKING:
    from miniredis.info import InfoExtras
    from miniredis.keyspace.expiry import ExpireStats
    from miniredis.scripting.runtime import Script, ScriptEngine
    from miniredis.server.client import Client

log = logging.getLogger("miniredis")


class Stats:
    """Counters behind INFO stats and errorstats."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.connections_received = 0
        self.rejected_connections = 0
        self.expired_keys = 0
        self.evicted_keys = 0
        self.keyspace_hits = 0
        self.keyspace_misses = 0
        self.net_input_bytes = 0
        self.net_output_bytes = 0
        self.error_replies = 0
        self.errors: dict[str, int] = {}
        self.ops_samples: list[tuple[float, int]] = []

    def count_error(self, error: CommandError) -> None:
        self.error_replies += 1
        code = error.code
        self.errors[code] = self.errors.get(code, 0) + 1

    def instantaneous_ops(self) -> int:
        samples = self.ops_samples
        if len(samples) < 2:
            return 0
        (t0, c0), (t1, c1) = samples[0], samples[-1]
        return int((c1 - c0) / (t1 - t0)) if t1 > t0 else 0


class Server:
    def __init__(self, config: Config | None = None, clock: Clock | None = None) -> None:
        load_commands()
        self.config = config or Config()
        self.clock: Clock = clock or SystemClock()
        self.table = TABLE
        self.dbs = [Db(self, index) for index in range(self.config.databases)]
        self.clients: dict[int, Client] = {}
        self._next_client_id = 0
        self.stats = Stats()
        self.dirty = 0
        self.monitors: list[Client] = []
        self.pubsub = PubSubHub(self)
        # The enabled notify-keyspace-events flags ("" when off), mirrored from the config (CONFIG SET
        # applies it, commands/server.py _apply) so that hot paths test a plain attribute.
        self.keyspace_events: str = self.config.notify_keyspace_events
        self.config.__dict__["on_change"] = self.setting_changed
        # Output limits are checked after every flush unless every class is unlimited.
        self.output_limits_enforced = True
        # Effects are only built and fed when something consumes them (the AOF, once enabled).
        self.propagating = False
        self.ready_keys = ReadyKeys()  # (db, key) made ready for blocked clients, in order
        self.blocking = BlockingManager(self)
        # AOF persistence (issue 8): effects are fed to it while appendonly is on; records it has buffered
        # (aof_buf, the same list) are written before any reply of the loop pass leaves.
        self.aof = Aof(self)
        self.aof_buf = self.aof.buf
        self.pause_active = False
        # True while the dispatcher's short path must not be taken (CLIENT PAUSE, MONITOR attached).
        self.checks_needed = False
        self.pause_all = False  # CLIENT PAUSE ALL (else WRITE)
        self.pause_end_ms = 0
        self.pause_timer: asyncio.TimerHandle | None = None
        self.started_monotonic = time.monotonic()
        self.run_id = os.urandom(20).hex()
        self.lastsave = self.clock.time_ms() // 1000
        self.loop: asyncio.AbstractEventLoop | None = None
        self._servers: list[asyncio.base_events.Server] = []
        self._flush_queue: list[Client] = []
        self._cron_handle: asyncio.TimerHandle | None = None
        self.port = self.config.port
        self.shutdown_requested: Callable[[], None] | None = None
        self.version = __version__
        # The hooks every keyspace event and every effect goes through, as attributes rather than
        # methods so that an embedding test can observe them (tests/helpers.py ``recording``); the
        # server's own are publish_event, feed_effect and feed_command.
        self.notify: Callable[[Db, str, bytes, str], None] = self.publish_event
        self.propagate: Callable[[Db, list[bytes]], None] = self.feed_effect
        self.propagate_command: Callable[[Client, list[bytes], list[list[bytes]] | None], None] = self.feed_command
        self.expire_stats: ExpireStats | None = None  # the active expiry cycle's figures (keyspace/expiry.py)
        self.info_extras: InfoExtras | None = None  # values INFO keeps itself (info.py)
        self.config_file = ""  # absolute path of the config file the server started with (INFO server)
        self.executable = ""  # the program that started the server (INFO server); "" when embedded
        self.script_engine: ScriptEngine | None = None  # created on first use (scripting/runtime.py)
        self.scripts: dict[str, Script] = {}  # the engine's script cache (INFO number_of_cached_scripts)

    # --- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        """Listen on every bind address; port 0 takes a free port, the same for every address."""
        self.loop = asyncio.get_running_loop()
        if self.config.appendonly:
            self.aof.start_up()  # AOF: load (or create) the append-only files before accepting clients
        port = self.config.port
        for entry in self.config.bind.split():
            optional = entry.startswith("-")
            host = entry.lstrip("-")
            if host == "*":
                host = "0.0.0.0"
            # Any: uvloop's Server.sockets is a list where typeshed says tuple, and compiled code checks.
            listener: Any
            try:
                listener = await self.loop.create_server(
                    lambda: RespConnection(self), host, port, backlog=self.config.tcp_backlog, reuse_address=True,
                )
            except OSError as error:
                if optional:
                    log.debug("Skipping optional bind address %s: %s", host, error)
                    continue
                raise
            if port == 0:
                port = listener.sockets[0].getsockname()[1]
            for sock in listener.sockets:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._servers.append(listener)
        if not self._servers:
            raise OSError("could not bind any address")
        self.port = port
        self._schedule_cron()

    async def stop(self) -> None:
        for listener in self._servers:
            listener.close()
        for client in list(self.clients.values()):
            if client.transport is not None:
                client.transport.close()
        for listener in self._servers:
            await listener.wait_closed()
        self._servers.clear()
        if self._cron_handle is not None:
            self._cron_handle.cancel()
        if self.pause_timer is not None:
            self.pause_timer.cancel()
        self.aof.shutdown()  # AOF: kill a rewrite child, write and fsync what is buffered

    # --- clients -----------------------------------------------------------------------------------
    def next_client_id(self) -> int:
        self._next_client_id += 1
        return self._next_client_id

    def add_client(self, client: Client) -> None:
        self.clients[client.id] = client
        self.stats.connections_received += 1

    def remove_client(self, client: Client) -> None:
        """Forget a disconnected client and everything it held (WATCH, MONITOR, subscriptions)."""
        self.clients.pop(client.id, None)
        self.blocking.forget(client)
        self.pubsub.forget(client)
        for cleanup in self.client_cleanups:
            cleanup(client)
        self.remove_monitor(client)

    def add_monitor(self, client: Client) -> None:
        if client not in self.monitors:
            self.monitors.append(client)
            client.is_monitor = True
        self.update_checks_needed()

    def remove_monitor(self, client: Client) -> None:
        if client in self.monitors:
            self.monitors.remove(client)
            client.is_monitor = False
        self.update_checks_needed()

    def update_checks_needed(self) -> None:
        """Keep the dispatcher's one-attribute test true to the pause and MONITOR state: every
        client is restricted (checked path) while a pause or a MONITOR is active."""
        needed = self.pause_active or bool(self.monitors)
        if needed != self.checks_needed:
            self.checks_needed = needed
            for client in self.clients.values():
                client.update_restricted()

    client_cleanups: ClassVar[list[Callable[[Client], None]]] = []
    """Functions run when a client goes away, registered by subsystems (transactions, pub/sub, blocking)."""

    def schedule_flush(self, client: Client) -> None:
        """Write a client's queued pushes once per loop pass, however many arrived (fan-out batching)."""
        queue = self._flush_queue
        queue.append(client)
        if len(queue) == 1 and self.loop is not None:
            self.loop.call_soon(self._flush_all)

    def _flush_all(self) -> None:
        queue, self._flush_queue = self._flush_queue, []
        if self.aof_buf:
            self.aof.flush_pending()  # AOF first: appendfsync always defers replies here (one fsync per pass)
        for client in queue:
            if client.flush_scheduled:
                client.flush()

    def feed_monitors(self, client: Client, argv: list[bytes]) -> None:
        """MONITOR line: ``+<time> [<db> <addr>] "arg" ...`` with arguments quoted as sdscatrepr does."""
        now_us = self.clock.time_us()
        line = f"{now_us // 1_000_000}.{now_us % 1_000_000:06d} [{client.db.id} {client.addr}] " + " ".join(
            repr_arg(arg) for arg in redact_credentials(argv)
        )
        from miniredis.protocol.replies import Simple

        for monitor in list(self.monitors):
            monitor.push(Simple(line))

    # --- CLIENT PAUSE --------------------------------------------------------------------------------
    def pause_holds(self, client: Client, spec: CommandSpec, argv: list[bytes]) -> bool:
        """Whether CLIENT PAUSE keeps ``spec`` from running now (WRITE mode holds writes and may-replicate)."""
        if self.pause_all:
            return True
        if spec.name == "exec" and client.multi:
            return any(self._may_write(queued, queued_argv) for queued, queued_argv in client.multi)
        return self._may_write(spec, argv)

    def _may_write(self, spec: CommandSpec, argv: list[bytes]) -> bool:
        if spec.name in ("eval", "evalsha"):
            # Redis derives a script's flags from its shebang: without no-writes it is a write.
            from miniredis.scripting.runtime import script_may_write  # only served when lupa is there

            return script_may_write(self, argv)
        return spec.write or spec.may_replicate

    def pause(self, until_ms: int, all_commands: bool) -> None:
        """CLIENT PAUSE until ``until_ms``: a pause in progress keeps the later end and the stricter mode
        (ALL over WRITE), as Redis 7.0 does; an end already past pauses nothing."""
        now = self.clock.time_ms()
        ongoing = self.pause_active and self.pause_end_ms > now
        self.pause_all = all_commands or (ongoing and self.pause_all)
        self.pause_end_ms = max(until_ms, self.pause_end_ms) if ongoing else until_ms
        if self.pause_end_ms <= now:
            self.unpause()
            return
        self.pause_active = True
        self.update_checks_needed()
        if self.pause_timer is not None:
            self.pause_timer.cancel()
        if self.loop is not None:
            self.pause_timer = self.loop.call_later((self.pause_end_ms - now) / 1000, self.unpause)

    def unpause(self) -> None:
        self.pause_active = False
        self.update_checks_needed()
        self.pause_all = False
        self.pause_end_ms = 0
        if self.pause_timer is not None:
            self.pause_timer.cancel()
            self.pause_timer = None
        # Held clients run on the next loop pass, in id order: never inside the command that unpaused.
        for client in list(self.clients.values()):
            connection = client.connection
            if isinstance(connection, RespConnection) and connection.pending is not None and client.blocked is None:
                if self.loop is not None:
                    self.loop.call_soon(self._resume_held, connection)
                else:
                    connection.resume()

    def _resume_held(self, connection: RespConnection) -> None:
        client = connection.client
        if connection.pending is not None and client is not None and client.blocked is None:
            connection.resume()

    # --- side-path hooks ---------------------------------------------------------------------------

    def setting_changed(self, name: str) -> None:
        """A setting changed through Config.set (config file, embedding code, tests): refresh the
        attributes that mirror it. CONFIG SET applies its changes in commands/server.py."""
        if name == "notify-keyspace-events":
            self.keyspace_events = self.config.notify_keyspace_events

    def publish_event(self, db: Db, event: str, key: bytes, kind: str) -> None:
        """Keyspace notification (notifyKeyspaceEvent): ``kind`` is the event's class character."""
        if self.config.notify_keyspace_events:
            self.pubsub.notify(db, event, key, kind)

    def feed_effect(self, db: Db, argv: list[bytes]) -> None:
        """One effect outside a command's grouping (an expired key's DEL): to the AOF."""
        self.aof.feed(db, argv)

    def feed_command(self, client: Client, argv: list[bytes], effects: list[list[bytes]] | None) -> None:
        """The effects of one command (its argv when ``effects`` is None). With the AOF on they go to it
        as a unit (it wraps several effects, and the writes inside EXEC, in MULTI/EXEC as Redis 7.0
        does); otherwise each goes through ``propagate``, the per-effect hook tests replace."""
        if self.aof.enabled:
            self.aof.feed_command(client, argv, effects)
            return
        for effect in effects if effects is not None else (argv,):
            self.propagate(client.db, effect)

    def propagate_expired(self, db: Db, key: bytes) -> None:
        self.propagate(db, [b"DEL", key])

    def serve_ready_keys(self) -> None:
        """Serve clients blocked on keys a write made ready (after the writing command finished)."""
        self.blocking.serve_ready_keys()

    # --- cron --------------------------------------------------------------------------------------
    def _schedule_cron(self) -> None:
        if self.loop is not None:
            hz = max(1, min(500, self.config.hz))
            self._cron_handle = self.loop.call_later(1 / hz, self.cron)

    def cron(self) -> None:
        try:
            for task in self.cron_tasks:
                task(self)
            now = time.monotonic()
            samples = self.stats.ops_samples
            samples.append((now, self.commands_processed))
            if len(samples) > 16:
                del samples[0]
            timeout = self.config.timeout
            if timeout:
                limit = self.clock.time_ms() - timeout * 1000
                for client in list(self.clients.values()):
                    if (client.last_interaction_ms < limit and client.blocked is None and not client.in_pubsub_context
                            and client.transport is not None):
                        client.transport.close()
        finally:
            self._schedule_cron()

    cron_tasks: ClassVar[list[Callable[[Server], None]]] = []
    """Periodic work registered by subsystems (active expiry), run on every cron tick."""

    @property
    def commands_processed(self) -> int:
        """INFO total_commands_processed: the sum of every command's calls (no hot-path counter)."""
        return sum(spec.calls for spec in self.table.all_specs())

    @property
    def uptime_seconds(self) -> int:
        return int(time.monotonic() - self.started_monotonic)


REDACTED = b"(redacted)"


def redact_credentials(argv: list[bytes]) -> list[bytes]:
    """What MONITOR shows of a command carrying a password, as Redis 7.0 redacts it: every argument of
    AUTH, and the username and password after HELLO's AUTH option."""
    name = argv[0].lower()
    if name == b"auth":
        return [argv[0]] + [REDACTED] * (len(argv) - 1)
    if name == b"hello":
        shown = list(argv)
        index = 2
        while index < len(shown):
            option = shown[index].lower()
            if option == b"auth" and index + 2 < len(shown):
                shown[index + 1] = shown[index + 2] = REDACTED
                index += 3
            elif option == b"setname":
                index += 2
            else:
                index += 1
        return shown
    return argv
