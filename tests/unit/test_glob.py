"""The glob matcher (miniredis.glob) against a truth table captured from Redis 7.0.15's KEYS.

Each row is a pattern and, for every subject in SUBJECTS, whether real Redis's ``KEYS pattern``
returned that subject when it was the only key (``*`` alone is left out: KEYS takes a shortcut for
it). conformance/test_generic.py checks many more patterns live against a running Redis.
"""

from __future__ import annotations

import time

import pytest

from miniredis.glob import glob_match

SUBJECTS = [
    b'',
    b'a',
    b'ab',
    b'abc',
    b'a*c',
    b'a[b]c',
    b'a\\',
    b'\\',
    b']',
    b'^',
    b'-',
    b'\x00',
    b'\xff',
    b'hello',
    b'hallo',
    b'h[a]llo',
    b'aXc',
    b'a-c',
    b'x]y',
]

# (pattern, one "1"/"0" per subject: matched by real Redis)
TRUTH = [
    (b'**', "0111111111111111111"),
    (b'?', "0100000111111000000"),
    (b'a*', "0111111000000000110"),
    (b'*c', "0001110000000000110"),
    (b'a?c', "0001100000000000110"),
    (b'[ab]*', "0111111000000000110"),
    (b'[^a]*', "0000000111111111001"),
    (b'[c-a]', "0100000000000000000"),
    (b'a\\*c', "0000100000000000000"),
    (b'[', "0000000000000000000"),
    (b'[a', "0100000000000000000"),
    (b'a[', "0000000000000000000"),
    (b'\\', "0000000100000000000"),
    (b'a\\', "0000001000000000000"),
    (b'[^]', "0100000111111000000"),
    (b'[]]', "0000000000000000000"),
    (b'[]', "0000000000000000000"),
    (b'[a-]', "0100000011000000000"),
    (b'[-a]', "0100000000100000000"),
    (b'[\\]]', "0000000010000000000"),
    (b'x[]]y', "0000000000000000000"),
    (b'x[^-]y', "0000000000000000001"),
    (b'a[^b-d]c', "0000100000000000110"),
    (b'h\\[a\\]llo', "0000000000000001000"),
    (b'h[a]llo', "0000000000000010000"),
    (b'[a-\xff]', "0100000111111000000"),
    (b'[\x01-\x7f]', "0100000111100000000"),
    (b'*[', "0000000000000000000"),
    (b'[^', "0100000111111000000"),
    (b'h*llo', "0000000000000111000"),
    (b'*?*', "0111111111111111111"),
]


@pytest.mark.parametrize(("pattern", "row"), TRUTH, ids=[repr(pattern) for pattern, _ in TRUTH])
def test_matches_like_redis(pattern: bytes, row: str) -> None:
    got = "".join("1" if glob_match(pattern, subject) else "0" for subject in SUBJECTS)
    assert got == row


def test_star_alone_and_empty_subject() -> None:
    assert not glob_match(b"*", b"")
    assert glob_match(b"", b"")
    assert glob_match(b"a*", b"a") and glob_match(b"a**", b"a")


def test_recursion_bound_after_1000_stars() -> None:
    subject = b"a" * 3000
    assert glob_match(b"a*" * 1001, subject)  # the 1001st star is the final one: no recursion needed
    assert not glob_match(b"a*" * 1002, subject)
    assert glob_match(b"*a" * 1000, subject)
    assert not glob_match(b"*a" * 1001, subject)


def test_pathological_patterns_are_fast() -> None:
    started = time.perf_counter()
    assert not glob_match(b"*a" * 30 + b"b", b"a" * 60)
    assert not glob_match(b"a*" * 500 + b"b", b"a" * 2000)
    assert time.perf_counter() - started < 1.0


def test_nocase() -> None:
    assert glob_match(b"H*O", b"hello", nocase=True)
    assert not glob_match(b"H*O", b"hello")
    assert glob_match(b"[A-Z]ET", b"get", nocase=True)
