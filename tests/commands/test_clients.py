"""The CLIENT family through redis-py (sync and asyncio, RESP2 and RESP3) and raw sockets: ID, SETNAME,
GETNAME, LIST, INFO, KILL, UNBLOCK, PAUSE, UNPAUSE, REPLY, NO-EVICT, HELP."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
import redis.asyncio

from miniredis.blocking import Block
from miniredis.commands.clients import HELP_LINES, client_info_line
from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer
from tests.helpers import encode_command

FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub", "multi",
          "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem", "events",
          "cmd", "user", "redir", "resp"]


@pytest.fixture(autouse=True)
def no_pause_left(server: MiniRedisServer) -> Iterator[None]:
    """A failing PAUSE test must not hold the module's shared server."""
    yield
    server.call(lambda srv: srv.unpause())


def parse_line(line: bytes | str) -> list[tuple[str, str]]:
    text = line.decode() if isinstance(line, bytes) else line
    return [tuple(item.split("=", 1)) for item in text.strip("\n").split(" ")]  # type: ignore[misc]


def info_of(client: redis.Redis) -> dict[str, str]:
    return dict(parse_line(client.execute_command("CLIENT", "INFO")))


def list_by_id(r: redis.Redis, *ids: int) -> list[dict[str, str]]:
    text = r.execute_command("CLIENT", "LIST", "ID", *ids)
    text = text.decode() if isinstance(text, bytes) else text
    return [dict(parse_line(line)) for line in text.splitlines()]


class Raw:
    """A raw RESP socket: send commands, read what arrives within a short wait."""

    def __init__(self, server: MiniRedisServer) -> None:
        self.sock = socket.create_connection((server.host, server.port), timeout=2)

    encode = staticmethod(encode_command)

    def send(self, *argv: str | bytes | int) -> None:
        self.sock.sendall(self.encode(*argv))

    def pipeline(self, *commands: tuple[str | bytes | int, ...]) -> None:
        """Several requests in one write (so that they arrive together)."""
        self.sock.sendall(b"".join(self.encode(*argv) for argv in commands))

    def expect(self, expected: bytes, wait: float = 5.0) -> bytes:
        """Read until ``expected`` has arrived (or more, or the time is up): robust on a loaded machine."""
        return self._collect(wait, lambda out: len(out) >= len(expected))

    def read(self, wait: float = 0.2) -> bytes:
        return self._collect(wait, lambda out: False)

    def _collect(self, wait: float, enough: Callable[[bytes], bool]) -> bytes:
        """What arrives within ``wait`` seconds, stopping early once ``enough(out)``; ``<closed>`` marks
        the end of the connection."""
        deadline = time.monotonic() + wait
        out = b""
        self.sock.settimeout(0.02)
        while time.monotonic() < deadline and not enough(out):
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                return out + b"<closed>"
            if not chunk:
                return out + b"<closed>"
            out += chunk
        return out

    def id(self) -> int:
        self.send("CLIENT", "ID")
        return int(self.read()[1:-2])

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw_conn(server: MiniRedisServer) -> Iterator[Raw]:
    conn = Raw(server)
    yield conn
    conn.close()


# --- ID, SETNAME, GETNAME, HELP, NO-EVICT ---------------------------------------------------------------
def test_id_is_the_connections_id(r: redis.Redis) -> None:
    ident = r.client_id()
    assert isinstance(ident, int) and ident > 0
    assert info_of(r)["id"] == str(ident)
    assert r.client_id() == ident


def test_setname_getname(r: redis.Redis) -> None:
    assert r.client_getname() is None
    assert r.client_setname("worker-1") is True
    assert r.client_getname() in ("worker-1", b"worker-1")
    assert info_of(r)["name"] == "worker-1"
    assert r.execute_command("CLIENT", "SETNAME", "") in (b"OK", "OK", True)
    assert r.client_getname() is None
    for bad in ("a b", "a\nb", "\x7f", "é"):
        with pytest.raises(redis.ResponseError, match="^Client names cannot contain spaces, newlines or special"):
            r.client_setname(bad)
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'client|getname' command"):
        r.execute_command("CLIENT", "GETNAME", "x")


