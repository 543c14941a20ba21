"""The CLIENT family against real Redis 7.0: every subcommand and error, in RESP2 and RESP3.

CLIENT LIST / CLIENT INFO lines are compared with ``client_lines`` (below): ids, addresses, fds and
Redis's memory figures differ by nature, so it checks the reply type, the field names and their
order, and every deterministic field. Cases that target another connection send each server the id
(or address) that connection has there, and compare the replies.

Pinned surprises: CLIENT HELP ends with "Prints this help." (not the shared "Print this help.");
an empty CLIENT LIST in RESP3 is ``=4 txt:``; CLIENT SETNAME "" clears the name; CLIENT KILL with
three arguments is the old ``ip:port`` form even for ``CLIENT KILL ID`` (``No such client``);
CLIENT KILL ID takes any non-positive or non-integer id as "client-id should be greater than 0";
CLIENT UNBLOCK checks its reason before its id; CLIENT PAUSE checks its mode before its timeout;
too many arguments to PAUSE/UNBLOCK name the subcommand as typed; a PAUSE whose end overflows
(``9223372036854775807``) replies OK and pauses nothing; ``CLIENT PAUSE 0 ALL`` during a WRITE
pause turns it into an ALL pause; MONITOR clients show flag ``O``; REPLY SKIP while OFF does nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from conformance.harness import Arg, Pair, RawConnection, assert_same, decode_bulk

# Fields whose values depend on the run: connection identity, and Redis's allocator-sized buffers.
_VOLATILE = frozenset({"id", "addr", "laddr", "fd", "qbuf-free", "rbs", "rbp", "tot-mem"})
_SECONDS = frozenset({"age", "idle"})


def _payload(raw: bytes) -> bytes:
    data = decode_bulk(raw)
    return data[4:] if raw[:1] == b"=" else data  # RESP3 verbatim text starts with "txt:"


def _line_fields(line: bytes) -> list[tuple[bytes, bytes]]:
    return [tuple(item.split(b"=", 1)) for item in line.split(b" ")]  # type: ignore[misc]


def _normalized(line: bytes) -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    fields = _line_fields(line)
    names = [name for name, _ in fields]
    kept = [(name, value) for name, value in fields if name.decode() not in _VOLATILE | _SECONDS]
    return names, kept


def client_lines(real: bytes, mini: bytes) -> bool:
    """CLIENT LIST/INFO: ids, addresses, fds and Redis's allocator-sized memory fields (qbuf-free, rbs,
    rbp, tot-mem) cannot match, and age/idle may straddle a second: same reply type and verbatim
    format, same field names in the same order, every other field equal, age/idle within a second."""
    if real[:1] != mini[:1] or real[:1] not in (b"$", b"="):
        return real == mini
    if real[:1] == b"=" and decode_bulk(mini)[:4] != b"txt:":
        return False
    real_lines = _payload(real).split(b"\n")
    mini_lines = _payload(mini).split(b"\n")
    if len(real_lines) != len(mini_lines) or real_lines[-1] != b"" or mini_lines[-1] != b"":
        return False
    real_sorted = sorted(real_lines[:-1], key=lambda line: repr(_normalized(line)))
    mini_sorted = sorted(mini_lines[:-1], key=lambda line: repr(_normalized(line)))
    for real_line, mini_line in zip(real_sorted, mini_sorted, strict=True):
        if _normalized(real_line) != _normalized(mini_line):
            return False
        real_fields, mini_fields = dict(_line_fields(real_line)), dict(_line_fields(mini_line))
        for name in _SECONDS:
            if abs(int(real_fields[name.encode()]) - int(mini_fields[name.encode()])) > 1:
                return False
    return True


def other_ids(other: Pair) -> tuple[int, int]:
    """The id ``other``'s connections have on the real server and on miniredis."""
    real = other.real.send("CLIENT", "ID")
    mini = other.mini.send("CLIENT", "ID")
    return int(real[1:-2]), int(mini[1:-2])


def other_addrs(other: Pair) -> tuple[str, str]:
    found = []
    for conn in (other.real, other.mini):
        match = re.search(rb"addr=(\S+)", conn.send("CLIENT", "INFO"))
        assert match is not None
        found.append(match.group(1).decode())
    return found[0], found[1]


