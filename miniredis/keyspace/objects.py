"""Value types held in the keyspace and the names Redis gives them.

A value's Python type is its Redis type: ``bytes`` is a string, a ``QuickList``
(``miniredis.structures.quicklist``) a list, ``dict`` a hash, ``set`` a set; sorted sets and
streams have their own classes, registered here by the modules that define them. TYPE and
WRONGTYPE checks read this one table.
"""

from __future__ import annotations

from miniredis.structures.quicklist import QuickList

TYPE_NAMES: dict[type, bytes] = {
    bytes: b"string",
    QuickList: b"list",
    dict: b"hash",
    set: b"set",
}


def register_type(cls: type, name: bytes) -> None:
    """Called by a structure module (sorted sets, streams) to make its class a keyspace type."""
    TYPE_NAMES[cls] = name


def type_name(value: object) -> bytes:
    return TYPE_NAMES.get(type(value), b"none")