def test_help(r: redis.Redis) -> None:
    lines = r.execute_command("CLIENT", "HELP")
    assert len(lines) == 48 == len(HELP_LINES)
    assert lines[0] in (HELP_LINES[0], HELP_LINES[0].encode())
    assert lines[-1] in ("    Prints this help.", b"    Prints this help.")


def test_no_evict(r: redis.Redis) -> None:
    assert r.client_no_evict("on") in (b"OK", "OK")
    assert info_of(r)["flags"] == "e"
    assert r.execute_command("CLIENT", "NO-EVICT", "OFF") in (b"OK", "OK")
    assert info_of(r)["flags"] == "N"
    with pytest.raises(redis.ResponseError, match="^syntax error$"):
        r.execute_command("CLIENT", "NO-EVICT", "maybe")


def test_unknown_and_unserved_subcommands(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match=r"^unknown subcommand 'foo'. Try CLIENT HELP.$"):
        r.execute_command("CLIENT", "foo")
    with pytest.raises(redis.ResponseError, match=r"^unknown subcommand 'TRACKING'"):
        r.execute_command("CLIENT", "TRACKING", "on")


# --- INFO and LIST ----------------------------------------------------------------------------------------
def test_info_line_fields(r: redis.Redis) -> None:
    protocol = r.connection_pool.connection_kwargs.get("protocol", 2)
    raw = r.execute_command("CLIENT", "INFO")
    text = raw.decode() if isinstance(raw, bytes) else raw
    assert text.endswith("\n") and text.count("\n") == 1
    pairs = parse_line(text)
    assert [name for name, _ in pairs] == FIELDS
    fields = dict(pairs)
    assert fields["id"] == str(r.client_id())
    assert fields["laddr"].endswith(f":{r.connection_pool.connection_kwargs['port']}")
    assert fields["flags"] == "N" and fields["db"] == "0" and fields["multi"] == "-1"
    assert (fields["sub"], fields["psub"], fields["ssub"]) == ("0", "0", "0")
    assert fields["qbuf"] == "26" and fields["argv-mem"] == "10"  # "*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n"
    assert fields["cmd"] == "client|info" and fields["user"] == "default"
    assert fields["redir"] == "-1" and fields["resp"] == str(protocol) and fields["events"] == "r"
    assert fields["age"] == "0" and fields["idle"] == "0"


def test_info_follows_db_and_name(r: redis.Redis) -> None:
    r.execute_command("SELECT", "3")
    r.client_setname("n")
    fields = info_of(r)
    assert fields["db"] == "3" and fields["name"] == "n"


def test_list_shows_every_client_and_filters(r: redis.Redis, server: MiniRedisServer) -> None:
    other = redis.Redis(host=server.host, port=server.port)
    try:
        other.client_setname("other")
        mine, theirs = r.client_id(), other.client_id()
        lines = r.client_list()
        names = {entry["name"] for entry in lines}
        assert "other" in names
        assert {entry["id"] for entry in r.client_list(_type="normal")} >= {str(mine), str(theirs)}
        assert r.client_list(_type="pubsub") == []
        assert r.client_list(_type="master") == [] and r.client_list(_type="replica") == []
        assert r.execute_command("CLIENT", "LIST", "TYPE", "slave") in (b"", "")
        assert [entry["id"] for entry in list_by_id(r, theirs, mine, theirs, 0, -5, 10**9)] == [
            str(theirs), str(mine), str(theirs)]
        assert list_by_id(r, 10**9) == []
    finally:
        other.close()


def test_list_errors(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="^Unknown client type 'foo'$"):
        r.execute_command("CLIENT", "LIST", "TYPE", "foo")
    with pytest.raises(redis.ResponseError, match="^Invalid client ID$"):
        r.execute_command("CLIENT", "LIST", "ID", "1", "x")
    for argv in (("x",), ("TYPE",), ("ID",), ("TYPE", "normal", "ID", "1"), ("foo", "bar")):
        with pytest.raises(redis.ResponseError, match="^syntax error$"):
            r.execute_command("CLIENT", "LIST", *argv)


