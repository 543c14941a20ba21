"""Server commands: INFO, CONFIG GET/SET/RESETSTAT/REWRITE/HELP, DBSIZE, FLUSHDB, FLUSHALL, TIME, LASTSAVE, MONITOR.

Mirrors Redis 7.0's server.c (infoCommand, timeCommand, lastsaveCommand, monitorCommand), db.c
(dbsizeCommand, flushdbCommand, flushallCommand) and config.c (configGetCommand, configSetCommand,
configResetStatCommand, configRewriteCommand), as observed on a running 7.0.15:

* CONFIG GET takes several patterns (7.0); a pattern without glob characters is looked up by name
  and answered under the name as given; globs match names and aliases case-insensitively; a name
  is listed once however many patterns match it. RESP2 answers a flat array, RESP3 a map.
* CONFIG SET takes several name/value pairs (7.0) and is atomic: names are checked first, in
  order (unknown, immutable or protected, given twice), then every value is parsed, and only then
  is anything changed; a side effect that fails restores every value. Settings take effect at
  once: ``port``/``bind`` move the listeners (connected clients stay), ``requirepass`` applies to
  new connections (clearing it authenticates everyone), the parser limits apply to open
  connections too, ``hz``/``timeout``/``maxclients`` are read where they are used.
* CONFIG REWRITE rewrites the config file the server was started with (``config.rewrite_config_text``).
* FLUSHDB/FLUSHALL take ASYNC or SYNC (both flush at once: there is no background freeing).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
from typing import TYPE_CHECKING, Any

from miniredis import errors, info
from miniredis.commands.args import eq
from miniredis.commands.registry import command
from miniredis.config import SETTINGS, ConfigError, Setting, rewrite_config_file
from miniredis.config import lookup as lookup_setting
from miniredis.errors import CommandError
from miniredis.glob import glob_match
from miniredis.protocol.replies import NO_REPLY, OK, Simple, Verbatim
from miniredis.server.connection import RespConnection

if TYPE_CHECKING:
    from miniredis.server.app import Server
    from miniredis.server.client import Client

log = logging.getLogger("miniredis")

CONFIG_SET_FAILED = "ERR CONFIG SET failed (possibly related to argument '{}') - {}"
CONFIG_SET_UNKNOWN = "ERR Unknown option or number of arguments for CONFIG SET - '{}'"
MONITOR_DENY_BLOCKING = "ERR MONITOR isn't allowed for DENY BLOCKING client"

CONFIG_HELP = [
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
]

_GLOB_CHARS = frozenset(b"*?[")


def _text(raw: bytes) -> str:
    """A config value from the wire: UTF-8, with undecodable bytes kept (surrogateescape)."""
    return raw.decode("utf-8", "surrogateescape")


def _wire(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


# --- INFO ----------------------------------------------------------------------------------------------
@command("info")
def info_command(client: Client, argv: list[bytes]) -> object:
    names = [arg.decode("latin-1").lower() for arg in argv[1:]]
    return Verbatim(info.render(client.server, names))


# --- CONFIG ----------------------------------------------------------------------------------------------
@command("config|get")
def config_get(client: Client, argv: list[bytes]) -> object:
    found: dict[str, tuple[bytes, Setting]] = {}  # lower-cased name -> (name shown, setting)
    for pattern in argv[2:]:
        if not _GLOB_CHARS.intersection(pattern):
            setting = lookup_setting(_text(pattern))
            if setting is not None:
                found.setdefault(_text(pattern).lower(), (pattern, setting))
            continue
        for setting in SETTINGS:
            for name in (setting.name, *setting.aliases):
                if glob_match(pattern, name.encode(), nocase=True):
                    found.setdefault(name, (name.encode(), setting))
    return {shown: _wire(_current(client.server, setting)) for shown, setting in found.values()}


def _current(server: Server, setting: Setting) -> str:
    """A setting's value as CONFIG GET shows it; ``port`` 0 shows the port actually taken."""
    if setting.name == "port":
        return str(server.port)
    return setting.render(getattr(server.config, setting.attribute))


