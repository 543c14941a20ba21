"""RequestParser: fast path (hiredis), exact slow path, switching with held bytes, errors and limits.

The texts and behaviours pinned here were observed on Redis 7.0.15 (see conformance/test_protocol.py
for the same cases run against a real server).
"""

from __future__ import annotations

import random

import pytest

from miniredis.protocol.parser import (
    INLINE_MAX_SIZE,
    UNAUTH_MAX_BULK,
    RequestParser,
    split_inline_args,
    string2ll,
)
from tests.helpers import encode_command as encode


def feed_all(chunks: list[bytes], parser: RequestParser | None = None) -> tuple[list[list[bytes]], str | None]:
    parser = parser or RequestParser()
    requests: list[list[bytes]] = []
    for chunk in chunks:
        requests.extend(parser.feed(chunk))
    return requests, parser.error.message if parser.error is not None else None


def proto(message: str) -> str:
    return "ERR Protocol error: " + message


# --- fast path -------------------------------------------------------------------------------------

def test_fast_path_single_and_pipeline() -> None:
    assert feed_all([encode(b"PING")]) == ([[b"PING"]], None)
    data = encode(b"SET", b"k", b"v") + encode(b"GET", b"k") + encode(b"ECHO", b"\x00\r\n")
    assert feed_all([data]) == ([[b"SET", b"k", b"v"], [b"GET", b"k"], [b"ECHO", b"\x00\r\n"]], None)


def test_fast_path_stays_fast_on_plain_traffic() -> None:
    parser = RequestParser()
    for _ in range(3):
        assert parser.feed(encode(b"GET", b"k")) == [[b"GET", b"k"]]
        assert parser._slow is None
        assert parser.buffered == 0


def test_fast_path_request_split_in_chunks() -> None:
    data = encode(b"SET", b"key", b"x" * 1000)
    parser = RequestParser()
    assert parser.feed(data[:10]) == []
    assert parser.buffered == 10
    assert parser.feed(data[10:500]) == []
    assert parser.feed(data[500:]) == [[b"SET", b"key", b"x" * 1000]]
    assert parser.buffered == 0


def test_empty_multibulk_is_skipped() -> None:
    assert feed_all([b"*0\r\n*-1\r\n" + encode(b"PING")]) == ([[b"PING"]], None)
    assert feed_all([b"*0\r\n" + b"PING\r\n"]) == ([[b"PING"]], None)
    assert feed_all([b"*-1\r\n" + b"PING\r\n"]) == ([[b"PING"]], None)
    assert feed_all([b"*-5\r\n" + b"PING\r\n"]) == ([[b"PING"]], None)


# --- every split of a mixed stream gives the same requests -----------------------------------------

MIXED = (
    encode(b"SET", b"key", b"a value")
    + b"GET key\r\n"
    + encode(b"GET", b"key")
    + b"*0\r\n*-1\r\n\r\n"
    + b"ECHO \"x y\"\r\n"
    + encode(b"ECHO", b"*1234567")
    + encode(b"ECHO", b"")
)
MIXED_REQUESTS = [
    [b"SET", b"key", b"a value"], [b"GET", b"key"], [b"GET", b"key"], [b"ECHO", b"x y"], [b"ECHO", b"*1234567"],
    [b"ECHO", b""],
]


def test_every_two_way_split() -> None:
    for cut in range(1, len(MIXED)):
        assert feed_all([MIXED[:cut], MIXED[cut:]]) == (MIXED_REQUESTS, None), cut


def test_byte_at_a_time() -> None:
    assert feed_all([bytes([byte]) for byte in MIXED]) == (MIXED_REQUESTS, None)


def test_random_splits() -> None:
    rng = random.Random(7)
    for _ in range(500):
        cuts = sorted(rng.sample(range(1, len(MIXED)), rng.randint(1, 12)))
        chunks = [MIXED[a:b] for a, b in zip([0, *cuts], [*cuts, len(MIXED)], strict=True)]
        assert feed_all(chunks) == (MIXED_REQUESTS, None), chunks


def test_switch_keeps_requests_already_returned() -> None:
    # hiredis returns the first request, then fails on the inline one: the exact parser re-reads the held
    # bytes and must not return the first request twice.
    parser = RequestParser()
    assert parser.feed(encode(b"PING") + b"*1\r\n$4\r\nEC") == [[b"PING"]]
    assert parser.feed(b"HO\r\nPING\r\n") == [[b"ECHO"], [b"PING"]]
    assert parser.feed(encode(b"GET", b"k")) == [[b"GET", b"k"]]


def test_switch_after_empty_multibulk_counts_it() -> None:
    parser = RequestParser()
    assert parser.feed(encode(b"PING") + b"*0\r\n*1\r\n$4\r\nEC") == [[b"PING"]]
    # ECHO completes in hiredis, then the inline PING makes it switch: PING, *0 and ECHO are skipped.
    assert parser.feed(b"HO\r\nPING\r\n") == [[b"ECHO"], [b"PING"]]


