"""AOF interoperability with real Redis 7.0 (multi-part AOF, ``aof-use-rdb-preamble no``).

* Real Redis loads a directory written by miniredis (incr records and a rewritten base) and holds
  the same data, compared key by key (type, content, TTL).
* miniredis loads a directory written by real Redis (its own rewrite output and incr records).
* A base written by Redis as RDB (``aof-use-rdb-preamble yes``) is refused with a message naming
  the file.

These tests start their own servers on their own directories (not the shared ``pair``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from miniredis.config import Config
from miniredis.persistence.aof_loader import AofLoadError, load_directory
from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer

BINARY = os.environ.get("REDIS_SERVER") and shutil.which(os.environ["REDIS_SERVER"]) or shutil.which("redis-server")
pytestmark = pytest.mark.skipif(BINARY is None, reason="redis-server not found")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RealAof:
    """redis-server with the AOF on in ``directory``."""

    def __init__(self, directory: Path, *options: str) -> None:
        self.directory = directory
        self.options = options
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.logfile = directory / "redis.log"

    def start(self, expect_ready: bool = True) -> redis.Redis:
        assert BINARY is not None
        self.port = free_port()
        self.proc = subprocess.Popen(
            [BINARY, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--aof-use-rdb-preamble", "no", "--dir", str(self.directory), "--logfile", str(self.logfile),
             *self.options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if client.ping():
                    return client
            except (redis.ConnectionError, redis.BusyLoadingError):
                time.sleep(0.05)
        if expect_ready:
            log = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
            self.stop()
            raise RuntimeError(f"redis-server did not start: {log[-2000:]}")
        return client

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None


@pytest.fixture
def real_factory() -> Iterator[list[RealAof]]:
    started: list[RealAof] = []
    yield started
    for real in started:
        real.stop()


def has_command(client: redis.Redis, name: str) -> bool:
    try:
        client.execute_command(name)
    except redis.ResponseError as error:
        return "unknown command" not in str(error)
    return True


def features_of(client: redis.Redis) -> tuple[bool, bool, bool]:
    """(streams, sorted sets, consumer groups + XINFO) as far as miniredis has the commands yet."""
    groups = all(has_command(client, name) for name in ("XGROUP", "XREADGROUP", "XINFO", "XPENDING"))
    return has_command(client, "XADD"), has_command(client, "ZADD"), groups


def populate(client: redis.Redis, streams: bool, zsets: bool, groups: bool) -> None:
    client.set("str", "value")
    client.set("bin", b"\x00\r\n\xff")
    client.set("ttl", "v", px=3_600_000)
    client.incrby("num", 42)
    client.rpush("list", *[f"item{i}" for i in range(150)])
    client.lpop("list")
    client.hset("hash", mapping={f"f{i}": f"v{i}" for i in range(100)})
    client.hdel("hash", "f0")
    client.sadd("set", *[f"m{i}" for i in range(70)])
    client.srem("set", "m1")
    client.expire("set", 7200)
    pipe = client.pipeline(transaction=True)
    pipe.set("tx1", "a").set("tx2", "b").incr("num")
    pipe.execute()
    other = redis.Redis(host=client.connection_pool.connection_kwargs["host"],
                        port=client.connection_pool.connection_kwargs["port"], db=5)
    other.set("in-db-5", "yes")
    other.rpush("list5", "x")
    other.close()
    if zsets:
        client.zadd("zset", {"a": 1.5, "b": -2, "c": 0.1, "inf": float("inf")})
    if streams:
        for i in range(1, 6):
            client.xadd("stream", {"f": f"v{i}", "g": "x"}, id=f"{i}-1")
        client.xdel("stream", "2-1")
        client.xadd("empty", {"a": "b"}, id="7-7")
        client.xdel("empty", "7-7")
    if streams and groups:
        client.xgroup_create("stream", "g1", id="0")
        client.xgroup_create("stream", "g2", id="$")
        client.xreadgroup("g1", "alice", {"stream": ">"}, count=2)
        client.xgroup_createconsumer("stream", "g1", "bob")


def snapshot(port: int, stream_info: bool) -> dict[int, dict[bytes, object]]:
    """Every key of every db: (type, content, TTL rounded to minutes)."""
    out: dict[int, dict[bytes, object]] = {}
    for db in range(16):
        client = redis.Redis(host="127.0.0.1", port=port, db=db, socket_timeout=10)
        keys = sorted(client.keys("*"))
        if not keys:
            client.close()
            continue
        contents: dict[bytes, object] = {}
        for key in keys:
            kind = client.type(key)
            if kind == b"string":
                value: object = client.get(key)
            elif kind == b"list":
                value = client.lrange(key, 0, -1)
            elif kind == b"hash":
                value = client.hgetall(key)
            elif kind == b"set":
                value = sorted(client.smembers(key))
            elif kind == b"zset":
                value = client.zrange(key, 0, -1, withscores=True)
            elif kind == b"stream" and not stream_info:
                value = client.execute_command("XRANGE", key, "-", "+")
            elif kind == b"stream":
                info = client.xinfo_stream(key)  # redis-py parses these replies into dicts
                groups = client.xinfo_groups(key)
                pending = [
                    [(entry["message_id"], entry["consumer"], entry["times_delivered"])
                     for entry in client.xpending_range(key, group["name"], "-", "+", 100)]
                    for group in groups
                ]
                value = (client.xrange(key), info["last-generated-id"], info["max-deleted-entry-id"],
                         info["entries-added"], [sorted(group.items()) for group in groups], pending)
            else:
                value = None
            ttl = client.pttl(key)
            contents[key] = (kind, value, -1 if ttl < 0 else round(ttl / 60_000))
        out[db] = contents
        client.close()
    return out


def test_real_redis_loads_a_miniredis_directory(tmp_path: Path, real_factory: list[RealAof]) -> None:
    with MiniRedisServer(dir=str(tmp_path), appendonly="yes") as srv:
        client = redis.Redis(host="127.0.0.1", port=srv.port)
        features = features_of(client)
        populate(client, *features)
        client.bgrewriteaof()
        deadline = time.monotonic() + 20
        while client.info("persistence")["aof_rewrite_in_progress"] and time.monotonic() < deadline:
            time.sleep(0.05)
        client.set("after-rewrite", "1")
        client.rpush("list", "tail")
        expected = snapshot(srv.port, features[2])
        client.close()
    real = RealAof(tmp_path)
    real_factory.append(real)
    real.start()
    assert snapshot(real.port, features[2]) == expected


def test_miniredis_loads_a_real_redis_directory(tmp_path: Path, real_factory: list[RealAof]) -> None:
    real = RealAof(tmp_path)
    real_factory.append(real)
    client = real.start()
    with MiniRedisServer() as probe_server:
        probe = redis.Redis(host="127.0.0.1", port=probe_server.port)
        features = features_of(probe)
        probe.close()
    populate(client, *features)
    client.bgrewriteaof()  # Redis writes its own base (RESP, preamble off), then more incr records
    deadline = time.monotonic() + 20
    while client.info("persistence")["aof_rewrite_in_progress"] and time.monotonic() < deadline:
        time.sleep(0.05)
    client.set("after-rewrite", "1")
    client.rpush("list", "tail")
    expected = snapshot(real.port, features[2])
    client.close()
    real.stop()
    with MiniRedisServer(dir=str(tmp_path), appendonly="yes") as srv:
        assert snapshot(srv.port, features[2]) == expected


def test_rdb_preamble_base_is_refused_by_name(tmp_path: Path, real_factory: list[RealAof]) -> None:
    real = RealAof(tmp_path, "--aof-use-rdb-preamble", "yes")
    real_factory.append(real)
    client = real.start()
    client.set("a", "1")
    client.bgrewriteaof()
    deadline = time.monotonic() + 20
    while client.info("persistence")["aof_rewrite_in_progress"] and time.monotonic() < deadline:
        time.sleep(0.05)
    client.close()
    real.stop()
    names = os.listdir(tmp_path / "appendonlydir")
    base = next(name for name in names if ".base." in name)
    with pytest.raises(AofLoadError, match=f"{base} is an RDB file"):
        load_directory(Server(Config()), str(tmp_path / "appendonlydir"), "appendonly.aof", True)


def raw_exchange(port: int, payload: bytes, replies: int) -> bytes:
    """Send ``payload`` and read until ``replies`` top-level replies (simple ones here) arrived."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(payload)
        data = b""
        deadline = time.monotonic() + 10
        while data.count(b"\r\n") < replies and time.monotonic() < deadline:
            data += sock.recv(65536)
        return data


def test_bgrewriteaof_replies_match_redis(tmp_path: Path, real_factory: list[RealAof]) -> None:
    """Started, already in progress (a second one at once), scheduled inside MULTI/EXEC."""
    (tmp_path / "real").mkdir()
    (tmp_path / "mini").mkdir()
    real = RealAof(tmp_path / "real")
    real_factory.append(real)
    real_client = real.start()
    real_client.set("k", "v" * 1000)
    payload = b"MULTI\r\nBGREWRITEAOF\r\nEXEC\r\n"
    with MiniRedisServer(dir=str(tmp_path / "mini"), appendonly="yes") as srv:
        mini_reply = raw_exchange(srv.port, payload, 4)
        deadline = time.monotonic() + 20
        client = redis.Redis(host="127.0.0.1", port=srv.port)
        while (client.info("persistence")["aof_rewrites"] < 1) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.info("persistence")["aof_rewrites"] == 1  # the scheduled rewrite ran after EXEC
        client.close()
    real_reply = raw_exchange(real.port, payload, 4)
    assert mini_reply == real_reply == (b"+OK\r\n+QUEUED\r\n*1\r\n+Background append only file rewriting "
                                        b"scheduled\r\n")
