"""The Lua engine behind EVAL: one Lua 5.1 state per server, the script cache, running a script,
``redis.call`` and the conversions between replies and Lua values (Redis 7.0's script_lua.c
behaviour, learned from a running 7.0.15).

- The sandbox is built by the Lua chunk in ``prelude``: Redis 7.0's globals only (no ``print``,
  ``os``, ``io``, ``dofile``, ``loadfile``, ``debug``...), read-only global and library tables ("Attempt to modify
  a readonly table"), "Script attempted to access nonexistent global variable" on a missing global,
  ``pcall`` handing scripts the text of table errors, and an error handler that attaches the
  script's line (``... script: <sha>, on @user_script:<line>.``).
- ``redis.call``/``redis.pcall`` run commands through the command table and its handlers on a
  script client (Redis's Lua client): the script's own selected db (a SELECT inside a script does
  not change the caller's), its own protocol (``redis.setresp``), blocking commands answered as if
  they timed out (the ``noscript`` ones are refused first), writes refused in read-only scripts.
- Effects replication, as 7.0 always does: the effects of the commands a script ran are handed to
  the dispatcher in ``caller.propagate`` (the AOF wraps several in MULTI/EXEC); a SELECT is put
  before an effect in another db and after the last one, so the AOF's selected db stays right.
  Blocked clients are served after the whole script, by the dispatcher, as Redis does.
- math.random is Redis's lrand48 generator: one sequence for the server's lifetime, never reset
  between scripts (7.0), reseeded only by math.randomseed.
- A script runs to its end on the event loop: no other client is served meanwhile, so there is no
  BUSY reply and no SCRIPT KILL (a script that never ends hangs the server, where Redis would at
  least answer BUSY and accept SCRIPT KILL).

Known differences (pinned as strict xfails in conformance/test_scripting.py): a Lua ``-0`` reaches
Python as the integer 0 through lupa (``cjson.encode(-0)``, ``redis.call('set', k, -0)``). The base
functions the sandbox wraps in Lua (pairs, ipairs, next, rawget, rawset, setmetatable, pcall, type)
report an argument error without the script's line when called in tail position (``return pairs(1)``).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import TYPE_CHECKING, Any

from lupa import lua51

from miniredis import REDIS_VERSION
from miniredis.blocking import Block
from miniredis.commands.registry import _RAW_TABLE as RAW_TABLE  # every 7.0 command, served or not
from miniredis.errors import CommandError
from miniredis.protocol.encoder import format_double
from miniredis.protocol.parser import string2ll
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
from miniredis.scripting import libraries
from miniredis.scripting.prelude import PRELUDE
from miniredis.server.client import Client

if TYPE_CHECKING:
    from miniredis.commands.registry import CommandSpec
    from miniredis.keyspace.db import Db
    from miniredis.server.app import Server

log = logging.getLogger("miniredis")

NO_ARGUMENTS = "ERR Please specify at least one argument for this redis lib call"
BAD_ARGUMENT = "ERR Lua redis lib command arguments must be strings or integers"
UNKNOWN_COMMAND = "ERR Unknown Redis command called from script"
WRONG_ARITY = "ERR Wrong number of args calling Redis command from script"
NOT_ALLOWED = "ERR This Redis command is not allowed from script"
READONLY_SCRIPT = "ERR Write commands are not allowed from read-only scripts."
ACL_UNKNOWN = "ERR Invalid command passed to redis.acl_check_cmd()"
WRITE_FLAG_RO = "ERR Can not execute a script with write flag using *_ro command."
COMPILE_ERROR = "ERR Error compiling script (new function): {}"

# Commands Redis flags "may replicate" (not shown by COMMAND INFO): refused in read-only scripts.
MAY_REPLICATE = frozenset({"publish", "spublish", "pfcount"})
BLOCK_OPTION_COMMANDS = frozenset({"xread", "xreadgroup"})
KNOWN_FLAGS = frozenset({b"no-writes", b"allow-oom", b"allow-stale", b"no-cluster", b"allow-cross-slot-keys"})
INT64_MIN = -(1 << 63)
LOG_LEVELS = (logging.DEBUG, logging.INFO, logging.INFO, logging.WARNING)  # Lua LOG_DEBUG..LOG_WARNING
REPL_AOF = 1
LuaTable = type(lua51.LuaRuntime().table())


def sha1hex(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


class ScriptError(Exception):
    """An error a redis.* function raises in the script: Lua sees the Python exception, which the
    prelude's error handler and pcall turn into Redis's ``{err=...}`` table (see ``_lua_unwrap``)."""

    def __init__(self, message: str, stats_counted: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.stats_counted = stats_counted


def _lua_tonumber(value: object) -> float | None:
    """Lua's tonumber on a value coming from Lua: numbers, and strings that read as numbers."""
    if type(value) is int or type(value) is float:
        return value  # type: ignore[return-value]
    if type(value) is bytes:
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _lua_tointeger(value: object) -> int:
    number = _lua_tonumber(value)
    if number is None or number != number or number in (math.inf, -math.inf):
        return 0
    return int(number)


