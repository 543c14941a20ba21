"""OBJECT ENCODING: the internal representation Redis 7.0 would use for a value, keyed by Python type.

miniredis stores each type one way (``bytes``, ``QuickList``, ``dict``, ``set``, ...), so the encoding is
derived from the value's size and content with Redis 7.0's thresholds:

- strings: ``int`` for a canonical 64-bit integer of at most 20 bytes, ``embstr`` up to 44 bytes,
  ``raw`` beyond (Redis also makes APPEND/SETRANGE results ``raw``; a ``bytes`` value cannot tell);
- lists: always ``quicklist`` (7.0 has no listpack-encoded list object; that came in 7.2);
- hashes: ``listpack`` while entries <= hash-max-listpack-entries and every field and value is at
  most hash-max-listpack-value bytes, else ``hashtable``;
- sets: ``intset`` while every member is a canonical integer and members <= set-max-intset-entries,
  else ``hashtable`` (7.0 has no listpack-encoded set);
- sorted sets and streams register their own rule with ``register_encoding``.

Redis converts an object one way only (a hash that grew into a hashtable stays one after HDEL);
rules here look at the current content, so such a shrunk value reports its small encoding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from miniredis.keyspace.objects import type_name
from miniredis.protocol.parser import string2ll
from miniredis.structures.quicklist import QuickList

if TYPE_CHECKING:
    from miniredis.config import Config

EncodingRule = Callable[[object, "Config"], bytes]

EMBSTR_SIZE_LIMIT = 44  # object.c OBJ_ENCODING_EMBSTR_SIZE_LIMIT
SHARED_INTEGERS = 10000  # server.h OBJ_SHARED_INTEGERS: 0..9999 are shared objects
SHARED_REFCOUNT = 2147483647  # OBJ_SHARED_REFCOUNT, what OBJECT REFCOUNT shows for a shared object


def string_encoding(value: object, config: Config) -> bytes:
    assert isinstance(value, bytes)
    if len(value) <= 20 and string2ll(value) is not None:
        return b"int"
    return b"embstr" if len(value) <= EMBSTR_SIZE_LIMIT else b"raw"


def list_encoding(value: object, config: Config) -> bytes:
    return b"quicklist"


def hash_encoding(value: object, config: Config) -> bytes:
    assert isinstance(value, dict)
    if len(value) > config.hash_max_listpack_entries:
        return b"hashtable"
    limit = config.hash_max_listpack_value
    for field, item in value.items():
        if len(field) > limit or len(item) > limit:
            return b"hashtable"
    return b"listpack"


def set_encoding(value: object, config: Config) -> bytes:
    assert isinstance(value, set)
    if len(value) > config.set_max_intset_entries:
        return b"hashtable"
    for member in value:
        if len(member) > 20 or string2ll(member) is None:
            return b"hashtable"
    return b"intset"


ENCODINGS: dict[type, EncodingRule] = {
    bytes: string_encoding,
    QuickList: list_encoding,
    dict: hash_encoding,
    set: set_encoding,
}


def register_encoding(cls: type, rule: EncodingRule) -> None:
    """Called by a structure module (sorted sets, streams) to give OBJECT ENCODING its rule."""
    ENCODINGS[cls] = rule


def encoding_of(value: object, config: Config) -> bytes:
    rule = ENCODINGS.get(type(value))
    if rule is None:
        # A type without a rule may name its encoding itself; a stream has only one.
        named = getattr(value, "encoding_name", None)
        if isinstance(named, bytes):
            return named
        return b"stream" if type_name(value) == b"stream" else b"hashtable"
    return rule(value, config)


def is_shared(value: object, config: Config) -> bool:
    """Whether Redis would store ``value`` as one of its shared integer objects (refcount INT_MAX).

    Small integers (0..9999) are shared unless maxmemory is set with an LRU/LFU policy, which needs
    a per-object access clock (object.c tryObjectEncoding).
    """
    if type(value) is not bytes or len(value) > 4:
        return False
    number = string2ll(value)
    if number is None or not 0 <= number < SHARED_INTEGERS:
        return False
    policy = config.maxmemory_policy
    return config.maxmemory == 0 or not ("lru" in policy or "lfu" in policy)
