"""Helpers for the AOF tests: miniredis as a subprocess (so it can be SIGKILLed) and redis-py clients."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

READY = re.compile(rb"ready to accept connections on port (\d+)")


class MiniProc:
    """``python -m miniredis --port 0 --dir DIR --appendonly yes ...`` with its log captured."""

    def __init__(self, directory: str, *options: str) -> None:
        self.directory = directory
        self.options = options
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log = b""

    def start(self, expect_failure: bool = False, timeout: float = 20.0) -> MiniProc:
        args = [sys.executable, "-m", "miniredis", "--port", "0", "--bind", "127.0.0.1", "--dir", self.directory,
                "--appendonly", "yes", *self.options]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                self.log += chunk
                found = READY.search(self.log)
                if found:
                    self.port = int(found.group(1))
                    return self
        if expect_failure:
            self.proc.wait(timeout)
            return self
        self.kill()
        raise RuntimeError(f"miniredis did not start: {self.log.decode(errors='replace')}")

    def client(self, **kwargs: object) -> redis.Redis:
        options: dict[str, Any] = {"socket_timeout": 10, **kwargs}
        return redis.Redis(host="127.0.0.1", port=self.port, **options)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self._reap()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self._reap()

    def _reap(self) -> None:
        if self.proc is not None:
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            if self.proc.stdout is not None:
                try:
                    self.log += self.proc.stdout.read() or b""
                except (OSError, ValueError):
                    pass
                self.proc.stdout.close()
            self.proc = None


@pytest.fixture
def mini() -> Iterator[Callable[..., MiniProc]]:
    """``mini(directory, *options)``: a MiniProc (not started); every one is killed when the test ends."""
    procs: list[MiniProc] = []

    def make(directory: str, *options: str) -> MiniProc:
        proc = MiniProc(directory, *options)
        procs.append(proc)
        return proc

    yield make
    for proc in procs:
        proc.kill()
