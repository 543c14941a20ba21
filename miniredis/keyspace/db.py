"""One numbered database: keys, their values and their expiry times (Redis's ``redisDb`` and db.c).

Every read goes through ``lookup`` (lazy expiry: a key past its time is deleted on access, so no
command ever sees it), every change through ``signal_modified`` (Redis's ``signalModifiedKey``:
it breaks the WATCH of every client watching the key and marks the key ready for clients blocked
on it). Expiry times are absolute Unix times in milliseconds, read against the server's clock.

Access times (OBJECT IDLETIME, Redis's per-object LRU field) live in ``access``: key -> the db's
``lru_ms`` at the last touching lookup or write. ``lru_ms`` is a cached clock that the cron
refreshes every tick (``keyspace.expiry``), as Redis caches its LRU clock in serverCron, so a hit
costs one dict store (~20 ns, no clock read). Misses store nothing. Entries of keys that other
code deleted without ``delete`` are pruned by the cron. Lookups that must not touch (TYPE, EXISTS,
TTL, OBJECT: Redis's LOOKUP_NOTOUCH) use ``peek``. With an LFU maxmemory policy ``access`` is an
``LfuAccess`` dict whose stores also update Redis's logarithmic access counter (OBJECT FREQ).

SCAN's cursor (``scan``) is a position in a fixed order of all possible keys: by the 64-bit hash
of the key. A scan that started at cursor 0 reads a snapshot of the keys sorted in that order,
built at its start; cursor c means "every key whose position is below c has been returned". As the
order does not depend on what else is in the dict, a key present for the whole scan is returned
exactly once, whatever is added or removed between calls, and however the dict is resized.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable
from itertools import islice
from typing import TYPE_CHECKING, TypeVar, cast

from miniredis.errors import WRONGTYPE, CommandError

if TYPE_CHECKING:
    from miniredis.server.app import Server
    from miniredis.server.client import Client

HASH_OFFSET = 1 << 63  # Python's signed 64-bit hash shifted to 0 .. 2**64 - 1: the cursor space
CURSOR_END = 1 << 64

LFU_INIT_VAL = 5  # a new key's LFU counter (server.h)


class LfuAccess(dict[bytes, int]):
    """``access`` under an LFU policy: key -> ``counter << 32 | minutes`` (Redis's 24-bit LFU field).

    A store (a touching lookup) decays the counter by the minutes passed (lfu-decay-time) and
    increments it with probability 1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1), as the
    redis.conf documentation of LFU describes. ``now`` is the db's cached clock in ms.
    """

    __slots__ = ("log_factor", "decay_time")

    def __init__(self, log_factor: int = 10, decay_time: int = 1) -> None:
        super().__init__()
        self.log_factor = log_factor
        self.decay_time = decay_time

    def counter(self, key: bytes, now_ms: int) -> int:
        """The decayed counter (OBJECT FREQ); a key never touched in LFU mode starts at LFU_INIT_VAL."""
        packed = dict.get(self, key)
        if packed is None:
            return LFU_INIT_VAL
        counter, minutes = packed >> 32, packed & 0xFFFFFFFF
        if self.decay_time:
            counter = max(0, counter - (now_ms // 60000 - minutes) // self.decay_time)
        return counter

    def __setitem__(self, key: bytes, now_ms: int) -> None:
        counter = self.counter(key, now_ms) if key in self else LFU_INIT_VAL - 1
        if counter < 255:
            base = max(0, counter - LFU_INIT_VAL)
            if random.random() < 1.0 / (base * self.log_factor + 1):
                counter += 1
        dict.__setitem__(self, key, counter << 32 | (now_ms // 60000))


class Db:
    __slots__ = (
        "id", "data", "expires", "watched", "blocking", "server", "avg_ttl", "access", "lru_ms", "scan_order",
        "scan_keys", "sweep", "sweep_pos",
    )

    def __init__(self, server: Server, index: int) -> None:
        self.id = index
        self.server = server
        self.data: dict[bytes, object] = {}
        self.expires: dict[bytes, int] = {}
        # key -> clients that WATCH it (multi.c watched_keys)
        self.watched: dict[bytes, set[Client]] = {}
        # key -> blocked-client waiters, owned by the blocking module; only its presence is read here
        self.blocking: dict[bytes, object] = {}
        self.avg_ttl = 0  # running estimate of the TTL of volatile keys, kept by the active expire cycle
        self.access: dict[bytes, int] = {}  # key -> lru_ms at its last access (see the module docstring)
        self.lru_ms = server.clock.time_ms()  # cached clock, refreshed by the cron
        # SCAN snapshot: positions (sorted) and the keys at those positions; None when no scan runs.
        self.scan_order: list[int] | None = None
        self.scan_keys: list[bytes] = []
        # Active expiry: a snapshot of the volatile keys being swept, and the sweep position.
        self.sweep: list[bytes] = []
        self.sweep_pos = 0

    # --- reads -------------------------------------------------------------------------------------
    def lookup(self, key: bytes) -> object | None:
        """The value at ``key``, or None; an expired key is deleted first (lookupKeyRead/Write)."""
        if key in self.expires and self.expires[key] <= self.server.clock.time_ms():
            self.expire_now(key)
            return None
        value = self.data.get(key)
        if value is not None:
            self.access[key] = self.lru_ms
        return value

    def lookup_read(self, key: bytes) -> object | None:
        """``lookup`` for read commands: also counts INFO keyspace_hits / keyspace_misses."""
        # lookup() inlined: this is the hot path of every read command.
        if key in self.expires and self.expires[key] <= self.server.clock.time_ms():
            self.expire_now(key)
            value = None
        else:
            value = self.data.get(key)
        server = self.server
        if value is not None:
            self.access[key] = self.lru_ms
            server.stats.keyspace_hits += 1
            return value
        server.stats.keyspace_misses += 1
        # Keyspace notifications, class "m": every read miss is a "keymiss" event (lookupKeyRead).
        if "m" in server.keyspace_events:
            server.notify(self, "keymiss", key, "m")
        return None

    def peek(self, key: bytes) -> object | None:
        """``lookup`` without touching the access time (LOOKUP_NOTOUCH): an expired key is still deleted."""
        if key in self.expires and self.expires[key] <= self.server.clock.time_ms():
            self.expire_now(key)
            return None
        return self.data.get(key)

    def peek_read(self, key: bytes, notify: bool = True) -> object | None:
        """``peek`` that counts keyspace hits and misses (TYPE, EXISTS, TTL, OBJECT).

        A miss sends "keymiss" (class "m") as any read does, unless ``notify`` is False: OBJECT's
        lookups count the miss but send nothing (Redis's LOOKUP_NONOTIFY)."""
        value = self.peek(key)
        server = self.server
        if value is None:
            server.stats.keyspace_misses += 1
            if notify and "m" in server.keyspace_events:
                server.notify(self, "keymiss", key, "m")
        else:
            server.stats.keyspace_hits += 1
        return value

    def exists(self, key: bytes) -> bool:
        return self.peek(key) is not None

    def is_expired(self, key: bytes, now_ms: int) -> bool:
        """Whether ``key`` is past its expiry time (keyIsExpired): nothing is deleted."""
        when = self.expires.get(key)
        return when is not None and when <= now_ms

    def ttl_ms(self, key: bytes) -> int | None:
        """Milliseconds left for ``key`` (it must exist), or None when it has no expiry."""
        when = self.expires.get(key)
        if when is None:
            return None
        return max(0, when - self.server.clock.time_ms())

    def idle_ms(self, key: bytes) -> int:
        """Milliseconds since ``key`` (which exists) was last touched (OBJECT IDLETIME)."""
        last = self.access.get(key)
        if last is None or isinstance(self.access, LfuAccess):
            return 0
        return max(0, self.server.clock.time_ms() - last)

    def random_key(self) -> bytes | None:
        """A random live key (RANDOMKEY); expired keys met on the way are deleted, as Redis does."""
        data = self.data
        # A pick costs O(n) (a dict has no random access, islice walks it in C). After a few expired
        # picks, every expired key is deleted in one pass, so a db full of expired keys costs O(n),
        # not O(n^2); the picks that follow can only find live keys.
        for _ in range(16):
            if not data:
                return None
            key = next(islice(data, random.randrange(len(data)), None))
            when = self.expires.get(key)
            if when is None or when > self.server.clock.time_ms():
                return key
            self.expire_now(key)
        now = self.server.clock.time_ms()
        for key in [key for key, when in self.expires.items() if when <= now]:
            self.expire_now(key)
        if not data:
            return None
        return next(islice(data, random.randrange(len(data)), None))

    # --- writes ------------------------------------------------------------------------------------
    def set(self, key: bytes, value: object, keep_ttl: bool = False) -> None:
        """Store ``value`` (Redis's setKey): the key's TTL is dropped unless ``keep_ttl``.

        As setKey looks the key up for writing first, a key past its expiry time is deleted (and its
        "expired" event sent) before the store; storing a key that does not exist sends "new" (class "n").
        """
        expires = self.expires
        if key in expires and expires[key] <= self.server.clock.time_ms():
            self.expire_now(key)
        if "n" in self.server.keyspace_events and key not in self.data:
            self.server.notify(self, "new", key, "n")
        self.data[key] = value
        self.access[key] = self.lru_ms
        if not keep_ttl and key in self.expires:
            del self.expires[key]
        self.signal_modified(key)

    def add(self, key: bytes, value: object) -> None:
        """Create a new key (dbAdd); the caller knows it does not exist. Every key creation passes
        here or through ``set``: the one place for the "new" keyspace event (class "n")."""
        if "n" in self.server.keyspace_events:
            self.server.notify(self, "new", key, "n")
        self.data[key] = value
        self.access[key] = self.lru_ms
        self.signal_modified(key)

    def delete(self, key: bytes) -> bool:
        """Remove ``key`` if present (dbDelete), signalling the change."""
        if key in self.data:
            del self.data[key]
            self.expires.pop(key, None)
            self.access.pop(key, None)
            self.signal_modified(key)
            return True
        return False

    def set_expire(self, key: bytes, when_ms: int) -> None:
        self.expires[key] = when_ms

    def persist(self, key: bytes) -> bool:
        return self.expires.pop(key, None) is not None

    def expire_now(self, key: bytes) -> None:
        """Delete a key whose time has come, as Redis's deleteExpiredKeyAndPropagate does."""
        del self.data[key]
        del self.expires[key]
        self.access.pop(key, None)
        server = self.server
        server.stats.expired_keys += 1
        server.propagate_expired(self, key)
        server.notify(self, "expired", key, "x")
        self.signal_modified(key)

    def signal_modified(self, key: bytes) -> None:
        """signalModifiedKey: break WATCH on ``key``; wake clients blocked on it."""
        if self.watched:
            watchers = self.watched.get(key)
            if watchers:
                for client in watchers:
                    client.dirty_cas = True
        if self.blocking and key in self.blocking:
            self.server.ready_keys.add((self, key))

    def flush(self) -> int:
        """Remove every key (FLUSHDB); watchers of keys that existed are touched, as in Redis."""
        removed = len(self.data)
        if self.watched:
            for key, watchers in self.watched.items():
                if key in self.data:
                    for client in watchers:
                        client.dirty_cas = True
        self.data = {}
        self.expires = {}
        access = self.access
        self.access = LfuAccess(access.log_factor, access.decay_time) if isinstance(access, LfuAccess) else {}
        self.avg_ttl = 0
        self.scan_order = None
        self.scan_keys = []
        self.sweep = []
        self.sweep_pos = 0
        return removed

    def swap_with(self, other: Db) -> None:
        """SWAPDB's exchange of contents: keys, expiry times, access times and the scan/sweep state."""
        for name in ("data", "expires", "access", "avg_ttl", "scan_order", "scan_keys", "sweep", "sweep_pos"):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, theirs)
            setattr(other, name, mine)

    # --- SCAN ----------------------------------------------------------------------------------------
    def scan(self, cursor: int, count: int) -> tuple[int, list[bytes]]:
        """Up to about ``count`` keys from position ``cursor`` on, and the next cursor (0: done).

        Returned keys may be expired or filtered by the caller. Cursor 0 takes a new snapshot of the
        key order (so every scan reads a snapshot taken at or after its own start); a small db is
        returned whole without one.
        """
        data = self.data
        if cursor == 0:
            if len(data) <= count:
                self.scan_order = None
                return 0, list(data)
            self._snapshot()
        elif self.scan_order is None:
            # Another scan finished and dropped the snapshot: one taken now still holds every key that
            # has been present since this scan started.
            self._snapshot()
        order = self.scan_order
        assert order is not None
        keys = self.scan_keys
        start = bisect_left(order, cursor)
        end = min(start + count, len(order))
        # Keys sharing a hash share a position: never cut between them.
        while end < len(order) and order[end] == order[end - 1]:
            end += 1
        found = [key for key in keys[start:end] if key in data]
        if end >= len(order):
            self.scan_order = None
            self.scan_keys = []
            return 0, found
        return order[end], found

    def _snapshot(self) -> None:
        keys = sorted(self.data, key=hash)
        self.scan_keys = keys
        self.scan_order = [hash(key) + HASH_OFFSET for key in keys]

    def __len__(self) -> int:
        return len(self.data)


T = TypeVar("T")


def typed_lookups(kind: type[T]) -> tuple[Callable[[Db, bytes], T | None], Callable[[Db, bytes], T | None]]:
    """The (read, write) lookups of one value type: the value at a key, None for a missing key, and
    WRONGTYPE for a key holding another type (the type compared exactly).

    ``read`` looks up as a read command does (``lookup_read``: keyspace hits/misses, keymiss
    event), ``write`` as a write command does (``lookup``). Each family module builds its pair
    once, e.g. ``read_zset, write_zset = typed_lookups(ZSet)``: no extra call per lookup."""

    def read(db: Db, key: bytes) -> T | None:
        value = db.lookup_read(key)
        if value is None or type(value) is kind:
            return cast(T, value)
        raise CommandError(WRONGTYPE)

    def write(db: Db, key: bytes) -> T | None:
        value = db.lookup(key)
        if value is None or type(value) is kind:
            return cast(T, value)
        raise CommandError(WRONGTYPE)

    return read, write