def check_each(pair: Pair, real_argv: tuple[Arg, ...], mini_argv: tuple[Arg, ...],
               compare: Callable[[bytes, bytes], bool] | None = None) -> bytes:
    """Send server-specific argv (ids, addresses) to each side and compare the replies."""
    real = pair.real.send(*real_argv)
    mini = pair.mini.send(*mini_argv)
    assert_same(real_argv, real, mini, compare)
    return real


def list_other(pair: Pair, other: Pair, ids: tuple[int, int] | None = None) -> bytes:
    real_id, mini_id = ids or other_ids(other)
    return check_each(pair, ("CLIENT", "LIST", "ID", real_id), ("CLIENT", "LIST", "ID", mini_id), client_lines)


def served(pair: Pair, *argv: Arg) -> bool:
    """Whether miniredis serves a command (probed with a wrong arity: no side effect)."""
    reply = pair.mini.send(*argv)
    return not reply.startswith(b"-ERR unknown command")


# --- exact replies: one sequence per case, RESP2 and RESP3 -------------------------------------------
CASES: dict[str, list[tuple[Arg, ...]]] = {
    "help": [("CLIENT", "HELP"), ("client", "help", "x"), ("CLIENT",), ("CLIENT", "foo"), ("CLIENT", "foo", "bar")],
    "names": [
        ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME", "conn-1"), ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME", ""),
        ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME", "a b"), ("CLIENT", "SETNAME", "a\nb"),
        ("CLIENT", "SETNAME", "\x7f"), ("CLIENT", "SETNAME", b"\xc3\xa9"), ("CLIENT", "SETNAME", "~!@#"),
        ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME"), ("CLIENT", "SETNAME", "a", "b"), ("CLIENT", "GETNAME", "x"),
    ],
    "id_arity": [("CLIENT", "ID", "x"), ("CLIENT", "INFO", "x")],
    "list_options": [
        ("CLIENT", "LIST", "TYPE", "master"), ("CLIENT", "LIST", "TYPE", "replica"),
        ("CLIENT", "LIST", "TYPE", "slave"),
        ("CLIENT", "LIST", "TYPE", "pubsub"), ("CLIENT", "LIST", "ID", "0"), ("CLIENT", "LIST", "ID", "-1", "999999"),
        ("CLIENT", "LIST", "x"), ("CLIENT", "LIST", "TYPE"), ("CLIENT", "LIST", "TYPE", "foo"),
        ("CLIENT", "LIST", "TYPE", b"no\x00rmal"), ("CLIENT", "LIST", "TYPE", ""), ("CLIENT", "LIST", "ID"),
        ("CLIENT", "LIST", "ID", "x"), ("CLIENT", "LIST", "ID", "1", "x"), ("CLIENT", "LIST", "ID", "1.5"),
        ("CLIENT", "LIST", "ID", "18446744073709551616"), ("CLIENT", "LIST", "ID", "9223372036854775807"),
        ("CLIENT", "LIST", "TYPE", "normal", "ID", "1"), ("CLIENT", "LIST", "ID", "1", "TYPE", "normal"),
        ("CLIENT", "LIST", "foo", "bar"),
    ],
    "kill_errors": [
        ("CLIENT", "KILL"), ("CLIENT", "KILL", "1.2.3.4:5"), ("CLIENT", "KILL", "foo"), ("CLIENT", "KILL", "id"),
        ("CLIENT", "KILL", "type"), ("CLIENT", "KILL", "skipme"), ("CLIENT", "KILL", "ID", "x"),
        ("CLIENT", "KILL", "ID", "0"), ("CLIENT", "KILL", "ID", "-1"), ("CLIENT", "KILL", "ID", "1.5"),
        ("CLIENT", "KILL", "ID", "18446744073709551616"), ("CLIENT", "KILL", "ID", b"1\x002"),
        ("CLIENT", "KILL", "ID", "99999999"), ("CLIENT", "KILL", "ID", "9223372036854775807"),
        ("CLIENT", "KILL", "TYPE", "foo"), ("CLIENT", "KILL", "TYPE", b"no\x00body"), ("CLIENT", "KILL", "TYPE", ""),
        ("CLIENT", "KILL", "TYPE", "normal", "x"), ("CLIENT", "KILL", "TYPE", "pubsub"),
        ("CLIENT", "KILL", "TYPE", "master"), ("CLIENT", "KILL", "TYPE", "REPLICA"),
        ("CLIENT", "KILL", "type", "slave"),
        ("CLIENT", "KILL", "USER", "nobody"), ("CLIENT", "KILL", "USER", b"no\x00body"),
        ("CLIENT", "KILL", "USER", "default", "ADDR", "1.2.3.4:5"), ("CLIENT", "KILL", "ADDR", "1.2.3.4:5"),
        ("CLIENT", "KILL", "LADDR", "1.2.3.4:5"), ("CLIENT", "KILL", "ADDR", "a", "b"),
        ("CLIENT", "KILL", "SKIPME", "foo"), ("CLIENT", "KILL", "SKIPME", "yes", "ID", "99999999"),
        ("CLIENT", "KILL", "SKIPME", "NO", "ID", "99999999"), ("CLIENT", "KILL", "foo", "bar"),
        ("CLIENT", "KILL", "MAXAGE", "5"), ("CLIENT", "KILL", "ID", "1", "foo"),
        ("CLIENT", "KILL", "foo", "bar", "ID", "0"), ("CLIENT", "KILL", "ID", "0", "foo", "bar"),
        ("CLIENT", "KILL", "ID", "0", "foo"), ("CLIENT", "KILL", "TYPE", "foo", "ID", "0"),
        ("CLIENT", "KILL", "USER", "nobody", "ID", "0"), ("CLIENT", "KILL", "ID", "5", "USER", "nobody"),
        ("CLIENT", "KILL", "SKIPME", "foo", "ID", "0"), ("CLIENT", "KILL", "ID", "1", "ID", "99999999"),
        ("CLIENT", "KILL", "TYPE", "pubsub", "TYPE", "master"),
    ],
    "pause_errors": [
        ("CLIENT", "PAUSE"), ("CLIENT", "PAUSE", "x"), ("CLIENT", "PAUSE", "-1"), ("CLIENT", "PAUSE", "1.5"),
        ("CLIENT", "PAUSE", "18446744073709551616"), ("CLIENT", "PAUSE", "0", "foo"), ("CLIENT", "PAUSE", "x", "foo"),
        ("CLIENT", "PAUSE", "-1", "foo"), ("CLIENT", "PAUSE", "0", "all", "x"), ("CLIENT", "PAUSE", "x", "all", "y"),
        ("CLIENT", "Pause", "0", "foo", "x"), ("CLIENT", "PAUSE", "0", "write"), ("CLIENT", "PAUSE", "0", "ALL"),
        ("CLIENT", "PAUSE", "0"), ("CLIENT", "UNPAUSE"), ("CLIENT", "UNPAUSE", "x"),
        ("CLIENT", "PAUSE", "9223372036854775807", "WRITE"), ("SET", "k", "v"), ("CLIENT", "UNPAUSE"),
    ],
    "unblock_errors": [
        ("CLIENT", "UNBLOCK"), ("CLIENT", "UNBLOCK", "x"), ("CLIENT", "UNBLOCK", "0"), ("CLIENT", "UNBLOCK", "-1"),
        ("CLIENT", "UNBLOCK", "99999999"), ("CLIENT", "UNBLOCK", "99999999", "foo"), ("CLIENT", "UNBLOCK", "x", "foo"),
        ("CLIENT", "UNBLOCK", "x", "timeout"), ("CLIENT", "UNBLOCK", "99999999", "TIMEOUT"),
        ("CLIENT", "UNBLOCK", "99999999", "error"), ("CLIENT", "UNBLOCK", "1", "error", "x"),
        ("Client", "Unblock", "1", "error", "x"), ("CLIENT", "UNBLOCK", "x", "foo", "y"),
        ("CLIENT", "UNBLOCK", "18446744073709551616"), ("CLIENT", "UNBLOCK", "1.5"),
    ],
    "reply_and_no_evict_errors": [
        ("CLIENT", "REPLY"), ("CLIENT", "REPLY", "foo"), ("CLIENT", "REPLY", "on", "x"), ("CLIENT", "REPLY", "ON"),
        ("CLIENT", "reply", "on"), ("CLIENT", "NO-EVICT"), ("CLIENT", "NO-EVICT", "foo"), ("CLIENT", "NO-EVICT", "ON"),
        ("CLIENT", "no-evict", "off"), ("CLIENT", "NO-EVICT", "on", "x"),
    ],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_exact(pairs: Pair, case: str) -> None:
    for argv in CASES[case]:
        pairs.check(*argv)


