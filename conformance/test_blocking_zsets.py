"""Two-client blocking sorted-set scenarios (BZPOPMIN, BZPOPMAX, BZMPOP) against real Redis 7.0.

One pair blocks (its request written to both servers), ``wait_blocked`` waits until both report
the expected ``blocked_clients``, another pair writes, then the blocked pair's replies are read and
compared byte for byte, as are the keys left behind. Both protocols.

Pinned Redis 7.0 behaviour: a client blocked on several keys is served from the key that became
ready first; a key that becomes another type leaves the client blocked; ZADD then ZREM of the same
member inside one MULTI serves nobody; waiters are served FIFO, each taking what its command asks
(BZMPOP COUNT) until the zset is empty; the timeout reply is a null array (``*-1`` / ``_``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.harness import Arg, Pair, assert_silent, block, encode_command, wait_blocked

Factory = Callable[..., Pair]


@pytest.mark.parametrize("blocking", [
    ("BZPOPMIN", "other", "z", "0"), ("BZPOPMAX", "z", "other", "0"), ("BZPOPMIN", "z", "5"),
    ("BZMPOP", "0", "2", "other", "z", "MAX", "COUNT", "5"), ("BZMPOP", "10", "1", "z", "min"),
    ("BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"),
], ids=lambda argv: " ".join(argv))
def test_wake_up(pair_factory: Factory, protocol: int, blocking: tuple[str, ...]) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, *blocking)
    wait_blocked(writer, 1)
    writer.check("ZADD", "z", "1", "a", "2.5", "b", "0.1", "c")
    waiter.read()
    wait_blocked(writer, 0)
    writer.state("z")


def test_timeouts(pair_factory: Factory, protocol: int) -> None:
    waiter = pair_factory(protocol)
    for argv in (("BZPOPMIN", "z", "0.05"), ("BZPOPMAX", "a", "b", "0.01"), ("BZMPOP", "0.02", "1", "z", "MAX")):
        waiter.write(encode_command(argv) + encode_command(("PING",)))
        waiter.read()
        waiter.read()


def test_served_from_the_key_ready_first(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, "BZPOPMIN", "k1", "k2", "0")
    wait_blocked(writer, 1)
    for argv in (("MULTI",), ("ZADD", "k2", "5", "x"), ("ZADD", "k1", "1", "y"), ("EXEC",)):
        writer.check(*argv)
    waiter.read()
    writer.state("k1", "k2")


def test_bzmpop_served_from_the_key_ready_first(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, "BZMPOP", "0", "3", "a", "b", "c", "MAX", "COUNT", "10")
    wait_blocked(writer, 1)
    for argv in (("MULTI",), ("ZADD", "c", "1", "p", "2", "q"), ("ZADD", "a", "3", "r"), ("EXEC",)):
        writer.check(*argv)
    waiter.read()
    writer.state("a", "c")


def test_key_of_another_type_keeps_the_client_blocked(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, "BZPOPMAX", "k", "0")
    wait_blocked(writer, 1)
    writer.check("SET", "k", "v")
    writer.check("RPUSH", "k2", "m")
    writer.check("RENAME", "k2", "k")
    assert_silent(waiter)
    wait_blocked(writer, 1)
    writer.check("DEL", "k")
    writer.check("ZADD", "k", "1", "x")
    waiter.read()


def test_fifo(pair_factory: Factory, protocol: int) -> None:
    writer = pair_factory(protocol)
    commands: list[tuple[Arg, ...]] = [
        ("BZPOPMIN", "z", "0"), ("BZPOPMAX", "z", "0"), ("BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"),
        ("BZMPOP", "0", "1", "z", "max"), ("BZPOPMIN", "z", "0"),
    ]
    waiters = []
    for index, argv in enumerate(commands):
        waiter = pair_factory(protocol)
        block(waiter, *argv)
        wait_blocked(writer, index + 1)
        waiters.append(waiter)
    writer.check("ZADD", "z", *[x for n in range(1, 6) for x in (str(n), f"m{n}")])
    for waiter in waiters[:-1]:
        waiter.read()
    assert_silent(waiters[-1])
    wait_blocked(writer, 1)
    writer.check("ZADD", "z", "7", "late")
    waiters[-1].read()
    writer.state("z")


def test_zadd_inside_multi_serves_after_exec(pair_factory: Factory, protocol: int) -> None:
    first, second, writer = pair_factory(protocol), pair_factory(protocol), pair_factory(protocol)
    block(first, "BZPOPMIN", "z", "0")
    wait_blocked(writer, 1)
    block(second, "BZPOPMAX", "z", "0")
    wait_blocked(writer, 2)
    for argv in (("MULTI",), ("ZADD", "z", "1", "x"), ("ZADD", "z", "2", "y", "3", "w"), ("ZCARD", "z"), ("EXEC",)):
        writer.check(*argv)
    first.read()
    second.read()
    writer.state("z")


def test_add_and_remove_inside_multi_serves_nobody(pair_factory: Factory, protocol: int) -> None:
    waiter, writer = pair_factory(protocol), pair_factory(protocol)
    block(waiter, "BZPOPMIN", "z", "0")
    wait_blocked(writer, 1)
    for argv in (("MULTI",), ("ZADD", "z", "1", "x"), ("ZREM", "z", "x"), ("EXEC",)):
        writer.check(*argv)
    assert_silent(waiter)
    wait_blocked(writer, 1)
    writer.check("ZINCRBY", "z", "2", "y")
    waiter.read()


def test_store_commands_wake(pair_factory: Factory, protocol: int) -> None:
    writer = pair_factory(protocol)
    waiters = []
    for index, key in enumerate(("u", "r")):
        waiter = pair_factory(protocol)
        block(waiter, "BZMPOP", "0", "1", key, "MIN", "COUNT", "3")
        wait_blocked(writer, index + 1)
        waiters.append(waiter)
    writer.check("ZADD", "src", "1", "a", "2", "b")
    writer.check("ZUNIONSTORE", "u", "1", "src")
    waiters[0].read()
    writer.check("ZRANGESTORE", "r", "src", "0", "0")
    waiters[1].read()
    writer.state("u", "r", "src")


def test_disconnect_while_blocked(pair_factory: Factory, protocol: int) -> None:
    gone, writer = pair_factory(protocol), pair_factory(protocol)
    block(gone, "BZMPOP", "0", "2", "a", "b", "MIN")
    wait_blocked(writer, 1)
    gone.close()
    wait_blocked(writer, 0)
    writer.check("ZADD", "a", "1", "kept")
    writer.state("a")


def test_client_unblock(pair_factory: Factory, protocol: int) -> None:
    timed, admin = pair_factory(protocol), pair_factory(protocol)
    real_id, mini_id = (reply[1:-2] for reply in timed.both("CLIENT", "ID"))
    block(timed, "BZPOPMIN", "z", "0")
    wait_blocked(admin, 1)
    assert admin.real.send("CLIENT", "UNBLOCK", real_id) == admin.mini.send("CLIENT", "UNBLOCK", mini_id) == b":1\r\n"
    timed.read()


def test_keyspace_events(pair: Pair, pair_factory: Factory) -> None:
    """Event names and order of every zset write, ``del`` when emptied, as Redis 7.0 sends them."""
    listener = pair_factory(2)
    pair.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        listener.check("PSUBSCRIBE", "__keyevent*__:*")
        steps: list[tuple[Arg, ...]] = [
            ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZADD", "z", "1", "a"), ("ZADD", "z", "INCR", "1", "a"),
            ("ZINCRBY", "z", "1", "b"), ("ZADD", "z", "NX", "1", "a"), ("ZREM", "z", "nope"), ("ZREM", "z", "a"),
            ("ZADD", "z", "4", "d", "5", "e", "6", "f"), ("ZREMRANGEBYRANK", "z", "0", "0"),
            ("ZREMRANGEBYSCORE", "z", "4", "4"), ("ZREMRANGEBYLEX", "z", "[x", "[y"),
            ("ZREMRANGEBYLEX", "z", "-", "[e"),
            ("ZPOPMIN", "z"), ("ZPOPMAX", "z", "0"), ("ZADD", "y", "1", "a"), ("ZMPOP", "1", "y", "MAX"),
            ("ZADD", "y", "1", "a", "2", "b"), ("ZUNIONSTORE", "u", "1", "y"), ("ZINTERSTORE", "i", "1", "y"),
            ("ZDIFFSTORE", "d", "1", "y"), ("ZRANGESTORE", "r", "y", "0", "0"), ("ZRANGESTORE", "r", "y", "5", "9"),
            ("ZUNIONSTORE", "u", "1", "nokey"), ("ZPOPMAX", "z", "10"), ("BZPOPMIN", "y", "0"),
            ("BZMPOP", "0", "1", "y", "MIN"),
        ]
        for argv in steps:
            pair.check(*argv)
        pair.check("PING")
        assert listener.real.read_all() == listener.mini.read_all()
    finally:
        pair.check("CONFIG", "SET", "notify-keyspace-events", "")