@command("config|set")
def config_set(client: Client, argv: list[bytes]) -> object:
    server = client.server
    config = server.config
    if len(argv) % 2:
        raise CommandError(errors.SYNTAX)
    pairs = [(argv[index], argv[index + 1]) for index in range(2, len(argv), 2)]
    # 1. names, in order: unknown, then immutable/protected, then given twice (by name, not by setting:
    #    an alias and its setting in one call are both applied, the last one winning, as in Redis).
    seen: set[bytes] = set()
    for name, _ in pairs:
        setting = lookup_setting(_text(name))
        if setting is None:
            raise CommandError(CONFIG_SET_UNKNOWN.format(errors.text(name)))
        if not setting.mutable:
            raise CommandError(CONFIG_SET_FAILED.format(errors.text(name), "can't set immutable config"))
        if setting.protected:
            raise CommandError(CONFIG_SET_FAILED.format(errors.text(name), "can't set protected config"))
        if name.lower() in seen:
            raise CommandError(CONFIG_SET_FAILED.format(errors.text(name), "duplicate parameter"))
        seen.add(name.lower())
    # 2. every value parsed before anything changes.
    new_values: list[tuple[bytes, Setting, Any]] = []
    for name, raw in pairs:
        setting = lookup_setting(_text(name))
        assert setting is not None
        try:
            value = config.parse(setting.name, _text(raw))
            if setting.name == "maxclients" and value > config.maxclients:
                ensure_file_limit(value)
        except ConfigError as error:
            raise CommandError(CONFIG_SET_FAILED.format(errors.text(name), error)) from None
        new_values.append((name, setting, value))
    # 3. store, then run the side effects; one that fails puts every old value back.
    old_values = {setting.attribute: getattr(config, setting.attribute) for _, setting, _ in new_values}
    for _, setting, value in new_values:
        setattr(config, setting.attribute, value)
    applied: list[Setting] = []
    for name, setting, _ in new_values:
        try:
            _apply(server, setting)
        except ConfigError as error:
            for attribute, value in old_values.items():
                setattr(config, attribute, value)
            for done in applied:
                _apply(server, done)
            raise CommandError(CONFIG_SET_FAILED.format(errors.text(name), error)) from None
        applied.append(setting)
    return OK


LOG_LEVELS = {"debug": logging.DEBUG, "verbose": 15, "notice": logging.INFO, "warning": logging.WARNING}


def _apply(server: Server, setting: Setting) -> None:
    """Make a changed setting take effect at once (Redis's apply functions)."""
    config = server.config
    name = setting.name
    if name == "notify-keyspace-events":
        server.keyspace_events = config.notify_keyspace_events
    if name == "requirepass" and not config.requirepass:
        # With no password the default user is "nopass": every connection counts as authenticated.
        for client in server.clients.values():
            if not client.authenticated:
                client.authenticated = True
                client.update_restricted()
                parser = getattr(client.connection, "parser", None)
                if parser is not None:
                    parser.authenticated = True
    elif name in ("proto-max-bulk-len", "client-query-buffer-limit"):
        # New connections read these from the config; existing connections' parsers are updated here.
        for client in server.clients.values():
            parser = getattr(client.connection, "parser", None)
            if parser is not None:
                parser.max_bulk = config.proto_max_bulk_len
                parser.query_limit = config.client_query_buffer_limit
    elif name == "loglevel":
        logging.getLogger("miniredis").setLevel(LOG_LEVELS[config.loglevel])
    elif name in ("appendonly", "appendfsync"):
        # AOF (miniredis.persistence): turning it on writes a base first (a rewrite), as Redis does.
        try:
            server.aof.config_changed(name)
        except (OSError, RuntimeError) as error:
            log.warning("Unable to turn on AOF: %s", error)
            raise ConfigError("Unable to turn on AOF. Check server logs.") from None
    elif name in ("port", "bind"):
        rebind(server, config.bind, config.port, "port" if name == "port" else "bind")
    # hz, timeout and maxclients are read where they are used (cron, accept), so they apply at once.


RESERVED_FDS = 32  # descriptors Redis keeps for itself beyond one per client (CONFIG_MIN_RESERVED_FDS)


def ensure_file_limit(maxclients: int) -> None:
    """Raise the open-files limit so ``maxclients`` connections fit, or refuse as Redis does.

    Redis needs ``maxclients + 32`` descriptors (computed in 32 bits, so the largest values wrap
    and pass); it raises its soft limit up to the hard one and, if that is not enough, refuses
    with the number of clients it could serve.
    """
    needed = (maxclients + RESERVED_FDS) & 0xFFFFFFFF
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or needed <= soft:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    except (ValueError, OSError):
        pass
    if needed > soft:
        raise ConfigError(
            f"The operating system is not able to handle the specified number of clients, try with "
            f"{soft - RESERVED_FDS}"
        )


