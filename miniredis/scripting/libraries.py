"""The Lua libraries Redis 7.0 links into its interpreter and stock Lua 5.1 lacks: ``cjson``, ``bit``,
``cmsgpack`` and ``struct``, written from their documented behaviour (lua-cjson 2.1, LuaBitOp 1.0,
lua-cmsgpack 0.4, Roberto Ierusalimschy's struct) and checked against Redis 7.0.15.

Every library function is a Python callable, which Lua calls as a C function: like the C originals,
it never replaces its caller's frame, so an error points at the script's line. Errors are raised as
``LibError`` carrying the message as luaL_error words it (``user_script:1: Cannot serialise ...``);
the prelude's error handler and ``pcall`` turn it back into the Lua string.

Covered: cjson.encode/decode (arrays vs objects, sparse-array refusal, ``%.14g`` numbers, ``\\/``
escapes, ``{}`` for an empty table, cjson.null, cjson's error texts), the configuration functions as
no-ops returning their defaults; every bit function; cmsgpack.pack/unpack/unpack_one/unpack_limit;
struct.pack/unpack/size for the common formats.
"""

from __future__ import annotations

import math
import re
import struct as pystruct
from collections.abc import Callable
from typing import Any

INT32 = 1 << 32

# cjson.encode is a Lua function (walking tables is cheap there); errors come back as values.
_CJSON_LUA = r"""
local type, pairs, pcall, tostring = type, pairs, pcall, tostring
local floor, huge, format, concat = math.floor, math.huge, string.format, table.concat
local null = ...
local escapes = {['"'] = '\\"', ['\\'] = '\\\\', ['/'] = '\\/', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n',
                 ['\r'] = '\\r', ['\t'] = '\\t'}
local function escape(c) return escapes[c] or format('\\u%04x', c:byte()) end
local function quote(s) return '"' .. s:gsub('[%z\1-\31"\\/\127]', escape) .. '"' end
local function number(n)
  if n ~= n or n == huge or n == -huge then error('Cannot serialise number: must not be NaN or Inf', 0) end
  return format('%.14g', n)
end
local encode_value
local function encode_table(t, depth, buf)
  depth = depth + 1
  if depth > 1000 then error(format('Cannot serialise, excessive nesting (%d)', depth), 0) end
  local max, items = 0, 0
  for k in pairs(t) do
    if type(k) == 'number' and k > 0 and floor(k) == k then
      if k > max then max = k end
      items = items + 1
    else
      max = -1
      break
    end
  end
  if max > items * 2 and max > 10 then error('Cannot serialise table: excessively sparse array', 0) end
  if max > 0 then
    buf[#buf + 1] = '['
    for i = 1, max do
      if i > 1 then buf[#buf + 1] = ',' end
      encode_value(t[i], depth, buf)
    end
    buf[#buf + 1] = ']'
    return
  end
  buf[#buf + 1] = '{'
  local first = true
  for k, v in pairs(t) do
    if not first then buf[#buf + 1] = ',' end
    first = false
    local kind = type(k)
    if kind == 'string' then buf[#buf + 1] = quote(k)
    elseif kind == 'number' then buf[#buf + 1] = '"' .. number(k) .. '"'
    else error('Cannot serialise ' .. kind .. ': table key must be a number or string', 0) end
    buf[#buf + 1] = ':'
    encode_value(v, depth, buf)
  end
  buf[#buf + 1] = '}'
end
encode_value = function(v, depth, buf)
  local kind = type(v)
  if kind == 'string' then buf[#buf + 1] = quote(v)
  elseif kind == 'number' then buf[#buf + 1] = number(v)
  elseif kind == 'boolean' then buf[#buf + 1] = tostring(v)
  elseif kind == 'nil' or v == null then buf[#buf + 1] = 'null'
  elseif kind == 'table' then encode_table(v, depth, buf)
  else error('Cannot serialise ' .. kind .. ': type not supported', 0) end
end
local function encode(v)
  local buf = {}
  local ok, err = pcall(encode_value, v, 0, buf)
  if not ok then return false, err end
  return true, concat(buf)
end
-- luaL_where(1) of the library function that called this one from Python.
local getinfo = debug.getinfo
local function where()
  local info = getinfo(3, 'Sl')
  if info == nil or info.what == 'C' or info.currentline <= 0 then return '' end
  return info.short_src .. ':' .. info.currentline .. ': '
end
local function is_null(v) return v == null end
return encode, where, is_null
"""


class LibError(Exception):
    """A library error: ``message`` is the Lua error string (position included)."""

    def __init__(self, message: bytes) -> None:
        super().__init__(message)
        self.message = message


