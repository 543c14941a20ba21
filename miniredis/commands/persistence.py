"""Persistence commands: BGREWRITEAOF (Redis 7.0's aof.c bgrewriteaofCommand), and the AOF's cron task.

BGREWRITEAOF works whether or not ``appendonly`` is on, as in Redis 7.0: with AOF off it writes a
new base and a manifest naming only that base. Replies, as observed on 7.0.15:
``+Background append only file rewriting started``, or
``-ERR Background append only file rewriting already in progress``; inside MULTI/EXEC
``+Background append only file rewriting scheduled`` (the cron starts it after the transaction).
SAVE and BGSAVE (RDB) are not implemented, so they are not registered.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from miniredis.commands.registry import command
from miniredis.errors import CommandError
from miniredis.protocol.replies import Simple
from miniredis.server.app import Server

if TYPE_CHECKING:
    from miniredis.server.client import Client

log = logging.getLogger("miniredis")

REWRITE_STARTED = "Background append only file rewriting started"
REWRITE_SCHEDULED = "Background append only file rewriting scheduled"
REWRITE_IN_PROGRESS = "ERR Background append only file rewriting already in progress"
REWRITE_FAILED = "ERR Can't execute an AOF background rewriting. Please check the server logs for more information."


@command("bgrewriteaof")
def bgrewriteaof(client: Client, argv: list[bytes]) -> object:
    aof = client.server.aof
    if aof.rewrite_in_progress:
        raise CommandError(REWRITE_IN_PROGRESS)
    if client.in_exec:
        # Inside MULTI/EXEC Redis only schedules it: a fork now would snapshot half a transaction.
        aof.rewrite_scheduled = True
        return Simple(REWRITE_SCHEDULED)
    try:
        aof.start_rewrite()
    except OSError as error:
        log.warning("Can't rewrite append only file in background: %s", error)
        raise CommandError(REWRITE_FAILED) from None
    return Simple(REWRITE_STARTED)


def aof_cron(server: Server) -> None:
    """Every cron tick: write what is buffered, everysec fsync, rewrite child status, auto rewrite."""
    aof = server.aof
    if aof.enabled or aof.child_pid or aof.buf or aof.rewrite_scheduled:
        aof.cron()


Server.cron_tasks.append(aof_cron)
