"""Slow subscribers and ``client-output-buffer-limit`` (Redis's pubsub and normal classes).

A stalled subscriber (it stops reading) is disconnected once its pending output passes the hard
limit, or stays over the soft limit for longer than the soft seconds; a fast publisher and the
subscribers that read carry on, and the server's buffered bytes stay bounded (measured from the
transports' write buffers and the process RSS). The stalled client's kernel buffers are made small
(SO_RCVBUF on its side, SO_SNDBUF on the server's) so that the pending bytes land in the server's
transport buffer quickly, where the limit reads them.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import redis

from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer
from tests.helpers import encode_command as _encode
from tests.helpers import wait_for as _wait_for


def _rss_bytes() -> int:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _stalled_subscriber(srv: MiniRedisServer, channel: bytes) -> tuple[socket.socket, int]:
    """A raw subscriber that never reads, with tiny kernel buffers on both ends; returns (socket, id)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((srv.host, srv.port))
    sock.sendall(_encode(b"CLIENT", b"SETNAME", b"stalled") + _encode(b"SUBSCRIBE", channel))
    assert _wait_for(lambda: srv.call(lambda s: any(c.name == b"stalled" and c.channels for c in s.clients.values())))

    def shrink(server: Server) -> int:
        for client in server.clients.values():
            if client.name == b"stalled":
                raw = client.transport.get_extra_info("socket")  # type: ignore[union-attr]
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
                return client.id
        raise AssertionError("stalled client not found")

    return sock, srv.call(shrink)


def _connected(srv: MiniRedisServer, client_id: int) -> bool:
    return srv.call(lambda s: client_id in s.clients and not s.clients[client_id].close_after_reply)


def _buffered(server: Server) -> int:
    """Bytes the server holds for its clients: transport write buffers and queued replies."""
    total = 0
    for client in server.clients.values():
        if client.transport is not None and not client.transport.is_closing():
            total += client.transport.get_write_buffer_size()
        total += sum(len(chunk) for chunk in client.out)
    return total


class Reader(threading.Thread):
    """A subscriber that reads as fast as it can and records the payload sequence numbers."""

    def __init__(self, srv: MiniRedisServer, channel: str, protocol: int, expected: int) -> None:
        super().__init__(daemon=True)
        self.client = redis.Redis(host=srv.host, port=srv.port, protocol=protocol)
        self.pubsub = self.client.pubsub()
        self.pubsub.subscribe(channel)
        assert self.pubsub.get_message(timeout=2) is not None
        self.expected = expected
        self.got: list[int] = []

    def run(self) -> None:
        deadline = time.monotonic() + 60
        while len(self.got) < self.expected and time.monotonic() < deadline:
            message = self.pubsub.get_message(timeout=1)
            if message and message["type"] == "message":
                self.got.append(int(message["data"][:8]))

    def close(self) -> None:
        self.pubsub.close()
        self.client.close()


def test_stalled_subscriber_hits_the_hard_limit_while_others_carry_on() -> None:
    hard = 256 * 1024
    with MiniRedisServer(client_output_buffer_limit="pubsub 256kb 0 0") as srv:
        stalled, stalled_id = _stalled_subscriber(srv, b"feed")
        readers = [Reader(srv, "feed", protocol, 0) for protocol in (2, 3, 2)]
        publisher = redis.Redis(host=srv.host, port=srv.port)
        rss_before = _rss_bytes()
        batches, per_batch, size = 40, 50, 16 * 1024
        total = batches * per_batch  # 2000 messages, 32 MB per subscriber
        for reader in readers:
            reader.expected = total
            reader.start()
        peak = 0
        disconnected_at = None
        for batch in range(batches):
            pipe = publisher.pipeline(transaction=False)
            for i in range(per_batch):
                pipe.publish("feed", b"%08d" % (batch * per_batch + i) + b"x" * (size - 8))
            counts = pipe.execute()
            assert all(count in (3, 4) for count in counts)
            peak = max(peak, srv.call(_buffered))
            if disconnected_at is None and not _connected(srv, stalled_id):
                disconnected_at = batch
        for reader in readers:
            reader.join(60)
        rss_growth = _rss_bytes() - rss_before
        try:
            assert disconnected_at is not None and disconnected_at <= 2, disconnected_at
            assert publisher.pubsub_numsub("feed") == [(b"feed", 3)]
            for reader in readers:  # the fast subscribers got everything, in order
                assert reader.got == list(range(total))
            # Bounded: at most the hard limit plus about one pipelined batch (per client) at any time.
            assert peak < hard + 3 * per_batch * size, peak
            assert rss_growth < 64 * 1024 * 1024, rss_growth
            # The stalled client's connection was closed by the server.
            stalled.settimeout(5)
            closed = False
            for _ in range(10000):
                try:
                    if not stalled.recv(1 << 20):
                        closed = True
                        break
                except (ConnectionResetError, TimeoutError):
                    closed = True
                    break
            assert closed
        finally:
            stalled.close()
            for reader in readers:
                reader.close()
            publisher.close()


