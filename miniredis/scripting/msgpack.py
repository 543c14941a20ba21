"""``cmsgpack`` (lua-cmsgpack 0.4, as bundled with Redis 7.0) and ``struct`` (Roberto Ierusalimschy's
struct library) for scripts, written from their documented formats.

cmsgpack: a table whose keys are exactly 1..n is an array, anything else a map; integral numbers
use the smallest integer encoding, others float32 when that is exact, else float64; strings are
fixstr/str8/str16/str32; tables nested deeper than 16 levels pack as nil. unpack/unpack_one/
unpack_limit return Lua values (maps and arrays as tables; bin types as strings).

struct: pack/unpack/size with the ``< > = !`` modifiers and ``b B h H l L T i I c s f d x`` formats.
"""

from __future__ import annotations

import math
import struct as pystruct
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from miniredis.scripting.libraries import Libraries

MAX_NESTING = 16


class _Missing(Exception):
    pass


class _BadFormat(Exception):
    pass


def _is_integer(number: float) -> bool:
    return number == number and number not in (math.inf, -math.inf) and number == int(number) and \
        -(1 << 63) <= number < (1 << 64)


def _pack_int(value: int, out: bytearray) -> None:
    if value >= 0:
        if value <= 127:
            out.append(value)
        elif value <= 0xFF:
            out += b"\xcc" + value.to_bytes(1, "big")
        elif value <= 0xFFFF:
            out += b"\xcd" + value.to_bytes(2, "big")
        elif value <= 0xFFFFFFFF:
            out += b"\xce" + value.to_bytes(4, "big")
        else:
            out += b"\xcf" + value.to_bytes(8, "big")
    elif value >= -32:
        out.append(value & 0xFF)
    elif value >= -128:
        out += b"\xd0" + value.to_bytes(1, "big", signed=True)
    elif value >= -32768:
        out += b"\xd1" + value.to_bytes(2, "big", signed=True)
    elif value >= -(1 << 31):
        out += b"\xd2" + value.to_bytes(4, "big", signed=True)
    else:
        out += b"\xd3" + value.to_bytes(8, "big", signed=True)


