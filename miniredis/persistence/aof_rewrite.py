"""AOF rewrite: the keyspace as the shortest list of commands that rebuilds it (a new base file).

The output is what Redis 7.0's rewrite emits with ``aof-use-rdb-preamble no`` (observed on 7.0.15):
``SELECT`` per non-empty db, then per key: strings ``SET`` (and ``PEXPIREAT`` for a TTL), lists
``RPUSH``, hashes ``HMSET``, sets ``SADD``, sorted sets ``ZADD`` (scores as ``%.17g``), at most 64
items per command (AOF_REWRITE_ITEMS_PER_CMD); streams ``XADD`` with each entry's explicit ID (an
empty stream is created with ``XADD key MAXLEN 0 0-1 x y``), then ``XSETID key <last-id>
ENTRIESADDED <n> MAXDELETEDID <id>``, per group ``XGROUP CREATE key group <last-id> ENTRIESREAD <n>``
(-1 when unknown), per consumer either ``XCLAIM key group consumer 0 <id> TIME <ms> RETRYCOUNT <n>
JUSTID FORCE`` for each pending entry it owns or ``XGROUP CREATECONSUMER`` when it owns none.

The snapshot: ``start_background_rewrite`` forks, as Redis does. The child holds a copy-on-write
image of the whole keyspace as it was at the fork, serialises it into a temporary file at its own
pace, fsyncs it and exits; the parent goes on serving at once (the only pause is the fork itself)
and collects the child's exit status from its cron (see ``aof.Aof``). Writes made after the fork
go to the new incremental file opened just before it, so base + new incr is exactly the data.
Where ``os.fork`` does not exist the rewrite runs in the foreground (``write_base``).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from miniredis.keyspace.objects import type_name
from miniredis.structures.quicklist import QuickList

if TYPE_CHECKING:
    from miniredis.keyspace.db import Db
    from miniredis.server.app import Server

ITEMS_PER_COMMAND = 64  # AOF_REWRITE_ITEMS_PER_CMD
WRITE_CHUNK = 1 << 20  # bytes gathered before one write(2)


_T2 = b"*2\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n"
_T3 = b"*3\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n"
_T4 = b"*4\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n"


def encode_command(argv: Iterable[bytes]) -> bytes:
    """One RESP array of bulk strings: the record format of every AOF file. The common small arities
    are one formatting operation each (this runs once per write with the AOF on)."""
    args = argv if isinstance(argv, list) else list(argv)
    count = len(args)
    if count == 3:
        a, b, c = args
        return _T3 % (len(a), a, len(b), b, len(c), c)
    if count == 2:
        a, b = args
        return _T2 % (len(a), a, len(b), b)
    if count == 4:
        a, b, c, d = args
        return _T4 % (len(a), a, len(b), b, len(c), c, len(d), d)
    return b"*%d\r\n" % count + b"".join([b"$%d\r\n%b\r\n" % (len(arg), arg) for arg in args])


def format_double(score: float) -> bytes:
    """Redis writes rewrite scores with ``%.17g`` (inf/-inf spelled so, which ZADD reads back)."""
    return b"%.17g" % score


def _batched(prefix: list[bytes], items: Iterator[bytes], per_item: int) -> Iterator[bytes]:
    """``prefix`` + up to ITEMS_PER_COMMAND items (each ``per_item`` arguments) per command."""
    batch: list[bytes] = []
    limit = ITEMS_PER_COMMAND * per_item
    for arg in items:
        batch.append(arg)
        if len(batch) == limit:
            yield encode_command(prefix + batch)
            batch = []
    if batch:
        yield encode_command(prefix + batch)


def _zset_items(value: object) -> Iterator[tuple[bytes, float]]:
    """(member, score) of a sorted set in rank order: iterating a ``ZSet`` (structures/zset.py) yields
    its (score, member) pairs in that order."""
    for score, member in value:  # type: ignore[attr-defined]
        yield member, score


def _stream_commands(key: bytes, stream: object) -> Iterator[bytes]:
    from miniredis.structures.stream import MAX_ID, MIN_ID, format_id

    length = stream.length  # type: ignore[attr-defined]
    if length:
        for entry_id, node, entry in stream.range(MIN_ID, MAX_ID):  # type: ignore[attr-defined]
            fields = entry[2] if entry[2] is not None else node.fields
            argv = [b"XADD", key, format_id(entry_id)]
            for field, value in zip(fields, entry[3], strict=True):
                argv.append(field)
                argv.append(value)
            yield encode_command(argv)
    else:
        # An empty stream is created by adding and trimming away one entry (Redis's MAXLEN 0 trick).
        yield encode_command([b"XADD", key, b"MAXLEN", b"0", b"0-1", b"x", b"y"])
    yield encode_command([
        b"XSETID", key, format_id(stream.last_id),  # type: ignore[attr-defined]
        b"ENTRIESADDED", b"%d" % stream.entries_added,  # type: ignore[attr-defined]
        b"MAXDELETEDID", format_id(stream.max_deleted_id),  # type: ignore[attr-defined]
    ])
    for name, group in stream.groups.items():  # type: ignore[attr-defined]
        entries_read = group.entries_read
        yield encode_command([
            b"XGROUP", b"CREATE", key, name, format_id(group.last_id),
            b"ENTRIESREAD", b"%d" % (entries_read if entries_read is not None else -1),
        ])
        for consumer in group.consumers.values():
            if not consumer.pel:
                yield encode_command([b"XGROUP", b"CREATECONSUMER", key, name, consumer.name])
                continue
            for entry_id, nack in consumer.pel.items():
                yield encode_command([
                    b"XCLAIM", key, name, consumer.name, b"0", format_id(entry_id),
                    b"TIME", b"%d" % nack.delivery_time, b"RETRYCOUNT", b"%d" % nack.delivery_count,
                    b"JUSTID", b"FORCE",
                ])


def key_commands(key: bytes, value: object, expire_ms: int | None) -> Iterator[bytes]:
    """The records that rebuild one key (see the module docstring for the per-type forms)."""
    kind = type(value)
    if kind is bytes:
        yield encode_command([b"SET", key, value])  # type: ignore[list-item]
    elif kind is int:
        yield encode_command([b"SET", key, b"%d" % value])  # type: ignore[str-format]
    elif kind is QuickList:
        yield from _batched([b"RPUSH", key], iter(value), 1)  # type: ignore[call-overload]
    elif kind is dict:
        yield from _batched([b"HMSET", key], (arg for pair in value.items() for arg in pair), 2)  # type: ignore[attr-defined]
    elif kind is set:
        yield from _batched([b"SADD", key], iter(value), 1)  # type: ignore[call-overload]
    else:
        from miniredis.structures.stream import Stream

        name = type_name(value)
        if name == b"zset":
            items = (arg for member, score in _zset_items(value) for arg in (format_double(score), member))
            yield from _batched([b"ZADD", key], items, 2)
        elif name == b"stream" or kind is Stream:
            yield from _stream_commands(key, value)
        else:
            raise TypeError(f"cannot serialise a value of type {type(value).__name__}")
    if expire_ms is not None:
        yield encode_command([b"PEXPIREAT", key, b"%d" % expire_ms])


def db_commands(db: Db) -> Iterator[bytes]:
    if not db.data:
        return
    yield encode_command([b"SELECT", b"%d" % db.id])
    expires = db.expires
    for key, value in db.data.items():
        yield from key_commands(key, value, expires.get(key))


def keyspace_commands(server: Server) -> Iterator[bytes]:
    for db in server.dbs:
        yield from db_commands(db)


def write_base(server: Server, path: str) -> int:
    """Serialise the whole keyspace into ``path`` (created), fsync it; returns its size."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    size = 0
    try:
        pending: list[bytes] = []
        gathered = 0
        for record in keyspace_commands(server):
            pending.append(record)
            gathered += len(record)
            if gathered >= WRITE_CHUNK:
                size += _write_all(fd, b"".join(pending))
                pending, gathered = [], 0
        if pending:
            size += _write_all(fd, b"".join(pending))
        os.fsync(fd)
    finally:
        os.close(fd)
    return size


def _write_all(fd: int, data: bytes) -> int:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return len(data)


def can_fork() -> bool:
    return hasattr(os, "fork")


def _close_sockets(server: Server) -> None:
    """In the child: drop its copies of the client and listening sockets, so that a connection the parent
    closes is closed for the peer at once, not when the child exits."""
    fds = [client.fd for client in server.clients.values() if client.fd >= 0]
    for listener in getattr(server, "_servers", ()):
        fds.extend(sock.fileno() for sock in listener.sockets)
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def start_background_rewrite(server: Server, path: str) -> int:
    """Fork a child that writes the base to ``path`` and exits 0 (1 on failure); returns its pid."""
    pid = os.fork()
    if pid:
        return pid
    # --- child: never returns. The collector would only touch pages (copying them) and run
    # finalizers of objects shared with the parent; nothing here outlives the process.
    code = 1
    try:
        gc.disable()
        _close_sockets(server)
        write_base(server, path)
        code = 0
    except BaseException:  # noqa: BLE001  (the exit status is the report; the parent logs it)
        code = 1
    finally:
        os._exit(code)
