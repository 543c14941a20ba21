"""Keyspace commands (DEL ... OBJECT, the EXPIRE and TTL families) and expiry, through redis-py.

Most cases run over RESP2 and RESP3 (the ``r`` fixture). Expiry cases use a server with a
``ManualClock`` so that time moves only when the test says so; they also record the keyspace
events and propagated effects by replacing the server's ``notify`` and ``propagate`` hooks.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import redis

from miniredis.keyspace.expiry import expire_cycle
from miniredis.server.app import Server
from miniredis.testing.server import MiniRedisServer


# --- DEL, UNLINK, EXISTS, TYPE, TOUCH -------------------------------------------------------------------
def test_del_and_unlink_count_removed_keys(r: redis.Redis) -> None:
    r.mset({"a": 1, "b": 2, "c": 3})
    assert r.delete("a", "a", "nokey") == 1
    assert r.unlink("b", "c", "b") == 2
    assert r.keys("*") == []


def test_exists_counts_every_argument(r: redis.Redis) -> None:
    r.set("a", 1)
    assert r.exists("a", "a", "nokey", "a") == 3
    assert r.exists("nokey") == 0


def test_type_names(r: redis.Redis) -> None:
    r.set("s", "v")
    assert r.type("s") == b"string"
    assert r.type("nokey") == b"none"


def test_type_of_every_builtin_type(server: MiniRedisServer, r: redis.Redis) -> None:
    from miniredis.structures.quicklist import QuickList

    def fill(srv: Server) -> None:
        db = srv.dbs[0]
        db.add(b"l", QuickList.from_iterable([b"x"]))
        db.add(b"h", {b"f": b"v"})
        db.add(b"set", {b"m"})

    server.call(fill)
    assert [r.type(key) for key in ("l", "h", "set")] == [b"list", b"hash", b"set"]


def test_touch_counts_existing_keys(r: redis.Redis) -> None:
    r.set("a", 1)
    assert r.touch("a", "nokey", "a") == 2


# --- KEYS, SCAN, RANDOMKEY --------------------------------------------------------------------------------
def test_keys_with_patterns(r: redis.Redis) -> None:
    r.mset({"hello": 1, "hallo": 1, "hxllo": 1, "hllo": 1, "heeeello": 1, "h[a]llo": 1})
    assert sorted(r.keys("h?llo")) == [b"hallo", b"hello", b"hxllo"]
    assert sorted(r.keys("h*llo")) == [b"h[a]llo", b"hallo", b"heeeello", b"hello", b"hllo", b"hxllo"]
    assert sorted(r.keys("h[ae]llo")) == [b"hallo", b"hello"]
    assert sorted(r.keys("h[^e]llo")) == [b"hallo", b"hxllo"]
    assert sorted(r.keys("h[a-b]llo")) == [b"hallo"]
    assert r.keys("h\\[a\\]llo") == [b"h[a]llo"]
    assert len(r.keys("*")) == 6


def test_scan_returns_everything_once_without_mutation(r: redis.Redis) -> None:
    names = {f"key:{i}".encode() for i in range(500)}
    r.mset({name: 1 for name in names})
    seen: list[bytes | str] = []
    cursor = 0
    for _ in range(10_000):
        cursor, batch = r.scan(cursor, count=17)
        assert len(batch) <= 40
        seen.extend(batch)
        if cursor == 0:
            break
    assert sorted(seen) == sorted(names)


def test_scan_match_type_and_count_options(server: MiniRedisServer, r: redis.Redis) -> None:
    from miniredis.structures.quicklist import QuickList

    r.mset({f"a:{i}": 1 for i in range(30)})
    r.mset({f"b:{i}": 1 for i in range(30)})
    server.call(lambda srv: srv.dbs[0].add(b"a:list", QuickList.from_iterable([b"x"])))
    assert set(r.scan_iter(match="b:*", count=7)) == {f"b:{i}".encode() for i in range(30)}
    assert set(r.scan_iter(_type="list", count=5)) == {b"a:list"}
    assert set(r.scan_iter(_type="LIST")) == {b"a:list"}
    assert set(r.scan_iter(_type="nosuchtype")) == set()
    assert set(r.scan_iter(match="a:*", _type="string")) == {f"a:{i}".encode() for i in range(30)}


def test_scan_survives_mutation_between_calls(r: redis.Redis) -> None:
    rng = random.Random(7)
    stable = {f"stable:{i}".encode() for i in range(300)}
    r.mset({key: 1 for key in stable})
    volatile = [f"churn:{i}".encode() for i in range(600)]
    seen: set[bytes | str] = set()
    cursor = 0
    for step in range(10_000):
        cursor, batch = r.scan(cursor, count=10)
        seen.update(batch)
        # Between calls: add and delete many keys, enough to grow and shrink any table.
        for key in rng.sample(volatile, 40):
            if rng.random() < 0.5:
                r.set(key, step)
            else:
                r.delete(key)
        if cursor == 0:
            break
    assert stable <= seen
    assert all(key in stable or bytes(key).startswith(b"churn:") for key in seen)  # type: ignore[arg-type]


def test_interleaved_scans_with_mutation_each_see_every_stable_key() -> None:
    """Db.scan directly: scans that start, finish and restart while others run (the snapshot is shared)."""
    server = Server()
    db = server.dbs[0]
    rng = random.Random(11)
    stable = {b"stable:%d" % i for i in range(400)}
    for key in stable:
        db.add(key, b"v")
    cursors = {name: 0 for name in "ABC"}
    seen: dict[str, set[bytes]] = {name: set() for name in "ABC"}
    started = {name: False for name in "ABC"}
    finished: dict[str, int] = {name: 0 for name in "ABC"}
    for _ in range(20_000):
        name = rng.choice("ABC")
        if cursors[name] == 0 and started[name]:
            assert stable <= seen[name], name
            finished[name] += 1
            seen[name] = set()
        started[name] = True
        cursors[name], batch = db.scan(cursors[name], rng.choice((1, 5, 10, 50)))
        seen[name].update(batch)
        for _ in range(3):
            churn = b"churn:%d" % rng.randrange(2000)
            if rng.random() < 0.5:
                db.data[churn] = b"x"  # as other code may write, without Db.set
            else:
                db.delete(churn)
        if min(finished.values()) >= 5:
            break
    assert min(finished.values()) >= 5


def test_scan_errors(r: redis.Redis) -> None:
    for argv, message in [
        (("SCAN", "x"), "invalid cursor"),
        (("SCAN", " 1"), "invalid cursor"),
        (("SCAN", "18446744073709551616"), "invalid cursor"),
        (("SCAN", "0", "COUNT", "0"), "syntax error"),
        (("SCAN", "0", "COUNT", "x"), "not an integer"),
        (("SCAN", "0", "MATCH"), "syntax error"),
        (("SCAN", "0", "FOO", "bar"), "syntax error"),
    ]:
        with pytest.raises(redis.ResponseError, match=message):
            r.execute_command(*argv)
    r.set("k", 1)
    for cursor in ("", "+0", "-0"):
        reply = r.execute_command("SCAN", cursor)
        assert (int(reply[0]), reply[1]) == (0, [b"k"])
    assert int(r.execute_command("SCAN", "18446744073709551615")[0]) == 0


def test_randomkey(r: redis.Redis) -> None:
    assert r.randomkey() is None
    r.mset({"a": 1, "b": 2})
    assert {r.randomkey() for _ in range(50)} <= {b"a", b"b"}


# --- RENAME, RENAMENX, COPY, MOVE -------------------------------------------------------------------------
def test_rename_moves_value_and_ttl(r: redis.Redis) -> None:
    r.set("a", "v", ex=100)
    r.set("b", "old")
    assert r.rename("a", "b") is True
    assert r.get("b") == b"v" and r.exists("a") == 0
    assert 99 <= r.ttl("b") <= 100
    with pytest.raises(redis.ResponseError, match="^no such key$"):
        r.rename("a", "c")
    with pytest.raises(redis.ResponseError, match="^no such key$"):
        r.renamenx("a", "a")


def test_rename_onto_itself(r: redis.Redis) -> None:
    r.set("a", "v", ex=50)
    assert r.rename("a", "a") is True
    assert r.renamenx("a", "a") is False
    assert r.get("a") == b"v" and r.ttl("a") > 0


def test_renamenx(r: redis.Redis) -> None:
    r.mset({"a": 1, "b": 2})
    assert r.renamenx("a", "b") is False
    assert r.renamenx("a", "c") is True
    assert r.mget("a", "b", "c") == [None, b"2", b"1"]


def test_rename_breaks_watch_on_the_target(r: redis.Redis) -> None:
    r.set("src", 1)
    pipe = r.pipeline(transaction=True)
    pipe.watch("dst")
    r.rename("src", "dst")
    pipe.multi()
    pipe.set("x", 1)
    with pytest.raises(redis.WatchError):
        pipe.execute()


def test_copy_deep_copies_every_type(server: MiniRedisServer, r: redis.Redis) -> None:
    from miniredis.structures.quicklist import QuickList

    def fill(srv: Server) -> None:
        db = srv.dbs[0]
        db.add(b"l", QuickList.from_iterable([b"a", b"b"]))
        db.add(b"h", {b"f": b"v"})
        db.add(b"set", {b"m"})

    server.call(fill)
    r.set("s", "str")
    for key in ("s", "l", "h", "set"):
        assert r.copy(key, key + ":copy") is True

    def mutate(srv: Server) -> list[object]:
        db = srv.dbs[0]
        db.data[b"l"].push_right(b"c")  # type: ignore[attr-defined]
        db.data[b"h"][b"g"] = b"w"  # type: ignore[index]
        db.data[b"set"].add(b"n")  # type: ignore[attr-defined]
        return [list(db.data[b"l:copy"]), db.data[b"h:copy"], db.data[b"set:copy"]]  # type: ignore[call-overload]

    assert server.call(mutate) == [[b"a", b"b"], {b"f": b"v"}, {b"m"}]


def test_copy_options(r: redis.Redis) -> None:
    r.set("a", "1", ex=100)
    r.set("b", "2")
    assert r.copy("a", "b") is False
    assert r.copy("a", "b", replace=True) is True
    assert r.get("b") == b"1" and r.ttl("b") > 0
    assert r.copy("a", "a", destination_db="1") is True
    r.execute_command("SELECT", 1)
    assert r.get("a") == b"1" and r.ttl("a") > 0
    r.execute_command("SELECT", 0)
    assert r.copy("nokey", "x") is False
    for argv, message in [
        (("COPY", "a", "a"), "source and destination objects are the same"),
        (("COPY", "a", "a", "DB", "0"), "source and destination objects are the same"),
        (("COPY", "a", "b", "DB", "x"), "not an integer"),
        (("COPY", "a", "b", "DB", "16"), "DB index is out of range"),
        (("COPY", "a", "b", "DB", "4294967296"), "value must between"),
        (("COPY", "a", "b", "DB"), "syntax error"),
        (("COPY", "a", "b", "FOO"), "syntax error"),
    ]:
        with pytest.raises(redis.ResponseError, match=message):
            r.execute_command(*argv)


def test_move(r: redis.Redis) -> None:
    r.set("a", "1", ex=100)
    assert r.move("a", 1) is True
    assert r.exists("a") == 0
    r.execute_command("SELECT", 1)
    assert r.get("a") == b"1" and r.ttl("a") > 0
    r.set("b", "x")
    r.execute_command("SELECT", 0)
    r.set("b", "y")
    assert r.move("b", 1) is False
    assert r.move("nokey", 1) is False
    with pytest.raises(redis.ResponseError, match="source and destination objects are the same"):
        r.move("b", 0)
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        r.move("b", 16)
    with pytest.raises(redis.ResponseError, match="not an integer"):
        r.execute_command("MOVE", "b", "x")


# --- OBJECT ---------------------------------------------------------------------------------------------
def test_object_encoding_of_strings(r: redis.Redis) -> None:
    cases = {
        "1": b"int", "-9223372036854775808": b"int", "12345678901234567890": b"embstr", "01": b"embstr",
        " 1": b"embstr", "x" * 44: b"embstr", "x" * 45: b"raw", "1.5": b"embstr",
    }
    for value, encoding in cases.items():
        r.set("k", value)
        assert r.object("encoding", "k") == encoding, value
    assert r.object("encoding", "nokey") is None


def test_object_encoding_of_collections(server: MiniRedisServer, r: redis.Redis) -> None:
    from miniredis.structures.quicklist import QuickList

    def fill(srv: Server) -> None:
        db = srv.dbs[0]
        db.add(b"l", QuickList.from_iterable([b"a"]))
        db.add(b"h", {b"f": b"v"})
        db.add(b"hbig", {b"f": b"v" * 65})
        db.add(b"hmany", {b"%d" % i: b"v" for i in range(513)})
        db.add(b"hfield64", {b"f" * 64: b"v"})
        db.add(b"si", {b"1", b"-9223372036854775808"})
        db.add(b"ss", {b"1", b"a"})
        db.add(b"s01", {b"01"})
        db.add(b"smany", {b"%d" % i for i in range(513)})

    server.call(fill)
    expected = {
        "l": b"quicklist", "h": b"listpack", "hbig": b"hashtable", "hmany": b"hashtable", "hfield64": b"listpack",
        "si": b"intset", "ss": b"hashtable", "s01": b"hashtable", "smany": b"hashtable",
    }
    assert {key: r.object("encoding", key) for key in expected} == expected


def test_object_refcount_freq_idletime_help(r: redis.Redis) -> None:
    r.set("small", "5")
    r.set("big", "123456")
    assert r.object("refcount", "small") == 2147483647
    assert r.object("refcount", "big") == 1
    assert r.object("refcount", "nokey") is None
    assert r.object("idletime", "big") == 0
    assert r.object("idletime", "nokey") is None
    assert r.object("freq", "nokey") is None
    with pytest.raises(redis.ResponseError, match="An LFU maxmemory policy is not selected"):
        r.object("freq", "big")
    lines = r.execute_command("OBJECT", "HELP")
    assert lines[0].startswith(b"OBJECT <subcommand>") and lines[-1] == b"    Prints this help."
    with pytest.raises(redis.ResponseError, match="unknown subcommand 'foo'. Try OBJECT HELP."):
        r.execute_command("OBJECT", "foo")


# --- EXPIRE family, TTL family, PERSIST ------------------------------------------------------------------
def test_expire_options(r: redis.Redis) -> None:
    r.set("k", 1)
    assert r.expire("k", 100, xx=True) is False
    assert r.expire("k", 100, gt=True) is False  # no TTL counts as infinite
    assert r.expire("k", 100, lt=True) is True
    assert r.expire("k", 200, nx=True) is False
    assert r.expire("k", 200, gt=True) is True
    assert r.expire("k", 50, gt=True) is False
    assert r.expire("k", 50, lt=True) is True
    assert r.expire("k", 60, xx=True) is True
    assert 59 <= r.ttl("k") <= 60
    assert r.expire("nokey", 10) is False


def test_expire_option_errors(r: redis.Redis) -> None:
    r.set("k", 1)
    for argv, message in [
        (("EXPIRE", "k", "10", "NX", "XX"), "NX and XX, GT or LT options at the same time are not compatible"),
        (("EXPIRE", "k", "10", "GT", "LT"), "GT and LT options at the same time are not compatible"),
        (("EXPIRE", "k", "abc", "foo"), "Unsupported option foo"),
        (("EXPIRE", "k", "abc"), "not an integer"),
        (("EXPIRE", "k", "9223372036854775807"), "invalid expire time in 'expire' command"),
        (("PEXPIRE", "k", "9223372036854775807"), "invalid expire time in 'pexpire' command"),
        (("EXPIREAT", "k", "9223372036854775807"), "invalid expire time in 'expireat' command"),
        (("EXPIRE", "k", "-9223372036854776"), "invalid expire time in 'expire' command"),
    ]:
        with pytest.raises(redis.ResponseError, match=message):
            r.execute_command(*argv)
    assert r.execute_command("PEXPIREAT", "k", "9223372036854775807") == 1


def test_expire_in_the_past_deletes(r: redis.Redis) -> None:
    r.set("k", 1)
    assert r.expire("k", -1) is True
    assert r.exists("k") == 0
    r.set("k", 1)
    assert r.expireat("k", 1) is True
    assert r.exists("k") == 0


def test_ttl_family(r: redis.Redis) -> None:
    r.set("k", 1)
    assert (r.ttl("k"), r.pttl("k"), r.expiretime("k"), r.pexpiretime("k")) == (-1, -1, -1, -1)
    assert (r.ttl("nokey"), r.pttl("nokey"), r.expiretime("nokey"), r.pexpiretime("nokey")) == (-2, -2, -2, -2)
    r.pexpireat("k", 5_000_000_000_999)
    assert r.pexpiretime("k") == 5_000_000_000_999
    assert r.expiretime("k") == 5_000_000_001  # rounded to the nearest second


def test_persist(r: redis.Redis) -> None:
    r.set("k", 1, ex=10)
    assert r.persist("k") is True
    assert r.persist("k") is False
    assert r.persist("nokey") is False
    assert r.ttl("k") == -1


# --- expiry with a manual clock ----------------------------------------------------------------------------
@pytest.fixture
def rc(clocked: MiniRedisServer) -> Iterator[redis.Redis]:
    clocked.call(lambda srv: [db.flush() for db in srv.dbs])
    client = redis.Redis(host=clocked.host, port=clocked.port)
    yield client
    client.close()


def advance(srv: MiniRedisServer, seconds: float) -> None:
    srv.call(lambda server: srv.clock.advance(seconds))  # type: ignore[attr-defined]


class Recorder:
    """Replaces a server's notify and propagate hooks and keeps what they saw."""

    def __init__(self, server: Server) -> None:
        self.events: list[tuple[int, str, bytes, str]] = []
        self.effects: list[tuple[int, list[bytes]]] = []
        server.notify = self.notify
        server.propagate = self.propagate
        self.was_propagating = getattr(server, "propagating", False)
        server.propagating = True  # the dispatcher feeds effects only when something consumes them
        self.events_were = getattr(server.config, "notify_keyspace_events", "")
        # Hot paths call notify only when some class is enabled.
        setattr(server.config, "notify_keyspace_events", "g$x")  # noqa: B010
        server.keyspace_events = "g$x"  # the server mirrors the setting (CONFIG SET does this)

    def notify(self, db: object, event: str, key: bytes, kind: str) -> None:
        self.events.append((db.id, event, key, kind))  # type: ignore[attr-defined]

    def propagate(self, db: object, argv: list[bytes]) -> None:
        self.effects.append((db.id, list(argv)))  # type: ignore[attr-defined]


