"""Request parser: bytes in, argument vectors out, with Redis 7.0's protocol errors.

Two parsers share one contract. ``hiredis.Reader`` is the fast path for well-formed multibulk
requests, which is what every client library sends. ``_SlowParser`` is an exact, pure-Python
reading of Redis's ``processInlineBuffer``/``processMultibulkBuffer`` rules: inline commands
(telnet, ``redis-cli`` inline, ``PING_INLINE``), quoting, every protocol error text, the
``proto-max-bulk-len`` limit and the stricter limits for unauthenticated clients.

hiredis is the fast path as long as the stream is plain multibulk. The exact parser takes over, with
the bytes hiredis still holds (requests hiredis already returned are skipped, never run twice), when
hiredis reports an error (an inline command, a bad length, a bad trailer), when a chunk starts a
request with something other than ``*``, while the client is unauthenticated, and while a partial
request is held that could break a limit (a 9-digit length at the end of the chunk, or more than
64 KB held). Elements of another type inside a request (integers, nested arrays, nulls) are caught
by a type check on every request. One known leniency remains: hiredis returns a simple string
(``+x``) element as bytes, so such a request runs where Redis would refuse it.

Theory of operation::

    feed(data) -> list[argv]        complete requests, in order
    .error                          set once a protocol error was found; the connection
                                    replies with it (after the requests before it) and closes
"""

from __future__ import annotations

import re
from typing import Final

import hiredis

from miniredis.errors import ProtocolError

INLINE_MAX_SIZE: Final = 64 * 1024  # PROTO_INLINE_MAX_SIZE
UNAUTH_MAX_MULTIBULK: Final = 10
UNAUTH_MAX_BULK: Final = 16384
INT_MAX: Final = 2**31 - 1

FAST_HELD_LIMIT: Final = 64 * 1024  # a partial request larger than this is handed to the exact parser
# A length of 9 or more digits at the end of a chunk: the exact parser checks it against the limits.
_LONG_LENGTH_AT_END: Final = re.compile(rb"[$*]-?\d{9,}\r?\n?\Z")
# A signed or 7-digit (a million or more) multibulk count anywhere in a chunk, and a count cut by the
# end of the chunk (its size is unknown yet): both go to the exact parser. Two cheap scans instead of
# one regex with an end-anchored alternative, which costs twice as much on every chunk.
_BIG_COUNT: Final = re.compile(rb"\*(?:[-+]|\d{7})")
_COUNT_AT_END: Final = re.compile(rb"\*[-+]?\d*\r?\Z")
_INT_TEXT: Final = re.compile(rb"-?[1-9][0-9]{0,18}|0")


def string2ll(raw: bytes) -> int | None:
    """Redis's strict integer parser (util.c string2ll): no sign '+', no spaces, no leading zeros."""
    length = len(raw)
    if 0 < length <= 18 and raw.isdigit() and (raw[0] != 48 or length == 1):
        return int(raw)  # the common case, canonical and below 10**18, without the regex
    if not _INT_TEXT.fullmatch(raw):
        return None
    value = int(raw)
    if value > 2**63 - 1 or value < -(2**63):
        return None
    return value