def rebind(server: Server, bind: str, port: int, changed: str) -> None:
    """Listen on new addresses at run time (CONFIG SET port/bind), as Redis 7.0 does.

    The old listening sockets close first (so the same address can be bound again), then the new
    ones are bound synchronously; if that fails the old addresses are bound again and the failure
    is the CONFIG SET error. A ``-`` address may fail silently; port 0 takes a free port (as at
    start-up). Connected clients are not affected.
    """
    loop = server.loop
    if loop is None:
        return
    old = list(server._servers)
    previous = [(sock.family, sock.getsockname()) for listener in old for sock in listener.sockets]
    server._servers.clear()
    for listener in old:
        listener.close()
    try:
        sockets, chosen = _listen_on(bind, port, server.config.tcp_backlog)
    except OSError as error:
        log.warning("Could not create server TCP listening socket %s:%d: %s", bind, port, error)
        sockets = []
        for family, address in previous:
            try:
                sockets.append(_listening_socket(family, address, server.config.tcp_backlog))
            except OSError as again:
                log.warning("Could not listen again on %s: %s", address, again)
        _serve(server, loop, sockets)
        if changed == "port":
            raise ConfigError("Unable to listen on this port. Check server logs.") from None
        raise ConfigError("Failed to bind to specified addresses.") from None
    server.port = chosen
    _serve(server, loop, sockets)


def _listening_socket(family: int, address: Any, backlog: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _listen_on(bind: str, port: int, backlog: int) -> tuple[list[socket.socket], int]:
    """Bound listening sockets for every address of ``bind`` (``-`` ones may fail), and the port taken."""
    sockets: list[socket.socket] = []
    try:
        for entry in bind.split():
            optional = entry.startswith("-")
            host = entry.lstrip("-")
            host = {"*": "0.0.0.0", "::*": "::"}.get(host, host)
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
                opened = [_listening_socket(family, address, backlog) for family, _, _, _, address in infos[:1]]
            except OSError as error:
                if not optional:
                    raise
                log.debug("Skipping optional bind address %s: %s", host, error)
                continue
            sockets.extend(opened)
            if port == 0 and opened:
                port = opened[0].getsockname()[1]  # every address then takes the same free port
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets, port


def _serve(server: Server, loop: asyncio.AbstractEventLoop, sockets: list[socket.socket]) -> None:
    async def serve(sock: socket.socket) -> None:
        listener = await loop.create_server(lambda: RespConnection(server), sock=sock)
        server._servers.append(listener)

    for sock in sockets:
        loop.create_task(serve(sock))


@command("config|resetstat")
def config_resetstat(client: Client, argv: list[bytes]) -> object:
    server = client.server
    server.stats.reset()
    for spec in server.table.all_specs():  # total_commands_processed is the sum of the calls
        spec.reset_stats()
    return OK


@command("config|rewrite")
def config_rewrite(client: Client, argv: list[bytes]) -> object:
    """Rewrite the config file the server started with to the live values (see config.rewrite_config_text)."""
    server = client.server
    path = getattr(server, "config_file", "")
    if not path:
        raise CommandError("ERR The server is running without a config file")
    try:
        rewrite_config_file(path, server.config)
    except OSError as error:
        log.warning("CONFIG REWRITE failed: %s", error.strerror)
        raise CommandError(f"ERR Rewriting config file: {error.strerror}") from None
    log.info("CONFIG REWRITE executed with success.")
    return OK


@command("config|help")
def config_help(client: Client, argv: list[bytes]) -> object:
    return [Simple(line) for line in CONFIG_HELP]


# --- keyspace-wide commands -----------------------------------------------------------------------------
@command("dbsize")
def dbsize(client: Client, argv: list[bytes]) -> object:
    return len(client.db)


def _flush_mode(argv: list[bytes]) -> None:
    """FLUSHDB/FLUSHALL [ASYNC|SYNC]; anything else is a syntax error."""
    if len(argv) > 2 or (len(argv) == 2 and not (eq(argv[1], b"async") or eq(argv[1], b"sync"))):
        raise CommandError(errors.SYNTAX)


@command("flushdb")
def flushdb(client: Client, argv: list[bytes]) -> object:
    _flush_mode(argv)
    removed = client.db.flush()
    # Redis adds the number of keys removed to dirty and always propagates the flush; an empty flush
    # changes nothing, but counting it keeps the effect propagated, as Redis forces it.
    client.server.dirty += max(removed, 1)
    return OK


@command("flushall")
def flushall(client: Client, argv: list[bytes]) -> object:
    _flush_mode(argv)
    server = client.server
    removed = sum(db.flush() for db in server.dbs)
    server.dirty += max(removed, 1)
    return OK


@command("time")
def time_command(client: Client, argv: list[bytes]) -> object:
    now_us = client.server.clock.time_us()
    return [str(now_us // 1_000_000).encode(), str(now_us % 1_000_000).encode()]


@command("lastsave")
def lastsave(client: Client, argv: list[bytes]) -> object:
    return client.server.lastsave


@command("monitor")
def monitor(client: Client, argv: list[bytes]) -> object:
    if client.in_exec or client.multi is not None:
        raise CommandError(MONITOR_DENY_BLOCKING)
    if client.is_monitor:
        return NO_REPLY  # Redis answers a second MONITOR with nothing
    client.server.add_monitor(client)
    return OK
