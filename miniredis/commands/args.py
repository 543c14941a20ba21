"""Argument parsers that reply with Redis's exact error texts (object.c's ``get*FromObjectOrReply``).

Each parser raises ``CommandError`` with the text Redis 7.0 gives for the same input, so handlers can
parse in Redis's order and let the first failure be the reply.
"""

from __future__ import annotations

import math

from miniredis.errors import NOT_FLOAT, NOT_INTEGER, CommandError
from miniredis.protocol.parser import string2ll


def parse_int(raw: bytes, error: str = NOT_INTEGER) -> int:
    """A 64-bit signed integer as Redis's string2ll reads it (``+1``, ``01``, `` 1``, ``1.0`` rejected)."""
    value = string2ll(raw)
    if value is None:
        raise CommandError(error)
    return value


def parse_float(raw: bytes, error: str = NOT_FLOAT) -> float:
    """A double as Redis's string2d/strtod reads it: ``inf``, ``1e3``, ``+1`` accepted; spaces and nan refused."""
    if not raw or len(raw) > 5120 or raw[:1].isspace() or raw[-1:].isspace():
        raise CommandError(error)
    try:
        value = float(raw)
    except ValueError:
        raise CommandError(error) from None
    if math.isnan(value) or b"_" in raw:
        raise CommandError(error)
    return value


def eq(raw: bytes, word: bytes) -> bool:
    """Case-insensitive option match (``strcasecmp``); ``word`` is lower case."""
    return raw.lower() == word
