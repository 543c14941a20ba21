"""One numbered database: keys, their values and their expiry times (Redis's ``redisDb`` and db.c).

Every read goes through ``lookup`` (lazy expiry: a key past its time is deleted on access, so no
command ever sees it), every change through ``signal_modified`` (Redis's ``signalModifiedKey``:
it breaks the WATCH of every client watching the key and marks the key ready for clients blocked
on it). Expiry times are absolute Unix times in milliseconds, read against the server's clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis.errors import WRONGTYPE, CommandError

if TYPE_CHECKING:
    from miniredis.server.app import Server
    from miniredis.server.client import Client


class Db:
    __slots__ = ("id", "data", "expires", "watched", "blocking", "server", "avg_ttl")

    def __init__(self, server: Server, index: int) -> None:
        self.id = index
        self.server = server
        self.data: dict[bytes, object] = {}
        self.expires: dict[bytes, int] = {}
        # key -> clients that WATCH it (multi.c watched_keys)
        self.watched: dict[bytes, set[Client]] = {}
        # key -> blocked-client waiters, owned by the blocking module; only its presence is read here
        self.blocking: dict[bytes, object] = {}
        self.avg_ttl = 0

    # --- reads -------------------------------------------------------------------------------------
    def lookup(self, key: bytes) -> object | None:
        """The value at ``key``, or None; an expired key is deleted first (lookupKeyRead/Write)."""
        if key in self.expires and self.expires[key] <= self.server.clock.time_ms():
            self.expire_now(key)
            return None
        return self.data.get(key)

    def lookup_read(self, key: bytes) -> object | None:
        """``lookup`` for read commands: also counts INFO keyspace_hits / keyspace_misses."""
        value = self.lookup(key)
        stats = self.server.stats
        if value is None:
            stats.keyspace_misses += 1
        else:
            stats.keyspace_hits += 1
        return value

    def lookup_typed(self, key: bytes, kind: type) -> object | None:
        """Like ``lookup``, raising WRONGTYPE if the key holds another type."""
        value = self.lookup(key)
        if value is not None and type(value) is not kind:
            raise CommandError(WRONGTYPE)
        return value

    def exists(self, key: bytes) -> bool:
        return self.lookup(key) is not None

    def ttl_ms(self, key: bytes) -> int | None:
        """Milliseconds left for ``key`` (it must exist), or None when it has no expiry."""
        when = self.expires.get(key)
        if when is None:
            return None
        return max(0, when - self.server.clock.time_ms())

    # --- writes ------------------------------------------------------------------------------------
    def set(self, key: bytes, value: object, keep_ttl: bool = False) -> None:
        """Store ``value`` (Redis's setKey): the key's TTL is dropped unless ``keep_ttl``."""
        self.data[key] = value
        if not keep_ttl and key in self.expires:
            del self.expires[key]
        self.signal_modified(key)

    def add(self, key: bytes, value: object) -> None:
        """Create a new key (dbAdd); the caller knows it does not exist."""
        self.data[key] = value
        self.signal_modified(key)

    def delete(self, key: bytes) -> bool:
        """Remove ``key`` if present (dbDelete), signalling the change."""
        if key in self.data:
            del self.data[key]
            self.expires.pop(key, None)
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
        return removed

    def __len__(self) -> int:
        return len(self.data)
