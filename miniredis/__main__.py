"""Command line: ``miniredis [config-file] [--option value ...]``, as redis-server takes it.

Every setting in ``miniredis.config`` is an option under its redis.conf name (``--port 0``,
``--bind "127.0.0.1 -::1"``, ``--save ''``, ``--requirepass secret``). The config file is the
redis.conf subset ``miniredis.config.read_config_text`` reads; command-line options are applied
after it, as redis-server does. A directive or value Redis would refuse stops the start with
redis-server's fatal-config report (naming the file and line, or the option) and exit code 1.

At start the server logs one line with the version, the port it listens on (``--port 0`` picks a
free one) and the pid. SIGINT and SIGTERM shut it down cleanly with exit code 0. ``--daemonize
yes`` forks into the background; ``--pidfile`` is written while the server runs; ``--dir`` is
the working directory (Redis changes into it); ``--loglevel`` and ``--logfile`` work as in Redis.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
import sys
import time
from typing import TextIO

from miniredis import REDIS_VERSION, __version__
from miniredis._compiled import compiled_modules
from miniredis.commands.server import RESERVED_FDS, ensure_file_limit
from miniredis.config import Config, ConfigError, ConfigFileError, apply_directives, read_config_text
from miniredis.persistence.aof_loader import AofLoadError, check_directory
from miniredis.server.app import Server

log = logging.getLogger("miniredis")

USAGE = """Usage: miniredis [/path/to/redis.conf] [options] [-]
       miniredis - (read config from stdin)
       miniredis -v or --version
       miniredis -h or --help
       miniredis check-aof [--fix] <appendonlydir> (check, or repair, an AOF directory)

Examples:
       miniredis (run the server with default config)
       miniredis /etc/redis/6379.conf
       miniredis --port 7777
       miniredis --port 0 (listen on a free port, logged at start)
       miniredis /etc/myredis.conf --loglevel verbose --save ''
"""

LOG_LEVELS = {"debug": logging.DEBUG, "verbose": 15, "notice": logging.INFO, "warning": logging.WARNING}
_LEVEL_MARKS = ((logging.WARNING, "#"), (logging.INFO, "*"), (15, "-"))


class RedisLogFormatter(logging.Formatter):
    """Redis's log line: ``pid:M 29 Nov 2026 07:06:44.770 * message`` (. debug, - verbose, * notice, # warning)."""

    def format(self, record: logging.LogRecord) -> str:
        mark = next((mark for level, mark in _LEVEL_MARKS if record.levelno >= level), ".")
        stamp = time.strftime("%d %b %Y %H:%M:%S", time.localtime(record.created))
        text = f"{record.process}:M {stamp}.{int(record.msecs):03d} {mark} {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class StartupError(Exception):
    """The server cannot start; the message is printed and the exit code is 1."""


def split_command_line(args: list[str]) -> tuple[str | None, list[tuple[str, list[str]]]]:
    """``(config file or None, [(option name, [values])...])``; '-' as the file reads stdin."""
    config_file: str | None = None
    index = 0
    if args and (not args[0].startswith("--") or args[0] == "-"):
        config_file = args[0]
        index = 1
    options: list[tuple[str, list[str]]] = []
    while index < len(args):
        arg = args[index]
        if not arg.startswith("--") or len(arg) == 2:
            raise StartupError(f"Invalid argument '{arg}': options start with -- (see miniredis --help)")
        values: list[str] = []
        index += 1
        while index < len(args) and not args[index].startswith("--"):
            values.append(args[index])
            index += 1
        # An option without a value stands for the empty string, as in redis-server 7 ("--save").
        options.append((arg[2:], values or [""]))
    return config_file, options


def fatal_config_report(where: str, error: ConfigFileError) -> str:
    """redis-server's report; ``where`` is "the configuration file 'x', at line" or "the command line, at option"."""
    return (
        f"\n*** FATAL CONFIG FILE ERROR (miniredis {__version__}, Redis {REDIS_VERSION} compatible) ***\n"
        f"Reading {where} {error.line_number}\n"
        f">>> '{error.line}'\n"
        f"{error.reason}\n"
    )


def _quote(word: str) -> str:
    return f'"{word}"' if (not word or any(char in word for char in " \t\"'")) else word


def load_config(args: list[str], stdin: TextIO | None = None) -> tuple[Config, str | None]:
    """Build the Config from a command line; raises StartupError with the report to print."""
    config_file, options = split_command_line(args)
    config = Config()
    if config_file is not None:
        if config_file == "-":
            text = (stdin or sys.stdin).read()
            source = "the configuration from stdin, at line"
        else:
            try:
                with open(config_file, encoding="utf-8", errors="surrogateescape") as handle:
                    text = handle.read()
            except OSError as error:
                raise StartupError(
                    f"Fatal error, can't open config file '{os.path.abspath(config_file)}': {error.strerror}"
                ) from None
            source = f"the configuration file '{config_file}', at line"
        try:
            apply_directives(config, read_config_text(text))
        except ConfigFileError as error:
            raise StartupError(fatal_config_report(source, error)) from None
    directives = [
        (number, " ".join([name, *(_quote(value) for value in values)]), [name, *values])
        for number, (name, values) in enumerate(options, start=1)
    ]
    try:
        apply_directives(config, directives)
    except ConfigFileError as error:
        raise StartupError(fatal_config_report("the command line, at option", error)) from None
    return config, (os.path.abspath(config_file) if config_file not in (None, "-") else None)