@pytest.fixture
def recorder(clocked: MiniRedisServer) -> Iterator[Recorder]:
    recorder = clocked.call(Recorder)
    yield recorder

    def restore(server: Server) -> None:
        server.notify = server.publish_event
        server.propagate = server.feed_effect
        server.propagating = recorder.was_propagating
        setattr(server.config, "notify_keyspace_events", recorder.events_were)  # noqa: B010
        server.keyspace_events = recorder.events_were

    clocked.call(restore)


def test_lazy_expiry_follows_the_manual_clock(clocked: MiniRedisServer, rc: redis.Redis, recorder: Recorder) -> None:
    rc.set("k", "v", px=1500)
    advance(clocked, 1.0)
    assert rc.get("k") == b"v"
    assert rc.pttl("k") == 500
    advance(clocked, 0.5)
    before = clocked.call(lambda srv: srv.stats.expired_keys)
    assert rc.get("k") is None
    assert clocked.call(lambda srv: srv.stats.expired_keys) == before + 1
    assert (0, "expired", b"k", "x") in recorder.events
    assert (0, [b"DEL", b"k"]) in recorder.effects


def test_active_expiry_deletes_without_access(clocked: MiniRedisServer, rc: redis.Redis, recorder: Recorder) -> None:
    rc.mset({f"k{i}": i for i in range(200)})
    for i in range(100):
        rc.pexpire(f"k{i}", 1000 + i)
    advance(clocked, 2)
    expired = clocked.call(lambda srv: expire_cycle(srv, 1000))
    assert expired == 100
    assert clocked.call(lambda srv: len(srv.dbs[0].data)) == 200 - 100
    assert clocked.call(lambda srv: len(srv.dbs[0].expires)) == 0
    assert sum(1 for event in recorder.events if event[1] == "expired") == 100