def test_client_id_and_info(pairs: Pair) -> None:
    real_id = pairs.real.send("CLIENT", "ID")
    mini_id = pairs.mini.send("CLIENT", "ID")
    assert real_id[:1] == mini_id[:1] == b":"
    pairs.check("CLIENT", "INFO", compare=client_lines)
    pairs.check("CLIENT", "SETNAME", "named")
    pairs.check("SELECT", "5")
    pairs.check("CLIENT", "NO-EVICT", "on")
    info = pairs.check("CLIENT", "INFO", compare=client_lines)
    assert b" name=named " in info and b" db=5 " in info and b" flags=e " in info
    check_each(pairs, ("CLIENT", "LIST", "ID", int(real_id[1:-2]), "0", int(real_id[1:-2])),
               ("CLIENT", "LIST", "ID", int(mini_id[1:-2]), "0", int(mini_id[1:-2])), client_lines)


def test_multi_and_watch_flags(pair: Pair, pair_factory: Callable[..., Pair]) -> None:
    other = pair_factory(2)
    ids = other_ids(other)
    other.check("CLIENT", "SETNAME", "tx")
    other.check("WATCH", "wk")
    pair.check("SET", "wk", "1")
    other.check("MULTI")
    line = list_other(pair, other, ids)
    assert b" flags=xd " in line and b" multi=0 " in line and b" cmd=multi " in line
    other.check("CLIENT", "NO-EVICT", "on")
    other.check("EXEC")
    line = list_other(pair, other, ids)
    assert b" flags=N " in line and b" multi=-1 " in line


