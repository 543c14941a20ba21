"""The ZSet structure and the sorted-set number parsers, without sockets.

A Hypothesis state machine drives a ZSet and a naive model (a dict sorted on demand) through
random inserts, updates, removals and pops, checking order, ranks, score ranges and lex ranges
after every step.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from miniredis.commands.sorted_sets import (
    lex_bounds,
    parse_lex_bound,
    parse_score,
    parse_score_bound,
    strtod,
)
from miniredis.config import Config
from miniredis.errors import CommandError
from miniredis.keyspace.encodings import encoding_of
from miniredis.keyspace.objects import type_name
from miniredis.structures.zset import ZSet, listpack_score_text

MEMBERS = st.binary(min_size=0, max_size=3)
SCORES = st.one_of(st.integers(-5, 5).map(float), st.sampled_from([math.inf, -math.inf, -0.0, 0.5, 1e300]))


class ZSetMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.zset = ZSet(compact=False)
        self.model: dict[bytes, float] = {}

    def ordered(self) -> list[tuple[float, bytes]]:
        return sorted((score, member) for member, score in self.model.items())

    @rule(member=MEMBERS, score=SCORES)
    def set(self, member: bytes, score: float) -> None:
        assert self.zset.set(member, score) == (member not in self.model)
        if member not in self.model or self.model[member] != score:
            self.model[member] = score

    @rule(member=MEMBERS)
    def remove(self, member: bytes) -> None:
        assert self.zset.remove(member) == (self.model.pop(member, None) is not None)

    @rule(count=st.integers(0, 4), maximum=st.booleans())
    def pop(self, count: int, maximum: bool) -> None:
        expected = self.ordered()
        expected = list(reversed(expected))[:count] if maximum else expected[:count]
        popped = self.zset.pop_max(count) if maximum else self.zset.pop_min(count)
        assert popped == expected
        for _, member in popped:
            del self.model[member]

    @rule(low=SCORES, high=SCORES, low_ex=st.booleans(), high_ex=st.booleans())
    def score_range(self, low: float, high: float, low_ex: bool, high_ex: bool) -> None:
        start, stop = self.zset.score_bounds(low, low_ex, high, high_ex)
        got = self.zset.slice(start, stop)
        expected = [(s, m) for s, m in self.ordered()
                    if (s > low if low_ex else s >= low) and (s < high if high_ex else s <= high)]
        assert got == expected

    @invariant()
    def consistent(self) -> None:
        ordered = self.ordered()
        assert list(self.zset) == ordered
        assert len(self.zset) == len(self.model)
        for rank, (score, member) in enumerate(ordered):
            assert self.zset.rank(member) == rank
            found = self.zset.score(member)
            assert found == score and math.copysign(1, found) == math.copysign(1, score)  # -0 kept in a skiplist


TestZSetMachine = ZSetMachine.TestCase
TestZSetMachine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


@given(members=st.lists(st.binary(max_size=3), max_size=20), low=st.binary(max_size=2), high=st.binary(max_size=2),
       low_kind=st.sampled_from("[(-+"), high_kind=st.sampled_from("[(-+"))
@settings(max_examples=200, deadline=None)
def test_lex_ranges_match_a_filter(members: list[bytes], low: bytes, high: bytes, low_kind: str,
                                   high_kind: str) -> None:
    raw_low = low_kind.encode() + (low if low_kind in "[(" else b"")
    raw_high = high_kind.encode() + (high if high_kind in "[(" else b"")
    low_bound, high_bound = parse_lex_bound(raw_low), parse_lex_bound(raw_high)
    for compact in (True, False):
        zset = ZSet(((0.0, m) for m in set(members)), compact=compact)
        start, stop = lex_bounds(zset, low_bound, high_bound)

        def in_range(m: bytes) -> bool:
            above = {"-": True, "+": False, "[": m >= low, "(": m > low}[low_kind]
            below = {"+": True, "-": False, "[": m <= high, "(": m < high}[high_kind]
            return above and below

        assert [m for _, m in zset.slice(start, stop)] == sorted(m for m in set(members) if in_range(m))


def test_ties_order_by_member_bytes() -> None:
    zset = ZSet([(1.0, b"b"), (1.0, b"a"), (1.0, b"\xff"), (1.0, b""), (0.0, b"z")])
    assert [m for _, m in zset] == [b"z", b"", b"a", b"b", b"\xff"]


def sign(score: float | None) -> float:
    assert score is not None
    return math.copysign(1, score)


def test_listpack_normalises_negative_zero() -> None:
    small = ZSet()
    small.insert(b"a", -0.0)
    assert sign(small.score(b"a")) == 1
    big = ZSet(compact=False)
    big.insert(b"a", -0.0)
    assert sign(big.score(b"a")) == -1
    config = Config()
    big.fit_encoding(config)
    assert big.compact and sign(big.score(b"a")) == 1


def test_encoding_rules() -> None:
    config = Config()
    zset = ZSet()
    for i in range(config.zset_max_listpack_entries):
        zset.insert(b"m%d" % i, i)
        zset.check_encoding(4, config)
    assert encoding_of(zset, config) == b"listpack"
    zset.insert(b"over", 1)
    zset.check_encoding(4, config)
    assert encoding_of(zset, config) == b"skiplist"
    zset.remove(b"over")
    assert encoding_of(zset, config) == b"skiplist"
    assert type_name(zset) == b"zset"


def test_copy_is_deep() -> None:
    zset = ZSet([(1.0, b"a")])
    other = zset.copy()
    other.insert(b"b", 2.0)
    assert len(zset) == 1 and len(other) == 2 and other.compact == zset.compact


@pytest.mark.parametrize(("score", "text"), [
    (1e18, b"1000000000000000000"), (1e19, b"1e+19"), (0.5, b"0.5"), (-1.5, b"-1.5"), (math.inf, b"inf"),
    (-9.2233720368547758e18, b"-9.2233720368547758e+18"), (4503599627370497.0, b"4503599627370497"),
    (0.1, b"0.10000000000000001"),
])
def test_listpack_score_text(score: float, text: bytes) -> None:
    assert listpack_score_text(score) == text


@pytest.mark.parametrize(("raw", "value"), [
    (b"1", 1.0), (b"0x10", 16.0), (b"inf", math.inf), (b"-Infinity", -math.inf), (b".5", 0.5), (b"5.", 5.0),
    (b"1E2", 100.0), (b"1e-310", 1e-310),
])
def test_parse_score_accepts(raw: bytes, value: float) -> None:
    assert parse_score(raw) == value


@pytest.mark.parametrize("raw", [b"", b" 1", b"1 ", b"1_0", b"nan", b"1e400", b"1e-400", b"x", b"1e", b"0x", b"1\x00"])
def test_parse_score_refuses(raw: bytes) -> None:
    with pytest.raises(CommandError, match="not a valid float"):
        parse_score(raw)


@pytest.mark.parametrize(("raw", "bound"), [
    (b"(1", (1.0, True)), (b"(", (0.0, True)), (b"", (0.0, False)), (b" 2", (2.0, False)),
    (b"1e400", (math.inf, False)),
    (b"3\x00junk", (3.0, False)),
])
def test_parse_score_bound(raw: bytes, bound: tuple[float, bool]) -> None:
    assert parse_score_bound(raw) == bound


@pytest.mark.parametrize("raw", [b"x", b"1 ", b"nan", b"((1"])
def test_parse_score_bound_refuses(raw: bytes) -> None:
    with pytest.raises(CommandError, match="min or max is not a float"):
        parse_score_bound(raw)


def test_strtod_prefix() -> None:
    assert strtod(b"12abc")[:2] == (12.0, 2)
    assert strtod(b"abc")[:2] == (0.0, 0)
