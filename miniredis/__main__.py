"""Command line: ``miniredis [config-file] [--option value ...]`` (redis-server's option names)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from miniredis import REDIS_VERSION, __version__
from miniredis.config import Config
from miniredis.server.app import Server

log = logging.getLogger("miniredis")


def parse_command_line(args: list[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        if not arg.startswith("--"):
            raise SystemExit(f"miniredis: unexpected argument {arg!r}")
        name = arg[2:]
        values = []
        index += 1
        while index < len(args) and not args[index].startswith("--"):
            values.append(args[index])
            index += 1
        overrides[name] = " ".join(values)
    return overrides


async def serve(config: Config) -> None:
    server = Server(config)
    await server.start()
    log.info("miniredis %s (Redis %s compatible) ready to accept connections on port %d, pid %d",
             __version__, REDIS_VERSION, server.port, os.getpid())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("Received shutdown signal, shutting down")
    await server.stop()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(process)d:M %(asctime)s * %(message)s")
    config = Config(parse_command_line(args))
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(config))
    else:
        uvloop.run(serve(config))


if __name__ == "__main__":
    main()
