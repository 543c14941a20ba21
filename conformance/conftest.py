"""Fixtures of the differential suite: a real Redis 7.0 and a miniredis per test module.

The real server is ``redis-server`` from ``$REDIS_SERVER`` or the PATH, started on a free
127.0.0.1 port with persistence off. miniredis runs in-process (``MiniRedisServer``), or, with
``MINIREDIS_TARGET=host:port``, the suite checks that server instead. Without ``redis-server``
the suite is skipped, except under CI (``$CI`` set), where that is a failure.

Fixtures: ``pair`` (RESP2), ``pair3`` (RESP3, after ``HELLO 3``), ``pair_factory`` (more pairs
for two-client cases), ``targets`` (addresses and flushing). Both servers are flushed before
every test. Every test under ``conformance/`` is marked ``conformance``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conformance.harness import Address, Pair, RawConnection

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.conformance)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_server_binary() -> str | None:
    explicit = os.environ.get("REDIS_SERVER")
    if explicit:
        return shutil.which(explicit)  # None unless it names an executable
    return shutil.which("redis-server")


def _wait_ready(proc: subprocess.Popen[bytes], port: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            conn = RawConnection("127.0.0.1", port, timeout=1.0)
        except OSError:
            time.sleep(0.02)
            continue
        try:
            if conn.send("PING") == b"+PONG\r\n":
                return True
        except (OSError, TimeoutError):
            pass
        finally:
            conn.close()
        time.sleep(0.02)
    return False


class RealRedis:
    """A ``redis-server`` child process on a free loopback port."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="miniredis-conformance-")
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self) -> RealRedis:
        for _ in range(5):  # the free port may be taken between picking and binding it
            port = _free_port()
            proc = subprocess.Popen(
                [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--daemonize", "no", "--dir", self.dir, "--logfile", "", "--loglevel", "warning"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            if _wait_ready(proc, port):
                self.proc, self.port = proc, port
                return self
            proc.kill()
            proc.wait(10)
        raise RuntimeError(f"could not start {self.binary}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


class Targets:
    """Where the two servers are, and how to flush both."""

    def __init__(self, real: Address, mini: Address, flush_mini: Callable[[], None]) -> None:
        self.real = real
        self.mini = mini
        self._flush_mini = flush_mini

    def flush(self) -> None:
        conn = RawConnection(self.real.host, self.real.port)
        try:
            assert conn.send("FLUSHALL") == b"+OK\r\n"
        finally:
            conn.close()
        self._flush_mini()

    def pair(self, protocol: int = 2) -> Pair:
        return Pair(self.real, self.mini, protocol)


def _flush_external(address: Address) -> Callable[[], None]:
    def flush() -> None:
        conn = RawConnection(address.host, address.port)
        try:
            assert conn.send("FLUSHALL") == b"+OK\r\n"
        finally:
            conn.close()

    return flush


@pytest.fixture(scope="module")
def targets() -> Iterator[Targets]:
    binary = _redis_server_binary()
    if binary is None:
        message = "redis-server not found (set REDIS_SERVER or put it on PATH): the conformance suite needs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    real = RealRedis(binary).start()
    try:
        target = os.environ.get("MINIREDIS_TARGET")
        if target:
            host, _, port = target.rpartition(":")
            address = Address(host or "127.0.0.1", int(port))
            yield Targets(Address("127.0.0.1", real.port), address, _flush_external(address))
            return
        from miniredis.testing.server import MiniRedisServer

        with MiniRedisServer() as srv:

            def flush_mini() -> None:
                srv.call(lambda server: [db.flush() for db in server.dbs])

            yield Targets(Address("127.0.0.1", real.port), Address(srv.host, srv.port), flush_mini)
    finally:
        real.stop()


@pytest.fixture
def pair_factory(targets: Targets) -> Iterator[Callable[..., Pair]]:
    """``pair_factory(protocol=2)`` opens another pair (closed at the end of the test)."""
    opened: list[Pair] = []

    def make(protocol: int = 2) -> Pair:
        new = targets.pair(protocol)
        opened.append(new)
        return new

    targets.flush()
    yield make
    for each in opened:
        each.close()


@pytest.fixture
def pair(pair_factory: Callable[..., Pair]) -> Pair:
    """A RESP2 pair on flushed servers."""
    return pair_factory(2)


@pytest.fixture
def pair3(pair_factory: Callable[..., Pair]) -> Pair:
    """A RESP3 pair (HELLO 3 sent to both) on flushed servers."""
    return pair_factory(3)


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def pairs(request: pytest.FixtureRequest, pair_factory: Callable[..., Pair]) -> Pair:
    """A pair in each protocol version, for cases that run identically in RESP2 and RESP3."""
    return pair_factory(request.param)


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def protocol(request: pytest.FixtureRequest) -> int:
    """Each protocol version, for tests that open their pairs with ``pair_factory(protocol)``."""
    return int(request.param)
