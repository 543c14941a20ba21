"""Pub/Sub through redis-py: delivery order, counts, cleanup on disconnect, slow subscribers."""

from __future__ import annotations

import socket
import time

import redis

from miniredis.testing.server import MiniRedisServer
from tests.helpers import wait_for


def test_messages_arrive_in_order_to_every_subscriber(server: MiniRedisServer) -> None:
    subscribers = []
    for protocol in (2, 3, 2, 3):
        client = redis.Redis(host=server.host, port=server.port, protocol=protocol)
        pubsub = client.pubsub()
        pubsub.subscribe("news")
        pubsub.get_message(timeout=1)  # the subscribe confirmation
        subscribers.append((client, pubsub))
    publisher = redis.Redis(host=server.host, port=server.port)
    for i in range(300):
        assert publisher.publish("news", f"m{i}") == 4
    for _, pubsub in subscribers:
        got = []
        deadline = time.monotonic() + 5
        while len(got) < 300 and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=1)
            if message and message["type"] == "message":
                got.append(message["data"])
        assert got == [f"m{i}".encode() for i in range(300)]
    for client, pubsub in subscribers:
        pubsub.close()
        client.close()
    publisher.close()


def test_channel_and_matching_pattern_both_receive_and_count(server: MiniRedisServer) -> None:
    client = redis.Redis(host=server.host, port=server.port)
    pubsub = client.pubsub()
    pubsub.subscribe("orders.eu")
    pubsub.psubscribe("orders.*", "*.eu")
    for _ in range(3):
        pubsub.get_message(timeout=1)
    assert client.publish("orders.eu", "x") == 3
    kinds = sorted(pubsub.get_message(timeout=1)["type"] for _ in range(3))  # type: ignore[index]
    assert kinds == ["message", "pmessage", "pmessage"]
    pubsub.close()
    client.close()


def test_disconnected_subscribers_leave_no_counts(server: MiniRedisServer) -> None:
    clients = [redis.Redis(host=server.host, port=server.port) for _ in range(5)]
    pubsubs = [c.pubsub() for c in clients]
    for pubsub in pubsubs:
        pubsub.subscribe("gone")
        pubsub.psubscribe("g*")
        pubsub.get_message(timeout=1)
    admin = redis.Redis(host=server.host, port=server.port)
    assert admin.pubsub_numsub("gone") == [(b"gone", 5)]
    for pubsub, client in zip(pubsubs, clients, strict=True):
        pubsub.close()
        client.close()
    assert wait_for(lambda: admin.pubsub_numsub("gone") == [(b"gone", 0)] and admin.pubsub_numpat() == 0)
    assert admin.pubsub_channels() == []
    admin.close()


def test_stalled_subscriber_is_disconnected_while_others_carry_on() -> None:
    with MiniRedisServer(client_output_buffer_limit="pubsub 1mb 256kb 60") as srv:
        stalled = socket.create_connection((srv.host, srv.port))
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nfeed\r\n")
        healthy = redis.Redis(host=srv.host, port=srv.port).pubsub()
        healthy.subscribe("feed")
        healthy.get_message(timeout=1)
        publisher = redis.Redis(host=srv.host, port=srv.port)
        payload = b"x" * 65536
        received = 0
        total = 400
        for _ in range(total):  # bounded: ~26 MB published, past the 1 MB hard limit plus kernel buffers
            publisher.publish("feed", payload)
            while healthy.get_message(timeout=0) is not None:
                received += 1
        assert wait_for(lambda: publisher.pubsub_numsub("feed") == [(b"feed", 1)])
        while received < total:
            message = healthy.get_message(timeout=1)
            assert message is not None
            received += 1
        assert srv.call(lambda s: sum(c.transport.get_write_buffer_size() for c in s.clients.values()
                                      if c.transport is not None)) < 2 * 1024 * 1024
        stalled.close()
        publisher.close()
        healthy.close()


def test_keyspace_notifications_for_set_and_expiry(server: MiniRedisServer) -> None:
    admin = redis.Redis(host=server.host, port=server.port)
    admin.config_set("notify-keyspace-events", "KEA")
    try:
        pubsub = admin.pubsub()
        pubsub.psubscribe("__key*__:*")
        pubsub.get_message(timeout=1)
        admin.set("nk", "v")
        seen = [pubsub.get_message(timeout=1) for _ in range(2)]
        assert {(m["channel"], m["data"]) for m in seen if m} == {
            (b"__keyspace@0__:nk", b"set"), (b"__keyevent@0__:set", b"nk")}
        pubsub.close()
    finally:
        admin.config_set("notify-keyspace-events", "")
        admin.close()
