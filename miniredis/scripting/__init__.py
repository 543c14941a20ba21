"""Lua scripting (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT LOAD/EXISTS/FLUSH/HELP), as Redis 7.0.

The Lua 5.1 interpreter comes from ``lupa`` (the optional ``lua`` extra). ``runtime`` owns the Lua
state: the sandbox (Redis 7.0's globals, read-only global and library tables), the ``redis`` table,
the conversions between replies and Lua values in both directions and both protocols, and the
script cache. ``libraries`` provides what Redis 7.0 links into its Lua and stock Lua 5.1 lacks:
``cjson``, ``bit``, ``cmsgpack`` and ``struct``.

A script runs synchronously on the event loop, as in Redis, but miniredis cannot answer other
clients while it runs: there are no ``BUSY`` replies, ``SCRIPT KILL`` cannot interrupt a script,
and neither ``SCRIPT KILL`` nor ``SCRIPT DEBUG`` (nor FUNCTION/FCALL) is registered.

When lupa is not importable, ``AVAILABLE`` is false and the scripting commands are not registered:
the rest of the server works as before and those commands get the unknown-command reply.
"""

from __future__ import annotations

import logging

log = logging.getLogger("miniredis")

try:
    import lupa.lua51  # noqa: F401

    AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the environment
    AVAILABLE = False
    log.warning("lupa (Lua 5.1) is not installed: EVAL, EVALSHA and SCRIPT are disabled (pip install miniredis[lua])")
