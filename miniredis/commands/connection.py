"""Connection commands: PING, ECHO, HELLO, AUTH, SELECT, SWAPDB, QUIT, RESET.

Mirrors Redis 7.0's server.c (pingCommand, echoCommand), networking.c (helloCommand, resetCommand,
quitCommand), acl.c (authCommand) and db.c (selectCommand, swapdbCommand). There is one user,
``default``, whose password is ``requirepass`` (none: any password is accepted, as with nopass).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis import REDIS_VERSION, errors
from miniredis.commands.args import eq, parse_int
from miniredis.commands.registry import command
from miniredis.errors import CommandError
from miniredis.protocol.replies import OK, PONG, Simple

if TYPE_CHECKING:
    from miniredis.server.client import Client

CLIENT_NAME_ERROR = "ERR Client names cannot contain spaces, newlines or special characters."
HELLO_NOAUTH = (
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> "
    "<pass> option can be used to authenticate the client and select the RESP protocol version at "
    "the same time"
)


def validate_client_name(name: bytes) -> None:
    """Client names are printable ASCII without spaces (networking.c validateClientName)."""
    if any(byte < 0x21 or byte > 0x7E for byte in name):
        raise CommandError(CLIENT_NAME_ERROR)


@command("ping")
def ping(client: Client, argv: list[bytes]) -> object:
    if len(argv) > 2:
        raise CommandError(errors.wrong_arity("ping"))
    if client.restricted and client.resp == 2 and client.in_pubsub_context:
        return [b"pong", argv[1] if len(argv) == 2 else b""]
    return argv[1] if len(argv) == 2 else PONG


@command("echo")
def echo(client: Client, argv: list[bytes]) -> object:
    return argv[1]


def authenticate(client: Client, username: bytes, password: bytes) -> None:
    """ACLAuthenticateUser for the single ``default`` user; raises WRONGPASS on failure."""
    required = client.server.config.requirepass
    if username != b"default" or (required and password != required.encode("utf-8", "surrogateescape")):
        raise CommandError(errors.WRONGPASS)
    client.authenticated = True
    client.user = username
    client.update_restricted()
    connection = client.connection
    parser = getattr(connection, "parser", None)
    if parser is not None:
        parser.authenticated = True


@command("auth")
def auth(client: Client, argv: list[bytes]) -> object:
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    if len(argv) == 2:
        if not client.server.config.requirepass:
            raise CommandError(errors.AUTH_NO_PASSWORD)
        authenticate(client, b"default", argv[1])
    else:
        authenticate(client, argv[1], argv[2])
    return OK


@command("hello")
def hello(client: Client, argv: list[bytes]) -> object:
    version = 0
    index = 1
    if len(argv) >= 2:
        version = parse_int(argv[1], errors.PROTOVER_NOT_INTEGER)
        index = 2
        if version < 2 or version > 3:
            raise CommandError(errors.NOPROTO)
    # Options take effect one by one, in order: an error leaves the earlier ones applied (as in Redis).
    while index < len(argv):
        more = len(argv) - 1 - index
        option = argv[index]
        if eq(option, b"auth") and more >= 2:
            authenticate(client, argv[index + 1], argv[index + 2])
            index += 3
        elif eq(option, b"setname") and more >= 1:
            validate_client_name(argv[index + 1])
            client.name = argv[index + 1]
            index += 2
        else:
            raise CommandError(f"ERR Syntax error in HELLO option '{errors.text(option)}'")
    if not client.authenticated:
        raise CommandError(HELLO_NOAUTH)
    if version:
        client.set_protocol(version)
    return {
        b"server": b"redis",
        b"version": REDIS_VERSION.encode(),
        b"proto": client.resp,
        b"id": client.id,
        b"mode": b"standalone",
        b"role": b"master",
        b"modules": [],
    }


@command("select")
def select(client: Client, argv: list[bytes]) -> object:
    index = parse_int(argv[1])
    if not 0 <= index < len(client.server.dbs):
        raise CommandError(errors.DB_INDEX)
    client.db = client.server.dbs[index]
    return OK


@command("swapdb")
def swapdb(client: Client, argv: list[bytes]) -> object:
    first = parse_int(argv[1], "ERR invalid first DB index")
    second = parse_int(argv[2], "ERR invalid second DB index")
    server = client.server
    if not (0 <= first < len(server.dbs) and 0 <= second < len(server.dbs)):
        raise CommandError(errors.DB_INDEX)
    if first != second:
        one, two = server.dbs[first], server.dbs[second]
        # Keys watched in either database are touched if they exist in either (touchAllWatchedKeysInDb).
        for db, other in ((one, two), (two, one)):
            for key, watchers in db.watched.items():
                if key in db.data or key in other.data:
                    for watcher in watchers:
                        watcher.dirty_cas = True
        one.swap_with(two)
        for db in (one, two):
            for key in db.blocking:
                if key in db.data:
                    server.ready_keys.add((db, key))
        server.dirty += 1
    return OK


@command("quit")
def quit_(client: Client, argv: list[bytes]) -> object:
    client.close_after_reply = True
    return OK


RESET_HOOKS: list[object] = []
"""Functions ``hook(client)`` that subsystems register to clear their part of a client on RESET."""


@command("reset")
def reset(client: Client, argv: list[bytes]) -> object:
    """RESET: back to a fresh connection's state (networking.c clearClientConnectionState)."""
    server = client.server
    for hook in RESET_HOOKS:
        hook(client)  # type: ignore[operator]
    server.remove_monitor(client)
    client.db = server.dbs[0]
    client.set_protocol(2)
    client.name = b""
    client.reply_mode = "on"
    client.update_restricted()
    client.no_evict = False
    client.user = b"default"
    client.authenticated = not server.config.requirepass
    client.update_restricted()
    parser = getattr(client.connection, "parser", None)
    if parser is not None:
        parser.authenticated = client.authenticated
    return Simple("RESET")
