"""Key extraction from Redis 7.0 key specs: what ``COMMAND GETKEYS`` and ``GETKEYSANDFLAGS`` answer.

Redis 7.0 describes where a command's keys are with *key specs* (``COMMAND INFO`` element 8), each
a two-step recipe plus the key's access flags:

* ``begin_search``: ``index`` (the search starts at a fixed argv position) or ``keyword`` (the
  argument after the first ``keyword``, searched case-insensitively from ``startfrom``, or backwards
  from the end when ``startfrom`` is negative; the last argument is never taken as the keyword,
  since no key could follow it). A keyword that is absent means the spec names no key.
* ``find_keys``: ``range`` (``lastkey`` relative to the start, or counted from the end when
  negative; with ``limit`` N the keys are the first 1/N of the remaining arguments, as XREAD's
  ``STREAMS k1 k2 id1 id2``) or ``keynum`` (an argument holds the number of keys, as ZUNION's
  ``numkeys``; the count must be a strict integer >= 0 and is truncated to a C int).

This module evaluates those recipes generically from the captured command table, so it is right
for every command the table describes, served or not (``get_keys(name, argv)``). Like Redis, a
spec that does not fit the arguments (a range running past the end, a count that is not a number
or names more keys than there are arguments) makes the whole recipe invalid, and so do specs that
are ``incomplete``, of ``unknown`` type or whose flags vary with the arguments. Redis then falls
back on a per-command argument parser; the observed behaviour of those parsers is mirrored below
in ``_FALLBACKS`` (SORT's STORE, MIGRATE's KEYS, SET's GET, BITFIELD's sub-operations, and the
lenient ``atoi``-style count of the numkeys commands, which lists no flags). Everything here is
derived from observation of Redis 7.0.15 and its documentation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from miniredis.commands.registry import _RAW_TABLE
from miniredis.errors import CommandError
from miniredis.protocol.replies import SetReply, Simple

KeyRef = tuple[int, tuple[str, ...]]
"""One key found in argv: its position and its access flags (``("RW", "access", "delete")``)."""

INVALID_COMMAND = "ERR Invalid command specified"
NO_KEY_ARGUMENTS = "ERR The command has no key arguments"
INVALID_NUMBER_OF_ARGUMENTS = "ERR Invalid number of arguments specified for command"
INVALID_ARGUMENTS = "ERR Invalid arguments specified for command"

_STRICT_INT = re.compile(rb"(?:0|-?[1-9][0-9]*)\Z")  # Redis's string2ll: no sign '+', spaces or leading 0
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One key spec of the table, flattened."""

    flags: tuple[str, ...]
    begin_search: str  # "index" | "keyword" | "unknown"
    index: int = 0
    keyword: bytes = b""
    startfrom: int = 0
    find_keys: str = "unknown"  # "range" | "keynum" | "unknown"
    lastkey: int = 0
    keystep: int = 1
    limit: int = 0
    keynumidx: int = 0
    firstkey: int = 0

    @property
    def not_key(self) -> bool:
        return "not_key" in self.flags

    @property
    def reliable(self) -> bool:
        """False when Redis cannot trust the spec alone and asks the command's own parser."""
        return (
            self.begin_search != "unknown"
            and self.find_keys != "unknown"
            and "incomplete" not in self.flags
            and "variable_flags" not in self.flags
        )


def _plain(tree: Any) -> Any:
    """A captured typed tree as plain Python (simple strings and sets unwrapped, maps as dicts)."""
    if isinstance(tree, dict):
        if "+" in tree:
            return tree["+"]
        if "~" in tree:
            return [_plain(item) for item in tree["~"]]
        if "%" in tree:
            return {key: _plain(value) for key, value in tree["%"]}
    if isinstance(tree, list):
        return [_plain(item) for item in tree]
    return tree


def parse_key_spec(raw: dict[str, Any]) -> KeySpec:
    """A ``KeySpec`` from one plain key-spec map of ``COMMAND INFO``."""
    begin, find = raw["begin_search"], raw["find_keys"]
    bspec, fspec = begin.get("spec") or {}, find.get("spec") or {}
    return KeySpec(
        flags=tuple(raw.get("flags", ())),
        begin_search=begin["type"],
        index=bspec.get("index", 0),
        keyword=str(bspec.get("keyword", "")).encode(),
        startfrom=bspec.get("startfrom", 0),
        find_keys=find["type"],
        lastkey=fspec.get("lastkey", 0),
        keystep=fspec.get("keystep", 1),
        limit=fspec.get("limit", 0),
        keynumidx=fspec.get("keynumidx", 0),
        firstkey=fspec.get("firstkey", 0),
    )


