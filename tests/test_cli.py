"""The command line as a subprocess: start-up log line, config file and options, fatal config errors,
--version, pidfile/logfile/dir, and a clean exit (code 0) on SIGTERM and SIGINT."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from miniredis._compiled import compiled_modules

READY = re.compile(rb"ready to accept connections on port (\d+), pid (\d+)")


def run(*args: str, cwd: Path | None = None, timeout: float = 20) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "miniredis", *args], capture_output=True, timeout=timeout,
                          cwd=cwd)


class Running:
    """A miniredis child process; ``port`` is read from its start-up log line."""

    def __init__(self, *args: str, cwd: Path | None = None, log_path: Path | None = None) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "miniredis", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, cwd=cwd)
        self.output = b""
        self.port = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if log_path is not None:
                text = log_path.read_bytes() if log_path.exists() else b""
                match = READY.search(text)
                if match is None:
                    if self.proc.poll() is not None:
                        break
                    time.sleep(0.05)
                    continue
            else:
                assert self.proc.stdout is not None
                line = self.proc.stdout.readline()
                if not line:
                    break
                self.output += line
                match = READY.search(line)
                if match is None:
                    continue
            self.port = int(match.group(1))
            assert int(match.group(2)) == self.proc.pid
            return
        self.stop()
        raise AssertionError(f"miniredis did not start: {self.output!r}")

    def client(self, **kwargs: object) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, **kwargs)  # type: ignore[arg-type]

    def signal(self, signum: int) -> int:
        self.proc.send_signal(signum)
        code = self.proc.wait(15)
        assert self.proc.stdout is not None
        self.output += self.proc.stdout.read()
        return code

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def started() -> Iterator[list[Running]]:
    """Processes a test starts; any still running at the end are killed."""
    processes: list[Running] = []
    yield processes
    for process in processes:
        process.stop()


def test_port_zero_logs_the_port_and_sigterm_exits_cleanly(started: list[Running]) -> None:
    server = Running("--port", "0", "--save", "--appendonly", "no")  # "--save" alone means save ""
    started.append(server)
    client = server.client()
    assert client.ping()
    assert client.config_get("save") == {"save": ""}
    assert client.set("a", "1") and client.get("a") == b"1"
    assert client.config_get("port") == {"port": str(server.port)}
    assert client.info("server")["tcp_port"] == server.port
    client.close()
    assert server.signal(signal.SIGTERM) == 0
    assert b"Received SIGTERM" in server.output
    assert b"ready to exit" in server.output


def test_sigint_exits_cleanly(started: list[Running]) -> None:
    server = Running("--port", "0")
    started.append(server)
    assert server.client().ping()
    assert server.signal(signal.SIGINT) == 0


def test_config_file_and_options(tmp_path: Path, started: list[Running]) -> None:
    conf = tmp_path / "miniredis.conf"
    conf.write_text('# test config\nport 0\nrequirepass "s3 cret"\nhz 20\nsave 900 1\nsave 300 10\n'
                    "maxmemory-policy allkeys-lru\n")
    server = Running(str(conf), "--hz", "30", "--databases", "4")
    started.append(server)
    with pytest.raises(redis.AuthenticationError):
        server.client().ping()
    client = server.client(password="s3 cret")
    assert client.config_get("hz") == {"hz": "30"}  # the command line comes after the file
    assert client.config_get("save") == {"save": "900 1 300 10"}
    assert client.config_get("databases") == {"databases": "4"}
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    assert client.info("server")["config_file"] == str(conf)
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        client.execute_command("SELECT", 4)
    client.close()
    assert server.signal(signal.SIGTERM) == 0


def test_logfile_loglevel_pidfile_and_dir(tmp_path: Path, started: list[Running]) -> None:
    log_path = tmp_path / "server.log"
    pidfile = tmp_path / "miniredis.pid"
    workdir = tmp_path / "data"
    workdir.mkdir()
    server = Running("--port", "0", "--logfile", str(log_path), "--pidfile", str(pidfile), "--dir", str(workdir),
                     log_path=log_path)
    started.append(server)
    assert pidfile.read_text().strip() == str(server.proc.pid)
    client = server.client()
    assert client.config_get("dir") == {"dir": str(workdir)}
    assert client.config_get("logfile") == {"logfile": str(log_path)}
    client.config_set("loglevel", "warning")
    client.close()
    assert server.signal(signal.SIGTERM) == 0
    assert not pidfile.exists()
    text = log_path.read_text()
    assert "ready to accept connections" in text and "ready to exit" in text
    # The start-up line says how the server runs: compiled (as built here) or plain Python.
    compiled = len(compiled_modules())
    assert (f"{compiled} modules compiled)" if compiled else "plain Python)") in text


@pytest.mark.parametrize(
    ("args", "conf", "expected"),
    [
        ((), "port 0\n# comment\nfoo bar\n", [">>> 'foo bar'", "Bad directive or wrong number of arguments",
                                               "at line 3"]),
        ((), "hz abc\n", [">>> 'hz abc'", "argument couldn't be parsed into an integer", "at line 1"]),
        ((), 'port "7000\n', ["Unbalanced quotes in configuration line"]),
        ((), "databases\n", ["wrong number of arguments"]),
        (("--nosuch", "1"), "port 0\n", [">>> 'nosuch 1'", "Bad directive", "command line, at option 1"]),
        (("--hz", "x"), None, [">>> 'hz x'", "couldn't be parsed into an integer"]),
        (("--appendonly", "maybe"), None, ["argument must be 'yes' or 'no'"]),
        (("--port", "70000"), None, ["argument must be between 0 and 65535 inclusive"]),
        (("--port",), None, [">>> 'port \"\"'", "argument couldn't be parsed into an integer"]),
    ],
)
def test_fatal_config_errors(tmp_path: Path, args: tuple[str, ...], conf: str | None, expected: list[str]) -> None:
    argv = list(args)
    if conf is not None:
        path = tmp_path / "bad.conf"
        path.write_text(conf)
        argv.insert(0, str(path))
    result = run(*argv)
    assert result.returncode == 1
    err = result.stderr.decode()
    assert "*** FATAL CONFIG FILE ERROR" in err
    if conf is not None and not args:
        assert str(tmp_path / "bad.conf") in err  # the file is named
    for part in expected:
        assert part in err, err


def test_missing_config_file(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.conf"))
    assert result.returncode == 1
    assert b"can't open config file" in result.stderr


def test_bad_dir_fails(tmp_path: Path) -> None:
    result = run("--port", "0", "--dir", str(tmp_path / "missing"))
    assert result.returncode == 1
    assert b"Can't chdir to" in result.stderr


def test_port_in_use_fails(started: list[Running]) -> None:
    server = Running("--port", "0")
    started.append(server)
    result = run("--port", str(server.port), "--bind", "127.0.0.1")
    assert result.returncode == 1
    assert b"Could not create server TCP listening socket" in result.stdout + result.stderr


@pytest.mark.parametrize("flag", ["-v", "--version"])
def test_version(flag: str) -> None:
    result = run(flag)
    assert result.returncode == 0
    assert re.match(rb"miniredis \d+\.\d+\.\d+ \(Redis 7\.0\.15 compatible\)", result.stdout)


def test_help() -> None:
    result = run("--help")
    assert result.returncode == 0 and b"Usage: miniredis" in result.stdout


def test_console_script_entry_point_is_main() -> None:
    from miniredis.__main__ import main

    assert main(["--version"]) == 0


def test_config_rewrite_then_restart(tmp_path: Path, started: list[Running]) -> None:
    conf = tmp_path / "rewrite.conf"
    conf.write_text("# mine\nport 0\nhz 10\nsave 900 1\n")
    server = Running(str(conf))
    started.append(server)
    client = server.client()
    assert client.config_set("hz", "25")
    assert client.config_set("maxmemory", "2mb")
    assert client.config_set("requirepass", "p w")
    assert client.config_rewrite()
    client.close()
    text = conf.read_text()
    assert text.startswith("# mine\nport 0\nhz 25\nsave 900 1\n")
    assert "\n# Generated by CONFIG REWRITE\n" in text
    assert 'maxmemory 2mb\n' in text and 'requirepass "p w"\n' in text
    assert server.signal(signal.SIGTERM) == 0
    again = Running(str(conf))
    started.append(again)
    client = again.client(password="p w")
    assert client.config_get("hz") == {"hz": "25"}
    assert client.config_get("maxmemory") == {"maxmemory": "2097152"}
    client.close()
    assert again.signal(signal.SIGTERM) == 0


def test_config_rewrite_without_config_file(started: list[Running]) -> None:
    server = Running("--port", "0")
    started.append(server)
    with pytest.raises(redis.ResponseError, match="The server is running without a config file"):
        server.client().config_rewrite()


def test_maxclients_beyond_the_open_files_limit_is_reduced(started: list[Running]) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > 10**7:
        pytest.skip("no open-files limit to run into")
    server = Running("--port", "0", "--maxclients", str(hard + 1000))
    started.append(server)
    assert server.client().config_get("maxclients") == {"maxclients": str(hard - 32)}
    assert b"maxclients has been reduced" in server.output


def test_daemonize(tmp_path: Path) -> None:
    log_path, pidfile = tmp_path / "d.log", tmp_path / "d.pid"
    result = run("--port", "0", "--daemonize", "yes", "--logfile", str(log_path), "--pidfile", str(pidfile))
    assert result.returncode == 0  # the foreground process exits at once
    deadline = time.monotonic() + 20
    match = None
    while time.monotonic() < deadline and match is None:
        match = READY.search(log_path.read_bytes()) if log_path.exists() else None
        time.sleep(0.05)
    assert match is not None, "the daemon never logged its start"
    pid = int(pidfile.read_text())
    try:
        assert pid == int(match.group(2))
        assert redis.Redis(host="127.0.0.1", port=int(match.group(1)), socket_timeout=5).ping()
    finally:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while pidfile.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pidfile.exists()
    assert b"ready to exit" in log_path.read_bytes()