def setup_logging(config: Config) -> None:
    """Log to ``logfile`` (appending) or, when it is empty, to stdout, at ``loglevel``."""
    handler: logging.Handler
    if config.logfile:
        handler = logging.FileHandler(config.logfile, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(RedisLogFormatter())
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(LOG_LEVELS[config.loglevel])


def adjust_maxclients(config: Config) -> None:
    """At start, as Redis: raise the open-files limit for ``maxclients``, else serve fewer clients (a warning)."""
    try:
        ensure_file_limit(config.maxclients)
    except ConfigError:
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        reduced = max(1, soft - RESERVED_FDS)
        log.warning("Current maximum open files is %d. maxclients has been reduced to %d to compensate for low "
                    "ulimit. If you need higher maxclients increase 'ulimit -n'.", soft, reduced)
        config.set("maxclients", str(reduced))


def daemonize() -> None:
    """Fork into the background (redis-server's daemonize): the parent exits, the child leads a session."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if devnull > 2:
        os.close(devnull)


async def serve(config: Config, config_file: str | None = None) -> None:
    server = Server(config)
    server.config_file = config_file or ""
    server.executable = os.path.abspath(sys.argv[0])
    try:
        await server.start()
    except AofLoadError as error:  # AOF: a directory that cannot be loaded stops the start, named
        await server.stop()
        raise StartupError(str(error)) from None
    except OSError as error:
        await server.stop()
        raise StartupError(f"Could not create server TCP listening socket {config.bind} port {config.port}: {error}")
    compiled = len(compiled_modules())
    log.info("miniredis %s (Redis %s compatible, %s) ready to accept connections on port %d, pid %d",
             __version__, REDIS_VERSION, f"{compiled} modules compiled" if compiled else "plain Python",
             server.port, os.getpid())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    received: list[str] = []

    def request_stop(name: str) -> None:
        received.append(name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, request_stop, signal.Signals(signum).name)
    # SHUTDOWN (when served) asks for the same clean exit.
    server.shutdown_requested = stop.set
    await stop.wait()
    if received:
        log.warning("Received %s scheduling shutdown...", received[0])
    log.warning("User requested shutdown...")
    await server.stop()
    log.warning("miniredis is now ready to exit, bye bye...")


def check_aof(args: list[str]) -> int:
    """``miniredis check-aof [--fix] DIR``: redis-check-aof for a multi-part AOF directory (exit 1: invalid)."""
    fix = "--fix" in args
    rest = [arg for arg in args if arg != "--fix"]
    if len(rest) != 1:
        print("Usage: miniredis check-aof [--fix] <appendonlydir>", file=sys.stderr)
        return 1
    directory = rest[0]
    filename = "appendonly.aof"
    if os.path.isdir(directory):
        manifests = [name for name in os.listdir(directory) if name.endswith(".manifest")]
        if len(manifests) == 1:
            filename = manifests[0][: -len(".manifest")]
    valid, lines = check_directory(directory, filename, fix)
    print("\n".join(lines))
    return 0 if valid else 1


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-v", "--version"):
        print(f"miniredis {__version__} (Redis {REDIS_VERSION} compatible) "
              f"python={sys.version.split()[0]} bits={64 if sys.maxsize > 2**32 else 32}")
        return 0
    if args and args[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0
    if args and args[0] == "check-aof":
        return check_aof(args[1:])
    try:
        config, config_file = load_config(args)
        if config.dir not in ("", "."):
            try:
                os.chdir(config.dir)
            except OSError as error:
                raise StartupError(f"Can't chdir to '{config.dir}': {error.strerror}") from None
            setattr(config, "dir", os.getcwd())  # noqa: B010  (settings are dynamic attributes)
        if config.daemonize:
            daemonize()
        setup_logging(config)
    except StartupError as error:
        print(str(error), file=sys.stderr)
        return 1
    adjust_maxclients(config)
    pidfile = config.pidfile
    if pidfile:
        with open(pidfile, "w", encoding="ascii") as handle:
            handle.write(f"{os.getpid()}\n")
    try:
        try:
            import uvloop
        except ImportError:
            asyncio.run(serve(config, config_file))
        else:
            uvloop.run(serve(config, config_file))
    except StartupError as error:
        log.warning("%s", error)
        return 1
    finally:
        if pidfile:
            try:
                os.unlink(pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
