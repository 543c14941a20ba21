"""The key-spec evaluator (``miniredis.keyspecs``) on a sample of Redis 7.0 commands, served or not.

Expected keys and flags are what Redis 7.0.15 answers to ``COMMAND GETKEYSANDFLAGS`` for the same
arguments (the conformance suite checks many more cases against a live server).
"""

from __future__ import annotations

import pytest

from miniredis.errors import CommandError
from miniredis.keyspecs import (
    INVALID_ARGUMENTS,
    INVALID_COMMAND,
    INVALID_NUMBER_OF_ARGUMENTS,
    NO_KEY_ARGUMENTS,
    get_keys,
    getkeys_reply,
    has_keys,
    key_specs,
)


def keys(line: str) -> list[str]:
    argv = [part.encode() for part in line.split(" ")]
    name = argv[0].decode().lower()
    if name in ("object", "xinfo", "xgroup", "memory"):
        name = f"{name}|{argv[1].decode().lower()}"
    return [argv[position].decode() for position, _ in get_keys(name, argv)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("get k", ["k"]),
        ("mset a 1 b 2 c 3", ["a", "b", "c"]),
        ("mset a 1 b", ["a", "b"]),  # keystep 2 up to the last argument
        ("del a b c", ["a", "b", "c"]),
        ("blpop a b 0", ["a", "b"]),  # lastkey -2
        ("rename a b", ["a", "b"]),
        ("bitop and d a b", ["d", "a", "b"]),
        ("lmove a a left left", ["a", "a"]),  # one key per spec, duplicates kept
        ("object encoding k", ["k"]),
        ("xgroup create k g $", ["k"]),
        # keyword + range with limit: the first half of what follows STREAMS
        ("xread streams a b", ["a"]),
        ("xread count 1 streams a b c d", ["a", "b"]),
        ("xread streams a b c", ["a"]),
        ("xread streams streams a b", ["streams"]),
        ("xreadgroup group g c streams a b", ["a"]),
        ("xread count 1 streams a", []),  # one argument after STREAMS: invalid
        # keynum: strict count, truncated to a C int
        ("zunion 2 a b", ["a", "b"]),
        ("zunion 1 a b c", ["a"]),
        ("zunion 0 a", []),
        ("zunion 5 a b", []),
        ("zunion 4294967297 a", ["a"]),
        ("zunionstore d 2 a b", ["d", "a", "b"]),
        ("eval s 2 a b c", ["a", "b"]),
        ("blmpop 0 2 a b left", ["a", "b"]),
        # keyword searches: STORE after the fixed arguments, never the last argument as the keyword
        ("georadius k 1 2 3 m store a", ["k", "a"]),
        ("georadius k 1 2 3 m store", ["k"]),
        ("georadius k 1 2 3 m storedist b store a", ["k", "a", "b"]),
        # the per-command fallbacks
        ("sort k store a store b", ["k", "b"]),
        ("sort k limit 0 store x", ["k"]),
        ("sort k by store x", ["k"]),
        ("sort_ro k store x", ["k"]),
        ("migrate h p k 0 0", ["k"]),
        ("migrate h p  0 0 keys a b", ["a", "b"]),
        ("migrate h p k 0 0 keys a b", []),
        ("migrate h p  0 0 auth keys keys a", ["a"]),
        ("migrate h p  0 0 KEYS a KEYS b", ["a", "KEYS", "b"]),
        ("migrate h p k 0 0 keys", ["k"]),
    ],
)
def test_keys(line: str, expected: list[str]) -> None:
    assert keys(line) == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([b"zunion", b"+1", b"a"], [b"a"]),  # not a strict integer: the atoi fallback reads 1
        ([b"zunion", b" 2", b"a", b"b"], [b"a", b"b"]),
        ([b"zunion", b"1abc", b"a"], [b"a"]),
        ([b"zunion", b"abc", b"a"], []),
        ([b"zunion", b"2147483648", b"a", b"b"], []),  # a negative C int either way
        ([b"zunion", b"-4294967295", b"a"], [b"a"]),  # atoi wraps to 1
    ],
)
def test_keynum_fallback_counts_like_atoi(argv: list[bytes], expected: list[bytes]) -> None:
    assert [argv[position] for position, _ in get_keys("zunion", argv)] == expected


def test_keynum_fallback_lists_counted_keys_first_without_flags() -> None:
    argv = [b"zunionstore", b"d", b"+1", b"a"]
    assert get_keys("zunionstore", argv) == [(3, ()), (1, ())]


@pytest.mark.parametrize(
    ("line", "flags"),
    [
        ("set k v", ("OW", "update")),
        ("set k v get", ("RW", "access", "update")),
        ("set k v ex get", ("RW", "access", "update")),
        ("set k get v", ("OW", "update")),
        ("bitfield k get u8 0", ("RO", "access")),
        ("bitfield k overflow wrap get u8 0", ("RO", "access")),
        ("bitfield k get u8 0 incrby u8 0 1", ("RW", "access", "update")),
        ("bitfield k get", ("RW", "access", "update")),
        ("bitfield_ro k get u8 0", ("RO", "access")),
        ("del k", ("RM", "delete")),
        ("touch k", ("RO",)),
    ],
)
def test_flags(line: str, flags: tuple[str, ...]) -> None:
    argv = [part.encode() for part in line.split(" ")]
    assert get_keys(argv[0].decode(), argv) == [(1, flags)]


def test_specs_are_parsed_from_the_table() -> None:
    (spec,) = key_specs("xread")
    assert (spec.begin_search, spec.keyword, spec.startfrom) == ("keyword", b"STREAMS", 1)
    assert (spec.find_keys, spec.lastkey, spec.keystep, spec.limit) == ("range", -1, 1, 2)
    assert not has_keys("ping") and not has_keys("spublish") and has_keys("eval") and has_keys("sort")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("nosuch a", INVALID_COMMAND),
        ("object nosuch k", INVALID_COMMAND),
        ("config|get a", INVALID_COMMAND),
        ("ping a", NO_KEY_ARGUMENTS),
        ("spublish a b", NO_KEY_ARGUMENTS),
        ("client list", NO_KEY_ARGUMENTS),
        ("get a b", INVALID_NUMBER_OF_ARGUMENTS),
        ("xread streams a", INVALID_NUMBER_OF_ARGUMENTS),
        ("zunion 0 a", INVALID_ARGUMENTS),
        ("xread count 1 streams", INVALID_ARGUMENTS),
    ],
)
def test_getkeys_errors(line: str, message: str) -> None:
    with pytest.raises(CommandError) as raised:
        getkeys_reply([part.encode() for part in line.split(" ")], False)
    assert raised.value.message == message


def test_no_mandatory_keys_gives_an_empty_reply() -> None:
    assert getkeys_reply([b"eval", b"s", b"0"], False) == []
    assert getkeys_reply([b"EVAL", b"s", b"3", b"a"], True) == []


def test_reply_shapes() -> None:
    assert getkeys_reply([b"GET", b"k"], False) == [b"k"]
    assert getkeys_reply([b"get", b"k"], True) == [[b"k", ["RO", "access"]]]
