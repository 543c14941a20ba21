"""The COMMAND family through redis-py, RESP2 and RESP3: COMMAND, COUNT, INFO, DOCS, LIST, GETKEYS,
GETKEYSANDFLAGS and HELP, checked against the command table miniredis serves."""

from __future__ import annotations

import socket

import pytest
import redis

from miniredis.commands.introspection import HELP_LINES
from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer


def served_top(server: MiniRedisServer) -> set[bytes]:
    return server.call(lambda srv: set(srv.table.commands))


def served_all(server: MiniRedisServer) -> set[bytes]:
    return server.call(lambda srv: {spec.name.encode() for spec in srv.table.all_specs()})


def raw(server: MiniRedisServer, request: bytes) -> bytes:
    """One request on a fresh RESP2 connection; the whole reply, read until the server is quiet."""
    with socket.create_connection((server.host, server.port), timeout=2) as sock:
        sock.sendall(request)
        sock.settimeout(0.3)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except TimeoutError:
            pass
        return data


def test_count_is_the_number_of_served_top_level_commands(r: redis.Redis, server: MiniRedisServer) -> None:
    assert r.execute_command("COMMAND COUNT") == len(served_top(server))


def test_command_lists_every_served_command(r: redis.Redis, server: MiniRedisServer) -> None:
    details = r.command()
    assert {name.encode() if isinstance(name, str) else name for name in details} == served_top(server)
    assert details["get"]["arity"] == 2


def test_info_named_unknown_and_subcommand(r: redis.Redis) -> None:
    reply = r.execute_command("COMMAND INFO", "get", "nosuch", "CONFIG|GET", "get|x", "config|get|x")
    assert reply[0][:2] == [b"get", 2] and reply[0][3:6] == [1, 1, 1]
    assert set(reply[0][2]) == {b"readonly", b"fast"}
    assert reply[1] is None
    assert reply[2][0] == b"config|get" and reply[2][1] == -3
    assert reply[3] is None and reply[4] is None


def test_info_without_names_lists_all(r: redis.Redis, server: MiniRedisServer) -> None:
    reply = r.execute_command("COMMAND INFO")
    assert {entry[0] for entry in reply} == served_top(server)


def test_info_of_a_container_lists_only_served_subcommands(r: redis.Redis, server: MiniRedisServer) -> None:
    (entry,) = r.execute_command("COMMAND INFO", "command")
    subcommands = {sub[0] for sub in entry[9]}
    assert subcommands == {name for name in served_all(server) if name.startswith(b"command|")}
    assert b"command|getkeysandflags" in subcommands


def test_docs(r: redis.Redis) -> None:
    reply = r.execute_command("COMMAND DOCS", "get", "nosuch")
    if isinstance(reply, dict):
        docs = reply[b"get"]
    else:
        assert reply[0] == b"get" and len(reply) == 2
        pairs = reply[1]
        docs = dict(zip(pairs[0::2], pairs[1::2], strict=True))
    assert docs[b"summary"] == b"Get the value of a key"
    assert docs[b"since"] == b"1.0.0" and docs[b"group"] == b"string"
    assert r.execute_command("COMMAND DOCS", "nosuch") in ([], {})


def test_docs_names_given_twice_are_answered_twice(server: MiniRedisServer) -> None:
    reply = raw(server, b"COMMAND DOCS echo ECHO\r\n")
    assert reply.startswith(b"*4\r\n$4\r\necho\r\n") and reply.count(b"$4\r\necho\r\n") == 2
    reply3 = raw(server, b"HELLO 3\r\nCOMMAND DOCS echo ECHO\r\n")
    assert b"%2\r\n$4\r\necho\r\n" in reply3


def test_docs_without_names_covers_all(r: redis.Redis, server: MiniRedisServer) -> None:
    reply = r.execute_command("COMMAND DOCS")
    names = set(reply) if isinstance(reply, dict) else set(reply[0::2])
    assert names == served_top(server)


def test_docs_of_a_subcommand_and_a_container(r: redis.Redis) -> None:
    reply = r.execute_command("COMMAND DOCS", "config|get")
    assert (list(reply) if isinstance(reply, dict) else reply[0::2]) == [b"config|get"]
    reply = r.execute_command("COMMAND DOCS", "command")
    text = repr(reply)
    assert "command|getkeys" in text and "subcommands" in text


def test_list(r: redis.Redis, server: MiniRedisServer) -> None:
    names = r.execute_command("COMMAND LIST")
    assert len(names) == len(set(names))
    assert set(names) == served_all(server)
    assert b"get" in names and b"config|get" in names


def test_list_filterby_pattern_is_a_case_insensitive_glob(r: redis.Redis, server: MiniRedisServer) -> None:
    expected = {name for name in served_all(server) if name.startswith(b"conf")}
    assert set(r.execute_command("COMMAND LIST", "FILTERBY", "PATTERN", "conf*")) == expected
    assert set(r.execute_command("COMMAND LIST", "filterby", "pattern", "CONF*")) == expected
    assert r.execute_command("COMMAND LIST", "FILTERBY", "PATTERN", "config|get") == [b"config|get"]
    assert set(r.execute_command("COMMAND LIST", "FILTERBY", "PATTERN", "?et")) >= {b"get", b"set"}


