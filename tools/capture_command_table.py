"""Capture Redis's command table (COMMAND INFO and COMMAND DOCS) from a running reference server.

Redis 7.0 keeps its command metadata as data (``src/commands/*.json``) and answers ``COMMAND INFO`` and
``COMMAND DOCS`` from it. miniredis does the same: ``miniredis/commands/command_table.json`` holds, for every
command of the reference server, the two replies as typed trees, observed over RESP3 so that every reply type
(simple string, set, map, null) is preserved. The registry reads arity, flags, key positions and ACL categories
from it, and the COMMAND family replays it. Regenerate with::

    redis-server --port 7777 --save '' --appendonly no &
    python tools/capture_command_table.py 127.0.0.1 7777 > miniredis/commands/command_table.json

Tree encoding: bulk string -> JSON string, integer -> number, null -> null, array -> list,
simple string -> {"+": s}, set -> {"~": [...]}, map -> {"%": [[k, v], ...]}.
"""

from __future__ import annotations

import json
import socket
import sys
from typing import Any


class Resp3Reader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n: int) -> bytes:
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(65536)
        data, self.buf = self.buf[:n], self.buf[n + 2 :]
        return data

    def read(self) -> Any:
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            return self._exact(int(rest)).decode()
        if kind == b":":
            return int(rest)
        if kind == b"+":
            return {"+": rest.decode()}
        if kind == b"_":
            return None
        if kind == b"*":
            return [self.read() for _ in range(int(rest))]
        if kind == b"~":
            return {"~": [self.read() for _ in range(int(rest))]}
        if kind == b"%":
            return {"%": [[self.read(), self.read()] for _ in range(int(rest))]}
        if kind == b"-":
            raise RuntimeError(rest.decode())
        raise RuntimeError(f"unexpected reply type {kind!r}")


def command(sock: socket.socket, reader: Resp3Reader, *argv: str) -> Any:
    payload = b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in argv)
    sock.sendall(payload)
    return reader.read()


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    sock = socket.create_connection((host, port))
    reader = Resp3Reader(sock)
    command(sock, reader, "HELLO", "3")
    names = sorted(command(sock, reader, "COMMAND", "LIST"))
    table: dict[str, Any] = {}
    for name in names:
        info = command(sock, reader, "COMMAND", "INFO", name)[0]
        docs = command(sock, reader, "COMMAND", "DOCS", name)["%"][0][1]
        table[name] = {"info": info, "docs": docs}
    json.dump(table, sys.stdout, indent=None, separators=(",", ":"), sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
