"""The differential harness: the same bytes to a real Redis 7.0 and to miniredis, replies compared raw.

``RawConnection`` is a minimal socket client that knows RESP2 and RESP3 framing well enough to cut
the byte stream into whole replies (it never interprets them). ``Pair`` holds one connection to
each server: ``pair.check("SET", "k", "v")`` asserts that both replies are byte-identical, errors
included; a loose comparison is a named comparer from ``comparers.py`` that carries its reason.
``check_raw`` sends arbitrary bytes (protocol cases) and compares every reply and whether the
server closed the connection. ``wait_blocked`` polls ``INFO clients`` on both servers, the sync
point for two-client (blocking) cases, instead of sleeping.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Arg = str | bytes | int | float
Comparer = Callable[[bytes, bytes], bool]

DEFAULT_TIMEOUT = 5.0
QUIET_PERIOD = 0.15  # check_raw: how long to wait for more replies after the last one


class IncompleteReply(Exception):
    """The buffer ends before the reply does."""


_LINE_TYPES = frozenset(b"+-:_,#(")
_BULK_TYPES = frozenset(b"$=!")
_AGGREGATE_TYPES = frozenset(b"*~>")


def _line(buf: bytes, pos: int) -> tuple[bytes, int]:
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise IncompleteReply
    return buf[pos:end], end + 2


def reply_end(buf: bytes, pos: int = 0) -> int:
    """Index just past the complete RESP2/RESP3 reply starting at ``pos`` (IncompleteReply if cut)."""
    if pos >= len(buf):
        raise IncompleteReply
    kind = buf[pos]
    header, after = _line(buf, pos + 1)
    if kind in _LINE_TYPES:
        return after
    if kind in _BULK_TYPES:
        length = int(header)
        if length < 0:
            return after
        end = after + length + 2
        if end > len(buf):
            raise IncompleteReply
        return end
    if kind in _AGGREGATE_TYPES or kind in b"%|":
        count = int(header)
        if count < 0:
            return after
        if kind in b"%|":
            count *= 2
        for _ in range(count):
            after = reply_end(buf, after)
        if kind == ord("|"):  # an attribute precedes the reply it annotates
            after = reply_end(buf, after)
        return after
    raise ValueError(f"not a RESP reply: {buf[pos:pos + 40]!r}")


def split_aggregate(raw: bytes) -> tuple[bytes, list[bytes]]:
    """``(header, [element raw bytes...])`` of one aggregate reply; a map yields keys and values in turn."""
    header, pos = _line(raw, 1)
    count = int(header)
    if raw[:1] in (b"%", b"|"):
        count *= 2
    elements: list[bytes] = []
    for _ in range(max(count, 0)):
        end = reply_end(raw, pos)
        elements.append(raw[pos:end])
        pos = end
    return raw[: raw.index(b"\r\n") + 2], elements


def join_aggregate(kind: bytes, elements: list[bytes]) -> bytes:
    """Rebuild an aggregate from element bytes (``kind`` is ``b"*"``, ``b"~"``, ``b"%"``...)."""
    count = len(elements) // 2 if kind == b"%" else len(elements)
    return kind + b"%d\r\n" % count + b"".join(elements)


def decode_bulk(raw: bytes) -> bytes:
    """The payload of a bulk/simple reply (for reading names out of replies)."""
    if raw[:1] in (b"+", b"-", b":"):
        return raw[1:-2]
    header, pos = _line(raw, 1)
    return raw[pos : pos + int(header)]


def encode_command(argv: Iterable[Arg]) -> bytes:
    parts: list[bytes] = []
    for arg in argv:
        if isinstance(arg, bytes):
            data = arg
        elif isinstance(arg, str):
            data = arg.encode("utf-8")
        else:
            data = str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"*%d\r\n" % len(parts) + b"".join(parts)


class RawConnection:
    """A blocking socket speaking raw RESP: one request in, one whole reply (bytes) out."""

    def __init__(self, host: str, port: int, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.host, self.port = host, port
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False

    def __repr__(self) -> str:
        return f"RawConnection({self.host}:{self.port})"

    def send(self, *argv: Arg, timeout: float = DEFAULT_TIMEOUT) -> bytes:
        """Send one command as a multibulk request and return its complete reply."""
        self.sock.sendall(encode_command(argv))
        reply = self.read_reply(timeout)
        if reply is None:
            raise TimeoutError(f"no reply to {argv!r} from {self!r}")
        return reply

    def send_raw(self, data: bytes, timeout: float = DEFAULT_TIMEOUT) -> bytes:
        """Send bytes as they are; return the next reply, or b"" if the server closed the connection."""
        try:
            self.sock.sendall(data)
        except OSError:
            self.eof = True
        reply = self.read_reply(timeout)
        if reply is None:
            raise TimeoutError(f"no reply to {data[:60]!r} from {self!r}")
        return reply

    def write(self, data: bytes) -> None:
        """Send bytes without reading (pipelines, requests cut in pieces)."""
        self.sock.sendall(data)

    def _take(self) -> bytes | None:
        if not self.buf:
            return None
        try:
            end = reply_end(self.buf)
        except IncompleteReply:
            return None
        reply, self.buf = self.buf[:end], self.buf[end:]
        return reply

    def _recv(self, timeout: float) -> bool:
        """Read more bytes within ``timeout``; False on timeout. Sets ``eof`` when the peer closed."""
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(1 << 16)
        except TimeoutError:
            return False
        except OSError:  # reset by peer counts as closed
            data = b""
        if not data:
            self.eof = True
        self.buf += data
        return True

    def read_reply(self, timeout: float = DEFAULT_TIMEOUT) -> bytes | None:
        """The next complete reply; b"" if the server closed first; None if nothing came in ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            reply = self._take()
            if reply is not None:
                return reply
            if self.eof:
                return b""
            left = deadline - time.monotonic()
            if left <= 0 or not self._recv(left):
                return None

    def read_all(self, quiet: float = QUIET_PERIOD) -> list[bytes]:
        """Every reply until the server closes or stays quiet for ``quiet`` seconds."""
        replies: list[bytes] = []
        for _ in range(100000):
            reply = self.read_reply(quiet)
            if not reply:  # closed (b"") or quiet (None)
                break
            replies.append(reply)
        return replies

    def is_closed(self, timeout: float = 0.5) -> bool:
        """True when the server has closed the connection (waits up to ``timeout`` for the EOF)."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._recv(left)
        return True

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _describe(compare: Comparer) -> str:
    return getattr(compare, "__name__", repr(compare))


_HELLO_ID = re.compile(rb"(\$2\r\nid\r\n):\d+\r\n")


def normalize_hello_id(raw: bytes) -> bytes:
    """HELLO's ``id`` field is the connection's id on each server, so it is replaced by ``:0``."""
    return _HELLO_ID.sub(rb"\1:0\r\n", raw)


@dataclass
class Address:
    host: str
    port: int


class Pair:
    """One connection to the real Redis and one to miniredis; the same requests go to both."""

    def __init__(self, real: Address, mini: Address, protocol: int = 2) -> None:
        self.real_addr, self.mini_addr = real, mini
        self.real = RawConnection(real.host, real.port)
        self.mini = RawConnection(mini.host, mini.port)
        self.protocol = protocol
        if protocol == 3:
            real_hello, mini_hello = self.both("HELLO", "3")
            assert real_hello.startswith(b"%"), real_hello
            assert normalize_hello_id(real_hello) == normalize_hello_id(mini_hello), (real_hello, mini_hello)

    def both(self, *argv: Arg) -> tuple[bytes, bytes]:
        """Send ``argv`` to both servers; return ``(real_reply, mini_reply)`` raw."""
        data = encode_command(argv)
        self.real.sock.sendall(data)
        self.mini.sock.sendall(data)
        real = self.real.read_reply()
        mini = self.mini.read_reply()
        if real is None or mini is None:
            raise TimeoutError(f"{argv!r}: no reply (real={real!r}, mini={mini!r})")
        return real, mini

    def check(self, *argv: Arg, compare: Comparer | None = None) -> bytes:
        """Assert both replies to ``argv`` are byte-identical (or equal under ``compare``); return real's."""
        real, mini = self.both(*argv)
        assert_same(argv, real, mini, compare)
        return real

    def check_many(self, *commands: tuple[Arg, ...]) -> None:
        for argv in commands:
            self.check(*argv)

    def check_raw(
        self, data: bytes, quiet: float = QUIET_PERIOD, normalize: Callable[[bytes], bytes] | None = None
    ) -> tuple[list[bytes], bool]:
        """Send raw bytes to both; assert the same replies come back and both close (or both stay open).

        Real Redis answers first (until it closes or is quiet for ``quiet`` s); miniredis must then give
        as many replies, close if Redis closed, and send nothing more. Returns ``(replies, closed)``."""
        self.real.write(data)
        self.mini.write(data)
        real = self.real.read_all(quiet)
        real_closed = self.real.eof
        mini: list[bytes] = []
        for _ in real:
            reply = self.mini.read_reply(DEFAULT_TIMEOUT)
            if not reply:
                break
            mini.append(reply)
        if len(mini) == len(real):
            if real_closed:
                self.mini.is_closed(DEFAULT_TIMEOUT)
                mini.extend(self.mini.read_all(0))
            else:  # miniredis had all of Redis's quiet period already; a short extra wait for stray replies
                mini.extend(self.mini.read_all(quiet / 3))
        mini_closed = self.mini.eof
        if normalize is not None:  # e.g. normalize_hello_id: a named, documented normalisation
            real, mini = [normalize(reply) for reply in real], [normalize(reply) for reply in mini]
        assert real == mini, f"{data[:200]!r}\n real: {real!r}\n mini: {mini!r}"
        assert real_closed == mini_closed, (
            f"{data[:200]!r}: real {'closed' if real_closed else 'stayed open'}, "
            f"mini {'closed' if mini_closed else 'stayed open'}"
        )
        return real, real_closed

    def write(self, data: bytes) -> None:
        """Send raw bytes to both without reading."""
        self.real.write(data)
        self.mini.write(data)

    def read(self, timeout: float = DEFAULT_TIMEOUT, compare: Comparer | None = None) -> bytes:
        """Read the next reply on both (after ``write`` or a blocking command) and compare them."""
        real = self.real.read_reply(timeout)
        mini = self.mini.read_reply(timeout)
        assert real is not None and mini is not None, f"no reply: real={real!r}, mini={mini!r}"
        assert_same(("<read>",), real, mini, compare)
        return real

    def state(self, *keys: Arg) -> None:
        """Compare the type and content of ``keys`` on both servers (read commands miniredis serves)."""
        from conformance import comparers  # imported here: comparers imports this module

        for key in keys:
            real_type, mini_type = self.both("TYPE", key)
            if mini_type.startswith(b"-ERR unknown command"):
                return  # TYPE is not served yet: nothing to compare with
            assert_same(("TYPE", key), real_type, mini_type)
            name = decode_bulk(real_type)
            reads: dict[bytes, tuple[tuple[Arg, ...], Comparer | None]] = {
                b"string": (("GET", key), None),
                b"list": (("LRANGE", key, 0, -1), None),
                b"hash": (("HGETALL", key), comparers.sorted_pairs),
                b"set": (("SMEMBERS", key), comparers.sorted_array),
                b"zset": (("ZRANGE", key, 0, -1, "WITHSCORES"), None),
                b"stream": (("XRANGE", key, "-", "+"), None),
            }
            if name not in reads:
                continue
            argv, compare = reads[name]
            real, mini = self.both(*argv)
            if mini.startswith(b"-ERR unknown command"):
                continue  # the read command is not served yet: TYPE was compared
            assert_same(argv, real, mini, compare)
            # The remaining lifetime may differ by a millisecond or so; its presence must not.
            real_ttl, mini_ttl = self.both("PTTL", key)
            if not mini_ttl.startswith(b"-"):
                assert (real_ttl[:2] == b":-") == (mini_ttl[:2] == b":-"), (key, real_ttl, mini_ttl)
                assert abs(int(real_ttl[1:-2]) - int(mini_ttl[1:-2])) < 2000, (key, real_ttl, mini_ttl)

    def close(self) -> None:
        self.real.close()
        self.mini.close()


