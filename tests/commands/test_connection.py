"""Connection commands through redis-py (RESP2 and RESP3): PING, ECHO, HELLO, AUTH, SELECT, SWAPDB, QUIT, RESET."""

from __future__ import annotations

import socket

import pytest
import redis

from miniredis.testing.server import MiniRedisServer


def raw(server: MiniRedisServer, data: bytes, expect_close: bool = False) -> bytes:
    """Send raw bytes, return what came back (until close, or a short quiet period)."""
    sock = socket.create_connection((server.host, server.port), timeout=2)
    try:
        sock.sendall(data)
        sock.settimeout(0.3)
        out = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                assert not expect_close, f"not closed after {out!r}"
                return out
            if not chunk:
                return out
            out += chunk
    finally:
        sock.close()


def test_ping(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.ping() is True
    assert raw(server, b"PING hello\r\nPING\r\n") == b"$5\r\nhello\r\n+PONG\r\n"
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'ping' command"):
        r.execute_command("PING", "a", "b")


def test_echo(r: redis.Redis) -> None:
    assert r.echo(b"\x00bin\r\n") == b"\x00bin\r\n"
    assert r.echo("") == b""
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'echo' command"):
        r.execute_command("ECHO")


def test_hello_reply(r: redis.Redis) -> None:
    reply = r.execute_command("HELLO")
    fields = reply if isinstance(reply, dict) else dict(zip(reply[::2], reply[1::2], strict=True))
    assert fields[b"server"] == b"redis"
    assert fields[b"version"] == b"7.0.15"
    assert fields[b"proto"] == r.connection_pool.connection_kwargs.get("protocol", 2)
    assert fields[b"id"] == r.client_id()
    assert fields[b"mode"] == b"standalone"
    assert fields[b"role"] == b"master"
    assert fields[b"modules"] == []


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("4",), "NOPROTO unsupported protocol version"),
        (("1",), "NOPROTO unsupported protocol version"),
        (("abc",), "Protocol version is not an integer or out of range"),
        (("3", "FOO"), "Syntax error in HELLO option 'FOO'"),
        (("3", "AUTH", "default"), "Syntax error in HELLO option 'AUTH'"),
        (("3", "SETNAME"), "Syntax error in HELLO option 'SETNAME'"),
        (("3", "SETNAME", "a b"), "Client names cannot contain spaces, newlines or special characters."),
    ],
)
def test_hello_errors(r: redis.Redis, args: tuple[str, ...], error: str) -> None:
    with pytest.raises(redis.ResponseError) as info:
        r.execute_command("HELLO", *args)
    assert error in str(info.value)
    assert r.ping() is True  # the protocol did not change


def test_hello_setname(r: redis.Redis) -> None:
    r.execute_command("HELLO", "3", "SETNAME", "named")
    assert r.client_getname() in (b"named", "named")


def test_hello_raw_protocol_switch(server: MiniRedisServer) -> None:
    out = raw(server, b"HELLO 3\r\nGET nokey\r\nHELLO 2\r\nGET nokey\r\n")
    assert out.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n")
    assert out.count(b"_\r\n") == 1 and out.endswith(b"$-1\r\n")


def test_auth_without_password(server: MiniRedisServer) -> None:
    # Raw bytes: redis-py treats authentication errors as connection errors and retries them.
    out = raw(server, b"AUTH pass\r\nAUTH default anything\r\nAUTH nobody pass\r\nAUTH a b c\r\n"
                      b"HELLO 3 AUTH nobody x\r\nPING\r\n")
    assert out == (
        b"-ERR AUTH <password> called without any password configured for the default user. "
        b"Are you sure your configuration is correct?\r\n"
        b"+OK\r\n"
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        b"-ERR syntax error\r\n"
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        b"+PONG\r\n"
    )


def test_auth_with_requirepass() -> None:
    with MiniRedisServer(requirepass="secret") as srv:
        out = raw(srv, b"GET k\r\nAUTH wrong\r\nAUTH secret\r\nGET k\r\n")
        assert out == (
            b"-NOAUTH Authentication required.\r\n"
            b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
            b"+OK\r\n$-1\r\n"
        )
        client = redis.Redis(host=srv.host, port=srv.port, password="secret")
        assert client.ping() is True
        client.close()
        # Unauthenticated clients get the small request limits.
        assert raw(srv, b"*11\r\n", expect_close=True) == b"-ERR Protocol error: unauthenticated multibulk length\r\n"
        assert raw(srv, b"*1\r\n$16385\r\n", expect_close=True) == (
            b"-ERR Protocol error: unauthenticated bulk length\r\n")


def test_select(r: redis.Redis) -> None:
    r.set("k", "db0")
    assert r.execute_command("SELECT", "15") in (True, b"OK")
    assert r.get("k") is None
    r.set("k", "db15")
    r.execute_command("SELECT", "0")
    assert r.get("k") == b"db0"
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        r.execute_command("SELECT", "16")
    with pytest.raises(redis.ResponseError, match="value is not an integer or out of range"):
        r.execute_command("SELECT", "x")


def test_swapdb(r: redis.Redis) -> None:
    r.set("a", "in0")
    assert r.swapdb(0, 1) is True
    assert r.get("a") is None
    r.execute_command("SELECT", "1")
    assert r.get("a") == b"in0"
    r.execute_command("SELECT", "0")
    with pytest.raises(redis.ResponseError, match="invalid first DB index"):
        r.execute_command("SWAPDB", "x", "0")
    with pytest.raises(redis.ResponseError, match="invalid second DB index"):
        r.execute_command("SWAPDB", "0", "x")
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        r.execute_command("SWAPDB", "0", "16")


def test_quit(server: MiniRedisServer) -> None:
    assert raw(server, b"PING\r\nQUIT\r\nPING\r\n", expect_close=True) == b"+PONG\r\n+OK\r\n"


def test_reset(server: MiniRedisServer) -> None:
    out = raw(server, b"HELLO 3\r\nSELECT 2\r\nSET k v\r\nMULTI\r\nRESET\r\nGET k\r\nEXEC\r\n")
    assert out.endswith(b"+OK\r\n+OK\r\n+OK\r\n+RESET\r\n$-1\r\n-ERR EXEC without MULTI\r\n")


def test_replies_reach_a_client_that_stopped_sending(server: MiniRedisServer) -> None:
    # Replies are written at the end of the loop pass; a client that shuts down its sending side
    # right after its requests (printf ... | nc) must still get every reply before the close.
    for payload, expected in ((b"PING\r\n", b"+PONG\r\n"),
                              (b"*1\r\n$4\r\nPING\r\n" * 3, b"+PONG\r\n" * 3),
                              (b"SET half b\r\nGET half\r\n", b"+OK\r\n$1\r\nb\r\n")):
        sock = socket.create_connection((server.host, server.port), timeout=2)
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            received = b""
            for _ in range(100):  # bounded: the server closes after the replies
                chunk = sock.recv(4096)
                if not chunk:
                    break
                received += chunk
        finally:
            sock.close()
        assert received == expected