def test_list_filterby_aclcat_and_module(r: redis.Redis, server: MiniRedisServer) -> None:
    hashes = set(r.execute_command("COMMAND LIST", "FILTERBY", "ACLCAT", "hash"))
    assert b"hset" in hashes and b"get" not in hashes
    assert set(r.execute_command("COMMAND LIST", "FILTERBY", "ACLCAT", "HASH")) == hashes
    assert r.execute_command("COMMAND LIST", "FILTERBY", "ACLCAT", "@hash") == []
    assert r.execute_command("COMMAND LIST", "FILTERBY", "ACLCAT", "nosuch") == []
    assert r.execute_command("COMMAND LIST", "FILTERBY", "MODULE", "x") == []
    admin = set(r.execute_command("COMMAND LIST", "FILTERBY", "ACLCAT", "admin"))
    assert b"config|set" in admin and b"config" not in admin


@pytest.mark.parametrize(
    "args",
    [("FILTERBY",), ("x",), ("FILTERBY", "x", "y"), ("FILTERBY", "PATTERN"), ("FILTERBY", "PATTERN", "a", "b")],
)
def test_list_syntax_errors(r: redis.Redis, args: tuple[str, ...]) -> None:
    with pytest.raises(redis.ResponseError, match="^syntax error$"):
        r.execute_command("COMMAND LIST", *args)


def getkeys(r: redis.Redis, *args: str) -> list[bytes]:
    # redis-py's RESP2 callback for COMMAND GETKEYS decodes the keys to str
    return [key if isinstance(key, bytes) else key.encode() for key in r.execute_command("COMMAND GETKEYS", *args)]


def test_getkeys(r: redis.Redis) -> None:
    assert getkeys(r, "get", "k") == [b"k"]
    assert getkeys(r, "MSET", "a", "1", "b", "2") == [b"a", b"b"]
    assert getkeys(r, "object", "encoding", "k") == [b"k"]
    assert getkeys(r, "set", "k", "v", "get") == [b"k"]
    assert getkeys(r, "rename", "a", "b") == [b"a", b"b"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nosuch", "a"), "Invalid command specified"),
        (("object", "nosuch", "k"), "Invalid command specified"),
        (("config|get", "x"), "Invalid command specified"),
        (("ping", "x"), "The command has no key arguments"),
        (("config", "get", "x"), "The command has no key arguments"),
        (("get", "a", "b"), "Invalid number of arguments specified for command"),
        (("set", "k"), "Invalid number of arguments specified for command"),
    ],
)
def test_getkeys_errors(r: redis.Redis, args: tuple[str, ...], message: str) -> None:
    for sub in ("COMMAND GETKEYS", "COMMAND GETKEYSANDFLAGS"):
        with pytest.raises(redis.ResponseError, match=f"^{message}$"):
            r.execute_command(sub, *args)


def test_getkeys_arity(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'command\\|getkeys' command"):
        r.execute_command("COMMAND GETKEYS", "get")


def test_getkeysandflags(r: redis.Redis) -> None:
    def keys_and_flags(*args: str) -> list[tuple[bytes, list[bytes]]]:
        # redis-py gives a RESP3 set as a list or a set depending on its parser: compare in order
        return [(key, sorted(flags)) for key, flags in r.execute_command("COMMAND GETKEYSANDFLAGS", *args)]

    assert keys_and_flags("set", "k", "v") == [(b"k", [b"OW", b"update"])]
    assert keys_and_flags("set", "k", "v", "GET") == [(b"k", [b"RW", b"access", b"update"])]
    assert keys_and_flags("copy", "a", "b") == [(b"a", [b"RO", b"access"]), (b"b", [b"OW", b"update"])]


def test_help(r: redis.Redis) -> None:
    lines = r.execute_command("COMMAND HELP")
    assert [line.decode() if isinstance(line, bytes) else line for line in lines] == list(HELP_LINES)
    assert lines[-1] in ("    Prints this help.", b"    Prints this help.")


def test_unknown_subcommand_and_arity(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match=r"^unknown subcommand 'x'. Try COMMAND HELP.$"):
        r.execute_command("COMMAND", "x")
    with pytest.raises(redis.ResponseError, match=r"wrong number of arguments for 'command\|count' command"):
        r.execute_command("COMMAND COUNT", "x")
    with pytest.raises(redis.ResponseError, match=r"wrong number of arguments for 'command\|help' command"):
        r.execute_command("COMMAND HELP", "x")


def test_served_table_is_consistent(server: MiniRedisServer) -> None:
    """Every served spec can build its INFO and DOCS entries (no missing table data)."""

    def build(srv: Server) -> int:
        count = 0
        for spec in srv.table.all_specs():
            assert spec.info_reply()[0] == spec.name.encode()
            spec.docs_reply()
            count += 1
        return count

    assert server.call(build) > 0
