"""The one glob matcher, with Redis's exact semantics (util.c stringmatchlen).

Used by KEYS, SCAN MATCH, CONFIG GET, COMMAND LIST FILTERBY PATTERN, PUBSUB CHANNELS and pattern
subscriptions. Rules: ``*`` any run (also empty), ``?`` one byte, ``[abc]`` a set, ``[^a]`` a negated
set, ``[a-z]`` a range (reversed bounds are swapped), ``\\x`` the literal x (inside sets too). A
pattern that ends inside a set, or with a lone backslash, still matches as Redis's does: an
unterminated set ends at the pattern's end, and a trailing backslash matches a backslash.
"""

from __future__ import annotations


def glob_match(pattern: bytes, subject: bytes, nocase: bool = False) -> bool:
    if nocase:
        pattern, subject = pattern.lower(), subject.lower()
    return _match(pattern, 0, subject, 0, 0)


def _match(pattern: bytes, p: int, subject: bytes, s: int, depth: int) -> bool:
    plen, slen = len(pattern), len(subject)
    while p < plen and s < slen:
        char = pattern[p]
        if char == 0x2A:  # '*'
            while p + 1 < plen and pattern[p + 1] == 0x2A:
                p += 1
            if p + 1 == plen:
                return True
            if depth > 1000:  # Redis bounds the recursion too (nesting > 1000 fails the match)
                return False
            for start in range(s, slen + 1):
                if _match(pattern, p + 1, subject, start, depth + 1):
                    return True
            return False
        if char == 0x3F:  # '?'
            s += 1
            p += 1
            continue
        if char == 0x5B:  # '['
            p += 1
            negate = p < plen and pattern[p] == 0x5E
            if negate:
                p += 1
            matched = False
            target = subject[s]
            while True:
                if p >= plen:
                    p -= 1  # unterminated set: Redis treats the pattern's end as the set's end
                    break
                if pattern[p] == 0x5C and p + 2 <= plen - 1 + 1 and p + 1 < plen:  # '\' escape inside set
                    p += 1
                    if pattern[p] == target:
                        matched = True
                elif pattern[p] == 0x5D:  # ']'
                    break
                elif p + 2 < plen and pattern[p + 1] == 0x2D:  # range a-z
                    low, high = pattern[p], pattern[p + 2]
                    if low > high:
                        low, high = high, low
                    p += 2
                    if low <= target <= high:
                        matched = True
                elif pattern[p] == target:
                    matched = True
                p += 1
            if negate:
                matched = not matched
            if not matched:
                return False
            s += 1
            p += 1
            continue
        if char == 0x5C and p + 1 < plen:  # '\' escape
            p += 1
            char = pattern[p]
        if char != subject[s]:
            return False
        s += 1
        p += 1
    if s == slen:
        while p < plen and pattern[p] == 0x2A:
            p += 1
        return p == plen
    return False
