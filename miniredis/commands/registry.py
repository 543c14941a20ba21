"""The command table: every command miniredis serves, as data (Redis's ``src/commands/*.json`` model).

Redis 7.0 keeps each command's metadata (arity, flags, key positions, ACL categories, key specs,
docs) as data and derives the arity checks and the COMMAND replies from it. miniredis does the
same with ``command_table.json``, captured from a reference Redis 7.0 by
``tools/capture_command_table.py``: the replies of ``COMMAND INFO`` and ``COMMAND DOCS`` for every
command, as typed trees. A family module binds a handler to a name with ``@command("xadd")``; only
bound commands are in the table, so a command is either served completely or answered with
Redis's unknown-command error. Registering ``"xgroup|create"`` creates the ``xgroup`` container.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

from miniredis.protocol.replies import SetReply, Simple

if TYPE_CHECKING:
    from miniredis.server.client import Client

Handler = Callable[["Client", list[bytes]], object]

_RAW_TABLE: dict[str, Any] = json.loads(
    resources.files("miniredis.commands").joinpath("command_table.json").read_text("utf-8")
)


class CommandSpec:
    """One command or subcommand: its table data, its handler and its INFO commandstats counters."""

    __slots__ = (
        "name", "handler", "arity", "flags", "first_key", "last_key", "key_step", "acl", "group", "since",
        "subcommands", "container", "calls", "nsec", "failed_calls", "rejected_calls", "write", "readonly",
        "no_auth", "no_multi", "noscript", "blocking", "pubsub_allowed", "may_replicate", "skip_monitor",
        "movablekeys", "plain", "short_min", "short_max",
    )

    def __init__(self, name: str, handler: Handler | None) -> None:
        raw = _RAW_TABLE[name]["info"]
        self.name = name  # Redis's fullname: "get", "xgroup|create"
        self.handler = handler
        self.arity: int = raw[1]
        self.flags: list[str] = [flag["+"] for flag in raw[2]["~"]]
        self.first_key: int = raw[3]
        self.last_key: int = raw[4]
        self.key_step: int = raw[5]
        self.acl: list[str] = [category["+"] for category in raw[6]["~"]]
        docs = dict(_RAW_TABLE[name]["docs"]["%"])
        self.group: str = docs.get("group", "")
        self.since: str = docs.get("since", "")
        self.subcommands: dict[bytes, CommandSpec] = {}
        self.container: CommandSpec | None = None
        self.calls = self.nsec = self.failed_calls = self.rejected_calls = 0
        flags = set(self.flags)
        self.write = "write" in flags
        self.readonly = "readonly" in flags
        self.no_auth = "no_auth" in flags
        self.no_multi = "no_multi" in flags
        self.noscript = "noscript" in flags
        self.blocking = "blocking" in flags
        self.may_replicate = "may_replicate" in flags
        self.skip_monitor = "skip_monitor" in flags
        self.movablekeys = "movablekeys" in flags
        self.pubsub_allowed = name in _PUBSUB_CONTEXT_COMMANDS
        # May take the dispatcher's short path: not a container, never blocks, never closes the
        # connection or changes its protocol (see run_requests).
        self.plain = not self.blocking and name not in _NOT_PLAIN
        self._set_short_bounds()

    def _set_short_bounds(self) -> None:
        """Argument counts for which the dispatcher's short path may run this spec: the arity's
        range for a plain command, none at all (min > max) otherwise. One chained comparison then
        checks plainness and arity together."""
        if self.plain:
            self.short_min = self.arity if self.arity > 0 else -self.arity
            self.short_max = self.arity if self.arity > 0 else 1 << 62
        else:
            self.short_min, self.short_max = 1, 0

    @property
    def usec(self) -> int:
        """Microseconds spent in this command (INFO commandstats)."""
        return self.nsec // 1000

    def reset_stats(self) -> None:
        self.calls = self.nsec = self.failed_calls = self.rejected_calls = 0

    def key_positions(self, argv: list[bytes]) -> list[int]:
        """Positions of the key arguments by first/last/step (COMMAND GETKEYS for fixed-key commands)."""
        if self.first_key == 0:
            return []
        last = self.last_key if self.last_key >= 0 else len(argv) + self.last_key
        return list(range(self.first_key, min(last, len(argv) - 1) + 1, self.key_step or 1))

    def info_reply(self) -> list[object]:
        """This command's ``COMMAND INFO`` entry, listing only the subcommands miniredis serves."""
        raw = _RAW_TABLE[self.name]["info"]
        reply: list[object] = [to_reply(item) for item in raw[:9]]
        if self.subcommands:
            served = {spec.name for spec in self.subcommands.values()}
            reply.append([to_reply(sub) for sub in raw[9] if sub[0] in served])
        else:
            reply.append(to_reply(raw[9]))
        return reply

    def docs_reply(self) -> dict[object, object]:
        """This command's ``COMMAND DOCS`` entry, listing only the subcommands miniredis serves."""
        docs: dict[object, object] = {}
        for key, value in _RAW_TABLE[self.name]["docs"]["%"]:
            if key == "subcommands":
                served = {spec.name for spec in self.subcommands.values()}
                value = {"%": [pair for pair in value["%"] if pair[0] in served]}
            docs[key.encode()] = to_reply(value)
        return docs

    def __repr__(self) -> str:
        return f"CommandSpec({self.name!r})"


