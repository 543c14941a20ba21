"""Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT LOAD/EXISTS/FLUSH/HELP (Redis 7.0's
eval.c behaviour). The Lua side lives in ``miniredis.scripting``.

EVAL compiles and caches its script (SCRIPT EXISTS sees it, EVALSHA runs it); the shebang line
(``#!lua flags=no-writes,...``) is parsed as 7.0 does; ``no-writes`` and the ``_RO`` variants refuse
writes. A script runs synchronously on the event loop: nothing else is served while it runs, so
there are no BUSY replies and SCRIPT KILL / SCRIPT DEBUG are not offered (nor FUNCTION/FCALL).
Without lupa nothing here is registered (the commands get the unknown-command reply).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniredis.commands.args import parse_int
from miniredis.commands.registry import command, help_reply
from miniredis.errors import CommandError
from miniredis.protocol.replies import OK
from miniredis.scripting import AVAILABLE

if TYPE_CHECKING:
    from miniredis.server.client import Client

NUMKEYS_TOO_BIG = "ERR Number of keys can't be greater than number of args"
NUMKEYS_NEGATIVE = "ERR Number of keys can't be negative"
NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL."
FLUSH_SYNTAX = "ERR SCRIPT FLUSH only support SYNC|ASYNC option"

SCRIPT_HELP = [
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
]


if AVAILABLE:
    from miniredis.scripting.runtime import Script, engine

    def _keys_and_args(argv: list[bytes]) -> tuple[list[bytes], list[bytes]]:
        numkeys = parse_int(argv[2])
        if numkeys > len(argv) - 3:
            raise CommandError(NUMKEYS_TOO_BIG)
        if numkeys < 0:
            raise CommandError(NUMKEYS_NEGATIVE)
        return argv[3:3 + numkeys], argv[3 + numkeys:]

    def _feed_monitors(client: Client, argv: list[bytes]) -> None:
        # EVAL* are skip_monitor for the dispatcher: Redis shows them to MONITOR before they run,
        # whatever happens next (then each command the script runs, as "[db lua]").
        if client.server.monitors:
            client.server.feed_monitors(client, argv)

    def _eval(client: Client, argv: list[bytes], read_only: bool) -> object:
        _feed_monitors(client, argv)
        keys, args = _keys_and_args(argv)
        scripts = engine(client.server)
        return scripts.run(client, scripts.load(argv[1]), keys, args, read_only)

    def _evalsha(client: Client, argv: list[bytes], read_only: bool) -> object:
        _feed_monitors(client, argv)
        keys, args = _keys_and_args(argv)
        scripts = engine(client.server)
        script: Script | None = scripts.scripts.get(argv[1].decode("latin-1").lower())
        if script is None:
            raise CommandError(NOSCRIPT)
        return scripts.run(client, script, keys, args, read_only)

    @command("eval")
    def eval_(client: Client, argv: list[bytes]) -> object:
        return _eval(client, argv, False)

    @command("eval_ro")
    def eval_ro(client: Client, argv: list[bytes]) -> object:
        return _eval(client, argv, True)

    @command("evalsha")
    def evalsha(client: Client, argv: list[bytes]) -> object:
        return _evalsha(client, argv, False)

    @command("evalsha_ro")
    def evalsha_ro(client: Client, argv: list[bytes]) -> object:
        return _evalsha(client, argv, True)

    @command("script|load")
    def script_load(client: Client, argv: list[bytes]) -> object:
        return engine(client.server).load(argv[2]).sha.encode()

    @command("script|exists")
    def script_exists(client: Client, argv: list[bytes]) -> object:
        scripts = engine(client.server).scripts
        return [int(sha.decode("latin-1").lower() in scripts) for sha in argv[2:]]

    @command("script|flush")
    def script_flush(client: Client, argv: list[bytes]) -> object:
        # SYNC and ASYNC do the same here: the cache is dropped at once either way.
        if len(argv) > 3 or (len(argv) == 3 and argv[2].lower() not in (b"sync", b"async")):
            raise CommandError(FLUSH_SYNTAX)
        engine(client.server).flush()
        return OK

    @command("script|help")
    def script_help(client: Client, argv: list[bytes]) -> object:
        return help_reply("script", SCRIPT_HELP)
