"""The settings table: one entry per setting the server has, shared by the CLI, the config file and CONFIG.

Each ``Setting`` knows its type, default, bounds and whether CONFIG SET may change it at run time
(Redis's ``standardConfig`` table in config.c). Values are parsed and rendered the way Redis 7.0 does:
``yes``/``no`` booleans, memory sizes with units (``1gb``, ``64mb``, ``512k``) rendered back in bytes,
enums by name. ``Config`` holds the live values as attributes named after the setting
(``proto-max-bulk-len`` -> ``config.proto_max_bulk_len``) so the hot path reads them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class ConfigError(ValueError):
    """A value a setting refuses; the message is the reason Redis gives after ``argument``."""


_MEMORY_UNITS = {
    "": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3,
}


def parse_memory(text: str) -> int:
    """Redis's memtoll: an integer with an optional unit (k, kb, m, mb, g, gb; case-insensitive)."""
    lowered = text.lower()
    digits = lowered.rstrip("kmgb")
    unit = lowered[len(digits):]
    if unit not in _MEMORY_UNITS or not digits or not digits.lstrip("-").isdigit():
        raise ConfigError("argument must be a memory value")
    return int(digits) * _MEMORY_UNITS[unit]


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered == "yes":
        return True
    if lowered == "no":
        return False
    raise ConfigError("argument must be 'yes' or 'no'")


def render_bool(value: Any) -> str:
    return "yes" if value else "no"


@dataclass
class Setting:
    name: str
    default: str
    parse: Callable[[str], Any]
    render: Callable[[Any], str] = str
    mutable: bool = True
    aliases: tuple[str, ...] = ()
    validate: Callable[[Any], None] | None = None

    @property
    def attribute(self) -> str:
        return self.name.replace("-", "_")


def int_setting(name: str, default: int, low: int, high: int, mutable: bool = True,
                aliases: tuple[str, ...] = ()) -> Setting:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ConfigError("argument couldn't be parsed into an integer") from None
        if not low <= value <= high:
            raise ConfigError(f"argument must be between {low} and {high} inclusive")
        return value

    return Setting(name, str(default), parse, mutable=mutable, aliases=aliases)


def memory_setting(name: str, default: int, low: int, high: int, mutable: bool = True) -> Setting:
    def parse(text: str) -> int:
        value = parse_memory(text)
        if not low <= value <= high:
            raise ConfigError(f"argument must be between {low} and {high} inclusive")
        return value

    return Setting(name, str(default), parse, mutable=mutable)


def bool_setting(name: str, default: bool, mutable: bool = True) -> Setting:
    return Setting(name, render_bool(default), parse_bool, render_bool, mutable=mutable)


def enum_setting(name: str, default: str, choices: tuple[str, ...], mutable: bool = True) -> Setting:
    def parse(text: str) -> str:
        lowered = text.lower()
        if lowered not in choices:
            raise ConfigError("argument(s) must be one of the following: " + ", ".join(choices))
        return lowered

    return Setting(name, default, parse, mutable=mutable)


def string_setting(name: str, default: str, mutable: bool = True) -> Setting:
    return Setting(name, default, lambda text: text, mutable=mutable)


@dataclass
class OutputBufferLimit:
    hard: int
    soft: int
    soft_seconds: int


def parse_output_buffer_limits(text: str) -> dict[str, OutputBufferLimit]:
    """``client-output-buffer-limit``: groups of ``<class> <hard> <soft> <soft seconds>``."""
    words = text.split()
    if not words or len(words) % 4:
        raise ConfigError("Wrong number of arguments in buffer limit configuration.")
    limits = dict(DEFAULT_OUTPUT_BUFFER_LIMITS)
    for index in range(0, len(words), 4):
        kind = words[index].lower()
        if kind == "replica":
            kind = "slave"
        if kind not in ("normal", "slave", "pubsub"):
            raise ConfigError("Invalid client class specified in buffer limit configuration.")
        try:
            hard, soft = parse_memory(words[index + 1]), parse_memory(words[index + 2])
            seconds = int(words[index + 3])
        except (ConfigError, ValueError):
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit configuration.") from None
        if hard < 0 or soft < 0 or seconds < 0:
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
        limits[kind] = OutputBufferLimit(hard, soft, seconds)
    return limits


def render_output_buffer_limits(limits: dict[str, OutputBufferLimit]) -> str:
    return " ".join(
        f"{kind} {limit.hard} {limit.soft} {limit.soft_seconds}"
        for kind, limit in ((kind, limits[kind]) for kind in ("normal", "slave", "pubsub"))
    )