def _lua_sha1hex(*args: Any) -> bytes:
    if len(args) != 1:
        raise ScriptError("ERR wrong number of arguments")
    value = args[0]
    if type(value) is int or type(value) is float:
        value = b"%.14g" % value  # Lua's number-to-string conversion
    elif type(value) is not bytes:
        value = b""
    return sha1hex(value).encode()


def _lua_log(*args: Any) -> None:
    if len(args) < 2:
        raise ScriptError("ERR redis.log() requires two arguments or more.")
    level = _lua_tonumber(args[0])
    if level is None:
        raise ScriptError("ERR First argument must be a number (log level).")
    if not 0 <= int(level) <= 3:
        raise ScriptError("ERR Invalid debug level.")
    parts = []
    for arg in args[1:]:
        if type(arg) is bytes:
            parts.append(arg.decode("utf-8", "replace"))
        elif type(arg) is int or type(arg) is float:
            parts.append(f"{arg:.14g}")
    log.log(LOG_LEVELS[int(level)], "%s", " ".join(parts))


class Script:
    """A cached script: its body, compiled function and shebang flags."""

    __slots__ = ("sha", "body", "function", "flags", "shebang")

    def __init__(self, sha: str, body: bytes, function: object, flags: frozenset[bytes]) -> None:
        self.sha = sha
        self.body = body
        self.function = function
        self.flags = flags
        self.shebang = body.startswith(b"#!")  # flags declared: 7.0 checks them before running


def parse_shebang(body: bytes) -> tuple[frozenset[bytes], bytes]:
    """``#!lua flags=a,b`` as 7.0 reads it: the flags, and the body to compile (shebang line blanked
    so line numbers stay those of the script). A body without a shebang has no flags."""
    if not body.startswith(b"#!"):
        return frozenset(), body
    end = body.find(b"\n")
    if end < 0:
        raise CommandError("ERR Invalid script shebang")
    parts = body[:end].split()
    if not parts or parts[0] != b"#!lua":
        raise CommandError("ERR Unexpected engine in script shebang: " + (parts[0] if parts else b"").decode("latin-1"))
    flags: set[bytes] = set()
    for part in parts[1:]:
        if not part.startswith(b"flags="):
            raise CommandError("ERR Unknown lua shebang option: " + part.decode("latin-1"))
        value = part[6:]
        for flag in value.split(b",") if value else ():
            if flag not in KNOWN_FLAGS:
                raise CommandError("ERR Unexpected flag in script shebang: " + flag.decode("latin-1"))
            flags.add(flag)
    return frozenset(flags), body[end:]


class Lrand48:
    """Redis's redisLrand48 (the POSIX lrand48 recurrence), behind the scripts' math.random."""

    def __init__(self) -> None:
        self.state = 0x1234ABCD330E

    def seed(self, value: int) -> None:
        self.state = ((value & 0xFFFFFFFF) << 16) | 0x330E

    def random(self) -> float:
        self.state = (0x5DEECE66D * self.state + 0xB) & 0xFFFFFFFFFFFF
        return ((self.state >> 17) % 0x7FFFFFFF) / 0x7FFFFFFF


def lua_integer(value: int | float) -> int:
    """A Lua number as Redis replies it: truncated to a 64-bit integer (C's cast: out of range -> INT64_MIN)."""
    if type(value) is not int:
        if value != value or value in (math.inf, -math.inf):
            return INT64_MIN
        value = int(value)
    return value if INT64_MIN <= value < -INT64_MIN else INT64_MIN