def test_cmd_is_the_last_command_looked_up(pair: Pair, pair_factory: Callable[..., Pair]) -> None:
    other = pair_factory(2)
    ids = other_ids(other)
    other.check("MULTI")
    other.check("SET", "k", "v")
    other.check("GET", "k")
    line = list_other(pair, other, ids)
    assert b" multi=2 " in line and b" multi-mem=49 " in line
    other.check("DISCARD")
    other.check("GET")
    list_other(pair, other, ids)
    other.check("NOSUCHCOMMAND")
    list_other(pair, other, ids)


def test_monitor_flag(pair: Pair, pair_factory: Callable[..., Pair]) -> None:
    other = pair_factory(2)
    ids = other_ids(other)
    other.check("MONITOR")
    line = list_other(pair, other, ids)
    assert b" flags=O " in line


def test_pubsub_type_and_flags(pair: Pair, pair_factory: Callable[..., Pair]) -> None:
    if not served(pair, "SUBSCRIBE"):
        pytest.skip("SUBSCRIBE is not served yet")
    other = pair_factory(3)
    ids = other_ids(other)
    other.check("SUBSCRIBE", "a", "b")
    other.read()
    other.check("PSUBSCRIBE", "p*")
    line = list_other(pair, other, ids)
    assert b" flags=P " in line and b" sub=2 psub=1 " in line
    pair.check("CLIENT", "LIST", "TYPE", "pubsub", compare=client_lines)
    pair.check("CLIENT", "KILL", "TYPE", "pubsub")
    assert other.real.is_closed() and other.mini.is_closed()


# --- KILL ------------------------------------------------------------------------------------------------
def test_kill_by_id(pair: Pair, pair_factory: Callable[..., Pair]) -> None:
    other = pair_factory(2)
    real_id, mini_id = other_ids(other)
    check_each(pair, ("CLIENT", "KILL", "ID", real_id), ("CLIENT", "KILL", "ID", mini_id))
    assert other.real.is_closed() and other.mini.is_closed()
    check_each(pair, ("CLIENT", "KILL", "ID", real_id), ("CLIENT", "KILL", "ID", mini_id))
    check_each(pair, ("CLIENT", "LIST", "ID", real_id), ("CLIENT", "LIST", "ID", mini_id))


def test_kill_old_form(pair3: Pair, pair_factory: Callable[..., Pair]) -> None:
    other = pair_factory(2)
    real_addr, mini_addr = other_addrs(other)
    check_each(pair3, ("CLIENT", "KILL", real_addr), ("CLIENT", "KILL", mini_addr))
    assert other.real.is_closed() and other.mini.is_closed()
    check_each(pair3, ("CLIENT", "KILL", real_addr), ("CLIENT", "KILL", mini_addr))


