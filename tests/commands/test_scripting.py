"""EVAL/EVALSHA/EVAL_RO/EVALSHA_RO and SCRIPT through redis-py, in RESP2 and RESP3 (the ``r`` fixture).

The exact bytes are pinned against real Redis by ``conformance/test_scripting.py``; these tests check
the behaviour a client sees, plus what the conformance suite cannot: the AOF effects a script
propagates, the script client's protocol and db, errorstats, and that math.random's generator is
the server's (Redis 7.0 never resets it between scripts).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import redis

pytest.importorskip("lupa")

from miniredis.persistence.aof_rewrite import encode_command  # noqa: E402
from miniredis.scripting.runtime import Lrand48, parse_shebang, sha1hex  # noqa: E402
from miniredis.testing.server import MiniRedisServer  # noqa: E402


def test_return_types(r: redis.Redis) -> None:
    assert r.eval("return 1", 0) == 1
    assert r.eval("return 3.99", 0) == 3
    assert r.eval("return -3.7", 0) == -3
    assert r.eval("return 'x'", 0) == b"x"
    assert r.eval("return {1, 'a', {2}}", 0) == [1, b"a", [2]]
    assert r.eval("return {1, 2, nil, 3}", 0) == [1, 2]
    assert r.eval("return nil", 0) is None
    assert r.eval("return false", 0) is None
    assert r.eval("return true", 0) == 1
    assert r.eval("return {ok='fine'}", 0) in (b"fine", "fine")
    with pytest.raises(redis.ResponseError, match="^bad thing$"):
        r.eval("return {err='bad thing'}", 0)
    with pytest.raises(redis.ResponseError, match="^x$"):
        r.eval("return redis.error_reply('ERR x')", 0)


def test_keys_and_argv(r: redis.Redis) -> None:
    assert r.eval("return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}", 2, "a", "b", "c") == [b"a", b"b", b"c", 2, 1]
    with pytest.raises(redis.ResponseError, match="Number of keys can't be greater than number of args"):
        r.eval("return 1", 2, "a")
    with pytest.raises(redis.ResponseError, match="Number of keys can't be negative"):
        r.eval("return 1", -1)
    with pytest.raises(redis.ResponseError, match="value is not an integer"):
        r.execute_command("EVAL", "return 1", "x")


def test_redis_call_and_pcall(r: redis.Redis) -> None:
    assert r.eval("return redis.call('set', KEYS[1], ARGV[1])", 1, "k", "v") in (b"OK", "OK", True)
    assert r.eval("return redis.call('get', KEYS[1])", 1, "k") == b"v"
    with pytest.raises(redis.ResponseError) as raised:
        r.eval("return redis.call('lpush', KEYS[1], 'x')", 1, "k")
    assert str(raised.value).startswith("WRONGTYPE Operation against a key holding the wrong kind of value script: ")
    assert str(raised.value).endswith(", on @user_script:1.")
    assert r.eval("local e = redis.pcall('lpush', KEYS[1], 'x') return e.err", 1, "k").startswith(b"WRONGTYPE")
    assert r.eval("local ok, e = pcall(function() redis.call('nosuch') end) return e", 0) == \
        b"ERR Unknown Redis command called from script"
    with pytest.raises(redis.ResponseError, match="Wrong number of args calling Redis command from script"):
        r.eval("return redis.call('get')", 0)
    with pytest.raises(redis.ResponseError, match="This Redis command is not allowed from script"):
        r.eval("return redis.call('blpop', 'l', 0)", 0)
    with pytest.raises(redis.ResponseError, match="must be strings or integers"):
        r.eval("return redis.call('get', {})", 0)


def test_error_positions(r: redis.Redis) -> None:
    body = "local x = 1\n\nerror('boom')"
    with pytest.raises(redis.ResponseError) as raised:
        r.eval(body, 0)
    assert str(raised.value) == f"user_script:3: boom script: {sha1hex(body.encode())}, on @user_script:3."
    with pytest.raises(redis.ResponseError) as raised:
        r.eval("redis.call('set', 'k', 'a')\nreturn redis.call('incr', 'k')", 0)
    assert str(raised.value).endswith("on @user_script:2.")


def test_sandbox(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="Attempt to modify a readonly table"):
        r.eval("x = 1", 0)
    with pytest.raises(redis.ResponseError, match="Attempt to modify a readonly table"):
        r.eval("redis.call = nil", 0)
    with pytest.raises(redis.ResponseError, match="Attempt to modify a readonly table"):
        r.eval("string.foo = 1", 0)
    with pytest.raises(redis.ResponseError, match="nonexistent global variable 'os'"):
        r.eval("return os.time()", 0)
    for name in ("print", "io", "dofile", "loadfile", "debug", "require"):
        with pytest.raises(redis.ResponseError, match=f"nonexistent global variable '{name}'"):
            r.eval(f"return type({name})", 0)
    assert r.eval("return type(redis.call)", 0) == b"function"
    assert r.eval("local t = {} t.x = 1 return t.x", 0) == 1


def test_evalsha_and_script_cache(r: redis.Redis) -> None:
    r.script_flush()
    sha = r.script_load("return ARGV[1]")
    assert sha == sha1hex(b"return ARGV[1]")
    assert r.script_exists(sha, sha.upper(), "0" * 40) == [True, True, False]
    assert r.evalsha(sha, 0, "x") == b"x"
    assert r.execute_command("EVALSHA_RO", sha, 0, "y") == b"y"
    with pytest.raises(redis.exceptions.NoScriptError):
        r.evalsha("f" * 40, 0)
    r.eval("return 42", 0)
    assert r.script_exists(sha1hex(b"return 42")) == [True]
    assert r.info("memory")["number_of_cached_scripts"] == 2
    assert r.script_flush("ASYNC")
    assert r.script_exists(sha) == [False]
    with pytest.raises(redis.ResponseError, match="SCRIPT FLUSH only support SYNC|ASYNC option"):
        r.execute_command("SCRIPT", "FLUSH", "NOW")
    help_lines = r.execute_command("SCRIPT", "HELP")
    assert len(help_lines) == 17
    with pytest.raises(redis.ResponseError, match="Error compiling script"):
        r.script_load("return +")


def test_read_only_scripts(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError, match="Write commands are not allowed from read-only scripts"):
        r.execute_command("EVAL_RO", "return redis.call('set', 'k', 'v')", 0)
    with pytest.raises(redis.ResponseError, match="Write commands are not allowed from read-only scripts"):
        r.eval("#!lua flags=no-writes\nreturn redis.call('set', 'k', 'v')", 0)
    with pytest.raises(redis.ResponseError, match="Can not execute a script with write flag using"):
        r.execute_command("EVAL_RO", "#!lua\nreturn 1", 0)
    assert r.execute_command("EVAL_RO", "return redis.call('get', 'k')", 0) is None
    with pytest.raises(redis.ResponseError, match="Unexpected flag in script shebang: nope"):
        r.eval("#!lua flags=nope\nreturn 1", 0)


def test_setresp3_conversions(r: redis.Redis) -> None:
    r.hset("h", "f", "v")
    r.zadd("z", {"a": 1.5})
    assert r.eval("redis.setresp(3) local t = redis.call('hgetall', 'h') return t.map.f", 0) == b"v"
    assert r.eval("redis.setresp(3) return redis.call('zscore', 'z', 'a').double * 2", 0) == 3
    assert r.eval("redis.setresp(3) return type(redis.call('get', 'nope'))", 0) == b"nil"
    assert r.eval("return type(redis.call('get', 'nope'))", 0) == b"boolean"
    reply = r.eval("redis.setresp(3) return redis.call('hgetall', 'h')", 0)
    assert reply == ({b"f": b"v"} if r.get_connection_kwargs().get("protocol") == 3 else [b"f", b"v"])
    assert r.eval("return {double=3.5}", 0) in (b"3.5", 3.5)


def test_select_inside_script(r: redis.Redis) -> None:
    assert r.eval("redis.call('select', 5) redis.call('set', 'k', 'x') return redis.call('get', 'k')", 0) == b"x"
    assert r.get("k") is None
    r.execute_command("SELECT", 5)
    assert r.get("k") == b"x"
    r.execute_command("SELECT", 0)


def test_blocking_commands_do_not_block(r: redis.Redis) -> None:
    assert r.eval("return redis.call('blmpop', 0, 1, 'l', 'left')", 0) is None
    with pytest.raises(redis.ResponseError, match="xread command is not allowed with BLOCK option from scripts"):
        r.eval("return redis.call('xread', 'block', 0, 'streams', 's', '$')", 0)


def test_multi_and_watch(r: redis.Redis, server: MiniRedisServer) -> None:
    r.set("k", "1")
    with r.pipeline() as pipe:
        pipe.watch("k")
        other = redis.Redis(host=server.host, port=server.port)
        other.eval("return redis.call('incr', 'k')", 0)
        other.close()
        pipe.multi()
        pipe.get("k")
        with pytest.raises(redis.WatchError):
            pipe.execute()
    with r.pipeline(transaction=True) as pipe:
        pipe.eval("return redis.call('incr', 'k')", 0)
        pipe.eval("return redis.call('incr', 'k')", 0)
        assert pipe.execute() == [3, 4]


def test_blocked_client_served_after_script(r: redis.Redis, server: MiniRedisServer) -> None:
    protocol = r.get_connection_kwargs().get("protocol", 2)
    waiter = redis.Redis(host=server.host, port=server.port, protocol=protocol)
    got: list[object] = []
    thread = threading.Thread(target=lambda: got.append(waiter.blpop(["q"], timeout=5)))
    thread.start()
    deadline = time.monotonic() + 5
    while r.info("clients")["blocked_clients"] != 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert r.eval("redis.call('rpush', 'q', 'a', 'b') redis.call('lpop', 'q') return redis.call('llen', 'q')", 0) == 1
    thread.join(5)
    waiter.close()
    assert got and got[0] in ([b"q", b"b"], (b"q", b"b"))


def test_libraries(r: redis.Redis) -> None:
    assert r.eval("return cjson.encode({1, 2, {a='b'}})", 0) == b'[1,2,{"a":"b"}]'
    assert r.eval("return cjson.encode({})", 0) == b"{}"
    assert r.eval("return cjson.decode('{\"a\":[1,2,3]}').a[3]", 0) == 3
    assert r.eval("return cjson.encode(cjson.decode('[1,null,\"x\"]'))", 0) == b'[1,null,"x"]'
    assert r.eval("return bit.band(0xff, 0x0f)", 0) == 15
    assert r.eval("return bit.tohex(-1)", 0) == b"ffffffff"
    assert r.eval("return bit.lshift(1, 31)", 0) == -2147483648
    assert r.eval("return {cmsgpack.unpack(cmsgpack.pack({1, 'a'}, 300))}", 0) == [[1, b"a"], 300]
    assert r.eval("return struct.unpack('>I2', struct.pack('>I2', 258))", 0) == 258
    with pytest.raises(redis.ResponseError, match="Expected value but found T_END at character 1"):
        r.eval("return cjson.decode('')", 0)


def test_errorstats(r: redis.Redis) -> None:
    r.config_resetstat()
    r.set("s", "a")
    for script in ("return redis.call('incr', 's')", "return redis.pcall('incr', 's')", "error('x')",
                   "return {err='MY x'}"):
        with pytest.raises(redis.ResponseError):
            r.eval(script, 0)
    stats = r.info("errorstats")
    assert stats["errorstat_ERR"] == {"count": 3}
    assert stats["errorstat_MY"] == {"count": 1}


def test_math_random_is_lrand48() -> None:
    generator = Lrand48()
    assert [f"{generator.random():.14g}" for _ in range(3)] == ["0.39646477363839", "0.84048536971234",
                                                                "0.35333609737146"]
    generator.seed(1)
    assert f"{generator.random():.14g}" == "0.041630344484761"


def test_math_random_continues_across_scripts(r: redis.Redis) -> None:
    r.eval("math.randomseed(1)", 0)
    assert r.eval("return tostring(math.random())", 0) == b"0.041630344484761"
    assert r.eval("return tostring(math.random())", 0) == b"0.4544924448498"


def test_parse_shebang() -> None:
    assert parse_shebang(b"return 1") == (frozenset(), b"return 1")
    assert parse_shebang(b"#!lua flags=no-writes,allow-oom\nreturn 1") == (
        frozenset({b"no-writes", b"allow-oom"}), b"\nreturn 1")


def test_effects_are_propagated_to_the_aof(tmp_path: Path) -> None:
    with MiniRedisServer(dir=str(tmp_path), appendonly="yes") as srv:
        client = redis.Redis(host=srv.host, port=srv.port)
        client.eval("redis.call('set', 'a', '1') redis.call('incr', 'a') return 1", 0)
        client.eval("return redis.call('get', 'a')", 0)  # a read: nothing propagated
        client.eval("redis.call('select', 2) return redis.call('set', 'b', 'x')", 0)
        client.eval("redis.set_repl(redis.REPL_NONE) return redis.call('set', 'c', '1')", 0)
        client.eval("return redis.call('expire', 'a', 100)", 0)
        client.close()
    incr = next((tmp_path / "appendonlydir").glob("*.incr.aof")).read_bytes()

    def cmd(*args: bytes) -> bytes:
        return encode_command(list(args))

    expected = (
        cmd(b"MULTI") + cmd(b"SELECT", b"0") + cmd(b"set", b"a", b"1") + cmd(b"incr", b"a") + cmd(b"EXEC")
        + cmd(b"MULTI") + cmd(b"SELECT", b"2") + cmd(b"set", b"b", b"x") + cmd(b"SELECT", b"0") + cmd(b"EXEC")
    )
    assert incr.startswith(expected)
    rest = incr[len(expected):]
    assert rest.startswith(cmd(b"PEXPIREAT", b"a")[:-3]) or b"PEXPIREAT" in rest
    assert b"$1\r\nc\r\n" not in incr


def test_script_runs_without_lua_errors_leaking_state(r: redis.Redis) -> None:
    with pytest.raises(redis.ResponseError):
        r.eval("redis.setresp(3) error('x')", 0)
    assert r.eval("return type(redis.call('get', 'nope'))", 0) == b"boolean"  # back to RESP2 for the next script
