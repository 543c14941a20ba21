"""A bug in a handler (an unexpected exception) answers an error and keeps the connection and the
server alive; the next command on the same connection is served."""

from __future__ import annotations

import redis

from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer


def test_unexpected_exception_in_a_handler_is_an_error_reply(server: MiniRedisServer) -> None:
    def break_echo(srv: Server) -> object:
        spec = srv.table.lookup(b"echo")
        assert spec is not None
        original = spec.handler

        def broken(client: object, argv: list[bytes]) -> object:
            raise RuntimeError("simulated handler bug")

        spec.handler = broken
        return original

    original = server.call(break_echo)
    client = redis.Redis(host=server.host, port=server.port)
    try:
        try:
            client.echo("x")
        except redis.ResponseError as error:
            assert "internal error in 'echo'" in str(error)
        else:
            raise AssertionError("expected an error reply")
        assert client.ping() is True  # same connection, still served
    finally:
        def restore(srv: Server) -> None:
            spec = srv.table.lookup(b"echo")
            assert spec is not None
            spec.handler = original  # type: ignore[assignment]

        server.call(restore)
        client.close()
