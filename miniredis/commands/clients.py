"""The CLIENT command family: ID, SETNAME, GETNAME, LIST, INFO, KILL, UNBLOCK, PAUSE, UNPAUSE, REPLY,
NO-EVICT and HELP.

Mirrors Redis 7.0's networking.c (clientCommand, catClientInfoString, clientKillCommand) as observed
on a running 7.0.15: argument order and error precedence, reply types (CLIENT LIST and CLIENT INFO
are bulk strings in RESP2 and verbatim ``txt`` in RESP3), the CLIENT LIST line with every field in
Redis's order. CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO are not served (no client-side
caching); CLIENT HELP still prints Redis's full text, which mentions them.

CLIENT LIST fields that describe Redis's own memory layout (qbuf-free, rbs, rbp, tot-mem) are
estimates shaped like Redis's; the others are computed from the client's real state.

CLIENT UNBLOCK ends a wait through ``server.blocking.unblock`` (blocking.py), which replies the
blocked command's timeout reply, or the ``UNBLOCKED`` error, and resumes the client's pipeline. A
client held by CLIENT PAUSE is not blocked on keys: CLIENT UNBLOCK answers 0 for it (Redis 7.0.15
crashes there; 7.2 answers 0), though CLIENT LIST shows it with flag ``b`` as Redis does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.args import parse_int
from miniredis.commands.connection import validate_client_name
from miniredis.commands.registry import command
from miniredis.errors import CommandError
from miniredis.protocol.replies import OK, Simple, Verbatim

if TYPE_CHECKING:
    from miniredis.server.app import Server
    from miniredis.server.client import Client

# --- error texts (networking.c, as Redis 7.0.15 sends them) ------------------------------------------
NO_SUCH_CLIENT = "ERR No such client"
CLIENT_ID_NOT_POSITIVE = "ERR client-id should be greater than 0"
INVALID_CLIENT_ID = "ERR Invalid client ID"
UNKNOWN_CLIENT_TYPE = "ERR Unknown client type '{}'"
NO_SUCH_USER = "ERR No such user '{}'"
PAUSE_MODE = "ERR CLIENT PAUSE mode must be WRITE or ALL"
PAUSE_TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range"
UNBLOCK_REASON = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"


def unknown_or_arity(sub: bytes) -> str:
    """Redis's reply when a variadic subcommand gets too many arguments (the name as the user typed it)."""
    return f"ERR unknown subcommand or wrong number of arguments for '{errors.text(sub)}'. Try CLIENT HELP."


# CLIENT HELP in 7.0 is its own text (it ends with "Prints this help.", not the shared "Print this help.").
HELP_LINES = (
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
)

# CLIENT LIST TYPE / CLIENT KILL TYPE names; "slave" is the old name of "replica".
CLIENT_TYPES = {b"normal": "normal", b"slave": "replica", b"replica": "replica", b"pubsub": "pubsub",
                b"master": "master"}

LONG_MAX = (1 << 63) - 1

# Shapes of Redis's buffers, for the memory fields of a CLIENT LIST line (estimates).
QUERY_BUFFER_ALLOC = 20474  # a fresh 16 KiB query buffer as jemalloc sizes it (qbuf + qbuf-free)
REPLY_BUFFER_LARGE = 16384  # the reply buffer of a new client, shrunk by the cron when little is used
REPLY_BUFFER_SMALL = 1024
CLIENT_STRUCT_MEM = 776  # the client struct and its fixed allocations
QUERY_BUFFER_IDLE_SECONDS = 2  # an idle client's empty query buffer is freed after this long


# --- client state as CLIENT LIST shows it ------------------------------------------------------------
def client_type(client: Client) -> str:
    """normal | master | replica | pubsub (networking.c getClientType; MONITOR clients are normal)."""
    if client.kind in ("master", "replica"):
        return client.kind
    if client.subscriptions:
        return "pubsub"
    return "normal"


def _held_requests(client: Client) -> list[list[bytes]] | None:
    """The requests parked on the connection (CLIENT PAUSE or a blocking command), if any."""
    pending = getattr(client.connection, "pending", None)
    return list(pending) if pending is not None else None


