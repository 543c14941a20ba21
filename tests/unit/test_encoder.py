"""Reply encoder: every reply value in RESP2 and RESP3, as Redis 7.0 writes it."""

from __future__ import annotations

import pytest

from miniredis.errors import CommandError
from miniredis.protocol.encoder import ENCODERS, encode2, encode3, encode_error, format_double
from miniredis.protocol.replies import (
    EMPTY_ARRAY,
    NULL_ARRAY,
    OK,
    ONE,
    PONG,
    QUEUED,
    ZERO,
    Double,
    MultiReply,
    Push,
    Raw,
    SetReply,
    Simple,
    Verbatim,
)

CASES: list[tuple[str, object, bytes, bytes]] = [
    ("bulk", b"hello", b"$5\r\nhello\r\n", b"$5\r\nhello\r\n"),
    ("empty bulk", b"", b"$0\r\n\r\n", b"$0\r\n\r\n"),
    ("binary bulk", b"\x00\r\n\xff", b"$4\r\n\x00\r\n\xff\r\n", b"$4\r\n\x00\r\n\xff\r\n"),
    ("integer", 42, b":42\r\n", b":42\r\n"),
    ("negative integer", -7, b":-7\r\n", b":-7\r\n"),
    ("int64 extremes", 2**63 - 1, b":9223372036854775807\r\n", b":9223372036854775807\r\n"),
    ("null", None, b"$-1\r\n", b"_\r\n"),
    ("null array", NULL_ARRAY, b"*-1\r\n", b"_\r\n"),
    ("empty array", [], b"*0\r\n", b"*0\r\n"),
    ("array", [b"a", 1, None], b"*3\r\n$1\r\na\r\n:1\r\n$-1\r\n", b"*3\r\n$1\r\na\r\n:1\r\n_\r\n"),
    ("tuple", (b"a",), b"*1\r\n$1\r\na\r\n", b"*1\r\n$1\r\na\r\n"),
    ("nested", [[b"x"], []], b"*2\r\n*1\r\n$1\r\nx\r\n*0\r\n", b"*2\r\n*1\r\n$1\r\nx\r\n*0\r\n"),
    ("simple", Simple("PONG"), b"+PONG\r\n", b"+PONG\r\n"),
    ("map", {b"k": 1, b"n": None}, b"*4\r\n$1\r\nk\r\n:1\r\n$1\r\nn\r\n$-1\r\n",
     b"%2\r\n$1\r\nk\r\n:1\r\n$1\r\nn\r\n_\r\n"),
    ("empty map", {}, b"*0\r\n", b"%0\r\n"),
    ("set", SetReply([b"a", b"b"]), b"*2\r\n$1\r\na\r\n$1\r\nb\r\n", b"~2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    ("empty set", SetReply(), b"*0\r\n", b"~0\r\n"),
    ("push", Push([b"message", b"ch", b"hi"]), b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
     b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"),
    ("double", Double(1.5), b"$3\r\n1.5\r\n", b",1.5\r\n"),
    ("double integer", Double(3.0), b"$1\r\n3\r\n", b",3\r\n"),
    ("double precision", Double(0.1), b"$19\r\n0.10000000000000001\r\n", b",0.10000000000000001\r\n"),
    ("double inf", Double(float("inf")), b"$3\r\ninf\r\n", b",inf\r\n"),
    ("double -inf", Double(float("-inf")), b"$4\r\n-inf\r\n", b",-inf\r\n"),
    ("double exponent", Double(1e20), b"$5\r\n1e+20\r\n", b",1e+20\r\n"),
    ("true", True, b":1\r\n", b"#t\r\n"),
    ("false", False, b":0\r\n", b"#f\r\n"),
    ("verbatim", Verbatim(b"a\r\nb"), b"$4\r\na\r\nb\r\n", b"=8\r\ntxt:a\r\nb\r\n"),
    ("error", CommandError("ERR bad thing"), b"-ERR bad thing\r\n", b"-ERR bad thing\r\n"),
    ("error newlines", CommandError("ERR a\r\nb\nc"), b"-ERR a  b c\r\n", b"-ERR a  b c\r\n"),
    ("raw", Raw(b"+OK\r\n"), b"+OK\r\n", b"+OK\r\n"),
    ("multi", MultiReply([[b"subscribe", b"a", 1], [b"subscribe", b"b", 2]]),
     b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n",
     b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"),
    ("map in array", [{b"a": SetReply([Simple("x")])}], b"*1\r\n*2\r\n$1\r\na\r\n*1\r\n+x\r\n",
     b"*1\r\n%1\r\n$1\r\na\r\n~1\r\n+x\r\n"),
]


@pytest.mark.parametrize(("name", "value", "resp2", "resp3"), CASES, ids=[case[0] for case in CASES])
def test_encoding(name: str, value: object, resp2: bytes, resp3: bytes) -> None:
    assert encode2(value) == resp2
    assert encode3(value) == resp3
    assert ENCODERS[2](value) == resp2 and ENCODERS[3](value) == resp3


def test_preencoded_constants() -> None:
    assert (OK, PONG, QUEUED, ZERO, ONE, EMPTY_ARRAY) == (
        b"+OK\r\n", b"+PONG\r\n", b"+QUEUED\r\n", b":0\r\n", b":1\r\n", b"*0\r\n")
    for constant in (OK, PONG, QUEUED, ZERO, ONE, EMPTY_ARRAY):
        assert encode2(constant) == encode3(constant) == constant


def test_error_subclass_is_encoded() -> None:
    class SpecialError(CommandError):
        pass

    assert encode2(SpecialError("WRONGTYPE x")) == encode3(SpecialError("WRONGTYPE x")) == b"-WRONGTYPE x\r\n"


def test_encode_error_non_latin1() -> None:
    assert encode_error("ERR \u20ac") == b"-ERR ?\r\n"


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0, b"0"), (-0.0, b"-0"), (1.0, b"1"), (2.5, b"2.5"), (1 / 3, b"0.33333333333333331"),
     (1e-7, b"9.9999999999999995e-08"), (123456789012345680.0, b"1.2345678901234568e+17"),
     (float("nan"), b"nan")],
)
def test_format_double(value: float, text: bytes) -> None:
    assert format_double(value) == text


def test_unknown_type_raises() -> None:
    with pytest.raises(TypeError):
        encode2(object())
    with pytest.raises(TypeError):
        encode3(1.5)  # a plain float is not a reply: Double says how to format it
