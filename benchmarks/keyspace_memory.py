"""Keyspace memory: bytes per key for small strings and small hashes, miniredis next to Redis 7.0.

    python benchmarks/keyspace_memory.py                    # 1M strings and 1M hashes on each server
    python benchmarks/keyspace_memory.py --keys 200000 --no-redis

Data (deterministic): ``SET key:<i> <10-byte value>`` and
``HSET user:<i> name <first name> age <18..90> city <city>``.

miniredis: a fresh server process (``python -m miniredis --port <free> --save '' --appendonly no``)
per data set; the keys are loaded over TCP with raw pipelined RESP (batches of ``--batch`` commands
written at once, then every reply read), and the figure is the **RSS delta** of the server process
(``VmRSS`` from ``/proc/<pid>/status``) between just before and just after loading. RSS is what the
machine pays, Python object headers, dict tables and allocator slack included.

Redis: a fresh ``redis-server --save '' --appendonly no`` per data set, loaded the same way; the
figure is the ``INFO memory`` **used_memory delta** (what Redis's allocator hands out for the
data), and its RSS delta is printed next to it for comparison with miniredis's measure.

Each data set prints bytes per key and the ratio miniredis/Redis. Every wait is bounded: a server
that does not start, or a load that exceeds ``--timeout`` seconds, stops the run with an error.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

FIRST_NAMES = [b"alice", b"bob", b"carol", b"dave", b"erin", b"frank", b"grace", b"heidi", b"ivan", b"judy",
               b"mallory", b"niaj", b"olivia", b"peggy", b"rupert", b"sybil", b"trent", b"victor", b"walter"]
CITIES = [b"paris", b"london", b"berlin", b"madrid", b"rome", b"vienna", b"prague", b"lisbon", b"dublin", b"oslo"]

Command = list[bytes]


def encode(argv: Command) -> bytes:
    return b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(arg), arg) for arg in argv)


def strings(count: int) -> Iterator[Command]:
    for i in range(count):
        yield [b"SET", b"key:%d" % i, b"v%09d" % i]  # a 10-byte value


def hashes(count: int, seed: int = 7) -> Iterator[Command]:
    rng = random.Random(seed)
    for i in range(count):
        yield [b"HSET", b"user:%d" % i, b"name", rng.choice(FIRST_NAMES), b"age", b"%d" % rng.randint(18, 90),
               b"city", rng.choice(CITIES)]


DATASETS: dict[str, Callable[[int], Iterator[Command]]] = {"strings": strings, "hashes": hashes}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` (Linux /proc; ``ps`` elsewhere)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) * 1024


class Conn:
    """A raw RESP socket: pipelined batches of commands whose replies are single lines."""

    def __init__(self, port: int, timeout: float) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def _lines(self, count: int) -> list[bytes]:
        lines: list[bytes] = []
        while len(lines) < count:
            end = self.buf.find(b"\r\n")
            if end < 0:
                data = self.sock.recv(1 << 20)
                if not data:
                    raise ConnectionError("server closed the connection")
                self.buf += data
                continue
            lines.append(self.buf[:end])
            self.buf = self.buf[end + 2:]
        return lines

    def pipeline(self, commands: list[Command]) -> None:
        """Send every command, read one single-line reply each; an error reply stops the run."""
        self.sock.sendall(b"".join(map(encode, commands)))
        for line in self._lines(len(commands)):
            if line.startswith(b"-"):
                raise RuntimeError(f"error reply while loading: {line!r}")

    def command(self, *argv: bytes) -> bytes:
        """One command whose reply may be a bulk string (INFO, DBSIZE...): its payload."""
        self.sock.sendall(encode(list(argv)))
        head = self._lines(1)[0]
        if head.startswith(b"$"):
            size = int(head[1:])
            while len(self.buf) < size + 2:
                data = self.sock.recv(1 << 20)
                if not data:
                    raise ConnectionError("server closed the connection")
                self.buf += data
            payload, self.buf = self.buf[:size], self.buf[size + 2:]
            return payload
        if head.startswith(b"-"):
            raise RuntimeError(f"error reply: {head!r}")
        return head[1:]

    def close(self) -> None:
        self.sock.close()


@dataclass
class Measure:
    server: str
    dataset: str
    keys: int
    rss_delta: int
    used_memory_delta: int | None
    load_seconds: float


class ServerProcess:
    """A server child process on a free loopback port, stopped on exit."""

    def __init__(self, argv: Callable[[int], list[str]], workdir: str, timeout: float) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(argv(self.port), cwd=workdir, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {argv(self.port)}")
            try:
                conn = Conn(self.port, timeout)
                if conn.command(b"PING") == b"PONG":
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not start: {argv(self.port)}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def used_memory(conn: Conn) -> int:
    info = conn.command(b"INFO", b"memory").decode()
    for line in info.splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":", 1)[1])
    raise RuntimeError("no used_memory in INFO memory")


def measure(name: str, argv: Callable[[int], list[str]], dataset: str, keys: int, batch: int,
            timeout: float) -> Measure:
    with tempfile.TemporaryDirectory() as workdir, ServerProcess(argv, workdir, 30) as server:
        conn = Conn(server.port, timeout)
        is_redis = name == "redis"
        time.sleep(0.2)  # let the fresh process settle (lazy imports, first allocations)
        rss_before = rss_bytes(server.proc.pid)
        used_before = used_memory(conn) if is_redis else None
        started = time.monotonic()
        pending: list[Command] = []
        for command in DATASETS[dataset](keys):
            pending.append(command)
            if len(pending) >= batch:
                conn.pipeline(pending)
                pending = []
                if time.monotonic() - started > timeout:
                    raise TimeoutError(f"{name} {dataset}: loading took more than {timeout}s")
        if pending:
            conn.pipeline(pending)
        load_seconds = time.monotonic() - started
        loaded = int(conn.command(b"DBSIZE"))
        if loaded != keys:
            raise RuntimeError(f"{name} {dataset}: DBSIZE {loaded}, expected {keys}")
        rss_after = rss_bytes(server.proc.pid)
        used_after = used_memory(conn) if is_redis else None
        conn.close()
    return Measure(name, dataset, keys, rss_after - rss_before,
                   None if used_before is None or used_after is None else used_after - used_before, load_seconds)


def miniredis_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "miniredis", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no"]


def redis_argv(binary: str) -> Callable[[int], list[str]]:
    def argv(port: int) -> list[str]:
        return [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--logfile", ""]

    return argv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000, help="commands per pipelined write")
    parser.add_argument("--timeout", type=float, default=300.0, help="max seconds to load one data set")
    parser.add_argument("--datasets", default="strings,hashes")
    parser.add_argument("--no-redis", action="store_true", help="skip the real Redis measurement")
    args = parser.parse_args()
    binary = None if args.no_redis else shutil.which(os.environ.get("REDIS_SERVER", "redis-server"))
    print(f"keys per data set: {args.keys}")
    for dataset in args.datasets.split(","):
        mini = measure("miniredis", miniredis_argv, dataset, args.keys, args.batch, args.timeout)
        per_key = mini.rss_delta / args.keys
        print(f"{dataset:8} miniredis: RSS delta {mini.rss_delta / 2**20:8.1f} MiB = {per_key:6.1f} B/key "
              f"(loaded in {mini.load_seconds:.1f}s)")
        if binary is None:
            continue
        real = measure("redis", redis_argv(binary), dataset, args.keys, args.batch, args.timeout)
        assert real.used_memory_delta is not None
        real_per_key = real.used_memory_delta / args.keys
        print(f"{dataset:8} redis:     used_memory delta {real.used_memory_delta / 2**20:8.1f} MiB = "
              f"{real_per_key:6.1f} B/key; RSS delta {real.rss_delta / args.keys:6.1f} B/key "
              f"(loaded in {real.load_seconds:.1f}s)")
        print(f"{dataset:8} ratio miniredis RSS / redis used_memory: {per_key / real_per_key:.2f}x; "
              f"RSS / RSS: {mini.rss_delta / real.rss_delta:.2f}x")


if __name__ == "__main__":
    main()