def is_blocked(client: Client) -> bool:
    """Blocked on keys (``client.blocked``) or held by CLIENT PAUSE: both are flag ``b`` in Redis."""
    return client.blocked is not None or _held_requests(client) is not None


def client_flags(client: Client) -> str:
    """The ``flags=`` field, letters in Redis's order; ``N`` when none applies."""
    flags = ""
    if client.is_monitor:
        flags += "O"  # Redis marks MONITOR clients as replicas in monitor mode
    elif client.kind == "replica":
        flags += "S"
    if client.kind == "master":
        flags += "M"
    if client.subscriptions:
        flags += "P"
    if client.multi is not None:
        flags += "x"
    if is_blocked(client):
        flags += "b"
    if client.dirty_cas:
        flags += "d"
    if client.close_after_reply:
        flags += "c"
    if client.no_evict:
        flags += "e"
    return flags or "N"


def _multibulk_size(argv: list[bytes]) -> int:
    """Bytes of ``argv`` as a multibulk request (what the query buffer held for it)."""
    size = len(b"*%d\r\n" % len(argv))
    for arg in argv:
        size += len(b"$%d\r\n" % len(arg)) + len(arg) + 2
    return size


def _command_name(server: Server, argv: list[bytes]) -> str | None:
    """The fullname Redis shows in ``cmd=`` for a request (``client|list``), None if unknown."""
    spec = server.table.lookup(argv[0]) if argv else None
    if spec is not None and spec.subcommands and len(argv) > 1:
        spec = spec.subcommands.get(argv[1].lower())
    return spec.name if spec is not None else None


