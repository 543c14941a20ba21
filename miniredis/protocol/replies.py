"""Reply values: what a command handler returns, before it is encoded for the client's protocol.

Plain Python values cover the common cases so that the hot path allocates nothing extra:

==================  ==========================  ============================
value               RESP2                       RESP3
==================  ==========================  ============================
``bytes``           bulk string ``$``           bulk string ``$``
``int``             integer ``:``               integer ``:``
``None``            null bulk ``$-1``           null ``_``
``list``/``tuple``  array ``*``                 array ``*``
``dict``            flat array ``*``            map ``%``
``bool``            integer ``:1``/``:0``       boolean ``#t``/``#f``
``CommandError``    error ``-``                 error ``-``
==================  ==========================  ============================

The wrapper types below cover the rest (simple strings, sets, doubles, verbatim text, push frames,
null arrays). ``Raw`` is a pre-encoded reply that is the same in both protocols (``+OK``).
"""

from __future__ import annotations


class Raw(bytes):
    """Already-encoded RESP, identical in RESP2 and RESP3 (``+OK\\r\\n``, ``:0\\r\\n``)."""

    __slots__ = ()


class Simple(str):
    """A simple string (``+PONG``)."""

    __slots__ = ()


class SetReply(list):  # type: ignore[type-arg]
    """A set: ``~`` in RESP3, a plain array in RESP2. Order is kept as given."""

    __slots__ = ()


class Push(list):  # type: ignore[type-arg]
    """An out-of-band push frame: ``>`` in RESP3, a plain array in RESP2 (pub/sub messages)."""

    __slots__ = ()


class MultiReply(list):  # type: ignore[type-arg]
    """Several replies to one command, sent back to back (SUBSCRIBE a b answers once per channel)."""

    __slots__ = ()


class Double(float):
    """A double: ``,`` in RESP3, a bulk string in RESP2, both printed with ``%.17g`` as Redis 7.0 does."""

    __slots__ = ()


class Verbatim(bytes):
    """Verbatim text (``=``, format ``txt``) in RESP3, a bulk string in RESP2 (INFO, CLIENT LIST)."""

    __slots__ = ()


class NullArray:
    """The null array: ``*-1`` in RESP2 (BLPOP timeout, EXEC aborted by WATCH), ``_`` in RESP3."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL_ARRAY"


class NoReply:
    """A command that answers nothing at all (MONITOR sent again by a monitoring client)."""

    __slots__ = ()


NULL_ARRAY = NullArray()
NO_REPLY = NoReply()
OK = Raw(b"+OK\r\n")
PONG = Raw(b"+PONG\r\n")
QUEUED = Raw(b"+QUEUED\r\n")
ZERO = Raw(b":0\r\n")
ONE = Raw(b":1\r\n")
EMPTY_ARRAY = Raw(b"*0\r\n")

Reply = object
"""Any value the encoder understands (see the table above)."""
