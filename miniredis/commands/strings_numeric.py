"""String counters (Redis 7.0's t_string.c): INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT.

Integer counters read the stored string and the increment with Redis's strict string2ll (``+1``,
``01``, `` 1``, ``1.0`` are not integers) and refuse a result outside the signed 64-bit range.
Increments are applied in place: the key keeps its TTL.

INCRBYFLOAT computes in the x86-64 C ``long double`` (80-bit extended: a 64-bit significand,
exponents down to 2**-16445 with subnormals, overflow at 2**16384) and prints the result as Redis
does: ``%.17Lf`` with the trailing zeros (and a trailing point) removed, ``-0`` shown as ``0``.
Python has no long double, so ``LongDouble`` does that arithmetic exactly with integers: values are
``sign * significand * 2**exponent``, parsed from text as glibc's strtold reads it (decimal or hex,
``inf``/``infinity``; NaN, overflow, underflow to zero, spaces and 5120+ byte inputs refused) and
rounded to nearest, ties to even, at every step. INCRBYFLOAT is propagated as
``SET key <result> KEEPTTL``, so replaying it never depends on float arithmetic.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from miniredis import errors
from miniredis.commands.args import parse_int
from miniredis.commands.registry import command
from miniredis.commands.strings import lookup_string_write
from miniredis.errors import CommandError
from miniredis.protocol.parser import string2ll

if TYPE_CHECKING:
    from miniredis.server.client import Client

LLONG_MIN, LLONG_MAX = -(2**63), 2**63 - 1

DECREMENT_OVERFLOW = "ERR decrement would overflow"
NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity"

# --- integer counters ---------------------------------------------------------------------------


def incr_by(client: Client, key: bytes, increment: int) -> int:
    """incrDecrCommand: add ``increment`` to the integer at ``key`` (0 when missing)."""
    db = client.db
    old = db.lookup(key)
    if old is None:
        value = 0
    elif type(old) is not bytes:
        raise CommandError(errors.WRONGTYPE)
    else:
        parsed = string2ll(old)
        if parsed is None:
            raise CommandError(errors.NOT_INTEGER)
        value = parsed
    new = value + increment
    if new < LLONG_MIN or new > LLONG_MAX:
        raise CommandError(errors.OVERFLOW)
    db.set(key, b"%d" % new, keep_ttl=True)
    server = client.server
    if server.keyspace_events:
        server.notify(db, "incrby", key, "$")
    server.dirty += 1
    return new


@command("incr")
def incr(client: Client, argv: list[bytes]) -> object:
    return incr_by(client, argv[1], 1)


@command("decr")
def decr(client: Client, argv: list[bytes]) -> object:
    return incr_by(client, argv[1], -1)


@command("incrby")
def incrby(client: Client, argv: list[bytes]) -> object:
    return incr_by(client, argv[1], parse_int(argv[2]))


@command("decrby")
def decrby(client: Client, argv: list[bytes]) -> object:
    decrement = parse_int(argv[2])
    if decrement == LLONG_MIN:  # its negation does not fit
        raise CommandError(DECREMENT_OVERFLOW)
    return incr_by(client, argv[1], -decrement)


# --- long double arithmetic ---------------------------------------------------------------------

_SIGNIFICAND_BITS = 64
_MIN_EXPONENT = -16445  # exponent of the smallest subnormal: 2**-16445
_OVERFLOW_BITS = 16384  # a value of 2**16384 or more is infinite
_MAX_TEXT = 5120  # string2ld refuses inputs of MAX_LONG_DOUBLE_CHARS (5 * 1024) bytes or more

_DECIMAL = re.compile(rb"([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?")
_HEX = re.compile(rb"([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?")
_INFINITY = re.compile(rb"[+-]?(?:inf|infinity)", re.IGNORECASE)


class Infinite(Exception):
    """A long double result that is infinite (overflow, or an infinite operand)."""


def round_to_long_double(numerator: int, denominator: int) -> tuple[int, int]:
    """The positive rational ``numerator / denominator`` rounded to the nearest long double.

    Returns ``(significand, exponent)`` with value ``significand * 2**exponent``; ``(0, 0)`` when it
    rounds to zero; raises ``Infinite`` past the largest finite value.
    """
    exponent = numerator.bit_length() - denominator.bit_length() - _SIGNIFICAND_BITS
    while True:
        exponent = max(exponent, _MIN_EXPONENT)
        if exponent >= 0:
            quotient, remainder = divmod(numerator, denominator << exponent)
            divisor = denominator << exponent
        else:
            quotient, remainder = divmod(numerator << -exponent, denominator)
            divisor = denominator
        if quotient >> _SIGNIFICAND_BITS:  # too many bits: one more binary place to the left
            exponent += 1
            continue
        if quotient >> (_SIGNIFICAND_BITS - 1) == 0 and exponent > _MIN_EXPONENT:  # room for one more bit
            exponent -= 1
            continue
        break
    twice = remainder * 2
    if twice > divisor or (twice == divisor and quotient & 1):
        quotient += 1
        if quotient >> _SIGNIFICAND_BITS:
            quotient >>= 1
            exponent += 1
    if quotient == 0:
        return 0, 0
    if quotient.bit_length() + exponent > _OVERFLOW_BITS:
        raise Infinite
    return quotient, exponent


def _int_from_decimal(digits: bytes) -> int:
    """``int(digits)`` for any length (int() refuses more than 4300 digits)."""
    value = 0
    for start in range(0, len(digits), 1000):
        chunk = digits[start : start + 1000]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def _decimal_text(value: int) -> bytes:
    """``str(value)`` for any size (str() refuses more than 4300 digits)."""
    if value < 10**4000:
        return b"%d" % value
    high, low = divmod(value, 10**2000)
    return _decimal_text(high) + b"%02000d" % low


def _exponent(text: bytes | None) -> int:
    """An exponent's digits (leading zeros allowed, any count); a huge one is clamped far out of range."""
    if not text:
        return 0
    negative = text[:1] == b"-"
    digits = text.lstrip(b"+-").lstrip(b"0") or b"0"
    value = int(digits) if len(digits) <= 18 else 10**18
    return -value if negative else value


