"""Subscriptions vanish with the connection: after close, QUIT, RESET or CLIENT KILL (by address,
id or TYPE pubsub) PUBSUB counts no dead client and the hub holds no entry for it."""

from __future__ import annotations

import socket
import time

import pytest
import redis

from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer
from tests.helpers import encode_command as _encode
from tests.helpers import wait_for as _wait_for


def _hub_sizes(server: Server) -> tuple[int, int, int]:
    hub = server.pubsub
    return len(hub.channels), len(hub.patterns), len(hub.shard_channels)


def _subscribe_raw(srv: MiniRedisServer, protocol: int) -> socket.socket:
    sock = socket.create_connection((srv.host, srv.port))
    if protocol == 3:
        sock.sendall(_encode("HELLO", "3"))
    sock.sendall(_encode("SUBSCRIBE", "gone", "also") + _encode("PSUBSCRIBE", "g*") + _encode("SSUBSCRIBE", "sg"))
    time.sleep(0.05)
    return sock


@pytest.mark.parametrize("protocol", [2, 3])
@pytest.mark.parametrize("how", ["close", "quit", "reset", "kill-addr", "kill-id", "kill-type"])
def test_counts_are_zero_after_the_subscribers_leave(server: MiniRedisServer, how: str, protocol: int) -> None:
    admin = redis.Redis(host=server.host, port=server.port)
    socks = [_subscribe_raw(server, protocol) for _ in range(3)]
    assert _wait_for(lambda: admin.pubsub_numsub("gone") == [(b"gone", 3)])
    assert admin.pubsub_numpat() == 1
    assert admin.execute_command("PUBSUB", "SHARDNUMSUB", "sg") == [b"sg", 3]
    for sock in socks:
        if how == "close":
            sock.close()
        elif how == "quit":
            sock.sendall(_encode("QUIT"))
        elif how == "reset":
            sock.sendall(_encode("RESET"))
        elif how == "kill-addr":
            host, port = sock.getsockname()[:2]
            assert admin.execute_command("CLIENT", "KILL", f"{host}:{port}") in (b"OK", "OK", True)
    if how == "kill-id":
        ids = server.call(lambda s: [c.id for c in s.clients.values() if c.channels])
        for client_id in ids:
            assert admin.execute_command("CLIENT", "KILL", "ID", str(client_id)) == 1
    if how == "kill-type":
        assert admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 3
    assert _wait_for(lambda: admin.pubsub_numsub("gone", "also") == [(b"gone", 0), (b"also", 0)])
    assert _wait_for(lambda: admin.pubsub_numpat() == 0)
    assert admin.execute_command("PUBSUB", "SHARDNUMSUB", "sg") == [b"sg", 0]
    assert admin.pubsub_channels() == []
    assert admin.publish("gone", "x") == 0
    assert server.call(_hub_sizes) == (0, 0, 0)
    if how == "reset":  # the connections are still open and out of subscribed mode
        for sock in socks:
            sock.sendall(_encode("PING"))
            time.sleep(0.02)
            assert sock.recv(65536).endswith(b"+PONG\r\n")
    for sock in socks:
        sock.close()
    admin.close()


def test_many_subscribers_leaving_at_once() -> None:
    with MiniRedisServer() as srv:
        socks = [_subscribe_raw(srv, 2) for _ in range(40)]
        admin = redis.Redis(host=srv.host, port=srv.port)
        assert _wait_for(lambda: admin.pubsub_numsub("gone") == [(b"gone", 40)])
        for sock in socks:
            sock.close()
        assert _wait_for(lambda: srv.call(_hub_sizes) == (0, 0, 0))
        assert admin.pubsub_numpat() == 0
        assert srv.call(lambda s: sum(1 for c in s.clients.values() if c.subscriptions)) == 0
        admin.close()
