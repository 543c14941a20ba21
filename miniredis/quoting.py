"""Redis's ``sdscatrepr`` quoting, shared by the MONITOR lines and CONFIG REWRITE.

A double-quoted string: ``\\`` and ``"`` backslash-escaped, ``\\n \\r \\t \\a \\b`` spelled as
such, other bytes outside printable ASCII as ``\\xHH`` (lower-case hex).
"""

from __future__ import annotations


def repr_arg(raw: bytes) -> str:
    """Redis's sdscatrepr: a double-quoted string with \\n \\r \\t \\a \\b and \\xHH escapes."""
    parts = ['"']
    for byte in raw:
        char = chr(byte)
        if char in '\\"':
            parts.append("\\" + char)
        elif char == "\n":
            parts.append("\\n")
        elif char == "\r":
            parts.append("\\r")
        elif char == "\t":
            parts.append("\\t")
        elif char == "\a":
            parts.append("\\a")
        elif char == "\b":
            parts.append("\\b")
        elif 32 <= byte < 127:
            parts.append(char)
        else:
            parts.append(f"\\x{byte:02x}")
    parts.append('"')
    return "".join(parts)