class Libraries:
    """Builds the library tables in one Lua state."""

    def __init__(self, lua: Any) -> None:
        self.lua = lua
        self.null = lua.eval("newproxy(false)")
        self.encode_lua, self.where_lua, self.is_null = lua.execute(_CJSON_LUA, self.null)
        self.lua_type: Callable[[object], str | None] = __import__("lupa.lua51", fromlist=["lua_type"]).lua_type

    def error(self, text: str | bytes) -> LibError:
        message = text if isinstance(text, bytes) else text.encode("latin-1")
        return LibError(self.where_lua() + message)

    def argerror(self, n: int, fname: str, text: str) -> LibError:
        return self.error(f"bad argument #{n} to '{fname}' ({text})")

    def typename(self, value: object) -> str:
        kind = type(value)
        if value is None:
            return "nil"
        if kind is bytes:
            return "string"
        if kind is bool:
            return "boolean"
        if kind is int or kind is float:
            return "number"
        return self.lua_type(value) or "userdata"

    def checknumber(self, args: tuple[Any, ...], n: int, fname: str) -> float:
        if len(args) < n:
            raise self.argerror(n, fname, "number expected, got no value")
        value = args[n - 1]
        if type(value) is int or type(value) is float:
            return float(value)
        if type(value) is bytes:
            try:
                return float(int(value, 16)) if value.strip().lower().startswith(b"0x") else float(value)
            except ValueError:
                pass
        raise self.argerror(n, fname, "number expected, got " + self.typename(value))

    def table(self, functions: dict[str, Callable[..., object]], fields: dict[str, object]) -> Any:
        table = self.lua.table()
        for name, value in fields.items():
            table[name.encode()] = value
        for name, function in functions.items():
            table[name.encode()] = function
        return table

    # --- cjson ----------------------------------------------------------------------------------
    def cjson(self) -> tuple[Any, list[str]]:
        def encode(*args: Any) -> bytes:
            if len(args) != 1:
                raise self.argerror(1, "encode", "expected 1 argument")
            ok, result = self.encode_lua(args[0])
            if not ok:
                raise self.error(result)
            return result  # type: ignore[no-any-return]

        def decode(*args: Any) -> object:
            if len(args) != 1:
                raise self.argerror(1, "decode", "expected 1 argument")
            text = args[0]
            if type(text) is int or type(text) is float:
                text = b"%.14g" % text
            elif type(text) is not bytes:
                raise self.argerror(1, "decode", "string expected, got " + self.typename(text))
            try:
                return JsonDecoder(text, self).decode()
            except JsonError as failure:
                raise self.error(str(failure)) from None

        def setting(default: object) -> Callable[..., object]:
            return lambda *args: default

        functions: dict[str, Callable[..., object]] = {
            "encode": encode, "decode": decode, "new": lambda *args: cjson_table,
            "encode_sparse_array": lambda *args: (False, 2, 10), "encode_max_depth": setting(1000),
            "decode_max_depth": setting(1000), "encode_number_precision": setting(14),
            "encode_keep_buffer": setting(True), "encode_invalid_numbers": setting(False),
            "decode_invalid_numbers": setting(True),
        }
        cjson_table = self.table(functions, {"_NAME": b"cjson", "_VERSION": b"2.1.0", "null": self.null})
        return cjson_table, list(functions)

    # --- math.random ------------------------------------------------------------------------------
    def math_random(self, generator: Any) -> dict[str, Callable[..., object]]:
        """Redis's math.random: Lua's contract on its lrand48 generator (a number is drawn first)."""
        def checkint(args: tuple[Any, ...], n: int, fname: str) -> int:
            number = self.checknumber(args, n, fname)
            return int(number) if number == number and abs(number) < 2**63 else -(2**63)

        def random(*args: Any) -> object:
            r = generator.random()
            if not args:
                return r
            if len(args) == 1:
                upper = checkint(args, 1, "random")
                if upper < 1:
                    raise self.argerror(1, "random", "interval is empty")
                return math.floor(r * upper) + 1
            if len(args) == 2:
                lower, upper = checkint(args, 1, "random"), checkint(args, 2, "random")
                if lower > upper:
                    raise self.argerror(2, "random", "interval is empty")
                return math.floor(r * (upper - lower + 1)) + lower
            raise self.error("wrong number of arguments")

        def randomseed(*args: Any) -> None:
            generator.seed(checkint(args, 1, "randomseed"))

        return {"random": random, "randomseed": randomseed}

    # --- bit --------------------------------------------------------------------------------------
    def bit(self) -> tuple[Any, list[str]]:
        def barg(args: tuple[Any, ...], n: int, fname: str) -> int:
            number = self.checknumber(args, n, fname)
            # LuaBitOp's conversion: add 2^52+2^51, keep the low 32 bits of the double's mantissa.
            bits = pystruct.unpack("<Q", pystruct.pack("<d", number + 6755399441055744.0))[0]
            return int(bits & 0xFFFFFFFF)

        def signed(value: int) -> int:
            value &= 0xFFFFFFFF
            return value - INT32 if value & 0x80000000 else value

        def fold(name: str, op: Callable[[int, int], int]) -> Callable[..., int]:
            def function(*args: Any) -> int:
                result = barg(args, 1, name)
                for index in range(2, len(args) + 1):
                    result = op(result, barg(args, index, name))
                return signed(result)
            return function

        def shift(name: str, op: Callable[[int, int], int]) -> Callable[..., int]:
            def function(*args: Any) -> int:
                value = barg(args, 1, name)
                return signed(op(value, barg(args, 2, name) & 31))
            return function

        def tohex(*args: Any) -> bytes:
            value = barg(args, 1, "tohex")
            digits = barg(args, 2, "tohex") if len(args) > 1 and args[1] is not None else 8
            digits = digits - INT32 if digits & 0x80000000 else digits
            upper = digits < 0
            digits = min(abs(digits), 8)
            text = f"{value:08X}" if upper else f"{value:08x}"
            return text[8 - digits:].encode()

        functions: dict[str, Callable[..., object]] = {
            "tobit": lambda *args: signed(barg(args, 1, "tobit")),
            "bnot": lambda *args: signed(~barg(args, 1, "bnot")),
            "band": fold("band", lambda a, b: a & b),
            "bor": fold("bor", lambda a, b: a | b),
            "bxor": fold("bxor", lambda a, b: a ^ b),
            "lshift": shift("lshift", lambda a, n: a << n),
            "rshift": shift("rshift", lambda a, n: a >> n),
            "arshift": shift("arshift", lambda a, n: (a - INT32 if a & 0x80000000 else a) >> n),
            "rol": shift("rol", lambda a, n: (a << n) | (a >> (32 - n)) if n else a),
            "ror": shift("ror", lambda a, n: (a >> n) | (a << (32 - n)) if n else a),
            "bswap": lambda *args: signed(int.from_bytes(barg(args, 1, "bswap").to_bytes(4, "little"), "big")),
            "tohex": tohex,
        }
        return self.table(functions, {}), list(functions)


