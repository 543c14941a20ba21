"""The one glob matcher, with Redis 7.0's exact semantics (util.c stringmatchlen), as observed.

Used by KEYS, SCAN MATCH, CONFIG GET, COMMAND LIST FILTERBY PATTERN, PUBSUB CHANNELS and pattern
subscriptions. Rules: ``*`` any run, ``?`` one byte, ``[abc]`` a set, ``[^a]`` a negated set,
``[a-z]`` a range, ``\\x`` the literal x (inside sets too). Redis's corner cases, each pinned by
conformance/test_generic.py against real KEYS results:

- an empty subject matches only the empty pattern (``*`` alone does not match ``""``; KEYS * and
  SCAN MATCH * take a shortcut that lists every key); once a byte has been consumed, trailing stars
  match the empty rest;
- in a set, ``]`` right after ``[`` or ``[^`` closes it (``[]`` matches nothing, ``[^]`` any byte);
  a range is taken whenever ``-`` follows a byte with one more byte after it, even ``]``
  (``[a-]`` is the range ``]``..``a``); bounds are compared as C's signed chars (bytes >= 0x80 sort
  below 0x00) and swapped when reversed; a set left open at the pattern's end ends there;
- a lone trailing backslash matches a backslash;
- matching gives up (no match) when it would have to continue past the 1000th star: Redis bounds
  its recursion depth there.

Matching is the classic greedy algorithm with one backtrack point (the last star seen): a later
star can absorb whatever an earlier one could, so earlier stars never need to be revisited, which
is also what Redis's own early exit relies on. Time is O(len(pattern) * len(subject)).
"""

from __future__ import annotations

MAX_STAR_DEPTH = 1000
_STAR, _QUESTION, _OPEN, _CLOSE, _CARET, _DASH, _BACKSLASH = 0x2A, 0x3F, 0x5B, 0x5D, 0x5E, 0x2D, 0x5C


def _signed(byte: int) -> int:
    return byte - 256 if byte >= 0x80 else byte


def _match_set(pattern: bytes, p: int, char: int) -> tuple[bool, int]:
    """Match ``char`` against the set whose ``[`` is at ``p``; return (matched, index after the set)."""
    plen = len(pattern)
    p += 1
    negate = p < plen and pattern[p] == _CARET
    if negate:
        p += 1
    matched = False
    while True:
        left = plen - p
        if left >= 2 and pattern[p] == _BACKSLASH:
            p += 1
            if pattern[p] == char:
                matched = True
        elif left > 0 and pattern[p] == _CLOSE:
            break
        elif left <= 0:
            p = plen - 1  # the set runs to the pattern's end; the caller steps past it
            break
        elif left >= 3 and pattern[p + 1] == _DASH:
            low, high = _signed(pattern[p]), _signed(pattern[p + 2])
            if low > high:
                low, high = high, low
            if low <= _signed(char) <= high:
                matched = True
            p += 2
        elif pattern[p] == char:
            matched = True
        p += 1
    return matched != negate, p + 1


def glob_match(pattern: bytes, subject: bytes, nocase: bool = False) -> bool:
    if nocase:
        pattern, subject = pattern.lower(), subject.lower()
    plen, slen = len(pattern), len(subject)
    if slen == 0:
        return plen == 0
    p = s = 0
    star_p = -1  # index just after the last star group seen, and where its match would resume
    star_s = 0
    stars = 0
    while s < slen:
        if p < plen:
            char = pattern[p]
            if char == _STAR:
                while p + 1 < plen and pattern[p + 1] == _STAR:
                    p += 1
                if p + 1 == plen:
                    return True
                stars += 1
                if stars > MAX_STAR_DEPTH:
                    return False
                p += 1
                star_p, star_s = p, s
                continue
            if char == _QUESTION:
                matched, after = True, p + 1
            elif char == _OPEN:
                matched, after = _match_set(pattern, p, subject[s])
            else:
                if char == _BACKSLASH and p + 1 < plen:
                    p += 1
                    char = pattern[p]
                matched, after = char == subject[s], p + 1
            if matched:
                p = after
                s += 1
                continue
        # Mismatch (or pattern used up with subject left): let the last star absorb one more byte.
        # The rest after a star is only ever tried against a non-empty remainder, as in Redis.
        if star_p < 0 or star_s + 1 >= slen:
            return False
        star_s += 1
        s, p = star_s, star_p
    while p < plen and pattern[p] == _STAR:
        p += 1
    return p == plen
