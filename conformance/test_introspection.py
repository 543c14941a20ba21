"""The COMMAND family against real Redis 7.0, RESP2 and RESP3.

Byte-for-byte wherever the reply is defined: COMMAND INFO and DOCS of each served command,
GETKEYS / GETKEYSANDFLAGS and their errors, LIST's errors, HELP. Three named loosenings, each
because Redis's reply depends on what the server serves or on its dict's hash order (randomly
seeded per process): the full listings (COMMAND, COMMAND INFO, DOCS without names, LIST) are
compared as sets after keeping only the commands miniredis serves; a container's subcommands are
compared as a set of the served ones; COMMAND COUNT is an integer in both, miniredis's being the
number of commands it serves.

The key-spec evaluator is also checked on its own over the whole Redis 7.0 table (commands
miniredis does not serve included): ``keyspecs.getkeys_reply`` encoded for the protocol must equal
real Redis's ``COMMAND GETKEYS[ANDFLAGS]`` reply for a seeded sample of argument lists.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.harness import Comparer, Pair, decode_bulk, join_aggregate, split_aggregate
from miniredis.commands.registry import _RAW_TABLE
from miniredis.errors import CommandError
from miniredis.keyspecs import getkeys_reply
from miniredis.protocol.encoder import encode2, encode3

# --- what miniredis serves, read from its own COMMAND LIST --------------------------------------------


def served_names(pair: Pair) -> set[bytes]:
    """Every command and subcommand miniredis serves (``get``, ``config|get``)."""
    reply = pair.mini.send("COMMAND", "LIST")
    return {decode_bulk(item) for item in split_aggregate(reply)[1]}


def is_container(name: bytes) -> bool:
    return isinstance(_RAW_TABLE[name.decode()]["info"][9], list) and bool(_RAW_TABLE[name.decode()]["info"][9])


# --- named comparers ------------------------------------------------------------------------------------


def _is_aggregate(raw: bytes) -> bool:
    return raw[:1] in (b"*", b"~", b"%") and not raw.startswith(b"*-1")


def _info_entry(entry: bytes, served: set[bytes]) -> bytes:
    """One COMMAND INFO entry with its subcommands (element 9) reduced to the served ones, sorted."""
    if not _is_aggregate(entry):
        return entry  # a null entry (unknown name)
    _, fields = split_aggregate(entry)
    if _is_aggregate(fields[9]) and fields[9][:1] == b"*":
        _, subs = split_aggregate(fields[9])
        kept = sorted(sub for sub in subs if decode_bulk(split_aggregate(sub)[1][0]) in served)
        fields[9] = join_aggregate(b"*", kept)
    return join_aggregate(entry[:1], fields)


def info_entries(served: set[bytes], listing: bool) -> Comparer:
    def served_info(real: bytes, mini: bytes) -> bool:
        if not (_is_aggregate(real) and _is_aggregate(mini)):
            return real == mini
        real_entries = [_info_entry(entry, served) for entry in split_aggregate(real)[1]]
        mini_entries = [_info_entry(entry, served) for entry in split_aggregate(mini)[1]]
        if listing:  # the whole table, in hash order: keep the served commands, compare as a set
            real_entries = sorted(
                entry for entry in real_entries if decode_bulk(split_aggregate(entry)[1][0]) in served
            )
            mini_entries = sorted(mini_entries)
        return real[:1] == mini[:1] and real_entries == mini_entries

    served_info.__doc__ = (
        "Redis lists commands and subcommands in its randomly seeded hash order and knows commands "
        "miniredis does not serve: served entries compared as a set, subcommands as a set of served ones"
    )
    return served_info


def _docs_pairs(raw: bytes, served: set[bytes], listing: bool) -> list[tuple[bytes, bytes]]:
    _, items = split_aggregate(raw)
    pairs: list[tuple[bytes, bytes]] = []
    for name, docs in zip(items[0::2], items[1::2], strict=True):
        if listing and decode_bulk(name) not in served:
            continue
        kind, fields = docs[:1], split_aggregate(docs)[1]
        for index in range(0, len(fields), 2):
            if decode_bulk(fields[index]) == b"subcommands":
                sub_kind = fields[index + 1][:1]
                _, subs = split_aggregate(fields[index + 1])
                kept = sorted(
                    (sub_name, sub_docs)
                    for sub_name, sub_docs in zip(subs[0::2], subs[1::2], strict=True)
                    if decode_bulk(sub_name) in served
                )
                fields[index + 1] = join_aggregate(sub_kind, [part for kept_pair in kept for part in kept_pair])
        pairs.append((name, join_aggregate(kind, fields)))
    return sorted(pairs) if listing else pairs


def docs_entries(served: set[bytes], listing: bool) -> Comparer:
    def served_docs(real: bytes, mini: bytes) -> bool:
        if not (_is_aggregate(real) and _is_aggregate(mini)):
            return real == mini
        return real[:1] == mini[:1] and _docs_pairs(real, served, listing) == _docs_pairs(mini, served, listing)

    served_docs.__doc__ = (
        "Redis lists commands and subcommands in its randomly seeded hash order and knows commands "
        "miniredis does not serve: served docs compared as a set, subcommands as a set of served ones"
    )
    return served_docs


def served_names_list(served: set[bytes]) -> Comparer:
    def served_listing(real: bytes, mini: bytes) -> bool:
        if not (_is_aggregate(real) and _is_aggregate(mini)):
            return real == mini
        real_names = sorted(name for name in split_aggregate(real)[1] if decode_bulk(name) in served)
        return real[:1] == mini[:1] and real_names == sorted(split_aggregate(mini)[1])

    served_listing.__doc__ = "COMMAND LIST is in hash order and names unserved commands: served names as a set"
    return served_listing


# --- listings ---------------------------------------------------------------------------------------------


@pytest.fixture
def served(pairs: Pair) -> set[bytes]:
    return served_names(pairs)


def test_command_lists_served_commands(pairs: Pair, served: set[bytes]) -> None:
    pairs.check("COMMAND", compare=info_entries(served, listing=True))
    pairs.check("COMMAND", "INFO", compare=info_entries(served, listing=True))


def test_docs_without_names(pairs: Pair, served: set[bytes]) -> None:
    pairs.check("COMMAND", "DOCS", compare=docs_entries(served, listing=True))


def test_count_shape(pairs: Pair, served: set[bytes]) -> None:
    real, mini = pairs.both("COMMAND", "COUNT")
    assert real[:1] == b":" and int(real[1:-2]) >= 240  # Redis 7.0.15 has 240 top-level commands
    assert mini == b":%d\r\n" % len({name for name in served if b"|" not in name})


# --- per command: INFO and DOCS ------------------------------------------------------------------------


def test_info_of_each_served_command(pairs: Pair, served: set[bytes]) -> None:
    for name in sorted(served):
        compare = info_entries(served, listing=False) if is_container(name) else None
        pairs.check("COMMAND", "INFO", name, compare=compare)


def test_docs_of_each_served_command(pairs: Pair, served: set[bytes]) -> None:
    for name in sorted(served):
        compare = docs_entries(served, listing=False) if is_container(name) else None
        pairs.check("COMMAND", "DOCS", name, compare=compare)


@pytest.mark.parametrize(
    "names",
    [
        ("get", "nosuch", "GET", "CONFIG|GET", "get|x", "config|get|x", "config|nosuch", "|get", "get|", ""),
        ("nosuch",),
        ("set", "mset", "object|encoding", "client|list", "command|getkeys"),
    ],
)
def test_info_names(pairs: Pair, names: tuple[str, ...]) -> None:
    pairs.check("COMMAND", "INFO", *names)


@pytest.mark.parametrize(
    "names",
    [
        ("nosuch",),
        ("get", "GET"),  # a name given twice is answered twice, even in a RESP3 map
        ("nosuch", "get", "config|nosuch", "config|get|x", "Config|Get"),
        ("set", "object|encoding", "client|list", "command|getkeys", "getex"),
    ],
)
def test_docs_names(pairs: Pair, names: tuple[str, ...]) -> None:
    pairs.check("COMMAND", "DOCS", *names)


# --- LIST ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("FILTERBY", "PATTERN", "conf*"),
        ("filterby", "pattern", "CONF*"),
        ("FILTERBY", "PATTERN", "*get"),
        ("FILTERBY", "PATTERN", "?et"),
        ("FILTERBY", "PATTERN", "*|*"),
        ("FILTERBY", "PATTERN", "[a-d]*"),
        ("FILTERBY", "PATTERN", "config|get"),
        ("FILTERBY", "PATTERN", "nomatch"),
        ("FILTERBY", "ACLCAT", "hash"),
        ("FILTERBY", "ACLCAT", "STRING"),
        ("FILTERBY", "ACLCAT", "admin"),
        ("FILTERBY", "ACLCAT", "keyspace"),
        ("FILTERBY", "ACLCAT", "connection"),
        ("FILTERBY", "ACLCAT", "@hash"),
        ("FILTERBY", "ACLCAT", "nosuch"),
        ("FILTERBY", "MODULE", "x"),
    ],
)
def test_list(pairs: Pair, served: set[bytes], args: tuple[str, ...]) -> None:
    pairs.check("COMMAND", "LIST", *args, compare=served_names_list(served))


@pytest.mark.parametrize(
    "args",
    [("FILTERBY",), ("x",), ("FILTERBY", "x", "y"), ("FILTERBY", "PATTERN"), ("FILTERBY", "PATTERN", "a", "b"),
     ("FILTERBY", "MODULE", "x", "extra"), ("PATTERN", "x", "y", "z")],
)
def test_list_errors(pairs: Pair, args: tuple[str, ...]) -> None:
    pairs.check("COMMAND", "LIST", *args)


# --- HELP and errors ------------------------------------------------------------------------------------------


def test_help_and_errors(pairs: Pair) -> None:
    pairs.check("COMMAND", "HELP")
    pairs.check("command", "help")
    pairs.check("COMMAND", "HELP", "x")
    pairs.check("COMMAND", "COUNT", "x")
    pairs.check("COMMAND", "x")
    pairs.check("COMMAND", "GETKEYS")
    pairs.check("COMMAND", "GETKEYS", "get")
    pairs.check("COMMAND", "GETKEYSANDFLAGS", "set")
    pairs.check("COMMAND", "INFO", "get|")


# --- GETKEYS / GETKEYSANDFLAGS ------------------------------------------------------------------------------

GETKEYS_CASES: list[tuple[str, ...]] = [
    ("get", "k"),
    ("GET", "k"),
    ("get", "a", "b"),
    ("set", "k"),
    ("set", "k", "v"),
    ("set", "k", "v", "GET"),
    ("set", "k", "v", "ex", "get"),
    ("set", "k", "get", "v"),
    ("mset", "a", "1", "b", "2"),
    ("mset", "a", "1", "b"),
    ("msetnx", "a", "1", "b", "2"),
    ("del", "a", "b", "c"),
    ("rename", "a", "b"),
    ("copy", "a", "b", "DB", "1"),
    ("lcs", "a", "b"),
    ("object", "encoding", "k"),
    ("OBJECT", "FREQ", "k"),
    ("object", "help"),
    ("object", "nosuch", "k"),
    ("config", "get", "x"),
    ("config|get", "x"),
    ("client", "list"),
    ("command", "count"),
    ("ping", "x"),
    ("nosuch", "a"),
    ("hset", "h", "f", "v"),
    ("hmget", "h", "f", "g"),
    ("watch", "a", "b"),
    ("touch", "a"),
    ("scan", "0"),
    ("keys", "*"),
    ("expire", "k", "10"),
    ("getex", "k", "PERSIST"),
]


@pytest.mark.parametrize("argv", GETKEYS_CASES, ids=" ".join)
def test_getkeys(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check("COMMAND", "GETKEYS", *argv)
    pairs.check("COMMAND", "GETKEYSANDFLAGS", *argv)


# A seeded sample of argument lists over a whole table, mixing documented tokens, counts and keys.
_NUMBERS = ["0", "1", "2", "3", "-1", "01", "+1", "abc", "1abc", " 2", "4294967297", "2147483648", "", "1"]
_WORDS = ["k1", "k2", "k3", "x", ""]


def _doc_tokens() -> list[str]:
    tokens: set[str] = set()

    def walk(tree: Any) -> None:
        if isinstance(tree, dict):
            if "%" in tree:
                for key, value in tree["%"]:
                    if key == "token" and isinstance(value, str):
                        tokens.add(value)
                    walk(value)
            elif "~" in tree:
                for item in tree["~"]:
                    walk(item)
        elif isinstance(tree, list):
            for item in tree:
                walk(item)

    for entry in _RAW_TABLE.values():
        walk(entry["docs"])
    return sorted(tokens)


def sample_argvs(names: list[str], count: int, seed: int) -> Iterator[list[bytes]]:
    rng = random.Random(seed)
    tokens = _doc_tokens()
    for _ in range(count):
        name = rng.choice(names)
        info = _RAW_TABLE[name]["info"]
        argv = [name]
        container = isinstance(info[9], list) and bool(info[9])
        if container:
            argv.append(rng.choice([sub[0].split("|")[1] for sub in info[9]] + ["nosuch"]))
        arity = 0 if container else abs(info[1])
        low = max(0, arity - len(argv) - 1)
        for _ in range(rng.randint(low, low + 7)):
            roll = rng.random()
            pool = tokens if roll < 0.3 else _NUMBERS if roll < 0.6 else _WORDS
            argv.append(rng.choice(pool))
        if rng.random() < 0.2:
            argv = [arg.upper() for arg in argv]
        if len(argv) < 2:
            argv.append("k")
        yield [arg.encode() for arg in argv]


def test_getkeys_sample_of_served_commands(pairs: Pair, served: set[bytes]) -> None:
    top = sorted(name.decode() for name in served if b"|" not in name and not is_container(name))
    for argv in sample_argvs(top, 400, seed=7):
        pairs.check("COMMAND", "GETKEYS", *argv)
        pairs.check("COMMAND", "GETKEYSANDFLAGS", *argv)


MOVABLE = [
    "sort", "sort_ro", "migrate", "set", "bitfield", "bitfield_ro", "xread", "xreadgroup", "georadius",
    "georadiusbymember", "georadius_ro", "zunion", "zinter", "zdiff", "zunionstore", "zinterstore", "zdiffstore",
    "eval", "evalsha_ro", "fcall", "fcall_ro", "lmpop", "blmpop", "zmpop", "bzmpop", "sintercard", "zintercard",
    "object", "xinfo", "xgroup", "memory", "mset", "msetnx", "lmove", "blmove", "lcs", "spublish", "ssubscribe",
]


@pytest.mark.parametrize(
    ("names", "count", "seed"),
    [("all", 1500, 1), ("movable", 1500, 2)],
    ids=["whole-table", "movable-keys"],
)
def test_keyspec_evaluator_on_the_whole_table(pairs: Pair, names: str, count: int, seed: int) -> None:
    """``keyspecs.getkeys_reply`` (any Redis 7.0 command, served or not) against real Redis."""
    pool = sorted(name for name in _RAW_TABLE if "|" not in name) if names == "all" else MOVABLE
    encode = encode3 if pairs.protocol == 3 else encode2
    for index, argv in enumerate(sample_argvs(pool, count, seed)):
        with_flags = index % 2 == 1
        real = pairs.real.send("COMMAND", "GETKEYSANDFLAGS" if with_flags else "GETKEYS", *argv)
        try:
            mine: object = getkeys_reply(argv, with_flags)
        except CommandError as error:
            mine = error
        assert encode(mine) == real, (argv, with_flags, real, encode(mine))


@pytest.mark.parametrize(
    "argv",
    [
        ("xread", "streams", "a", "b", "streams"),
        ("xread", "count", "1", "streams", "a"),
        ("xread", "count", "streams", "streams"),
        ("xreadgroup", "group", "g", "c", "count", "streams", "x"),
        ("georadius", "k", "1", "2", "3", "m", "store"),
        ("georadius", "k", "1", "2", "3", "m", "storedist", "b", "store", "a"),
        ("zunionstore", "d", "+1", "k0"),
        ("zunionstore", "d", "4294967297", "k0"),
        ("zunion", "2147483648", "a", "b"),
        ("eval", "s", "-1"),
        ("eval", "s", "3", "a", "b"),
        ("fcall_ro", "f", "1", "a"),
        ("migrate", "h", "p", "", "0", "0", "KEYS", "a", "KEYS", "b"),
        ("migrate", "h", "p", "k", "0", "0", "keys", "a"),
        ("migrate", "h", "p", "k", "0", "0", "keys"),
        ("migrate", "h", "p", "", "0", "0", "auth2", "u", "p", "keys", "a", "b"),
        ("sort", "k", "limit", "store", "1", "get", "store", "by", "store"),
        ("sort", "k", "store", "a", "STORE", "b"),
        ("sort_ro", "k", "store", "x"),
        ("bitfield", "k", "get", "u8", "0", "overflow", "sat"),
        ("bitfield", "k", "overflow"),
        ("spublish", "a", "b"),
        ("xgroup", "createconsumer", "k", "g", "c"),
        ("memory", "usage", "k"),
        ("config", "set", "a", "b"),
    ],
    ids=" ".join,
)
def test_keyspec_evaluator_pinned_cases(pairs: Pair, argv: tuple[str, ...]) -> None:
    """Edge cases seen while pinning Redis 7.0.15's key extraction (see miniredis/keyspecs.py)."""
    encode = encode3 if pairs.protocol == 3 else encode2
    raw_argv = [arg.encode() for arg in argv]
    for with_flags in (False, True):
        real = pairs.real.send("COMMAND", "GETKEYSANDFLAGS" if with_flags else "GETKEYS", *argv)
        try:
            mine: object = getkeys_reply(raw_argv, with_flags)
        except CommandError as error:
            mine = error
        assert encode(mine) == real, (argv, with_flags, real, encode(mine))
