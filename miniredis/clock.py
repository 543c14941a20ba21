"""The one clock every time read goes through: TTLs, idle times, stream IDs, LASTSAVE, TIME.

``SystemClock`` reads the wall clock. ``ManualClock`` is for tests: it starts at the wall clock (or a
given time) and moves only when told, so expiry, idle times and auto-generated stream IDs can be
driven exactly. Blocking-command timeouts are not read from here: like Redis's event loop timers,
they run on the event loop's monotonic clock.

A ``ManualClock`` used by an embedded server (``miniredis.testing.MiniRedisServer``) is *attached*
to it: every move then happens on the server's event loop, between two commands, and the server
catches up at once (keys whose time has come expire and send their ``expired`` events) before
``advance``/``set`` returns — the way Go miniredis's ``FastForward`` is used, but without having to
send another command first.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# Runs a clock move on the owner's loop and returns when it (and the owner's catch-up) is done.
MoveRunner = Callable[[Callable[[], None]], None]


class Clock:
    """Wall-clock time in milliseconds and microseconds since the epoch."""

    def time_ms(self) -> int:
        raise NotImplementedError

    def time_us(self) -> int:
        raise NotImplementedError

    def time(self) -> float:
        """Seconds since the epoch, as ``time.time()`` would give them."""
        return self.time_us() / 1_000_000

    # Declared here so ``srv.clock.advance(...)`` type-checks in tests; only ManualClock moves.
    def advance(self, seconds: float) -> None:
        raise TypeError(f"{type(self).__name__} cannot be moved: start the server with manual_clock=True")

    def set(self, epoch_seconds: float) -> None:
        raise TypeError(f"{type(self).__name__} cannot be moved: start the server with manual_clock=True")


class SystemClock(Clock):
    def time_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def time_us(self) -> int:
        return time.time_ns() // 1_000


class ManualClock(Clock):
    """A clock that only moves when ``advance`` or ``set`` is called.

    ``advance(seconds)`` moves it forward (a negative value steps it back); ``set(epoch_seconds)``
    puts it at an absolute time, earlier or later. Both take fractions of a second (microseconds).
    """

    def __init__(self, start_ms: int | None = None) -> None:
        self._us = (time.time_ns() // 1_000) if start_ms is None else start_ms * 1_000
        self._runner: MoveRunner | None = None

    def time_ms(self) -> int:
        return self._us // 1_000

    def time_us(self) -> int:
        return self._us

    def advance(self, seconds: float) -> None:
        delta = round(seconds * 1_000_000)
        self._move(lambda: self._us + delta)

    def set(self, epoch_seconds: float) -> None:
        target = round(epoch_seconds * 1_000_000)
        self._move(lambda: target)

    def _move(self, target: Callable[[], int]) -> None:
        def apply() -> None:
            self._us = target()

        runner = self._runner
        if runner is None:
            apply()
        else:
            runner(apply)

    # --- ownership by an embedded server ---------------------------------------------------------------
    @property
    def attached(self) -> bool:
        return self._runner is not None

    def attach(self, runner: MoveRunner) -> None:
        """Route every move through ``runner`` (an embedded server's loop); one owner at a time."""
        if self._runner is not None:
            raise ValueError("this ManualClock already drives a running server; give each server its own clock")
        self._runner = runner

    def detach(self) -> None:
        self._runner = None

    def __repr__(self) -> str:
        return f"ManualClock({self._us / 1_000_000:.6f})"
