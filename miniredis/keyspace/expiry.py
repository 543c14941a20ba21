"""Active expiry (Redis's activeExpireCycle) and the cached clocks the cron refreshes.

Keys with a TTL are deleted lazily when a command touches them (``Db.lookup``) and actively by this
cycle, which runs on every cron tick (``Server.cron_tasks``). Like Redis 6+, which walks the expires
dict with a cursor instead of sampling at random, each db sweeps a snapshot of its volatile keys in
batches of 20 (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP), deleting those past their time; it keeps going
while more than 10% of a batch had expired (Redis 7.0's acceptable stale share at
active-expire-effort 1) and the tick's time budget (25% of a cron period, as Redis's slow cycle)
lasts. A sweep that reaches the end of its snapshot takes a new one. Each deletion goes through
``Db.expire_now``: ``expired_keys`` counted, DEL propagated, the ``expired`` event sent, WATCH broken.

Times are read from ``server.clock``, so a ``ManualClock`` drives expiry: tests advance the clock and
call ``expire_cycle(server, budget_ms)`` through ``srv.call`` (or wait for the next tick).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from miniredis.keyspace.db import LfuAccess
from miniredis.server.app import Server

if TYPE_CHECKING:
    from miniredis.keyspace.db import Db

KEYS_PER_LOOP = 20  # ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
ACCEPTABLE_STALE_PERCENT = 10  # 7.0 at active-expire-effort 1
SLOW_TIME_PERCENT = 25  # ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC: share of a cron period the cycle may use
MAX_SWEEP_ROUNDS = 1_000_000  # a hard bound on batches per db per call; the time budget ends it far sooner


@dataclass
class ExpireStats:
    """INFO stats fields of the expire cycle: expired_stale_perc, expired_time_cap_reached_count,
    expire_cycle_cpu_milliseconds."""

    stale_perc: float = 0.0
    time_cap_reached_count: int = 0
    cpu_us: int = 0


def expire_stats(server: Server) -> ExpireStats:
    stats = server.expire_stats
    if stats is None:
        stats = server.expire_stats = ExpireStats()
    return stats


def expire_db(db: Db, deadline: float) -> tuple[int, int, bool]:
    """Sweep ``db``'s volatile keys until the stale share drops or ``deadline`` (perf_counter) passes.

    Returns ``(sampled, expired, time_cap_reached)``.
    """
    expires = db.expires
    if not expires:
        db.avg_ttl = 0
        db.sweep = []
        db.sweep_pos = 0
        return 0, 0, False
    now = db.server.clock.time_ms()
    sampled = expired = 0
    ttl_sum = ttl_count = 0
    restarted = False
    time_capped = False
    for _ in range(MAX_SWEEP_ROUNDS):
        if db.sweep_pos >= len(db.sweep):
            if restarted:  # the whole keyspace was swept once in this call
                break
            db.sweep = list(expires)
            db.sweep_pos = 0
            restarted = True
        batch = db.sweep[db.sweep_pos:db.sweep_pos + KEYS_PER_LOOP]
        db.sweep_pos += len(batch)
        batch_expired = batch_sampled = 0
        for key in batch:
            when = expires.get(key)
            if when is None:  # deleted or persisted since the snapshot
                continue
            batch_sampled += 1
            if when <= now:
                db.expire_now(key)
                batch_expired += 1
            else:
                ttl_sum += when - now
                ttl_count += 1
        expired += batch_expired
        sampled += batch_sampled
        if time.perf_counter() >= deadline:
            time_capped = True
            break
        # A batch of keys that all left since the snapshot says nothing about staleness: go on.
        if batch_sampled and batch_expired * 100 <= batch_sampled * ACCEPTABLE_STALE_PERCENT:
            break
    if ttl_count:
        # Redis's running estimate: the new sample weighs 2% (db->avg_ttl in activeExpireCycle).
        average = ttl_sum // ttl_count
        db.avg_ttl = average if not db.avg_ttl else (db.avg_ttl // 50) * 49 + average // 50
    return sampled, expired, time_capped


def expire_cycle(server: Server, budget_ms: float) -> int:
    """One active expire cycle over every db within ``budget_ms``; returns the number of keys expired."""
    started = time.perf_counter()
    deadline = started + budget_ms / 1000
    stats = expire_stats(server)
    sampled = expired = 0
    capped = False
    for db in server.dbs:
        if not db.expires:
            db.avg_ttl = 0
            continue
        db_sampled, db_expired, capped = expire_db(db, deadline)
        sampled += db_sampled
        expired += db_expired
        if capped:
            stats.time_cap_reached_count += 1
            break
    if sampled:
        # expired_stale_perc: a running average, as Redis keeps it (5% weight per cycle).
        stats.stale_perc = (expired / sampled) * 0.05 + stats.stale_perc * 0.95
    stats.cpu_us += int((time.perf_counter() - started) * 1_000_000)
    return expired


def refresh_clocks(server: Server) -> None:
    """Refresh each db's cached LRU clock and switch its access table with the maxmemory policy."""
    now = server.clock.time_ms()
    config = server.config
    lfu = "lfu" in config.maxmemory_policy
    for db in server.dbs:
        db.lru_ms = now
        access = db.access
        if lfu != isinstance(access, LfuAccess):
            # Switching policy restarts the access data, as Redis's note on OBJECT FREQ/IDLETIME warns.
            fresh: dict[bytes, int] = (
                LfuAccess(getattr(config, "lfu_log_factor", 10), getattr(config, "lfu_decay_time", 1)) if lfu else {}
            )
            for key in db.data:
                fresh[key] = now
            db.access = fresh
        elif len(access) > 2 * len(db.data) + 1024:
            # Keys removed by code that bypassed Db.delete leave entries behind: prune them.
            data = db.data
            for key in [key for key in access if key not in data]:
                del access[key]


def active_expire(server: Server) -> None:
    """The cron task: refresh cached clocks, then expire within 25% of a cron period."""
    refresh_clocks(server)
    hz = max(1, min(500, server.config.hz))
    expire_cycle(server, 1000 / hz * SLOW_TIME_PERCENT / 100)


Server.cron_tasks.append(active_expire)
