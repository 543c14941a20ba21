"""The COMMAND family: COMMAND, COUNT, INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP.

Mirrors Redis 7.0's ``commandCommand`` and its subcommands (server.c). Every reply is derived from
the command table (``registry.TABLE``, itself captured from Redis 7.0.15), restricted to what
miniredis serves: ``COMMAND``/``COMMAND INFO`` list served commands with only their served
subcommands, ``COMMAND COUNT`` counts served top-level commands (so it is lower than Redis's 240
by design), ``COMMAND LIST`` names served commands and subcommands (``container|sub``), and
``COMMAND GETKEYS`` evaluates the key specs generically (``miniredis.keyspecs``). Redis lists
commands in its dict's hash order; miniredis lists them in registration order (clients must not
rely on either).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.args import eq
from miniredis.commands.registry import CommandSpec, CommandTable, command
from miniredis.errors import CommandError
from miniredis.glob import glob_match
from miniredis.keyspecs import Target, getkeys_reply
from miniredis.protocol.replies import Raw, Simple

if TYPE_CHECKING:
    from miniredis.server.client import Client

HELP_LINES = (
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",  # 7.0's shared help footer says "Prints", not "Print"
)


def find_command(table: CommandTable, name: bytes) -> CommandSpec | None:
    """A served command by its full name, case-insensitively: ``get``, ``config|get`` (INFO and DOCS)."""
    parts = name.lower().split(b"|")
    if len(parts) > 2:
        return None
    spec = table.commands.get(parts[0])
    if spec is None or len(parts) == 1:
        return spec
    return spec.subcommands.get(parts[1])


def served_target(table: CommandTable, argv: Sequence[bytes]) -> Target | None:
    """The served command an argv would run (GETKEYS): the command, or its subcommand for a container."""
    spec = table.lookup(argv[0])
    if spec is None:
        return None
    if spec.subcommands:
        sub = spec.subcommands.get(argv[1].lower())
        if sub is None:
            return None
        spec = sub
    return Target(spec.name, spec.arity, "no_mandatory_keys" in spec.flags)


def map_reply(client: Client, pairs: list[tuple[bytes, object]]) -> object:
    """A map that may repeat a key (``COMMAND DOCS get get``): a RESP3 map, or a flat array in RESP2.

    A plain dict when the keys are distinct (the usual case, and a value scripts can convert);
    pre-encoded for the client's protocol otherwise, since a dict cannot hold a key twice.
    """
    if len({key for key, _ in pairs}) == len(pairs):
        return dict(pairs)
    encode = client.encode
    header = b"%%%d\r\n" % len(pairs) if client.resp == 3 else b"*%d\r\n" % (2 * len(pairs))
    return Raw(header + b"".join(encode(key) + encode(value) for key, value in pairs))


@command("command")
def command_all(client: Client, argv: list[bytes]) -> object:
    return [spec.info_reply() for spec in client.server.table.commands.values()]


@command("command|count")
def command_count(client: Client, argv: list[bytes]) -> object:
    return len(client.server.table.commands)


@command("command|info")
def command_info(client: Client, argv: list[bytes]) -> object:
    table = client.server.table
    if len(argv) == 2:
        return [spec.info_reply() for spec in table.commands.values()]
    replies: list[object] = []
    for name in argv[2:]:
        spec = find_command(table, name)
        replies.append(None if spec is None else spec.info_reply())
    return replies


@command("command|docs")
def command_docs(client: Client, argv: list[bytes]) -> object:
    table = client.server.table
    if len(argv) == 2:
        specs = list(table.commands.values())
    else:  # unknown names are left out; a name given twice is answered twice
        specs = [spec for spec in (find_command(table, name) for name in argv[2:]) if spec is not None]
    return map_reply(client, [(spec.name.encode(), spec.docs_reply()) for spec in specs])


@command("command|list")
def command_list(client: Client, argv: list[bytes]) -> object:
    table = client.server.table
    if len(argv) == 2:
        return [spec.name.encode() for spec in table.all_specs()]
    if len(argv) != 5 or not eq(argv[2], b"filterby"):
        raise CommandError(errors.SYNTAX)
    kind, value = argv[3], argv[4]
    if eq(kind, b"module"):
        return []  # no module commands exist in miniredis
    if eq(kind, b"aclcat"):
        category = "@" + value.decode("latin-1").lower()
        return [spec.name.encode() for spec in table.all_specs() if category in spec.acl]
    if eq(kind, b"pattern"):
        return [spec.name.encode() for spec in table.all_specs() if glob_match(value, spec.name.encode(), True)]
    raise CommandError(errors.SYNTAX)


@command("command|getkeys")
def command_getkeys(client: Client, argv: list[bytes]) -> object:
    table = client.server.table
    return getkeys_reply(argv[2:], False, lambda target: served_target(table, target))


@command("command|getkeysandflags")
def command_getkeysandflags(client: Client, argv: list[bytes]) -> object:
    table = client.server.table
    return getkeys_reply(argv[2:], True, lambda target: served_target(table, target))


@command("command|help")
def command_help(client: Client, argv: list[bytes]) -> object:
    return [Simple(line) for line in HELP_LINES]