@cache
def key_specs(name: str) -> tuple[KeySpec, ...]:
    """The key specs of table command ``name`` (``"zunionstore"``, ``"object|encoding"``)."""
    return tuple(parse_key_spec(raw) for raw in _plain(_RAW_TABLE[name]["info"][8]))


def has_keys(name: str) -> bool:
    """Whether GETKEYS can apply to ``name``: a spec that names keys, or a key-parsing fallback."""
    return name in _FALLBACKS or any(not spec.not_key for spec in key_specs(name))


# --- the generic evaluator ---------------------------------------------------------------------------


def _search_start(spec: KeySpec, argv: Sequence[bytes]) -> int | None:
    """Where ``find_keys`` starts: the index, or the argument after the keyword (None: keyword absent)."""
    if spec.begin_search == "index":
        return spec.index
    argc = len(argv)
    keyword = spec.keyword.lower()
    if spec.startfrom >= 0:
        positions: range = range(max(spec.startfrom, 1), argc - 1)
    else:
        positions = range(argc + spec.startfrom, 0, -1)
    for position in positions:
        if 1 <= position < argc and argv[position].lower() == keyword:
            return position + 1
    return None


def _strict_count(raw: bytes) -> int | None:
    """A key count as the key-spec evaluator reads it: a strict 64-bit integer, then a C int cast."""
    if not _STRICT_INT.match(raw):
        return None
    value = int(raw)
    if not _INT64_MIN <= value <= _INT64_MAX:
        return None
    return _c_int(value)


def _c_int(value: int) -> int:
    """``(int)value``: the low 32 bits, signed."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _atoi(raw: bytes) -> int:
    """C's ``atoi``: leading blanks, a sign, the leading digits (0 when none), saturated, then a C int."""
    match = re.match(rb"[ \t\n\v\f\r]*([+-]?)([0-9]*)", raw)
    assert match is not None
    digits = match.group(2)
    value = int(digits) if digits else 0
    if match.group(1) == b"-":
        value = -value
    return _c_int(min(max(value, _INT64_MIN), _INT64_MAX))


def keys_from_specs(specs: Sequence[KeySpec], argv: Sequence[bytes]) -> list[KeyRef] | None:
    """Evaluate every spec in order; None when one does not fit ``argv`` (Redis's invalid spec)."""
    argc = len(argv)
    found: list[KeyRef] = []
    for spec in specs:
        if not spec.reliable:
            return None
        first = _search_start(spec, argv)
        if first is None:
            continue
        if spec.find_keys == "range":
            step = spec.keystep
            if spec.lastkey >= 0:
                last = first + spec.lastkey
            elif spec.limit == 0:
                last = argc + spec.lastkey
            else:  # the first 1/limit of what follows (XREAD STREAMS k1 k2 id1 id2)
                last = first + (argc - first) // spec.limit + spec.lastkey
        else:  # keynum
            if first + spec.keynumidx >= argc:
                return None
            count = _strict_count(argv[first + spec.keynumidx])
            if count is None or count < 0:
                return None
            first += spec.firstkey
            step = spec.keystep
            last = first + (count - 1) * step
        if last >= argc or last < first or first >= argc:
            return None
        found.extend((position, spec.flags) for position in range(first, last + 1, step))
    return found


# --- the per-command parsers Redis falls back on -----------------------------------------------------

Fallback = Callable[[str, Sequence[bytes]], list[KeyRef]]

_SORT_STORE_FLAGS = ("OW", "update")
_SORT_KEY_FLAGS = ("RO", "access")
_MIGRATE_FLAGS = ("RW", "access", "delete")


def _keynum_fallback(name: str, argv: Sequence[bytes]) -> list[KeyRef]:
    """The numkeys commands' parser: an ``atoi`` count, the counted keys first, then the fixed ones.

    It reports no flags. A count below 1 or naming more keys than there are arguments gives none.
    """
    specs = key_specs(name)
    counted = next(spec for spec in specs if spec.find_keys == "keynum")
    count_at = counted.index + counted.keynumidx
    first = counted.index + counted.firstkey
    if count_at >= len(argv):
        return []
    count = _atoi(argv[count_at])
    if count < 1 or count > len(argv) - first:
        return []
    found: list[KeyRef] = [(position, ()) for position in range(first, first + count)]
    fixed = keys_from_specs([spec for spec in specs if spec is not counted], argv) or []
    found.extend((position, ()) for position, _ in fixed)
    return found


def _sort_fallback(name: str, argv: Sequence[bytes]) -> list[KeyRef]:
    """SORT: the sorted key, and the STORE destination (the last one) outside LIMIT/GET/BY arguments."""
    found: list[KeyRef] = [(1, _SORT_KEY_FLAGS)]
    if name == "sort_ro":
        return found
    skip = {b"limit": 2, b"get": 1, b"by": 1}
    store: int | None = None
    position = 2
    while position < len(argv):
        word = argv[position].lower()
        if word in skip:
            position += skip[word]
        elif word == b"store" and position + 1 < len(argv):
            store = position + 1
            position += 1
        position += 1
    if store is not None:
        found.append((store, _SORT_STORE_FLAGS))
    return found