def test_returns_to_fast_path_on_a_boundary_only() -> None:
    parser = RequestParser()
    assert parser.feed(b"PING\r\n*2\r\n$4\r\nECHO\r\n") == [[b"PING"]]
    assert parser._slow is not None  # inside a multibulk whose header was read: stays exact
    assert parser.feed(b"$1\r\nz\r\n") == [[b"ECHO", b"z"]]
    assert parser._slow is None
    assert parser.feed(encode(b"PING")) == [[b"PING"]]


# --- inline commands -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "args"),
    [
        (b"PING", [b"PING"]),
        (b"  set  k   v  ", [b"set", b"k", b"v"]),
        (b"\tPING\t", [b"PING"]),
        (b'ECHO "hello world"', [b"ECHO", b"hello world"]),
        (b"ECHO 'hello world'", [b"ECHO", b"hello world"]),
        (b'ECHO "a\\x41\\x4a\\x4Fb"', [b"ECHO", b"aAJOb"]),
        (b'ECHO "a\\xZZb"', [b"ECHO", b"axZZb"]),
        (b'ECHO "\\n\\r\\t\\b\\a\\\\\\"\\q"', [b"ECHO", b"\n\r\t\b\a\\\"q"]),
        (b"ECHO 'it\\'s'", [b"ECHO", b"it's"]),
        (b"ECHO 'no \\n escape'", [b"ECHO", b"no \\n escape"]),
        (b'ECHO ""', [b"ECHO", b""]),
        (b"ECHO ''", [b"ECHO", b""]),
        (b'ECHO "a" "b"', [b"ECHO", b"a", b"b"]),
        (b'ECHO abc"def"', [b"ECHO", b"abcdef"]),
        (b"", []),
        (b"   ", []),
    ],
)
def test_split_inline_args(line: bytes, args: list[bytes]) -> None:
    assert split_inline_args(line) == args


@pytest.mark.parametrize(
    "line", [b'ECHO "abc', b"ECHO 'abc", b'ECHO "abc"def', b"ECHO 'abc'def", b'ECHO "abc\\"', b'ECHO "\\x41']
)
def test_split_inline_args_unbalanced(line: bytes) -> None:
    assert split_inline_args(line) is None


def test_inline_requests() -> None:
    assert feed_all([b"PING\r\nPING\nECHO x\r\n"]) == ([[b"PING"], [b"PING"], [b"ECHO", b"x"]], None)
    assert feed_all([b"\r\n\n   \r\nPING\r\n"]) == ([[b"PING"]], None)
    assert feed_all([b"+PING\r\n:1\r\n$4\r\n"]) == ([[b"+PING"], [b":1"], [b"$4"]], None)


def test_inline_unbalanced_quotes() -> None:
    assert feed_all([b"PING\r\nECHO \"x\r\nPING\r\n"]) == ([[b"PING"]], proto("unbalanced quotes in request"))


def test_inline_too_big() -> None:
    assert feed_all([b"a" * (INLINE_MAX_SIZE + 1)]) == ([], proto("too big inline request"))
    assert feed_all([b"a" * INLINE_MAX_SIZE]) == ([], None)  # not more than the limit yet
    # A complete line may be longer than the limit.
    assert feed_all([b"ECHO " + b"x" * (INLINE_MAX_SIZE * 2) + b"\r\n"])[1] is None


def test_nul_hides_the_line_end() -> None:
    # Redis finds line ends with strchr: a NUL before the newline means "no newline yet".
    assert feed_all([b"ECHO a\x00b\r\nPING\r\n"]) == ([], None)
    assert feed_all([b"ECHO a\x00b\r\n" + b"x" * INLINE_MAX_SIZE]) == ([], proto("too big inline request"))
    assert feed_all([b"*1\x00\r\n$4\r\nPING\r\n" + b"x" * INLINE_MAX_SIZE]) == (
        [], proto("too big mbulk count string"))
    assert feed_all([b"*1\r\n$4\x00\r\nPING\r\n" + b"x" * INLINE_MAX_SIZE]) == (
        [], proto("too big bulk count string"))
    # Inside a bulk payload a NUL is data.
    assert feed_all([encode(b"ECHO", b"a\x00b")]) == ([[b"ECHO", b"a\x00b"]], None)


# --- multibulk errors ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"*x\r\n", "invalid multibulk length"),
        (b"*\r\n", "invalid multibulk length"),
        (b"* 1\r\n", "invalid multibulk length"),
        (b"*01\r\n", "invalid multibulk length"),
        (b"*+1\r\n", "invalid multibulk length"),
        (b"*1 \r\n", "invalid multibulk length"),
        (b"*1\n$4\r\nPING\r\n", "invalid multibulk length"),
        (b"*2147483648\r\n", "invalid multibulk length"),
        (b"*3000000000\r\n$4\r\nPING\r\n", "invalid multibulk length"),
        (b"*9223372036854775808\r\n", "invalid multibulk length"),
        (b"*1\r\n:5\r\n", "expected '$', got ':'"),
        (b"*1\r\n*1\r\n$4\r\nPING\r\n", "expected '$', got '*'"),
        (b"*2\r\n$4\r\nECHO\r\n_\r\n", "expected '$', got '_'"),
        (b"*1\r\nPING\r\n", "expected '$', got 'P'"),
        (b"*1\r\n$x\r\n", "invalid bulk length"),
        (b"*1\r\n$\r\n", "invalid bulk length"),
        (b"*1\r\n$-1\r\n", "invalid bulk length"),
        (b"*1\r\n$04\r\nPING\r\n", "invalid bulk length"),
        (b"*1\r\n$+4\r\nPING\r\n", "invalid bulk length"),
        (b"*1\r\n$536870913\r\n", "invalid bulk length"),
        (b"*1\r\n$9223372036854775808\r\n", "invalid bulk length"),
        (b"*" + b"1" * (INLINE_MAX_SIZE + 1), "too big mbulk count string"),
        (b"*1\r\n$" + b"1" * (INLINE_MAX_SIZE + 1), "too big bulk count string"),
    ],
)
def test_multibulk_errors(data: bytes, message: str) -> None:
    requests, error = feed_all([encode(b"PING") + data])
    assert requests == [[b"PING"]]
    assert error == proto(message)


