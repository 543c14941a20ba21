"""The one clock every time read goes through: TTLs, idle times, stream IDs, LASTSAVE, TIME.

``SystemClock`` reads the wall clock. ``ManualClock`` is for tests: it starts at the wall clock (or a
given time) and moves only when told, so expiry, idle times and auto-generated stream IDs can be
driven exactly. Blocking-command timeouts are not read from here: like Redis's event loop timers,
they run on the event loop's monotonic clock.
"""

from __future__ import annotations

import time


class Clock:
    """Wall-clock time in milliseconds and microseconds since the epoch."""

    def time_ms(self) -> int:
        raise NotImplementedError

    def time_us(self) -> int:
        raise NotImplementedError


class SystemClock(Clock):
    def time_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def time_us(self) -> int:
        return time.time_ns() // 1_000


class ManualClock(Clock):
    """A clock that only moves when ``advance`` or ``set`` is called."""

    def __init__(self, start_ms: int | None = None) -> None:
        self._us = (time.time_ns() // 1_000) if start_ms is None else start_ms * 1_000

    def time_ms(self) -> int:
        return self._us // 1_000

    def time_us(self) -> int:
        return self._us

    def advance(self, seconds: float) -> None:
        self._us += round(seconds * 1_000_000)

    def set(self, epoch_seconds: float) -> None:
        self._us = round(epoch_seconds * 1_000_000)
