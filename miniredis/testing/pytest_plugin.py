"""The miniredis pytest plugin, loaded automatically through the ``pytest11`` entry point.

Fixtures (all prefixed ``miniredis`` so they never clash with a project's own ``redis``/``r``):

``miniredis_server``   session scope: one embedded server on 127.0.0.1, port 0 (or the external
                       server named by ``--miniredis-host``/``--miniredis-port``).
``miniredis``          function scope: a ``redis.Redis`` client on it; FLUSHALL after the test.
``miniredis_url``      function scope: its ``redis://`` URL, for frameworks that take a URL (Celery,
                       RQ, Django caches); FLUSHALL after the test.
``miniredis_async``    function scope: a ``redis.asyncio.Redis`` on it (needs pytest-asyncio);
                       FLUSHALL after the test.
``miniredis_clock``    function scope: a *fresh* embedded server with a ``ManualClock`` (a server
                       start costs ~10 ms, and a fresh one means no clock state leaks between
                       tests); ``.clock.advance(s)``, ``.clock.set(epoch)``, ``.client()``, ``.url``.
``miniredis_factory``  function scope: ``miniredis_factory(**settings)`` starts an embedded server
                       with its own settings (``requirepass=``, ``notify_keyspace_events=``,
                       ``appendonly=True, dir=tmp_path``, ``manual_clock=True``); all are stopped
                       at the end of the test.

Options (or ini keys ``miniredis_host`` / ``miniredis_port``): ``--miniredis-host`` and
``--miniredis-port`` run the shared fixtures against an external server instead (a real Redis, to
check that the tests hold there too), as pytest-redis's ``redis_nooproc`` does. Clock control and the
factory need the embedded server: against an external one, ``miniredis_clock`` skips and the factory
still starts embedded servers. Nothing is imported or started until a fixture is used.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import redis
    import redis.asyncio

    from miniredis.testing.server import MiniRedisServer

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - pytest-asyncio is a test extra
    pytest_asyncio = None  # type: ignore[assignment]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("miniredis", "miniredis test server")
    group.addoption("--miniredis-host", action="store", default=None, dest="miniredis_host",
                    help="use the Redis server on this host for the shared miniredis fixtures instead of an "
                         "embedded miniredis (default port 6379)")
    group.addoption("--miniredis-port", action="store", type=int, default=None, dest="miniredis_port",
                    help="use the Redis server on this port (of --miniredis-host, default 127.0.0.1) instead of "
                         "an embedded miniredis")
    parser.addini("miniredis_host", "host of an external server for the shared miniredis fixtures", default="")
    parser.addini("miniredis_port", "port of an external server for the shared miniredis fixtures", default="")


def external_address(config: pytest.Config) -> tuple[str, int] | None:
    """The external server the options or ini name, or None for the embedded server."""
    host = config.getoption("miniredis_host") or config.getini("miniredis_host") or None
    port = config.getoption("miniredis_port")
    if port is None and config.getini("miniredis_port"):
        port = int(config.getini("miniredis_port"))
    if host is None and port is None:
        return None
    return host or "127.0.0.1", port or 6379


class ExternalServer:
    """A server this plugin did not start (``--miniredis-host/--miniredis-port``): same face as
    ``MiniRedisServer`` for what the shared fixtures use; no clock and no ``call``."""

    clock = None

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"redis://{host}:{self.port}"

    def client(self, **kwargs: Any) -> redis.Redis:
        import redis

        return redis.Redis(**{"host": self.host, "port": self.port, **kwargs})

    def flushall(self) -> None:
        client = self.client()
        try:
            client.flushall()
        finally:
            client.close()

    def call(self, function: Callable[[Any], Any]) -> Any:
        raise RuntimeError("srv.call needs the embedded miniredis (not --miniredis-host/--miniredis-port)")

    def stop(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<ExternalServer {self.host}:{self.port}>"


@pytest.fixture(scope="session")
def miniredis_server(pytestconfig: pytest.Config) -> Iterator[MiniRedisServer | ExternalServer]:
    """One server for the whole session: embedded on port 0, or the external one the options name."""
    address = external_address(pytestconfig)
    if address is not None:
        external = ExternalServer(*address)
        try:  # a plain connect first: redis-py would retry a refused connection with backoff
            socket.create_connection(address, timeout=5).close()
        except OSError as error:
            pytest.fail(f"miniredis: cannot reach the external server {address[0]}:{address[1]}: {error}",
                        pytrace=False)
        yield external
        return
    from miniredis.testing.server import MiniRedisServer

    with MiniRedisServer() as srv:
        yield srv


@pytest.fixture
def miniredis_url(miniredis_server: MiniRedisServer | ExternalServer) -> Iterator[str]:
    """The shared server's URL; every database is flushed after the test."""
    yield miniredis_server.url
    miniredis_server.flushall()


@pytest.fixture
def miniredis(miniredis_server: MiniRedisServer | ExternalServer) -> Iterator[redis.Redis]:
    """A redis-py client on the shared server; every database is flushed after the test."""
    import redis

    client = redis.Redis(host=miniredis_server.host, port=miniredis_server.port)
    try:
        yield client
    finally:
        client.close()
        miniredis_server.flushall()


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def miniredis_async(miniredis_server: MiniRedisServer | ExternalServer) -> AsyncIterator[redis.asyncio.Redis]:
        """A ``redis.asyncio`` client on the shared server, on the test's loop; flushed after the test."""
        import redis.asyncio

        client = redis.asyncio.Redis(host=miniredis_server.host, port=miniredis_server.port)
        try:
            yield client
        finally:
            await client.aclose()
            miniredis_server.flushall()

else:  # pragma: no cover - pytest-asyncio is a test extra

    @pytest.fixture
    def miniredis_async() -> None:
        pytest.fail("the miniredis_async fixture needs pytest-asyncio (pip install pytest-asyncio)", pytrace=False)


@pytest.fixture
def miniredis_clock(pytestconfig: pytest.Config) -> Iterator[MiniRedisServer]:
    """A fresh embedded server whose clock moves only when told (``.clock.advance(s)``, ``.clock.set(t)``)."""
    if external_address(pytestconfig) is not None:
        pytest.skip("miniredis_clock needs the embedded miniredis (an external server's clock cannot be moved)")
    from miniredis.testing.server import MiniRedisServer

    with MiniRedisServer(manual_clock=True) as srv:
        yield srv


class ServerFactory:
    """``factory(**settings)``: a started embedded server with its own settings, stopped at teardown."""

    def __init__(self) -> None:
        self.servers: list[MiniRedisServer] = []

    def __call__(self, **settings: Any) -> MiniRedisServer:
        from miniredis.testing.server import MiniRedisServer

        srv = MiniRedisServer(**settings)
        srv.start()
        self.servers.append(srv)
        return srv

    def stop_all(self) -> None:
        servers, self.servers = self.servers, []
        for srv in reversed(servers):
            srv.stop()


@pytest.fixture
def miniredis_factory() -> Iterator[ServerFactory]:
    """Start embedded servers with their own settings: ``miniredis_factory(requirepass="s")``."""
    factory = ServerFactory()
    try:
        yield factory
    finally:
        factory.stop_all()
