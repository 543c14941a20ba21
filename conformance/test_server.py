"""Server commands against real Redis 7.0: INFO, CONFIG GET/SET/RESETSTAT/HELP, DBSIZE, FLUSHDB, FLUSHALL,
TIME, LASTSAVE and MONITOR.

Exact byte equality is the rule. The named exceptions, each with its reason in the comparer's docstring:
INFO values (pids, times, memory) differ, so only field names and their order are compared; TIME and
LASTSAVE are compared by shape; settings fixed by how each server was launched (port, bind, dir,
logfile, pidfile, daemonize, loglevel) are compared by name only; globbing CONFIG GET is filtered to the
settings miniredis has. MONITOR lines are compared with the timestamp and client address normalised.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest

from conformance import comparers
from conformance.harness import Pair, RawConnection, decode_bulk, split_aggregate
from miniredis.config import ALL_NAMES, SETTINGS

# Settings whose value depends on how each server was started, not on miniredis: the suite starts
# Redis with its own port, bind, dir, logfile and loglevel, and miniredis runs embedded.
LAUNCH_DEPENDENT = {"port", "bind", "dir", "logfile", "pidfile", "daemonize", "loglevel"}
# CONFIG SET moves the listeners; each server keeps its own launch address, so only refusals are compared.
LISTENER_SETTINGS = {"port", "bind"}


# --- comparers ---------------------------------------------------------------------------------------
def _info_layout(raw: bytes) -> list[tuple[str, list[str]]]:
    text = decode_bulk(raw)
    if raw.startswith(b"="):
        text = text[4:]  # a verbatim string starts with its format, "txt:"
    sections: list[tuple[str, list[str]]] = []
    for line in text.decode().split("\r\n"):
        if line.startswith("# "):
            sections.append((line[2:], []))
        elif line:
            assert sections, raw[:200]
            sections[-1][1].append(line.split(":", 1)[0])
    # Commandstats lines follow Redis's command dict, a hash order: their names are compared as a set.
    return [(header, sorted(names) if header == "Commandstats" else names) for header, names in sections]


def info_field_names(real: bytes, mini: bytes) -> bool:
    """INFO values are run-dependent (pid, times, memory, ids): same reply type, same sections, same field names
    in the same order; miniredis adds ``miniredis_version`` at the end of its Server section."""
    if real[:1] != mini[:1]:
        return False
    mini_layout = [
        (header, [name for name in names if name != "miniredis_version"]) for header, names in _info_layout(mini)
    ]
    return _info_layout(real) == mini_layout


def info_field_names_without_latencystats(real: bytes, mini: bytes) -> bool:
    """As info_field_names; Redis's Latencystats section (per-command latency histograms, which miniredis
    does not record) is left out of real Redis's reply."""
    layout = [section for section in _info_layout(real) if section[0] != "Latencystats"]
    mini_layout = [
        (header, [name for name in names if name != "miniredis_version"]) for header, names in _info_layout(mini)
    ]
    return real[:1] == mini[:1] and layout == mini_layout


_USEC = re.compile(rb"usec=\d+,usec_per_call=[\d.]+,")


def commandstats_counts(real: bytes, mini: bytes) -> bool:
    """Time spent per command differs; the counters (calls, rejected, failed) must not. Lines come in Redis's
    command-dict order, which is a hash order: compared sorted."""
    def lines(raw: bytes) -> list[bytes]:
        return sorted(_USEC.sub(b"", line) for line in decode_bulk(raw).split(b"\r\n") if line)

    return lines(real) == lines(mini)


def setting_name_only(real: bytes, mini: bytes) -> bool:
    """The value depends on how each server was launched (port, bind, dir, logfile, loglevel...): same names."""
    if real[:1] != mini[:1]:
        return False
    _, real_items = split_aggregate(real)
    _, mini_items = split_aggregate(mini)
    return real_items[0::2] == mini_items[0::2]


def served_settings(real: bytes, mini: bytes) -> bool:
    """Redis has ~190 settings and miniredis a subset: real's reply is filtered to the names miniredis has
    (launch-dependent ones dropped from both); pairs come in hash order, so they are compared sorted."""
    def pairs(raw: bytes, keep: Callable[[bytes], bool]) -> list[tuple[bytes, bytes]]:
        _, items = split_aggregate(raw)
        return sorted((name, value) for name, value in zip(items[0::2], items[1::2], strict=True)
                      if keep(decode_bulk(name)))

    known = {name.encode() for name in ALL_NAMES} - {name.encode() for name in LAUNCH_DEPENDENT}
    return real[:1] == mini[:1] and pairs(real, known.__contains__) == pairs(mini, known.__contains__)


