"""CLIENT PAUSE WRITE and scripts: Redis 7.0 takes a script's flags from its shebang, so a plain
EVAL counts as a write (held by the pause) while a ``no-writes`` script runs at once."""

from __future__ import annotations

import time

import pytest
import redis

from miniredis.scripting import AVAILABLE
from miniredis.testing.server import MiniRedisServer

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="lupa is not installed")


def test_pause_write_holds_scripts_that_may_write(server: MiniRedisServer) -> None:
    admin = redis.Redis(host=server.host, port=server.port)
    client = redis.Redis(host=server.host, port=server.port)
    try:
        admin.client_pause(300, all=False)
        started = time.monotonic()
        assert client.eval("#!lua flags=no-writes\nreturn 1", 0) == 1
        assert time.monotonic() - started < 0.25
        started = time.monotonic()
        assert client.eval("return 2", 0) == 2
        assert time.monotonic() - started >= 0.2
        sha = client.script_load("#!lua flags=no-writes\nreturn 3")
        admin.client_pause(300, all=False)
        started = time.monotonic()
        assert client.evalsha(sha, 0) == 3
        assert time.monotonic() - started < 0.25
    finally:
        admin.client_unpause()
        admin.close()
        client.close()
