"""The pytest plugin: every fixture used in this suite (the plugin is active here through its entry
point), and subprocess pytest runs in a temp dir that check auto-loading, isolation, teardown and the
``--miniredis-host/--miniredis-port`` options."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import redis
import redis.asyncio

from miniredis.clock import ManualClock
from miniredis.testing import MiniRedisServer
from miniredis.testing.pytest_plugin import ServerFactory

RUN_TIMEOUT = 120  # seconds for one subprocess pytest run


# --- the fixtures, in this suite -----------------------------------------------------------------------------
def test_miniredis_is_a_client_on_the_session_server(miniredis: redis.Redis,
                                                      miniredis_server: MiniRedisServer) -> None:
    assert miniredis.connection_pool.connection_kwargs["port"] == miniredis_server.port
    miniredis.set("left-behind", "1")
    miniredis.execute_command("SELECT", "2")
    miniredis.set("left-behind-too", "1")


def test_miniredis_is_flushed_after_each_test(miniredis: redis.Redis) -> None:
    assert miniredis.dbsize() == 0
    miniredis.execute_command("SELECT", "2")
    assert miniredis.dbsize() == 0


def test_miniredis_url(miniredis_url: str, miniredis_server: MiniRedisServer) -> None:
    assert miniredis_url == miniredis_server.url == f"redis://127.0.0.1:{miniredis_server.port}"
    client = redis.Redis.from_url(miniredis_url)
    client.set("from-url", "1")
    client.close()


def test_miniredis_url_is_flushed_after_the_test(miniredis: redis.Redis) -> None:
    assert miniredis.get("from-url") is None


async def test_miniredis_async(miniredis_async: redis.asyncio.Redis) -> None:
    await miniredis_async.rpush("q", "job")
    assert await miniredis_async.blpop(["q"], timeout=1) == (b"q", b"job")
    await miniredis_async.set("async-left", "1")


async def test_miniredis_async_is_flushed_after_the_test(miniredis_async: redis.asyncio.Redis) -> None:
    assert await miniredis_async.dbsize() == 0


def test_miniredis_clock_is_a_fresh_server_with_a_manual_clock(miniredis_clock: MiniRedisServer,
                                                               miniredis_server: MiniRedisServer) -> None:
    assert isinstance(miniredis_clock.clock, ManualClock)
    assert miniredis_clock.port != miniredis_server.port
    client = miniredis_clock.client()
    client.set("k", "v", ex=30)
    miniredis_clock.clock.advance(29)
    assert client.ttl("k") == 1
    miniredis_clock.clock.advance(1)
    assert client.dbsize() == 0


def test_miniredis_factory_servers_have_their_own_settings(miniredis_factory: ServerFactory) -> None:
    locked = miniredis_factory(requirepass="pw")
    noisy = miniredis_factory(notify_keyspace_events="KEA", manual_clock=True)
    assert redis.Redis.from_url(locked.url).ping() is True
    assert locked.client().config_get("requirepass") == {"requirepass": "pw"}
    client = noisy.client()
    subscriber = client.pubsub()
    subscriber.psubscribe("__keyevent@0__:*")
    assert subscriber.get_message(timeout=2) is not None
    client.set("k", "v", ex=1)
    noisy.clock.advance(1)
    events = []
    for _ in range(3):
        message = subscriber.get_message(timeout=2)
        assert message is not None
        events.append((message["channel"], message["data"]))
    assert events == [(b"__keyevent@0__:set", b"k"), (b"__keyevent@0__:expire", b"k"),
                      (b"__keyevent@0__:expired", b"k")]
    subscriber.close()


def test_miniredis_factory_with_an_aof_dir(miniredis_factory: ServerFactory, tmp_path: Path) -> None:
    first = miniredis_factory(appendonly=True, dir=tmp_path)
    first.client().set("durable", "1")
    first.stop()
    second = miniredis_factory(appendonly=True, dir=tmp_path)
    assert second.client().get("durable") == b"1"


def test_factory_stops_every_server() -> None:
    threads = threading.active_count()
    factory = ServerFactory()
    servers = [factory(), factory(databases=2)]
    assert threading.active_count() == threads + 2
    factory.stop_all()
    assert threading.active_count() == threads
    assert not any(srv.running for srv in servers)


# --- subprocess pytest runs ------------------------------------------------------------------------------
def run_pytest(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *args],
        cwd=directory, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )


USER_TESTS = '''
import sys
import threading

import pytest
import redis


def test_nothing_is_started_before_a_fixture_is_used():
    assert "miniredis.server.app" not in sys.modules


def test_client(miniredis):
    miniredis.set("k", "v")
    assert miniredis.get("k") == b"v"


def test_flushed(miniredis):
    assert miniredis.dbsize() == 0


def test_url(miniredis_url):
    client = redis.Redis.from_url(miniredis_url)
    client.lpush("celery", "task")
    client.close()


def test_url_flushed(miniredis):
    assert miniredis.exists("celery") == 0


@pytest.mark.asyncio
async def test_async(miniredis_async):
    await miniredis_async.set("a", "1")
    assert await miniredis_async.get("a") == b"1"


def test_clock(miniredis_clock):
    client = miniredis_clock.client()
    client.set("k", "v", px=500)
    miniredis_clock.clock.advance(0.5)
    assert client.keys() == []


def test_factory(miniredis_factory):
    srv = miniredis_factory(requirepass="pw", databases=2)
    assert srv.client().config_get("databases") == {"databases": "2"}


def test_only_the_session_server_thread_is_left():
    names = [thread.name for thread in threading.enumerate()]
    assert names.count("miniredis") == 1, names
'''


def test_plugin_autoloads_in_a_fresh_project(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(USER_TESTS))
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9 passed" in result.stdout


def test_plugin_can_be_disabled(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text("def test_client(miniredis):\n    pass\n")
    result = run_pytest(tmp_path, "-p", "no:miniredis")
    assert result.returncode != 0
    assert "fixture 'miniredis' not found" in result.stdout


EXTERNAL_TESTS = '''
import redis


def test_uses_the_external_server(miniredis_server, miniredis, miniredis_url):
    assert miniredis_server.port == {port}
    assert miniredis_url == "redis://127.0.0.1:{port}"
    miniredis.set("from-the-run", "1")


def test_clock_needs_the_embedded_server(miniredis_clock):
    raise AssertionError("not reached")


def test_factory_still_embeds(miniredis_factory):
    assert miniredis_factory().port != {port}
'''


def test_external_server_options(tmp_path: Path) -> None:
    with MiniRedisServer() as external:
        external.client().set("outside", "1")
        (tmp_path / "test_external.py").write_text(textwrap.dedent(EXTERNAL_TESTS.format(port=external.port)))
        result = run_pytest(tmp_path, "--miniredis-host", "127.0.0.1", "--miniredis-port", str(external.port))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "2 passed, 1 skipped" in result.stdout
        assert "miniredis_clock needs the embedded miniredis" in result.stdout
        # The shared fixtures flushed the external server after the test, as they flush the embedded one.
        assert external.client().dbsize() == 0
        # The same through the ini key.
        (tmp_path / "pytest.ini").write_text(f"[pytest]\nminiredis_port = {external.port}\n")
        result = run_pytest(tmp_path)
        assert "2 passed, 1 skipped" in result.stdout, result.stdout + result.stderr


def test_an_unreachable_external_server_fails_clearly(tmp_path: Path) -> None:
    with MiniRedisServer() as gone:
        port = gone.port
    (tmp_path / "test_x.py").write_text("def test_client(miniredis):\n    pass\n")
    result = run_pytest(tmp_path, "--miniredis-port", str(port))
    assert result.returncode != 0
    assert f"cannot reach the external server 127.0.0.1:{port}" in result.stdout


REAL_REDIS_TESTS = '''
def test_on_real_redis(miniredis, miniredis_server):
    assert miniredis.info("server")["redis_version"] == "{version}"
    assert miniredis_server.port == {port}
    miniredis.xadd("s", {{"f": "v"}})
    assert miniredis.xlen("s") == 1


def test_flushed_on_real_redis(miniredis):
    assert miniredis.dbsize() == 0
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server binary")
def test_the_same_tests_run_against_a_real_redis(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        real = redis.Redis(port=port)
        version = real.info("server")["redis_version"]
        real.close()
        (tmp_path / "test_real.py").write_text(textwrap.dedent(REAL_REDIS_TESTS.format(version=version, port=port)))
        result = run_pytest(tmp_path, "--miniredis-port", str(port))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "2 passed" in result.stdout
    finally:
        process.terminate()
        process.wait(10)
