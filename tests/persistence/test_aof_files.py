"""AOF file formats without sockets: manifest, record parser, rewrite output, loading rules, check-aof."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from miniredis.config import Config
from miniredis.persistence.aof_loader import (
    AofLoadError,
    AofTruncated,
    check_directory,
    load_directory,
    parse_records,
    scan,
)
from miniredis.persistence.aof_rewrite import encode_command, key_commands, keyspace_commands
from miniredis.persistence.manifest import Manifest, ManifestError, parse_manifest
from miniredis.server.app import Server
from miniredis.structures.cgroup import ConsumerGroup
from miniredis.structures.quicklist import QuickList
from miniredis.structures.stream import Stream

REDIS_MANIFEST = "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"


def cmd(*args: bytes | str) -> bytes:
    return encode_command([arg.encode() if isinstance(arg, str) else arg for arg in args])


def make_dir(tmp_path: Path, base: bytes, incrs: list[bytes]) -> str:
    directory = tmp_path / "appendonlydir"
    directory.mkdir()
    lines = ["file appendonly.aof.1.base.aof seq 1 type b\n"]
    (directory / "appendonly.aof.1.base.aof").write_bytes(base)
    for seq, data in enumerate(incrs, start=1):
        (directory / f"appendonly.aof.{seq}.incr.aof").write_bytes(data)
        lines.append(f"file appendonly.aof.{seq}.incr.aof seq {seq} type i\n")
    (directory / "appendonly.aof.manifest").write_text("".join(lines))
    return str(directory)


# --- manifest -----------------------------------------------------------------------------------------
def test_manifest_round_trips_redis_text() -> None:
    manifest = parse_manifest(REDIS_MANIFEST)
    assert manifest.base is not None and manifest.base.name == "appendonly.aof.1.base.aof"
    assert [item.name for item in manifest.incrs] == ["appendonly.aof.1.incr.aof"]
    assert manifest.render().decode() == REDIS_MANIFEST


def test_manifest_orders_incr_files_and_skips_history() -> None:
    text = ("file a.3.incr.aof seq 3 type i\nfile a.2.base.aof seq 2 type b\nfile a.2.incr.aof seq 2 type i\n"
            "file a.1.base.aof seq 1 type h\n")
    manifest = parse_manifest(text)
    assert [item.name for item in manifest.files()] == ["a.2.base.aof", "a.2.incr.aof", "a.3.incr.aof"]
    assert manifest.incr_seq == 3 and manifest.base_seq == 2


@pytest.mark.parametrize("text", ["", "file x seq 1\n", "file x seq one type b\n",
                                  "file a seq 1 type b\nfile b seq 2 type b\n", "file a seq 1 type z\n"])
def test_manifest_errors(text: str) -> None:
    with pytest.raises(ManifestError):
        parse_manifest(text)


def test_empty_manifest_object_renders_nothing() -> None:
    assert Manifest().render() == b""


# --- records ------------------------------------------------------------------------------------------
def test_parse_records_offsets() -> None:
    data = cmd("SET", "a", "1") + cmd("DEL", "a")
    records = list(parse_records(data))
    assert [argv for _, _, argv in records] == [[b"SET", b"a", b"1"], [b"DEL", b"a"]]
    assert records[1][0] == len(cmd("SET", "a", "1")) and records[1][1] == len(data)


@pytest.mark.parametrize("cut", range(1, 20))
def test_every_cut_of_a_record_is_truncation(cut: int) -> None:
    data = cmd("SET", "key", "value")
    assert cut < len(data)
    with pytest.raises(AofTruncated):
        list(parse_records(data[:cut]))
    result = scan(cmd("PING") + data[:cut])
    assert result.truncated and result.ok_up_to == len(cmd("PING")) and result.error is None


def test_corruption_is_not_truncation() -> None:
    good = cmd("SET", "a", "1")
    result = scan(good + b"*Z\r\n" + good)
    assert result.error is not None and result.error_offset == len(good) and not result.truncated
    result = scan(good + b"*1\r\n$4\r\nPINGxx" + good)
    assert result.error is not None and result.error_offset == len(good)


def test_unterminated_multi_counts_as_truncated() -> None:
    data = cmd("SET", "a", "1") + cmd("MULTI") + cmd("SET", "b", "2")
    result = scan(data)
    assert result.truncated and result.ok_up_to == len(cmd("SET", "a", "1"))


# --- rewrite output -----------------------------------------------------------------------------------
def test_rewrite_forms_per_type() -> None:
    assert b"".join(key_commands(b"s", b"v", 123)) == cmd("SET", "s", "v") + cmd("PEXPIREAT", "s", "123")
    assert b"".join(key_commands(b"l", QuickList.from_iterable([b"a", b"b"]), None)) == cmd("RPUSH", "l", "a", "b")
    assert b"".join(key_commands(b"h", {b"f": b"v"}, None)) == cmd("HMSET", "h", "f", "v")
    assert b"".join(key_commands(b"t", {b"m"}, None)) == cmd("SADD", "t", "m")


def test_rewrite_batches_64_items_per_command() -> None:
    records = list(key_commands(b"l", QuickList.from_iterable(b"%d" % i for i in range(1000)), None))
    assert len(records) == 16  # 15 full batches and 40 left over, across packed nodes
    parsed = [argv for _, _, argv in parse_records(b"".join(records))]
    assert [len(argv) for argv in parsed] == [66] * 15 + [42]
    assert [arg for argv in parsed for arg in argv[2:]] == [b"%d" % i for i in range(1000)]


def test_rewrite_stream_with_groups_matches_redis_forms() -> None:
    stream = Stream()
    for ms in (1, 2, 3):
        stream.append((ms, 1), (b"f",), (b"v%d" % ms,), 100, 4096)
    stream.delete((2, 1))
    group = ConsumerGroup(b"g1", (1, 1), None)
    alice = group.consumer(b"alice", 1000)
    assert alice is not None
    group.deliver((1, 1), alice, 5000)
    group.consumer(b"bob", 1000)
    stream.groups[b"g1"] = group
    stream.groups[b"g2"] = ConsumerGroup(b"g2", (3, 1), 3)
    out = b"".join(key_commands(b"st", stream, None))
    assert out == (
        cmd("XADD", "st", "1-1", "f", "v1") + cmd("XADD", "st", "3-1", "f", "v3")
        + cmd("XSETID", "st", "3-1", "ENTRIESADDED", "3", "MAXDELETEDID", "2-1")
        + cmd("XGROUP", "CREATE", "st", "g1", "1-1", "ENTRIESREAD", "-1")
        + cmd("XCLAIM", "st", "g1", "alice", "0", "1-1", "TIME", "5000", "RETRYCOUNT", "1", "JUSTID", "FORCE")
        + cmd("XGROUP", "CREATECONSUMER", "st", "g1", "bob")
        + cmd("XGROUP", "CREATE", "st", "g2", "3-1", "ENTRIESREAD", "3")
    )


def test_rewrite_empty_stream_uses_maxlen_0() -> None:
    stream = Stream()
    stream.append((5, 5), (b"a",), (b"b",), 100, 4096)
    stream.delete((5, 5))
    assert b"".join(key_commands(b"e", stream, None)) == (
        cmd("XADD", "e", "MAXLEN", "0", "0-1", "x", "y")
        + cmd("XSETID", "e", "5-5", "ENTRIESADDED", "1", "MAXDELETEDID", "5-5")
    )


def test_keyspace_commands_select_each_nonempty_db() -> None:
    server = Server(Config())
    server.dbs[0].data[b"a"] = b"1"
    server.dbs[2].data[b"b"] = b"2"
    assert b"".join(keyspace_commands(server)) == (
        cmd("SELECT", "0") + cmd("SET", "a", "1") + cmd("SELECT", "2") + cmd("SET", "b", "2")
    )


# --- loading ------------------------------------------------------------------------------------------
def new_server(**settings: str) -> Server:
    return Server(Config(settings))


def test_load_replays_base_then_incrs_with_transactions(tmp_path: Path) -> None:
    base = cmd("SELECT", "0") + cmd("SET", "a", "1") + cmd("RPUSH", "l", "x", "y")
    incr1 = cmd("SELECT", "0") + cmd("INCR", "a") + cmd("MULTI") + cmd("SET", "b", "2") + cmd("SELECT", "1") \
        + cmd("SET", "c", "3") + cmd("EXEC")
    incr2 = cmd("SELECT", "0") + cmd("LPOP", "l") + cmd("HSET", "h", "f", "v")
    directory = make_dir(tmp_path, base, [incr1, incr2])
    server = new_server()
    result = load_directory(server, directory, "appendonly.aof", True)
    assert result is not None and result.commands == 11  # SELECTs included
    db0, db1 = server.dbs[0].data, server.dbs[1].data
    assert db0[b"a"] == b"2" and db0[b"b"] == b"2" and list(db0[b"l"]) == [b"y"]  # type: ignore[call-overload]
    assert db0[b"h"] == {b"f": b"v"} and db1[b"c"] == b"3"


def test_truncated_tail_is_cut_when_allowed(tmp_path: Path) -> None:
    good = cmd("SELECT", "0") + cmd("SET", "a", "1")
    directory = make_dir(tmp_path, b"", [good + cmd("SET", "b", "2")[:-3]])
    server = new_server()
    load_directory(server, directory, "appendonly.aof", True)
    assert server.dbs[0].data == {b"a": b"1"}
    assert os.path.getsize(os.path.join(directory, "appendonly.aof.1.incr.aof")) == len(good)


def test_truncated_tail_refused_when_not_allowed(tmp_path: Path) -> None:
    directory = make_dir(tmp_path, b"", [cmd("SET", "a", "1") + b"*2\r\n$3\r\nGET"])
    with pytest.raises(AofLoadError, match="Unexpected end of file .*appendonly.aof.1.incr.aof"):
        load_directory(new_server(), directory, "appendonly.aof", False)


def test_incomplete_multi_at_end_is_reverted(tmp_path: Path) -> None:
    good = cmd("SET", "a", "1")
    directory = make_dir(tmp_path, b"", [good + cmd("MULTI") + cmd("SET", "b", "2")])
    server = new_server()
    load_directory(server, directory, "appendonly.aof", True)
    assert server.dbs[0].data == {b"a": b"1"}
    assert os.path.getsize(os.path.join(directory, "appendonly.aof.1.incr.aof")) == len(good)


def test_truncated_file_that_is_not_last_is_fatal(tmp_path: Path) -> None:
    directory = make_dir(tmp_path, b"", [cmd("SET", "a", "1")[:-2], cmd("SET", "b", "1")])
    with pytest.raises(AofLoadError, match="not the last file"):
        load_directory(new_server(), directory, "appendonly.aof", True)


def test_corruption_names_file_and_offset(tmp_path: Path) -> None:
    good = cmd("SET", "a", "1")
    directory = make_dir(tmp_path, good, [good + b"*X\r\n" + good])
    with pytest.raises(AofLoadError, match=f"appendonly.aof.1.incr.aof at offset {len(good)}"):
        load_directory(new_server(), directory, "appendonly.aof", True)


def test_rdb_base_is_refused_by_name(tmp_path: Path) -> None:
    directory = make_dir(tmp_path, b"REDIS0010\xfa\x09redis-ver", [])
    with pytest.raises(AofLoadError, match="appendonly.aof.1.base.aof is an RDB file"):
        load_directory(new_server(), directory, "appendonly.aof", True)


def test_unknown_command_is_fatal(tmp_path: Path) -> None:
    directory = make_dir(tmp_path, b"", [cmd("NOSUCHCMD", "x")])
    with pytest.raises(AofLoadError, match="Unknown command 'NOSUCHCMD'"):
        load_directory(new_server(), directory, "appendonly.aof", True)


def test_missing_file_is_fatal(tmp_path: Path) -> None:
    directory = make_dir(tmp_path, b"", [b""])
    os.unlink(os.path.join(directory, "appendonly.aof.1.incr.aof"))
    with pytest.raises(AofLoadError, match="doesn't exist"):
        load_directory(new_server(), directory, "appendonly.aof", True)


def test_no_manifest_loads_nothing(tmp_path: Path) -> None:
    assert load_directory(new_server(), str(tmp_path), "appendonly.aof", True) is None


# --- check-aof ----------------------------------------------------------------------------------------
def test_check_aof_reports_and_fixes_truncation(tmp_path: Path) -> None:
    good = cmd("SET", "a", "1")
    directory = make_dir(tmp_path, good, [good + good[:5]])
    valid, lines = check_directory(directory)
    assert not valid and "is not valid. Use the --fix option to try fixing it." in lines[-1]
    valid, lines = check_directory(directory, fix=True)
    assert valid and lines[-1] == "All AOF files and manifest are valid"
    assert os.path.getsize(os.path.join(directory, "appendonly.aof.1.incr.aof")) == len(good)
    assert check_directory(directory)[0]


def test_check_aof_cannot_fix_the_base(tmp_path: Path) -> None:
    directory = make_dir(tmp_path, b"*Z\r\n", [b""])
    valid, lines = check_directory(directory, fix=True)
    assert not valid and "Only the last file can be fixed" in lines[-1]


def test_rewrite_zset_in_rank_order_with_17g_scores() -> None:
    from miniredis.structures.zset import ZSet

    zset = ZSet([(1.5, b"a"), (-2.0, b"b"), (0.1, b"c"), (float("inf"), b"d"), (1.5, b"0")])
    assert b"".join(key_commands(b"z", zset, None)) == cmd(
        "ZADD", "z", "-2", "b", "0.10000000000000001", "c", "1.5", "0", "1.5", "a", "inf", "d")
