"""The asyncio Protocol for one client connection (the uvicorn model: it only moves bytes).

``data_received`` feeds the sans-IO parser, runs every complete request through the dispatcher in
order and writes all the replies of one read in one ``transport.write``. A request held by CLIENT
PAUSE (or, later, a blocking command) parks the rest of the pipeline until the client is released,
as Redis stops reading a blocked client's query buffer. Back-pressure: when the transport's write
buffer passes its high-water mark, the connection stops reading until the client drains it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import TYPE_CHECKING, Final

from miniredis.protocol.encoder import encode_error
from miniredis.protocol.parser import RequestParser
from miniredis.server.client import Client
from miniredis.server.dispatcher import run_requests

if TYPE_CHECKING:
    from miniredis.server.app import Server

log = logging.getLogger("miniredis")

BATCH_LIMIT: Final = 128  # requests run between two checks that the client drains its replies


def _format_addr(peer: object) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        host, port = peer[0], peer[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(peer or "")


class RespConnection(asyncio.Protocol):
    __slots__ = ("server", "client", "parser", "transport", "pending", "reading_paused", "writing_paused")

    def __init__(self, server: Server) -> None:
        self.server = server
        self.client: Client | None = None
        self.parser = RequestParser(server.config.proto_max_bulk_len, server.config.client_query_buffer_limit)
        self.transport: asyncio.Transport | None = None
        self.pending: deque[list[bytes]] | None = None  # requests held while the client waits
        self.reading_paused = False
        self.writing_paused = False

    # --- asyncio callbacks ---------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's TCPTransport is not a subclass
        server = self.server
        if len(server.clients) >= server.config.maxclients:
            self.transport.write(encode_error("ERR max number of clients reached"))  # type: ignore[union-attr]
            transport.close()
            return
        client = Client(server, server.next_client_id(), self.transport)
        client.connection = self
        client.addr = _format_addr(transport.get_extra_info("peername"))
        client.laddr = _format_addr(transport.get_extra_info("sockname"))
        sock = transport.get_extra_info("socket")
        client.fd = sock.fileno() if sock is not None else -1
        self.client = client
        self.parser.authenticated = client.authenticated
        server.add_client(client)

    def connection_lost(self, exc: Exception | None) -> None:
        client = self.client
        if client is not None and not client.closed:
            client.closed = True
            self.server.remove_client(client)

    def pause_writing(self) -> None:
        self.writing_paused = True
        self._pause_reading()

    def resume_writing(self) -> None:
        self.writing_paused = False
        self._resume_reading()
        client = self.client
        if self.pending is not None and client is not None and client.blocked is None:
            self.resume()  # requests held back while the client was not draining its replies

    def data_received(self, data: bytes) -> None:
        client = self.client
        if client is None or client.closed:
            return
        parser = self.parser
        requests = parser.feed(data)
        client.last_interaction_ms = self.server.clock.time_ms()
        if self.pending is not None:
            self.pending.extend(requests)
            return
        self.process(requests)
        # An unauthenticated client's requests are parsed one at a time (each may be AUTH): go on
        # with what is still buffered while the client can take more.
        while (requests and parser.holds_unparsed and self.pending is None and not client.closed
               and not client.close_after_reply):
            requests = parser.feed(b"")
            if requests:
                self.process(requests)

    # --- request processing ------------------------------------------------------------------------
    def process(self, requests: list[list[bytes]] | deque[list[bytes]]) -> None:
        client = self.client
        assert client is not None
        if not isinstance(requests, list):
            requests = list(requests)
        total = len(requests)
        start = 0
        while True:
            # A read can hold thousands of requests. They run in slices; after each slice the replies
            # are written, and if the client is not draining them (the transport paused writing),
            # the rest waits until it does: back-pressure bounds what one client makes us buffer.
            batch = requests if total <= BATCH_LIMIT else requests[start : start + BATCH_LIMIT]
            consumed = run_requests(client, batch)
            start += consumed
            if consumed < len(batch) or client.blocked is not None:
                if not client.close_after_reply:
                    # Blocked, or postponed by CLIENT PAUSE: later requests wait, in order. Reading goes
                    # on (into the pending queue) so that a disconnect is still seen.
                    self.pending = deque(requests[start:])
                break
            if start >= total:
                error = self.parser.error
                if error is not None and not client.close_after_reply:
                    if error.message:
                        client.out.append(encode_error(error.message))
                        log.info("Protocol error (%s) from client: %s", error.message, client.addr)
                    client.close_after_reply = True
                break
            client.flush()
            if self.writing_paused:
                self.pending = deque(requests[start:])
                break
        if client.close_after_reply:
            client.flush()
        elif client.out and not client.flush_scheduled:
            # Written at the end of the loop pass, with the replies to every other client that sent
            # something in it (Redis writes in beforeSleep too). One burst of writes wakes a sleeping
            # client process once; a write per read wakes it again and again, and in a VM each
            # wake-up costs more kernel time than the command did.
            client.flush_scheduled = True
            self.server.schedule_flush(client)

    def resume(self) -> None:
        """Run the requests held while the client was paused or blocked, then read again."""
        pending, self.pending = self.pending, None
        if self.client is None or self.client.closed:
            return
        if pending:
            self.process(pending)
        elif self.parser.error is not None:
            self.process([])

    def _pause_reading(self) -> None:
        if not self.reading_paused and self.transport is not None and not self.transport.is_closing():
            self.reading_paused = True
            self.transport.pause_reading()

    def _resume_reading(self) -> None:
        if self.reading_paused and self.transport is not None and not self.transport.is_closing():
            self.reading_paused = False
            self.transport.resume_reading()
