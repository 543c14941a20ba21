"""Server commands through redis-py, sync and asyncio, RESP2 and RESP3: INFO, CONFIG, DBSIZE, FLUSHDB,
FLUSHALL, TIME, LASTSAVE, MONITOR, and the run-time effect of CONFIG SET."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import redis.asyncio

from miniredis.config import SETTINGS
from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer

DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
                    "Errorstats", "Cluster", "Keyspace"]


@pytest.fixture(autouse=True)
def restore_config(server: MiniRedisServer) -> Iterator[None]:
    """CONFIG SET changes the module's shared server: put every setting back after each test."""
    saved = server.call(lambda srv: {s.attribute: getattr(srv.config, s.attribute) for s in SETTINGS})
    yield

    def restore(srv: Server) -> None:
        for attribute, value in saved.items():
            setattr(srv.config, attribute, value)

    server.call(restore)


def raw(server: MiniRedisServer, *commands: bytes, wait: float = 0.2) -> bytes:
    """Send raw bytes on a fresh connection and return everything read within ``wait``."""
    with socket.create_connection((server.host, server.port), timeout=2) as sock:
        for data in commands:
            sock.sendall(data)
        deadline = time.monotonic() + wait
        out = b""
        sock.settimeout(0.05)
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
        return out


def headers(text: str) -> list[str]:
    return [line[2:] for line in text.split("\r\n") if line.startswith("# ")]


def info_text(server: MiniRedisServer, *sections: str) -> str:
    """INFO's text read raw (redis-py parses INFO replies into dicts)."""
    reply = raw(server, " ".join(["INFO", *sections]).encode() + b"\r\n")
    header, _, body = reply.partition(b"\r\n")
    assert header.startswith(b"$") and len(body) == int(header[1:]) + 2, reply
    return body[:-2].decode()


# --- INFO ------------------------------------------------------------------------------------------
def test_info_default_sections_in_order(server: MiniRedisServer) -> None:
    assert headers(info_text(server)) == DEFAULT_SECTIONS
    assert headers(info_text(server, "default")) == DEFAULT_SECTIONS


def test_info_is_parsed_by_redis_py(r: redis.Redis) -> None:
    assert r.info()["redis_version"] == "7.0.15"
    assert "cmdstat_info" in r.info("commandstats") or r.info("commandstats") == {}


def test_info_all_and_everything_add_commandstats(server: MiniRedisServer) -> None:
    expected = DEFAULT_SECTIONS[:8] + ["Commandstats"] + DEFAULT_SECTIONS[8:]
    assert headers(info_text(server, "all")) == expected
    assert headers(info_text(server, "everything")) == expected
    assert headers(info_text(server, "everything", "server")) == expected
    assert headers(info_text(server, "default", "commandstats")) == expected


def test_info_sections_come_in_redis_order_whatever_the_argument_order(server: MiniRedisServer) -> None:
    assert headers(info_text(server, "keyspace", "SERVER")) == ["Server", "Keyspace"]
    assert headers(info_text(server, "module_list")) == ["Modules"]


def test_info_unknown_section_is_empty(server: MiniRedisServer, r: redis.Redis) -> None:
    assert raw(server, b"INFO nosuch\r\n") == b"$0\r\n\r\n"
    assert raw(server, b"HELLO 3\r\nINFO nosuch\r\n").endswith(b"=4\r\ntxt:\r\n")