class RequestParser:
    """Splits a client's byte stream into requests (``list[bytes]``), fast path first."""

    __slots__ = ("_reader", "_fast_chunks", "_fast_done", "_slow", "error", "max_bulk", "authenticated",
                 "query_limit")

    def __init__(self, max_bulk: int = 512 * 1024 * 1024, query_limit: int = 1024 * 1024 * 1024) -> None:
        self._reader = hiredis.Reader()
        self._fast_chunks: list[bytes] = []  # chunks fed to hiredis since its buffer was last empty
        self._fast_done = 0  # requests hiredis returned from those chunks
        self._slow: _SlowParser | None = None
        self.error: ProtocolError | None = None
        self.max_bulk = max_bulk
        self.query_limit = query_limit
        self.authenticated = True  # False while requirepass is set and the client has not authenticated

    def feed(self, data: bytes) -> list[list[bytes]]:
        if self.error is not None:
            return []
        if self._slow is None and self.authenticated and (self._fast_chunks or data[:1] == b"*"):
            return self._feed_fast(data)
        return self._feed_slow(data)

    @property
    def holds_unparsed(self) -> bool:
        """The exact parser has bytes it stopped before (it hands out one request at a time while
        the client is unauthenticated)."""
        return self._slow is not None and self._slow.pos < len(self._slow.buf)

    @property
    def buffered(self) -> int:
        """Bytes received and not yet turned into requests (the query buffer)."""
        if self._slow is not None:
            return len(self._slow.buf) - self._slow.pos
        return sum(map(len, self._fast_chunks))

    def _feed_fast(self, data: bytes) -> list[list[bytes]]:
        # A count cut by the end of the chunk can only be there when the chunk does not end a line.
        # (A negative search position counts from 0.)
        if _BIG_COUNT.search(data) is not None or (
                data[-1:] != b"\n" and _COUNT_AT_END.search(data, len(data) - 12) is not None):
            # hiredis allocates a list of the announced size up front (`*300000000` costs seconds and
            # gigabytes) and accepts counts above INT_MAX: the exact parser reads such requests.
            return self._switch_to_slow(data)
        reader = self._reader
        reader.feed(data)
        requests: list[list[bytes]] = []
        append = requests.append
        gets = reader.gets
        has_data = reader.has_data
        join = b"".join
        empty = 0  # `*0` requests hiredis returned: skipped silently, as Redis does
        try:
            while (request := gets()) is not False:
                if type(request) is not list:
                    # `$-1`, `_`, `%1` parse as replies of other types; Redis reads them as inline commands.
                    return requests + self._hand_over(data, len(requests) + empty)
                if request:
                    # hiredis accepts integers, nulls and nested arrays as elements; Redis does not.
                    # join() refuses any element that is not bytes: the cheapest full type check.
                    try:
                        join(request)
                    except TypeError:
                        return requests + self._hand_over(data, len(requests) + empty)
                    append(request)
                else:
                    empty += 1
                if not has_data():
                    # Everything fed was consumed by complete requests: nothing is held. (has_data() is
                    # also False when hiredis consumed a partial request's header, so it is only a
                    # boundary right after a complete request.)
                    if self._fast_chunks:
                        self._fast_chunks.clear()
                        self._fast_done = 0
                    return requests
        except hiredis.ProtocolError:
            return requests + self._hand_over(data, len(requests) + empty)
        # A partial request is held: keep the chunks it came from, in case the exact parser takes over.
        self._fast_chunks.append(data)
        self._fast_done += len(requests) + empty
        if self.buffered > FAST_HELD_LIMIT or _LONG_LENGTH_AT_END.search(data, len(data) - 24):
            return requests + self._switch_to_slow(b"")
        return requests

    def _hand_over(self, data: bytes, done: int) -> list[list[bytes]]:
        """The exact parser takes over from hiredis mid-chunk; ``done`` requests of this chunk
        were already returned (they are skipped, never run twice)."""
        self._fast_chunks.append(data)
        self._fast_done += done
        return self._switch_to_slow(b"")

    def _switch_to_slow(self, data: bytes) -> list[list[bytes]]:
        held = b"".join(self._fast_chunks) + data
        skip = self._fast_done
        self._reader = hiredis.Reader()
        self._fast_chunks = []
        self._fast_done = 0
        self._slow = _SlowParser(self)
        self._slow.skip = skip
        return self._slow.feed(held)

    def _feed_slow(self, data: bytes) -> list[list[bytes]]:
        if self._slow is None:
            if not data:
                return []
            return self._switch_to_slow(data)
        requests = self._slow.feed(data)
        slow = self._slow
        if slow.pos >= len(slow.buf) and slow.at_boundary() and self.error is None and self.authenticated:
            self._slow = None  # back on a request boundary: the next chunk may take the fast path
        return requests


def _is_space(byte: int) -> bool:
    return byte in b" \t\n\v\f\r"


def _hex_value(byte: int) -> int:
    return int(chr(byte), 16)


def split_inline_args(line: bytes) -> list[bytes] | None:
    """Redis's ``sdssplitargs``: whitespace-separated words, "double" quotes with C escapes and \\xHH,
    'single' quotes with only \\' escaped. Returns None for unbalanced quotes."""
    nul = line.find(b"\0")
    if nul >= 0:
        line = line[:nul]
    args: list[bytes] = []
    i, n = 0, len(line)
    while True:
        while i < n and _is_space(line[i]):
            i += 1
        if i >= n:
            return args
        current = bytearray()
        in_double = in_single = False
        while True:
            if in_double:
                if i >= n:
                    return None
                ch = line[i]
                if (ch == 0x5C and i + 3 < n and line[i + 1] == 0x78
                        and chr(line[i + 2]) in "0123456789abcdefABCDEF"
                        and chr(line[i + 3]) in "0123456789abcdefABCDEF"):
                    current.append(_hex_value(line[i + 2]) * 16 + _hex_value(line[i + 3]))
                    i += 3
                elif ch == 0x5C and i + 1 < n:
                    i += 1
                    current.append({0x6E: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x61: 7}.get(line[i], line[i]))
                elif ch == 0x22:
                    if i + 1 < n and not _is_space(line[i + 1]):
                        return None
                    i += 1
                    break
                else:
                    current.append(ch)
            elif in_single:
                if i >= n:
                    return None
                ch = line[i]
                if ch == 0x5C and i + 1 < n and line[i + 1] == 0x27:
                    i += 1
                    current.append(0x27)
                elif ch == 0x27:
                    if i + 1 < n and not _is_space(line[i + 1]):
                        return None
                    i += 1
                    break
                else:
                    current.append(ch)
            else:
                if i >= n:
                    break
                ch = line[i]
                if ch in b" \n\r\t":
                    i += 1
                    break
                if ch == 0x22:
                    in_double = True
                elif ch == 0x27:
                    in_single = True
                else:
                    current.append(ch)
            i += 1
        args.append(bytes(current))


