"""The blocking mechanism (miniredis/blocking.py) driven through the dispatcher, without sockets.

Clients are ``Client`` objects with no transport: replies, including those pushed when a blocked
client is served, times out or is unblocked, accumulate encoded in ``client.out``.
"""

from __future__ import annotations

import asyncio

import pytest

from miniredis.blocking import Block, Waiter, parse_timeout_ms, parse_timeout_seconds
from miniredis.errors import CommandError
from miniredis.server.app import Server
from miniredis.server.client import Client
from miniredis.server.dispatcher import run_requests


@pytest.fixture
def server() -> Server:
    return Server()


class FakeTransport:
    """Collects what the server writes (used when a loop is running and flushes happen)."""

    def __init__(self) -> None:
        self.written = bytearray()

    def write(self, data: bytes) -> None:
        self.written += data

    def get_write_buffer_size(self) -> int:
        return 0

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass


def new_client(server: Server) -> Client:
    client = Client(server, server.next_client_id(), FakeTransport())  # type: ignore[arg-type]
    server.add_client(client)
    return client


def send(client: Client, *argv: str) -> None:
    run_requests(client, [[arg.encode() for arg in argv]])


def take(client: Client) -> bytes:
    """Everything written to ``client`` so far, emptied."""
    transport = client.transport
    assert isinstance(transport, FakeTransport)
    data = bytes(transport.written) + b"".join(client.out)
    transport.written.clear()
    client.out.clear()
    return data


def waiters(server: Server, key: bytes) -> list[int]:
    queue = server.dbs[0].blocking.get(key)
    return [waiter.client.id for waiter in queue] if queue else []  # type: ignore[attr-defined]


# --- timeouts as Redis reads them --------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "seconds"), [
    (b"0", 0.0), (b"0.05", 0.05), (b"1", 1.0), (b"5.", 5.0), (b".5", 0.5), (b"+0.01", 0.01), (b"1e-3", 0.001),
    (b"0.0001", 0.001), (b"0.0004", 0.001), (b"1e-400", 0.001),  # milliseconds, rounded up
    (b"-0", 0.0), (b"-0.0001", 0.0),  # rounds up to 0: wait forever
    (b"0x10", 16.0), (b"0x1p3", 8.0), (b"0X.1", 0.063), (b"0x1P-20", 0.001),  # strtold reads hex floats
    (b"1e15", 1e15),
])
def test_timeout_seconds_accepted(raw: bytes, seconds: float) -> None:
    assert parse_timeout_seconds(raw) == pytest.approx(seconds)


@pytest.mark.parametrize("raw", [b"x", b"", b" 1", b"1 ", b"1_0", b"nan", b"0x", b"1e", b"1.5.2", b"1e5000",
                                 b"1e-5000", b"0x1p99999"])
def test_timeout_seconds_not_a_float(raw: bytes) -> None:
    with pytest.raises(CommandError, match="^ERR timeout is not a float or out of range$"):
        parse_timeout_seconds(raw)


@pytest.mark.parametrize("raw", [b"-1", b"-0.01", b"inf", b"-inf", b"Infinity", b"+inf", b"1e16", b"1e400",
                                 b"92233720368547758"])
def test_timeout_seconds_negative(raw: bytes) -> None:
    # Values whose milliseconds do not fit a 64-bit integer wrap negative in Redis's conversion.
    with pytest.raises(CommandError, match="^ERR timeout is negative$"):
        parse_timeout_seconds(raw)


def test_timeout_ms() -> None:
    assert parse_timeout_ms(b"1500") == 1.5
    with pytest.raises(CommandError, match="not an integer"):
        parse_timeout_ms(b"1.5")
    with pytest.raises(CommandError, match="negative"):
        parse_timeout_ms(b"-1")


# --- blocking and serving ----------------------------------------------------------------------------
def test_block_queues_a_waiter_on_every_key(server: Server) -> None:
    client = new_client(server)
    send(client, "BLPOP", "a", "b", "a", "0")
    assert take(client) == b""
    assert isinstance(client.blocked, Waiter)
    assert client.blocked.keys == [b"a", b"b"]  # duplicates queued once
    assert waiters(server, b"a") == waiters(server, b"b") == [client.id]
    assert server.blocking.count == 1