def test_multibulk_errors_byte_at_a_time() -> None:
    for data, message in [(b"*x\r\n", "invalid multibulk length"), (b"*1\r\n:5\r\n", "expected '$', got ':'"),
                          (b"*1\r\n$-1\r\n", "invalid bulk length"), (b"*3000000000\r\n", "invalid multibulk length")]:
        assert feed_all([bytes([byte]) for byte in data]) == ([], proto(message)), data


def test_no_requests_after_an_error() -> None:
    parser = RequestParser()
    assert parser.feed(b"*x\r\n" + encode(b"PING")) == []
    assert parser.feed(encode(b"PING")) == []
    assert parser.error is not None


def test_bulk_trailer_is_not_checked() -> None:
    # Redis skips the two bytes after a bulk payload without looking at them.
    assert feed_all([b"*1\r\n$4\r\nPINGxx" + encode(b"PING")]) == ([[b"PING"], [b"PING"]], None)


def test_max_bulk_len() -> None:
    # proto-max-bulk-len is at least 1 MB, so a longer bulk spans reads: the exact parser checks it.
    limit = 1024 * 1024
    parser = RequestParser(max_bulk=limit)
    assert parser.feed(b"*2\r\n$4\r\nECHO\r\n$%d\r\n" % limit) == []
    assert parser.error is None
    parser = RequestParser(max_bulk=limit)
    parser.feed(b"*2\r\n$4\r\nECHO\r\n$%d\r\n" % (limit + 1) + b"x" * 1000)
    parser.feed(b"x" * 100_000)
    assert parser.error is not None and parser.error.message == proto("invalid bulk length")


def test_huge_count_is_not_preallocated() -> None:
    # hiredis would allocate the announced list up front; the exact parser reads such requests.
    parser = RequestParser()
    assert parser.feed(b"*300000000\r\n$4\r\nPING\r\n") == []
    assert parser.error is None


def test_query_buffer_limit_closes_without_reply() -> None:
    parser = RequestParser(query_limit=1024 * 1024)
    parser.feed(b"*2\r\n$4\r\nECHO\r\n$3000000\r\n")
    for _ in range(20):
        parser.feed(b"x" * 100_000)
    assert parser.error is not None and parser.error.message == ""


# --- unauthenticated limits ------------------------------------------------------------------------

def unauthenticated() -> RequestParser:
    parser = RequestParser()
    parser.authenticated = False
    return parser


def test_unauthenticated_multibulk_limit() -> None:
    assert feed_all([b"*11\r\n"], unauthenticated()) == ([], proto("unauthenticated multibulk length"))
    requests, error = feed_all([encode(*[b"x"] * 10)], unauthenticated())
    assert error is None and requests == [[b"x"] * 10]


def test_unauthenticated_bulk_limit() -> None:
    big = UNAUTH_MAX_BULK + 1
    assert feed_all([b"*1\r\n$%d\r\n" % big], unauthenticated()) == ([], proto("unauthenticated bulk length"))
    assert feed_all([encode(b"ECHO", b"x" * UNAUTH_MAX_BULK)], unauthenticated()) == (
        [[b"ECHO", b"x" * UNAUTH_MAX_BULK]], None)


def test_authenticated_has_no_such_limit() -> None:
    assert feed_all([encode(*[b"x"] * 11)]) == ([[b"x"] * 11], None)


def test_unauthenticated_limit_after_fast_requests() -> None:
    parser = RequestParser()
    assert parser.feed(encode(b"PING")) == [[b"PING"]]
    parser.authenticated = False
    assert parser.feed(b"*11\r\n") == []
    assert parser.error is not None and parser.error.message == proto("unauthenticated multibulk length")


# --- string2ll -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "value"),
    [(b"0", 0), (b"-1", -1), (b"123", 123), (b"9223372036854775807", 2**63 - 1),
     (b"-9223372036854775808", -(2**63)), (b"9223372036854775808", None), (b"01", None), (b"+1", None),
     (b" 1", None), (b"1 ", None), (b"", None), (b"-", None), (b"-0", None), (b"1.0", None)],
)
def test_string2ll(text: bytes, value: int | None) -> None:
    assert string2ll(text) == value
