"""Pub/Sub against real Redis 7.0: subscription replies and counts, delivery, PUBSUB introspection,
the RESP2 subscribed-mode gate and RESP3 push frames, byte for byte on two-client pairs.

Two clients per case (``pair_factory``): a subscriber pair and a publisher pair. Messages a
subscriber received are read with ``sub.read()`` (both servers, compared raw); "nothing more
arrived" is checked by a PING on the subscriber, whose reply must be the next frame.

Pinned surprises: in RESP2 a subscribed PING answers ``*2 pong ""`` (``*2 pong <msg>`` with an
argument) but in RESP3 it is a plain ``+PONG``; UNSUBSCRIBE with nothing subscribed answers one
frame with a null channel and 0; a client subscribed to a channel and to a pattern matching it gets
the message twice and PUBLISH counts 2; shard channel counts are separate from channel and pattern
counts; the RESP2 gate is checked after arity (``SUBSCRIBE`` alone is an arity error, ``GET``
while subscribed names the command) and applies inside MULTI too. Replies that unsubscribe from
every channel come in Redis's dict order, which is unspecified: they are compared with the named
comparer ``unsubscribe_all``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from conformance.harness import Pair, assert_same, decode_bulk, split_aggregate

PairFactory = Callable[..., Pair]


def read_n(pair: Pair, n: int) -> None:
    """Read and compare the next ``n`` frames on both sides of ``pair``."""
    for _ in range(n):
        pair.read()


def assert_quiet(pair: Pair) -> None:
    """Nothing else was delivered: the next frame on both sides is the reply to a PING."""
    pair.check("PING", "quiet")


def unsubscribe_all(real: bytes, mini: bytes) -> bool:
    """Unsubscribing from every channel answers one frame per channel in the server's dict
    iteration order (hash order, unspecified): the same frames' channels as a set, and the same
    counts in the same (decreasing) sequence."""

    def frames(raw: bytes) -> list[tuple[bytes, bytes, bytes]]:
        from conformance.harness import reply_end

        out, pos = [], 0
        while pos < len(raw):
            end = reply_end(raw, pos)
            head, items = split_aggregate(raw[pos:end])
            out.append((head, items[1], items[2]))
            pos = end
        return out

    real_frames, mini_frames = frames(real), frames(mini)
    return (
        [(head, count) for head, _, count in real_frames] == [(head, count) for head, _, count in mini_frames]
        and sorted(channel for _, channel, _ in real_frames) == sorted(channel for _, channel, _ in mini_frames)
    )


def check_unsubscribe_all(pair: Pair, verb: str, frames: int) -> None:
    real, mini = pair.both(verb)
    real_rest = [pair.real.read_reply() or b"" for _ in range(frames - 1)]
    mini_rest = [pair.mini.read_reply() or b"" for _ in range(frames - 1)]
    assert_same((verb,), real + b"".join(real_rest), mini + b"".join(mini_rest), compare=unsubscribe_all)


# --- subscription replies and counts ----------------------------------------------------------------

@pytest.mark.parametrize("protocol", [2, 3])
def test_subscribe_unsubscribe_replies_and_counts(pair_factory: PairFactory, protocol: int) -> None:
    sub = pair_factory(protocol)
    sub.check("SUBSCRIBE", "a", "b")
    sub.read()
    sub.check("SUBSCRIBE", "a")  # already subscribed: the count does not change
    sub.check("PSUBSCRIBE", "h*llo", "x?")
    sub.read()
    sub.check("PSUBSCRIBE", "h*llo")
    sub.check("SSUBSCRIBE", "s1", "s2")  # shard channels are counted on their own
    sub.read()
    sub.check("UNSUBSCRIBE", "b", "nope")
    sub.read()
    sub.check("PUNSUBSCRIBE", "x?", "nope")
    sub.read()
    sub.check("SUNSUBSCRIBE", "s2", "s9")
    sub.read()
    sub.check("UNSUBSCRIBE", "a")
    sub.check("PUNSUBSCRIBE", "h*llo")
    sub.check("SUNSUBSCRIBE", "s1")
    sub.check("UNSUBSCRIBE")  # nothing left: one frame, null channel, count 0
    sub.check("PUNSUBSCRIBE")
    sub.check("SUNSUBSCRIBE")
    sub.check("PING")  # out of subscribed mode again in RESP2
    sub.check("SET", "k", "v")
    sub.check("UNSUBSCRIBE", "never")  # not subscribed: still one frame naming it, count 0
    sub.check("PUNSUBSCRIBE", "never*", "again*")
    sub.read()
    sub.check("SUBSCRIBE", "d", "d", "", b"\x00\xff")  # repeated, empty and binary names
    read_n(sub, 3)
    sub.check("PSUBSCRIBE", "")
    sub.check("UNSUBSCRIBE", "", "d")
    sub.read()
    sub.check("PUNSUBSCRIBE", "")
    sub.check("UNSUBSCRIBE", b"\x00\xff")


@pytest.mark.parametrize("protocol", [2, 3])
def test_unsubscribe_all_in_dict_order(pair_factory: PairFactory, protocol: int) -> None:
    sub = pair_factory(protocol)
    channels = [f"chan:{i}" for i in range(12)]
    sub.check("SUBSCRIBE", *channels)
    read_n(sub, len(channels) - 1)
    sub.check("PSUBSCRIBE", "p1*", "p2*", "p3*")
    read_n(sub, 2)
    check_unsubscribe_all(sub, "UNSUBSCRIBE", len(channels))
    check_unsubscribe_all(sub, "PUNSUBSCRIBE", 3)
    sub.check("SSUBSCRIBE", "s1", "s2", "s3", "s4")
    read_n(sub, 3)
    check_unsubscribe_all(sub, "SUNSUBSCRIBE", 4)
    sub.check("UNSUBSCRIBE")


def test_subscribe_arity_and_sharded_mixing(pair_factory: PairFactory) -> None:
    sub = pair_factory(2)
    sub.check("SUBSCRIBE")
    sub.check("PSUBSCRIBE")
    sub.check("SSUBSCRIBE")
    sub.check("PUBLISH", "a")
    sub.check("SPUBLISH", "a", "b", "c")
    sub.check("SSUBSCRIBE", "s")
    sub.check("SUBSCRIBE", "c")  # channels and shard channels at once: each counted on its own
    sub.check("UNSUBSCRIBE")
    sub.check("SUNSUBSCRIBE")


# --- delivery -------------------------------------------------------------------------------------

@pytest.mark.parametrize("protocol", [2, 3])
def test_publish_counts_and_messages(pair_factory: PairFactory, protocol: int) -> None:
    sub, other, pub = pair_factory(protocol), pair_factory(2), pair_factory(protocol)
    pub.check("PUBLISH", "news", "nobody")
    sub.check("SUBSCRIBE", "news")
    sub.check("PSUBSCRIBE", "n*")
    other.check("PSUBSCRIBE", "*s")
    pub.check("PUBLISH", "news", "hello")  # sub twice (channel and pattern), other once
    sub.read()
    sub.read()
    other.read()
    pub.check("PUBLISH", "nope", b"\x00bin\r\n")
    sub.read()
    pub.check("PUBLISH", "other", "")
    assert_quiet(sub)
    assert_quiet(other)  # "*s" matched "news" only
    pub.check("PUBSUB", "NUMSUB", "news", "n*", "none")
    pub.check("PUBSUB", "NUMPAT")
    pub.check("PUBSUB", "CHANNELS")
    pub.check("PUBSUB", "CHANNELS", "ne?s")
    pub.check("PUBSUB", "CHANNELS", "x*")


@pytest.mark.parametrize("protocol", [2, 3])
def test_sharded_publish(pair_factory: PairFactory, protocol: int) -> None:
    sub, pub = pair_factory(protocol), pair_factory(protocol)
    pub.check("SPUBLISH", "orders", "nobody")
    sub.check("SSUBSCRIBE", "orders", "audit")
    sub.read()
    sub.check("SUBSCRIBE", "orders")
    pub.check("SPUBLISH", "orders", "one")  # shard subscribers only: plain subscribers get nothing
    sub.read()
    pub.check("PUBLISH", "orders", "two")  # and PUBLISH reaches only the plain subscription
    sub.read()
    assert_quiet(sub)
    pub.check("PUBSUB", "SHARDNUMSUB", "orders", "audit", "none")
    pub.check("PUBSUB", "SHARDNUMSUB")
    pub.check("PUBSUB", "NUMSUB")
    pub.check("PUBSUB", "SHARDCHANNELS", "ord*")
    pub.check("PUBSUB", "SHARDCHANNELS", "zz*")
    pub.check("PUBSUB", "CHANNELS", "ord*")


def test_pubsub_introspection_sorted(pair_factory: PairFactory) -> None:
    """PUBSUB CHANNELS lists channels in dict order: compared as sets."""
    from conformance import comparers

    sub, pub = pair_factory(2), pair_factory(2)
    sub.check("SUBSCRIBE", "a1", "a2", "b1", "c")
    read_n(sub, 3)
    sub.check("SSUBSCRIBE", "s1", "s2")
    sub.read()
    pub.check("PUBSUB", "CHANNELS", compare=comparers.sorted_array)
    pub.check("PUBSUB", "CHANNELS", "a*", compare=comparers.sorted_array)
    pub.check("PUBSUB", "SHARDCHANNELS", compare=comparers.sorted_array)
    pub.check("PUBSUB", "CHANNELS", "a*", "extra")
    pub.check("PUBSUB", "SHARDCHANNELS", "a*", "extra")
    pub.check("PUBSUB", "NUMPAT", "extra")
    pub.check("PUBSUB", "HELP")
    pub.check("PUBSUB", "nope")
    pub.check("PUBSUB")


def test_pattern_glob_forms(pair_factory: PairFactory) -> None:
    sub, pub = pair_factory(2), pair_factory(2)
    patterns = ["h[ae]llo", "h[^e]llo", "h\\*llo", "[a-c]x", "*"]
    sub.check("PSUBSCRIBE", *patterns)
    read_n(sub, len(patterns) - 1)
    for channel in ["hello", "hallo", "hxllo", "h*llo", "bx", "dx"]:
        real, mini = pub.both("PUBLISH", channel, "m")
        assert real == mini, (channel, real, mini)
        n = int(real[1:-2])
        # pmessages of several matching patterns come in the patterns dict's order: compare as a set
        got_real = sorted(sub.real.read_reply() or b"" for _ in range(n))
        got_mini = sorted(sub.mini.read_reply() or b"" for _ in range(n))
        assert got_real == got_mini, (channel, got_real, got_mini)
    assert_quiet(sub)


# --- the RESP2 subscribed mode ------------------------------------------------------------------

def test_resp2_subscribed_mode_gate(pair_factory: PairFactory) -> None:
    sub = pair_factory(2)
    sub.check("SUBSCRIBE", "c")
    for argv in [("GET", "k"), ("SET", "k", "v"), ("SELECT", "1"), ("MULTI",), ("CLIENT", "ID"), ("PUBLISH", "c", "x"),
                 ("PUBSUB", "NUMPAT"), ("ECHO", "x"), ("HELLO",), ("CONFIG", "GET", "x"), ("nosuchcommand",),
                 ("GET",), ("CLIENT", "nosuch"), ("PING",), ("PING", "msg"), ("PING", "a", "b")]:
        sub.check(*argv)
    sub.check("PSUBSCRIBE", "p*")
    sub.check("UNSUBSCRIBE")
    sub.check("GET", "k")  # still subscribed to a pattern
    sub.check("PUNSUBSCRIBE")
    sub.check("GET", "k")
    sub.check("SSUBSCRIBE", "s")
    sub.check("GET", "k")  # shard subscriptions count too
    sub.check("RESET")  # RESET leaves subscribed mode (and drops the subscriptions)
    sub.check("GET", "k")
    sub.check("PUBSUB", "SHARDNUMSUB", "s")


def test_subscribe_inside_multi(pair_factory: PairFactory) -> None:
    sub, pub = pair_factory(2), pair_factory(2)
    sub.check("MULTI")
    sub.check("SUBSCRIBE", "c")
    sub.check("PING")
    sub.check("EXEC")
    pub.check("PUBLISH", "c", "x")
    sub.read()
    sub.check("GET", "k")
    sub.check("QUIT")
    pub.check("PUBSUB", "NUMSUB", "c")


@pytest.mark.parametrize("protocol", [2, 3])
def test_ping_quit_reset_while_subscribed(pair_factory: PairFactory, protocol: int) -> None:
    sub, pub = pair_factory(protocol), pair_factory(2)
    sub.check("PSUBSCRIBE", "*")
    sub.check("PING")
    sub.check("PING", "hi")
    pub.check("PUBLISH", "c", "m")
    sub.read()
    sub.check("RESET")
    pub.check("PUBSUB", "NUMPAT")
    pub.check("PUBLISH", "c", "m")
    sub.check("PING")


# --- RESP3 ----------------------------------------------------------------------------------------

def test_resp3_push_frames_and_any_command(pair_factory: PairFactory) -> None:
    sub, pub = pair_factory(3), pair_factory(3)
    sub.check("SUBSCRIBE", "c")
    sub.check("SET", "k", "v")  # RESP3 clients may run any command while subscribed
    sub.check("GET", "k")
    sub.check("HELLO", "3", compare=_hello)
    pub.check("PUBLISH", "c", "push")
    sub.read()
    sub.check("CLIENT", "INFO", compare=_structure)
    pub.check("PUBLISH", "c", "again")
    sub.check("GET", "k")  # the push came first, then the reply
    sub.check("UNSUBSCRIBE", "c")
    sub.check("UNSUBSCRIBE")


def test_resp3_hello2_while_subscribed(pair_factory: PairFactory) -> None:
    """A RESP3 subscriber switching to RESP2 enters the RESP2 subscribed-mode gate."""
    sub = pair_factory(3)
    sub.check("SUBSCRIBE", "c")
    sub.check("HELLO", "2", compare=_hello)
    sub.check("GET", "k")
    sub.check("PING")
    sub.check("UNSUBSCRIBE")
    sub.check("GET", "k")


def _hello(real: bytes, mini: bytes) -> bool:
    """HELLO's ``id`` is each server's own connection id."""
    from conformance.comparers import hello_reply

    return hello_reply(real, mini)


def _structure(real: bytes, mini: bytes) -> bool:
    """CLIENT INFO carries addresses, ids and timings: only the reply type must agree."""
    return real[:1] == mini[:1]


# --- subscriptions die with the connection --------------------------------------------------------

@pytest.mark.parametrize("how", ["close", "quit", "reset", "kill"])
def test_counts_drop_with_the_connection(pair_factory: PairFactory, how: str) -> None:
    sub, pub = pair_factory(2), pair_factory(2)
    sub.check("SUBSCRIBE", "gone")
    sub.check("PSUBSCRIBE", "g*")
    sub.check("SSUBSCRIBE", "sgone")
    pub.check("PUBSUB", "NUMSUB", "gone")
    if how == "close":
        sub.close()
    elif how == "quit":
        sub.check("QUIT")
    elif how == "reset":
        sub.check("RESET")
    else:
        for conn, target in ((pub.real, sub.real), (pub.mini, sub.mini)):
            host, port = target.sock.getsockname()[:2]
            addr = f"{host}:{port}"
            assert conn.send("CLIENT", "KILL", addr) == b"+OK\r\n"
    if how in ("quit", "kill"):
        sub.real.is_closed(2.0)
        sub.mini.is_closed(2.0)
    for _ in range(50):  # the servers notice a closed socket on their next loop pass
        real, mini = pub.both("PUBSUB", "NUMPAT")
        if real == mini == b":0\r\n":
            break
        time.sleep(0.02)
    pub.check("PUBSUB", "NUMSUB", "gone")
    pub.check("PUBSUB", "NUMPAT")
    pub.check("PUBSUB", "SHARDNUMSUB", "sgone")
    pub.check("PUBSUB", "CHANNELS")
    pub.check("PUBLISH", "gone", "x")
    pub.check("SPUBLISH", "sgone", "x")


def test_message_frame_channel_names(pair_factory: PairFactory) -> None:
    """The pmessage frame carries the pattern, then the channel."""
    sub, pub = pair_factory(2), pair_factory(2)
    sub.check("PSUBSCRIBE", "ne*")
    pub.check("PUBLISH", "news", "m")
    frame = sub.read()
    _, items = split_aggregate(frame)
    assert [decode_bulk(item) for item in items] == [b"pmessage", b"ne*", b"news", b"m"]