def _publish_paced(srv: MiniRedisServer, channel: bytes, seconds: float, interval: float,
                   size: int, watch_id: int) -> tuple[float | None, float | None]:
    """Publish ``size``-byte messages every ``interval`` s for ``seconds``; return (time the watched
    client first went over its soft limit, time it was disconnected), relative to the start."""
    publisher = redis.Redis(host=srv.host, port=srv.port)
    start = time.monotonic()
    over: float | None = None
    gone: float | None = None
    try:
        while time.monotonic() - start < seconds:
            publisher.publish(channel, b"y" * size)
            now = time.monotonic() - start
            state = srv.call(lambda s: (s.clients[watch_id].soft_limit_since if watch_id in s.clients
                                        and not s.clients[watch_id].close_after_reply else None))
            if state is None:
                gone = now
                break
            if state and over is None:
                over = now
            time.sleep(interval)
    finally:
        publisher.close()
    return over, gone


def test_soft_limit_for_n_seconds_disconnects() -> None:
    with MiniRedisServer(client_output_buffer_limit="pubsub 0 64kb 1") as srv:
        stalled, stalled_id = _stalled_subscriber(srv, b"soft")
        reader = Reader(srv, "soft", 2, 0)
        try:
            over, gone = _publish_paced(srv, b"soft", 4.0, 0.05, 8 * 1024, stalled_id)
            assert over is not None and gone is not None, (over, gone)
            # Disconnected at the first write after more than 1 s over the soft limit, not before.
            assert 1.0 <= gone - over <= 1.6, (over, gone)
            assert _wait_for(lambda: srv.call(lambda s: stalled_id not in s.clients))
            assert redis.Redis(host=srv.host, port=srv.port).pubsub_numsub("soft") == [(b"soft", 1)]
        finally:
            stalled.close()
            reader.close()


def test_soft_limit_forgiven_when_the_client_catches_up() -> None:
    with MiniRedisServer(client_output_buffer_limit="pubsub 0 64kb 2") as srv:
        slow, slow_id = _stalled_subscriber(srv, b"catchup")
        try:
            over, gone = _publish_paced(srv, b"catchup", 1.0, 0.05, 8 * 1024, slow_id)
            assert over is not None and gone is None  # over the soft limit for under 2 s: still connected
            slow.settimeout(0.2)
            drained = 0
            for _ in range(10000):  # catch up: read everything pending
                try:
                    chunk = slow.recv(1 << 20)
                except TimeoutError:
                    break
                assert chunk
                drained += len(chunk)
            assert drained > 64 * 1024
            # Back under the limit: the next write resets the soft-limit clock; small messages for 3 s.
            _, gone = _publish_paced(srv, b"catchup", 0.5, 0.05, 16, slow_id)
            assert gone is None
            assert srv.call(lambda s: s.clients[slow_id].soft_limit_since) == 0.0
        finally:
            slow.close()


def test_config_set_limits_for_normal_clients_and_at_run_time() -> None:
    with MiniRedisServer() as srv:
        admin = redis.Redis(host=srv.host, port=srv.port)
        admin.config_set("client-output-buffer-limit", "normal 128kb 0 0")
        limits = str(admin.config_get("client-output-buffer-limit")["client-output-buffer-limit"])
        assert limits.startswith("normal 131072 0 0 ")
        admin.set("big", b"z" * 65536)
        greedy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        greedy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        greedy.connect((srv.host, srv.port))
        greedy.sendall(_encode(b"CLIENT", b"SETNAME", b"stalled"))
        time.sleep(0.05)
        srv.call(lambda s: [c.transport.get_extra_info("socket").setsockopt(  # type: ignore[union-attr]
            socket.SOL_SOCKET, socket.SO_SNDBUF, 4096) for c in s.clients.values() if c.name == b"stalled"])
        try:
            greedy.sendall(_encode(b"GET", b"big") * 100)  # 6.5 MB of replies it never reads
            assert _wait_for(lambda: srv.call(lambda s: all(c.name != b"stalled" for c in s.clients.values())))
            assert admin.get("big") == b"z" * 65536  # others unaffected
            # And for pub/sub at run time: a subscriber already connected gets the new limit.
            admin.config_set("client-output-buffer-limit", "pubsub 64kb 0 0")
            stalled, stalled_id = _stalled_subscriber(srv, b"runtime")
            for _ in range(200):
                admin.publish("runtime", b"w" * 8192)
                if not _connected(srv, stalled_id):
                    break
            assert not _connected(srv, stalled_id)
            stalled.close()
        finally:
            greedy.close()
            admin.close()


def test_limits_off_means_no_disconnect() -> None:
    """``pubsub 0 0 0``: no limit, however much is pending (the default ``normal`` class)."""
    with MiniRedisServer(client_output_buffer_limit="pubsub 0 0 0") as srv:
        stalled, stalled_id = _stalled_subscriber(srv, b"free")
        publisher = redis.Redis(host=srv.host, port=srv.port)
        try:
            for _ in range(100):
                publisher.publish("free", b"q" * 16384)
            pending = srv.call(lambda s: s.clients[stalled_id].transport.get_write_buffer_size())  # type: ignore[union-attr]
            assert pending > 1024 * 1024
            assert _connected(srv, stalled_id)
        finally:
            stalled.close()
            publisher.close()
