"""Crash tests: a miniredis subprocess with the AOF on is SIGKILLed at random moments while clients
write; after a restart on the same directory every acknowledged write must be there.

With ``appendfsync always`` this is the contract. With ``everysec`` Redis may lose up to a second of
writes on an OS crash; a killed *process* loses nothing that was acknowledged, because the records
are written (to the page cache) before any reply leaves, as Redis does — so the same check holds.
Some rounds start a BGREWRITEAOF just before the kill, so crashes land inside rewrites too.
The default run does 3 rounds per policy; the slow test does 20 (``-m slow``).
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis

Make = Callable[..., Any]  # the conftest's ``mini`` factory



@dataclass
class Acked:
    """What one writer thread saw acknowledged (and the one write possibly in flight at the kill)."""

    sets: dict[str, str] = field(default_factory=dict)
    hash_fields: dict[str, str] = field(default_factory=dict)
    expiring: set[str] = field(default_factory=set)
    pushes: list[str] = field(default_factory=list)
    incrs: int = 0
    stream_ids: list[bytes] = field(default_factory=list)


def writer(port: int, name: str, acked: Acked, stop: threading.Event, use_streams: bool) -> None:
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)
    step = 0
    try:
        while not stop.is_set() and step < 1_000_000:
            step += 1
            kind = step % (5 if use_streams else 4)
            value = f"{name}-{step}"
            if kind == 0:
                client.set(f"s:{value}", value)
                acked.sets[f"s:{value}"] = value
            elif kind == 1:
                client.hset(f"h:{name}", value, step)
                acked.hash_fields[value] = str(step)
            elif kind == 2:
                client.set(f"e:{value}", value, ex=3600)
                acked.expiring.add(f"e:{value}")
                client.incr(f"n:{name}")
                acked.incrs += 1
            elif kind == 3:
                client.rpush(f"l:{name}", value)
                acked.pushes.append(value)
            else:
                acked.stream_ids.append(client.xadd(f"x:{name}", {"v": value}))
    except (redis.ConnectionError, redis.TimeoutError, ConnectionError, OSError):
        pass  # the server was killed
    finally:
        client.close()


def verify(client: redis.Redis, name: str, acked: Acked) -> None:
    if acked.sets:
        keys = list(acked.sets)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            assert client.mget(chunk) == [acked.sets[key].encode() for key in chunk]
    stored = client.hgetall(f"h:{name}")
    for field_name, value in acked.hash_fields.items():
        assert stored.get(field_name.encode()) == value.encode(), field_name
    for key in acked.expiring:
        assert client.ttl(key) > 3000, key
    counter = int(client.get(f"n:{name}") or 0)
    assert acked.incrs <= counter <= acked.incrs + 1
    pushed = [item.decode() for item in client.lrange(f"l:{name}", 0, -1)]
    assert pushed[:len(acked.pushes)] == acked.pushes and len(pushed) <= len(acked.pushes) + 1
    if acked.stream_ids:
        ids = [entry[0] for entry in client.xrange(f"x:{name}")]
        assert ids[:len(acked.stream_ids)] == acked.stream_ids


def has_command(client: redis.Redis, *argv: str) -> bool:
    try:
        client.execute_command(*argv)
    except redis.ResponseError as error:
        if "unknown command" in str(error):
            return False
        raise
    return True


def crash_rounds(mini: Make, directory: Path, policy: str, rounds: int, seed: int) -> None:
    rng = random.Random(seed)
    history: list[dict[str, Acked]] = []
    for round_number in range(rounds):
        proc = mini(str(directory), "--appendfsync", policy).start()
        try:
            probe = proc.client()
            # every earlier round's acknowledged writes survived the kills and restarts since
            for earlier in history:
                for name, acked in earlier.items():
                    verify(probe, name, acked)
            use_streams = has_command(probe, "XADD", "x:probe", "MAXLEN", "0", "*", "f", "v")
            stop = threading.Event()
            acks = {f"r{round_number}w{i}": Acked() for i in range(3)}
            threads = [threading.Thread(target=writer, args=(proc.port, name, acked, stop, use_streams))
                       for name, acked in acks.items()]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.1, 0.8))
            if rng.random() < 0.4:
                try:
                    probe.bgrewriteaof()
                except redis.RedisError:
                    pass
                time.sleep(rng.uniform(0.0, 0.1))
            assert proc.proc is not None
            proc.proc.send_signal(signal.SIGKILL)
            stop.set()
            for thread in threads:
                thread.join(15)
                assert not thread.is_alive()
            probe.close()
        finally:
            proc.kill()
        history.append(acks)
        assert sum(len(acked.sets) + acked.incrs for acked in acks.values()) > 0
    final = mini(str(directory), "--appendfsync", policy).start()
    try:
        client = final.client()
        for earlier in history:
            for name, acked in earlier.items():
                verify(client, name, acked)
        client.close()
    finally:
        final.stop()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("policy", ["always", "everysec"])
def test_sigkill_keeps_acknowledged_writes(mini: Make, tmp_path: Path, policy: str) -> None:
    crash_rounds(mini, tmp_path, policy, rounds=3, seed=8)


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("policy", ["always", "everysec"])
def test_sigkill_keeps_acknowledged_writes_20_rounds(mini: Make, tmp_path: Path, policy: str) -> None:
    crash_rounds(mini, tmp_path, policy, rounds=20, seed=int(time.time()))
