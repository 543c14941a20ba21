"""Pub/Sub delivery (Redis's pubsub.c) and keyspace notifications (notify.c).

The hub keeps, per channel, pattern and shard channel, its subscribers in subscription order.
PUBLISH delivers to the channel's subscribers first, then once per matching pattern subscription
(a client subscribed to a channel and to two patterns matching it receives three messages, and
the count says 3). A message is encoded once per protocol and the same bytes are appended to
each subscriber's output list (``PubSubHub._deliver``, ``Client.push_raw`` inlined); the lists are
written once per event-loop pass, however many messages arrive in between, and each subscriber
sees one publisher's messages in order. Slow subscribers are cut off by the output-buffer limits
checked after each write (``Client.check_output_limits``).

Keyspace notifications (``notify-keyspace-events``) are messages on ``__keyspace@<db>__:<key>``
(payload: the event) and ``__keyevent@<db>__:<event>`` (payload: the key), sent by
``Server.notify`` when the event's class is enabled. ``new`` (class n) is sent by ``Db.set`` and
``Db.add``, the two places every key is created; ``keymiss`` (class m) by ``Db.lookup_read`` and
``Db.peek_read``, the read lookups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis.glob import glob_match

if TYPE_CHECKING:
    from miniredis.keyspace.db import Db
    from miniredis.server.app import Server
    from miniredis.server.client import Client

# The classes "A" stands for (notify.c): generic, string, list, set, hash, zset, expired, evicted,
# stream, module.
ALL_CLASSES = "g$lshzxetd"


def expand_event_classes(flags: str) -> frozenset[str]:
    classes = set(flags)
    if "A" in classes:
        classes.update(ALL_CLASSES)
    return frozenset(classes)


class PubSubHub:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.channels: dict[bytes, dict[Client, None]] = {}
        self.patterns: dict[bytes, dict[Client, None]] = {}
        self.shard_channels: dict[bytes, dict[Client, None]] = {}
        self._classes_for = ""
        self._classes: frozenset[str] = frozenset()

    # --- subscriptions -----------------------------------------------------------------------------
    def subscribe(self, client: Client, channel: bytes, kind: str) -> bool:
        """Add a subscription (kind: "channel", "pattern", "shard"); False if it already existed."""
        own = _client_set(client, kind)
        if channel in own:
            return False
        own[channel] = None
        self._table(kind).setdefault(channel, {})[client] = None
        client.update_restricted()
        return True

    def unsubscribe(self, client: Client, channel: bytes, kind: str) -> bool:
        own = _client_set(client, kind)
        if channel not in own:
            return False
        del own[channel]
        table = self._table(kind)
        subscribers = table.get(channel)
        if subscribers is not None:
            subscribers.pop(client, None)
            if not subscribers:
                del table[channel]
        client.update_restricted()
        return True

    def forget(self, client: Client) -> None:
        """Drop every subscription of a client that went away (or RESET)."""
        for kind in ("channel", "pattern", "shard"):
            for channel in list(_client_set(client, kind)):
                self.unsubscribe(client, channel, kind)

    def _table(self, kind: str) -> dict[bytes, dict[Client, None]]:
        return self.channels if kind == "channel" else self.patterns if kind == "pattern" else self.shard_channels

    # --- publishing --------------------------------------------------------------------------------
    def publish(self, channel: bytes, message: bytes) -> int:
        receivers = 0
        subscribers = self.channels.get(channel)
        if subscribers:
            body = b"$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(channel), channel, len(message), message)
            receivers += self._deliver(subscribers, b"*3\r\n", b">3\r\n", body)
        if self.patterns:
            for pattern, clients in self.patterns.items():
                if glob_match(pattern, channel):
                    body = b"$8\r\npmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
                        len(pattern), pattern, len(channel), channel, len(message), message)
                    receivers += self._deliver(clients, b"*4\r\n", b">4\r\n", body)
        return receivers

    def spublish(self, channel: bytes, message: bytes) -> int:
        subscribers = self.shard_channels.get(channel)
        if not subscribers:
            return 0
        body = b"$8\r\nsmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(channel), channel, len(message), message)
        return self._deliver(subscribers, b"*3\r\n", b">3\r\n", body)

    def _deliver(self, subscribers: dict[Client, None], head2: bytes, head3: bytes, body: bytes) -> int:
        """Queue one message on every subscriber; returns the number of receivers.

        The frame is built once per protocol (``head2``/``head3`` + ``body``: an array in RESP2, a push
        in RESP3) and the same bytes object is appended to each subscriber's output list. This loop
        runs once per subscriber per message, so it is ``Client.push_raw`` inlined: skip a client
        being closed, append, and put the client on the server's flush queue once per loop pass
        (``Server._flush_all`` writes each queued client's output in one ``transport.write``).
        Delivering never changes ``subscribers`` (a slow client is dropped at flush time, and leaves
        the tables when its connection is lost), so the dict is iterated without a copy.
        """
        server = self.server
        queue = server._flush_queue
        was_empty = not queue
        data2 = head2 + body
        data3: bytes | None = None
        for client in subscribers:
            if client.closed or client.close_after_reply:
                continue
            if client.resp == 2:
                client.out.append(data2)
            else:
                if data3 is None:
                    data3 = head3 + body
                client.out.append(data3)
            if not client.flush_scheduled:
                client.flush_scheduled = True
                queue.append(client)
        if was_empty and queue and server.loop is not None:
            server.loop.call_soon(server._flush_all)
        return len(subscribers)

    # --- keyspace notifications --------------------------------------------------------------------
    def notify(self, db: Db, event: str, key: bytes, kind: str) -> None:
        flags = self.server.config.notify_keyspace_events
        if not flags:
            return
        if flags != self._classes_for:
            self._classes = expand_event_classes(flags)
            self._classes_for = flags
        classes = self._classes
        if kind not in classes:
            return
        name = event.encode()
        if "K" in classes:
            self.publish(b"__keyspace@%d__:%s" % (db.id, key), name)
        if "E" in classes:
            self.publish(b"__keyevent@%d__:%s" % (db.id, name), key)


def _client_set(client: Client, kind: str) -> dict[bytes, None]:
    if kind == "channel":
        return client.channels
    if kind == "pattern":
        return client.patterns
    return client.shard_channels
