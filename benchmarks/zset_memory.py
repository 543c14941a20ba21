"""Sorted-set memory per member and rank/range cost at scale, miniredis next to a real Redis 7.0.

    python benchmarks/zset_memory.py                 # 1,000,000 members
    python benchmarks/zset_memory.py --members 200000 --skip-server

Memory (1M members ``member:0000000`` .. with random scores, loaded by pipelined ZADD of 1000 pairs):

* Redis: the ``used_memory`` delta of a fresh ``redis-server``;
* miniredis, structure: ``tracemalloc`` delta of a ``ZSet`` filled in-process with the same member
  ``bytes`` and score ``float`` objects the server keeps from a request (what a member costs);
* miniredis, server: the RSS delta of a fresh ``python -m miniredis`` loaded over TCP like Redis
  (includes allocator slack and transient request buffers; ``--skip-server`` leaves it out).

Cost at scale: ZRANK of a random member and ZRANGE of 10 members at a random rank, timed on the
structure (``ZSet.rank`` / ``ZSet.slice``, the part that grows with n) at 1k and at 1M members, and
the same commands through a pipelined client against the miniredis server. The target is a ratio
(1M / 1k) of at most 2.

Measured 2026-11-29 (2 shared CPUs, CPython 3.11.7, Redis 7.0.15), 1M members:

    redis used_memory delta:        109.8 B/member
    miniredis ZSet (tracemalloc):   152.6 B/member   1.39x   (target <= 1.6x)
    miniredis server RSS delta:     164.1 B/member   1.49x
    server ZRANK   1k 7.06 µs   1M 7.57 µs   1.07x      (pipelined, client included)
    server ZRANGE  1k 28.05 µs  1M 32.54 µs  1.16x
    ZSet.rank      1k 322 ns    1M 2786 ns   8.7x       (structure alone: cache misses of a 1M bisection)
    ZSet.slice(10) 1k 3182 ns   1M 6155 ns   1.9x
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
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from miniredis.structures.zset import ZSet  # noqa: E402

BATCH = 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, timeout: float = 20.0) -> redis.Redis:
    client = redis.Redis(port=port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client.ping()
            return client
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


@contextmanager
def server(argv: list[str]) -> Iterator[tuple[subprocess.Popen[bytes], redis.Redis]]:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port = int(argv[argv.index("--port") + 1])
        yield proc, wait_ready(port)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def members(n: int) -> list[bytes]:
    return [b"member:%07d" % i for i in range(n)]


def scores(n: int, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    return [rng.random() * 1000 for _ in range(n)]


def load(client: redis.Redis, key: str, n: int) -> None:
    names, values = members(n), scores(n)
    pipe = client.pipeline(transaction=False)
    for start in range(0, n, BATCH):
        pipe.zadd(key, dict(zip(names[start:start + BATCH], values[start:start + BATCH], strict=True)))
        if (start // BATCH) % 50 == 49:
            pipe.execute()
    pipe.execute()
    assert client.zcard(key) == n


def structure_bytes_per_member(n: int) -> float:
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    zset = ZSet(compact=False)
    rng = random.Random(7)
    for i in range(n):
        # Fresh objects, as the server keeps them from a parsed request.
        zset.insert(b"member:%07d" % i, float(repr(rng.random() * 1000)))
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(zset) == n
    return (after - before) / n


def time_structure(n: int, ops: int = 20000) -> tuple[float, float]:
    """ns per ZSet.rank and per ZSet.slice of 10, on an n-member zset."""
    zset = ZSet(zip(scores(n), members(n), strict=True), compact=False)
    rng = random.Random(1)
    names = [b"member:%07d" % rng.randrange(n) for _ in range(ops)]
    offsets = [rng.randrange(max(1, n - 10)) for _ in range(ops)]
    began = time.perf_counter_ns()
    for name in names:
        zset.rank(name)
    rank_ns = (time.perf_counter_ns() - began) / ops
    began = time.perf_counter_ns()
    for offset in offsets:
        zset.slice(offset, offset + 10)
    range_ns = (time.perf_counter_ns() - began) / ops
    return rank_ns, range_ns


def time_commands(client: redis.Redis, key: str, n: int, ops: int = 20000) -> tuple[float, float]:
    """µs per ZRANK and per ZRANGE of 10 (WITHSCORES) through a pipeline of 1000."""
    rng = random.Random(2)
    results = []
    for command in ("zrank", "zrange"):
        began = time.perf_counter()
        for _ in range(ops // 1000):
            pipe = client.pipeline(transaction=False)
            for _ in range(1000):
                if command == "zrank":
                    pipe.zrank(key, b"member:%07d" % rng.randrange(n))
                else:
                    offset = rng.randrange(max(1, n - 10))
                    pipe.zrange(key, offset, offset + 9, withscores=True)
            pipe.execute()
        results.append((time.perf_counter() - began) * 1e6 / ops)
    return results[0], results[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--skip-server", action="store_true", help="no miniredis server RSS / command timings")
    args = parser.parse_args(argv)
    n = args.members
    report: list[str] = []

    redis_per_member = None
    if shutil.which("redis-server"):
        port = free_port()
        with tempfile.TemporaryDirectory() as directory, server(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", directory]) as (_, client):
            before = int(client.info("memory")["used_memory"])
            load(client, "z", n)
            after = int(client.info("memory")["used_memory"])
            redis_per_member = (after - before) / n
            report.append(f"redis used_memory delta:       {redis_per_member:8.1f} B/member")

    structure = structure_bytes_per_member(n)
    report.append(f"miniredis ZSet (tracemalloc):  {structure:8.1f} B/member"
                  + (f"   ratio {structure / redis_per_member:.2f}x" if redis_per_member else ""))

    if not args.skip_server:
        port = free_port()
        with server([sys.executable, "-m", "miniredis", "--port", str(port), "--save", "", "--appendonly", "no"]) as (
                proc, client):
            before = rss_bytes(proc.pid)
            load(client, "z", n)
            after = rss_bytes(proc.pid)
            rss = (after - before) / n
            report.append(f"miniredis server RSS delta:    {rss:8.1f} B/member"
                          + (f"   ratio {rss / redis_per_member:.2f}x" if redis_per_member else ""))
            load(client, "small", args.small)
            big_rank, big_range = time_commands(client, "z", n)
            small_rank, small_range = time_commands(client, "small", args.small)
            report.append(f"server ZRANK   {args.small}: {small_rank:6.2f} µs  {n}: {big_rank:6.2f} µs  "
                          f"ratio {big_rank / small_rank:.2f}")
            report.append(f"server ZRANGE  {args.small}: {small_range:6.2f} µs  {n}: {big_range:6.2f} µs  "
                          f"ratio {big_range / small_range:.2f}")

    small_rank_ns, small_range_ns = time_structure(args.small)
    big_rank_ns, big_range_ns = time_structure(n)
    report.append(f"ZSet.rank      {args.small}: {small_rank_ns:6.0f} ns  {n}: {big_rank_ns:6.0f} ns  "
                  f"ratio {big_rank_ns / small_rank_ns:.2f}")
    report.append(f"ZSet.slice(10) {args.small}: {small_range_ns:6.0f} ns  {n}: {big_range_ns:6.0f} ns  "
                  f"ratio {big_range_ns / small_range_ns:.2f}")
    print(f"sorted sets, {n} members (python {sys.version.split()[0]}, pid {os.getpid()})")
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