def test_flags_and_counters_of_other_clients(r: redis.Redis, server: MiniRedisServer) -> None:
    sub, tx, mon, watcher = (Raw(server) for _ in range(4))
    try:
        ids = [conn.id() for conn in (sub, tx, mon, watcher)]
        sub.send("SUBSCRIBE", "a", "b")
        sub.send("PSUBSCRIBE", "p*")
        tx.send("MULTI")
        tx.send("SET", "k", "v")
        tx.send("GET", "k")
        mon.send("MONITOR")
        watcher.send("WATCH", "wk")
        pubsub_served = not sub.read(0.1).startswith(b"-ERR unknown command")
        for conn in (tx, mon, watcher):
            conn.read(0.1)
        r.set("wk", "1")
        entries = {int(entry["id"]): entry for entry in list_by_id(r, *ids)}
        if pubsub_served:
            assert entries[ids[0]]["flags"] == "P"
            assert (entries[ids[0]]["sub"], entries[ids[0]]["psub"]) == ("2", "1")
            assert entries[ids[0]]["cmd"] == "psubscribe"
            assert r.client_list(_type="pubsub")[0]["id"] == str(ids[0])
        assert entries[ids[1]]["flags"] == "x" and entries[ids[1]]["multi"] == "2"
        assert entries[ids[1]]["multi-mem"] == "49"  # argument bytes + one pointer per argument
        assert entries[ids[2]]["flags"] == "O"
        assert entries[ids[3]]["flags"] == "d"
    finally:
        for conn in (sub, tx, mon, watcher):
            conn.close()


def test_age_and_idle_follow_the_server_clock() -> None:
    with MiniRedisServer(manual_clock=True) as srv:
        first = redis.Redis(host=srv.host, port=srv.port)
        second = redis.Redis(host=srv.host, port=srv.port)
        try:
            other = second.client_id()
            srv.clock.advance(7)  # type: ignore[attr-defined]
            entry = list_by_id(first, other)[0]
            assert (entry["age"], entry["idle"]) == ("7", "7")
            assert info_of(first)["idle"] == "0"
        finally:
            first.close()
            second.close()


# --- KILL -------------------------------------------------------------------------------------------------
def test_kill_old_form(r: redis.Redis, server: MiniRedisServer) -> None:
    victim = Raw(server)
    victim_id = victim.id()
    addr = list_by_id(r, victim_id)[0]["addr"]
    assert r.execute_command("CLIENT", "KILL", addr) in (b"OK", "OK", True)
    assert victim.read().endswith(b"<closed>")
    victim.close()
    assert list_by_id(r, victim_id) == []
    with pytest.raises(redis.ResponseError, match="^No such client$"):
        r.execute_command("CLIENT", "KILL", addr)
    with pytest.raises(redis.ResponseError, match="^No such client$"):
        r.execute_command("CLIENT", "KILL", "id")


def test_kill_old_form_can_kill_the_caller(raw_conn: Raw) -> None:
    raw_conn.send("CLIENT", "INFO")
    addr = dict(parse_line(raw_conn.read().split(b"\r\n")[1]))["addr"]
    raw_conn.pipeline(("CLIENT", "KILL", addr), ("PING",))
    assert raw_conn.expect(b"+OK\r\n<closed>")


def test_kill_filters(r: redis.Redis, server: MiniRedisServer) -> None:
    victims = [Raw(server) for _ in range(3)]
    try:
        ids = [victim.id() for victim in victims]
        victims[2].send("SUBSCRIBE", "ch")
        victims[2].read()
        assert r.execute_command("CLIENT", "KILL", "ID", str(10**12)) == 0
        assert r.execute_command("CLIENT", "KILL", "ID", str(ids[0])) == 1
        assert victims[0].read().endswith(b"<closed>")
        assert r.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 1
        assert victims[2].read().endswith(b"<closed>")
        addr = list_by_id(r, ids[1])[0]["addr"]
        assert r.execute_command("CLIENT", "KILL", "ADDR", "1.2.3.4:5") == 0
        assert r.execute_command("CLIENT", "KILL", "ADDR", addr, "ID", str(ids[1])) == 1
        assert victims[1].read().endswith(b"<closed>")
        assert list_by_id(r, *ids) == []
        # SKIPME (yes by default) protects the caller from its own filter.
        me = r.client_id()
        assert r.execute_command("CLIENT", "KILL", "ID", str(me)) == 0
        assert r.execute_command("CLIENT", "KILL", "ID", str(me), "SKIPME", "yes") == 0
        assert r.ping()
    finally:
        for victim in victims:
            victim.close()


