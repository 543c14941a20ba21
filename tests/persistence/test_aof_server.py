"""The AOF in a running (embedded) server: what is written, reloading, BGREWRITEAOF, CONFIG SET, INFO."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from miniredis.persistence.aof_rewrite import encode_command
from miniredis.testing.server import MiniRedisServer


def cmd(*args: str) -> bytes:
    return encode_command([arg.encode() for arg in args])


class Aofd:
    """An embedded server with its AOF directory."""

    def __init__(self, tmp_path: Path, **settings: str) -> None:
        self.dir = tmp_path
        self.settings = {"dir": str(tmp_path), "appendonly": "yes", **settings}
        self.srv: MiniRedisServer | None = None

    def start(self) -> redis.Redis:
        self.srv = MiniRedisServer(**self.settings).start()  # type: ignore[arg-type]
        return redis.Redis(host="127.0.0.1", port=self.srv.port)

    def stop(self) -> None:
        if self.srv is not None:
            self.srv.stop()
            self.srv = None

    def path(self, name: str) -> Path:
        return self.dir / "appendonlydir" / name

    def files(self) -> list[str]:
        return sorted(os.listdir(self.dir / "appendonlydir"))

    def manifest(self) -> str:
        return self.path("appendonly.aof.manifest").read_text()


@pytest.fixture
def aofd(tmp_path: Path) -> Iterator[Aofd]:
    holder = Aofd(tmp_path)
    yield holder
    holder.stop()


def wait_rewrite(client: redis.Redis, timeout: float = 20.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info.get("aof_rewrite_scheduled"):
            return info
        time.sleep(0.05)
    raise AssertionError("rewrite did not finish")


def test_start_creates_redis_layout(aofd: Aofd) -> None:
    aofd.start()
    assert aofd.files() == ["appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"]
    assert aofd.manifest() == ("file appendonly.aof.1.base.aof seq 1 type b\n"
                               "file appendonly.aof.1.incr.aof seq 1 type i\n")
    assert aofd.path("appendonly.aof.1.base.aof").read_bytes() == b""


def test_records_as_redis_writes_them(aofd: Aofd) -> None:
    r = aofd.start()
    r.set("a", "1")
    pipe = r.pipeline(transaction=True)
    pipe.set("x", "1")
    pipe.execute()
    pipe = r.pipeline(transaction=True)
    pipe.set("y", "1").set("z", "2")
    pipe.execute()
    pipe = r.pipeline(transaction=True)
    pipe.get("a")
    pipe.execute()  # no write: nothing logged
    r.sadd("s", "m", "n", "o")
    popped = r.spop("s", 2)  # two effects: wrapped in MULTI/EXEC, as Redis 7.0 does
    r.execute_command("SELECT", "3")  # the client's connection pool keeps one connection
    r.set("k", "v")
    data = aofd.path("appendonly.aof.1.incr.aof").read_bytes()
    assert data == (
        cmd("SELECT", "0") + cmd("SET", "a", "1") + cmd("SET", "x", "1")
        + cmd("MULTI") + cmd("SET", "y", "1") + cmd("SET", "z", "2") + cmd("EXEC")
        + cmd("SADD", "s", "m", "n", "o")
        + cmd("MULTI") + b"".join(cmd("SREM", "s", member.decode()) for member in popped) + cmd("EXEC")
        + cmd("SELECT", "3") + cmd("SET", "k", "v")
    )


def test_relative_expiry_is_logged_absolute_and_survives_restart(aofd: Aofd) -> None:
    r = aofd.start()
    r.set("t", "v", ex=1000)
    r.hset("h", mapping={"f": "v"})
    r.expire("h", 500)
    data = aofd.path("appendonly.aof.1.incr.aof").read_bytes()
    assert b"PXAT" in data and b"PEXPIREAT" in data
    aofd.stop()
    r = aofd.start()
    assert r.get("t") == b"v" and 990 < r.ttl("t") <= 1000
    assert r.hgetall("h") == {b"f": b"v"} and 490 < r.ttl("h") <= 500


def test_restart_reloads_every_type(aofd: Aofd) -> None:
    r = aofd.start()
    r.set("s", "v")
    r.incrby("n", 5)
    r.rpush("l", "a", "b", "c")
    r.lpop("l")
    r.hset("h", mapping={"f1": "v1", "f2": "v2"})
    r.sadd("set", "x", "y")
    r.select(2) if hasattr(r, "select") else None
    r.execute_command("SELECT", "2")
    r.set("other-db", "1")
    aofd.stop()
    r = aofd.start()
    assert r.get("s") == b"v" and r.get("n") == b"5" and r.lrange("l", 0, -1) == [b"b", b"c"]
    assert r.hgetall("h") == {b"f1": b"v1", b"f2": b"v2"} and r.smembers("set") == {b"x", b"y"}
    r.execute_command("SELECT", "2")
    assert r.get("other-db") == b"1"


def test_bgrewriteaof_compacts_and_keeps_writes_made_meanwhile(aofd: Aofd) -> None:
    r = aofd.start()
    for i in range(200):
        r.incr("counter")
        r.rpush("list", i)
    assert r.bgrewriteaof() is True
    r.set("during", "1")
    info = wait_rewrite(r)
    r.set("after", "1")
    assert info["aof_rewrites"] == 1 and info["aof_last_bgrewrite_status"] == "ok"
    assert aofd.files() == ["appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]
    base = aofd.path("appendonly.aof.2.base.aof").read_bytes()
    assert cmd("SET", "counter", "200") in base and base.count(b"RPUSH") == 4  # 200 items, 64 per command
    aofd.stop()
    r = aofd.start()
    assert r.get("counter") == b"200" and r.llen("list") == 200
    assert r.get("during") == b"1" and r.get("after") == b"1"


def test_bgrewriteaof_twice_reports_in_progress_or_starts(aofd: Aofd) -> None:
    r = aofd.start()
    r.set("a", "1")
    assert r.bgrewriteaof() is True
    try:
        r.bgrewriteaof()
    except redis.ResponseError as error:
        assert str(error) == "Background append only file rewriting already in progress"
    wait_rewrite(r)


def test_config_set_appendonly_yes_writes_a_base_first(tmp_path: Path) -> None:
    holder = Aofd(tmp_path, appendonly="no")
    try:
        r = holder.start()
        r.set("before", "1")
        assert not (tmp_path / "appendonlydir").exists()
        assert r.config_set("appendonly", "yes") is True
        r.set("while", "1")
        info = wait_rewrite(r)
        assert info["aof_enabled"] == 1
        r.set("after", "1")
        assert holder.manifest() == ("file appendonly.aof.1.base.aof seq 1 type b\n"
                                     "file appendonly.aof.1.incr.aof seq 1 type i\n")
        holder.stop()
        holder.settings["appendonly"] = "yes"
        r = holder.start()
        assert r.mget("before", "while", "after") == [b"1", b"1", b"1"]
        assert r.config_get("appendonly") == {"appendonly": "yes"}
    finally:
        holder.stop()


def test_config_set_appendonly_no_stops_logging(aofd: Aofd) -> None:
    r = aofd.start()
    r.set("a", "1")
    assert r.config_set("appendonly", "no") is True
    r.set("b", "1")
    assert r.info("persistence")["aof_enabled"] == 0
    assert b"SET" in aofd.path("appendonly.aof.1.incr.aof").read_bytes()
    assert b"$1\r\nb\r\n" not in aofd.path("appendonly.aof.1.incr.aof").read_bytes()


def test_bgrewriteaof_with_aof_off_writes_base_only(tmp_path: Path) -> None:
    holder = Aofd(tmp_path, appendonly="no")
    try:
        r = holder.start()
        r.set("a", "1")
        assert r.bgrewriteaof() is True
        wait_rewrite(r)
        assert holder.manifest() == "file appendonly.aof.1.base.aof seq 1 type b\n"
    finally:
        holder.stop()


def test_auto_rewrite_on_growth(tmp_path: Path) -> None:
    holder = Aofd(tmp_path, auto_aof_rewrite_min_size="1kb", auto_aof_rewrite_percentage="100")
    try:
        r = holder.start()
        for _ in range(100):
            r.set("k", "x" * 50)
        deadline = time.monotonic() + 10
        while r.info("persistence")["aof_rewrites"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        info = wait_rewrite(r)
        assert info["aof_rewrites"] >= 1 and info["aof_base_size"] < 1024
    finally:
        holder.stop()


def test_info_persistence_fields(aofd: Aofd) -> None:
    r = aofd.start()
    r.set("a", "1")
    info = r.info("persistence")
    expected = ["aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled", "aof_last_rewrite_time_sec",
                "aof_current_rewrite_time_sec", "aof_last_bgrewrite_status", "aof_rewrites",
                "aof_rewrites_consecutive_failures", "aof_last_write_status", "aof_last_cow_size",
                "module_fork_in_progress", "module_fork_last_cow_size", "aof_current_size", "aof_base_size",
                "aof_pending_rewrite", "aof_buffer_length", "aof_pending_bio_fsync", "aof_delayed_fsync"]
    keys = list(info)
    assert keys[keys.index("aof_enabled"):] == expected
    assert info["aof_enabled"] == 1 and info["aof_current_size"] == len(cmd("SELECT", "0") + cmd("SET", "a", "1"))


def test_appendfsync_always_and_no_keep_data(tmp_path: Path) -> None:
    for policy in ("always", "no"):
        directory = tmp_path / policy
        directory.mkdir()
        holder = Aofd(directory, appendfsync=policy)
        try:
            r = holder.start()
            for i in range(50):
                r.set(f"k{i}", i)
            holder.stop()
            r = holder.start()
            assert r.dbsize() == 50
            r.config_set("appendfsync", "everysec" if policy == "always" else "always")
            r.set("x", "1")
        finally:
            holder.stop()


def test_everysec_fsyncs_in_the_background_within_about_a_second(aofd: Aofd) -> None:
    r = aofd.start()
    r.set("a", "1")
    srv = aofd.srv
    assert srv is not None
    assert srv.call(lambda server: server.aof.unsynced) is True  # written, not yet fsynced
    deadline = time.monotonic() + 3
    while srv.call(lambda server: server.aof.unsynced) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.call(lambda server: server.aof.unsynced) is False
    assert time.monotonic() < deadline


def test_expired_keys_are_logged_as_del(aofd: Aofd) -> None:
    r = aofd.start()
    r.set("gone", "v", px=50)
    time.sleep(0.1)
    assert r.get("gone") is None
    data = aofd.path("appendonly.aof.1.incr.aof").read_bytes()
    assert data.endswith(cmd("DEL", "gone"))


def test_leftover_temporary_files_are_removed_at_start(aofd: Aofd) -> None:
    aofd.start()
    aofd.stop()
    leftover = aofd.path("temp-rewriteaof-bg-12345.aof")
    leftover.write_bytes(b"*1\r\n$4\r\nPING")
    (aofd.path("temp-appendonly.aof.manifest.999")).write_text("garbage")
    aofd.start()
    assert aofd.files() == ["appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"]


def test_bgrewriteaof_inside_multi_is_scheduled(aofd: Aofd) -> None:
    r = aofd.start()
    r.set("a", "1")
    pipe = r.pipeline(transaction=True)
    pipe.set("b", "2")
    pipe.bgrewriteaof()
    pipe.set("c", "3")
    assert pipe.execute() == [True, True, True]
    deadline = time.monotonic() + 10
    while r.info("persistence")["aof_rewrites"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    wait_rewrite(r)
    base = aofd.path("appendonly.aof.2.base.aof").read_bytes()
    assert cmd("SET", "b", "2") in base and cmd("SET", "c", "3") in base  # the whole transaction, once
    aofd.stop()
    r = aofd.start()
    assert r.mget("a", "b", "c") == [b"1", b"2", b"3"]


def has_command(client: redis.Redis, name: str) -> bool:
    try:
        client.execute_command(name)
    except redis.ResponseError as error:
        return "unknown command" not in str(error)
    return True


def test_streams_and_zsets_survive_rewrite_and_restart(aofd: Aofd) -> None:
    r = aofd.start()
    needed = ("XADD", "XGROUP", "XREADGROUP", "XINFO", "XPENDING", "ZADD")
    if not all(has_command(r, name) for name in needed):
        pytest.skip("stream group / sorted set commands not registered yet")
    r.zadd("z", {"a": 1.5, "b": 0.1, "c": float("-inf")})
    for i in range(1, 6):
        r.xadd("st", {"f": i}, id=f"{i}-0")
    r.xdel("st", "3-0")
    r.xgroup_create("st", "g", id="0")
    r.xreadgroup("g", "alice", {"st": ">"}, count=2)
    r.xgroup_createconsumer("st", "g", "bob")

    def state() -> tuple[object, ...]:
        groups = r.xinfo_groups("st")
        pending = r.xpending_range("st", "g", "-", "+", 10)
        info = r.xinfo_stream("st")
        return (r.zrange("z", 0, -1, withscores=True), r.xrange("st"), info["last-generated-id"],
                info["max-deleted-entry-id"], info["entries-added"], [sorted(group.items()) for group in groups],
                [(entry["message_id"], entry["consumer"], entry["times_delivered"]) for entry in pending],
                sorted(consumer["name"] for consumer in r.xinfo_consumers("st", "g")))

    before = state()
    aofd.stop()
    r = aofd.start()
    assert state() == before  # replayed from the incr file
    r.bgrewriteaof()
    wait_rewrite(r)
    aofd.stop()
    r = aofd.start()
    assert state() == before  # rebuilt from the rewritten base
