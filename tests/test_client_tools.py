"""Real Redis client tools against miniredis: redis-cli, redis-benchmark, redis-py defaults and RESP2,
and the server's back-pressure against a client that does not read its replies."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest
import redis

from miniredis.testing.server import MiniRedisServer

IN_CI = bool(os.environ.get("CI"))


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is missing: `make test` installs redis-tools")
        pytest.skip(f"{name} is not installed")
    return path


def test_redis_cli_commands_and_inline_mode(server: MiniRedisServer) -> None:
    cli = tool("redis-cli")
    base = [cli, "-h", server.host, "-p", str(server.port)]

    def run(*args: str) -> str:
        return subprocess.run([*base, *args], capture_output=True, text=True, timeout=20, check=True).stdout

    assert run("PING") == "PONG\n"
    assert run("SET", "cli:k", "hello world") == "OK\n"
    assert run("GET", "cli:k") == "hello world\n"
    assert run("RPUSH", "cli:l", "a", "b") == "2\n"
    assert run("LRANGE", "cli:l", "0", "-1") == "a\nb\n"  # redis-cli prints raw lines when not on a tty
    assert "redis_version:7.0.15" in run("INFO", "server")
    # redis-cli in a pipe sends its commands as they come; inline commands go the same way.
    piped = subprocess.run(base, input="PING\nECHO \"two words\"\n", capture_output=True, text=True, timeout=20)
    assert piped.stdout.split("\n")[:2] == ["PONG", "two words"]


def test_redis_benchmark_ping_set_get(server: MiniRedisServer) -> None:
    bench = tool("redis-benchmark")
    result = subprocess.run(
        [bench, "-h", server.host, "-p", str(server.port), "-t", "ping,set,get", "-n", "2000", "-c", "10",
         "-P", "16", "--csv"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    names = {line.split(",")[0].strip('"') for line in result.stdout.splitlines()[1:] if line}
    assert {"PING_INLINE", "PING_MBULK", "SET", "GET"} <= names
    for line in result.stdout.splitlines()[1:]:
        assert float(line.split(",")[1].strip('"')) > 0


@pytest.mark.parametrize("protocol", [None, 2, 3])
def test_redis_py_defaults_and_protocols(server: MiniRedisServer, protocol: int | None) -> None:
    kwargs = {} if protocol is None else {"protocol": protocol}
    client = redis.Redis(host=server.host, port=server.port, **kwargs)  # type: ignore[arg-type]
    client.delete("py:k", "py:h")
    assert client.ping() is True
    assert client.set("py:k", "v") is True and client.get("py:k") == b"v"
    assert client.hset("py:h", mapping={"a": "1"}) == 1 and client.hgetall("py:h") == {b"a": b"1"}
    hello = client.execute_command("HELLO")
    if isinstance(hello, list):  # RESP2: a flat list of field, value
        hello = dict(zip(hello[::2], hello[1::2], strict=True))
    assert (hello.get(b"proto") or hello.get("proto")) == (protocol or 3)
    client.close()


def test_back_pressure_stops_reading_from_a_client_that_does_not_read() -> None:
    """A client that pipelines requests for big replies and never reads them: the server stops
    reading its requests once the output is not drained, so its buffered output stays bounded
    instead of growing with every request sent."""
    with MiniRedisServer() as srv:
        client = redis.Redis(host=srv.host, port=srv.port)
        client.set("big", b"x" * 1_000_000)
        sock = socket.create_connection((srv.host, srv.port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.setblocking(False)
        request = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n"
        sent = 0
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and sent < 2000:  # at most 2 GB of replies asked for
            try:
                sock.send(request * 50)
                sent += 50
            except BlockingIOError:
                time.sleep(0.01)
        time.sleep(0.3)

        def buffered(server) -> int:  # type: ignore[no-untyped-def]
            return max((c.transport.get_write_buffer_size() for c in server.clients.values()
                        if c.transport is not None), default=0)

        # The kernel buffers fill and the server stops reading: what it holds for the client is at
        # most one slice of replies (connection.BATCH_LIMIT), not one per request sent.
        held = srv.call(buffered)
        assert sent >= 50
        assert held <= 130 * 1_000_000, held
        assert client.ping() is True  # everyone else is served meanwhile
        sock.close()
        client.close()