def test_kill_by_addr_and_laddr(pair: Pair, pair_factory: Callable[..., Pair]) -> None:
    first, second = pair_factory(2), pair_factory(2)
    real_addr, mini_addr = other_addrs(first)
    check_each(pair, ("CLIENT", "KILL", "ADDR", real_addr, "SKIPME", "yes"),
               ("CLIENT", "KILL", "ADDR", mini_addr, "SKIPME", "yes"))
    assert first.real.is_closed() and first.mini.is_closed()
    real_laddr = f"{pair.real_addr.host}:{pair.real_addr.port}"
    mini_laddr = f"{pair.mini_addr.host}:{pair.mini_addr.port}"
    real_id, mini_id = other_ids(second)
    check_each(pair, ("CLIENT", "KILL", "LADDR", real_laddr, "ID", real_id),
               ("CLIENT", "KILL", "LADDR", mini_laddr, "ID", mini_id))
    assert second.real.is_closed() and second.mini.is_closed()


def test_kill_self(pair_factory: Callable[..., Pair]) -> None:
    for protocol in (2, 3):
        me = pair_factory(protocol)
        real_id, mini_id = other_ids(me)
        check_each(me, ("CLIENT", "KILL", "ID", real_id), ("CLIENT", "KILL", "ID", mini_id))  # SKIPME yes
        me.real.write(b"*5\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$2\r\nID\r\n$%d\r\n%d\r\n$2\r\nno\r\n"
                      % (len(str(real_id)), real_id) + b"*1\r\n$4\r\nPING\r\n")
        me.mini.write(b"*5\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$2\r\nID\r\n$%d\r\n%d\r\n$2\r\nno\r\n"
                      % (len(str(mini_id)), mini_id) + b"*1\r\n$4\r\nPING\r\n")
        real = me.real.read_all()
        assert real == [b"-ERR syntax error\r\n", b"+PONG\r\n"] == me.mini.read_all()  # "no" is not SKIPME
        me.real.write(b"*6\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$2\r\nID\r\n$%d\r\n%d\r\n$6\r\nSKIPME\r\n$2\r\nno\r\n"
                      % (len(str(real_id)), real_id) + b"*1\r\n$4\r\nPING\r\n")
        me.mini.write(b"*6\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$2\r\nID\r\n$%d\r\n%d\r\n$6\r\nSKIPME\r\n$2\r\nno\r\n"
                      % (len(str(mini_id)), mini_id) + b"*1\r\n$4\r\nPING\r\n")
        assert me.real.read_all() == [b":1\r\n"] == me.mini.read_all()
        assert me.real.is_closed() and me.mini.is_closed()


def test_kill_self_old_form(pair_factory: Callable[..., Pair]) -> None:
    me = pair_factory(2)
    real_addr, mini_addr = other_addrs(me)
    check_each(me, ("CLIENT", "KILL", real_addr), ("CLIENT", "KILL", mini_addr))
    assert me.real.is_closed() and me.mini.is_closed()


# --- PAUSE -----------------------------------------------------------------------------------------------
def _unpause(pair: Pair) -> None:
    for conn in (pair.real, pair.mini):
        fresh = RawConnection(conn.host, conn.port)
        try:
            fresh.write(b"*2\r\n$6\r\nCLIENT\r\n$7\r\nUNPAUSE\r\n")  # held under ALL until the pause ends
        finally:
            fresh.close()