def test_push_serves_waiters_fifo_after_the_command(server: Server) -> None:
    first, second, third, pusher = (new_client(server) for _ in range(4))
    send(first, "BLPOP", "k", "0")
    send(second, "BRPOP", "k", "0")
    send(third, "BLPOP", "k", "0")
    send(pusher, "RPUSH", "k", "1", "2")
    assert take(pusher) == b":2\r\n"  # the pushing command's reply counts both elements
    assert take(first) == b"*2\r\n$1\r\nk\r\n$1\r\n1\r\n"
    assert take(second) == b"*2\r\n$1\r\nk\r\n$1\r\n2\r\n"
    assert take(third) == b""  # the list is gone: it stays blocked, first in line now
    assert waiters(server, b"k") == [third.id]
    assert server.blocking.count == 1
    assert b"k" not in server.dbs[0].data


def test_served_from_the_key_that_became_ready_first(server: Server) -> None:
    client, writer = new_client(server), new_client(server)
    send(client, "BLPOP", "k1", "k2", "0")
    send(writer, "MULTI")
    send(writer, "RPUSH", "k2", "x")
    send(writer, "RPUSH", "k1", "y")
    send(writer, "EXEC")
    assert take(client) == b"*2\r\n$2\r\nk2\r\n$1\r\nx\r\n"
    assert server.dbs[0].blocking == {}
    assert server.dbs[0].data[b"k1"] is not None


def test_wrong_type_on_a_ready_key_keeps_waiting(server: Server) -> None:
    client, writer = new_client(server), new_client(server)
    send(client, "BLPOP", "k", "0")
    send(writer, "SET", "k", "v")
    assert take(client) == b""
    assert isinstance(client.blocked, Waiter)
    send(writer, "DEL", "k")
    send(writer, "LPUSH", "k", "x")
    assert take(client) == b"*2\r\n$1\r\nk\r\n$1\r\nx\r\n"