def test_active_expiry_runs_on_the_cron(clocked: MiniRedisServer, rc: redis.Redis) -> None:
    import time

    rc.set("k", "v", px=100)
    advance(clocked, 1)
    deadline = time.monotonic() + 5
    while clocked.call(lambda srv: len(srv.dbs[0].data)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert clocked.call(lambda srv: len(srv.dbs[0].data)) == 0


def test_active_expiry_keeps_avg_ttl(clocked: MiniRedisServer, rc: redis.Redis) -> None:
    for i in range(30):
        rc.set(f"k{i}", 1, ex=100)
    clocked.call(lambda srv: expire_cycle(srv, 1000))
    assert 90_000 < clocked.call(lambda srv: srv.dbs[0].avg_ttl) <= 100_000


def test_expire_propagates_pexpireat(clocked: MiniRedisServer, rc: redis.Redis, recorder: Recorder) -> None:
    rc.set("k", 1)
    now = clocked.call(lambda srv: srv.clock.time_ms())
    rc.expire("k", 10, gt=False)
    rc.execute_command("EXPIRE", "k", "20", "gt")
    rc.execute_command("PEXPIREAT", "k", str(now + 50_000))
    rc.execute_command("EXPIREAT", "k", str(now // 1000 + 60))
    rc.expire("k", -1)
    effects = [argv for _, argv in recorder.effects if argv[0].lower() != b"set"]
    assert effects == [
        [b"PEXPIREAT", b"k", b"%d" % (now + 10_000)],
        [b"PEXPIREAT", b"k", b"%d" % (now + 20_000), b"gt"],
        [b"PEXPIREAT", b"k", b"%d" % (now + 50_000)],
        [b"PEXPIREAT", b"k", b"%d" % ((now // 1000 + 60) * 1000)],
        [b"DEL", b"k"],
    ]
    assert [event[1] for event in recorder.events if event[2] == b"k"][-2:] == ["expire", "del"]


def test_keyspace_events_of_generic_commands(rc: redis.Redis, recorder: Recorder) -> None:
    rc.set("a", 1)
    rc.rename("a", "b")
    rc.rename("b", "b")
    rc.copy("b", "c")
    rc.move("c", 2)
    rc.expire("b", 100)
    rc.persist("b")
    rc.delete("b", "nokey")
    rc.touch("nokey")
    events = [(db, event, key) for db, event, key, kind in recorder.events if event != "set"]
    assert events == [
        (0, "rename_from", b"a"), (0, "rename_to", b"b"), (0, "copy_to", b"c"), (0, "move_from", b"c"),
        (2, "move_to", b"c"), (0, "expire", b"b"), (0, "persist", b"b"), (0, "del", b"b"),
    ]
    assert all(kind == "g" for _, event, _, kind in recorder.events if event != "set")


def test_idletime_follows_the_clock(clocked: MiniRedisServer, rc: redis.Redis) -> None:
    rc.set("k", "v")
    advance(clocked, 30)
    assert rc.object("idletime", "k") == 30
    rc.type("k")
    rc.exists("k")
    rc.ttl("k")
    assert rc.object("idletime", "k") == 30  # NOTOUCH lookups
    clocked.call(lambda srv: expire_cycle(srv, 10))  # the cron refreshes the cached clock
    from miniredis.keyspace.expiry import refresh_clocks

    clocked.call(refresh_clocks)
    rc.get("k")
    assert rc.object("idletime", "k") == 0
    advance(clocked, 5)
    rc.rename("k", "k2")
    assert rc.object("idletime", "k2") == 5  # the access time moves with the value


def test_keys_hides_expired_keys_and_scan_deletes_them(clocked: MiniRedisServer, rc: redis.Redis) -> None:
    rc.set("live", 1)
    rc.set("dead", 1, px=10)
    advance(clocked, 1)
    assert rc.keys("*") == [b"live"]
    assert clocked.call(lambda srv: b"dead" in srv.dbs[0].data)
    assert rc.scan(0)[1] == [b"live"]
    assert not clocked.call(lambda srv: b"dead" in srv.dbs[0].data)


def test_randomkey_skips_and_deletes_expired(clocked: MiniRedisServer, rc: redis.Redis) -> None:
    for i in range(5):
        rc.set(f"dead{i}", 1, px=10)
    advance(clocked, 1)
    assert rc.randomkey() is None
    assert clocked.call(lambda srv: len(srv.dbs[0].data)) == 0


def test_lfu_policy_tracks_freq(clocked: MiniRedisServer, rc: redis.Redis) -> None:
    def policy(name: str) -> None:
        clocked.call(lambda srv: setattr(srv.config, "maxmemory_policy", name))

    policy("allkeys-lfu")
    try:
        rc.set("k", "value")
        assert rc.object("freq", "k") == 5
        for _ in range(3):
            rc.get("k")
        assert 6 <= rc.object("freq", "k") <= 8
        with pytest.raises(redis.ResponseError, match="An LFU maxmemory policy is selected"):
            rc.object("idletime", "k")
        advance(clocked, 600)  # ten minutes idle: the counter decays by one per minute
        assert rc.object("freq", "k") == 0
    finally:
        policy("noeviction")
        from miniredis.keyspace.expiry import refresh_clocks

        clocked.call(refresh_clocks)


def test_randomkey_finds_the_live_key_among_many_expired(clocked: MiniRedisServer, rc: redis.Redis) -> None:
    pipe = rc.pipeline(transaction=False)
    for i in range(2000):
        pipe.set(f"dead{i}", 1, px=10)
    pipe.set("live", 1)
    pipe.execute()
    advance(clocked, 1)
    assert rc.randomkey() == b"live"
    assert clocked.call(lambda srv: len(srv.dbs[0].data)) <= 2000


def test_expire_breaks_watch_and_active_expiry_breaks_it_too(clocked: MiniRedisServer, rc: redis.Redis) -> None:
    rc.set("w", 1)
    with rc.pipeline(transaction=True) as pipe:
        pipe.watch("w")
        rc.expire("w", 100)
        pipe.multi()
        pipe.set("x", 1)
        with pytest.raises(redis.WatchError):
            pipe.execute()
    rc.set("w2", 1, px=500)
    with rc.pipeline(transaction=True) as pipe:
        pipe.watch("w2")
        advance(clocked, 1)
        clocked.call(lambda srv: expire_cycle(srv, 100))
        pipe.multi()
        pipe.set("x", 1)
        with pytest.raises(redis.WatchError):
            pipe.execute()


def test_active_expiry_is_time_bounded_and_resumes() -> None:
    from miniredis.clock import ManualClock
    from miniredis.keyspace.expiry import expire_stats

    clock = ManualClock()
    server = Server(clock=clock)
    db = server.dbs[0]
    now = clock.time_ms()
    for i in range(30_000):
        db.add(b"k%d" % i, b"v")
        db.set_expire(b"k%d" % i, now + 1000)
    db.add(b"keep", b"v")
    clock.advance(2)
    first = expire_cycle(server, 0.5)
    assert 0 < first < 30_000
    assert expire_stats(server).time_cap_reached_count == 1
    for _ in range(1000):
        if not db.expires:
            break
        expire_cycle(server, 50)
    assert list(db.data) == [b"keep"]
    assert server.stats.expired_keys == 30_000
    assert db.avg_ttl == 0 or not db.expires
