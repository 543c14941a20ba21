"""WRONGTYPE, in Redis 7.0's order of checks, for every served command that takes a key.

The list of commands comes from the command table (``TABLE.all_specs()``: a first key position or
movable keys). Each command has argument templates below: one with valid arguments, and for many
a variant with a bad argument too, which pins whether Redis parses that argument before or after it
looks at the key's type (``INCRBY K x`` on a list is "not an integer", ``LPOS K a RANK 0`` on a
string is "RANK can't be zero"...). ``K`` is the key under test; ``o1``/``o2`` are other keys, made
of the right type by the template's setup where the case needs it. Every template runs with ``K``
of each of the six types (the right type included, so the normal reply is compared as well), in
RESP2 and RESP3, and the touched keys are compared afterwards.

A test fails when a served keyed command has no template and is not in ``NOT_TEMPLATED`` with its
reason, so a newly registered command cannot go untested.

Pinned Redis 7.0 behaviour: MGET answers nil for a key of another type; SET, SETEX, PSETEX, MSET
and the *STORE destinations overwrite any type (SET ... GET does check); ZUNION/ZINTER/ZDIFF and
their STORE forms accept sets as inputs. Argument errors that come before WRONGTYPE: INCRBY/DECRBY/
HINCRBY/HINCRBYFLOAT/ZINCRBY numbers, GETRANGE/LTRIM/LREM/ZREMRANGEBYRANK integers, score and lex
ranges, every COUNT/LIMIT/RANK/timeout, *SCAN cursors, syntax errors of LINSERT/LMOVE/LMPOP/ZMPOP/
GETEX/XTRIM, XADD/XTRIM/XREAD/XREADGROUP/XPENDING numbers, XSETID and XREVRANGE end IDs.
WRONGTYPE comes first for: INCRBYFLOAT's increment (unlike INCRBY), LINDEX/LSET indexes, GETEX EX's
number, SETRANGE's size limit, *SCAN COUNT/MATCH options, XDEL/XREAD/XGROUP CREATE IDs,
XCLAIM's min-idle-time (unlike XAUTOCLAIM's), ZUNION/ZINTER WEIGHTS and AGGREGATE, ZINTERCARD LIMIT.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from conformance.harness import Pair
from miniredis.commands import load_commands
from miniredis.commands.registry import TABLE

Cmd = tuple[str, ...]


@dataclass(frozen=True)
class Template:
    argv: Cmd
    setup: tuple[Cmd, ...] = field(default=())

    @property
    def id(self) -> str:
        return " ".join(self.argv)


def t(line: str, *setup: str) -> Template:
    """A template from a space-separated line (no empty arguments) and setup lines."""
    return Template(tuple(line.split()), tuple(tuple(each.split()) for each in setup))


# The key under test, as each of the six types (single-element values keep replies deterministic).
VALUES: dict[str, Cmd] = {
    "string": ("SET", "K", "v"),
    "list": ("RPUSH", "K", "a"),
    "hash": ("HSET", "K", "f", "v"),
    "set": ("SADD", "K", "a"),
    "zset": ("ZADD", "K", "1", "a"),
    "stream": ("XADD", "K", "1-1", "f", "v"),
}

O1_SET, O1_LIST, O1_ZSET, O1_STR = "SADD o1 a", "RPUSH o1 a", "ZADD o1 1 a", "SET o1 v"

TEMPLATES: dict[str, list[Template]] = {
    # strings
    "get": [t("GET K")],
    "set": [t("SET K v"), t("SET K v GET"), t("SET K v NX GET"), t("SET K v XX GET"), t("SET K v EX x GET"),
            t("SET K v KEEPTTL GET")],
    "setnx": [t("SETNX K v")],
    "setex": [t("SETEX K 10 v"), t("SETEX K x v")],
    "psetex": [t("PSETEX K 10000 v")],
    "getset": [t("GETSET K v")],
    "getdel": [t("GETDEL K")],
    "getex": [t("GETEX K"), t("GETEX K EX 10"), t("GETEX K EX x"), t("GETEX K PERSIST"), t("GETEX K BAD")],
    "mget": [t("MGET K o1", O1_STR)],
    "mset": [t("MSET K v o1 w")],
    "msetnx": [t("MSETNX o1 v K w"), t("MSETNX K w")],
    "append": [t("APPEND K x")],
    "strlen": [t("STRLEN K")],
    "getrange": [t("GETRANGE K 0 -1"), t("GETRANGE K x 1")],
    "substr": [t("SUBSTR K 0 -1"), t("SUBSTR K 0 x")],
    "setrange": [t("SETRANGE K 0 x"), t("SETRANGE K -1 x"), t("SETRANGE K x x"), t("SETRANGE K 536870912 x")],
    "lcs": [t("LCS K o1", O1_STR), t("LCS o1 K", O1_STR), t("LCS K o1 LEN IDX"), t("LCS K o1 BAD")],
    "incr": [t("INCR K")],
    "decr": [t("DECR K")],
    "incrby": [t("INCRBY K 1"), t("INCRBY K x")],
    "decrby": [t("DECRBY K 1"), t("DECRBY K x")],
    "incrbyfloat": [t("INCRBYFLOAT K 1.5"), t("INCRBYFLOAT K x")],
    # bitmaps, HyperLogLog, geo (templated ahead: they run once served)
    "getbit": [t("GETBIT K 0"), t("GETBIT K x")],
    "setbit": [t("SETBIT K 0 1"), t("SETBIT K x 1"), t("SETBIT K 0 2")],
    "bitcount": [t("BITCOUNT K"), t("BITCOUNT K 0 -1 BIT"), t("BITCOUNT K x 1")],
    "bitpos": [t("BITPOS K 1"), t("BITPOS K 2")],
    "bitop": [t("BITOP AND o1 K"), t("BITOP NOT o1 K"), t("BITOP BAD o1 K")],
    "bitfield": [t("BITFIELD K GET u8 0"), t("BITFIELD K GET x 0"), t("BITFIELD K SET u8 0 1")],
    "bitfield_ro": [t("BITFIELD_RO K GET u8 0"), t("BITFIELD_RO K GET x 0")],
    "pfadd": [t("PFADD K a"), t("PFADD K")],
    "pfcount": [t("PFCOUNT K"), t("PFCOUNT o1 K")],
    "pfmerge": [t("PFMERGE o1 K"), t("PFMERGE K")],
    "geoadd": [t("GEOADD K 1 1 m"), t("GEOADD K x 1 m"), t("GEOADD K 1 1")],
    "geodist": [t("GEODIST K a b"), t("GEODIST K a b xx")],
    "geohash": [t("GEOHASH K a")],
    "geopos": [t("GEOPOS K a")],
    "georadius": [t("GEORADIUS K 0 0 1 km"), t("GEORADIUS K x 0 1 km"), t("GEORADIUS K 0 0 1 km STORE o1")],
    "georadius_ro": [t("GEORADIUS_RO K 0 0 1 km")],
    "georadiusbymember": [t("GEORADIUSBYMEMBER K a 1 km"), t("GEORADIUSBYMEMBER K a x km")],
    "georadiusbymember_ro": [t("GEORADIUSBYMEMBER_RO K a 1 km")],
    "geosearch": [t("GEOSEARCH K FROMLONLAT 0 0 BYRADIUS 1 km"), t("GEOSEARCH K FROMMEMBER a BYBOX 1 1 km")],
    "geosearchstore": [t("GEOSEARCHSTORE o1 K FROMLONLAT 0 0 BYRADIUS 1 km"),
                       t("GEOSEARCHSTORE K o1 FROMLONLAT 0 0 BYRADIUS 1 km", "GEOADD o1 0 0 m")],
    "sort": [t("SORT K"), t("SORT K ALPHA"), t("SORT K BY nosort"), t("SORT K LIMIT x 1"), t("SORT K STORE o1")],
    "sort_ro": [t("SORT_RO K"), t("SORT_RO K ALPHA")],
    # hashes
    "hset": [t("HSET K f v")],
    "hmset": [t("HMSET K f v")],
    "hsetnx": [t("HSETNX K f v"), t("HSETNX K g v")],
    "hget": [t("HGET K f")],
    "hmget": [t("HMGET K f g")],
    "hdel": [t("HDEL K f")],
    "hlen": [t("HLEN K")],
    "hstrlen": [t("HSTRLEN K f")],
    "hexists": [t("HEXISTS K f")],
    "hkeys": [t("HKEYS K")],
    "hvals": [t("HVALS K")],
    "hgetall": [t("HGETALL K")],
    "hincrby": [t("HINCRBY K f 1"), t("HINCRBY K n 1"), t("HINCRBY K f x")],
    "hincrbyfloat": [t("HINCRBYFLOAT K n 1.5"), t("HINCRBYFLOAT K f x")],
    "hrandfield": [t("HRANDFIELD K"), t("HRANDFIELD K 2 WITHVALUES"), t("HRANDFIELD K x"),
                   t("HRANDFIELD K 1 BAD")],
    "hscan": [t("HSCAN K 0"), t("HSCAN K x"), t("HSCAN K 0 COUNT 0"), t("HSCAN K 0 BAD")],
    # sets
    "sadd": [t("SADD K a")],
    "srem": [t("SREM K a")],
    "smembers": [t("SMEMBERS K")],
    "sismember": [t("SISMEMBER K a")],
    "smismember": [t("SMISMEMBER K a b")],
    "scard": [t("SCARD K")],
    "spop": [t("SPOP K"), t("SPOP K 2"), t("SPOP K -1"), t("SPOP K x")],
    "srandmember": [t("SRANDMEMBER K"), t("SRANDMEMBER K 2"), t("SRANDMEMBER K -2"), t("SRANDMEMBER K x")],
    "smove": [t("SMOVE K o1 a"), t("SMOVE o1 K a", O1_SET), t("SMOVE o1 K b", O1_SET)],
    "sinter": [t("SINTER K o1", O1_SET), t("SINTER o1 K", O1_SET), t("SINTER o2 K")],
    "sinterstore": [t("SINTERSTORE o2 K o1", O1_SET), t("SINTERSTORE K o1", O1_SET), t("SINTERSTORE o2 o1 K")],
    "sunion": [t("SUNION K o1", O1_SET), t("SUNION o1 K", O1_SET)],
    "sunionstore": [t("SUNIONSTORE o2 K o1", O1_SET), t("SUNIONSTORE K o1", O1_SET)],
    "sdiff": [t("SDIFF K o1", O1_SET), t("SDIFF o1 K", O1_SET), t("SDIFF o2 K")],
    "sdiffstore": [t("SDIFFSTORE o2 K o1", O1_SET), t("SDIFFSTORE K o1", O1_SET), t("SDIFFSTORE o2 o1 K")],
    "sintercard": [t("SINTERCARD 2 K o1", O1_SET), t("SINTERCARD 2 o2 K"), t("SINTERCARD 1 K LIMIT x"),
                   t("SINTERCARD 1 K LIMIT -1")],
    "sscan": [t("SSCAN K 0"), t("SSCAN K x"), t("SSCAN K 0 MATCH *")],
    # lists
    "lpush": [t("LPUSH K a")],
    "rpush": [t("RPUSH K a")],
    "lpushx": [t("LPUSHX K a")],
    "rpushx": [t("RPUSHX K a")],
    "lpop": [t("LPOP K"), t("LPOP K 2"), t("LPOP K x"), t("LPOP K 0")],
    "rpop": [t("RPOP K"), t("RPOP K -1")],
    "llen": [t("LLEN K")],
    "lrange": [t("LRANGE K 0 -1"), t("LRANGE K x 1")],
    "lindex": [t("LINDEX K 0"), t("LINDEX K x")],
    "lpos": [t("LPOS K a"), t("LPOS K a RANK 0"), t("LPOS K a COUNT x"), t("LPOS K a BAD 1")],
    "lset": [t("LSET K 0 b"), t("LSET K x b"), t("LSET K 5 b")],
    "linsert": [t("LINSERT K BEFORE a b"), t("LINSERT K MIDDLE a b")],
    "lrem": [t("LREM K 0 a"), t("LREM K x a")],
    "ltrim": [t("LTRIM K 0 -1"), t("LTRIM K x 1")],
    "lmove": [t("LMOVE K o1 LEFT RIGHT"), t("LMOVE o1 K LEFT RIGHT", O1_LIST), t("LMOVE K o1 UP RIGHT"),
              t("LMOVE o2 K LEFT RIGHT")],
    "rpoplpush": [t("RPOPLPUSH K o1"), t("RPOPLPUSH o1 K", O1_LIST)],
    "blmove": [t("BLMOVE K o1 LEFT RIGHT 0.01"), t("BLMOVE o1 K LEFT RIGHT 0.01", O1_LIST),
               t("BLMOVE K o1 LEFT RIGHT x")],
    "brpoplpush": [t("BRPOPLPUSH K o1 0.01"), t("BRPOPLPUSH o1 K 0.01", O1_LIST), t("BRPOPLPUSH K o1 -1")],
    "lmpop": [t("LMPOP 1 K LEFT"), t("LMPOP 2 o1 K LEFT"), t("LMPOP 2 K o1 RIGHT", O1_LIST),
              t("LMPOP 1 K MIDDLE"), t("LMPOP 1 K LEFT COUNT 0")],
    "blmpop": [t("BLMPOP 0.01 1 K LEFT"), t("BLMPOP 0.01 2 o1 K LEFT"), t("BLMPOP x 1 K LEFT")],
    "blpop": [t("BLPOP K 0.01"), t("BLPOP o1 K 0.01"), t("BLPOP K o1 0.01", O1_LIST), t("BLPOP K x")],
    "brpop": [t("BRPOP K 0.01"), t("BRPOP o1 K 0.01")],
    # sorted sets
    "zadd": [t("ZADD K 1 a"), t("ZADD K x a"), t("ZADD K NX XX 1 a"), t("ZADD K INCR 1 a")],
    "zincrby": [t("ZINCRBY K 1 a"), t("ZINCRBY K x a")],
    "zrem": [t("ZREM K a")],
    "zcard": [t("ZCARD K")],
    "zscore": [t("ZSCORE K a")],
    "zmscore": [t("ZMSCORE K a b")],
    "zrank": [t("ZRANK K a")],
    "zrevrank": [t("ZREVRANK K a")],
    "zcount": [t("ZCOUNT K -inf +inf"), t("ZCOUNT K x 1")],
    "zlexcount": [t("ZLEXCOUNT K - +"), t("ZLEXCOUNT K x +")],
    "zpopmin": [t("ZPOPMIN K"), t("ZPOPMIN K 2"), t("ZPOPMIN K x"), t("ZPOPMIN K -1")],
    "zpopmax": [t("ZPOPMAX K"), t("ZPOPMAX K x")],
    "zmpop": [t("ZMPOP 1 K MIN"), t("ZMPOP 2 o1 K MAX"), t("ZMPOP 1 K MIDDLE"), t("ZMPOP 1 K MIN COUNT 0")],
    "bzmpop": [t("BZMPOP 0.01 1 K MIN"), t("BZMPOP 0.01 2 o1 K MAX")],
    "bzpopmin": [t("BZPOPMIN K 0.01"), t("BZPOPMIN o1 K 0.01"), t("BZPOPMIN K x")],
    "bzpopmax": [t("BZPOPMAX K 0.01"), t("BZPOPMAX K o1 0.01", O1_ZSET)],
    "zrandmember": [t("ZRANDMEMBER K"), t("ZRANDMEMBER K 2 WITHSCORES"), t("ZRANDMEMBER K x")],
    "zscan": [t("ZSCAN K 0"), t("ZSCAN K x")],
    "zrange": [t("ZRANGE K 0 -1"), t("ZRANGE K 0 -1 WITHSCORES"), t("ZRANGE K -inf +inf BYSCORE"),
               t("ZRANGE K x 1"), t("ZRANGE K - + BYLEX"), t("ZRANGE K 0 -1 LIMIT 0 1")],
    "zrangestore": [t("ZRANGESTORE o1 K 0 -1"), t("ZRANGESTORE K o1 0 -1", O1_ZSET), t("ZRANGESTORE o1 K x 1")],
    "zrevrange": [t("ZREVRANGE K 0 -1"), t("ZREVRANGE K 0 -1 WITHSCORES")],
    "zrangebyscore": [t("ZRANGEBYSCORE K -inf +inf"), t("ZRANGEBYSCORE K x 1"),
                      t("ZRANGEBYSCORE K -inf +inf LIMIT x 1")],
    "zrevrangebyscore": [t("ZREVRANGEBYSCORE K +inf -inf WITHSCORES")],
    "zrangebylex": [t("ZRANGEBYLEX K - +"), t("ZRANGEBYLEX K x +")],
    "zrevrangebylex": [t("ZREVRANGEBYLEX K + -"), t("ZREVRANGEBYLEX K + x")],
    "zremrangebyrank": [t("ZREMRANGEBYRANK K 0 -1"), t("ZREMRANGEBYRANK K x 1")],
    "zremrangebyscore": [t("ZREMRANGEBYSCORE K -inf +inf"), t("ZREMRANGEBYSCORE K x 1")],
    "zremrangebylex": [t("ZREMRANGEBYLEX K - +"), t("ZREMRANGEBYLEX K x +")],
    "zunion": [t("ZUNION 2 K o1", O1_ZSET), t("ZUNION 2 o1 K WITHSCORES", O1_ZSET), t("ZUNION 1 K WEIGHTS x")],
    "zinter": [t("ZINTER 2 K o1", O1_ZSET), t("ZINTER 2 o2 K"), t("ZINTER 1 K AGGREGATE BAD")],
    "zdiff": [t("ZDIFF 2 K o1", O1_ZSET), t("ZDIFF 2 o1 K", O1_ZSET), t("ZDIFF 2 o2 K")],
    "zunionstore": [t("ZUNIONSTORE o2 2 K o1", O1_ZSET), t("ZUNIONSTORE K 1 o1", O1_ZSET),
                    t("ZUNIONSTORE o2 1 K WEIGHTS x")],
    "zinterstore": [t("ZINTERSTORE o2 2 K o1", O1_ZSET), t("ZINTERSTORE K 1 o1", O1_ZSET)],
    "zdiffstore": [t("ZDIFFSTORE o2 2 K o1", O1_ZSET), t("ZDIFFSTORE o2 2 o1 K", O1_ZSET)],
    "zintercard": [t("ZINTERCARD 2 K o1", O1_ZSET), t("ZINTERCARD 1 K LIMIT x")],
    # streams
    "xadd": [t("XADD K 9-9 f v"), t("XADD K MAXLEN x 9-9 f v"), t("XADD K 0-0 f v"), t("XADD K NOMKSTREAM 9-9 f v")],
    "xtrim": [t("XTRIM K MAXLEN 0"), t("XTRIM K MAXLEN x"), t("XTRIM K BAD 0")],
    "xdel": [t("XDEL K 1-1"), t("XDEL K x")],
    "xlen": [t("XLEN K")],
    "xsetid": [t("XSETID K 9-9"), t("XSETID K x")],
    "xrange": [t("XRANGE K - +"), t("XRANGE K x +"), t("XRANGE K - + COUNT x")],
    "xrevrange": [t("XREVRANGE K + -"), t("XREVRANGE K + x")],
    "xread": [t("XREAD STREAMS K 0"), t("XREAD COUNT x STREAMS K 0"), t("XREAD STREAMS K x"),
              t("XREAD BLOCK 10 STREAMS o1 K 0 0"), t("XREAD STREAMS K $")],
    "xinfo|stream": [t("XINFO STREAM K"), t("XINFO STREAM K FULL")],
    "xinfo|groups": [t("XINFO GROUPS K")],
    "xinfo|consumers": [t("XINFO CONSUMERS K g")],
    "xgroup|create": [t("XGROUP CREATE K g 0"), t("XGROUP CREATE K g 0 MKSTREAM"), t("XGROUP CREATE K g x")],
    "xgroup|setid": [t("XGROUP SETID K g 0"), t("XGROUP SETID K g x")],
    "xgroup|destroy": [t("XGROUP DESTROY K g")],
    "xgroup|createconsumer": [t("XGROUP CREATECONSUMER K g c")],
    "xgroup|delconsumer": [t("XGROUP DELCONSUMER K g c")],
    "xreadgroup": [t("XREADGROUP GROUP g c STREAMS K >"), t("XREADGROUP GROUP g c COUNT x STREAMS K >"),
                   t("XREADGROUP GROUP g c BLOCK 10 STREAMS K >")],
    "xack": [t("XACK K g 1-1"), t("XACK K g x")],
    "xpending": [t("XPENDING K g"), t("XPENDING K g - + x")],
    "xclaim": [t("XCLAIM K g c 0 1-1"), t("XCLAIM K g c x 1-1")],
    "xautoclaim": [t("XAUTOCLAIM K g c 0 0"), t("XAUTOCLAIM K g c x 0")],
}

# Commands that take a key but are not templated here, with the reason.
NOT_TEMPLATED: dict[str, str] = {
    **{name: "accepts a key of every type (generic keyspace command): no WRONGTYPE to compare" for name in (
        "del", "unlink", "exists", "type", "touch", "rename", "renamenx", "copy", "move", "expire", "pexpire",
        "expireat", "pexpireat", "persist", "ttl", "pttl", "expiretime", "pexpiretime", "dump", "restore",
        "object|encoding", "object|refcount", "object|idletime", "object|freq", "memory|usage", "watch",
    )},
    **{name: "its keys are shard channels, not keyspace keys" for name in ("ssubscribe", "sunsubscribe", "spublish")},
    **{name: "keys are handed to a script: the command itself checks no type" for name in (
        "eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro")},
    "migrate": "talks to another server",
    "restore-asking": "cluster-only (ASKING)",
    "pfdebug": "admin debugging command with internal encodings",
}

Compare = Callable[[bytes, bytes], bool] | None


def _served_keyed() -> list[str]:
    load_commands()
    return sorted(
        spec.name for spec in TABLE.all_specs()
        if spec.handler is not None and (spec.first_key > 0 or spec.movablekeys)
    )


SERVED = _served_keyed()

CASES = [
    pytest.param(template, id=f"{name}:{template.id}")
    for name in SERVED
    for template in TEMPLATES.get(name, [])
]


def test_every_served_keyed_command_is_templated_or_excused() -> None:
    missing = [name for name in SERVED if name not in TEMPLATES and name not in NOT_TEMPLATED]
    assert not missing, f"add WRONGTYPE templates (or a reason in NOT_TEMPLATED) for: {missing}"


def test_templates_name_real_commands() -> None:
    from miniredis.commands.registry import _RAW_TABLE

    assert not [name for name in [*TEMPLATES, *NOT_TEMPLATED] if name not in _RAW_TABLE]


@pytest.mark.parametrize("template", CASES)
def test_wrongtype(pairs: Pair, template: Template) -> None:
    for kind, make in VALUES.items():
        pairs.check("DEL", "K", "o1", "o2")
        for argv in template.setup:
            pairs.check(*argv)
        pairs.check(*make)
        real, mini = pairs.both(*template.argv)
        assert real == mini, f"{template.id} with K a {kind}\n real: {real!r}\n mini: {mini!r}"
        pairs.state("K", "o1", "o2")
