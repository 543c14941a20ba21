"""More transaction behaviour through redis-py and raw sockets: protocol switches inside EXEC, EXEC's
own rejections, where WATCH breaks and where it does not, blocking and pub/sub commands in MULTI,
and the 7.0 rule for a watched key that was already expired (under a manual clock)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import redis

from miniredis.testing.server import MiniRedisServer


class Raw:
    """A raw socket that sends inline commands and reads until the expected bytes have arrived."""

    def __init__(self, server: MiniRedisServer) -> None:
        self.sock = socket.create_connection((server.host, server.port), timeout=5)

    def ask(self, data: bytes, until: bytes) -> bytes:
        self.sock.sendall(data)
        got = b""
        for _ in range(1000):
            if got.endswith(until):
                return got
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            got += chunk
        return got

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw(server: MiniRedisServer, r: redis.Redis) -> Iterator[Raw]:
    conn = Raw(server)
    yield conn
    conn.close()


@pytest.fixture
def other(server: MiniRedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis(host=server.host, port=server.port)
    yield client
    client.close()


def test_hello_inside_exec_switches_the_protocol_of_later_replies(raw: Raw) -> None:
    raw.ask(b"HSET h f v\r\n", b":1\r\n")
    out = raw.ask(b"MULTI\r\nHGETALL h\r\nHELLO 3\r\nHGETALL h\r\nEXEC\r\n", b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n")
    assert out.startswith(b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n%7\r\n")
    # and back: HELLO 2 inside EXEC of a RESP3 client
    out = raw.ask(b"MULTI\r\nHGETALL h\r\nHELLO 2\r\nHGETALL h\r\nEXEC\r\n", b"*2\r\n$1\r\nf\r\n$1\r\nv\r\n")
    assert b"*3\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n*14\r\n" in out


def test_exec_with_arguments_is_a_rejected_exec(raw: Raw) -> None:
    reason = b"-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"
    assert raw.ask(b"EXEC now\r\n", b"\r\n") == reason
    out = raw.ask(b"MULTI\r\nSET a 1\r\nEXEC now\r\nEXEC\r\nGET a\r\n", b"$-1\r\n")
    assert out == b"+OK\r\n+QUEUED\r\n" + reason + b"-ERR EXEC without MULTI\r\n$-1\r\n"


def test_blocking_commands_in_multi_answer_like_a_timeout(raw: Raw) -> None:
    commands = (b"MULTI\r\nBLPOP nolist 0\r\nBZPOPMIN noz 0\r\nBLMOVE nolist d LEFT LEFT 0\r\n"
                b"XREAD BLOCK 0 STREAMS s $\r\nLPUSH l x\r\nBLPOP l 0\r\nEXEC\r\n")
    out = raw.ask(commands, b"$1\r\nl\r\n$1\r\nx\r\n")
    assert out == b"+OK\r\n" + b"+QUEUED\r\n" * 6 + (
        b"*6\r\n*-1\r\n*-1\r\n$-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nl\r\n$1\r\nx\r\n"
    )


def _exec_after(r: redis.Redis, other: redis.Redis, *writes: tuple[object, ...]) -> list[object] | None:
    r.execute_command("WATCH", "k")
    for argv in writes:
        other.execute_command(*argv)
    r.execute_command("MULTI")
    r.execute_command("PING")
    return r.execute_command("EXEC")  # type: ignore[no-any-return]


@pytest.mark.parametrize("setup, write, breaks", [
    (("SET", "k", "v"), ("SET", "k", "v"), True),
    (("SADD", "k", "a"), ("SADD", "k", "a"), False),
    (("SADD", "k", "a"), ("SREM", "k", "zz"), False),
    (("HSET", "k", "f", "v"), ("HSET", "k", "f", "v"), True),
    (("ZADD", "k", "1", "a"), ("ZADD", "k", "1", "a"), False),
    (("RPUSH", "k", "a"), ("LTRIM", "k", "0", "-1"), True),
    (("SET", "other", "v"), ("FLUSHDB",), False),
    (("SET", "k", "v"), ("FLUSHALL",), True),
    (("SET", "k", "v"), ("SWAPDB", "0", "1"), True),
    (("SET", "src", "v"), ("RENAME", "src", "k"), True),
    (("SET", "k", "v"), ("RENAME", "k", "dst"), True),
    (("SET", "k", "v"), ("PERSIST", "k"), False),
    (("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "0"), False),
], ids=lambda value: " ".join(map(str, value)) if isinstance(value, tuple) else str(value))
def test_where_watch_breaks(r: redis.Redis, other: redis.Redis, setup: tuple[object, ...],
                            write: tuple[object, ...], breaks: bool) -> None:
    other.execute_command(*setup)
    result = _exec_after(r, other, write)
    assert (result is None) == breaks, result


def test_subscribe_inside_multi_runs_in_exec(r: redis.Redis) -> None:
    r.set("a", "1")
    r.execute_command("MULTI")
    r.execute_command("SUBSCRIBE", "ch")
    r.execute_command("GET", "a")
    replies = r.execute_command("EXEC")
    assert replies[1] == b"1" and list(replies[0])[:2] == [b"subscribe", b"ch"]
    r.execute_command("RESET")


def test_key_expired_before_watch_does_not_break_it_expiry_after_does() -> None:
    with MiniRedisServer(manual_clock=True) as srv:
        client = redis.Redis.from_url(srv.url)
        other = redis.Redis.from_url(srv.url)
        client.set("k", "v", px=100)
        srv.clock.advance(1)  # type: ignore[attr-defined]
        client.execute_command("WATCH", "k")  # already (logically) expired
        assert other.get("k") is None  # deleting an expired key is no logical change
        client.execute_command("MULTI")
        client.execute_command("PING")
        assert client.execute_command("EXEC") == [b"PONG"]
        client.set("k", "v", px=100)
        client.execute_command("WATCH", "k")
        srv.clock.advance(1)  # type: ignore[attr-defined]
        client.execute_command("MULTI")
        client.execute_command("PING")
        assert client.execute_command("EXEC") is None
        client.close()
        other.close()
