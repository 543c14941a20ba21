"""Delivery: every subscriber gets every message in publish order (sync and asyncio clients), one
encoding per message and protocol, and one socket write per subscriber per event-loop pass."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import redis
import redis.asyncio

from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer
from tests.helpers import encode_command as _encode

N = 300


def test_300_messages_in_order_sync_channel_and_pattern(server: MiniRedisServer) -> None:
    subscribers: list[tuple[redis.Redis, Any]] = []
    for protocol, how in ((2, "channel"), (3, "channel"), (2, "pattern"), (3, "pattern")):
        client = redis.Redis(host=server.host, port=server.port, protocol=protocol)
        pubsub = client.pubsub()
        if how == "channel":
            pubsub.subscribe("ordered")
        else:
            pubsub.psubscribe("ord*")
        assert pubsub.get_message(timeout=1) is not None  # confirmation
        subscribers.append((client, pubsub))
    publisher = redis.Redis(host=server.host, port=server.port)
    pipe = publisher.pipeline(transaction=False)
    for i in range(N):
        pipe.publish("ordered", f"m{i}")
    assert pipe.execute() == [4] * N
    try:
        for _, pubsub in subscribers:
            got: list[bytes] = []
            deadline = time.monotonic() + 10
            while len(got) < N and time.monotonic() < deadline:
                message = pubsub.get_message(timeout=1)
                if message and message["type"] in ("message", "pmessage"):
                    got.append(message["data"])
            assert got == [f"m{i}".encode() for i in range(N)]
    finally:
        for client, pubsub in subscribers:
            pubsub.close()
            client.close()
        publisher.close()


def test_300_messages_in_order_asyncio(server: MiniRedisServer) -> None:
    async def scenario() -> list[list[bytes]]:
        clients = [redis.asyncio.Redis(host=server.host, port=server.port, protocol=p) for p in (2, 3, 2)]
        pubsubs = [client.pubsub() for client in clients]
        for pubsub in pubsubs:
            await pubsub.subscribe("async-ordered")
            await pubsub.get_message(timeout=1)

        async def collect(pubsub: Any) -> list[bytes]:
            got: list[bytes] = []
            deadline = time.monotonic() + 10
            while len(got) < N and time.monotonic() < deadline:
                message = await pubsub.get_message(timeout=1)
                if message and message["type"] == "message":
                    got.append(message["data"])
            return got

        readers = [asyncio.create_task(collect(pubsub)) for pubsub in pubsubs]
        publisher = redis.asyncio.Redis(host=server.host, port=server.port)
        for i in range(N):  # one at a time, interleaved with the readers
            assert await publisher.publish("async-ordered", f"m{i}") == 3
        results = await asyncio.gather(*readers)
        for pubsub in pubsubs:
            await pubsub.aclose()
        for client in [*clients, publisher]:
            await client.aclose()
        return results

    for got in asyncio.run(scenario()):
        assert got == [f"m{i}".encode() for i in range(N)]


def test_order_per_publisher_with_concurrent_publishers(server: MiniRedisServer) -> None:
    """Two publishers in their own threads: each subscriber sees each publisher's messages in order."""
    subscribers = []
    for protocol in (2, 3):
        client = redis.Redis(host=server.host, port=server.port, protocol=protocol)
        pubsub = client.pubsub()
        pubsub.subscribe("multi")
        pubsub.get_message(timeout=1)
        subscribers.append((client, pubsub))

    def publish(name: str) -> None:
        publisher = redis.Redis(host=server.host, port=server.port)
        for i in range(N):
            publisher.publish("multi", f"{name}:{i}")
        publisher.close()

    threads = [threading.Thread(target=publish, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        for _, pubsub in subscribers:
            got: list[bytes] = []
            deadline = time.monotonic() + 10
            while len(got) < 2 * N and time.monotonic() < deadline:
                message = pubsub.get_message(timeout=1)
                if message and message["type"] == "message":
                    got.append(message["data"])
            assert len(got) == 2 * N
            for name in (b"a", b"b"):
                assert [m for m in got if m.startswith(name + b":")] == [name + b":%d" % i for i in range(N)]
    finally:
        for client, pubsub in subscribers:
            pubsub.close()
            client.close()


class CountingTransport:
    """Wraps a subscriber's transport to count ``write`` calls."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.writes = 0

    def write(self, data: bytes) -> None:
        self.writes += 1
        self.inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_encoded_once_per_protocol_and_matches_the_encoder() -> None:
    """No sockets: every subscriber of one protocol gets the very same bytes object, equal to what
    the reply encoder makes of the push (an array in RESP2, a ``>`` push in RESP3)."""
    from miniredis.protocol.encoder import encode2, encode3
    from miniredis.protocol.replies import Push
    from miniredis.server.client import Client

    server = Server()
    clients = [Client(server, i, None) for i in range(6)]
    for client in clients[3:]:
        client.set_protocol(3)
    for client in clients:
        server.pubsub.subscribe(client, b"ch", "channel")
        server.pubsub.subscribe(client, b"c*", "pattern")
        server.pubsub.subscribe(client, b"ch", "shard")
    assert server.pubsub.publish(b"ch", b"\x00payload\r\n") == 12
    assert server.pubsub.spublish(b"ch", b"s") == 6
    for group, encode in ((clients[:3], encode2), (clients[3:], encode3)):
        first = group[0].out
        assert first == [encode(Push([b"message", b"ch", b"\x00payload\r\n"])),
                         encode(Push([b"pmessage", b"c*", b"ch", b"\x00payload\r\n"])),
                         encode(Push([b"smessage", b"ch", b"s"]))]
        for client in group[1:]:
            assert all(mine is theirs for mine, theirs in zip(client.out, first, strict=True))
    assert server._flush_queue == clients  # each queued for one flush, once


def test_one_write_per_subscriber_per_loop_pass() -> None:
    with MiniRedisServer() as srv:
        subscribers = []
        for protocol in (2, 2, 2, 3, 3):
            client = redis.Redis(host=srv.host, port=srv.port, protocol=protocol)
            pubsub = client.pubsub()
            pubsub.subscribe("batch")
            pubsub.get_message(timeout=1)
            subscribers.append((client, pubsub))

        def wrap(server: Server) -> list[CountingTransport]:
            wrapped = []
            for client in server.clients.values():
                if client.channels:
                    client.transport = CountingTransport(client.transport)  # type: ignore[assignment]
                    wrapped.append(client.transport)
            return wrapped  # type: ignore[return-value]

        counters = srv.call(wrap)
        messages = 200
        with socket.create_connection((srv.host, srv.port)) as publisher:
            publisher.sendall(b"".join(_encode(b"PUBLISH", b"batch", b"x%d" % i) for i in range(messages)))
            received = b""
            deadline = time.monotonic() + 5
            while received.count(b"\r\n") < messages and time.monotonic() < deadline:
                received += publisher.recv(65536)
        assert received == b":5\r\n" * messages
        for _, pubsub in subscribers:
            got = [pubsub.get_message(timeout=2) for _ in range(messages)]
            assert [m["data"] for m in got if m] == [b"x%d" % i for i in range(messages)]
            pubsub.close()
        # 200 pipelined publishes arrive in one or a few reads: a handful of writes per subscriber.
        for counter in counters:
            assert 1 <= counter.writes <= 10, counter.writes
        for client, _ in subscribers:
            client.close()