def client_info_line(client: Client, current: list[bytes] | None = None) -> str:
    """One CLIENT LIST line (networking.c catClientInfoString), newline included.

    ``current`` is the request being executed when ``client`` is the caller: its query buffer and
    argv are still in use while the command runs, which Redis reports in qbuf and argv-mem.
    """
    server = client.server
    now_s = server.clock.time_ms() // 1000
    age = now_s - client.created_ms // 1000
    idle = now_s - client.last_interaction_ms // 1000
    parser = getattr(client.connection, "parser", None)
    buffered = parser.buffered if parser is not None else 0
    held = _held_requests(client)
    cmd = client.last_command
    if current is not None:
        if client.in_exec:
            current, cmd = [b"EXEC"], "exec"  # during EXEC, Redis still shows EXEC's own request
        qbuf = _multibulk_size(current) + buffered
        argv_mem = sum(map(len, current))
    else:
        # A blocked command, or the request held by CLIENT PAUSE (the first held one), keeps its argv
        # and is the client's current command; the requests behind it are still in the query buffer.
        waiting = getattr(client.blocked, "argv", None)
        unparsed = held or []
        if waiting is None and unparsed:
            waiting, unparsed = unparsed[0], unparsed[1:]
            cmd = _command_name(server, waiting) or cmd
        qbuf = buffered + sum(map(_multibulk_size, unparsed))
        argv_mem = sum(map(len, waiting)) if waiting else 0
    if qbuf or idle < QUERY_BUFFER_IDLE_SECONDS:
        qbuf_free = max(QUERY_BUFFER_ALLOC - qbuf, 0)
    else:
        qbuf_free = 0
    multi = len(client.multi) if client.multi is not None else -1
    # Queued commands: argument bytes plus one pointer per argument (multiState argv_len_sums).
    multi_mem = sum(len(arg) + 8 for _, argv in client.multi for arg in argv) if client.multi else 0
    unsent = sum(map(len, client.out))
    transport = client.transport
    if transport is not None and not client.closed:
        try:
            unsent += transport.get_write_buffer_size()
        except (AttributeError, RuntimeError):  # a closing or fake transport
            pass
    obl = min(unsent, REPLY_BUFFER_LARGE)
    omem = unsent - obl
    oll = -(-omem // REPLY_BUFFER_LARGE)
    rbs = REPLY_BUFFER_LARGE if age < 5 else REPLY_BUFFER_SMALL
    rbp = rbs if age < 5 else min(obl, rbs)
    tot_mem = qbuf + qbuf_free + argv_mem + multi_mem + rbs + omem + CLIENT_STRUCT_MEM
    events = "rw" if unsent else "r"
    name = client.name.decode("latin-1")
    user = client.user.decode("latin-1")
    return (
        f"id={client.id} addr={client.addr} laddr={client.laddr} fd={client.fd} name={name} age={age} "
        f"idle={idle} flags={client_flags(client)} db={client.db.id} sub={len(client.channels)} "
        f"psub={len(client.patterns)} ssub={len(client.shard_channels)} multi={multi} qbuf={qbuf} "
        f"qbuf-free={qbuf_free} argv-mem={argv_mem} multi-mem={multi_mem} rbs={rbs} rbp={rbp} obl={obl} "
        f"oll={oll} omem={omem} tot-mem={tot_mem} events={events} cmd={cmd} user={user} redir=-1 "
        f"resp={client.resp}\n"
    )


def _lines(caller: Client, argv: list[bytes], clients: list[Client]) -> Verbatim:
    text = "".join(client_info_line(each, argv if each is caller else None) for each in clients)
    return Verbatim(text.encode("latin-1"))


def _parse_type(raw: bytes) -> str:
    kind = CLIENT_TYPES.get(raw.lower())
    if kind is None:
        raise CommandError(UNKNOWN_CLIENT_TYPE.format(errors.text(raw)))
    return kind


# --- simple subcommands ------------------------------------------------------------------------------
@command("client|id")
def client_id(client: Client, argv: list[bytes]) -> object:
    return client.id


@command("client|setname")
def client_setname(client: Client, argv: list[bytes]) -> object:
    validate_client_name(argv[2])
    client.name = argv[2]  # an empty name clears it
    return OK


@command("client|getname")
def client_getname(client: Client, argv: list[bytes]) -> object:
    return client.name or None


@command("client|help")
def client_help(client: Client, argv: list[bytes]) -> object:
    return [Simple(line) for line in HELP_LINES]


@command("client|no-evict")
def client_no_evict(client: Client, argv: list[bytes]) -> object:
    value = argv[2].lower()
    if value == b"on":
        client.no_evict = True
    elif value == b"off":
        client.no_evict = False
    else:
        raise CommandError(errors.SYNTAX)
    return OK


@command("client|reply")
def client_reply(client: Client, argv: list[bytes]) -> object:
    """ON replies OK; OFF and SKIP reply nothing (the connection drops the reply by ``reply_mode``)."""
    mode = argv[2].lower()
    if mode == b"on":
        client.reply_mode = "on"
    elif mode == b"off":
        client.reply_mode = "off"
    elif mode == b"skip":
        if client.reply_mode != "off":  # SKIP while OFF changes nothing
            client.reply_mode = "skip"
    else:
        raise CommandError(errors.SYNTAX)
    client.update_restricted()  # a client not replying takes the dispatcher's checked path
    return OK


# --- LIST and INFO -----------------------------------------------------------------------------------
@command("client|list")
def client_list(client: Client, argv: list[bytes]) -> object:
    clients = list(client.server.clients.values())
    if len(argv) == 2:
        return _lines(client, argv, clients)
    option = argv[2].lower()
    if len(argv) == 4 and option == b"type":
        kind = _parse_type(argv[3])
        return _lines(client, argv, [each for each in clients if client_type(each) == kind])
    if option == b"id":  # arity (-2) and the TYPE case above leave len(argv) >= 3 here
        if len(argv) < 4:
            raise CommandError(errors.SYNTAX)
        ids = [parse_int(raw, INVALID_CLIENT_ID) for raw in argv[3:]]
        by_id = client.server.clients
        # In the order asked, repeats included; unknown ids are skipped.
        return _lines(client, argv, [by_id[each] for each in ids if each in by_id])
    raise CommandError(errors.SYNTAX)


@command("client|info")
def client_info(client: Client, argv: list[bytes]) -> object:
    return _lines(client, argv, [client])


# --- KILL --------------------------------------------------------------------------------------------
def kill_client(target: Client, caller: Client) -> None:
    """Close ``target``: the caller after its reply, any other client now (networking.c freeClient)."""
    if target is caller:
        target.close_after_reply = True
        return
    if target.closed:
        return
    target.closed = True
    target.out.clear()  # what was not written yet is lost, as when Redis frees the client
    target.server.remove_client(target)
    if target.transport is not None:
        target.transport.close()


def _user_exists(server: Server, name: bytes) -> bool:
    """miniredis has one ACL user, ``default``."""
    return name == b"default"


@command("client|kill")
def client_kill(client: Client, argv: list[bytes]) -> object:
    server = client.server
    if len(argv) == 3:
        # The old form, CLIENT KILL <ip:port>: OK or an error, and it may kill the caller.
        addr = errors.text(argv[2])
        targets = [each for each in server.clients.values() if each.addr == addr]
        if not targets:
            raise CommandError(NO_SUCH_CLIENT)
        for target in targets:
            kill_client(target, client)
        return OK
    # The filter form: <option> <value> pairs, parsed in order (the first bad pair is the reply).
    client_id_filter: int | None = None
    kind: str | None = None
    addr_filter: str | None = None
    laddr_filter: str | None = None
    user: bytes | None = None
    skipme = True
    index = 2
    while index < len(argv):
        option = argv[index].lower()
        has_value = len(argv) > index + 1
        value = argv[index + 1] if has_value else b""
        if not has_value:
            raise CommandError(errors.SYNTAX)
        if option == b"id":
            client_id_filter = parse_int(value, CLIENT_ID_NOT_POSITIVE)
            if client_id_filter < 1 or client_id_filter > LONG_MAX:
                raise CommandError(CLIENT_ID_NOT_POSITIVE)
        elif option == b"type":
            kind = _parse_type(value)
        elif option == b"addr":
            addr_filter = errors.text(value)
        elif option == b"laddr":
            laddr_filter = errors.text(value)
        elif option == b"user":
            if not _user_exists(server, value):
                raise CommandError(NO_SUCH_USER.format(errors.text(value)))
            user = value
        elif option == b"skipme":
            answer = value.lower()
            if answer == b"yes":
                skipme = True
            elif answer == b"no":
                skipme = False
            else:
                raise CommandError(errors.SYNTAX)
        else:
            raise CommandError(errors.SYNTAX)
        index += 2
    killed = 0
    for target in list(server.clients.values()):
        if client_id_filter is not None and target.id != client_id_filter:
            continue
        if kind is not None and client_type(target) != kind:
            continue
        if addr_filter is not None and target.addr != addr_filter:
            continue
        if laddr_filter is not None and target.laddr != laddr_filter:
            continue
        if user is not None and target.user != user:
            continue
        if target is client and skipme:
            continue
        kill_client(target, client)
        killed += 1
    return killed


# --- PAUSE / UNPAUSE ---------------------------------------------------------------------------------
@command("client|pause")
def client_pause(client: Client, argv: list[bytes]) -> object:
    if len(argv) > 4:
        raise CommandError(unknown_or_arity(argv[1]))
    all_commands = True
    if len(argv) == 4:
        mode = argv[3].lower()
        if mode == b"write":
            all_commands = False
        elif mode != b"all":
            raise CommandError(PAUSE_MODE)
    timeout = parse_int(argv[2], PAUSE_TIMEOUT_NOT_INTEGER)
    if timeout < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    end_ms = 0
    if timeout > 0:
        end_ms = client.server.clock.time_ms() + timeout
        if end_ms > LONG_MAX:
            # Redis adds the timeout to the time in a signed 64-bit integer: it wraps to a time long past,
            # so the pause ends at once (only the WRITE/ALL mode of a pause in progress is affected).
            end_ms -= 1 << 64
    client.server.pause(end_ms, all_commands)
    return OK


@command("client|unpause")
def client_unpause(client: Client, argv: list[bytes]) -> object:
    client.server.unpause()
    return OK


# --- UNBLOCK -----------------------------------------------------------------------------------------
@command("client|unblock")
def client_unblock(client: Client, argv: list[bytes]) -> object:
    error = False
    if len(argv) == 4:  # the reason is checked before the id
        reason = argv[3].lower()
        if reason == b"error":
            error = True
        elif reason != b"timeout":
            raise CommandError(UNBLOCK_REASON)
    elif len(argv) > 4:
        raise CommandError(unknown_or_arity(argv[1]))
    target_id = parse_int(argv[2])
    target = client.server.clients.get(target_id)
    if target is None or target is client:
        return 0
    return 1 if client.server.blocking.unblock(target, error) else 0
