"""Stream memory and seek cost: miniredis's packed stream nodes next to Redis 7.0's.

    python benchmarks/stream_memory.py                 # 1M entries, memory and XRANGE seek cost
    python benchmarks/stream_memory.py --entries 200000 --no-redis

Memory: the same entries (``user_id <int> event_type <word> amount <int>``, IDs as XADD ``*``
would make them, ten per millisecond) are added to a ``Stream`` in-process through
``Stream.append`` with the server's default node limits (100 entries, 4096 bytes), and the bytes
allocated for it are measured with ``tracemalloc`` (every object the stream keeps: radix tree,
nodes, packed buffers, the open tail node). For Redis, the same entries are sent with XADD
(pipelined, explicit IDs) to a fresh ``redis-server --save '' --appendonly no`` and
``INFO memory``'s ``used_memory`` delta is taken. Both are reported per entry.

Seek cost: ``XRANGE s <middle-id> + COUNT 10`` run through the command handler in-process (no
network) on a stream of 1M entries and on one of 1k entries; the ratio shows whether a range read
seeks (the radix tree) or walks from the head. Also reported: XADD's in-process cost per entry.
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import socket
import subprocess
import tempfile
import time
import tracemalloc
from typing import Any

from miniredis.structures.stream import Stream

WORDS = [b"click", b"view", b"purchase", b"signup", b"logout", b"scroll", b"search", b"share"]
FIELDS = (b"user_id", b"event_type", b"amount")
BASE_MS = 1_700_000_000_000


def entries(count: int, seed: int = 7) -> list[tuple[tuple[int, int], tuple[bytes, ...]]]:
    rng = random.Random(seed)
    return [((BASE_MS + i // 10, i % 10),
             (b"%d" % rng.randint(1, 1_000_000), rng.choice(WORDS), b"%d" % rng.randint(1, 10_000)))
            for i in range(count)]


def build(data: list[tuple[tuple[int, int], tuple[bytes, ...]]]) -> Stream:
    stream = Stream()
    append = stream.append
    for stream_id, values in data:
        append(stream_id, FIELDS, values, 100, 4096)
    return stream


def miniredis_bytes(data: list[tuple[tuple[int, int], tuple[bytes, ...]]]) -> tuple[int, float]:
    """Bytes held by a stream built from ``data`` (tracemalloc), and the append cost in µs/entry."""
    gc.collect()
    started = time.perf_counter()
    build(data)  # untraced run for the timing
    append_us = (time.perf_counter() - started) / len(data) * 1e6
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    stream = build(data)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert stream.length == len(data)
    return after - before, append_us


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_bytes(data: list[tuple[tuple[int, int], tuple[bytes, ...]]]) -> int | None:
    """``used_memory`` delta of a real Redis after XADDing ``data`` (None without redis-server)."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    import redis

    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                 "no", "--dir", workdir], stdout=subprocess.DEVNULL)
        try:
            client = redis.Redis(port=port)
            for _ in range(500):
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.01)
            before = int(client.info("memory")["used_memory"])
            pipe = client.pipeline(transaction=False)
            for n, ((ms, seq), values) in enumerate(data, 1):
                pipe.execute_command("XADD", "s", b"%d-%d" % (ms, seq), FIELDS[0], values[0], FIELDS[1], values[1],
                                     FIELDS[2], values[2])
                if n % 10_000 == 0:
                    pipe.execute()
            pipe.execute()
            after = int(client.info("memory")["used_memory"])
            client.close()
            return after - before
        finally:
            proc.terminate()
            proc.wait(10)


def seek_cost(size: int, repeat: int = 2000) -> float:
    """µs per ``XRANGE s <middle> + COUNT 10`` through the handler, on a stream of ``size`` entries."""
    from miniredis.commands.streams import xrange
    from miniredis.config import Config
    from miniredis.server.app import Server
    from miniredis.server.client import Client

    server = Server(Config({"port": "0"}))
    client = Client(server, 1, None)
    stream = build(entries(size))
    server.dbs[0].data[b"s"] = stream
    middle = entries(size)[size // 2][0]
    argv = [b"XRANGE", b"s", b"%d-%d" % middle, b"+", b"COUNT", b"10"]
    reply: Any = xrange(client, argv)
    assert bytes(reply).startswith(b"*10\r\n")  # the pre-encoded reply of 10 entries
    started = time.perf_counter()
    for _ in range(repeat):
        xrange(client, argv)
    return (time.perf_counter() - started) / repeat * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--no-redis", action="store_true", help="skip the real Redis measurement")
    args = parser.parse_args()
    data = entries(args.entries)
    mini, append_us = miniredis_bytes(data)
    print(f"entries: {args.entries}")
    print(f"miniredis: {mini} bytes, {mini / args.entries:.1f} B/entry; Stream.append {append_us:.2f} µs/entry")
    if not args.no_redis:
        real = redis_bytes(data)
        if real is not None:
            print(f"redis:     {real} bytes, {real / args.entries:.1f} B/entry (used_memory delta)")
            print(f"ratio miniredis/redis: {mini / real:.2f}x")
    del data
    large, small = seek_cost(args.entries), seek_cost(1000)
    print(f"XRANGE <mid> + COUNT 10: {large:.1f} µs at {args.entries} entries, {small:.1f} µs at 1000; "
          f"ratio {large / small:.2f}x")


if __name__ == "__main__":
    main()
