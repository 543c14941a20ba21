"""Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB (Redis 7.0 pubsub.c).

Subscription changes answer once per channel (``MultiReply``), each answer a push frame in RESP3
and an array in RESP2, carrying the client's subscription count after the change (channels and
patterns together; shard channels counted on their own). Unsubscribing from everything when there
is nothing to drop answers once with a null channel and 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis.commands import connection
from miniredis.commands.registry import command, help_reply
from miniredis.errors import CommandError, text
from miniredis.glob import glob_match
from miniredis.protocol.replies import MultiReply, Push

if TYPE_CHECKING:
    from miniredis.server.client import Client

_KIND_COUNT = {
    "channel": lambda c: len(c.channels) + len(c.patterns),
    "pattern": lambda c: len(c.channels) + len(c.patterns),
    "shard": lambda c: len(c.shard_channels),
}


def _subscribe(client: Client, channels: list[bytes], kind: str, verb: bytes) -> object:
    hub = client.server.pubsub
    replies = MultiReply()
    for channel in channels:
        hub.subscribe(client, channel, kind)
        replies.append(Push([verb, channel, _KIND_COUNT[kind](client)]))
    return replies


def _unsubscribe(client: Client, channels: list[bytes], kind: str, verb: bytes) -> object:
    hub = client.server.pubsub
    own = client.channels if kind == "channel" else client.patterns if kind == "pattern" else client.shard_channels
    targets = channels or list(own)
    replies = MultiReply()
    for channel in targets:
        hub.unsubscribe(client, channel, kind)
        replies.append(Push([verb, channel, _KIND_COUNT[kind](client)]))
    if not targets:
        replies.append(Push([verb, None, _KIND_COUNT[kind](client)]))
    return replies


@command("subscribe")
def subscribe(client: Client, argv: list[bytes]) -> object:
    return _subscribe(client, argv[1:], "channel", b"subscribe")


@command("unsubscribe")
def unsubscribe(client: Client, argv: list[bytes]) -> object:
    return _unsubscribe(client, argv[1:], "channel", b"unsubscribe")


@command("psubscribe")
def psubscribe(client: Client, argv: list[bytes]) -> object:
    return _subscribe(client, argv[1:], "pattern", b"psubscribe")


@command("punsubscribe")
def punsubscribe(client: Client, argv: list[bytes]) -> object:
    return _unsubscribe(client, argv[1:], "pattern", b"punsubscribe")


@command("ssubscribe")
def ssubscribe(client: Client, argv: list[bytes]) -> object:
    return _subscribe(client, argv[1:], "shard", b"ssubscribe")


@command("sunsubscribe")
def sunsubscribe(client: Client, argv: list[bytes]) -> object:
    return _unsubscribe(client, argv[1:], "shard", b"sunsubscribe")


@command("publish")
def publish(client: Client, argv: list[bytes]) -> object:
    return client.server.pubsub.publish(argv[1], argv[2])


@command("spublish")
def spublish(client: Client, argv: list[bytes]) -> object:
    return client.server.pubsub.spublish(argv[1], argv[2])


PUBSUB_HELP = [
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
]


@command("pubsub|help")
def pubsub_help(client: Client, argv: list[bytes]) -> object:
    return help_reply("pubsub", PUBSUB_HELP)


def _matching(table: dict[bytes, object], argv: list[bytes]) -> list[bytes]:
    if len(argv) > 3:
        raise CommandError(
            f"ERR unknown subcommand or wrong number of arguments for '{text(argv[1])}'. Try PUBSUB HELP."
        )
    pattern = argv[2] if len(argv) == 3 else None
    return [channel for channel in table if pattern is None or glob_match(pattern, channel)]


@command("pubsub|channels")
def pubsub_channels(client: Client, argv: list[bytes]) -> object:
    return _matching(client.server.pubsub.channels, argv)  # type: ignore[arg-type]


@command("pubsub|shardchannels")
def pubsub_shardchannels(client: Client, argv: list[bytes]) -> object:
    return _matching(client.server.pubsub.shard_channels, argv)  # type: ignore[arg-type]


@command("pubsub|numpat")
def pubsub_numpat(client: Client, argv: list[bytes]) -> object:
    return len(client.server.pubsub.patterns)


@command("pubsub|numsub")
def pubsub_numsub(client: Client, argv: list[bytes]) -> object:
    channels = client.server.pubsub.channels
    reply: list[object] = []
    for channel in argv[2:]:
        reply.append(channel)
        reply.append(len(channels.get(channel, ())))
    return reply


@command("pubsub|shardnumsub")
def pubsub_shardnumsub(client: Client, argv: list[bytes]) -> object:
    channels = client.server.pubsub.shard_channels
    reply: list[object] = []
    for channel in argv[2:]:
        reply.append(channel)
        reply.append(len(channels.get(channel, ())))
    return reply


def _forget_subscriptions(client: Client) -> None:
    client.server.pubsub.forget(client)


connection.RESET_HOOKS.append(_forget_subscriptions)