# Commands a RESP2 client may run while subscribed (server.c processCommand).
_PUBSUB_CONTEXT_COMMANDS = frozenset(
    {"ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit",
     "reset"}
)


# Commands that close the connection or switch its protocol: the short path does not expect that.
_NOT_PLAIN = frozenset({"quit", "hello", "reset"})


def to_reply(tree: Any) -> object:
    """A captured typed tree (see tools/capture_command_table.py) as a reply value."""
    if isinstance(tree, str):
        return tree.encode()
    if isinstance(tree, list):
        return [to_reply(item) for item in tree]
    if isinstance(tree, dict):
        if "+" in tree:
            return Simple(tree["+"])
        if "~" in tree:
            return SetReply(to_reply(item) for item in tree["~"])
        if "%" in tree:
            return {to_reply(key): to_reply(value) for key, value in tree["%"]}
    return tree  # int or None


class CommandTable:
    """Name -> spec, for top-level commands; containers hold their subcommands."""

    def __init__(self) -> None:
        self.commands: dict[bytes, CommandSpec] = {}
        # The hot-path index: every name in lower and upper case, so most requests need no .lower().
        self.by_name: dict[bytes, CommandSpec] = {}

    def register(self, name: str, handler: Handler) -> CommandSpec:
        if name not in _RAW_TABLE:
            raise KeyError(f"{name!r} is not a Redis 7.0 command")
        spec = CommandSpec(name, handler)
        if "|" in name:
            parent_name, sub = name.split("|", 1)
            parent = self.commands.get(parent_name.encode())
            if parent is None:
                parent = self.commands[parent_name.encode()] = CommandSpec(parent_name, None)
            spec.container = parent
            parent.subcommands[sub.encode()] = spec
            parent.plain = False
            parent._set_short_bounds()
        else:
            self.commands[name.encode()] = spec
        top = spec.container or spec
        self.by_name[top.name.encode()] = top
        self.by_name[top.name.upper().encode()] = top
        return spec

    def lookup(self, name: bytes) -> CommandSpec | None:
        spec = self.by_name.get(name)
        if spec is None:
            spec = self.commands.get(name.lower())
        return spec

    def all_specs(self) -> list[CommandSpec]:
        """Every top-level command and every subcommand."""
        specs: list[CommandSpec] = []
        for spec in self.commands.values():
            specs.append(spec)
            specs.extend(spec.subcommands.values())
        return specs


TABLE = CommandTable()


def command(name: str) -> Callable[[Handler], Handler]:
    """Bind ``handler`` to the Redis command ``name`` (``"get"``, ``"client|list"``)."""

    def bind(handler: Handler) -> Handler:
        TABLE.register(name, handler)
        return handler

    return bind


def help_reply(container: str, lines: list[str]) -> list[object]:
    """The ``<CONTAINER> HELP`` reply: a header, the family's lines, then HELP's own two lines."""
    header = f"{container.upper()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    return [Simple(line) for line in [header, *lines, "HELP", "    Prints this help."]]
