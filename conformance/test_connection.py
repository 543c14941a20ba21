"""Connection commands against real Redis: PING, ECHO, HELLO, AUTH, SELECT, SWAPDB, QUIT, RESET.

Every case runs in RESP2 and RESP3 (``pairs``) unless it is about switching protocols. HELLO's
``id`` field is each server's connection id: it is the only part normalised (``hello_reply``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance import comparers
from conformance.harness import Pair, clear_requirepass


@pytest.mark.parametrize(
    "argv",
    [
        ("PING",),
        ("ping",),
        ("PING", "hello"),
        ("PING", ""),
        ("PING", b"\x00\xff"),
        ("PING", "a", "b"),
        ("PING", "a", "b", "c"),
        ("ECHO", "hello"),
        ("ECHO", ""),
        ("ECHO", b"\r\n\x00"),
        ("ECHO",),
        ("ECHO", "a", "b"),
        ("eChO", "x"),
    ],
    ids=repr,
)
def test_ping_echo(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check(*argv)


# --- HELLO ------------------------------------------------------------------------------------------

HELLO_CASES = [
    ("HELLO",),
    ("HELLO", "2"),
    ("HELLO", "3"),
    ("hello", "3"),
    ("HELLO", "1"),
    ("HELLO", "4"),
    ("HELLO", "0"),
    ("HELLO", "-1"),
    ("HELLO", "abc"),
    ("HELLO", "3.0"),
    ("HELLO", "2 "),
    ("HELLO", "99999999999999999999"),
    ("HELLO", "3", "SETNAME", "conn-name"),
    ("HELLO", "3", "setname", "x"),
    ("HELLO", "3", "SETNAME", "a b"),
    ("HELLO", "3", "SETNAME", "a\nb"),
    ("HELLO", "3", "SETNAME", ""),
    ("HELLO", "3", "SETNAME"),
    ("HELLO", "3", "AUTH", "default", "anything"),
    ("HELLO", "3", "auth", "default", "anything", "SETNAME", "n"),
    ("HELLO", "3", "AUTH", "nobody", "pass"),
    ("HELLO", "3", "AUTH", "default"),
    ("HELLO", "3", "AUTH"),
    ("HELLO", "3", "FOO"),
    ("HELLO", "3", "FOO", "bar"),
    ("HELLO", "3", "SETNAME", "a b", "FOO"),
    ("HELLO", "3", "FOO", "SETNAME", "a b"),
    ("HELLO", "3", "AUTH", "nobody", "pass", "SETNAME", "a b"),
    ("HELLO", "3", "SETNAME", "a b", "AUTH", "nobody", "pass"),
    ("HELLO", "4", "FOO"),
    ("HELLO", "abc", "FOO"),
    ("HELLO", "SETNAME", "x"),
    ("HELLO", "2", "SETNAME", "n1", "SETNAME", "n2"),
]


@pytest.mark.parametrize("argv", HELLO_CASES, ids=repr)
def test_hello(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check(*argv, compare=comparers.hello_reply)
    # The protocol in force afterwards is the same on both sides.
    pairs.check("PING")
    pairs.check("HELLO", compare=comparers.hello_reply)


def test_hello_switches_protocol_back_and_forth(pair: Pair) -> None:
    for version in ("3", "2", "3", "2"):
        pair.check("HELLO", version, compare=comparers.hello_reply)
        pair.check("ECHO", "x")
        pair.check("GET", "nokey")


def test_hello_setname_is_visible(pairs: Pair) -> None:
    pairs.check("HELLO", "3", "SETNAME", "myname", compare=comparers.hello_reply)
    pairs.check("CLIENT", "GETNAME")


def test_hello_failed_option_keeps_protocol(pair: Pair) -> None:
    pair.check("HELLO", "3", "SETNAME", "bad name")
    pair.check("GET", "nokey")  # still RESP2: $-1
    pair.check("CLIENT", "GETNAME")


def test_hello_options_apply_in_order(pairs: Pair) -> None:
    # Each option takes effect when it is read: a later error keeps an earlier SETNAME.
    pairs.check("HELLO", "3", "SETNAME", "good", "FOO")
    pairs.check("CLIENT", "GETNAME")
    pairs.check("HELLO", "3", "SETNAME", "n2", "AUTH", "nobody", "x")
    pairs.check("CLIENT", "GETNAME")
    pairs.check("HELLO", "3", "AUTH", "default", "x", "SETNAME", "bad name")
    pairs.check("CLIENT", "GETNAME")
    pairs.check("GET", "nokey")


# --- AUTH ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "argv",
    [
        ("AUTH", "pass"),
        ("AUTH", ""),
        ("AUTH", "default", "anything"),
        ("AUTH", "default", ""),
        ("AUTH", "nobody", "pass"),
        ("AUTH", "a", "b", "c"),
        ("AUTH",),
        ("auth", "x"),
    ],
    ids=repr,
)
def test_auth_without_password(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check(*argv)
    pairs.check("PING")


@pytest.fixture
def requirepass(pair: Pair) -> object:
    real, mini = pair.both("CONFIG", "SET", "requirepass", "secret")
    assert real == mini == b"+OK\r\n", (real, mini)
    yield None
    clear_requirepass(pair)


@pytest.mark.parametrize("protocol", [2, 3])
def test_auth_with_password(requirepass: object, pair_factory: Callable[..., Pair], protocol: int) -> None:
    fresh = pair_factory()
    fresh.check("PING")
    fresh.check("GET", "k")
    fresh.check("NOSUCH")
    fresh.check("GET")
    fresh.check("HELLO", str(protocol), compare=comparers.hello_reply)
    fresh.check("HELLO", str(protocol), "SETNAME", "early", compare=comparers.hello_reply)
    fresh.check("HELLO", str(protocol), "AUTH", "default", "wrong", compare=comparers.hello_reply)
    fresh.check("AUTH", "wrong")
    fresh.check("AUTH", "default", "wrong")
    fresh.check("AUTH", "nobody", "secret")
    fresh.check("HELLO", str(protocol), "AUTH", "default", "secret", compare=comparers.hello_reply)
    fresh.check("GET", "k")
    fresh.check("AUTH", "secret")
    fresh.check("AUTH", "default", "secret")
    fresh.check("CLIENT", "GETNAME")
    fresh.check("RESET")
    fresh.check("GET", "k")  # RESET logs the connection out again
    fresh.check("AUTH", "secret")
    fresh.check("GET", "k")


def test_auth_with_password_quit_allowed(requirepass: object, pair_factory: Callable[..., Pair]) -> None:
    fresh = pair_factory()
    fresh.check("QUIT")
    assert fresh.real.is_closed() and fresh.mini.is_closed()


# --- SELECT / SWAPDB --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "argv",
    [
        ("SELECT", "0"),
        ("SELECT", "15"),
        ("SELECT", "16"),
        ("SELECT", "-1"),
        ("SELECT", "abc"),
        ("SELECT", "1.5"),
        ("SELECT", ""),
        ("SELECT", "99999999999999999999"),
        ("SELECT", " 1"),
        ("SELECT", "01"),
        ("SELECT",),
        ("SELECT", "1", "2"),
        ("SWAPDB", "0", "1"),
        ("SWAPDB", "1", "1"),
        ("SWAPDB", "0", "16"),
        ("SWAPDB", "16", "0"),
        ("SWAPDB", "-1", "0"),
        ("SWAPDB", "a", "0"),
        ("SWAPDB", "0", "b"),
        ("SWAPDB", "a", "b"),
        ("SWAPDB", "0"),
        ("SWAPDB", "0", "1", "2"),
    ],
    ids=repr,
)
def test_select_swapdb_args(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check(*argv)


def test_select_isolates_databases(pairs: Pair) -> None:
    pairs.check("SET", "k", "db0")
    pairs.check("SELECT", "5")
    pairs.check("GET", "k")
    pairs.check("SET", "k", "db5")
    pairs.check("SELECT", "0")
    pairs.check("GET", "k")
    pairs.check("SELECT", "5")
    pairs.state("k")


def test_swapdb_moves_data(pairs: Pair) -> None:
    pairs.check("SET", "a", "in0")
    pairs.check("SELECT", "1")
    pairs.check("SET", "b", "in1")
    pairs.check("SET", "t", "ttl", "EX", "100")
    pairs.check("SWAPDB", "0", "1")
    pairs.check("GET", "a")
    pairs.check("GET", "b")
    pairs.state("a", "b", "t")
    pairs.check("SELECT", "0")
    pairs.check("GET", "a")
    pairs.check("GET", "b")
    pairs.state("a", "b", "t")
    pairs.check("DBSIZE")


def test_swapdb_seen_by_other_client(pair_factory: Callable[..., Pair]) -> None:
    one, two = pair_factory(), pair_factory(3)
    one.check("SET", "x", "0")
    two.check("SELECT", "1")
    two.check("GET", "x")
    one.check("SWAPDB", "1", "0")
    two.check("GET", "x")
    one.check("GET", "x")


# --- QUIT / RESET -----------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [("QUIT",), ("quit",), ("QUIT", "extra"), ("QUIT", "a", "b")], ids=repr)
def test_quit(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check(*argv)
    assert pairs.real.is_closed() and pairs.mini.is_closed()


def test_quit_pipelined_drops_the_rest(pair: Pair) -> None:
    replies, closed = pair.check_raw(b"PING\r\nQUIT\r\nPING\r\n")
    assert closed and replies == [b"+PONG\r\n", b"+OK\r\n"]


def test_quit_inside_multi(pair: Pair) -> None:
    pair.check("MULTI")
    pair.check("SET", "k", "v")
    pair.check("QUIT")
    assert pair.real.is_closed() and pair.mini.is_closed()


@pytest.mark.parametrize("argv", [("RESET",), ("reset",), ("RESET", "x")], ids=repr)
def test_reset(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check(*argv)
    pairs.check("PING")


def test_reset_clears_connection_state(pair: Pair) -> None:
    pair.check("HELLO", "3", "SETNAME", "before", compare=comparers.hello_reply)
    pair.check("SELECT", "3")
    pair.check("SET", "k", "in3")
    pair.check("MULTI")
    pair.check("SET", "q", "queued")
    pair.check("RESET")
    pair.check("GET", "k")  # back in db 0, RESP2, not in MULTI
    pair.check("GET", "q")
    pair.check("EXEC")
    pair.check("CLIENT", "GETNAME")
    pair.check("HELLO", compare=comparers.hello_reply)


def test_reset_inside_multi_is_not_queued(pairs: Pair) -> None:
    pairs.check("MULTI")
    pairs.check("RESET")
    pairs.check("EXEC")


def test_connection_commands_inside_multi(pairs: Pair) -> None:
    pairs.check("MULTI")
    pairs.check("PING")
    pairs.check("ECHO", "x")
    pairs.check("SELECT", "2")
    pairs.check("SET", "k", "v")
    pairs.check("SELECT", "99")
    pairs.check("EXEC")
    pairs.check("GET", "k")  # SELECT inside EXEC sticks
    pairs.check("MULTI")
    pairs.check("HELLO", "3", compare=comparers.hello_reply)
    pairs.check("AUTH", "x")
    pairs.check("EXEC", compare=comparers.hello_reply)
    pairs.check("PING")


def test_wrong_arity_inside_multi_aborts_exec(pairs: Pair) -> None:
    pairs.check("MULTI")
    pairs.check("ECHO")
    pairs.check("PING", "a", "b")
    pairs.check("EXEC")
