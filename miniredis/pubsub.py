"""Pub/Sub delivery (Redis's pubsub.c) and keyspace notifications (notify.c).

The hub keeps, per channel, pattern and shard channel, its subscribers in subscription order.
PUBLISH delivers to the channel's subscribers first, then once per matching pattern subscription
(a client subscribed to a channel and to two patterns matching it receives three messages, and
the count says 3). A message is encoded once per protocol and appended to each subscriber's
output list; the lists are written once per event-loop pass (``Client.push_raw``), however many
messages arrive in between, and each subscriber sees one publisher's messages in order.

Keyspace notifications (``notify-keyspace-events``) are messages on ``__keyspace@<db>__:<key>``
(payload: the event) and ``__keyevent@<db>__:<event>`` (payload: the key), sent by
``Server.notify`` when the event's class is enabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis.glob import glob_match
from miniredis.protocol.encoder import encode2, encode3
from miniredis.protocol.replies import Push

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
            receivers += _deliver(subscribers, Push([b"message", channel, message]))
        if self.patterns:
            for pattern, clients in list(self.patterns.items()):
                if glob_match(pattern, channel):
                    receivers += _deliver(clients, Push([b"pmessage", pattern, channel, message]))
        return receivers

    def spublish(self, channel: bytes, message: bytes) -> int:
        subscribers = self.shard_channels.get(channel)
        if not subscribers:
            return 0
        return _deliver(subscribers, Push([b"smessage", channel, message]))

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


def _deliver(subscribers: dict[Client, None], message: Push) -> int:
    """Encode once per protocol, queue on every subscriber; returns the number of receivers."""
    encoded: dict[int, bytes] = {}
    for client in list(subscribers):
        data = encoded.get(client.resp)
        if data is None:
            data = encoded[client.resp] = (encode3 if client.resp == 3 else encode2)(message)
        client.push_raw(data)
    return len(subscribers)