def assert_same(argv: tuple[Arg, ...], real: bytes, mini: bytes, compare: Comparer | None = None) -> None:
    if compare is None:
        assert real == mini, f"{_show(argv)}\n real: {real!r}\n mini: {mini!r}"
        return
    reason = (getattr(compare, "__doc__", None) or "").strip()
    assert reason, f"comparer {_describe(compare)} must say why it is loose (docstring)"
    assert compare(real, mini), f"{_show(argv)} [{_describe(compare)}]\n real: {real!r}\n mini: {mini!r}"


def _show(argv: tuple[Arg, ...]) -> str:
    return " ".join(repr(arg) if not isinstance(arg, str) else arg for arg in argv)[:300]


def info_field(conn: RawConnection, section: str, field: str) -> bytes | None:
    reply = conn.send("INFO", section)
    if reply.startswith(b"-"):
        raise AssertionError(f"INFO {section} failed on {conn!r}: {reply!r}")
    match = re.search(rb"\r\n" + field.encode() + rb":([^\r\n]*)\r\n", b"\r\n" + decode_bulk(reply))
    return match.group(1) if match else None


def wait_blocked(pair: Pair, n: int, timeout: float = 5.0) -> None:
    """Wait until both servers report ``blocked_clients:n`` in ``INFO clients`` (bounded)."""
    real = RawConnection(pair.real_addr.host, pair.real_addr.port)
    mini = RawConnection(pair.mini_addr.host, pair.mini_addr.port)
    try:
        deadline = time.monotonic() + timeout
        wanted = str(n).encode()
        seen: tuple[bytes | None, bytes | None] = (None, None)
        while time.monotonic() < deadline:
            seen = (info_field(real, "clients", "blocked_clients"), info_field(mini, "clients", "blocked_clients"))
            if seen == (wanted, wanted):
                return
            time.sleep(0.01)
        raise AssertionError(f"blocked_clients never reached {n}: real={seen[0]!r}, mini={seen[1]!r}")
    finally:
        real.close()
        mini.close()


def block(pair: Pair, *argv: Arg) -> None:
    """Send a (blocking) command to both servers without reading its reply."""
    pair.write(encode_command(argv))


def assert_silent(pair: Pair, wait: float = 0.1) -> None:
    """Neither server has sent anything more on this pair."""
    real, mini = pair.real.read_reply(wait), pair.mini.read_reply(wait / 2)
    assert real is None and mini is None, (real, mini)


def clear_requirepass(pair: Pair, password: str = "secret") -> None:
    """Teardown of a ``requirepass`` fixture: authenticate fresh connections to both servers and clear it."""
    for conn in (pair.real, pair.mini):
        cleanup = RawConnection(conn.host, conn.port)
        cleanup.send("AUTH", password)
        assert cleanup.send("CONFIG", "SET", "requirepass", "") == b"+OK\r\n"
        cleanup.close()