class LongDouble:
    """A finite long double: ``(-1)**negative * significand * 2**exponent``."""

    __slots__ = ("negative", "significand", "exponent")

    def __init__(self, negative: bool, significand: int, exponent: int) -> None:
        self.negative = negative
        self.significand = significand
        self.exponent = exponent

    @classmethod
    def from_ratio(cls, negative: bool, numerator: int, denominator: int) -> LongDouble:
        significand, exponent = round_to_long_double(numerator, denominator)
        return cls(negative, significand, exponent)

    @classmethod
    def parse(cls, raw: bytes) -> LongDouble | None:
        """string2ld: strtold over the whole text; ``ValueError`` where Redis refuses the text, None for
        an explicit infinity (which strtold reads: only the sum is refused)."""
        if not raw or len(raw) >= _MAX_TEXT:
            raise ValueError(raw)
        match = _DECIMAL.fullmatch(raw)
        if match is not None:
            sign, whole, fraction, only_fraction, exponent_text = match.groups()
            if only_fraction is not None:
                whole, fraction = b"", only_fraction
            digits = (whole + fraction).lstrip(b"0")
            if not digits:
                return cls(sign == b"-", 0, 0)
            exponent = _exponent(exponent_text) - len(fraction)
            magnitude = len(digits) + exponent  # the value is below 10**magnitude
            if magnitude > 4940:  # past 1.19e4932: overflow (ERANGE, HUGE_VALL)
                raise ValueError(raw)
            if magnitude < -4960:  # below half the smallest subnormal: underflow to zero
                raise ValueError(raw)
            mantissa = _int_from_decimal(digits)
            try:
                if exponent >= 0:
                    value = cls.from_ratio(sign == b"-", mantissa * 10**exponent, 1)
                else:
                    value = cls.from_ratio(sign == b"-", mantissa, 10**-exponent)
            except Infinite:
                raise ValueError(raw) from None
            if value.significand == 0:
                raise ValueError(raw)
            return value
        match = _HEX.fullmatch(raw)
        if match is not None:
            sign, whole, fraction, only_fraction, exponent_text = match.groups()
            if only_fraction is not None:
                whole, fraction = b"", only_fraction
            digits = (whole + fraction).lstrip(b"0")
            if not digits:
                return cls(sign == b"-", 0, 0)
            exponent = _exponent(exponent_text) - 4 * len(fraction)
            magnitude = 4 * len(digits) + exponent
            if magnitude > _OVERFLOW_BITS + 8 or magnitude < _MIN_EXPONENT - 8:
                raise ValueError(raw)
            mantissa = int(digits, 16)
            try:
                if exponent >= 0:
                    value = cls.from_ratio(sign == b"-", mantissa << exponent, 1)
                else:
                    value = cls.from_ratio(sign == b"-", mantissa, 1 << -exponent)
            except Infinite:
                raise ValueError(raw) from None
            if value.significand == 0:
                raise ValueError(raw)
            return value
        if _INFINITY.fullmatch(raw):
            return None
        raise ValueError(raw)

    def add(self, other: LongDouble) -> LongDouble:
        """The sum, rounded once to a long double (``Infinite`` on overflow)."""
        base = min(self.exponent, other.exponent)
        total = (-1 if self.negative else 1) * (self.significand << (self.exponent - base))
        total += (-1 if other.negative else 1) * (other.significand << (other.exponent - base))
        if total == 0:
            return LongDouble(self.negative and other.negative, 0, 0)
        negative = total < 0
        total = abs(total)
        if base >= 0:
            return LongDouble.from_ratio(negative, total << base, 1)
        return LongDouble.from_ratio(negative, total, 1 << -base)

    def human(self) -> bytes:
        """ld2string in human mode: ``%.17Lf``, trailing zeros and point removed, ``-0`` as ``0``."""
        scale = 10**17
        if self.exponent >= 0:
            scaled = (self.significand << self.exponent) * scale
        else:
            # %.17Lf rounds the exact binary value to 17 places, ties to even.
            scaled, remainder = divmod(self.significand * scale, 1 << -self.exponent)
            twice = remainder * 2
            divisor = 1 << -self.exponent
            if twice > divisor or (twice == divisor and scaled & 1):
                scaled += 1
        whole, fraction = divmod(scaled, scale)
        text = _decimal_text(whole)
        decimals = (b"%017d" % fraction).rstrip(b"0")
        if decimals:
            text += b"." + decimals
        if self.negative and text != b"0":
            text = b"-" + text
        return text


@command("incrbyfloat")
def incrbyfloat(client: Client, argv: list[bytes]) -> object:
    db = client.db
    key = argv[1]
    old = lookup_string_write(db, key)
    try:
        value = LongDouble(False, 0, 0) if old is None else LongDouble.parse(old)
        increment = LongDouble.parse(argv[2])
    except ValueError:
        raise CommandError(errors.NOT_FLOAT) from None
    try:
        if value is None or increment is None:  # an infinite operand: the sum is infinite or NaN
            raise Infinite
        result = value.add(increment).human()
    except Infinite:
        raise CommandError(NAN_OR_INFINITY) from None
    db.set(key, result, keep_ttl=True)
    server = client.server
    server.notify(db, "incrbyfloat", key, "$")
    server.dirty += 1
    client.propagate = [[b"SET", key, result, b"KEEPTTL"]]
    return result
