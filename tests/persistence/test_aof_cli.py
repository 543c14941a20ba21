"""The command line: ``miniredis check-aof [--fix] DIR`` and start-up refusals (file and offset named)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from miniredis.persistence.aof_rewrite import encode_command

Make = Callable[..., Any]


def cmd(*args: str) -> bytes:
    return encode_command([arg.encode() for arg in args])


def make_dir(root: Path, incr: bytes) -> Path:
    directory = root / "appendonlydir"
    directory.mkdir()
    (directory / "appendonly.aof.1.base.aof").write_bytes(cmd("SELECT", "0") + cmd("SET", "base", "1"))
    (directory / "appendonly.aof.1.incr.aof").write_bytes(incr)
    (directory / "appendonly.aof.manifest").write_text(
        "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n")
    return directory


def check_aof(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "miniredis", "check-aof", *args], capture_output=True, text=True,
                          timeout=60)


def test_check_aof_valid_truncated_and_fixed(tmp_path: Path) -> None:
    good = cmd("SET", "a", "1")
    directory = make_dir(tmp_path, good + good[:7])
    result = check_aof(str(directory))
    assert result.returncode == 1
    assert "AOF appendonly.aof.1.incr.aof is not valid. Use the --fix option to try fixing it." in result.stdout
    assert "BASE AOF appendonly.aof.1.base.aof is valid" in result.stdout
    result = check_aof("--fix", str(directory))
    assert result.returncode == 0, result.stdout
    assert "Successfully truncated AOF appendonly.aof.1.incr.aof" in result.stdout
    assert (directory / "appendonly.aof.1.incr.aof").read_bytes() == good
    result = check_aof(str(directory))
    assert result.returncode == 0 and result.stdout.rstrip().endswith("All AOF files and manifest are valid")


def test_check_aof_usage(tmp_path: Path) -> None:
    assert check_aof().returncode == 1
    assert check_aof(str(tmp_path)).returncode == 1  # no manifest


def test_start_refuses_corruption_with_file_and_offset(mini: Make, tmp_path: Path) -> None:
    good = cmd("SET", "a", "1")
    make_dir(tmp_path, good + b"*3\r\n$3\r\nSET\r\nxx" + good)
    proc = mini(str(tmp_path)).start(expect_failure=True)
    assert proc.proc is None or proc.proc.returncode == 1
    log = proc.log.decode()
    assert f"Bad file format reading the append only file appendonly.aof.1.incr.aof at offset {len(good)}" in log


def test_truncated_tail_loaded_or_refused_per_setting(mini: Make, tmp_path: Path) -> None:
    good = cmd("SELECT", "0") + cmd("SET", "a", "1")
    directory = make_dir(tmp_path, good + cmd("SET", "b", "2")[:-4])
    refused = mini(str(tmp_path), "--aof-load-truncated", "no").start(expect_failure=True)
    assert b"Unexpected end of file reading the append only file appendonly.aof.1.incr.aof" in refused.log
    loaded = mini(str(tmp_path)).start()
    client = loaded.client()
    assert client.get("a") == b"1" and client.get("b") is None and client.get("base") == b"1"
    client.set("c", "3")  # appended after the cut, at a record boundary
    client.close()
    loaded.stop()
    assert b"short read while loading the AOF file appendonly.aof.1.incr.aof" in loaded.log
    assert (directory / "appendonly.aof.1.incr.aof").read_bytes() == good + cmd("SELECT", "0") + cmd("SET", "c", "3")