def cmsgpack(libs: Libraries) -> tuple[Any, list[str]]:
    lua = libs.lua
    lua_type = libs.lua_type

    def pack_value(value: Any, out: bytearray, level: int) -> None:
        kind = type(value)
        if value is None:
            out += b"\xc0"
        elif kind is bool:
            out += b"\xc3" if value else b"\xc2"
        elif kind is int or kind is float:
            if _is_integer(value):
                _pack_int(int(value), out)
            else:
                single = pystruct.unpack(">f", pystruct.pack(">f", value))[0] if abs(value) < 3.5e38 or \
                    value != value or value in (math.inf, -math.inf) else None
                if single is not None and (single == value or (value != value and single != single)):
                    out += b"\xca" + pystruct.pack(">f", value)
                else:
                    out += b"\xcb" + pystruct.pack(">d", value)
        elif kind is bytes:
            size = len(value)
            if size < 32:
                out.append(0xA0 | size)
            elif size <= 0xFF:
                out += b"\xd9" + size.to_bytes(1, "big")
            elif size <= 0xFFFF:
                out += b"\xda" + size.to_bytes(2, "big")
            else:
                out += b"\xdb" + size.to_bytes(4, "big")
            out += value
        elif lua_type(value) == "table" and level < MAX_NESTING:
            items = list(value.items())
            keys = [key for key, _ in items]
            is_array = all((type(key) is int or type(key) is float) and key > 0 and key == int(key) for key in keys) \
                and (max(keys) if keys else 0) == len(keys)
            if is_array:
                count = len(keys)
                if count <= 15:
                    out.append(0x90 | count)
                elif count <= 0xFFFF:
                    out += b"\xdc" + count.to_bytes(2, "big")
                else:
                    out += b"\xdd" + count.to_bytes(4, "big")
                for index in range(1, count + 1):
                    pack_value(value[index], out, level + 1)
            else:
                count = len(items)
                if count <= 15:
                    out.append(0x80 | count)
                elif count <= 0xFFFF:
                    out += b"\xde" + count.to_bytes(2, "big")
                else:
                    out += b"\xdf" + count.to_bytes(4, "big")
                for key, item in items:
                    pack_value(key, out, level + 1)
                    pack_value(item, out, level + 1)
        else:
            out += b"\xc0"

    def pack(*args: Any) -> bytes:
        if not args:
            raise libs.argerror(0, "pack", "MessagePack pack needs input.")
        out = bytearray()
        for arg in args:
            pack_value(arg, out, 0)
        return bytes(out)

    def take(data: bytes, pos: int, size: int) -> bytes:
        if pos + size > len(data):
            raise _Missing
        return data[pos:pos + size]

    def unpack_value(data: bytes, pos: int) -> tuple[object, int]:
        byte = take(data, pos, 1)[0]
        pos += 1
        if byte <= 0x7F:
            return byte, pos
        if byte >= 0xE0:
            return byte - 0x100, pos
        if 0xA0 <= byte <= 0xBF:
            size = byte & 0x1F
            return take(data, pos, size), pos + size
        if 0x90 <= byte <= 0x9F:
            return unpack_array(data, pos, byte & 0x0F)
        if 0x80 <= byte <= 0x8F:
            return unpack_map(data, pos, byte & 0x0F)
        if byte == 0xC0:
            return None, pos
        if byte in (0xC2, 0xC3):
            return byte == 0xC3, pos
        if byte in (0xCC, 0xCD, 0xCE, 0xCF, 0xD0, 0xD1, 0xD2, 0xD3):
            size = 1 << ((byte - 0xCC) & 3)
            number = int.from_bytes(take(data, pos, size), "big", signed=byte >= 0xD0)
            return (number if abs(number) < (1 << 53) else float(number)), pos + size
        if byte == 0xCA:
            return pystruct.unpack(">f", take(data, pos, 4))[0], pos + 4
        if byte == 0xCB:
            return pystruct.unpack(">d", take(data, pos, 8))[0], pos + 8
        if byte in (0xC4, 0xC5, 0xC6, 0xD9, 0xDA, 0xDB):
            width = {0xC4: 1, 0xC5: 2, 0xC6: 4, 0xD9: 1, 0xDA: 2, 0xDB: 4}[byte]
            size = int.from_bytes(take(data, pos, width), "big")
            pos += width
            return take(data, pos, size), pos + size
        if byte in (0xDC, 0xDD):
            width = 2 if byte == 0xDC else 4
            return unpack_array(data, pos + width, int.from_bytes(take(data, pos, width), "big"))
        if byte in (0xDE, 0xDF):
            width = 2 if byte == 0xDE else 4
            return unpack_map(data, pos + width, int.from_bytes(take(data, pos, width), "big"))
        raise _BadFormat

    def unpack_array(data: bytes, pos: int, count: int) -> tuple[object, int]:
        table = lua.table()
        for index in range(1, count + 1):
            table[index], pos = unpack_value(data, pos)
        return table, pos

    def unpack_map(data: bytes, pos: int, count: int) -> tuple[object, int]:
        table = lua.table()
        for _ in range(count):
            key, pos = unpack_value(data, pos)
            value, pos = unpack_value(data, pos)
            if key is not None:
                table[key] = value
        return table, pos

    def unpack_many(data: Any, limit: int, offset: int) -> tuple[int, list[object]]:
        if type(data) is not bytes:
            raise libs.argerror(1, "unpack", "string expected, got " + libs.typename(data))
        values: list[object] = []
        pos = offset
        try:
            while pos < len(data) and (limit <= 0 or len(values) < limit):
                value, pos = unpack_value(data, pos)
                values.append(value)
        except _Missing:
            raise libs.error("Missing bytes in input.") from None
        except _BadFormat:
            raise libs.error("Bad data format in input.") from None
        return (pos if pos < len(data) else -1), values

    def unpack(*args: Any) -> tuple[object, ...]:
        _, values = unpack_many(args[0] if args else None, 0, 0)
        return tuple(values)

    def unpack_one(*args: Any) -> tuple[object, ...]:
        offset = int(args[1]) if len(args) > 1 and args[1] is not None else 0
        position, values = unpack_many(args[0] if args else None, 1, offset)
        return (position, *values)

    def unpack_limit(*args: Any) -> tuple[object, ...]:
        limit = int(args[1]) if len(args) > 1 and args[1] is not None else 0
        offset = int(args[2]) if len(args) > 2 and args[2] is not None else 0
        position, values = unpack_many(args[0] if args else None, limit, offset)
        return (position, *values)

    functions = {"pack": pack, "unpack": unpack, "unpack_one": unpack_one, "unpack_limit": unpack_limit}
    table = libs.table(functions, {  # type: ignore[arg-type]
        "_NAME": b"lua-cmsgpack", "_VERSION": b"lua-cmsgpack 0.4.0",
        "_COPYRIGHT": b"Copyright (C) 2012, Salvatore Sanfilippo",
        "_DESCRIPTION": b"MessagePack C implementation for Lua",
    })
    return table, list(functions)