def number_text(value: float) -> bytes:
    """A Lua number as a command argument: C's ``%.17g`` (glibc prints the NaN of 0/0 as ``-nan``)."""
    if value != value:
        return b"-nan" if math.copysign(1.0, value) < 0 else b"nan"
    return b"%.17g" % value


def clean_line(text: bytes) -> bytes:
    """Status and error texts cannot hold CR/LF: Redis turns them into spaces."""
    return text.replace(b"\r", b" ").replace(b"\n", b" ")


class ScriptEngine:
    """The Lua state, the script cache and the execution of one script at a time."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.scripts: dict[str, Script] = {}
        self.random = Lrand48()
        self.client = Client(server, 0, None)  # Redis's Lua client: never in server.clients
        self.client.addr = "lua"
        self.client.in_exec = True  # handlers answer blocking commands as if they timed out
        self.read_only = False
        self.repl_flags = 3
        self.effects: list[tuple[Db, list[bytes]]] = []
        self.dirty_at_start = 0
        self._new_state()

    # --- the Lua state -----------------------------------------------------------------------------
    def _new_state(self) -> None:
        lua = lua51.LuaRuntime(encoding=None, unpack_returned_tuples=True, register_eval=False,
                               register_builtins=False)
        self.lua = lua
        api = lua.table_from({
            b"call": self._lua_call,
            b"pcall": self._lua_pcall,
            b"sha1hex": _lua_sha1hex,
            b"log": _lua_log,
            b"setresp": self._lua_setresp,
            b"set_repl": self._lua_set_repl,
            b"acl_check_cmd": self._lua_acl_check,
            b"unwrap": self._lua_unwrap,
            b"version": REDIS_VERSION.encode(),
            b"version_num": _version_num(REDIS_VERSION),
        })
        source = PRELUDE.encode()
        # The prelude is a chunk named "=miniredis" (its frames are skipped when errors are located).
        prelude = lua.eval(b"function(source) return assert(loadstring(source, '=miniredis')) end")(source)
        self.globals, self.compile_lua, self.run_lua, add_library, callables, self.double_text = prelude(api)
        tables, functions = libraries.install(lua, self.random, callables)
        for name, table in tables.items():
            add_library(name.encode(), table, lua.table_from([fname.encode() for fname in functions[name]]))

    def flush(self) -> None:
        """SCRIPT FLUSH: forget every script and start a fresh Lua state (the generator is kept)."""
        self.scripts.clear()
        self._new_state()

    # --- the cache ---------------------------------------------------------------------------------
    def load(self, body: bytes) -> Script:
        """Compile and cache ``body`` (SCRIPT LOAD, EVAL); errors are the replies Redis gives."""
        sha = sha1hex(body)
        script = self.scripts.get(sha)
        if script is not None:
            return script
        flags, code = parse_shebang(body)
        compiled = self.compile_lua(code, b"@user_script")
        if type(compiled) is tuple:
            raise CommandError(COMPILE_ERROR.format(_text(compiled[1])))
        script = self.scripts[sha] = Script(sha, body, compiled, flags)
        return script

    # --- running a script --------------------------------------------------------------------------
    def run(self, caller: Client, script: Script, keys: list[bytes], args: list[bytes], read_only: bool) -> object:
        if read_only and script.shebang and b"no-writes" not in script.flags:
            raise CommandError(WRITE_FLAG_RO)
        client = self.client
        client.db = caller.db
        client.set_protocol(2)
        client.user = caller.user
        self.read_only = read_only or b"no-writes" in script.flags
        self.repl_flags = 3
        self.effects = []
        self.dirty_at_start = self.server.dirty
        lua = self.lua
        self.globals[b"KEYS"] = lua.table_from(keys)
        self.globals[b"ARGV"] = lua.table_from(args)
        outcome = self.run_lua(script.function)  # xpcall: never raises, errors come back as values
        self._hand_effects(caller)
        ok, value = (outcome[0], outcome[1]) if type(outcome) is tuple else (outcome, None)
        if not ok:
            raise CommandError(self._failure(script, value))
        reply = self._reply(value, caller.resp == 3, client.resp == 3)
        if type(reply) is CommandError:
            raise reply  # raised, so every dispatcher path counts it (failed_calls, errorstats)
        return reply

    def _failure(self, script: Script, value: Any) -> str:
        if type(value) is LuaTable:
            message, source, line = value[b"err"], value[b"source"], value[b"line"]
            text = _text(message) if type(message) is bytes else "ERR unknown error"
            if value[b"ignore_error_stats_update"]:
                self._uncount(text)
            if source is not None:
                return f"{text} script: {script.sha}, on {_text(source)}:{line}."
            return f"{text} script: {script.sha}."
        return "ERR " + (_text(value) if type(value) is bytes else str(value))

    def _uncount(self, message: str) -> None:
        """An error the script replies with was counted in errorstats when its command failed (Redis's
        ignore_error_stats_update): the dispatcher counts EVAL's error reply once more, so take one off."""
        stats = self.server.stats
        code = CommandError(message).code
        count = stats.errors.get(code, 0)
        if count:
            stats.error_replies -= 1
            if count == 1:
                del stats.errors[code]
            else:
                stats.errors[code] = count - 1

    def _hand_effects(self, caller: Client) -> None:
        """Give the dispatcher the script's effects, in order, with SELECTs where the db changed."""
        if not self.effects:
            if self.server.dirty != self.dirty_at_start:
                caller.propagate = []  # writes made under set_repl(REPL_NONE): nothing, not the EVAL itself
            return
        out: list[list[bytes]] = []
        current = caller.db
        for db, effect in self.effects:
            if db is not current:
                out.append([b"SELECT", b"%d" % db.id])
                current = db
            out.append(effect)
        if current is not caller.db:
            out.append([b"SELECT", b"%d" % caller.db.id])
        self.effects = []
        caller.propagate = out

    # --- redis.call ----------------------------------------------------------------------------------
    def _lua_call(self, *args: Any) -> object:
        try:
            reply = self.call(args)
        except CommandError as error:
            raise ScriptError(error.message, stats_counted=True) from None
        return self._to_lua(reply, self.client.resp == 3)

    def _lua_pcall(self, *args: Any) -> object:
        try:
            reply = self.call(args)
        except CommandError as error:
            return self._error_table(error.message, stats_counted=True)
        return self._to_lua(reply, self.client.resp == 3)

    def _error_table(self, message: str, stats_counted: bool = False) -> object:
        fields: dict[bytes, object] = {b"err": message.encode("latin-1", "replace")}
        if stats_counted:
            fields[b"ignore_error_stats_update"] = True
        return self.lua.table_from(fields)

    def _lua_unwrap(self, error: object) -> object:
        """The Lua error table of a ScriptError raised by a redis.* function (None for anything else)."""
        if isinstance(error, ScriptError):
            return self._error_table(error.message, error.stats_counted)
        if isinstance(error, libraries.LibError):
            return error.message
        return None

    def _argv(self, args: tuple[Any, ...]) -> list[bytes]:
        if not args:
            raise CommandError(NO_ARGUMENTS)
        argv: list[bytes] = []
        for arg in args:
            kind = type(arg)
            if kind is bytes:
                argv.append(arg)
            elif kind is int or kind is float:
                argv.append(number_text(arg))
            else:
                raise CommandError(BAD_ARGUMENT)
        return argv

    def _lookup(self, argv: list[bytes]) -> CommandSpec | None:
        spec = self.server.table.lookup(argv[0])
        if spec is not None and spec.subcommands and len(argv) > 1:
            spec = spec.subcommands.get(argv[1]) or spec.subcommands.get(argv[1].lower())
        return spec

    def call(self, args: tuple[Any, ...]) -> object:
        """One ``redis.call``: its error replies are counted in errorstats, as Redis's call() does."""
        try:
            return self._call(args)
        except CommandError as failure:
            self.server.stats.count_error(failure)
            raise

    def _call(self, args: tuple[Any, ...]) -> object:
        """Redis's checks for a command from a script, in its order, then the handler (Redis's ``call``)."""
        argv = self._argv(args)
        spec = self._lookup(argv)
        if spec is None:
            _refuse_unserved(argv, self.read_only)
            raise CommandError(UNKNOWN_COMMAND)
        if (spec.arity > 0 and spec.arity != len(argv)) or len(argv) < -spec.arity:
            raise CommandError(WRONG_ARITY)
        if spec.noscript:
            raise CommandError(NOT_ALLOWED)
        if self.read_only and (spec.write or spec.name in MAY_REPLICATE):
            raise CommandError(READONLY_SCRIPT)
        if spec.name in BLOCK_OPTION_COMMANDS:
            _refuse_block_option(spec.name, argv)
        server = self.server
        client = self.client
        client.last_command = spec.name
        dirty_before = server.dirty
        started = time.perf_counter_ns()
        try:
            reply = spec.handler(client, argv)  # type: ignore[misc]
        except CommandError as failure:
            reply = failure
        if type(reply) is Block:
            reply = reply.timeout_reply
        spec.nsec += time.perf_counter_ns() - started
        spec.calls += 1
        if server.monitors and not spec.skip_monitor and "admin" not in spec.flags:
            server.feed_monitors(client, argv)
        if server.dirty != dirty_before:
            if self.repl_flags & REPL_AOF:
                db = client.db
                self.effects.extend((db, effect) for effect in (client.propagate or (argv,)))
        client.propagate = None
        if type(reply) is CommandError:
            spec.failed_calls += 1
            raise reply
        return reply

    # --- the rest of the redis table ----------------------------------------------------------------
    def _lua_setresp(self, *args: Any) -> None:
        if len(args) != 1:
            raise ScriptError("ERR redis.setresp() requires one argument.")
        version = _lua_tointeger(args[0])
        if version not in (2, 3):
            raise ScriptError("ERR RESP version must be 2 or 3.")
        self.client.set_protocol(version)

    def _lua_set_repl(self, *args: Any) -> None:
        if len(args) != 1:
            raise ScriptError("ERR redis.set_repl() requires two arguments.")
        flags = _lua_tointeger(args[0])
        if not 0 <= flags <= 3:
            raise ScriptError("ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
        self.repl_flags = flags

    def _lua_acl_check(self, *args: Any) -> bool:
        try:
            argv = self._argv(args)
        except CommandError as error:
            raise ScriptError(error.message) from None
        if self._lookup(argv) is None:
            raise ScriptError(ACL_UNKNOWN)
        return True  # one user, allowed every command

    # --- reply -> Lua ----------------------------------------------------------------------------------
    def _to_lua(self, reply: Any, resp3: bool) -> object:
        kind = type(reply)
        if kind is bytes or kind is int:
            return reply
        if kind is Raw:
            return self._to_lua(parse_raw(reply), resp3)  # type: ignore[arg-type]
        if reply is None or kind is NullArray:
            return None if resp3 else False
        if kind is list or kind is tuple or kind is MultiReply or kind is Push or (kind is SetReply and not resp3):
            return self.lua.table_from([self._to_lua(item, resp3) for item in reply])  # type: ignore[attr-defined]
        if kind is Simple:
            return self.lua.table_from({b"ok": reply.encode("latin-1")})  # type: ignore[attr-defined]
        if kind is bool:
            return reply if resp3 else int(reply)  # type: ignore[call-overload]
        if kind is Verbatim:
            if resp3:
                inner = self.lua.table_from({b"format": b"txt", b"string": bytes(reply)})  # type: ignore[arg-type]
                return self.lua.table_from({b"verbatim_string": inner})
            return bytes(reply)  # type: ignore[arg-type]
        if kind is Double:
            if resp3:
                return self.lua.table_from({b"double": float(reply)})  # type: ignore[arg-type]
            return format_double(reply)  # type: ignore[arg-type]
        if kind is dict:
            if resp3:
                mapping = self.lua.table()
                for key, value in reply.items():  # type: ignore[attr-defined]
                    mapping[self._to_lua(key, resp3)] = self._to_lua(value, resp3)
                return self.lua.table_from({b"map": mapping})
            flat: list[object] = []
            for key, value in reply.items():  # type: ignore[attr-defined]
                flat.append(self._to_lua(key, resp3))
                flat.append(self._to_lua(value, resp3))
            return self.lua.table_from(flat)
        if kind is SetReply:
            members = self.lua.table()
            for item in reply:  # type: ignore[attr-defined]
                members[self._to_lua(item, resp3)] = True
            return self.lua.table_from({b"set": members})
        if kind is CommandError:
            return self.lua.table_from({b"err": reply.message.encode("latin-1", "replace")})  # type: ignore[attr-defined]
        if kind is float:
            return format_double(reply)  # type: ignore[arg-type]
        if isinstance(reply, bytes):
            return bytes(reply)
        return None if resp3 else False

    # --- Lua -> reply ------------------------------------------------------------------------------------
    def _reply(self, value: Any, caller3: bool, script3: bool) -> object:
        """The script's return value as the caller's reply: an error, or the encoded bytes."""
        if type(value) is LuaTable:
            err = value[b"err"]
            if type(err) is bytes:
                text = clean_line(err).decode("latin-1")
                if value[b"ignore_error_stats_update"]:
                    self._uncount(text)
                return CommandError(text)
        out: list[bytes] = []
        try:
            self._encode(value, caller3, script3, out)
        except RecursionError:
            return CommandError("ERR reached lua stack limit")
        return Raw(b"".join(out))

    def _encode(self, value: object, p3: bool, s3: bool, out: list[bytes]) -> None:
        kind = type(value)
        if kind is bytes:
            out.append(b"$%d\r\n%s\r\n" % (len(value), value))  # type: ignore[arg-type]
        elif kind is int or kind is float:
            out.append(b":%d\r\n" % lua_integer(value))  # type: ignore[arg-type]
        elif kind is bool:
            if s3:
                out.append((b"#t\r\n" if value else b"#f\r\n") if p3 else (b":1\r\n" if value else b":0\r\n"))
            elif value:
                out.append(b":1\r\n")
            else:
                out.append(b"_\r\n" if p3 else b"$-1\r\n")
        elif kind is LuaTable:
            self._encode_table(value, p3, s3, out)  # type: ignore[arg-type]
        else:  # nil, functions, userdata, threads
            out.append(b"_\r\n" if p3 else b"$-1\r\n")

    def _encode_table(self, table: Any, p3: bool, s3: bool, out: list[bytes]) -> None:
        field = table[b"err"]
        if type(field) is bytes:
            out.append(b"-%s\r\n" % clean_line(field))
            return
        field = table[b"ok"]
        if type(field) is bytes:
            out.append(b"+%s\r\n" % clean_line(field))
            return
        text = self.double_text(table)
        if text is not None:
            out.append(b",%s\r\n" % text if p3 else b"$%d\r\n%s\r\n" % (len(text), text))
            return
        field = table[b"big_number"]
        if type(field) is bytes:
            field = clean_line(field)
            out.append(b"(%s\r\n" % field if p3 else b"$%d\r\n%s\r\n" % (len(field), field))
            return
        field = table[b"map"]
        if type(field) is LuaTable:
            items = list(field.items())
            out.append(b"%%%d\r\n" % len(items) if p3 else b"*%d\r\n" % (2 * len(items)))
            for key, item in items:
                self._encode(key, p3, s3, out)
                self._encode(item, p3, s3, out)
            return
        field = table[b"set"]
        if type(field) is LuaTable:
            members = list(field.keys())
            out.append(b"~%d\r\n" % len(members) if p3 else b"*%d\r\n" % len(members))
            for member in members:
                self._encode(member, p3, s3, out)
            return
        field = table[b"verbatim_string"]
        if type(field) is LuaTable:
            fmt, text = field[b"format"], field[b"string"]
            if type(fmt) is bytes and type(text) is bytes:
                if p3:
                    out.append(b"=%d\r\n%s:%s\r\n" % (len(text) + 4, fmt[:3], text))  # a 3-byte format
                else:
                    out.append(b"$%d\r\n%s\r\n" % (len(text), text))
                return
        items = []
        index = 1
        while True:
            item = table[index]
            if item is None:
                break
            items.append(item)
            index += 1
        out.append(b"*%d\r\n" % len(items))
        for item in items:
            self._encode(item, p3, s3, out)


def _refuse_unserved(argv: list[bytes], read_only: bool) -> None:
    """A Redis 7.0 command miniredis does not serve still gets Redis's arity, "not allowed from script"
    and read-only refusals (SAVE, WAIT, DEBUG... are noscript): only a command that would run is unknown."""
    name = argv[0].decode("latin-1").lower()
    entry = RAW_TABLE.get(name)
    if entry is None:
        return
    if len(argv) > 1 and (name + "|" + argv[1].decode("latin-1").lower()) in RAW_TABLE:
        name += "|" + argv[1].decode("latin-1").lower()
        entry = RAW_TABLE[name]
    elif any(other.startswith(name + "|") for other in RAW_TABLE):
        if len(argv) > 1:
            return  # an unknown subcommand of a container
    info = entry["info"]
    arity = info[1]
    if (arity > 0 and arity != len(argv)) or len(argv) < -arity:
        raise CommandError(WRONG_ARITY)
    flags = {flag["+"] for flag in info[2]["~"]}
    if "noscript" in flags:
        raise CommandError(NOT_ALLOWED)
    if read_only and ("write" in flags or name in MAY_REPLICATE):
        raise CommandError(READONLY_SCRIPT)


def _refuse_block_option(name: str, argv: list[bytes]) -> None:
    """XREAD/XREADGROUP with BLOCK from a script: refused when the option is parsed, as Redis does
    (an invalid COUNT before it is reported first)."""
    index = 1
    while index < len(argv):
        option = argv[index].lower()
        if option == b"block":
            raise CommandError(f"ERR {name} command is not allowed with BLOCK option from scripts")
        if option == b"count" and index + 1 < len(argv):
            if string2ll(argv[index + 1]) is None:
                return  # the handler reports the bad count
            index += 2
        elif option == b"group" and name == "xreadgroup":
            index += 3
        elif option == b"noack" and name == "xreadgroup":
            index += 1
        else:
            return


def parse_raw(raw: bytes) -> object:
    """A pre-encoded reply (``Raw``) as reply values, so it converts like any other reply."""
    value, _ = _parse(raw, 0)
    return value


def _parse(raw: bytes, pos: int) -> tuple[object, int]:
    end = raw.index(b"\r\n", pos)
    kind, header, after = raw[pos:pos + 1], raw[pos + 1:end], end + 2
    if kind == b"+":
        return Simple(header.decode("latin-1")), after
    if kind == b"-":
        return CommandError(header.decode("latin-1")), after
    if kind == b":":
        return int(header), after
    if kind == b"_":
        return None, after
    if kind == b"$":
        length = int(header)
        if length < 0:
            return None, after
        return raw[after:after + length], after + length + 2
    if kind in (b"*", b"~"):
        count = int(header)
        if count < 0:
            return None, after
        items: list[object] = []
        for _ in range(count):
            item, after = _parse(raw, after)
            items.append(item)
        return (SetReply(items) if kind == b"~" else items), after
    if kind == b"%":
        mapping: dict[object, object] = {}
        for _ in range(int(header)):
            key, after = _parse(raw, after)
            mapping[key], after = _parse(raw, after)
        return mapping, after
    if kind == b",":
        return Double(float(header)), after
    if kind == b"#":
        return header == b"t", after
    raise ValueError(f"unexpected pre-encoded reply {raw[:40]!r}")


def _text(raw: bytes) -> str:
    return raw.decode("latin-1")


def _version_num(version: str) -> int:
    major, minor, patch = (int(part) for part in version.split(".")[:3])
    return (major << 16) | (minor << 8) | patch


def script_may_write(server: Server, argv: list[bytes]) -> bool:
    """Whether EVAL/EVALSHA ``argv`` may write, as Redis 7.0 derives the command's flags from the
    script (evalGetCommandFlags): unless its shebang declares ``no-writes``, a script counts as a
    write command — CLIENT PAUSE WRITE holds it. An unknown SHA or a bad shebang counts as writing."""
    if len(argv) < 2:
        return True
    if argv[0].lower() == b"evalsha":
        script = server.scripts.get(argv[1].decode("latin-1").lower())
        return script is None or b"no-writes" not in script.flags
    try:
        flags, _ = parse_shebang(argv[1])
    except CommandError:
        return True
    return b"no-writes" not in flags


def engine(server: Server) -> ScriptEngine:
    """The server's script engine, created on first use (``server.scripts`` is its cache, read by INFO)."""
    current = server.script_engine
    if current is None:
        current = ScriptEngine(server)
        server.script_engine = current
        server.scripts = current.scripts
    return current