def test_info_framing_is_exactly_redis(server: MiniRedisServer) -> None:
    assert raw(server, b"INFO cluster\r\n") == b"$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n"
    body = b"# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n"
    assert raw(server, b"INFO modules cluster\r\n") == b"$%d\r\n%s\r\n" % (len(body), body)
    verbatim = raw(server, b"HELLO 3\r\nINFO cluster\r\n")
    assert verbatim.endswith(b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n")


def test_info_server_fields(r: redis.Redis, server: MiniRedisServer) -> None:
    fields = r.info("server")
    assert fields["redis_version"] == "7.0.15"
    assert fields["redis_mode"] == "standalone"
    assert fields["tcp_port"] == server.port
    assert fields["arch_bits"] == 64
    assert str(fields["os"]).startswith("Linux")
    assert fields["hz"] == 10
    assert "miniredis_version" in fields
    assert list(fields)[-1] == "miniredis_version"


def test_info_stats_and_keyspace(r: redis.Redis) -> None:
    r.set("a", "1")
    r.set("b", "2", ex=100)
    r.get("a")
    r.get("missing")
    r.execute_command("SELECT", 2)
    r.set("c", "3")
    r.execute_command("SELECT", 0)
    stats = r.info("stats")
    assert stats["keyspace_hits"] >= 1 and stats["keyspace_misses"] >= 1
    assert stats["total_commands_processed"] > 0
    assert stats["pubsub_channels"] == 0
    keyspace = r.info("keyspace")
    assert keyspace["db0"]["keys"] == 2 and keyspace["db0"]["expires"] == 1  # avg_ttl is sampled by the cron
    assert keyspace["db2"]["keys"] == 1
    assert "db1" not in keyspace


def test_info_commandstats_and_errorstats(r: redis.Redis, server: MiniRedisServer) -> None:
    r.config_resetstat()
    r.get("x")
    r.config_get("port")
    with pytest.raises(redis.ResponseError):
        r.execute_command("SET", "k", "v", "EX", "nope")  # failed
    text = info_text(server, "commandstats")
    assert "cmdstat_get:calls=1," in text
    assert "cmdstat_config|get:calls=1," in text
    assert "rejected_calls=0,failed_calls=0" in text.split("cmdstat_get:")[1].split("\r\n")[0]
    assert "failed_calls=1" in text.split("cmdstat_set:")[1].split("\r\n")[0]
    assert "errorstat_ERR:count=1" in info_text(server, "errorstats")
    assert r.info("stats")["total_error_replies"] == 1


def test_commandstats_charge_each_run_of_a_pipeline_to_its_command(r: redis.Redis, server: MiniRedisServer) -> None:
    # The dispatcher reads the clock once per run of the same command: the totals must still land
    # on the right command, with every call counted.
    r.mset({f"key:{i}": "v" for i in range(50_000)})
    r.config_resetstat()
    pipe = r.pipeline(transaction=False)
    for _ in range(20):
        pipe.ping()
    pipe.keys("*")
    for _ in range(20):
        pipe.get("key:1")
    pipe.ping()
    pipe.execute()
    stats = r.info("commandstats")
    assert stats["cmdstat_ping"]["calls"] == 21
    assert stats["cmdstat_get"]["calls"] == 20
    assert stats["cmdstat_keys"]["calls"] == 1
    # KEYS over 50,000 keys takes milliseconds; the 41 PING and GET calls around it microseconds.
    assert stats["cmdstat_keys"]["usec"] > stats["cmdstat_ping"]["usec"] + stats["cmdstat_get"]["usec"]


def test_info_clients_and_persistence(r: redis.Redis) -> None:
    clients = r.info("clients")
    assert clients["connected_clients"] >= 1
    assert clients["blocked_clients"] == 0
    assert clients["maxclients"] == 10000
    persistence = r.info("persistence")
    assert persistence["loading"] == 0 and persistence["aof_enabled"] == 0
    assert persistence["rdb_last_bgsave_status"] == "ok"


def test_info_memory_cpu_replication(r: redis.Redis) -> None:
    memory = r.info("memory")
    assert memory["used_memory"] > 0 and memory["maxmemory_policy"] == "noeviction"
    assert str(memory["used_memory_human"])[-1] in "BKMG"
    assert r.info("replication")["role"] == "master"
    assert float(r.info("cpu")["used_cpu_user"]) >= 0


# --- CONFIG GET ------------------------------------------------------------------------------------
def test_config_get_names_globs_and_aliases(r: redis.Redis) -> None:
    assert r.config_get("port") == {"port": str(r.connection_pool.connection_kwargs["port"])}
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    got = r.config_get("*ziplist*")
    assert got == {
        "hash-max-ziplist-entries": "512", "hash-max-ziplist-value": "64", "zset-max-ziplist-entries": "128",
        "zset-max-ziplist-value": "64", "list-max-ziplist-size": "-2",
    }
    assert r.config_get("nosuch") == {}
    assert r.config_get("H?") == {"hz": "10"}


def test_config_get_several_patterns_lists_each_name_once(r: redis.Redis) -> None:
    assert r.execute_command("CONFIG", "GET", "hz", "HZ", "h?") in ([b"hz", b"10"], {b"hz": b"10"})
    reply = r.execute_command("CONFIG", "GET", "Port", "timeout")
    pairs = reply if isinstance(reply, dict) else dict(zip(reply[::2], reply[1::2], strict=True))
    assert set(pairs) == {b"Port", b"timeout"}


def test_config_get_reply_is_a_map_in_resp3(server: MiniRedisServer) -> None:
    assert raw(server, b"CONFIG GET hz\r\n") == b"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n"
    assert raw(server, b"HELLO 3\r\nCONFIG GET hz\r\n").endswith(b"%1\r\n$2\r\nhz\r\n$2\r\n10\r\n")


# --- CONFIG SET ------------------------------------------------------------------------------------
def test_config_set_several_and_read_back(r: redis.Redis) -> None:
    assert r.execute_command("CONFIG", "SET", "hz", "20", "maxmemory", "1mb", "notify-keyspace-events", "KEA")
    assert r.config_get("hz") == {"hz": "20"}
    assert r.config_get("maxmemory") == {"maxmemory": "1048576"}
    assert r.config_get("notify-keyspace-events") == {"notify-keyspace-events": "AKE"}


def test_config_set_is_atomic(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="argument 'maxmemory'"):
        r.execute_command("CONFIG", "SET", "hz", "30", "maxmemory", "lots")
    assert r.config_get("hz") == {"hz": "10"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("foo", "bar"), "Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (("hz", "1", "foo"), "syntax error"),
        (("databases", "3"), "(possibly related to argument 'databases') - can't set immutable config"),
        (("dir", "/tmp"), "(possibly related to argument 'dir') - can't set protected config"),
        (("hz", "1", "HZ", "2"), "(possibly related to argument 'HZ') - duplicate parameter"),
        (("hz", "x"), "argument couldn't be parsed into an integer"),
        (("hz", "-1"), "argument must be between 0 and 2147483647 inclusive"),
        (("maxmemory", "-1"), "argument must be a memory value"),
        (("appendonly", "maybe"), "argument must be 'yes' or 'no'"),
        (("appendonly", "maybe"), "argument must be 'yes' or 'no'"),
        (("loglevel", "loud"), "must be one of the following: debug, verbose, notice, warning"),
        (("save", "100"), "Invalid save parameters"),
        (("notify-keyspace-events", "Q"), "Invalid event class character"),
    ],
)
def test_config_set_errors(r: redis.Redis, argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(redis.ResponseError) as failure:
        r.execute_command("CONFIG", "SET", *argv)
    assert message in str(failure.value)


def test_config_set_hz_is_clamped(r: redis.Redis) -> None:
    r.config_set("hz", "1000")
    assert r.config_get("hz") == {"hz": "500"}
    r.config_set("hz", "0")
    assert r.config_get("hz") == {"hz": "1"}


def test_config_set_requirepass_applies_to_new_connections_only(r: redis.Redis, server: MiniRedisServer) -> None:
    r.config_set("requirepass", "secret")
    try:
        assert r.ping()  # this connection stays authenticated
        assert raw(server, b"PING\r\n").startswith(b"-NOAUTH")
        assert raw(server, b"AUTH secret\r\nPING\r\n") == b"+OK\r\n+PONG\r\n"
    finally:
        r.config_set("requirepass", "")
    assert raw(server, b"PING\r\n") == b"+PONG\r\n"


def test_clearing_requirepass_authenticates_waiting_connections(r: redis.Redis, server: MiniRedisServer) -> None:
    r.config_set("requirepass", "secret")
    with socket.create_connection((server.host, server.port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        assert sock.recv(100).startswith(b"-NOAUTH")
        r.config_set("requirepass", "")
        sock.sendall(b"PING\r\n")
        assert sock.recv(100) == b"+PONG\r\n"


def test_config_set_proto_max_bulk_len_applies_to_open_connections(r: redis.Redis, server: MiniRedisServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        assert sock.recv(100) == b"+PONG\r\n"
        r.config_set("proto-max-bulk-len", "1mb")
        sock.sendall(b"*2\r\n$4\r\nECHO\r\n$2000000\r\n")
        assert sock.recv(100) == b"-ERR Protocol error: invalid bulk length\r\n"


def test_config_set_maxclients_refuses_new_connections(r: redis.Redis, server: MiniRedisServer) -> None:
    connected = r.info("clients")["connected_clients"]
    r.config_set("maxclients", str(connected))
    assert raw(server) == b"-ERR max number of clients reached\r\n"
    r.config_set("maxclients", "10000")
    assert raw(server, b"PING\r\n") == b"+PONG\r\n"


def test_config_set_timeout_closes_idle_connections(r: redis.Redis, server: MiniRedisServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=3) as sock:
        r.config_set("hz", "100")
        r.config_set("timeout", "1")
        sock.settimeout(3)
        assert sock.recv(100) == b""  # closed by the server after a second idle


def test_config_set_port_and_bind_move_the_listener() -> None:
    with MiniRedisServer() as srv:
        client = redis.Redis(host=srv.host, port=srv.port)
        first = srv.port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            wanted = probe.getsockname()[1]
        assert client.config_set("port", str(wanted))
        assert srv.port == wanted and client.ping()  # the open connection is kept
        assert redis.Redis(host=srv.host, port=wanted).ping()
        with pytest.raises(redis.ConnectionError):
            redis.Redis(host=srv.host, port=first, socket_connect_timeout=1).ping()
        assert client.config_set("port", str(wanted))  # the same port again
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            with pytest.raises(redis.ResponseError, match="Unable to listen on this port"):
                client.config_set("port", str(busy.getsockname()[1]))
        assert client.config_get("port") == {"port": str(wanted)}
        assert redis.Redis(host=srv.host, port=wanted).ping()  # still served where it was
        with pytest.raises(redis.ResponseError, match="Failed to bind to specified addresses"):
            client.config_set("bind", "10.255.255.1")
        assert client.config_get("bind") == {"bind": "127.0.0.1"}
        assert client.config_set("bind", "-10.255.255.1 127.0.0.1")
        assert redis.Redis(host=srv.host, port=wanted).ping()
        assert client.config_set("port", "0")  # a free port, as at start-up
        assert srv.port not in (0, wanted) and redis.Redis(host=srv.host, port=srv.port).ping()
        client.close()


def test_config_resetstat(r: redis.Redis, server: MiniRedisServer) -> None:
    r.get("x")
    with pytest.raises(redis.ResponseError):
        r.execute_command("NOSUCH")
    assert r.config_resetstat()
    assert "cmdstat_get" not in info_text(server, "commandstats")
    assert info_text(server, "errorstats") == "# Errorstats\r\n"
    stats = r.info("stats")
    assert stats["total_error_replies"] == 0 and stats["keyspace_hits"] == 0


def test_config_help(r: redis.Redis) -> None:
    lines = r.execute_command("CONFIG", "HELP")
    assert lines[0] == b"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[-1] == b"    Prints this help."


# --- DBSIZE / FLUSHDB / FLUSHALL --------------------------------------------------------------------
def test_dbsize_flushdb_flushall(r: redis.Redis) -> None:
    r.set("a", 1)
    r.set("b", 2)
    assert r.dbsize() == 2
    r.execute_command("SELECT", 1)
    r.set("c", 3)
    assert r.dbsize() == 1
    assert r.flushdb()
    assert r.dbsize() == 0
    r.execute_command("SELECT", 0)
    assert r.dbsize() == 2
    r.execute_command("SELECT", 1)
    r.set("c", 3)
    assert r.flushall(asynchronous=True)
    assert r.dbsize() == 0
    r.execute_command("SELECT", 0)
    assert r.dbsize() == 0


def _served(server: MiniRedisServer, name: str) -> bool:
    return server.call(lambda srv: srv.table.lookup(name.encode()) is not None)


@pytest.mark.parametrize("command", ["FLUSHDB", "FLUSHALL"])
def test_flush_options(r: redis.Redis, command: str) -> None:
    for option in ("ASYNC", "sync", "Async"):
        r.set("k", "v")
        assert r.execute_command(command, option)
        assert r.dbsize() == 0
    for argv in (("foo",), ("async", "sync")):
        with pytest.raises(redis.ResponseError, match="syntax error"):
            r.execute_command(command, *argv)


def test_flush_counts_changes(r: redis.Redis) -> None:
    before = r.info("persistence")["rdb_changes_since_last_save"]
    r.set("a", 1)
    r.set("b", 1)
    r.flushall()
    assert r.info("persistence")["rdb_changes_since_last_save"] == before + 4


def test_flush_touches_watched_keys(r: redis.Redis, server: MiniRedisServer) -> None:
    r.set("w", "1")

    def watch_and_flush(srv: Server) -> bool:
        client = next(iter(srv.clients.values()))
        srv.dbs[0].watched.setdefault(b"w", set()).add(client)
        client.dirty_cas = False
        srv.dbs[0].flush()
        touched = client.dirty_cas
        srv.dbs[0].watched.clear()
        client.dirty_cas = False
        return touched

    assert r.flushall()
    r.set("w", "1")
    assert server.call(watch_and_flush)


# --- TIME / LASTSAVE ---------------------------------------------------------------------------------
def test_time_and_lastsave(r: redis.Redis, server: MiniRedisServer) -> None:
    assert re.fullmatch(rb"\*2\r\n\$10\r\n\d{10}\r\n\$\d\r\n\d{1,6}\r\n", raw(server, b"TIME\r\n"))
    assert re.fullmatch(rb":\d{10}\r\n", raw(server, b"LASTSAVE\r\n"))
    seconds, micros = r.time()
    assert abs(seconds - time.time()) < 5 and 0 <= micros < 1_000_000
    assert abs(r.lastsave().timestamp() - time.time()) < 3600


def test_time_follows_the_server_clock() -> None:
    with MiniRedisServer(manual_clock=True) as srv:
        srv.clock.set(1_700_000_000.25)  # type: ignore[attr-defined]
        client = redis.Redis(host=srv.host, port=srv.port)
        assert client.time() == (1_700_000_000, 250_000)
        client.close()


# --- MONITOR ------------------------------------------------------------------------------------------
def test_monitor_streams_commands(server: MiniRedisServer, r: redis.Redis) -> None:
    r.ping()  # connect (and HELLO 3) before the monitor attaches
    with socket.create_connection((server.host, server.port), timeout=2) as monitor:
        monitor.sendall(b"MONITOR\r\n")
        assert monitor.recv(100) == b"+OK\r\n"
        r.set("k", 'a"b\n')
        r.execute_command("SELECT", 3)
        r.get("k")
        r.config_get("hz")  # admin commands are not shown
        r.execute_command("SELECT", 0)
        time.sleep(0.2)
        monitor.settimeout(0.5)
        lines = monitor.recv(65536).decode().split("\r\n")
    address = r"\[\d+ 127\.0\.0\.1:\d+\]"
    assert re.fullmatch(r"\+\d+\.\d{6} " + address + r' "SET" "k" "a\\"b\\n"', lines[0]), lines
    assert re.fullmatch(r'\+\d+\.\d{6} \[3 127\.0\.0\.1:\d+\] "SELECT" "3"', lines[1]), lines
    assert re.fullmatch(r'\+\d+\.\d{6} \[3 127\.0\.0\.1:\d+\] "GET" "k"', lines[2]), lines
    assert '"CONFIG"' not in "".join(lines)


def test_monitor_inside_multi_is_refused(r: redis.Redis, server: MiniRedisServer) -> None:
    if not _served(server, "multi"):
        pytest.skip("transactions not served")
    pipe = r.pipeline(transaction=True)
    pipe.execute_command("MONITOR")
    replies = pipe.execute(raise_on_error=False)
    assert "MONITOR isn't allowed for DENY BLOCKING client" in str(replies[0])


# --- asyncio ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("protocol", [2, 3])
def test_asyncio_client(server: MiniRedisServer, protocol: int) -> None:
    async def scenario() -> dict[str, Any]:
        client = redis.asyncio.Redis(host=server.host, port=server.port, protocol=protocol)
        try:
            await client.flushall()
            await client.set("a", "1")
            assert await client.dbsize() == 1
            assert await client.config_set("hz", "15")
            assert await client.config_get("hz") == {"hz": "15"}
            assert await client.flushdb()
            assert await client.dbsize() == 0
            seconds, _ = await client.time()
            assert seconds > 0
            assert isinstance(await client.lastsave(), object)
            return await client.info("server")
        finally:
            await client.config_set("hz", "10")
            await client.aclose()

    fields = asyncio.run(scenario())
    assert fields["redis_version"] == "7.0.15"
