"""At-least-once delivery with a consumer group, end to end, with sync and asyncio redis-py clients.

A producer appends events; three consumers of one group read them with XREADGROUP BLOCK; one consumer
is killed mid-stream (its connection closed while it holds unacknowledged entries). The survivors
finish the stream, then take over the dead consumer's pending entries with XAUTOCLAIM once they are
idle long enough (the server runs on a manual clock, so "long enough" is exact). Processing an event
(SADD to a processed set, INCR of a per-event counter) and its XACK share one MULTI, so at the end
every event is acknowledged and was processed exactly once. Every loop and wait is bounded.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis

from miniredis.server.app import Server
from miniredis.structures.cgroup import ConsumerGroup
from miniredis.testing.server import MiniRedisServer

STREAM = "events"
GROUP = "workers"
EVENTS_PER_PHASE = 40
MIN_IDLE_MS = 30_000
MAX_ROUNDS = 500  # bound on every consumer loop


@pytest.fixture(scope="module")
def srv() -> Iterator[MiniRedisServer]:
    with MiniRedisServer(manual_clock=True) as server:
        yield server


@pytest.fixture
def admin(srv: MiniRedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis(host=srv.host, port=srv.port)
    client.flushall()
    client.xgroup_create(STREAM, GROUP, id="$", mkstream=True)
    yield client
    client.close()


def entries_of(reply: Any) -> list[tuple[bytes, dict[bytes, bytes]]]:
    if not reply:
        return []
    if isinstance(reply, dict):  # RESP3 shape
        return [entry for per_stream in reply.values() for entries in per_stream for entry in entries]
    return [entry for _, entries in reply for entry in entries]


def process(client: redis.Redis, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
    """Process and acknowledge in one transaction: both happen, or neither."""
    for entry_id, fields in entries:
        if fields is None:  # deleted meanwhile: nothing to process, just acknowledge
            client.xack(STREAM, GROUP, entry_id)
            continue
        event = fields[b"event"]
        with client.pipeline(transaction=True) as pipe:
            pipe.sadd("processed", event)
            pipe.incr(b"count:" + event)
            pipe.xack(STREAM, GROUP, entry_id)
            pipe.execute()


def produce(client: redis.Redis, start: int, n: int) -> None:
    for i in range(start, start + n):
        client.xadd(STREAM, {"event": str(i)})


def check_groups(srv: MiniRedisServer) -> None:
    def run(server: Server) -> None:
        for value in server.dbs[0].data.values():
            for group in getattr(value, "groups", {}).values():
                assert isinstance(group, ConsumerGroup)
                group.check_invariants()

    srv.call(run)


def assert_exactly_once(admin: redis.Redis, total: int) -> None:
    assert admin.xpending(STREAM, GROUP)["pending"] == 0
    assert admin.scard("processed") == total
    counts = admin.mget([f"count:{i}" for i in range(total)])
    assert counts == [b"1"] * total


def take_over(client: redis.Redis, consumer: str) -> int:
    """XAUTOCLAIM loop until the cursor comes back to 0-0; returns how many entries were taken."""
    taken = 0
    cursor = "0-0"
    for _ in range(MAX_ROUNDS):
        cursor_raw, claimed, deleted = client.xautoclaim(STREAM, GROUP, consumer, MIN_IDLE_MS, cursor, count=3)
        process(client, claimed)
        taken += len(claimed)
        cursor = cursor_raw.decode() if isinstance(cursor_raw, bytes) else cursor_raw
        if cursor == "0-0":
            return taken
    raise AssertionError("XAUTOCLAIM cursor never ended")


def test_sync_consumers_take_over_a_dead_one(srv: MiniRedisServer, admin: redis.Redis) -> None:
    url = dict(host=srv.host, port=srv.port)
    produce(admin, 0, EVENTS_PER_PHASE)

    # The doomed consumer reads a batch and dies without acknowledging it.
    doomed = redis.Redis(**url)  # type: ignore[arg-type]
    held = entries_of(doomed.xreadgroup(GROUP, "c3", {STREAM: ">"}, count=7))
    assert len(held) == 7
    doomed.close()

    producer_done = threading.Event()
    errors: list[BaseException] = []

    def consume(name: str) -> None:
        client = redis.Redis(**url)  # type: ignore[arg-type]
        try:
            for _ in range(MAX_ROUNDS):
                batch = entries_of(client.xreadgroup(GROUP, name, {STREAM: ">"}, count=5, block=50))
                process(client, batch)
                if not batch and producer_done.is_set():
                    return
        except BaseException as error:  # surfaced in the main thread
            errors.append(error)
        finally:
            client.close()

    workers = [threading.Thread(target=consume, args=(name,), daemon=True) for name in ("c1", "c2")]
    for worker in workers:
        worker.start()
    producer = redis.Redis(**url)  # type: ignore[arg-type]
    produce(producer, EVENTS_PER_PHASE, EVENTS_PER_PHASE)
    producer.close()
    producer_done.set()
    for worker in workers:
        worker.join(30)
        assert not worker.is_alive()
    assert not errors, errors

    # Only the dead consumer's entries are pending; nobody may take them before they are idle enough.
    assert admin.xpending(STREAM, GROUP)["pending"] == 7
    survivor = redis.Redis(**url)  # type: ignore[arg-type]
    assert take_over(survivor, "c1") == 0
    srv.clock.advance(MIN_IDLE_MS / 1000 + 1)
    assert take_over(survivor, "c1") == 7
    survivor.close()
    check_groups(srv)
    assert_exactly_once(admin, 2 * EVENTS_PER_PHASE)
    consumers = {c["name"]: c["pending"] for c in admin.xinfo_consumers(STREAM, GROUP)}
    assert consumers[b"c3"] == 0


async def test_asyncio_consumers_take_over_a_dead_one(srv: MiniRedisServer, admin: redis.Redis) -> None:
    produce(admin, 0, EVENTS_PER_PHASE)

    async def aprocess(client: aioredis.Redis, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        for entry_id, fields in entries:
            event = fields[b"event"]
            async with client.pipeline(transaction=True) as pipe:
                pipe.sadd("processed", event)
                pipe.incr(b"count:" + event)
                pipe.xack(STREAM, GROUP, entry_id)
                await pipe.execute()

    doomed = aioredis.Redis(host=srv.host, port=srv.port, protocol=3)
    held = entries_of(await doomed.xreadgroup(GROUP, "c3", {STREAM: ">"}, count=6))
    assert len(held) == 6
    await doomed.aclose()  # killed mid-stream: its entries stay pending

    producer_done = asyncio.Event()

    async def consume(name: str) -> None:
        client = aioredis.Redis(host=srv.host, port=srv.port)
        try:
            for _ in range(MAX_ROUNDS):
                batch = entries_of(await client.xreadgroup(GROUP, name, {STREAM: ">"}, count=4, block=50))
                await aprocess(client, batch)
                if not batch and producer_done.is_set():
                    return
        finally:
            await client.aclose()

    async def producer() -> None:
        client = aioredis.Redis(host=srv.host, port=srv.port)
        try:
            for i in range(EVENTS_PER_PHASE, 2 * EVENTS_PER_PHASE):
                await client.xadd(STREAM, {"event": str(i)})
                if i % 10 == 0:
                    await asyncio.sleep(0.005)
        finally:
            await client.aclose()
        producer_done.set()

    await asyncio.wait_for(asyncio.gather(consume("c1"), consume("c2"), producer()), 30)
    assert admin.xpending(STREAM, GROUP)["pending"] == 6

    survivor = aioredis.Redis(host=srv.host, port=srv.port)
    try:
        srv.clock.advance(MIN_IDLE_MS / 1000 + 1)
        taken = 0
        cursor = "0-0"
        for _ in range(MAX_ROUNDS):
            cursor_raw, claimed, _deleted = await survivor.xautoclaim(
                STREAM, GROUP, "c2", MIN_IDLE_MS, cursor, count=4)
            await aprocess(survivor, claimed)
            taken += len(claimed)
            cursor = cursor_raw.decode()
            if cursor == "0-0":
                break
        assert taken == 6
    finally:
        await survivor.aclose()
    check_groups(srv)
    assert_exactly_once(admin, 2 * EVENTS_PER_PHASE)
