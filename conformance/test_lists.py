"""List commands against real Redis 7.0: every command, option and error, in RESP2 and RESP3.

Each case is a short script run on both servers, every reply compared byte for byte, then the
touched keys' type and content. Blocking commands appear here only where they answer at once
(served immediately, argument errors, inside MULTI, short timeouts); the two-client cases are in
``test_blocking_lists.py``.

Pinned surprises: ``LPOP key 0`` on a missing key is a null array, on a list an empty array; LINDEX
and LSET look the key up before parsing the index (a missing key wins over a bad index); LPOS
accepts RANK -9223372036854775808 and then returns every match from the tail whatever COUNT says;
LPOS COUNT/MAXLEN say "can't be negative" for a non-integer too; LMPOP numkeys larger than the
arguments is a syntax error (not a numkeys error); BLMPOP parses numkeys, direction and COUNT before
its timeout; LTRIM touches the key (breaking a WATCH) even when it trims nothing; option words are
compared as C strings (``LEFT\\0x`` is LEFT). Timeouts are read as C long doubles rounded up to
milliseconds: ``0x10`` waits 16 s, ``-0.0001`` waits forever, ``inf`` and ``1e16`` are "negative",
``1e5000`` is "not a float".
Timeout replies are null arrays (``*-1``) for all five blocking commands, BRPOPLPUSH and BLMOVE
included, while inside MULTI those two answer a null bulk (``$-1``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from conformance.harness import Arg, Pair

Script = list[tuple[Arg, ...]]

CASES: dict[str, Script] = {
    "push": [
        ("LPUSH", "l", "a", "b", "c"), ("RPUSH", "l", "x", "y"), ("LRANGE", "l", 0, -1), ("LLEN", "l"),
        ("LPUSH", "l", ""), ("RPUSH", "l", "\x00bin\xff"), ("LRANGE", "l", 0, -1), ("TYPE", "l"),
        ("OBJECT", "ENCODING", "l"),
    ],
    "pushx": [
        ("LPUSHX", "l", "a"), ("RPUSHX", "l", "a", "b"), ("EXISTS", "l"), ("RPUSH", "l", "m"),
        ("LPUSHX", "l", "a", "b"), ("RPUSHX", "l", "y", "z"), ("LRANGE", "l", 0, -1),
    ],
    "arity": [
        ("LPUSH", "l"), ("RPUSH",), ("LPUSHX", "l"), ("LPOP",), ("LPOP", "l", "1", "2"), ("RPOP", "l", "1", "2"),
        ("LLEN",), ("LRANGE", "l", 0), ("LINDEX", "l"), ("LSET", "l", 0), ("LREM", "l", 0), ("LTRIM", "l", 0),
        ("LINSERT", "l", "BEFORE", "a"), ("LPOS", "l"), ("LMOVE", "a", "b", "LEFT"), ("RPOPLPUSH", "a"),
        ("LMPOP", "1", "l"), ("LMPOP", "1"), ("BLPOP", "l"), ("BRPOP", "l"), ("BRPOPLPUSH", "a", "b"),
        ("BLMOVE", "a", "b", "LEFT", "LEFT"), ("BLMPOP", "0", "1", "l"),
    ],
    "wrongtype": [
        ("SET", "s", "v"), ("LPUSH", "s", "a"), ("RPUSH", "s", "a"), ("LPUSHX", "s", "a"), ("RPUSHX", "s", "a"),
        ("LPOP", "s"), ("RPOP", "s"), ("LPOP", "s", "0"), ("LPOP", "s", "x"), ("LLEN", "s"), ("LRANGE", "s", 0, 1),
        ("LRANGE", "s", "x", 1), ("LINDEX", "s", "x"), ("LSET", "s", "x", "v"), ("LREM", "s", "x", "a"),
        ("LREM", "s", 0, "a"), ("LTRIM", "s", 0, 1), ("LINSERT", "s", "middle", "a", "b"),
        ("LINSERT", "s", "before", "a", "b"), ("LPOS", "s", "a"), ("LPOS", "s", "a", "RANK", "0"),
        ("LMOVE", "s", "d", "LEFT", "RIGHT"), ("RPOPLPUSH", "s", "d"), ("LMPOP", "1", "s", "LEFT"),
        ("BLPOP", "s", "0"), ("BRPOP", "nothing", "s", "0"), ("BRPOPLPUSH", "s", "d", "0"),
        ("BLMOVE", "s", "d", "LEFT", "RIGHT", "0"), ("BLMPOP", "0", "2", "nothing", "s", "LEFT"),
        ("BLMPOP", "x", "1", "s", "LEFT"), ("GET", "s"),
    ],
    "pop": [
        ("RPUSH", "l", "a", "b", "c"), ("LPOP", "l", "0"), ("LPOP", "missing", "0"), ("LPOP", "missing"),
        ("RPOP", "missing", "2"), ("LPOP", "l", "-1"), ("LPOP", "l", "x"), ("LPOP", "missing", "x"),
        ("RPOP", "l", "1.5"), ("LPOP", "l", "10"), ("EXISTS", "l"), ("RPUSH", "l", "a", "b", "c", "d"),
        ("RPOP", "l", "2"), ("LPOP", "l"), ("RPOP", "l"), ("LPOP", "l", "1"), ("RPOP", "l"),
        ("RPUSH", "l", "x"), ("RPOP", "l", "1"), ("LPOP", "l", "9223372036854775807"),
        ("LPOP", "l", "9223372036854775808"),
    ],
    "lindex": [
        ("LINDEX", "missing", "x"), ("RPUSH", "l", "a", "b", "c"), ("LINDEX", "l", "x"), ("LINDEX", "l", 0),
        ("LINDEX", "l", 2), ("LINDEX", "l", 3), ("LINDEX", "l", -1), ("LINDEX", "l", -3), ("LINDEX", "l", -4),
        ("LINDEX", "l", "9223372036854775807"), ("LINDEX", "l", "-9223372036854775808"), ("LINDEX", "l", " 1"),
    ],
    "lset": [
        ("LSET", "missing", "x", "v"), ("LSET", "missing", 0, "v"), ("RPUSH", "l", "a", "b"),
        ("LSET", "l", "x", "v"), ("LSET", "l", 2, "v"), ("LSET", "l", -3, "v"), ("LSET", "l", -1, "z"),
        ("LSET", "l", 0, ""), ("LRANGE", "l", 0, -1),
    ],
    "lrange": [
        ("LRANGE", "missing", "x", 1), ("LRANGE", "missing", 0, -1), ("RPUSH", "l", *"abcdefgh"),
        ("LRANGE", "l", 0, "x"), ("LRANGE", "l", 0, -1), ("LRANGE", "l", 5, 1), ("LRANGE", "l", -100, 100),
        ("LRANGE", "l", -3, -1), ("LRANGE", "l", 2, 4), ("LRANGE", "l", 7, 7), ("LRANGE", "l", 8, 10),
        ("LRANGE", "l", -1, -2), ("LRANGE", "l", 6, -1), ("LRANGE", "l", "-9223372036854775808", "9223372036854775807"),
        ("LRANGE", "l", "9223372036854775808", 1),
    ],
    "ltrim": [
        ("LTRIM", "missing", "x", 1), ("LTRIM", "missing", 0, 1), ("RPUSH", "l", *"abcdefgh"),
        ("LTRIM", "l", 0, "x"), ("LTRIM", "l", 0, -1), ("LRANGE", "l", 0, -1), ("LTRIM", "l", 1, -2),
        ("LRANGE", "l", 0, -1), ("LTRIM", "l", -2, -1), ("LRANGE", "l", 0, -1), ("LTRIM", "l", 5, 10),
        ("EXISTS", "l"), ("RPUSH", "l", *"abc"), ("LTRIM", "l", -100, 0), ("LRANGE", "l", 0, -1),
        ("RPUSH", "m", *"abc"), ("LTRIM", "m", 2, 1), ("EXISTS", "m"),
    ],
    "lrem": [
        ("LREM", "missing", "x", "a"), ("LREM", "missing", 0, "a"), ("RPUSH", "l", *"abacdaba"),
        ("LREM", "l", "x", "a"), ("LREM", "l", 2, "a"), ("LRANGE", "l", 0, -1), ("LREM", "l", -1, "a"),
        ("LRANGE", "l", 0, -1), ("LREM", "l", 0, "b"), ("LRANGE", "l", 0, -1), ("LREM", "l", 0, "zz"),
        ("LREM", "l", 0, "a"), ("LREM", "l", 0, "c"), ("LREM", "l", 5, "d"), ("EXISTS", "l"),
    ],
    "linsert": [
        ("LINSERT", "missing", "middle", "a", "b"), ("LINSERT", "missing", "before", "a", "b"),
        ("RPUSH", "l", "a", "c", "a"), ("LINSERT", "l", "BEFORE", "zz", "b"), ("LINSERT", "l", "before", "c", "b"),
        ("LINSERT", "l", "AFTER", "a", "x"), ("LINSERT", "l", "aFtEr", "a", "y"), ("LINSERT", "l", "after", "a", ""),
        ("LRANGE", "l", 0, -1), ("LINSERT", "l", "beforex", "a", "b"),
    ],
    "lpos": [
        ("RPUSH", "l", "a", "b", "c", "a", "b", "a"), ("SET", "s", "v"),
        ("LPOS", "l", "a"), ("LPOS", "l", "b"), ("LPOS", "l", "a", "RANK", "-1"), ("LPOS", "l", "a", "RANK", "2"),
        ("LPOS", "l", "a", "RANK", "0"), ("LPOS", "l", "a", "RANK", "x"),
        ("LPOS", "l", "a", "RANK", "-9223372036854775808"), ("LPOS", "l", "a", "RANK", "9223372036854775807"),
        ("LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "1"),
        ("LPOS", "l", "a", "RANK", "-9223372036854775807", "COUNT", "2"),
        ("LPOS", "l", "a", "COUNT", "-1"), ("LPOS", "l", "a", "COUNT", "x"), ("LPOS", "l", "a", "MAXLEN", "-1"),
        ("LPOS", "l", "a", "MAXLEN", "x"), ("LPOS", "l", "a", "COUNT"), ("LPOS", "l", "a", "FOO"),
        ("LPOS", "l", "a", "FOO", "1"), ("LPOS", "l", "a", "COUNT", "0"),
        ("LPOS", "l", "a", "COUNT", "2", "RANK", "-1"),
        ("LPOS", "l", "a", "COUNT", "0", "MAXLEN", "4"), ("LPOS", "l", "a", "RANK", "2", "MAXLEN", "3"),
        ("LPOS", "l", "a", "RANK", "-2", "COUNT", "0", "MAXLEN", "3"), ("LPOS", "l", "a", "MAXLEN", "0", "COUNT", "0"),
        ("LPOS", "l", "a", "rank", "2", "count", "1", "maxlen", "5"), ("LPOS", "l", "a", "RANK", "1", "RANK", "2"),
        ("LPOS", "l", "a", "COUNT", "9223372036854775807"), ("LPOS", "l", "z"), ("LPOS", "l", "z", "COUNT", "1"),
        ("LPOS", "missing", "a"), ("LPOS", "missing", "a", "COUNT", "1"), ("LPOS", "missing", "a", "RANK", "0"),
        ("LPOS", "s", "a", "COUNT", "x"), ("LPOS", "l", "a", "RANK", "4"), ("LPOS", "l", "a", "RANK", "-4"),
    ],
    "lmove": [
        ("RPUSH", "l", "a", "b", "c", "d"), ("SET", "s", "v"), ("LMOVE", "l", "d", "LEFT", "middle"),
        ("LMOVE", "l", "d", "x", "RIGHT"), ("LMOVE", "missing", "s", "LEFT", "RIGHT"),
        ("LMOVE", "missing", "d", "x", "RIGHT"), ("LMOVE", "l", "s", "LEFT", "RIGHT"),
        ("LMOVE", "l", "d", "LEFT", "RIGHT"), ("LMOVE", "l", "d", "right", "left"), ("LMOVE", "l", "d", "Left", "Left"),
        ("LMOVE", "l", "l", "LEFT", "RIGHT"), ("LRANGE", "l", 0, -1), ("LRANGE", "d", 0, -1),
        ("LMOVE", "l", "l", "RIGHT", "LEFT"), ("LMOVE", "l", "d", "RIGHT", "RIGHT"), ("EXISTS", "l"),
        ("LRANGE", "d", 0, -1),
    ],
    "rpoplpush": [
        ("RPUSH", "l", "a", "b", "c"), ("SET", "s", "v"), ("RPOPLPUSH", "missing", "d"), ("RPOPLPUSH", "l", "s"),
        ("RPOPLPUSH", "l", "d"), ("RPOPLPUSH", "l", "l"), ("LRANGE", "l", 0, -1), ("RPOPLPUSH", "l", "d"),
        ("RPOPLPUSH", "l", "d"), ("EXISTS", "l"), ("LRANGE", "d", 0, -1),
        ("RPUSH", "one", "x"), ("RPOPLPUSH", "one", "one"), ("LRANGE", "one", 0, -1),
    ],
    "lmpop": [
        ("RPUSH", "l", *"abcde"), ("SET", "s", "v"), ("LMPOP", "0", "l", "LEFT"), ("LMPOP", "-1", "l", "LEFT"),
        ("LMPOP", "x", "l", "LEFT"), ("LMPOP", "3", "l", "LEFT"), ("LMPOP", "1", "l", "MIDDLE"),
        ("LMPOP", "1", "l", "LEFT", "COUNT", "0"), ("LMPOP", "1", "l", "LEFT", "COUNT", "-1"),
        ("LMPOP", "1", "l", "LEFT", "COUNT", "x"), ("LMPOP", "1", "l", "LEFT", "COUNT"),
        ("LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2"), ("LMPOP", "1", "l", "LEFT", "FOO"),
        ("LMPOP", "2", "a", "b"), ("LMPOP", "2147483648", "l", "LEFT"), ("LMPOP", "9223372036854775808", "l", "LEFT"),
        ("LMPOP", "1", "l", "LEFT", "COUNT", "9223372036854775808"),
        ("LMPOP", "2", "missing", "l", "LEFT", "COUNT", "2"), ("LMPOP", "2", "missing", "s", "LEFT"),
        ("LMPOP", "2", "l", "s", "RIGHT"), ("LMPOP", "2", "s", "l", "LEFT"), ("LMPOP", "1", "missing", "RIGHT"),
        ("LMPOP", "1", "l", "right", "count", "100"), ("EXISTS", "l"), ("LMPOP", "2", "l", "missing", "LEFT"),
        ("RPUSH", "l", "x"), ("LMPOP", "1", "l", "LEFT", "COUNT", "2147483648"),
    ],
    "blocking-served-at-once": [
        ("RPUSH", "l", *"abcdefghi"), ("BLPOP", "missing", "l", "0"), ("BRPOP", "l", "missing", "0"),
        ("BLMOVE", "l", "d", "RIGHT", "LEFT", "0"), ("BLMOVE", "l", "d", "left", "right", "1"),
        ("BRPOPLPUSH", "l", "d", "0"), ("BLMPOP", "0", "2", "missing", "l", "LEFT", "COUNT", "2"),
        ("BLMPOP", "0.5", "1", "l", "RIGHT"), ("BLPOP", "l", "l", "0"), ("LRANGE", "d", 0, -1), ("EXISTS", "l"),
        ("RPUSH", "one", "x"), ("BLMOVE", "one", "one", "LEFT", "RIGHT", "0"), ("LRANGE", "one", 0, -1),
        ("SET", "s", "v"), ("BLMOVE", "one", "s", "LEFT", "RIGHT", "0"), ("BRPOPLPUSH", "one", "s", "0"),
        ("LRANGE", "one", 0, -1),
    ],
    "blocking-argument-errors": [
        ("BLPOP", "k", "x"), ("BLPOP", "k", "-1"), ("BLPOP", "k", "inf"), ("BLPOP", "k", "-inf"),
        ("BLPOP", "k", "1e30"), ("BLPOP", "k", "1e16"), ("BLPOP", "k", "1_0"), ("BLPOP", "k", "nan"),
        ("BLPOP", "k", " 1"), ("BLPOP", "k", "1 "), ("BLPOP", "k", ""), ("BLPOP", "k", "1e5000"),
        ("BLPOP", "k", "1e-5000"), ("BLPOP", "k", "1e400"), ("BLPOP", "k", "0x"), ("BLPOP", "k", "1e"),
        ("BLPOP", "k", "Infinity"), ("BLPOP", "k", "1.5.2"), ("BRPOP", "k", "92233720368547758"),
        ("BLMOVE", "k", "d", "LEFT", "MIDDLE", "x"), ("BLMOVE", "k", "d", "LEFT", "RIGHT", "x"),
        ("BLMOVE", "k", "d", "UP", "RIGHT", "-1"), ("BRPOPLPUSH", "k", "d", "x"), ("BRPOPLPUSH", "k", "d", "-2"),
        ("BLMPOP", "x", "1", "k", "LEFT"), ("BLMPOP", "-1", "1", "k", "LEFT"), ("BLMPOP", "0.05", "0", "k", "LEFT"),
        ("BLMPOP", "x", "0", "k", "LEFT"), ("BLMPOP", "0.05", "1", "k", "MIDDLE"), ("BLMPOP", "x", "1", "k", "MIDDLE"),
        ("BLMPOP", "0.05", "1", "k", "LEFT", "COUNT", "0"), ("BLMPOP", "x", "1", "k", "LEFT", "COUNT", "0"),
        ("BLMPOP", "0.05", "2", "k", "LEFT"), ("BLMPOP", "x", "1", "k", "LEFT", "FOO"),
    ],
    "blocking-timeouts": [
        ("BLPOP", "k", "0.05"), ("BRPOP", "k", "j", "0.05"), ("BRPOPLPUSH", "k", "d", "0.05"),
        ("BLMOVE", "k", "d", "LEFT", "RIGHT", "0.05"), ("BLMPOP", "0.05", "2", "k", "j", "LEFT", "COUNT", "3"),
        ("SET", "s", "v"), ("BLMOVE", "k", "s", "LEFT", "RIGHT", "0.05"), ("BRPOPLPUSH", "k", "s", "0.01"),
        ("BLPOP", "k", "0.0001"), ("BLPOP", "k", "1e-3"), ("BLPOP", "k", "0x1p-20"), ("BLPOP", "k", "1e-400"),
        ("BLPOP", "k", ".01"), ("BLPOP", "k", "+0.01"), ("BLPOP", "k", "0X.1"),
    ],
    "blocking-inside-multi": [
        ("SET", "s", "v"), ("MULTI",), ("BLPOP", "k", "0"), ("BRPOP", "k", "0"), ("BRPOPLPUSH", "k", "d", "0"),
        ("BLMOVE", "k", "d", "LEFT", "RIGHT", "0"), ("BLMPOP", "0", "1", "k", "LEFT"), ("BLPOP", "k", "-1"),
        ("BLPOP", "s", "0"), ("RPUSH", "k", "a", "b", "c"), ("BLPOP", "k", "0"),
        ("BLMOVE", "k", "d", "LEFT", "RIGHT", "0"),
        ("BLMPOP", "0", "1", "k", "LEFT", "COUNT", "5"), ("BLPOP", "k", "0"), ("EXEC",), ("LRANGE", "d", 0, -1),
    ],
    "expired-list": [
        ("RPUSH", "l", "a", "b"), ("PEXPIRE", "l", "1"), ("DEBUG", "SLEEP", "0.01"), ("LLEN", "l"),
        ("LPUSHX", "l", "x"),
        ("RPUSH", "l", "c"), ("TTL", "l"), ("LRANGE", "l", 0, -1),
    ],
    "options-compared-as-c-strings": [
        ("RPUSH", "l", "a", "b", "c"), ("LINSERT", "l", b"before\x00x", "a", "z"),
        ("LMOVE", "l", "d", b"left\x00q", b"RIGHT\x00"), ("LPOS", "l", "b", b"rank\x00", "1"),
        ("LMPOP", "1", "l", b"LEFT\x00", b"COUNT\x00zz", "1"), ("BLMOVE", "l", "d", b"right\x00", "left", "0"),
        ("LINSERT", "l", b"\x00before", "a", "z"),
    ],
    "ttl-kept-by-writes": [
        ("RPUSH", "l", "a", "b", "c"), ("EXPIRE", "l", "100"), ("LPUSH", "l", "x"), ("LSET", "l", 0, "y"),
        ("LTRIM", "l", 0, 1), ("LREM", "l", 0, "zz"), ("LINSERT", "l", "BEFORE", "y", "w"), ("LPOP", "l"), ("TTL", "l"),
    ],
}


@pytest.mark.parametrize("script", list(CASES.values()), ids=list(CASES))
def test_list_commands(pairs: Pair, script: Script) -> None:
    keys: list[Arg] = []
    for argv in script:
        if argv[0] == "DEBUG":
            # DEBUG SLEEP is not served by miniredis: only real Redis needs to wait for the expiry.
            pairs.real.send(*argv)
            time.sleep(0.02)
            continue
        pairs.check(*argv)
        if len(argv) > 1 and argv[0] not in ("MULTI", "EXEC") and isinstance(argv[1], str):
            keys.append(argv[1])
    pairs.state(*dict.fromkeys(keys + ["d", "l", "k"]))


def test_list_keyspace_events(pair_factory: Callable[..., Pair]) -> None:
    """The event names and order of every list write (pattern subscription on both servers)."""
    commands = pair_factory(2)
    listener = pair_factory(3)
    try:
        commands.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
        listener.check("PSUBSCRIBE", "__keyevent@0__:*")
        script: Script = [
            ("RPUSH", "k", "a", "b"), ("LPUSH", "k", "z"), ("LPUSHX", "k", "y"), ("RPUSHX", "k", "x"),
            ("RPUSHX", "none", "x"), ("LMOVE", "k", "d", "LEFT", "RIGHT"), ("RPOPLPUSH", "k", "k"),
            ("LMOVE", "k", "d", "RIGHT", "LEFT"), ("LINSERT", "d", "BEFORE", "y", "w"),
            ("LINSERT", "d", "BEFORE", "no", "w"),
            ("LSET", "d", 0, "q"), ("LREM", "d", 0, "q"), ("LREM", "d", 0, "nothing"), ("LTRIM", "d", 0, -1),
            ("LTRIM", "d", 1, 0), ("LPOP", "k", 0), ("LPOP", "k", 1), ("RPOP", "k"), ("RPUSH", "k", "a", "b", "c"),
            ("LMPOP", "2", "none", "k", "RIGHT", "COUNT", "2"), ("BLPOP", "k", "0"), ("RPUSH", "k", "a"),
            ("BLMOVE", "k", "k", "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "k", "j", "0"), ("BLMPOP", "0", "1", "j", "LEFT"),
        ]
        for argv in script:
            commands.check(*argv)
        commands.check("PING")
        messages = listener.real.read_all(0.2)
        assert messages, "no keyspace events from Redis"
        for message in messages:
            assert listener.mini.read_reply(2) == message
        assert listener.mini.read_all(0.05) == []
    finally:
        commands.check("CONFIG", "SET", "notify-keyspace-events", "")


@pytest.mark.parametrize("argv", [
    ("LTRIM", "k", "0", "-1"), ("LPOP", "k", "0"), ("LREM", "k", "0", "zz"), ("LINSERT", "k", "BEFORE", "zz", "q"),
    ("LPUSHX", "m", "x"), ("LSET", "k", "0", "a"), ("LMOVE", "m", "k", "LEFT", "LEFT"), ("LMPOP", "1", "m", "LEFT"),
    ("RPOP", "m", "0"), ("LTRIM", "m", "0", "1"), ("BLPOP", "k", "0"), ("LINSERT", "k", "BEFORE", "a", "q"),
    ("RPOPLPUSH", "k", "k"),
], ids=lambda argv: " ".join(argv))
def test_writes_that_touch_watched_keys(pair_factory: Callable[..., Pair], argv: tuple[str, ...]) -> None:
    """Which list writes break a WATCH (signalModifiedKey): LTRIM always does, even trimming nothing."""
    watcher, writer = pair_factory(2), pair_factory(2)
    writer.check("RPUSH", "k", "a", "b")
    watcher.check("WATCH", "k", "m")
    writer.check(*argv)
    watcher.check("MULTI")
    watcher.check("PING")
    watcher.check("EXEC")
