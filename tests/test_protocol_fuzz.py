"""Protocol fuzzing from many concurrent connections: bad clients are answered and closed, good ones are not
disturbed, and the server stays up.

Seeded and bounded: about 20 connections at a time send malformed, truncated and oversized frames
(each kind with Redis 7.0's error text where it is determined), while well-behaved clients run SET/GET/ECHO
pipelines and check every reply. A handful of the same frames is compared with real Redis in
conformance/test_protocol.py.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterator

import pytest
import redis

from miniredis.testing.server import MiniRedisServer
from tests.helpers import encode_command as encode

SEED = 20240611
BAD_WORKERS = 16
GOOD_WORKERS = 4
CONNECTIONS_PER_WORKER = 30
TIME_BUDGET = 15.0  # seconds: every loop below stops when it is spent

PING = b"*1\r\n$4\r\nPING\r\n"


def proto_error(message: str) -> bytes:
    return b"-ERR Protocol error: " + message.encode() + b"\r\n"


async def close_quietly(writer: asyncio.StreamWriter) -> None:
    """Close a connection the server may already have closed."""
    writer.close()
    try:
        await writer.wait_closed()
    except ConnectionError:
        pass


Frame = tuple[bytes, bytes | None]  # (bytes to send, exact expected output before the close, or None)


def bad_frame(rng: random.Random) -> Frame:
    """One malformed frame and what Redis answers to it (None: only "answers or closes, stays up")."""
    kind = rng.randrange(10)
    if kind == 0:
        garbage = bytes(rng.choice(b"abcxyz-+ .") for _ in range(rng.randint(1, 6)))
        return b"*" + garbage + b"\r\n", proto_error("invalid multibulk length")
    if kind == 1:
        element = rng.choice([b":5\r\n", b"*1\r\n$1\r\na\r\n", b"%1\r\n$1\r\na\r\n$1\r\nb\r\n", b"_\r\n",
                              b"~1\r\n$1\r\na\r\n", b"#t\r\n", b",1.5\r\n"])
        return b"*1\r\n" + element, proto_error(f"expected '$', got '{chr(element[0])}'")
    if kind == 2:
        length = rng.choice([b"-5", b"abc", b"1e3", b"04", b"+4", b"-1", b"536870913", b"99999999999999999999"])
        return b"*1\r\n$" + length + b"\r\n", proto_error("invalid bulk length")
    if kind == 3:
        return b"a" * (64 * 1024 + rng.randint(1, 5000)), proto_error("too big inline request")
    if kind == 4:
        return b"*" + b"1" * (64 * 1024 + rng.randint(1, 100)), proto_error("too big mbulk count string")
    if kind == 5:
        quote = rng.choice([b'"', b"'"])
        return b"ECHO " + quote + b"unterminated\r\n", proto_error("unbalanced quotes in request")
    if kind == 6:
        return b"*%d\r\n" % rng.choice([2147483648, 3000000000, 2**63]), proto_error("invalid multibulk length")
    if kind == 7:
        # A good request, then a bad one: the good one is answered first.
        return PING + b"*1\r\n$x\r\n", b"+PONG\r\n" + proto_error("invalid bulk length")
    if kind == 8:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))), None
    return b"*2\r\n$4\r\nECHO\r\n$" + b"9" * 9 + b"\r\n", proto_error("invalid bulk length")


def truncated_frame(rng: random.Random) -> bytes:
    full = encode(b"SET", b"fuzz", bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000))))
    return full[: rng.randint(1, len(full) - 1)]


@pytest.fixture(scope="module")
def server() -> Iterator[MiniRedisServer]:
    with MiniRedisServer() as srv:
        yield srv


async def read_until_close(reader: asyncio.StreamReader, timeout: float) -> tuple[bytes, bool]:
    """Everything the server sends until it closes; (data, closed)."""
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = await asyncio.wait_for(reader.read(65536), deadline - time.monotonic())
        except TimeoutError:
            return data, False
        except ConnectionError:  # reset by the server: closed
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


async def bad_worker(port: int, rng: random.Random, deadline: float, failures: list[str]) -> int:
    done = 0
    for _ in range(CONNECTIONS_PER_WORKER):
        if time.monotonic() > deadline:
            break
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            if rng.random() < 0.2:
                writer.write(truncated_frame(rng))
                await writer.drain()
                try:
                    early = await asyncio.wait_for(reader.read(100), 0.1)
                except TimeoutError:
                    early = b""
                if early:
                    failures.append(f"a truncated request got a reply: {early!r}")
            else:
                data, expected = bad_frame(rng)
                writer.write(data)
                await writer.drain()
                # Random bytes may be a partial inline request the server rightly waits on: a short look.
                got, closed = await read_until_close(reader, 5.0 if expected is not None else 0.3)
                if expected is not None and got != expected:
                    failures.append(f"{data[:60]!r}: expected {expected!r}, got {got[:200]!r}")
                if expected is not None and not closed:
                    failures.append(f"{data[:60]!r}: the connection was not closed")
            done += 1
        finally:
            await close_quietly(writer)
    return done


async def good_worker(port: int, index: int, rng: random.Random, stop: Callable[[], bool],
                      failures: list[str]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rounds = 0
    try:
        while not stop() and rounds < 2000:
            key = b"good:%d:%d" % (index, rounds)
            value = bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000)))
            writer.write(encode(b"SET", key, value) + encode(b"GET", key) + b"ECHO inline\r\n" + PING)
            await writer.drain()
            expected = (b"+OK\r\n" + b"$%d\r\n%s\r\n" % (len(value), value) + b"$6\r\ninline\r\n" + b"+PONG\r\n")
            try:
                got = await asyncio.wait_for(reader.readexactly(len(expected)), 5.0)
            except (TimeoutError, asyncio.IncompleteReadError) as error:
                failures.append(f"good client {index}: {error!r}")
                return rounds
            if got != expected:
                failures.append(f"good client {index}: expected {expected[:80]!r}, got {got[:80]!r}")
                return rounds
            rounds += 1
    finally:
        await close_quietly(writer)
    return rounds


async def fuzz(port: int) -> tuple[int, int, list[str]]:
    failures: list[str] = []
    deadline = time.monotonic() + TIME_BUDGET
    rng = random.Random(SEED)
    finished = False

    def stop() -> bool:
        return finished or time.monotonic() > deadline

    good = [asyncio.create_task(good_worker(port, i, random.Random(rng.random()), stop, failures))
            for i in range(GOOD_WORKERS)]
    bad = [bad_worker(port, random.Random(rng.random()), deadline, failures) for _ in range(BAD_WORKERS)]
    bad_done = sum(await asyncio.gather(*bad))
    finished = True
    good_rounds = sum(await asyncio.gather(*good))
    return bad_done, good_rounds, failures


def test_protocol_fuzz(server: MiniRedisServer) -> None:
    started = time.monotonic()
    bad_done, good_rounds, failures = asyncio.run(fuzz(server.port))
    print(f"{bad_done} bad connections, {good_rounds} good rounds in {time.monotonic() - started:.1f}s")
    assert not failures, "\n".join(failures[:20])
    assert bad_done >= BAD_WORKERS  # every worker got through at least one bad connection
    assert good_rounds > 0
    assert time.monotonic() - started < 20
    # The server is still up and serving.
    client = redis.Redis(host=server.host, port=server.port)
    try:
        assert client.ping() is True
        assert client.echo(b"after") == b"after"
    finally:
        client.close()
