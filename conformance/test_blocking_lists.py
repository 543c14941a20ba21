"""Two-client blocking list scenarios against real Redis 7.0, in RESP2 and RESP3.

One pair of connections blocks (its request is written to both servers), ``wait_blocked`` waits
until both servers report the expected ``blocked_clients``, another pair writes, then the blocked
pair's replies are read and compared byte for byte, as are the keys left behind.

Pinned Redis 7.0 behaviour: a client blocked on several keys is served from the key that became
ready first (not its first key); a blocked client whose key becomes another type stays blocked; a
BLMOVE whose destination became another type gets WRONGTYPE when the source is pushed, and the
element stays in the source; a push and pop of the same key inside one MULTI serves nobody;
LMOVE-style serving chains through keys other clients wait on, including BLMOVE from a key to
itself; CLIENT UNBLOCK TIMEOUT answers the timeout reply (a null array, BLMOVE included).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.harness import Arg, Pair, assert_silent, block, encode_command, wait_blocked

Factory = Callable[..., Pair]


@pytest.mark.parametrize("blocking", [
    ("BLPOP", "other", "k", "0"), ("BRPOP", "k", "other", "0"), ("BRPOPLPUSH", "k", "dst", "0"),
    ("BLMOVE", "k", "dst", "RIGHT", "LEFT", "0"), ("BLMOVE", "k", "dst", "left", "right", "5"),
    ("BLMPOP", "0", "2", "other", "k", "RIGHT", "COUNT", "5"), ("BLMPOP", "10", "1", "k", "LEFT"),
], ids=lambda argv: " ".join(argv))
def test_wake_up(pair_factory: Factory, protocol: int, blocking: tuple[str, ...]) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, *blocking)
    wait_blocked(writer, 1)
    writer.check("RPUSH", "k", "a", "b", "c")
    waiter.read()
    wait_blocked(writer, 0)
    writer.state("k", "dst")


def test_timeout_then_pipelined_commands(pair_factory: Factory, protocol: int) -> None:
    waiter = pair_factory(protocol)
    waiter.write(encode_command(("BLMOVE", "k", "d", "LEFT", "LEFT", "0.05")) + encode_command(("PING",))
                 + encode_command(("LLEN", "k")))
    for _ in range(3):
        waiter.read()


def test_pipelined_commands_wait_for_the_blocked_one(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    waiter.write(encode_command(("BLPOP", "k", "0")) + encode_command(("LLEN", "k"))
                 + encode_command(("RPUSH", "k", "mine")))
    wait_blocked(writer, 1)
    assert_silent(waiter)
    writer.check("RPUSH", "k", "a", "b")
    for _ in range(3):
        waiter.read()
    writer.state("k")


def test_served_from_the_key_ready_first(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, "BLPOP", "k1", "k2", "0")
    wait_blocked(writer, 1)
    for argv in (("MULTI",), ("RPUSH", "k2", "x"), ("RPUSH", "k1", "y"), ("EXEC",)):
        writer.check(*argv)
    waiter.read()
    writer.state("k1", "k2")


def test_blmpop_served_from_the_key_ready_first(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, "BLMPOP", "0", "3", "a", "b", "c", "LEFT", "COUNT", "10")
    wait_blocked(writer, 1)
    for argv in (("MULTI",), ("RPUSH", "c", "1", "2"), ("RPUSH", "a", "3"), ("EXEC",)):
        writer.check(*argv)
    waiter.read()
    writer.state("a", "c")


def test_key_of_another_type_keeps_the_client_blocked(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, "BLPOP", "k", "0")
    wait_blocked(writer, 1)
    writer.check("SET", "k", "v")
    writer.check("SADD", "k2", "m")
    writer.check("RENAME", "k2", "k")
    assert_silent(waiter)
    wait_blocked(writer, 1)
    writer.check("DEL", "k")
    writer.check("LPUSH", "k", "x")
    waiter.read()


def test_blmove_destination_of_wrong_type(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
    wait_blocked(writer, 1)
    writer.check("SET", "dst", "v")
    writer.check("LPUSH", "src", "x")
    waiter.read()
    wait_blocked(writer, 0)
    writer.state("src", "dst")


def test_fifo_across_commands(pair_factory: Factory, protocol: int) -> None:
    writer = pair_factory(protocol)
    commands: list[tuple[Arg, ...]] = [
        ("BLPOP", "k", "0"), ("BRPOP", "k", "0"), ("BLMOVE", "k", "d", "LEFT", "LEFT", "0"),
        ("BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "2"), ("BRPOPLPUSH", "k", "d", "0"), ("BLPOP", "k", "0"),
    ]
    waiters = []
    for index, argv in enumerate(commands):
        waiter = pair_factory(protocol)
        block(waiter, *argv)
        wait_blocked(writer, index + 1)  # blocking order is serving order
        waiters.append(waiter)
    writer.check("RPUSH", "k", *[str(n) for n in range(1, 7)])
    for waiter in waiters[:-1]:
        waiter.read()
    assert_silent(waiters[-1])  # the list ran out: the last one still waits
    wait_blocked(writer, 1)
    writer.check("RPUSH", "k", "late")
    waiters[-1].read()
    writer.state("k", "d")


def test_push_inside_multi_serves_after_exec(pair_factory: Factory, protocol: int) -> None:
    first, second, writer = pair_factory(protocol), pair_factory(protocol), pair_factory(protocol)
    block(first, "BLPOP", "k", "0")
    wait_blocked(writer, 1)
    block(second, "BRPOP", "k", "0")
    wait_blocked(writer, 2)
    for argv in (("MULTI",), ("LPUSH", "k", "x"), ("LPUSH", "k", "y"), ("LPUSH", "k", "z"), ("LLEN", "k"), ("EXEC",)):
        writer.check(*argv)
    first.read()
    second.read()
    writer.state("k")


def test_push_and_pop_inside_multi_serves_nobody(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, "BLPOP", "k", "0")
    wait_blocked(writer, 1)
    for argv in (("MULTI",), ("LPUSH", "k", "x"), ("LPOP", "k"), ("EXEC",)):
        writer.check(*argv)
    assert_silent(waiter)
    wait_blocked(writer, 1)
    for argv in (("MULTI",), ("LPUSH", "k", "x"), ("DEL", "k"), ("SET", "k", "s"), ("EXEC",), ("DEL", "k")):
        writer.check(*argv)
    writer.check("RPUSH", "k", "z")
    waiter.read()


def test_chained_moves(pair_factory: Factory, protocol: int) -> None:
    writer = pair_factory(protocol)
    hops: list[tuple[Arg, ...]] = [("BLMOVE", "a", "b", "LEFT", "RIGHT", "0"), ("BRPOPLPUSH", "b", "c", "0"),
                                   ("BLMPOP", "0", "1", "c", "LEFT")]
    waiters = []
    for index, argv in enumerate(hops):
        waiter = pair_factory(protocol)
        block(waiter, *argv)
        wait_blocked(writer, index + 1)
        waiters.append(waiter)
    writer.check("LPUSH", "a", "token")
    for waiter in waiters:
        waiter.read()
    writer.state("a", "b", "c")


def test_blmove_into_its_own_source(pair_factory: Factory, protocol: int) -> None:
    rotate, pop, writer = pair_factory(protocol), pair_factory(protocol), pair_factory(protocol)
    block(rotate, "BLMOVE", "k", "k", "LEFT", "RIGHT", "0")
    wait_blocked(writer, 1)
    block(pop, "BLPOP", "k", "0")
    wait_blocked(writer, 2)
    writer.check("LPUSH", "k", "x")
    rotate.read()
    pop.read()
    writer.state("k")


def test_rename_into_a_waited_key_serves(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, "BRPOP", "k", "0")
    wait_blocked(writer, 1)
    writer.check("RPUSH", "src", "a", "b")
    writer.check("RENAME", "src", "k")
    waiter.read()
    writer.state("k")


def test_waiting_in_another_database(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    waiter.check("SELECT", "1")
    block(waiter, "BLPOP", "k", "0")
    wait_blocked(writer, 1)
    writer.check("RPUSH", "k", "db0")
    assert_silent(waiter)
    writer.check("SELECT", "1")
    writer.check("RPUSH", "k", "db1")
    waiter.read()
    writer.check("SELECT", "0")
    writer.state("k")


def test_client_unblock(pair_factory: Factory, protocol: int) -> None:
    timed, errored, admin = pair_factory(protocol), pair_factory(protocol), pair_factory(protocol)
    ids = {}
    for name, pair in (("timed", timed), ("errored", errored)):
        real, mini = pair.both("CLIENT", "ID")
        ids[name] = (real[1:-2], mini[1:-2])
    block(timed, "BLMOVE", "k", "d", "LEFT", "LEFT", "0")
    block(errored, "BLPOP", "k", "0")
    wait_blocked(admin, 2)
    for name, reason in (("timed", "TIMEOUT"), ("errored", "ERROR")):
        real_id, mini_id = ids[name]
        real = admin.real.send("CLIENT", "UNBLOCK", real_id, reason)
        mini = admin.mini.send("CLIENT", "UNBLOCK", mini_id, reason)
        assert real == mini == b":1\r\n"
    timed.read()
    errored.read()
    real = admin.real.send("CLIENT", "UNBLOCK", ids["timed"][0])
    mini = admin.mini.send("CLIENT", "UNBLOCK", ids["timed"][1])
    assert real == mini == b":0\r\n"


def test_disconnect_while_blocked(pair_factory: Factory, protocol: int) -> None:
    gone, writer = pair_factory(protocol), pair_factory(protocol)
    block(gone, "BLMPOP", "0", "2", "a", "b", "LEFT")
    wait_blocked(writer, 1)
    gone.close()
    wait_blocked(writer, 0)
    writer.check("RPUSH", "a", "kept")
    writer.state("a")
