"""Reply encoder: turns reply values (see ``replies.py``) into RESP2 or RESP3 bytes.

The encoder is chosen once per client (``HELLO`` switches it), so the hot path is one function call
with the common types tested first. Redis's formatting rules mirrored here: doubles use ``%.17g``
(``addReplyDouble``), infinities print as ``inf``/``-inf``, and an error's CR and LF become spaces
(``addReplyErrorLength``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from miniredis.errors import CommandError
from miniredis.protocol.replies import (
    Double,
    MultiReply,
    NullArray,
    Push,
    Raw,
    SetReply,
    Simple,
    Verbatim,
)

Encoder = Callable[[object], bytes]


def format_double(value: float) -> bytes:
    """Redis's ``%.17g`` rendering of a double, with ``inf``/``-inf``/``nan`` spelled as Redis does."""
    if math.isinf(value):
        return b"inf" if value > 0 else b"-inf"
    if math.isnan(value):
        return b"nan"
    return b"%.17g" % value


def encode_error(message: str) -> bytes:
    return b"-" + message.replace("\r", " ").replace("\n", " ").encode("latin-1", "replace") + b"\r\n"


def encode2(reply: object) -> bytes:
    """RESP2 encoding of one reply value."""
    kind = type(reply)
    if kind is bytes:
        return b"$%d\r\n%s\r\n" % (len(reply), reply)  # type: ignore[arg-type]
    if kind is Raw:
        return reply  # type: ignore[return-value]
    if kind is int:
        return b":%d\r\n" % reply  # type: ignore[str-format]
    if reply is None:
        return b"$-1\r\n"
    if kind is list or kind is tuple or kind is SetReply or kind is Push:
        return b"".join([b"*%d\r\n" % len(reply), *map(encode2, reply)])  # type: ignore[call-overload,arg-type]
    if kind is Simple:
        return b"+%s\r\n" % reply.encode("latin-1")  # type: ignore[attr-defined]
    if kind is dict:
        parts = [b"*%d\r\n" % (2 * len(reply))]  # type: ignore[arg-type]
        for key, value in reply.items():  # type: ignore[attr-defined]
            parts.append(encode2(key))
            parts.append(encode2(value))
        return b"".join(parts)
    if kind is CommandError:
        return encode_error(reply.message)  # type: ignore[attr-defined]
    if kind is Double:
        text = format_double(reply)  # type: ignore[arg-type]
        return b"$%d\r\n%s\r\n" % (len(text), text)
    if kind is bool:
        return b":1\r\n" if reply else b":0\r\n"
    if kind is Verbatim:
        return b"$%d\r\n%s\r\n" % (len(reply), reply)  # type: ignore[arg-type]
    if kind is NullArray:
        return b"*-1\r\n"
    if kind is MultiReply:
        return b"".join(map(encode2, reply))  # type: ignore[call-overload,arg-type]
    if isinstance(reply, CommandError):
        return encode_error(reply.message)
    raise TypeError(f"cannot encode reply of type {kind.__name__}")


def encode3(reply: object) -> bytes:
    """RESP3 encoding of one reply value."""
    kind = type(reply)
    if kind is bytes:
        return b"$%d\r\n%s\r\n" % (len(reply), reply)  # type: ignore[arg-type]
    if kind is Raw:
        return reply  # type: ignore[return-value]
    if kind is int:
        return b":%d\r\n" % reply  # type: ignore[str-format]
    if reply is None or kind is NullArray:
        return b"_\r\n"
    if kind is list or kind is tuple:
        return b"".join([b"*%d\r\n" % len(reply), *map(encode3, reply)])  # type: ignore[call-overload,arg-type]
    if kind is Simple:
        return b"+%s\r\n" % reply.encode("latin-1")  # type: ignore[attr-defined]
    if kind is dict:
        parts = [b"%%%d\r\n" % len(reply)]  # type: ignore[arg-type]
        for key, value in reply.items():  # type: ignore[attr-defined]
            parts.append(encode3(key))
            parts.append(encode3(value))
        return b"".join(parts)
    if kind is SetReply:
        return b"".join([b"~%d\r\n" % len(reply), *map(encode3, reply)])  # type: ignore[call-overload,arg-type]
    if kind is Push:
        return b"".join([b">%d\r\n" % len(reply), *map(encode3, reply)])  # type: ignore[call-overload,arg-type]
    if kind is CommandError:
        return encode_error(reply.message)  # type: ignore[attr-defined]
    if kind is Double:
        return b",%s\r\n" % format_double(reply)  # type: ignore[arg-type]
    if kind is bool:
        return b"#t\r\n" if reply else b"#f\r\n"
    if kind is Verbatim:
        return b"=%d\r\ntxt:%s\r\n" % (len(reply) + 4, reply)  # type: ignore[arg-type]
    if kind is MultiReply:
        return b"".join(map(encode3, reply))  # type: ignore[call-overload,arg-type]
    if isinstance(reply, CommandError):
        return encode_error(reply.message)
    raise TypeError(f"cannot encode reply of type {kind.__name__}")


ENCODERS: dict[int, Encoder] = {2: encode2, 3: encode3}