class _SlowParser:
    """Exact pure-Python request parser over a growing buffer (Redis's processInputBuffer)."""

    __slots__ = ("owner", "buf", "pos", "skip", "_multibulk_left", "_args", "_bulk_len")

    def __init__(self, owner: RequestParser) -> None:
        self.owner = owner
        self.buf = bytearray()
        self.pos = 0
        self.skip = 0  # requests at the front that the fast path already returned
        self._multibulk_left = 0  # > 0 while inside a multibulk request
        self._args: list[bytes] = []
        self._bulk_len = -1

    def feed(self, data: bytes) -> list[list[bytes]]:
        if self.pos:
            del self.buf[: self.pos]
            self.pos = 0
        self.buf += data
        requests: list[list[bytes]] = []
        owner = self.owner
        while self.pos < len(self.buf) and owner.error is None:
            if self._multibulk_left == 0 and self.buf[self.pos] != 0x2A:
                argv = self._inline()
            else:
                argv = self._multibulk()
            if argv is None:
                break  # need more data, or an error was set
            if self.skip:  # counted before `not argv`: the fast path counts `*0` among its requests too
                self.skip -= 1
                continue
            if not argv:
                continue
            requests.append(argv)
            if not owner.authenticated:
                # Redis runs each request before it parses the next, so an AUTH changes the limits
                # the following requests are read with: hand over one request at a time.
                break
        if owner.error is None and len(self.buf) - self.pos > owner.query_limit:
            owner.error = ProtocolError("")  # Redis closes such a client without a reply
        return requests

    def at_boundary(self) -> bool:
        """True between requests (not inside a multibulk whose header was read)."""
        return self._multibulk_left == 0

    def _fail(self, message: str) -> None:
        self.owner.error = ProtocolError("ERR Protocol error: " + message)

    def _find(self, byte: bytes) -> int:
        """``strchr`` from ``pos``, as Redis searches its query buffer: a NUL byte ends the search."""
        found = self.buf.find(byte, self.pos)
        if found > self.pos and self.buf.find(b"\0", self.pos, found) >= 0:
            return -1
        return found

    def _inline(self) -> list[bytes] | None:
        newline = self._find(b"\n")
        if newline < 0:
            if len(self.buf) - self.pos > INLINE_MAX_SIZE:
                self._fail("too big inline request")
            return None
        end = newline
        if end > self.pos and self.buf[end - 1] == 0x0D:
            end -= 1
        args = split_inline_args(bytes(self.buf[self.pos : end]))
        if args is None:
            self._fail("unbalanced quotes in request")
            return None
        self.pos = newline + 1
        return args

    def _line_end(self, too_big: str) -> int | None:
        """Index of the CR that ends the header line at ``pos``, once the LF after it has arrived."""
        cr = self._find(b"\r")
        if cr < 0 or cr + 1 >= len(self.buf):
            if len(self.buf) - self.pos > INLINE_MAX_SIZE:
                self._fail(too_big)
            return None
        return cr

    def _multibulk(self) -> list[bytes] | None:
        owner = self.owner
        if self._multibulk_left == 0:
            cr = self._line_end("too big mbulk count string")
            if cr is None:
                return None
            count = string2ll(bytes(self.buf[self.pos + 1 : cr]))
            if count is None or count > INT_MAX:
                self._fail("invalid multibulk length")
                return None
            if count > UNAUTH_MAX_MULTIBULK and not owner.authenticated:
                self._fail("unauthenticated multibulk length")
                return None
            self.pos = cr + 2
            if count <= 0:
                return []
            self._multibulk_left = count
            self._args = []
            self._bulk_len = -1
        while self._multibulk_left:
            if self._bulk_len < 0:
                cr = self._line_end("too big bulk count string")
                if cr is None:
                    return None
                if self.buf[self.pos] != 0x24:
                    self._fail(f"expected '$', got '{chr(self.buf[self.pos])}'")
                    return None
                length = string2ll(bytes(self.buf[self.pos + 1 : cr]))
                if length is None or length < 0 or length > owner.max_bulk:
                    self._fail("invalid bulk length")
                    return None
                if length > UNAUTH_MAX_BULK and not owner.authenticated:
                    self._fail("unauthenticated bulk length")
                    return None
                self.pos = cr + 2
                self._bulk_len = length
            if len(self.buf) - self.pos < self._bulk_len + 2:
                return None
            # Redis skips the two bytes after a bulk without checking that they are CRLF.
            self._args.append(bytes(self.buf[self.pos : self.pos + self._bulk_len]))
            self.pos += self._bulk_len + 2
            self._bulk_len = -1
            self._multibulk_left -= 1
        args, self._args = self._args, []
        return args