_STRUCT_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "l": 8, "L": 8, "T": 8, "f": 4, "d": 8, "x": 1}


def struct_library(libs: Libraries) -> tuple[Any, list[str]]:
    def items(fmt: bytes, fname: str) -> list[tuple[str, int, str, int]]:
        """(option, size, endianness, alignment) per format item (``!n`` sets the maximum alignment)."""
        result: list[tuple[str, int, str, int]] = []
        endian = "<"
        max_align = 1
        text = fmt.decode("latin-1")
        index = 0
        while index < len(text):
            option = text[index]
            index += 1
            digits = ""
            while index < len(text) and text[index].isdigit():
                digits += text[index]
                index += 1
            if option in " ":
                continue
            if option in "<>=":
                endian = {"<": "<", ">": ">", "=": "<"}[option]
            elif option == "!":
                max_align = int(digits) if digits else 8
            elif option in _STRUCT_SIZES or option in "iI":
                width = _STRUCT_SIZES.get(option) or (int(digits) if digits else 4)
                result.append((option, width, endian, min(width, max_align)))
            elif option == "c":
                result.append((option, int(digits) if digits else 1, endian, 1))
            elif option == "s":
                result.append((option, 0, endian, 1))
            else:
                raise libs.argerror(1, fname, f"invalid format option '{option}'")
        return result

    def pack(*args: Any) -> bytes:
        if not args or type(args[0]) is not bytes:
            raise libs.argerror(1, "pack", "string expected, got " + (libs.typename(args[0]) if args else "no value"))
        out = bytearray()
        arg = 1
        for option, size, endian, align in items(args[0], "pack"):
            if align > 1 and len(out) % align:
                out += bytes(align - len(out) % align)
            if option == "x":
                out.append(0)
                continue
            arg += 1
            if option in "cs":
                value = args[arg - 1] if len(args) >= arg else None
                if type(value) is int or type(value) is float:
                    value = b"%.14g" % value
                if type(value) is not bytes:
                    raise libs.argerror(arg, "pack", "string expected, got " + libs.typename(value))
                if option == "s":
                    out += value + b"\0"
                elif size and len(value) < size:
                    raise libs.argerror(arg + 1, "pack", "string too short")  # (struct.c counts one too many)
                else:
                    out += value[:size] if size else value
                continue
            number = libs.checknumber(args, arg, "pack")
            if option in "fd":
                out += pystruct.pack(endian + option, number)
            else:
                integer = int(number) & ((1 << (8 * size)) - 1)
                out += integer.to_bytes(size, "little" if endian == "<" else "big")
        return bytes(out)

    def unpack(*args: Any) -> tuple[object, ...]:
        if not args or type(args[0]) is not bytes:
            raise libs.argerror(1, "unpack", "string expected, got " + (libs.typename(args[0]) if args else "no value"))
        data = args[1] if len(args) > 1 else None
        if type(data) is not bytes:
            raise libs.argerror(2, "unpack", "string expected, got " + libs.typename(data))
        pos = int(args[2]) - 1 if len(args) > 2 and args[2] is not None else 0
        values: list[object] = []
        for option, size, endian, align in items(args[0], "unpack"):
            if align > 1 and pos % align:
                pos += align - pos % align
            if option == "s":
                end = data.find(b"\0", pos)
                if end < 0:
                    raise libs.argerror(2, "unpack", "unfinished string in data")
                values.append(data[pos:end])
                pos = end + 1
                continue
            if pos + size > len(data):
                raise libs.argerror(2, "unpack", "data string too short")
            chunk = data[pos:pos + size]
            pos += size
            if option == "x":
                continue
            if option == "c":
                values.append(chunk)
            elif option in "fd":
                values.append(pystruct.unpack(endian + option, chunk)[0])
            else:
                number = int.from_bytes(chunk, "little" if endian == "<" else "big", signed=option in "bhli")
                values.append(number if abs(number) < (1 << 53) else float(number))
        values.append(pos + 1)
        return tuple(values)

    def size(*args: Any) -> int:
        if not args or type(args[0]) is not bytes:
            raise libs.argerror(1, "size", "string expected, got " + (libs.typename(args[0]) if args else "no value"))
        total = 0
        for option, width, _, align in items(args[0], "size"):
            if option == "s":
                raise libs.argerror(1, "size", "options 'c0' - 's' not allowed")
            if align > 1 and total % align:
                total += align - total % align
            total += width
        return total

    functions = {"pack": pack, "unpack": unpack, "size": size}
    return libs.table(functions, {}), list(functions)  # type: ignore[arg-type]
