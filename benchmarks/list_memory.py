"""List memory per element at 1M elements, miniredis next to a real Redis 7.0.

    python benchmarks/list_memory.py                 # 1,000,000 elements
    python benchmarks/list_memory.py --elements 200000

Elements are the 10-byte ``item000000`` .. loaded with pipelined RPUSH of 1000 elements.

* Redis: the ``used_memory`` delta of a fresh ``redis-server`` (a quicklist of listpacks);
* miniredis, structure: the ``tracemalloc`` delta of a ``QuickList`` (the list value type,
  ``miniredis.structures.quicklist``) filled as RPUSH fills it, one fresh ``bytes`` object per
  element as parsed from a request (what an element costs once stored);
* miniredis, server: the RSS delta of a fresh ``python -m miniredis`` loaded over TCP like Redis.
"""

from __future__ import annotations

import argparse
import tracemalloc

from zset_memory import free_port, rss_bytes, server  # type: ignore[import-not-found]

from miniredis.structures.quicklist import SPILL, QuickList


def items(n: int) -> list[bytes]:
    return [b"item%06d" % i for i in range(n)]


def load(client, n: int) -> None:  # type: ignore[no-untyped-def]
    data = items(n)
    pipe = client.pipeline(transaction=False)
    for start in range(0, n, 1000):
        pipe.rpush("list", *data[start : start + 1000])
        if start % 100_000 == 0:
            pipe.execute()
    pipe.execute()


def structure_bytes_per_element(n: int) -> float:
    raw = [bytes(bytearray(item)) for item in items(n)]  # distinct objects, like parsed requests
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    values = QuickList()
    tail = values.tail
    for value in raw:  # what RPUSH does: append to the tail, pack its inner half at SPILL
        tail.append(bytes(bytearray(value)))
        if len(tail) >= SPILL:
            values.spill_tail()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elements", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.elements
    with server(["redis-server", "--port", str(free_port()), "--save", "", "--appendonly", "no"]) as (_, client):
        before = int(client.info("memory")["used_memory"])
        load(client, n)
        redis_per = (int(client.info("memory")["used_memory"]) - before) / n
    with server(["python", "-m", "miniredis", "--port", str(free_port())]) as (proc, client):
        before = rss_bytes(proc.pid)
        load(client, n)
        server_per = (rss_bytes(proc.pid) - before) / n
    structure_per = structure_bytes_per_element(n)
    print(f"{n:,} elements of 10 bytes")
    print(f"redis used_memory delta:          {redis_per:6.1f} B/element")
    print(f"miniredis QuickList (tracemalloc): {structure_per:5.1f} B/element   {structure_per / redis_per:.2f}x")
    print(f"miniredis server RSS delta:       {server_per:6.1f} B/element   {server_per / redis_per:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