_TIME = re.compile(rb"\*2\r\n\$10\r\n(\d{10})\r\n\$\d\r\n(\d{1,6})\r\n")


def time_shape(real: bytes, mini: bytes) -> bool:
    """TIME is the current time on each server: two bulk strings, seconds and microseconds, a second apart at most."""
    real_match, mini_match = _TIME.fullmatch(real), _TIME.fullmatch(mini)
    return bool(real_match and mini_match and abs(int(real_match[1]) - int(mini_match[1])) <= 1)


def integer_shape(real: bytes, mini: bytes) -> bool:
    """LASTSAVE is each server's own start time: an integer reply, both within a day of now."""
    return all(re.fullmatch(rb":\d{10}\r\n", raw) and abs(int(raw[1:-2]) - time.time()) < 86400
               for raw in (real, mini))


# --- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture
def restore(pair: Pair) -> Iterator[Pair]:
    """Put back every setting miniredis has, on both servers, after a test that changes them."""
    settable = [setting.name for setting in SETTINGS if setting.mutable and not setting.protected
                and setting.name not in LISTENER_SETTINGS]
    saved = {}
    for conn in (pair.real, pair.mini):
        reply = conn.send("CONFIG", "GET", *settable)
        _, items = split_aggregate(reply)
        saved[conn] = [decode_bulk(item) for item in items]
    yield pair
    for conn, items in saved.items():
        for name, value in zip(items[0::2], items[1::2], strict=True):
            if name == b"appendonly":
                continue
            assert conn.send("CONFIG", "SET", name, value) == b"+OK\r\n", (conn, name, value)


# --- INFO ----------------------------------------------------------------------------------------------
SECTIONS = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats",
            "cluster", "keyspace", "commandstats", "default", "", "SERVER", "module_list"]


@pytest.mark.parametrize("section", SECTIONS)
def test_info_section_fields(pairs: Pair, section: str) -> None:
    pairs.check("CONFIG", "RESETSTAT")  # the same command history on both from here
    pairs.check("SET", "k", "v")
    argv = ("INFO", section) if section else ("INFO",)
    pairs.check(*argv, compare=info_field_names)


@pytest.mark.parametrize("argv", [("all",), ("everything",), ("everything", "server"), ("default", "commandstats"),
                                  ("all", "nosuch")])