def test_pause_write_holds_writes(pair: Pair, pair_factory: Callable[..., Pair]) -> None:
    other = pair_factory(2)
    try:
        pair.check("CLIENT", "PAUSE", "5000", "WRITE")
        other.check("GET", "k")
        other.write(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
        assert other.real.read_reply(0.2) is None and other.mini.read_reply(0.2) is None
        line = list_other_quiet(pair, other)
        assert b" flags=b " in line and b" argv-mem=5 " in line
        pair.check("CLIENT", "UNPAUSE")
        other.read()
        other.read()
    finally:
        pair.both("CLIENT", "UNPAUSE")


def list_other_quiet(pair: Pair, other: Pair) -> bytes:
    """CLIENT LIST of ``other``, whose requests may be held: its ids come from pair's CLIENT LIST."""
    lines = []
    for conn, target in ((pair.real, other.real), (pair.mini, other.mini)):
        port = target.sock.getsockname()[1]
        listing = decode_bulk(conn.send("CLIENT", "LIST"))
        match = re.search(rb"id=(\d+) addr=\S+:%d " % port, listing)
        assert match is not None, listing
        lines.append(conn.send("CLIENT", "LIST", "ID", match.group(1)))
    assert_same(("CLIENT", "LIST", "ID", "<other>"), lines[0], lines[1], client_lines)
    return lines[0]


def test_pause_all_holds_everything(pair: Pair, pair_factory: Callable[..., Pair]) -> None:
    other = pair_factory(3)
    try:
        pair.check("CLIENT", "PAUSE", "1000")
        other.write(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
        assert other.real.read_reply(0.15) is None and other.mini.read_reply(0.15) is None
        pair.write(b"*1\r\n$4\r\nPING\r\n")  # the pausing client is held too
        assert pair.real.read_reply(0.05) is None and pair.mini.read_reply(0.05) is None
        other.read(timeout=2)
        pair.read(timeout=2)
    finally:
        _unpause(pair)


def test_pause_upgrade_and_overflow(pair: Pair, pair_factory: Callable[..., Pair]) -> None:
    other = pair_factory(2)
    try:
        pair.check("CLIENT", "PAUSE", str(2**63 - 1), "WRITE")  # the end overflows: nothing is paused
        other.check("SET", "k", "v")
        pair.check("CLIENT", "PAUSE", "500", "WRITE")
        pair.check("CLIENT", "PAUSE", "0", "ALL")  # turns the pause in progress into ALL
        started = time.monotonic()
        other.write(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
        assert other.real.read_reply(0.1) is None and other.mini.read_reply(0.1) is None
        other.read(timeout=2)
        assert time.monotonic() - started >= 0.3
    finally:
        _unpause(pair)


def test_multi_is_held_when_queueing_a_write(pair: Pair, pair_factory: Callable[..., Pair]) -> None:
    other = pair_factory(2)
    try:
        other.check("MULTI")
        other.check("GET", "k")
        pair.check("CLIENT", "PAUSE", "5000", "WRITE")
        other.check("EXEC")  # only reads queued: runs
        other.check("MULTI")
        other.write(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")  # queueing a write is held
        assert other.real.read_reply(0.15) is None and other.mini.read_reply(0.15) is None
        pair.check("CLIENT", "UNPAUSE")
        other.read()
        other.check("EXEC")
    finally:
        pair.both("CLIENT", "UNPAUSE")


# --- UNBLOCK ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reason", [(), ("TIMEOUT",), ("error",)])
def test_unblock(pair: Pair, pair_factory: Callable[..., Pair], reason: tuple[str, ...]) -> None:
    if not served(pair, "BLPOP"):
        pytest.skip("BLPOP is not served yet")
    for protocol in (2, 3):
        other = pair_factory(protocol)
        real_id, mini_id = other_ids(other)
        other.write(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nl\r\n$1\r\n0\r\n")
        assert other.real.read_reply(0.1) is None and other.mini.read_reply(0.1) is None
        line = list_other_quiet(pair, other)
        assert b" flags=b " in line
        check_each(pair, ("CLIENT", "UNBLOCK", real_id, *reason), ("CLIENT", "UNBLOCK", mini_id, *reason))
        other.read()
        check_each(pair, ("CLIENT", "UNBLOCK", real_id, *reason), ("CLIENT", "UNBLOCK", mini_id, *reason))
        other.check("PING")


# --- REPLY -----------------------------------------------------------------------------------------------
def _requests(*commands: tuple[str, ...]) -> bytes:
    out = b""
    for argv in commands:
        out += b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in argv)
    return out


REPLY_SEQUENCES = {
    "off_on": [("CLIENT", "REPLY", "OFF"), ("PING",), ("CLIENT", "REPLY", "foo"), ("ECHO", "x"),
               ("CLIENT", "REPLY", "ON"), ("PING",)],
    "skip": [("CLIENT", "REPLY", "SKIP"), ("ECHO", "dropped"), ("ECHO", "kept")],
    "skip_twice": [("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "SKIP"), ("ECHO", "dropped"), ("ECHO", "kept")],
    "skip_then_on": [("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "ON"), ("ECHO", "kept")],
    "skip_while_off": [("CLIENT", "REPLY", "OFF"), ("CLIENT", "REPLY", "SKIP"), ("PING",), ("CLIENT", "REPLY", "ON"),
                       ("ECHO", "kept")],
    "skip_then_error": [("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "bad"), ("ECHO", "kept")],
}


@pytest.mark.parametrize("sequence", sorted(REPLY_SEQUENCES))
def test_reply_modes(pairs: Pair, sequence: str) -> None:
    commands = REPLY_SEQUENCES[sequence]
    pairs.check_raw(_requests(*commands))  # pipelined
    for argv in commands:  # one at a time
        pairs.check_raw(_requests(argv), quiet=0.05)
    pairs.check("CLIENT", "REPLY", "ON")
