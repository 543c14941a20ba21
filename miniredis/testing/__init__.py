"""Test support: an embedded server on its own thread, a pytest plugin, clock control.

    from miniredis.testing import MiniRedisServer, ManualClock

    with MiniRedisServer(manual_clock=True) as srv:
        r = srv.client()
        r.set("k", "v", ex=10)
        srv.clock.advance(10)          # the key expires now: "expired" event sent, gone from KEYS
        assert r.dbsize() == 0

The pytest plugin (``miniredis.testing.pytest_plugin``) is loaded automatically through the
``pytest11`` entry point; see docs/testing.md for its fixtures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from miniredis.clock import Clock, ManualClock, SystemClock

if TYPE_CHECKING:
    from miniredis.testing.server import MiniRedisServer, expire_due_keys

__all__ = ["Clock", "ManualClock", "MiniRedisServer", "SystemClock", "expire_due_keys"]


def __getattr__(name: str) -> Any:
    # Imported on first use: pytest imports this package (for the plugin) in every run, and the
    # server (its command table included) should load only when a test asks for it.
    if name in ("MiniRedisServer", "expire_due_keys"):
        from miniredis.testing import server

        return getattr(server, name)
    raise AttributeError(f"module 'miniredis.testing' has no attribute {name!r}")
