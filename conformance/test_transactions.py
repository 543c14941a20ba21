"""MULTI/EXEC/DISCARD/WATCH/UNWATCH against real Redis 7.0, byte for byte, in RESP2 and RESP3.

One-client cases cover every reply and error of the transaction commands: nested MULTI, EXEC and
DISCARD without MULTI, WATCH inside MULTI (an error that does not abort), queue-time rejections
(unknown command or subcommand, arity; EXEC itself with extra arguments) that make EXEC reply
EXECABORT, runtime errors returned inside the EXEC array, RESP3 reply types inside EXEC, HELLO and
SUBSCRIBE run inside EXEC, blocking commands inside MULTI (they answer like a timeout).

Two-client cases (``pair_factory``) pin where Redis 7.0 breaks WATCH: one pair WATCHes, another
pair writes, then the first runs ``MULTI / PING / EXEC`` and gets a null array (broken) or
``[PONG]``. The expected outcome is asserted on real Redis too, so each case documents Redis.

Pinned Redis 7.0 behaviour (surprises included):
- every write that "touches" the key breaks WATCH even when it changes nothing: SET to the same
  value, HSET of the same value, ZADD of the same score, LTRIM keeping everything, INCRBY 0...
- a write that does nothing by its own rule does not: SADD of an existing member, SREM/HDEL/ZREM
  of a missing member, SETNX/HSETNX on existing, SET NX/XX refused, LPUSHX/RPUSHX on a missing key,
  LINSERT with a missing pivot, LREM with no match, XDEL of a missing ID, DEL of a missing key,
  EXPIRE of a missing key, PERSIST without TTL, RENAMENX refused;
- FLUSHDB/FLUSHALL break WATCH only on keys that existed; SWAPDB breaks it when the key exists in
  either of the swapped dbs;
- a watched key whose TTL passes before EXEC breaks it even if nobody touched it, but a key that was
  already logically expired when WATCHed does not (7.0's isWatchedKeyExpired rule);
- ZINCRBY by 0 (score unchanged) and ZADD of the same score do not break it (no update happened);
- no stream consumer-group command breaks WATCH in 7.0.15 (XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/
  DELCONSUMER, XREADGROUP, XACK, XCLAIM, XAUTOCLAIM), nor does XSETID; XADD, XDEL, XTRIM do;
- a queue-time rejection wins over a broken WATCH (EXECABORT, not a null array).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from conformance.harness import Arg, Pair, encode_command

Factory = Callable[..., Pair]
Cmd = tuple[Arg, ...]


def null_array(protocol: int) -> bytes:
    return b"*-1\r\n" if protocol == 2 else b"_\r\n"


def is_served(pair: Pair, name: str) -> bool:
    """Whether miniredis serves ``name`` (COMMAND INFO answers a null for an unknown command)."""
    return pair.mini.send("COMMAND", "INFO", name) not in (b"*1\r\n$-1\r\n", b"*1\r\n_\r\n")


# --- one client -------------------------------------------------------------------------------------

def test_basic_exec_replies(pairs: Pair) -> None:
    pairs.check("MULTI")
    pairs.check("SET", "a", "1")
    pairs.check("INCR", "a")
    pairs.check("GET", "a")
    pairs.check("GET", "missing")
    pairs.check("LPUSH", "l", "x", "y")
    pairs.check("LRANGE", "l", 0, -1)
    assert pairs.check("EXEC").startswith(b"*6\r\n")
    pairs.state("a", "l")


def test_empty_transaction(pairs: Pair) -> None:
    pairs.check("MULTI")
    assert pairs.check("EXEC") == b"*0\r\n"
    pairs.check("MULTI")
    pairs.check("DISCARD")
    pairs.check("EXEC")


def test_errors_outside_multi(pairs: Pair) -> None:
    assert pairs.check("EXEC") == b"-ERR EXEC without MULTI\r\n"
    assert pairs.check("DISCARD") == b"-ERR DISCARD without MULTI\r\n"
    pairs.check("UNWATCH")
    pairs.check("WATCH")  # arity
    pairs.check("MULTI", "extra")
    pairs.check("DISCARD", "extra")
    pairs.check("UNWATCH", "extra")
    # EXEC with extra arguments, outside MULTI too, is answered as a rejected EXEC
    assert pairs.check("EXEC", "extra").startswith(b"-EXECABORT Transaction discarded because of: wrong number")


def test_nested_multi_is_an_error_that_does_not_abort(pairs: Pair) -> None:
    pairs.check("MULTI")
    assert pairs.check("MULTI") == b"-ERR MULTI calls can not be nested\r\n"
    pairs.check("SET", "a", "1")
    assert pairs.check("EXEC") == b"*1\r\n+OK\r\n"
    pairs.state("a")


def test_watch_inside_multi_is_an_error_that_does_not_abort(pairs: Pair) -> None:
    pairs.check("MULTI")
    assert pairs.check("WATCH", "k") == b"-ERR WATCH inside MULTI is not allowed\r\n"
    pairs.check("SET", "a", "1")
    pairs.check("UNWATCH")  # queued, and a no-op inside EXEC
    pairs.check("EXEC")
    pairs.state("a")


@pytest.mark.parametrize("rejected", [
    ("NOSUCHCOMMAND", "a", "b"),
    ("GET",),
    ("SET", "a"),
    ("GET", "a", "b"),
    ("OBJECT", "nosuchsub", "k"),
    ("CONFIG", "nosuchsub"),
    ("CLIENT", "nosuchsub"),
    ("XGROUP", "nosuchsub"),
    ("WATCH",),
    ("MULTI", "x"),
], ids=lambda argv: " ".join(str(a) for a in argv))
def test_queue_time_rejection_aborts_exec(pairs: Pair, rejected: Cmd) -> None:
    pairs.check("MULTI")
    pairs.check("SET", "a", "1")
    assert pairs.check(*rejected).startswith(b"-ERR")
    pairs.check("SET", "b", "2")
    assert pairs.check("EXEC") == (
        b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    )
    pairs.check("EXEC")  # the transaction is gone
    pairs.state("a", "b")


def test_exec_arity_error_inside_multi_discards(pairs: Pair) -> None:
    pairs.check("MULTI")
    pairs.check("SET", "a", "1")
    assert pairs.check("EXEC", "now") == (
        b"-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"
    )
    pairs.check("EXEC")
    pairs.check("GET", "a")


def test_discard_arity_error_inside_multi_marks_the_transaction(pairs: Pair) -> None:
    pairs.check("MULTI")
    pairs.check("SET", "a", "1")
    pairs.check("DISCARD", "now")
    pairs.check("EXEC")
    pairs.check("GET", "a")


def test_runtime_errors_are_returned_inside_exec(pairs: Pair) -> None:
    pairs.check("SET", "s", "abc")
    pairs.check("LPUSH", "l", "x")
    pairs.check("MULTI")
    for argv in [
        ("INCR", "s"),
        ("LPUSH", "s", "x"),
        ("GET", "l"),
        ("SET", "a", "1", "EX", "notanumber"),
        ("SET", "a", "1", "NX", "XX"),
        ("HSET", "h", "f", "v"),
        ("INCRBYFLOAT", "s", "1"),
        ("EXPIRE", "a", "10", "BADFLAG"),
        ("LINDEX", "l", "x"),
        ("XADD", "st", "0-0", "f", "v"),
        ("ZADD", "z", "nan", "m"),
        ("SET", "a", "2"),
    ]:
        pairs.check(*argv)
    pairs.check("EXEC")
    pairs.state("s", "l", "a", "h", "st", "z")


def test_exec_reply_types_in_resp3(pairs: Pair) -> None:
    pairs.check("HSET", "h", "f", "v")
    pairs.check("SADD", "set", "m")
    pairs.check("ZADD", "z", "1.5", "a", "2", "b")
    pairs.check("MULTI")
    for argv in [
        ("HGETALL", "h"),
        ("HGETALL", "nohash"),
        ("SMEMBERS", "set"),
        ("ZSCORE", "z", "a"),
        ("ZSCORE", "z", "nomember"),
        ("ZRANGE", "z", 0, -1, "WITHSCORES"),
        ("ZPOPMIN", "z"),
        ("ZINCRBY", "z", "0.25", "b"),
        ("INCRBYFLOAT", "n", "1.5"),
        ("GET", "missing"),
        ("LPOP", "nolist", 2),
        ("SMISMEMBER", "set", "m", "x"),
        ("HRANDFIELD", "h", 1, "WITHVALUES"),
        ("CONFIG", "GET", "maxmemory"),
        ("EXISTS", "h"),
        ("PING",),
        ("ECHO", "hi"),
    ]:
        pairs.check(*argv)
    pairs.check("EXEC")


@pytest.mark.parametrize("blocking", [
    ("BLPOP", "nolist", 0),
    ("BRPOP", "nolist", "other", 1),
    ("BLMOVE", "nolist", "dst", "LEFT", "RIGHT", 0),
    ("BRPOPLPUSH", "nolist", "dst", 0),
    ("BLMPOP", 0, 1, "nolist", "LEFT"),
    ("BZPOPMIN", "noz", 0),
    ("BZPOPMAX", "noz", 0),
    ("BZMPOP", 0, 1, "noz", "MIN"),
    ("XREAD", "BLOCK", 0, "STREAMS", "nostream", "$"),
    ("XREAD", "BLOCK", 0, "STREAMS", "st", "$"),
    ("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "st", ">"),
], ids=lambda argv: " ".join(str(a) for a in argv))
def test_blocking_commands_inside_multi_do_not_block(pairs: Pair, blocking: Cmd) -> None:
    pairs.check("XADD", "st", "1-1", "f", "v")
    pairs.check("XGROUP", "CREATE", "st", "g", "$")
    pairs.check("MULTI")
    pairs.check(*blocking)
    pairs.check("PING")
    pairs.check("EXEC")


def test_blocking_commands_inside_multi_serve_available_data(pairs: Pair) -> None:
    pairs.check("RPUSH", "l", "a", "b", "c")
    pairs.check("ZADD", "z", 1, "m", 2, "n")
    pairs.check("XADD", "st", "1-1", "f", "v")
    pairs.check("MULTI")
    pairs.check("BLPOP", "l", 0)
    pairs.check("BLMOVE", "l", "l2", "RIGHT", "LEFT", 0)
    pairs.check("BZPOPMAX", "z", 0)
    pairs.check("XREAD", "BLOCK", 0, "STREAMS", "st", "0")
    pairs.check("EXEC")
    pairs.state("l", "l2", "z")


def test_push_and_blocking_pop_in_one_transaction(pair_factory: Factory) -> None:
    for protocol in (2, 3):
        pair = pair_factory(protocol)
        pair.check("DEL", "l")
        pair.check("MULTI")
        pair.check("LPUSH", "l", "a")
        pair.check("BRPOP", "l", 0)
        pair.check("BRPOP", "l", 0)
        pair.check("EXEC")


def test_hello_inside_multi_switches_protocol_mid_exec(pair_factory: Factory) -> None:
    resp2 = pair_factory(2)
    resp2.check("HSET", "h", "f", "v")
    resp2.check("MULTI")
    resp2.check("HGETALL", "h")
    resp2.check("HELLO", "3")
    resp2.check("HGETALL", "h")
    resp2.check("GET", "missing")
    real, mini = resp2.both("EXEC")
    from conformance.harness import normalize_hello_id

    assert normalize_hello_id(real) == normalize_hello_id(mini), (real, mini)
    resp2.check("HGETALL", "h")  # the client stays in RESP3
    resp3 = pair_factory(3)
    resp3.check("MULTI")
    resp3.check("HGETALL", "h")
    resp3.check("HELLO", "2")
    resp3.check("HGETALL", "h")
    real, mini = resp3.both("EXEC")
    assert normalize_hello_id(real) == normalize_hello_id(mini), (real, mini)


def test_subscribe_inside_multi(pairs: Pair) -> None:
    pairs.check("SET", "a", "1")
    pairs.check("MULTI")
    pairs.check("SUBSCRIBE", "ch1", "ch2")
    pairs.check("GET", "a")  # runs inside EXEC although the client is then subscribed
    pairs.check("PSUBSCRIBE", "p*")
    pairs.check("UNSUBSCRIBE", "ch1")
    pairs.check("EXEC")
    pairs.check("PING")
    pairs.check("GET", "a")  # RESP2: refused in the pub/sub context now; RESP3: served
    pairs.check("RESET")


def test_reset_and_quit_inside_multi(pairs: Pair) -> None:
    pairs.check("WATCH", "k")
    pairs.check("MULTI")
    pairs.check("SET", "a", "1")
    pairs.check("RESET")
    pairs.check("EXEC")
    pairs.check("GET", "a")
    pairs.check("MULTI")
    pairs.check("SET", "a", "1")
    replies, closed = pairs.check_raw(encode_command(("QUIT",)))
    assert replies == [b"+OK\r\n"] and closed


def test_client_reply_and_select_inside_multi(pairs: Pair) -> None:
    pairs.check("MULTI")
    pairs.check("SELECT", 1)
    pairs.check("SET", "a", "db1")
    pairs.check("SELECT", 0)
    pairs.check("GET", "a")
    pairs.check("SELECT", 99)
    pairs.check("EXEC")
    pairs.check("SELECT", 1)
    pairs.check("GET", "a")


def test_own_write_after_watch_breaks_it(pairs: Pair) -> None:
    pairs.check("WATCH", "k")
    pairs.check("SET", "k", "mine")
    pairs.check("MULTI")
    pairs.check("PING")
    assert pairs.check("EXEC") == null_array(pairs.protocol)
    # EXEC (even a failed one) forgot the watched keys
    pairs.check("SET", "k", "again")
    pairs.check("MULTI")
    pairs.check("PING")
    assert pairs.check("EXEC").startswith(b"*1\r\n")


def test_writes_inside_the_transaction_do_not_break_it(pairs: Pair) -> None:
    pairs.check("WATCH", "k")
    pairs.check("MULTI")
    pairs.check("SET", "k", "1")
    pairs.check("DEL", "k")
    pairs.check("SET", "k", "2")
    assert pairs.check("EXEC").startswith(b"*3\r\n")
    pairs.state("k")


def _stats(pair: Pair) -> tuple[list[str], list[str]]:
    """INFO commandstats and errorstats of both servers: lines sorted (dict order), timings dropped."""
    import re

    from conformance.harness import decode_bulk

    def lines(raw: bytes) -> list[str]:
        text = decode_bulk(raw).decode()
        return sorted(re.sub(r"usec=\d+,usec_per_call=[\d.]+,", "", line) for line in text.splitlines()
                      if line and not line.startswith(("cmdstat_info", "cmdstat_config")))

    real_cmd, mini_cmd = pair.both("INFO", "commandstats")
    real_err, mini_err = pair.both("INFO", "errorstats")
    return lines(real_cmd) + lines(real_err), lines(mini_cmd) + lines(mini_err)


def test_commandstats_and_errorstats_of_transactions(pairs: Pair) -> None:
    pairs.check("CONFIG", "RESETSTAT")
    for argv in [("MULTI",), ("NOSUCH",), ("SET", "a", "1"), ("EXEC",), ("EXEC",), ("MULTI",), ("INCR", "a"),
                 ("LPUSH", "a", "x"), ("EXEC",), ("EXEC", "x"), ("MULTI",), ("MULTI",), ("WATCH", "k"),
                 ("DISCARD",)]:
        pairs.check(*argv)
    real, mini = _stats(pairs)
    assert real == mini
    # a rejected EXEC counts as rejected, a dirty one and EXEC without MULTI as failed
    assert "cmdstat_exec:calls=3,rejected_calls=1,failed_calls=2" in real
    assert "errorstat_EXECABORT:count=2" in real


def test_no_multi_commands_are_refused_in_multi(pairs: Pair) -> None:
    """SAVE, SHUTDOWN, SYNC and PSYNC are no_multi in 7.0; only those miniredis serves are compared."""
    served = [name for name in ("SAVE", "SYNC") if is_served(pairs, name)]
    pairs.check("MULTI")
    for name in served:
        assert pairs.check(name) == b"-ERR Command not allowed inside a transaction\r\n"
    pairs.check("EXEC")


# --- two clients: where WATCH breaks -----------------------------------------------------------------

# (id, setup, writes by another client, breaks WATCH on "k")
WATCH_CASES: list[tuple[str, list[Cmd], list[Cmd], bool]] = [
    # reads never break it
    ("reads", [("SET", "k", "v")], [("GET", "k"), ("EXISTS", "k"), ("TYPE", "k"), ("TTL", "k"), ("TOUCH", "k"),
                                    ("STRLEN", "k"), ("OBJECT", "ENCODING", "k")], False),
    ("other-key", [("SET", "k", "v")], [("SET", "other", "v"), ("DEL", "other2")], False),
    # strings
    ("set", [("SET", "k", "v")], [("SET", "k", "w")], True),
    ("set-same-value", [("SET", "k", "v")], [("SET", "k", "v")], True),
    ("set-creates", [], [("SET", "k", "v")], True),
    ("set-nx-refused", [("SET", "k", "v")], [("SET", "k", "w", "NX")], False),
    ("set-xx-refused", [], [("SET", "k", "w", "XX")], False),
    ("setnx-refused", [("SET", "k", "v")], [("SETNX", "k", "w")], False),
    ("msetnx-refused", [("SET", "k", "v")], [("MSETNX", "x", "1", "k", "w")], False),
    ("mset", [], [("MSET", "x", "1", "k", "w")], True),
    ("append-empty", [("SET", "k", "v")], [("APPEND", "k", "")], True),
    ("incrby-zero", [("SET", "k", "1")], [("INCRBY", "k", "0")], True),
    ("incrbyfloat", [("SET", "k", "1")], [("INCRBYFLOAT", "k", "0.5")], True),
    ("setrange-empty", [("SET", "k", "v")], [("SETRANGE", "k", "0", "")], False),
    ("setrange", [("SET", "k", "v")], [("SETRANGE", "k", "0", "w")], True),
    ("getset", [("SET", "k", "v")], [("GETSET", "k", "v")], True),
    ("getdel", [("SET", "k", "v")], [("GETDEL", "k")], True),
    ("getdel-missing", [], [("GETDEL", "k")], False),
    ("getex-plain", [("SET", "k", "v")], [("GETEX", "k")], False),
    ("getex-ex", [("SET", "k", "v")], [("GETEX", "k", "EX", "100")], True),
    ("getex-persist", [("SET", "k", "v", "EX", "100")], [("GETEX", "k", "PERSIST")], True),
    ("getex-persist-no-ttl", [("SET", "k", "v")], [("GETEX", "k", "PERSIST")], False),
    ("setex", [], [("SETEX", "k", "100", "v")], True),
    ("incr-wrongtype", [("LPUSH", "k", "x")], [("INCR", "k")], False),
    # hashes
    ("hset", [("HSET", "k", "f", "v")], [("HSET", "k", "g", "v")], True),
    ("hset-same-value", [("HSET", "k", "f", "v")], [("HSET", "k", "f", "v")], True),
    ("hsetnx-refused", [("HSET", "k", "f", "v")], [("HSETNX", "k", "f", "w")], False),
    ("hsetnx", [("HSET", "k", "f", "v")], [("HSETNX", "k", "g", "w")], True),
    ("hdel", [("HSET", "k", "f", "v", "g", "w")], [("HDEL", "k", "f")], True),
    ("hdel-missing", [("HSET", "k", "f", "v")], [("HDEL", "k", "nofield")], False),
    ("hdel-last", [("HSET", "k", "f", "v")], [("HDEL", "k", "f")], True),
    ("hincrby-zero", [("HSET", "k", "f", "1")], [("HINCRBY", "k", "f", "0")], True),
    ("hincrbyfloat", [("HSET", "k", "f", "1")], [("HINCRBYFLOAT", "k", "f", "1")], True),
    ("hmset", [], [("HMSET", "k", "f", "v")], True),
    ("hash-reads", [("HSET", "k", "f", "v")], [("HGETALL", "k"), ("HGET", "k", "f"), ("HSCAN", "k", "0"),
                                               ("HRANDFIELD", "k")], False),
    # sets
    ("sadd", [("SADD", "k", "a")], [("SADD", "k", "b")], True),
    ("sadd-existing", [("SADD", "k", "a")], [("SADD", "k", "a")], False),
    ("srem", [("SADD", "k", "a", "b")], [("SREM", "k", "a")], True),
    ("srem-missing", [("SADD", "k", "a")], [("SREM", "k", "x")], False),
    ("spop", [("SADD", "k", "a")], [("SPOP", "k")], True),
    ("spop-count-zero", [("SADD", "k", "a")], [("SPOP", "k", "0")], False),
    ("smove-into", [("SADD", "k", "a"), ("SADD", "src", "b")], [("SMOVE", "src", "k", "b")], True),
    ("smove-out", [("SADD", "k", "a", "b")], [("SMOVE", "k", "dst", "a")], True),
    ("smove-missing-member", [("SADD", "k", "a")], [("SMOVE", "k", "dst", "x")], False),
    ("sinterstore-dest", [("SADD", "k", "a"), ("SADD", "s1", "b")], [("SINTERSTORE", "k", "s1")], True),
    ("sinterstore-empty-over-missing", [], [("SINTERSTORE", "k", "nokey")], False),
    ("sinterstore-empty-over-existing", [("SADD", "k", "a")], [("SINTERSTORE", "k", "nokey")], True),
    ("sunionstore", [], [("SADD", "s1", "x"), ("SUNIONSTORE", "k", "s1")], True),
    ("sdiffstore", [("SADD", "k", "a")], [("SDIFFSTORE", "k", "k")], True),
    ("set-reads", [("SADD", "k", "a")], [("SMEMBERS", "k"), ("SISMEMBER", "k", "a"), ("SRANDMEMBER", "k"),
                                         ("SINTER", "k"), ("SCARD", "k")], False),
    # lists
    ("lpush", [("RPUSH", "k", "a")], [("LPUSH", "k", "b")], True),
    ("rpush-creates", [], [("RPUSH", "k", "a")], True),
    ("lpushx-missing", [], [("LPUSHX", "k", "a")], False),
    ("rpushx", [("RPUSH", "k", "a")], [("RPUSHX", "k", "b")], True),
    ("lpop", [("RPUSH", "k", "a", "b")], [("LPOP", "k")], True),
    ("rpop-last", [("RPUSH", "k", "a")], [("RPOP", "k")], True),
    ("lpop-count-zero", [("RPUSH", "k", "a")], [("LPOP", "k", "0")], False),
    ("lset-same", [("RPUSH", "k", "a")], [("LSET", "k", "0", "a")], True),
    ("linsert", [("RPUSH", "k", "a")], [("LINSERT", "k", "BEFORE", "a", "b")], True),
    ("linsert-no-pivot", [("RPUSH", "k", "a")], [("LINSERT", "k", "BEFORE", "x", "b")], False),
    ("lrem", [("RPUSH", "k", "a", "b")], [("LREM", "k", "0", "a")], True),
    ("lrem-no-match", [("RPUSH", "k", "a")], [("LREM", "k", "0", "x")], False),
    ("ltrim-keeps-all", [("RPUSH", "k", "a", "b")], [("LTRIM", "k", "0", "-1")], True),
    ("ltrim-missing", [], [("LTRIM", "k", "0", "-1")], False),
    ("lmove-rotate", [("RPUSH", "k", "a", "b")], [("LMOVE", "k", "k", "LEFT", "RIGHT")], True),
    ("rpoplpush-into", [("RPUSH", "src", "x")], [("RPOPLPUSH", "src", "k")], True),
    ("lmpop", [("RPUSH", "k", "a", "b")], [("LMPOP", "1", "k", "LEFT")], True),
    ("list-reads", [("RPUSH", "k", "a")], [("LRANGE", "k", "0", "-1"), ("LINDEX", "k", "0"),
                                          ("LPOS", "k", "a"), ("LLEN", "k")], False),
    # sorted sets
    ("zadd", [("ZADD", "k", "1", "a")], [("ZADD", "k", "2", "b")], True),
    ("zadd-same-score", [("ZADD", "k", "1", "a")], [("ZADD", "k", "1", "a")], False),
    ("zadd-nx-existing", [("ZADD", "k", "1", "a")], [("ZADD", "k", "NX", "5", "a")], False),
    ("zadd-new-score", [("ZADD", "k", "1", "a")], [("ZADD", "k", "2", "a")], True),
    ("zadd-incr-zero", [("ZADD", "k", "1", "a")], [("ZADD", "k", "INCR", "0", "a")], False),
    ("zadd-gt-refused", [("ZADD", "k", "1", "a")], [("ZADD", "k", "GT", "0", "a")], False),
    ("zadd-ch-same", [("ZADD", "k", "1", "a")], [("ZADD", "k", "CH", "1", "a")], False),
    ("zincrby-zero", [("ZADD", "k", "1", "a")], [("ZINCRBY", "k", "0", "a")], False),
    ("zrem", [("ZADD", "k", "1", "a", "2", "b")], [("ZREM", "k", "a")], True),
    ("zrem-missing", [("ZADD", "k", "1", "a")], [("ZREM", "k", "x")], False),
    ("zpopmin", [("ZADD", "k", "1", "a")], [("ZPOPMIN", "k")], True),
    ("zremrangebyscore-none", [("ZADD", "k", "1", "a")], [("ZREMRANGEBYSCORE", "k", "5", "6")], False),
    ("zremrangebyrank", [("ZADD", "k", "1", "a", "2", "b")], [("ZREMRANGEBYRANK", "k", "0", "0")], True),
    ("zunionstore", [], [("ZADD", "z1", "1", "a"), ("ZUNIONSTORE", "k", "1", "z1")], True),
    ("zunionstore-empty-over-missing", [], [("ZUNIONSTORE", "k", "1", "nokey")], False),
    ("zrangestore", [("ZADD", "k", "1", "a")], [("ZRANGESTORE", "k", "k", "0", "-1")], True),
    ("zset-reads", [("ZADD", "k", "1", "a")], [("ZRANGE", "k", "0", "-1"), ("ZSCORE", "k", "a"),
                                              ("ZRANK", "k", "a"), ("ZCARD", "k")], False),
    # streams
    ("xadd", [("XADD", "k", "1-1", "f", "v")], [("XADD", "k", "2-1", "f", "v")], True),
    ("xadd-creates", [], [("XADD", "k", "1-1", "f", "v")], True),
    ("xadd-nomkstream", [], [("XADD", "k", "NOMKSTREAM", "1-1", "f", "v")], False),
    ("xdel", [("XADD", "k", "1-1", "f", "v")], [("XDEL", "k", "1-1")], True),
    ("xdel-missing", [("XADD", "k", "1-1", "f", "v")], [("XDEL", "k", "9-9")], False),
    ("xtrim-nothing", [("XADD", "k", "1-1", "f", "v")], [("XTRIM", "k", "MAXLEN", "10")], False),
    ("xtrim", [("XADD", "k", "1-1", "f", "v"), ("XADD", "k", "2-1", "f", "v")], [("XTRIM", "k", "MAXLEN", "1")],
     True),
    ("xsetid", [("XADD", "k", "1-1", "f", "v")], [("XSETID", "k", "5-5")], False),
    ("xgroup-create", [("XADD", "k", "1-1", "f", "v")], [("XGROUP", "CREATE", "k", "g", "0")], False),
    ("xgroup-create-mkstream", [], [("XGROUP", "CREATE", "k", "g", "$", "MKSTREAM")], True),
    ("xgroup-createconsumer", [("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "0")],
     [("XGROUP", "CREATECONSUMER", "k", "g", "c")], False),
    ("xgroup-setid", [("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "0")],
     [("XGROUP", "SETID", "k", "g", "$")], False),
    ("xgroup-destroy", [("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "0")],
     [("XGROUP", "DESTROY", "k", "g")], False),
    ("xreadgroup", [("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "0")],
     [("XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">")], False),
    ("xreadgroup-nothing-new", [("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "$")],
     [("XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">")], False),
    ("xack", [("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "0"),
              ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">")], [("XACK", "k", "g", "1-1")], False),
    ("xack-nothing", [("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "0")],
     [("XACK", "k", "g", "1-1")], False),
    ("xclaim", [("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "0"),
                ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">")], [("XCLAIM", "k", "g", "d", "0", "1-1")],
     False),
    ("xautoclaim", [("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "0"),
                    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">")],
     [("XAUTOCLAIM", "k", "g", "d", "0", "0")], False),
    ("xgroup-delconsumer", [("XADD", "k", "1-1", "f", "v"), ("XGROUP", "CREATE", "k", "g", "0"),
                            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">")],
     [("XGROUP", "DELCONSUMER", "k", "g", "c")], False),
    ("stream-reads", [("XADD", "k", "1-1", "f", "v")], [("XRANGE", "k", "-", "+"), ("XLEN", "k"),
                                                       ("XREAD", "STREAMS", "k", "0"), ("XINFO", "STREAM", "k")],
     False),
    # generic
    ("del", [("SET", "k", "v")], [("DEL", "k")], True),
    ("del-missing", [], [("DEL", "k")], False),
    ("unlink", [("SADD", "k", "a")], [("UNLINK", "k")], True),
    ("expire", [("SET", "k", "v")], [("EXPIRE", "k", "100")], True),
    ("expire-missing", [], [("EXPIRE", "k", "100")], False),
    ("expire-nx-refused", [("SET", "k", "v", "EX", "100")], [("EXPIRE", "k", "200", "NX")], False),
    ("expire-in-the-past", [("SET", "k", "v")], [("EXPIRE", "k", "-1")], True),
    ("pexpireat", [("SET", "k", "v")], [("PEXPIREAT", "k", "99999999999999")], True),
    ("persist", [("SET", "k", "v", "EX", "100")], [("PERSIST", "k")], True),
    ("persist-no-ttl", [("SET", "k", "v")], [("PERSIST", "k")], False),
    ("rename-onto", [("SET", "src", "v")], [("RENAME", "src", "k")], True),
    ("rename-onto-existing", [("SET", "k", "v"), ("SET", "src", "w")], [("RENAME", "src", "k")], True),
    ("rename-away", [("SET", "k", "v")], [("RENAME", "k", "dst")], True),
    ("rename-to-itself", [("SET", "k", "v")], [("RENAME", "k", "k")], False),
    ("renamenx-refused", [("SET", "k", "v"), ("SET", "src", "w")], [("RENAMENX", "src", "k")], False),
    ("renamenx-away", [("SET", "k", "v")], [("RENAMENX", "k", "dst")], True),
    ("copy-onto", [("SET", "src", "v")], [("COPY", "src", "k")], True),
    ("copy-refused", [("SET", "src", "v"), ("SET", "k", "w")], [("COPY", "src", "k")], False),
    ("copy-replace", [("SET", "src", "v"), ("SET", "k", "w")], [("COPY", "src", "k", "REPLACE")], True),
    ("copy-from", [("SET", "k", "v")], [("COPY", "k", "dst")], False),
    ("move-away", [("SET", "k", "v")], [("MOVE", "k", "1")], True),
    ("move-in-from-other-db", [], [("SELECT", "1"), ("SET", "k", "v"), ("MOVE", "k", "0"), ("SELECT", "0")], True),
    ("flushdb", [("SET", "k", "v")], [("FLUSHDB",)], True),
    ("flushdb-key-missing", [("SET", "other", "v")], [("FLUSHDB",)], False),
    ("flushall", [("SET", "k", "v")], [("FLUSHALL",)], True),
    ("flushall-key-missing", [("SET", "other", "v")], [("FLUSHALL",)], False),
    ("flushdb-other-db", [("SET", "k", "v")], [("SELECT", "1"), ("SET", "k", "v"), ("FLUSHDB",),
                                               ("SELECT", "0")], False),
    ("swapdb", [("SET", "k", "v")], [("SWAPDB", "0", "1")], True),
    ("swapdb-key-in-other-db", [], [("SELECT", "1"), ("SET", "k", "v"), ("SELECT", "0"), ("SWAPDB", "0", "1")],
     True),
    ("swapdb-key-nowhere", [("SET", "other", "v")], [("SWAPDB", "0", "1")], False),
    ("swapdb-other-dbs", [("SET", "k", "v")], [("SWAPDB", "1", "2")], False),
    ("sort-store", [("RPUSH", "src", "2", "1")], [("SORT", "src", "STORE", "k")], True),
]


# Cases where miniredis differs from Redis today (strict: an XPASS means the bug is fixed; drop the entry).
KNOWN_BUGS: dict[str, str] = {}


def _watch_case_params() -> list[object]:
    params: list[object] = []
    for case in WATCH_CASES:
        reason = KNOWN_BUGS.get(case[0])
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(case, id=case[0], marks=marks))
    return params


@pytest.mark.parametrize("case", _watch_case_params())
@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_watch_broken_or_not(pair_factory: Factory, protocol: int,
                             case: tuple[str, list[Cmd], list[Cmd], bool]) -> None:
    _, setup, writes, breaks = case
    watcher, other = pair_factory(protocol), pair_factory(protocol)
    for argv in setup + writes:
        name = str(argv[0]).upper()
        if not is_served(other, name):
            pytest.skip(f"{name} is not served by miniredis")
    for argv in setup:
        other.check(*argv)
    watcher.check("WATCH", "k")
    for argv in writes:
        other.check(*argv)
    watcher.check("MULTI")
    watcher.check("PING")
    expected = null_array(protocol) if breaks else b"*1\r\n+PONG\r\n"
    real = watcher.check("EXEC")
    assert real == expected, f"Redis 7.0 pin: expected {expected!r}, real Redis replied {real!r}"


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_watch_is_per_db(pair_factory: Factory, protocol: int) -> None:
    watcher, other = pair_factory(protocol), pair_factory(protocol)
    watcher.check("SELECT", 1)
    watcher.check("WATCH", "k")
    other.check("SET", "k", "db0")  # same name, other db
    watcher.check("MULTI")
    watcher.check("PING")
    assert watcher.check("EXEC") == b"*1\r\n+PONG\r\n"
    watcher.check("WATCH", "k")
    watcher.check("SELECT", 0)  # the watch stays on db 1
    other.check("SELECT", 1)
    other.check("SET", "k", "db1")
    watcher.check("MULTI")
    watcher.check("PING")
    assert watcher.check("EXEC") == null_array(protocol)


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_watch_several_keys_and_repeated_watch(pair_factory: Factory, protocol: int) -> None:
    watcher, other = pair_factory(protocol), pair_factory(protocol)
    watcher.check("WATCH", "a", "b")
    watcher.check("WATCH", "a", "c")
    other.check("SET", "c", "1")
    watcher.check("MULTI")
    watcher.check("PING")
    assert watcher.check("EXEC") == null_array(protocol)


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_unwatch_discard_and_exec_forget_watched_keys(pair_factory: Factory, protocol: int) -> None:
    watcher, other = pair_factory(protocol), pair_factory(protocol)
    for forget in (("UNWATCH",), ("MULTI", "DISCARD"), ("MULTI", "EXEC"), ("RESET",)):
        watcher.check("WATCH", "k")
        for argv in forget:
            watcher.check(argv)
        other.check("SET", "k", "v")
        watcher.check("MULTI")
        watcher.check("PING")
        assert watcher.check("EXEC") == b"*1\r\n+PONG\r\n", forget


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_broken_watch_with_queue_error_is_execabort(pair_factory: Factory, protocol: int) -> None:
    watcher, other = pair_factory(protocol), pair_factory(protocol)
    watcher.check("WATCH", "k")
    other.check("SET", "k", "v")
    watcher.check("MULTI")
    watcher.check("NOSUCHCOMMAND")
    assert watcher.check("EXEC").startswith(b"-EXECABORT")


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_aborted_exec_runs_nothing(pair_factory: Factory, protocol: int) -> None:
    watcher, other = pair_factory(protocol), pair_factory(protocol)
    watcher.check("SET", "k", "0")
    watcher.check("WATCH", "k")
    other.check("INCR", "k")
    watcher.check("MULTI")
    watcher.check("INCR", "k")
    watcher.check("SET", "x", "1")
    assert watcher.check("EXEC") == null_array(protocol)
    watcher.state("k", "x")


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_served_blocked_client_breaks_watch_on_its_destination(pair_factory: Factory, protocol: int) -> None:
    from conformance.harness import wait_blocked

    watcher, blocker, writer = pair_factory(protocol), pair_factory(protocol), pair_factory(protocol)
    watcher.check("WATCH", "dst")
    blocker.write(encode_command(("BLMOVE", "src", "dst", "LEFT", "RIGHT", 0)))
    wait_blocked(writer, 1)
    writer.check("LPUSH", "src", "x")  # serving the blocked BLMOVE writes "dst"
    blocker.read()
    watcher.check("MULTI")
    watcher.check("PING")
    assert watcher.check("EXEC") == null_array(protocol)


# --- real-time expiry ----------------------------------------------------------------------------------

@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_watched_key_expiring_before_exec_breaks_watch(pair_factory: Factory, protocol: int) -> None:
    watcher = pair_factory(protocol)
    watcher.check("SET", "k", "v")
    watcher.check("PEXPIRE", "k", 50)
    watcher.check("WATCH", "k")
    time.sleep(0.1)  # nobody touches the key: EXEC finds its TTL has passed since WATCH
    watcher.check("MULTI")
    watcher.check("PING")
    assert watcher.check("EXEC") == null_array(protocol)


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_watched_key_expired_and_read_by_another_client(pair_factory: Factory, protocol: int) -> None:
    watcher, other = pair_factory(protocol), pair_factory(protocol)
    watcher.check("SET", "k", "v")
    watcher.check("PEXPIRE", "k", 50)
    watcher.check("WATCH", "k")
    time.sleep(0.1)
    other.check("GET", "k")  # deletes the expired key
    watcher.check("MULTI")
    watcher.check("PING")
    assert watcher.check("EXEC") == null_array(protocol)


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_key_already_expired_when_watched_does_not_break_watch(pair_factory: Factory, protocol: int) -> None:
    watcher = pair_factory(protocol)
    # Whether the active expiry cycle has deleted "k" by the WATCH or it is only logically expired
    # (and deleted later), EXEC runs: an expired key that goes away is no logical change.
    watcher.check("SET", "k", "v")
    watcher.check("PEXPIRE", "k", 50)
    time.sleep(0.1)
    watcher.check("WATCH", "k")
    watcher.check("MULTI")
    watcher.check("PING")
    assert watcher.check("EXEC") == b"*1\r\n+PONG\r\n"


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_watch_then_ttl_extended_still_breaks(pair_factory: Factory, protocol: int) -> None:
    watcher, other = pair_factory(protocol), pair_factory(protocol)
    watcher.check("SET", "k", "v", "PX", 50)
    watcher.check("WATCH", "k")
    other.check("PEXPIRE", "k", 100000)
    watcher.check("MULTI")
    watcher.check("PING")
    assert watcher.check("EXEC") == null_array(protocol)