def test_kill_by_laddr_and_user(server: MiniRedisServer, raw_conn: Raw) -> None:
    victim = Raw(server)
    try:
        victim.id()
        raw_conn.send("CLIENT", "KILL", "LADDR", f"127.0.0.1:{server.port}", "USER", "default")
        assert int(raw_conn.read()[1:-2]) >= 1
        assert victim.read().endswith(b"<closed>")
        raw_conn.send("PING")
        assert raw_conn.expect(b"+PONG\r\n")
    finally:
        victim.close()


def test_kill_self_with_skipme_no_replies_then_closes(raw_conn: Raw) -> None:
    ident = raw_conn.id()
    raw_conn.pipeline(("CLIENT", "KILL", "ID", ident, "SKIPME", "no"), ("PING",))
    assert raw_conn.expect(b":1\r\n<closed>")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("ID", "0"), "client-id should be greater than 0"),
        (("ID", "-1"), "client-id should be greater than 0"),
        (("ID", "x"), "client-id should be greater than 0"),
        (("ID", "18446744073709551616"), "client-id should be greater than 0"),
        (("TYPE", "foo"), "Unknown client type 'foo'"),
        (("TYPE", "foo\x00bar"), "Unknown client type 'foo'"),
        (("USER", "nobody"), "No such user 'nobody'"),
        (("SKIPME", "maybe"), "syntax error"),
        (("MAXAGE", "5"), "syntax error"),
        (("ID", "1", "TYPE"), "syntax error"),
        (("foo", "bar", "ID", "0"), "syntax error"),
        (("ID", "0", "foo", "bar"), "client-id should be greater than 0"),
        (("ID", "5", "USER", "nobody"), "No such user 'nobody'"),
    ],
)
def test_kill_errors(r: redis.Redis, argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(redis.ResponseError) as failure:
        r.execute_command("CLIENT", "KILL", *argv)
    assert str(failure.value) == message


# --- PAUSE / UNPAUSE --------------------------------------------------------------------------------------
def test_pause_write_holds_writes_only(r: redis.Redis, server: MiniRedisServer) -> None:
    writer = Raw(server)
    try:
        ident = writer.id()
        assert r.client_pause(300, all=False) is True
        started = time.monotonic()
        writer.send("GET", "k")
        assert writer.expect(b"$-1\r\n")  # reads run during a WRITE pause
        writer.send("SET", "k", "v")
        writer.send("GET", "k")  # behind the held write, in order
        assert writer.read(0.1) == b""
        entry = list_by_id(r, ident)[0]
        assert "b" in entry["flags"] and entry["argv-mem"] == "5"
        assert writer.expect(b"+OK\r\n$1\r\nv\r\n")
        assert time.monotonic() - started >= 0.25
    finally:
        writer.close()


def test_pause_all_holds_reads_and_unpause_releases(r: redis.Redis, server: MiniRedisServer) -> None:
    reader = Raw(server)
    try:
        reader.id()
        r.client_pause(5000)  # ALL is the default mode
        reader.send("GET", "k")
        assert reader.read(0.15) == b""
        unpauser = Raw(server)
        try:
            unpauser.send("CLIENT", "UNPAUSE")  # in ALL mode even CLIENT UNPAUSE waits
            assert unpauser.read(0.1) == b""
            server.call(lambda srv: srv.unpause())
            assert unpauser.expect(b"+OK\r\n")
        finally:
            unpauser.close()
        assert reader.expect(b"$-1\r\n")
    finally:
        reader.close()


def test_unpause_command(r: redis.Redis, server: MiniRedisServer) -> None:
    writer = Raw(server)
    try:
        writer.id()
        r.client_pause(5000, all=False)
        writer.send("SET", "k", "v")
        assert writer.read(0.1) == b""
        assert r.client_unpause() in (b"OK", "OK", True)
        assert writer.expect(b"+OK\r\n")
    finally:
        writer.close()


def test_pause_keeps_the_later_end_and_the_stricter_mode(r: redis.Redis, server: MiniRedisServer) -> None:
    reader = Raw(server)
    try:
        reader.id()
        r.client_pause(400, all=False)
        r.client_pause(0, all=True)  # upgrades the pause in progress to ALL, keeps its end
        reader.send("GET", "k")
        assert reader.read(0.15) == b""
        assert reader.expect(b"$-1\r\n")
    finally:
        reader.close()


def test_pause_with_a_past_end_pauses_nothing(r: redis.Redis, server: MiniRedisServer) -> None:
    writer = Raw(server)
    try:
        writer.id()
        assert r.execute_command("CLIENT", "PAUSE", "0", "WRITE") in (b"OK", "OK", True)
        assert r.execute_command("CLIENT", "PAUSE", str(2**63 - 1), "WRITE") in (b"OK", "OK", True)  # wraps
        writer.send("SET", "k", "v")
        assert writer.expect(b"+OK\r\n")
        assert server.call(lambda srv: srv.pause_active) is False
    finally:
        writer.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("x",), "timeout is not an integer or out of range"),
        (("1.5",), "timeout is not an integer or out of range"),
        (("18446744073709551616",), "timeout is not an integer or out of range"),
        (("-1",), "timeout is negative"),
        (("0", "foo"), "CLIENT PAUSE mode must be WRITE or ALL"),
        (("x", "foo"), "CLIENT PAUSE mode must be WRITE or ALL"),
        (("0", "all", "x"), "unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP."),
    ],
)
def test_pause_errors(r: redis.Redis, argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(redis.ResponseError) as failure:
        r.execute_command("CLIENT", "PAUSE", *argv)
    assert str(failure.value) == message
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'client|unpause' command"):
        r.execute_command("CLIENT", "UNPAUSE", "x")


# --- UNBLOCK ----------------------------------------------------------------------------------------------
def block_on(server: MiniRedisServer, client_id: int) -> None:
    """Park a client on key ``k`` as a blocking command would (timeout reply: a null array)."""

    def park(srv: Server) -> None:
        target = srv.clients[client_id]
        argv = [b"BLPOP", b"k", b"0"]
        srv.blocking.block(target, srv.table.lookup(b"get"), argv, Block([b"k"], 0))  # type: ignore[arg-type]

    server.call(park)


@pytest.mark.parametrize(("reason", "reply"), [
    ((), b"*-1\r\n"), (("TIMEOUT",), b"*-1\r\n"), (("error",), b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"),
])
def test_unblock_a_blocked_client(r: redis.Redis, server: MiniRedisServer, reason: tuple[str, ...],
                                  reply: bytes) -> None:
    blocked = Raw(server)
    try:
        ident = blocked.id()
        block_on(server, ident)
        entry = list_by_id(r, ident)[0]
        assert entry["flags"] == "b" and entry["argv-mem"] == "7"
        assert r.client_unblock(ident, error=bool(reason and reason[0] == "error")) in (1, True)
        assert blocked.read() == reply
        assert list_by_id(r, ident)[0]["flags"] == "N"
        assert r.execute_command("CLIENT", "UNBLOCK", ident, *reason) == 0  # no longer blocked
        blocked.send("PING")
        assert blocked.expect(b"+PONG\r\n")
    finally:
        blocked.close()


def test_unblock_unblocked_or_unknown_clients(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.client_unblock(r.client_id()) in (0, False)
    for unknown in ("0", "-1", str(10**12)):
        assert r.execute_command("CLIENT", "UNBLOCK", unknown) == 0
    held = Raw(server)
    try:
        ident = held.id()
        r.client_pause(5000, all=False)
        held.send("SET", "k", "v")
        assert held.read(0.1) == b""
        assert r.execute_command("CLIENT", "UNBLOCK", ident) == 0  # held by PAUSE is not blocked on keys
        r.client_unpause()
        assert held.expect(b"+OK\r\n")
    finally:
        held.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("x",), "value is not an integer or out of range"),
        (("1", "foo"), "CLIENT UNBLOCK reason should be TIMEOUT or ERROR"),
        (("x", "foo"), "CLIENT UNBLOCK reason should be TIMEOUT or ERROR"),
        (("x", "timeout"), "value is not an integer or out of range"),
        (("1", "error", "x"), "unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP."),
    ],
)
def test_unblock_errors(r: redis.Redis, argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(redis.ResponseError) as failure:
        r.execute_command("CLIENT", "unblock", *argv)
    assert str(failure.value) == message


# --- REPLY ------------------------------------------------------------------------------------------------
def test_reply_off_and_on(raw_conn: Raw) -> None:
    raw_conn.send("CLIENT", "REPLY", "OFF")
    raw_conn.send("PING")
    raw_conn.send("CLIENT", "REPLY", "nonsense")  # errors are silenced too
    raw_conn.send("CLIENT", "REPLY", "SKIP")  # SKIP while OFF changes nothing
    raw_conn.send("PING")
    raw_conn.send("CLIENT", "REPLY", "ON")
    raw_conn.send("PING")
    assert raw_conn.expect(b"+OK\r\n+PONG\r\n")


def test_reply_skip_drops_the_next_reply_only(raw_conn: Raw) -> None:
    raw_conn.send("CLIENT", "REPLY", "SKIP")
    raw_conn.send("ECHO", "dropped")
    raw_conn.send("ECHO", "kept")
    raw_conn.send("CLIENT", "REPLY", "SKIP")
    raw_conn.send("CLIENT", "REPLY", "ON")  # ON right after SKIP is answered
    raw_conn.send("CLIENT", "REPLY", "foo")
    assert raw_conn.expect(b"$4\r\nkept\r\n+OK\r\n-ERR syntax error\r\n")


def test_reply_argument_errors(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="^syntax error$"):
        r.execute_command("CLIENT", "REPLY", "foo")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'client|reply' command"):
        r.execute_command("CLIENT", "REPLY", "on", "x")
    assert r.execute_command("CLIENT", "REPLY", "on") in (b"OK", "OK", True)


# --- unit: the CLIENT LIST line of a client outside any connection --------------------------------------
def test_info_line_of_a_detached_client() -> None:
    from miniredis.server.client import Client

    server = Server()
    client = Client(server, 42, None)
    client.name = b"n"
    client.multi = []
    client.no_evict = True
    fields = dict(parse_line(client_info_line(client)))
    assert fields["id"] == "42" and fields["flags"] == "xe" and fields["multi"] == "0"
    assert fields["qbuf"] == "0" and fields["cmd"] == "NULL" and fields["name"] == "n"


# --- asyncio ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("protocol", [2, 3])
def test_asyncio_clients(server: MiniRedisServer, protocol: int) -> None:
    async def scenario() -> dict[str, Any]:
        first = redis.asyncio.Redis(host=server.host, port=server.port, protocol=protocol)
        second = redis.asyncio.Redis(host=server.host, port=server.port, protocol=protocol)
        try:
            await first.client_setname("first")
            await second.client_setname("second")
            second_id = await second.client_id()
            names = {entry["name"] for entry in await first.client_list()}
            info = await second.client_info()
            await first.client_pause(150, all=False)
            started = time.monotonic()
            await second.set("k", "v")
            waited = time.monotonic() - started
            killed = await first.client_kill_filter(_id=str(second_id))
            return {"names": names, "info": info, "waited": waited, "killed": killed,
                    "getname": await first.client_getname()}
        finally:
            await first.aclose()
            await second.aclose()

    result = asyncio.run(scenario())
    assert {"first", "second"} <= result["names"]
    assert result["info"]["name"] == "second" and result["info"]["resp"] == str(protocol)
    assert result["waited"] >= 0.08
    assert result["killed"] == 1
    assert result["getname"] in ("first", b"first")