def test_blmove_chain_serves_the_destination_waiters(server: Server) -> None:
    mover, popper, writer = new_client(server), new_client(server), new_client(server)
    send(mover, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
    send(popper, "BLPOP", "dst", "0")
    send(writer, "LPUSH", "src", "x")
    assert take(mover) == b"$1\r\nx\r\n"
    assert take(popper) == b"*2\r\n$3\r\ndst\r\n$1\r\nx\r\n"
    assert server.dbs[0].data == {}
    assert server.blocking.count == 0


def test_blmove_wrong_destination_is_an_error_and_keeps_the_element(server: Server) -> None:
    mover, writer = new_client(server), new_client(server)
    send(mover, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
    send(writer, "SET", "dst", "v")
    send(writer, "LPUSH", "src", "x")
    assert take(mover) == b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    assert list(server.dbs[0].data[b"src"]) == [b"x"]  # type: ignore[call-overload]
    assert server.blocking.count == 0


def test_served_client_propagates_the_non_blocking_form(server: Server) -> None:
    effects: list[list[bytes]] = []
    def propagate_command(client: Client, argv: list[bytes], recorded: list[list[bytes]] | None) -> None:
        effects.extend(recorded if recorded is not None else [argv])

    server.propagate_command = propagate_command
    server.propagating = True
    popper, mover, mpopper, writer = (new_client(server) for _ in range(4))
    send(popper, "BRPOP", "k", "0")
    send(mover, "BLMOVE", "k", "d", "RIGHT", "LEFT", "0")
    send(mpopper, "BLMPOP", "0", "2", "j", "k", "LEFT", "COUNT", "5")
    send(writer, "RPUSH", "k", "1", "2", "3", "4")
    assert effects == [
        [b"RPUSH", b"k", b"1", b"2", b"3", b"4"], [b"RPOP", b"k"], [b"LMOVE", b"k", b"d", b"right", b"left"],
        [b"LPOP", b"k", b"2"],
    ]


def test_disconnect_leaves_nothing_behind(server: Server) -> None:
    client = new_client(server)
    send(client, "BLMPOP", "0", "2", "a", "b", "RIGHT")
    client.closed = True
    server.remove_client(client)
    assert server.blocking.count == 0
    assert server.dbs[0].blocking == {}
    assert client.blocked is None


def test_time_out_and_unblock_reply(server: Server) -> None:
    timed, unblocked, errored = new_client(server), new_client(server), new_client(server)
    send(timed, "BRPOPLPUSH", "k", "d", "0")
    send(unblocked, "BLMOVE", "k", "d", "LEFT", "LEFT", "0")
    send(errored, "BLPOP", "k", "0")
    assert isinstance(timed.blocked, Waiter)
    server.blocking.time_out(timed.blocked)
    assert take(timed) == b"*-1\r\n"  # a null array, even for BRPOPLPUSH
    assert server.blocking.unblock(unblocked, error=False)
    assert take(unblocked) == b"*-1\r\n"
    assert server.blocking.unblock(errored, error=True)
    assert take(errored) == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    assert not server.blocking.unblock(errored, error=True)
    assert server.blocking.count == 0 and server.dbs[0].blocking == {}


def test_resp3_timeout_is_null(server: Server) -> None:
    client = new_client(server)
    client.set_protocol(3)
    send(client, "BLPOP", "k", "0")
    assert isinstance(client.blocked, Waiter)
    server.blocking.time_out(client.blocked)
    assert take(client) == b"_\r\n"


def test_nothing_blocks_inside_exec(server: Server) -> None:
    client = new_client(server)
    for argv in (("MULTI",), ("BLPOP", "k", "0"), ("BRPOPLPUSH", "k", "d", "0"),
                 ("BLMOVE", "k", "d", "LEFT", "LEFT", "0"), ("BLMPOP", "0", "1", "k", "LEFT"), ("EXEC",)):
        send(client, *argv)
    assert take(client).endswith(b"*4\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n")
    assert client.blocked is None and server.blocking.count == 0


def test_pipelined_requests_wait_for_the_blocked_one(server: Server) -> None:
    client, writer = new_client(server), new_client(server)
    consumed = run_requests(client, [[b"BLPOP", b"k", b"0"], [b"PING"]])
    assert consumed == 1  # PING is held by the connection until the client is released
    send(writer, "RPUSH", "k", "v")
    assert take(client) == b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n"


def test_handler_block_again_keeps_the_place(server: Server) -> None:
    first, second, writer = new_client(server), new_client(server), new_client(server)
    send(first, "BLPOP", "k", "0")
    send(second, "BLPOP", "k", "0")
    send(writer, "MULTI")
    send(writer, "LPUSH", "k", "x")
    send(writer, "LPOP", "k")
    send(writer, "EXEC")
    assert waiters(server, b"k") == [first.id, second.id]
    send(writer, "LPUSH", "k", "y")
    assert take(first) == b"*2\r\n$1\r\nk\r\n$1\r\ny\r\n"
    assert waiters(server, b"k") == [second.id]


def test_block_is_a_plain_value() -> None:
    block = Block([b"k"], 1.5)
    assert block.keys == [b"k"] and block.timeout == 1.5 and block.state is None


async def test_timer_fires_on_the_loop() -> None:
    server = Server()
    server.loop = asyncio.get_running_loop()
    client = new_client(server)
    send(client, "BLPOP", "k", "0.02")
    assert isinstance(client.blocked, Waiter) and client.blocked.timer is not None
    for _ in range(200):
        if client.blocked is None:
            break
        await asyncio.sleep(0.005)
    assert take(client) == b"*-1\r\n"
    assert server.blocking.count == 0


async def test_forever_and_huge_timeouts_arm_no_timer() -> None:
    server = Server()
    server.loop = asyncio.get_running_loop()
    forever, huge = new_client(server), new_client(server)
    send(forever, "BLPOP", "k", "0")
    send(huge, "BLPOP", "k", "9223372036854775")
    assert isinstance(forever.blocked, Waiter) and forever.blocked.timer is None
    assert isinstance(huge.blocked, Waiter) and huge.blocked.timer is None