def test_info_all_and_everything(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check("CONFIG", "RESETSTAT")
    pairs.check("SET", "k", "v")
    pairs.check("INFO", *argv, compare=info_field_names_without_latencystats)


@pytest.mark.parametrize("argv", [("nosuch",), ("cluster",), ("modules",), ("modules", "cluster"),
                                  ("cluster", "keyspace"), ("keyspace",), ("KEYSPACE", "nosuch"), ("latencystatsx",)])
def test_info_exact_sections(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check("INFO", *argv)


def test_info_keyspace_lines(pair: Pair) -> None:
    pair.check("SET", "a", "1")
    pair.check("SET", "b", "2")
    pair.check("SELECT", "5")
    pair.check("SET", "c", "3")
    pair.check("INFO", "keyspace")
    pair.check("FLUSHDB")
    pair.check("INFO", "keyspace")
    pair.check("SELECT", "0")


def test_info_errorstats_and_resetstat(pairs: Pair) -> None:
    pairs.check("CONFIG", "RESETSTAT")
    pairs.check("INFO", "errorstats")
    pairs.check("NOSUCH")
    pairs.check("HELLO", "4")
    pairs.check("SET", "k", "v", "EX", "x")
    pairs.check("GET")
    pairs.check("INFO", "errorstats")
    pairs.check("CONFIG", "RESETSTAT")
    pairs.check("INFO", "errorstats")


def test_info_commandstats_counters(pair: Pair) -> None:
    pair.check("CONFIG", "RESETSTAT")
    pair.check("SET", "k", "v")
    pair.check("GET", "k")
    pair.check("SET", "k", "v", "EX", "x")
    pair.check("CONFIG", "GET", "hz")
    pair.check("INFO", "commandstats", compare=commandstats_counts)


def test_info_commandstats_counts_arity_rejections(pair: Pair) -> None:
    """Redis counts a command refused for its arity as a rejected call of that command (``cmdstat_get:calls=0,
    ...,rejected_calls=1``); an unknown subcommand is counted nowhere."""
    pair.check("CONFIG", "RESETSTAT")
    pair.check("GET")
    pair.check("CONFIG")
    pair.check("CONFIG", "NOSUCH")
    pair.check("INFO", "commandstats", compare=commandstats_counts)


# --- CONFIG GET ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_NAMES)
def test_config_get_every_setting(pairs: Pair, name: str) -> None:
    compare = setting_name_only if name in LAUNCH_DEPENDENT else None
    pairs.check("CONFIG", "GET", name, compare=compare)
    pairs.check("CONFIG", "GET", name.upper(), compare=compare)


@pytest.mark.parametrize("patterns", [("*",), ("*max*",), ("*ziplist*",), ("*listpack*",), ("h?",), ("[h]z",),
                                      ("P?RT",), ("maxmemory", "maxmemory-policy", "maxmem*"), ("*-entries", "hz"),
                                      ("hz", "HZ", "h?"), ("HZ", "timeout"), ("nosuch",), ("nosuch*",)])
def test_config_get_patterns(pairs: Pair, patterns: tuple[str, ...]) -> None:
    pairs.check("CONFIG", "GET", *patterns, compare=served_settings)


@pytest.mark.parametrize("patterns", [("hz", "HZ"), ("PORT", "port"), ("nosuch",), ("hash-max-ziplist-entries",)])
def test_config_get_exact_names(pairs: Pair, patterns: tuple[str, ...]) -> None:
    compare = setting_name_only if patterns[0].lower() == "port" else None
    pairs.check("CONFIG", "GET", *patterns, compare=compare)


# --- CONFIG SET --------------------------------------------------------------------------------------------
SET_VALUES: dict[str, list[str]] = {
    "requirepass": ["secret", "a b", ""],
    "hz": ["20", "1000", "0", "-1", "x", "05", "+5", " 5", "5.0", "2147483648", "99999999999999999999", "-0"],
    # 100000 needs more open files than this machine may allow: both servers share the limits of the
    # process that starts them, so both take it or both refuse with the same suggestion.
    "maxclients": ["5000", "0", "-1", "x", "100000", "4294967295"],
    "timeout": ["100", "-1", "x", "2147483648"],
    "tcp-keepalive": ["60", "-1"],
    "proto-max-bulk-len": ["1mb", "2048", "-1", "abc", "18446744073709551615", "9223372036854775808"],
    "client-query-buffer-limit": ["2mb", "100", "-1"],
    "client-output-buffer-limit": ["normal 1 2 3", "pubsub 1mb 2mb 3", "replica 1mb 2 3 normal 0 0 0", "",
                                   "foo 1 2 3", "normal 1 2", "normal a 2 3", "normal 1 2 x"],
    "maxmemory": ["5k", "5kB", "05", "1GB", "", "kb", "-1", "-0", "1.5gb", "0x10", "1 gb", "5bb", "+5",
                  "99999999999999999999", "9223372036854775807kb"],
    "maxmemory-policy": ["ALLKEYS-LRU", "volatile-ttl", "foo", ""],
    "notify-keyspace-events": ["KEA", "Kx", "Eg$lshzxetdmKAn", "A", "Q", "", "KEn"],
    "stream-node-max-entries": ["0", "-1", "50"],
    "stream-node-max-bytes": ["0", "-1", "8kb"],
    "hash-max-listpack-entries": ["100", "-1"],
    "hash-max-ziplist-entries": ["99"],
    "hash-max-listpack-value": ["128", "-1", "1kb"],
    "hash-max-ziplist-value": ["32"],
    "set-max-intset-entries": ["100", "-1"],
    "zset-max-listpack-entries": ["100", "-1"],
    "zset-max-ziplist-entries": ["7"],
    "zset-max-listpack-value": ["100", "-1"],
    "zset-max-ziplist-value": ["9"],
    "list-max-listpack-size": ["-5", "-6", "1", "abc", "", "2147483648", "-2147483649"],
    "list-max-ziplist-size": ["-1"],
    "list-compress-depth": ["1", "-1"],
    "save": ["100 5 60 10", "100", "100 -5", "100 5x", "100 05", "0 0", "1 0", "0 1", "+1 2", "1  2", " 100 5",
             "99999999999999999999 1", ""],
    "appendonly": ["no", "NO", "maybe"],
    "appendfsync": ["ALWAYS", "no", "sometimes"],
    "aof-load-truncated": ["no", "YES", "x"],
    "auto-aof-rewrite-percentage": ["50", "-1"],
    "auto-aof-rewrite-min-size": ["1mb", "-1", "18446744073709551615"],
    "loglevel": ["debug", "NOTICE", "nothing", "verbose"],
}


def test_set_values_cover_every_settable_setting() -> None:
    settable = {name for setting in SETTINGS if setting.mutable and not setting.protected
                for name in (setting.name,)} - LISTENER_SETTINGS
    assert settable <= set(SET_VALUES)


@pytest.mark.parametrize("name", list(SET_VALUES))
def test_config_set_then_get(restore: Pair, name: str) -> None:
    pair = restore
    before = {conn: decode_bulk(split_aggregate(conn.send("CONFIG", "GET", name))[1][1])
              for conn in (pair.real, pair.mini)}
    for value in SET_VALUES[name]:
        refused = pair.check("CONFIG", "SET", name, value).startswith(b"-")
        # A refused value leaves the launch value, which differs for launch-dependent settings.
        pair.check("CONFIG", "GET", name, compare=setting_name_only if refused and name in LAUNCH_DEPENDENT else None)
        # Each server back to its value after every case, so a tiny maxmemory or a password never outlives it.
        for conn, old in before.items():
            assert conn.send("CONFIG", "SET", name, old) == b"+OK\r\n"


@pytest.mark.parametrize(("name", "value"), [("port", "-1"), ("port", "x"), ("port", "65536"), ("port", "05"),
                                             ("bind", "10.255.255.1"), ("bind", "not-an-address")])
def test_config_set_listener_refusals(pairs: Pair, name: str, value: str) -> None:
    """A refused port or bind leaves both servers listening where they were."""
    pairs.check("CONFIG", "SET", name, value)
    pairs.check("CONFIG", "GET", name, compare=setting_name_only)
    pairs.check("PING")


IMMUTABLE = ["databases", "tcp-backlog", "daemonize", "logfile", "pidfile", "appendfilename", "appenddirname"]


@pytest.mark.parametrize("name", IMMUTABLE + ["dir", "DATABASES", "Dir"])
def test_config_set_immutable_and_protected(pairs: Pair, name: str) -> None:
    pairs.check("CONFIG", "SET", name, "1")


@pytest.mark.parametrize(
    "argv",
    [
        ("foo", "bar"), ("hz", "1", "foo"), ("foo", "bar", "hz"), ("hz",),
        ("hz", "1", "hz", "2"), ("hz", "1", "HZ", "2"), ("hz", "abc", "foo", "bar"), ("databases", "3", "foo", "bar"),
        ("hz", "5", "databases", "3"), ("hz", "1", "hz", "2", "foo", "3"), ("hz", "1", "databases", "2", "hz", "3"),
        ("hz", "1", "foo", "2", "databases", "3"), ("hz", "x", "maxmemory", "y"),
    ],
)
def test_config_set_errors(restore: Pair, argv: tuple[str, ...]) -> None:
    restore.check("CONFIG", "SET", *argv)
    restore.check("CONFIG", "GET", "hz")


def test_config_set_is_atomic(restore: Pair) -> None:
    restore.check("CONFIG", "SET", "hz", "7", "maxmemory", "abc")
    restore.check("CONFIG", "GET", "hz")
    restore.check("CONFIG", "SET", "hz", "7", "timeout", "5", "maxmemory-policy", "allkeys-lru")
    restore.check("CONFIG", "GET", "hz")
    restore.check("CONFIG", "GET", "timeout")
    restore.check("CONFIG", "SET", "hash-max-ziplist-entries", "3", "hash-max-listpack-entries", "4")
    restore.check("CONFIG", "GET", "hash-max-ziplist-entries")


@pytest.mark.parametrize("argv", [("CONFIG",), ("CONFIG", "GET"), ("CONFIG", "NOSUCH"), ("CONFIG", "RESETSTAT", "x"),
                                  ("CONFIG", "REWRITE"), ("CONFIG", "REWRITE", "x"),
                                  ("CONFIG", "HELP"), ("CONFIG", "HELP", "x"), ("config", "help")])
def test_config_arity_and_help(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check(*argv)


# --- DBSIZE / FLUSHDB / FLUSHALL / TIME / LASTSAVE -------------------------------------------------------------
def test_dbsize_flushdb_flushall(pairs: Pair) -> None:
    pairs.check("DBSIZE")
    pairs.check("SET", "a", "1")
    pairs.check("SET", "b", "1", "EX", "100")
    pairs.check("DBSIZE")
    pairs.check("SELECT", "1")
    pairs.check("SET", "c", "1")
    pairs.check("DBSIZE")
    pairs.check("FLUSHDB")
    pairs.check("DBSIZE")
    pairs.check("SELECT", "0")
    pairs.check("DBSIZE")
    pairs.check("FLUSHALL", "ASYNC")
    pairs.check("DBSIZE")
    pairs.check("SET", "a", "1")
    pairs.check("FLUSHDB", "sync")
    pairs.check("FLUSHALL", "SYNC")
    pairs.check("FLUSHDB", "Async")


@pytest.mark.parametrize("argv", [("FLUSHDB", "foo"), ("FLUSHALL", "foo"), ("FLUSHALL", "async", "sync"),
                                  ("FLUSHDB", "sync", "sync"), ("DBSIZE", "x"), ("TIME", "x"), ("LASTSAVE", "x"),
                                  ("MONITOR", "x"), ("FLUSHALL", "")])
def test_argument_errors(pairs: Pair, argv: tuple[str, ...]) -> None:
    pairs.check(*argv)


def test_flush_counts_changes(pair: Pair) -> None:
    """FLUSHALL adds the number of keys it removed to rdb_changes_since_last_save."""
    real_before = _info_int(pair.real, "rdb_changes_since_last_save")
    mini_before = _info_int(pair.mini, "rdb_changes_since_last_save")
    pair.check("SET", "a", "1")
    pair.check("SET", "b", "1")
    pair.check("SELECT", "2")
    pair.check("SET", "c", "1")
    pair.check("FLUSHALL")
    pair.check("SELECT", "0")
    assert (_info_int(pair.real, "rdb_changes_since_last_save") - real_before
            == _info_int(pair.mini, "rdb_changes_since_last_save") - mini_before)


def _info_int(conn: RawConnection, field: str) -> int:
    text = decode_bulk(conn.send("INFO", "everything"))
    match = re.search(rb"\r\n" + field.encode() + rb":(-?\d+)\r\n", text)
    assert match, field
    return int(match[1])


def test_time_and_lastsave(pairs: Pair) -> None:
    pairs.check("TIME", compare=time_shape)
    pairs.check("LASTSAVE", compare=integer_shape)


# --- MONITOR -----------------------------------------------------------------------------------------------------
_MONITOR_LINE = re.compile(rb"\+\d{10}\.\d{6} \[(\d+) [^\]]+\] ")


def _normalise_monitor(raw: bytes) -> bytes:
    return _MONITOR_LINE.sub(rb"+TIME [\1 ADDR] ", raw)


def _monitor_lines(conn: RawConnection, count: int) -> list[bytes]:
    lines = []
    for _ in range(count):
        reply = conn.read_reply(2.0)
        assert reply, f"expected {count} MONITOR lines from {conn!r}, got {lines!r}"
        lines.append(_normalise_monitor(reply))
    assert conn.read_reply(0.2) is None, f"extra MONITOR output from {conn!r}"
    return lines


MONITORED: list[tuple[str, ...]] = [
    ("SET", "k", 'a"b\\\x01\n\t\xff'),
    ("SELECT", "3"),
    ("GET", "k"),
    ("GET", ""),
    ("CONFIG", "GET", "hz"),  # admin: not shown
    ("NOSUCH",),  # unknown: not shown
    ("GET",),  # rejected: not shown
    ("ECHO", "\x07\x08 "),
    ("MULTI",),
    ("SET", "x", "y"),
    ("EXEC",),
    ("SELECT", "0"),
    ("PING",),
]


@pytest.mark.parametrize("protocol", [2, 3])
def test_monitor_lines(pair_factory: Callable[..., Pair], protocol: int) -> None:
    watcher = pair_factory(protocol)
    commands = pair_factory(2)
    watcher.check("MONITOR")
    for argv in MONITORED:
        commands.both(*argv)
    real = _monitor_lines(watcher.real, 10)
    mini = _monitor_lines(watcher.mini, 10)
    assert real == mini


@pytest.mark.parametrize("argv", [("AUTH", "secret"), ("AUTH", "default", "secret"),
                                  ("HELLO", "3", "AUTH", "default", "secret"), ("HELLO", "2", "SETNAME", "x")])
def test_monitor_redacts_credentials(pair_factory: Callable[..., Pair], argv: tuple[str, ...]) -> None:
    watcher = pair_factory(2)
    commands = pair_factory(2)
    watcher.check("MONITOR")
    commands.both(*argv)
    assert _monitor_lines(watcher.real, 1) == _monitor_lines(watcher.mini, 1)


def test_monitor_inside_multi(pair: Pair) -> None:
    pair.check("MULTI")
    pair.check("MONITOR")
    pair.check("EXEC")
    pair.check("PING")


def test_dbsize_resp3(pair3: Pair) -> None:
    pair3.check("SET", "a", "1")
    pair3.check("DBSIZE")
    pair3.check("CONFIG", "GET", "hz")
    pair3.check("CONFIG", "GET", "maxmemory-policy")
    pair3.check("CONFIG", "GET", "*ziplist*", compare=served_settings)
    pair3.check("INFO", "cluster")
    pair3.check("TIME", compare=comparers.same_type)
