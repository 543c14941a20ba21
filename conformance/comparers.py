"""Named loose comparers: the only exceptions to byte-for-byte equality, each with its reason.

A comparer is ``compare(real_raw, mini_raw) -> bool``; its docstring is the reason the harness
requires (``Pair.check(..., compare=sorted_array)``). Add one only for a genuinely undefined part
of a reply (hash or set iteration order, connection ids), never to paper over a difference.
"""

from __future__ import annotations

from conformance.harness import Comparer, decode_bulk, join_aggregate, normalize_hello_id, split_aggregate


def _is_aggregate(raw: bytes) -> bool:
    return raw[:1] in (b"*", b"~", b"%") and not raw.startswith((b"*-1", b"%-1"))


def sorted_array(real: bytes, mini: bytes) -> bool:
    """Element order is not defined (set members, hash-ordered keys): same type, same elements."""
    if not (_is_aggregate(real) and _is_aggregate(mini)):
        return real == mini
    real_head, real_items = split_aggregate(real)
    mini_head, mini_items = split_aggregate(mini)
    return real_head == mini_head and sorted(real_items) == sorted(mini_items)


def sorted_pairs(real: bytes, mini: bytes) -> bool:
    """Field/value pairs come in hash order (HGETALL, CONFIG GET): same pairs, any order."""
    if not (_is_aggregate(real) and _is_aggregate(mini)):
        return real == mini
    real_head, real_items = split_aggregate(real)
    mini_head, mini_items = split_aggregate(mini)

    def pairs(items: list[bytes]) -> list[tuple[bytes, bytes]]:
        return sorted(zip(items[0::2], items[1::2], strict=True))

    return real_head == mini_head and len(real_items) % 2 == 0 and pairs(real_items) == pairs(mini_items)


def same_type(real: bytes, mini: bytes) -> bool:
    """The value is run-dependent (ids, timings, addresses): only the reply type must agree."""
    return real[:1] == mini[:1]


def hello_reply(real: bytes, mini: bytes) -> bool:
    """HELLO's ``id`` is the connection id, which depends on each server's history: ``id`` ignored."""
    return normalize_hello_id(real) == normalize_hello_id(mini)


def served_subcommands(served: set[bytes]) -> Comparer:
    """A COMMAND INFO comparer that keeps, in real Redis's reply, only the subcommands in ``served``."""

    def filtered_subcommands(real: bytes, mini: bytes) -> bool:
        return _normalize_command_info(real, served) == _normalize_command_info(mini, None)

    filtered_subcommands.__doc__ = (
        "subcommands not served are not listed; the subcommand list is in Redis's dict order (random hash "
        "seed per process), so both lists are sorted"
    )
    return filtered_subcommands


def _normalize_command_info(raw: bytes, served: set[bytes] | None) -> bytes:
    """``COMMAND INFO`` (one or more entries) with the subcommands sorted and, if given, only ``served``."""
    if not _is_aggregate(raw):
        return raw
    _, entries = split_aggregate(raw)
    rebuilt: list[bytes] = []
    for entry in entries:
        if not _is_aggregate(entry):
            rebuilt.append(entry)
            continue
        _, fields = split_aggregate(entry)
        if len(fields) >= 10 and _is_aggregate(fields[9]):
            _, subs = split_aggregate(fields[9])
            if served is not None:
                subs = [sub for sub in subs if decode_bulk(split_aggregate(sub)[1][0]) in served]
            fields[9] = join_aggregate(fields[9][:1], sorted(subs))
        rebuilt.append(join_aggregate(entry[:1], fields))
    return join_aggregate(raw[:1], rebuilt)