def _migrate_fallback(name: str, argv: Sequence[bytes]) -> list[KeyRef]:
    """MIGRATE: the key argument, or with ``KEYS k...`` (and an empty key argument) every argument after it."""
    position = 6
    while position < len(argv):
        word = argv[position].lower()
        if word == b"auth":
            position += 1
        elif word == b"auth2":
            position += 2
        elif word == b"keys" and position + 1 < len(argv):
            if argv[3]:
                return []  # KEYS needs the key argument to be empty: no keys at all
            return [(index, _MIGRATE_FLAGS) for index in range(position + 1, len(argv))]
        position += 1
    return [(3, _MIGRATE_FLAGS)]


def _set_fallback(name: str, argv: Sequence[bytes]) -> list[KeyRef]:
    """SET: the key is read too when any option is ``GET``."""
    if any(arg.lower() == b"get" for arg in argv[3:]):
        return [(1, ("RW", "access", "update"))]
    return [(1, ("OW", "update"))]


def _bitfield_fallback(name: str, argv: Sequence[bytes]) -> list[KeyRef]:
    """BITFIELD: read-only while every operation is a complete ``GET type offset`` or ``OVERFLOW mode``."""
    position = 2
    while position < len(argv):
        word = argv[position].lower()
        left = len(argv) - position - 1
        if word == b"get" and left >= 2:
            position += 3
        elif word == b"overflow" and left >= 1:
            position += 2
        else:
            return [(1, ("RW", "access", "update"))]
    return [(1, ("RO", "access"))]


_FALLBACKS: dict[str, Fallback] = {
    "sort": _sort_fallback,
    "sort_ro": _sort_fallback,
    "migrate": _migrate_fallback,
    "set": _set_fallback,
    "bitfield": _bitfield_fallback,
}


def get_keys(name: str, argv: Sequence[bytes]) -> list[KeyRef]:
    """The keys of ``argv`` (argv[0] is the command) for table command ``name``, as GETKEYSANDFLAGS finds them.

    Arity is not checked here (see ``getkeys_reply``). An empty list means no keys were found.
    """
    specs = key_specs(name)
    found = keys_from_specs(specs, argv)
    if found is not None:
        return found
    fallback = _FALLBACKS.get(name)
    if fallback is not None:
        return fallback(name, argv)
    if any(spec.find_keys == "keynum" for spec in specs):
        return _keynum_fallback(name, argv)
    return []


# --- COMMAND GETKEYS / GETKEYSANDFLAGS ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """The command GETKEYS was asked about: its table name, arity and whether it may have no keys."""

    name: str
    arity: int
    no_mandatory_keys: bool


def raw_target(argv: Sequence[bytes]) -> Target | None:
    """Look ``argv`` up in the whole captured table (every Redis 7.0 command, served or not)."""
    name = argv[0].lower().decode("latin-1")
    entry = _RAW_TABLE.get(name)
    if entry is None or "|" in name:
        return None
    if isinstance(entry["info"][9], list) and entry["info"][9]:  # a container: the subcommand decides
        name = f"{name}|{argv[1].lower().decode('latin-1')}"
        entry = _RAW_TABLE.get(name)
        if entry is None:
            return None
    info = entry["info"]
    return Target(name, info[1], any(flag["+"] == "no_mandatory_keys" for flag in info[2]["~"]))


def getkeys_reply(
    argv: Sequence[bytes], with_flags: bool, lookup: Callable[[Sequence[bytes]], Target | None] = raw_target
) -> list[object]:
    """The reply to ``COMMAND GETKEYS|GETKEYSANDFLAGS <argv...>`` (``argv`` has at least two elements).

    Checks in Redis's order: the command exists, it has key arguments, the arity fits; then an
    empty result is an error unless the command's keys are optional (EVAL with 0 keys).
    """
    target = lookup(argv)
    if target is None:
        raise CommandError(INVALID_COMMAND)
    if not has_keys(target.name):
        raise CommandError(NO_KEY_ARGUMENTS)
    arity = target.arity
    if (arity > 0 and arity != len(argv)) or len(argv) < -arity:
        raise CommandError(INVALID_NUMBER_OF_ARGUMENTS)
    found = get_keys(target.name, argv)
    if not found and not target.no_mandatory_keys:
        raise CommandError(INVALID_ARGUMENTS)
    if not with_flags:
        return [argv[position] for position, _ in found]
    return [[argv[position], SetReply(Simple(flag) for flag in flags)] for position, flags in found]