DEFAULT_OUTPUT_BUFFER_LIMITS = {
    "normal": OutputBufferLimit(0, 0, 0),
    "slave": OutputBufferLimit(256 * 1024 * 1024, 64 * 1024 * 1024, 60),
    "pubsub": OutputBufferLimit(32 * 1024 * 1024, 8 * 1024 * 1024, 60),
}

LLONG_MAX = 2**63 - 1

SETTINGS: list[Setting] = [
    int_setting("port", 6379, 0, 65535, mutable=False),
    string_setting("bind", "127.0.0.1 -::1", mutable=False),
    string_setting("requirepass", ""),
    string_setting("dir", "."),
    int_setting("databases", 16, 1, 2**31 - 1, mutable=False),
    enum_setting("loglevel", "notice", ("debug", "verbose", "notice", "warning", "nothing")),
    string_setting("logfile", "", mutable=False),
    string_setting("pidfile", "", mutable=False),
    bool_setting("daemonize", False, mutable=False),
    int_setting("hz", 10, 0, 2**31 - 1),
    int_setting("maxclients", 10000, 1, 2**31 - 1),
    int_setting("timeout", 0, 0, 2**31 - 1),
    int_setting("tcp-keepalive", 300, 0, 2**31 - 1),
    int_setting("tcp-backlog", 511, 0, 2**31 - 1, mutable=False),
    memory_setting("proto-max-bulk-len", 512 * 1024 * 1024, 1024 * 1024, LLONG_MAX),
    memory_setting("client-query-buffer-limit", 1024 * 1024 * 1024, 1024 * 1024, LLONG_MAX),
    Setting("client-output-buffer-limit", render_output_buffer_limits(DEFAULT_OUTPUT_BUFFER_LIMITS),
            parse_output_buffer_limits, render_output_buffer_limits),
    memory_setting("maxmemory", 0, 0, LLONG_MAX),
    enum_setting("maxmemory-policy", "noeviction",
                 ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu",
                  "allkeys-random", "noeviction")),
    string_setting("notify-keyspace-events", ""),
    int_setting("stream-node-max-entries", 100, 0, 2**63 - 1),
    memory_setting("stream-node-max-bytes", 4096, 0, LLONG_MAX),
    int_setting("hash-max-listpack-entries", 512, 0, LLONG_MAX, aliases=("hash-max-ziplist-entries",)),
    memory_setting("hash-max-listpack-value", 64, 0, LLONG_MAX),
    int_setting("set-max-intset-entries", 512, 0, LLONG_MAX),
    int_setting("zset-max-listpack-entries", 128, 0, LLONG_MAX, aliases=("zset-max-ziplist-entries",)),
    memory_setting("zset-max-listpack-value", 64, 0, LLONG_MAX),
    int_setting("list-max-listpack-size", -2, -5, 2**31 - 1, aliases=("list-max-ziplist-size",)),
    int_setting("list-compress-depth", 0, 0, 2**31 - 1),
    string_setting("save", ""),
    bool_setting("appendonly", False),
    enum_setting("appendfsync", "everysec", ("always", "everysec", "no")),
    string_setting("appendfilename", "appendonly.aof", mutable=False),
    string_setting("appenddirname", "appendonlydir", mutable=False),
    bool_setting("aof-load-truncated", True),
    int_setting("auto-aof-rewrite-percentage", 100, 0, 2**31 - 1),
    memory_setting("auto-aof-rewrite-min-size", 64 * 1024 * 1024, 0, LLONG_MAX),
]

SETTINGS_BY_NAME: dict[str, Setting] = {}
for _setting in SETTINGS:
    SETTINGS_BY_NAME[_setting.name] = _setting
    for _alias in _setting.aliases:
        SETTINGS_BY_NAME[_alias] = _setting


@dataclass
class Config:
    """Live setting values. Attributes are created from SETTINGS (``config.proto_max_bulk_len``)."""

    overrides: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for setting in SETTINGS:
            setattr(self, setting.attribute, setting.parse(setting.default))
        for name, text in self.overrides.items():
            self.set(name, text)

    def set(self, name: str, text: str) -> None:
        """Parse and store one setting, raising KeyError for an unknown name and ConfigError for a bad value."""
        setting = SETTINGS_BY_NAME[name.lower()]
        value = setting.parse(text)
        if setting.validate is not None:
            setting.validate(value)
        setattr(self, setting.attribute, value)

    def get(self, name: str) -> str:
        setting = SETTINGS_BY_NAME[name.lower()]
        return setting.render(getattr(self, setting.attribute))

    def __getattr__(self, name: str) -> Any:  # for mypy: attributes are set dynamically
        raise AttributeError(name)