class JsonError(Exception):
    pass


_NUMBER = re.compile(rb"[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf(?:inity)?|nan)",
                     re.IGNORECASE)
_ESCAPES = {ord("b"): b"\b", ord("f"): b"\f", ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t",
            ord('"'): b'"', ord("\\"): b"\\", ord("/"): b"/"}


class JsonDecoder:
    """cjson.decode: cjson's tokens and its error texts (``Expected value but found T_END at character 1``)."""

    def __init__(self, text: bytes, libs: Libraries) -> None:
        self.text = text
        self.pos = 0
        self.libs = libs
        self.depth = 0

    def decode(self) -> object:
        kind, value, index = self.token()
        result = self.value(kind, value, index)
        kind, value, index = self.token()
        if kind != "T_END":
            self.fail("the end", kind, value, index)
        return result

    def fail(self, expected: str, kind: str, value: object, index: int) -> None:
        found = value if kind == "T_ERROR" else kind
        raise JsonError(f"Expected {expected} but found {found} at character {index + 1}")

    def token(self) -> tuple[str, object, int]:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in b" \t\n\r":
            pos += 1
        self.pos = pos
        if pos >= len(text):
            return "T_END", None, pos
        char = text[pos]
        simple = {ord("{"): "T_OBJ_BEGIN", ord("}"): "T_OBJ_END", ord("["): "T_ARR_BEGIN", ord("]"): "T_ARR_END",
                  ord(":"): "T_COLON", ord(","): "T_COMMA"}
        if char in simple:
            self.pos = pos + 1
            return simple[char], None, pos
        if char == ord('"'):
            return self.string(pos)
        if char == ord("-") or 48 <= char <= 57:
            match = _NUMBER.match(text, pos)
            if match is None:
                return "T_ERROR", "invalid number", pos
            raw = match.group()
            self.pos = match.end()
            try:
                number = float(int(raw, 16)) if b"x" in raw.lower() else float(raw)
            except ValueError:
                return "T_ERROR", "invalid number", pos
            return "T_NUMBER", number, pos
        for word, kind, value in ((b"true", "T_BOOLEAN", True), (b"false", "T_BOOLEAN", False),
                                  (b"null", "T_NULL", None)):
            if text.startswith(word, pos):
                self.pos = pos + len(word)
                return kind, value, pos
        match = _NUMBER.match(text, pos)
        if match is not None:  # cjson reads inf/nan/hex as numbers (decode_invalid_numbers)
            self.pos = match.end()
            return "T_NUMBER", float(match.group()), pos
        return "T_ERROR", "invalid token", pos

    def string(self, start: int) -> tuple[str, object, int]:
        text = self.text
        pos = start + 1
        out = bytearray()
        while True:
            if pos >= len(text):
                return "T_ERROR", "unexpected end of string", pos
            char = text[pos]
            if char == ord('"'):
                self.pos = pos + 1
                return "T_STRING", bytes(out), start
            if char != ord("\\"):
                out.append(char)
                pos += 1
                continue
            if pos + 1 >= len(text):
                return "T_ERROR", "unexpected end of string", pos
            code = text[pos + 1]
            if code == ord("u"):
                decoded = self.unicode_escape(pos)
                if decoded is None:
                    return "T_ERROR", "invalid unicode escape code", pos
                chunk, pos = decoded
                out += chunk
                continue
            if code not in _ESCAPES:
                return "T_ERROR", "invalid escape code", pos
            out += _ESCAPES[code]
            pos += 2

    def unicode_escape(self, pos: int) -> tuple[bytes, int] | None:
        text = self.text
        try:
            first = int(text[pos + 2:pos + 6], 16)
        except ValueError:
            return None
        if len(text[pos + 2:pos + 6]) != 4:
            return None
        end = pos + 6
        if 0xD800 <= first <= 0xDBFF:
            if text[end:end + 2] != b"\\u":
                return None
            try:
                second = int(text[end + 2:end + 6], 16)
            except ValueError:
                return None
            if not 0xDC00 <= second <= 0xDFFF:
                return None
            first = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            end += 6
        elif 0xDC00 <= first <= 0xDFFF:
            return None
        return chr(first).encode("utf-8"), end

    def value(self, kind: str, value: object, index: int) -> object:
        if kind in ("T_STRING", "T_NUMBER", "T_BOOLEAN"):
            return value
        if kind == "T_NULL":
            return self.libs.null
        if kind == "T_OBJ_BEGIN":
            return self.object(index)
        if kind == "T_ARR_BEGIN":
            return self.array(index)
        self.fail("value", kind, value, index)
        return None

    def nest(self, index: int) -> None:
        self.depth += 1
        if self.depth > 1000:
            raise JsonError(f"Found too many nested data structures ({self.depth}) at character {index + 1}")

    def array(self, start: int) -> object:
        self.nest(start)
        items: list[object] = []
        kind, value, index = self.token()
        if kind != "T_ARR_END":
            while True:
                items.append(self.value(kind, value, index))
                kind, value, index = self.token()
                if kind == "T_ARR_END":
                    break
                if kind != "T_COMMA":
                    self.fail("comma or array end", kind, value, index)
                kind, value, index = self.token()
        self.depth -= 1
        return self.libs.lua.table_from(items)

    def object(self, start: int) -> object:
        self.nest(start)
        table = self.libs.lua.table()
        kind, value, index = self.token()
        if kind != "T_OBJ_END":
            while True:
                if kind != "T_STRING":
                    self.fail("object key string", kind, value, index)
                key = value
                kind, value, index = self.token()
                if kind != "T_COLON":
                    self.fail("colon", kind, value, index)
                kind, value, index = self.token()
                table[key] = self.value(kind, value, index)
                kind, value, index = self.token()
                if kind == "T_OBJ_END":
                    break
                if kind != "T_COMMA":
                    self.fail("comma or object end", kind, value, index)
                kind, value, index = self.token()
        self.depth -= 1
        return table


def install(lua: Any, generator: Any, callables: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The library tables for one Lua state, and the names of their functions (``type`` says function).
    math.random/randomseed are replaced by Redis's (``generator``: the server's lrand48 state)."""
    libs = Libraries(lua)
    math_table = lua.eval("math")
    for name, function in libs.math_random(generator).items():
        math_table[name.encode()] = function
        callables[function] = True
    tables: dict[str, Any] = {}
    functions: dict[str, list[str]] = {}
    for name, build in (("cjson", libs.cjson), ("bit", libs.bit)):
        tables[name], functions[name] = build()
    from miniredis.scripting.msgpack import cmsgpack, struct_library

    tables["cmsgpack"], functions["cmsgpack"] = cmsgpack(libs)
    tables["struct"], functions["struct"] = struct_library(libs)
    return tables, functions


