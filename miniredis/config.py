"""The settings table: one entry per setting the server has, shared by the CLI, the config file and CONFIG.

Each ``Setting`` knows how to parse and render its value, its bounds and whether CONFIG SET may
change it at run time (Redis 7.0's ``standardConfig`` table in config.c: immutable and protected
configs). Values are parsed the way Redis 7.0 does, as observed on a running 7.0.15:

* integers are strict (no sign ``+``, no spaces, no leading zeros) and then bounds-checked:
  ``argument couldn't be parsed into an integer`` / ``argument must be between A and B inclusive``;
* memory sizes take a unit (``b``, ``k``, ``kb``, ``m``, ``mb``, ``g``, ``gb``, any case), accept
  leading zeros and the empty string (0), refuse a sign (``argument must be a memory value``), and
  are unsigned 64-bit values: digits beyond the range saturate, a unit multiplication wraps; a
  signed setting then sees a value of 2**63 or more as negative and fails its bounds check;
* booleans are ``yes``/``no``, enums one of their names (any case, stored lower case);
* ``save``, ``notify-keyspace-events`` and ``client-output-buffer-limit`` have their own grammar
  and are rendered back in Redis's canonical form.

``Config`` holds the live values as attributes named after the setting (``proto-max-bulk-len`` ->
``config.proto_max_bulk_len``) so the hot path reads them directly. ``read_config_file`` reads the
redis.conf subset the CLI accepts (one directive per line, quoted arguments, comments).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from miniredis.quoting import repr_arg


class ConfigError(ValueError):
    """A value a setting refuses; the message is the reason Redis gives after ``argument``."""


LLONG_MAX = 2**63 - 1
ULLONG_MAX = 2**64 - 1
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
UINT_MAX = 2**32 - 1

_MEMORY_UNITS = {
    "": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3,
}


def parse_memory(text: str) -> int:
    """A memory value as Redis 7.0 reads it (unsigned 64-bit; see the module docstring)."""
    if text.startswith("-"):
        raise ConfigError("argument must be a memory value")
    digits_end = 0
    while digits_end < len(text) and text[digits_end] in "0123456789":
        digits_end += 1
    digits, unit = text[:digits_end], text[digits_end:].lower()
    if unit not in _MEMORY_UNITS or len(digits) >= 128:
        raise ConfigError("argument must be a memory value")
    value = min(int(digits), ULLONG_MAX) if digits else 0  # strtoull saturates
    return (value * _MEMORY_UNITS[unit]) & ULLONG_MAX  # the unit multiplication wraps


def parse_strict_int(text: str) -> int:
    """Redis's string2ll: optional '-', digits without leading zeros, within a signed 64-bit range."""
    body = text[1:] if text.startswith("-") else text
    if (not body or not body.isdigit() or not body.isascii() or (body[0] == "0" and (len(body) > 1 or text != body))
            or len(body) > 19):
        raise ConfigError("argument couldn't be parsed into an integer")
    value = int(text)
    if not -(2**63) <= value <= LLONG_MAX:
        raise ConfigError("argument couldn't be parsed into an integer")
    return value


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
    protected: bool = False  # CONFIG SET refuses it ("can't set protected config"): enable-protected-configs no
    aliases: tuple[str, ...] = ()
    # combine(current, parsed) -> new value, for settings where a value updates only part of the current
    # one (client-output-buffer-limit keeps the classes a value does not name).
    combine: Callable[[Any, Any], Any] | None = None
    # A setting given several times in a config file accumulates (save 900 1 / save 300 10).
    accumulates: bool = False

    @property
    def attribute(self) -> str:
        return self.name.replace("-", "_")


def _bounds_error(low: int, high: int) -> ConfigError:
    return ConfigError(f"argument must be between {low} and {high} inclusive")


def int_setting(name: str, default: int, low: int, high: int, mutable: bool = True,
                aliases: tuple[str, ...] = (), clamp: tuple[int, int] | None = None) -> Setting:
    """An integer setting. ``clamp`` narrows an accepted value further, silently (hz: 1..500)."""

    def parse(text: str) -> int:
        value = parse_strict_int(text)
        if not low <= value <= high:
            raise _bounds_error(low, high)
        if clamp is not None:
            value = max(clamp[0], min(clamp[1], value))
        return value

    return Setting(name, str(default), parse, mutable=mutable, aliases=aliases)


def memory_setting(name: str, default: int, low: int, high: int, mutable: bool = True,
                   aliases: tuple[str, ...] = ()) -> Setting:
    """A memory setting; a signed one (``high`` <= LLONG_MAX) reads values >= 2**63 as negative."""
    unsigned = high > LLONG_MAX

    def parse(text: str) -> int:
        value = parse_memory(text)
        if not unsigned and value > LLONG_MAX:
            value -= 2**64
        if not low <= value <= high:
            raise _bounds_error(low, high)
        return value

    return Setting(name, str(default), parse, mutable=mutable, aliases=aliases)


def bool_setting(name: str, default: bool, mutable: bool = True) -> Setting:
    return Setting(name, render_bool(default), parse_bool, render_bool, mutable=mutable)


def enum_setting(name: str, default: str, choices: tuple[str, ...], mutable: bool = True) -> Setting:
    def parse(text: str) -> str:
        lowered = text.lower()
        if lowered not in choices:
            raise ConfigError("argument(s) must be one of the following: " + ", ".join(choices))
        return lowered

    return Setting(name, default, parse, mutable=mutable)


def string_setting(name: str, default: str, mutable: bool = True, protected: bool = False) -> Setting:
    return Setting(name, default, lambda text: text, mutable=mutable, protected=protected)


# --- client-output-buffer-limit --------------------------------------------------------------------
@dataclass
class OutputBufferLimit:
    hard: int
    soft: int
    soft_seconds: int


_LIMIT_CLASSES = ("normal", "slave", "pubsub")


def parse_output_buffer_limits(text: str) -> dict[str, OutputBufferLimit]:
    """``client-output-buffer-limit``: groups of ``<class> <hard> <soft> <soft seconds>`` (the classes named)."""
    words = text.split()
    if len(words) % 4:
        raise ConfigError("Wrong number of arguments in buffer limit configuration.")
    limits: dict[str, OutputBufferLimit] = {}
    for index in range(0, len(words), 4):
        kind = words[index].lower()
        if kind == "replica":
            kind = "slave"
        if kind not in _LIMIT_CLASSES:
            raise ConfigError("Invalid client class specified in buffer limit configuration.")
        try:
            hard, soft = parse_memory(words[index + 1]), parse_memory(words[index + 2])
            seconds = parse_strict_int(words[index + 3])
        except ConfigError:
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit configuration.") from None
        if seconds < 0:
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
        limits[kind] = OutputBufferLimit(hard, soft, seconds)
    return limits


def combine_output_buffer_limits(
    current: dict[str, OutputBufferLimit], given: dict[str, OutputBufferLimit]
) -> dict[str, OutputBufferLimit]:
    return {**current, **given}


def render_output_buffer_limits(limits: dict[str, OutputBufferLimit]) -> str:
    return " ".join(
        f"{kind} {limits[kind].hard} {limits[kind].soft} {limits[kind].soft_seconds}" for kind in _LIMIT_CLASSES
    )


DEFAULT_OUTPUT_BUFFER_LIMITS = {
    "normal": OutputBufferLimit(0, 0, 0),
    "slave": OutputBufferLimit(256 * 1024 * 1024, 64 * 1024 * 1024, 60),
    "pubsub": OutputBufferLimit(32 * 1024 * 1024, 8 * 1024 * 1024, 60),
}


# --- save ---------------------------------------------------------------------------------------------
def _c_strtoll_full(word: str) -> int | None:
    """strtoll that must consume the whole word: optional sign, digits; saturates like C."""
    body = word[1:] if word[:1] in "+-" else word
    if not body or not body.isdigit() or not body.isascii():
        return None
    return max(-(2**63), min(LLONG_MAX, int(word)))


def parse_save(text: str) -> str:
    """``save "<seconds> <changes> ..."``: pairs split on single spaces; seconds >= 1, changes >= 0.

    Stored in Redis's rendering (``100 5 60 10``); miniredis writes no RDB, the value is only kept.
    """
    if text == "":
        return ""
    words = text.split(" ")
    if len(words) % 2:
        raise ConfigError("Invalid save parameters")
    numbers: list[int] = []
    for index, word in enumerate(words):
        number = _c_strtoll_full(word)
        if number is None or number < (1 if index % 2 == 0 else 0):
            raise ConfigError("Invalid save parameters")
        numbers.append(number)
    return " ".join(str(number) for number in numbers)


# --- notify-keyspace-events ---------------------------------------------------------------------------
# The classes 'A' stands for, in the order Redis renders them when not all are set.
_EVENT_CLASSES = "g$lshzxetd"
_EVENT_CHARS = frozenset("Ag$lshzxeKEtmdn")


def parse_notify_keyspace_events(text: str) -> str:
    """The flags, validated and stored in canonical order: ``A`` (or the classes it covers, one by
    one), ``n``, then ``K``, ``E``, ``m`` (``KEA`` -> ``AKE``, ``Kgnd`` -> ``gdnK``). Every class is
    kept: the keyspace-notification code reads this string."""
    if any(char not in _EVENT_CHARS for char in text):
        raise ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    classes = set(text)
    if "A" in classes:
        classes.update(_EVENT_CLASSES)
    if all(char in classes for char in _EVENT_CLASSES):
        stored = "A"
    else:
        stored = "".join(char for char in _EVENT_CLASSES if char in classes)
    return stored + "".join(char for char in "nKEm" if char in classes)


def render_notify_keyspace_events(flags: Any) -> str:
    """CONFIG GET's rendering, as Redis 7.0.15's: with ``A``, the ``n`` class is not shown
    (``AKEn`` reads back ``AKE``) although it is still in effect."""
    text = str(flags)
    return text.replace("n", "") if text.startswith("A") else text


# --- appendonly -------------------------------------------------------------------------------------
def parse_appendonly(text: str) -> bool:
    """``yes``/``no``: the AOF (miniredis.persistence) loads at start and CONFIG SET switches it at run time."""
    return parse_bool(text)


# --- dir ----------------------------------------------------------------------------------------------
def render_dir(value: Any) -> str:
    """CONFIG GET dir answers the absolute working directory, as Redis (which chdirs to it) does."""
    return os.path.abspath(str(value))


SETTINGS: list[Setting] = [
    int_setting("port", 6379, 0, 65535),
    string_setting("bind", "127.0.0.1 -::1"),
    string_setting("requirepass", ""),
    Setting("dir", ".", lambda text: text, render_dir, protected=True),
    int_setting("databases", 16, 1, INT_MAX, mutable=False),
    enum_setting("loglevel", "notice", ("debug", "verbose", "notice", "warning")),
    string_setting("logfile", "", mutable=False),
    string_setting("pidfile", "", mutable=False),
    bool_setting("daemonize", False, mutable=False),
    int_setting("hz", 10, 0, INT_MAX, clamp=(1, 500)),
    int_setting("maxclients", 10000, 1, UINT_MAX),
    int_setting("timeout", 0, 0, INT_MAX),
    int_setting("tcp-keepalive", 300, 0, INT_MAX),
    int_setting("tcp-backlog", 511, 0, INT_MAX, mutable=False),
    memory_setting("proto-max-bulk-len", 512 * 1024 * 1024, 1024 * 1024, LLONG_MAX),
    memory_setting("client-query-buffer-limit", 1024 * 1024 * 1024, 1024 * 1024, LLONG_MAX),
    Setting("client-output-buffer-limit", render_output_buffer_limits(DEFAULT_OUTPUT_BUFFER_LIMITS),
            parse_output_buffer_limits, render_output_buffer_limits, combine=combine_output_buffer_limits,
            accumulates=True),
    memory_setting("maxmemory", 0, 0, ULLONG_MAX),
    enum_setting("maxmemory-policy", "noeviction",
                 ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu",
                  "allkeys-random", "noeviction")),
    Setting("notify-keyspace-events", "", parse_notify_keyspace_events, render_notify_keyspace_events),
    int_setting("stream-node-max-entries", 100, 0, LLONG_MAX),
    memory_setting("stream-node-max-bytes", 4096, 0, LLONG_MAX),
    int_setting("hash-max-listpack-entries", 512, 0, LLONG_MAX, aliases=("hash-max-ziplist-entries",)),
    memory_setting("hash-max-listpack-value", 64, 0, LLONG_MAX, aliases=("hash-max-ziplist-value",)),
    int_setting("set-max-intset-entries", 512, 0, LLONG_MAX),
    int_setting("zset-max-listpack-entries", 128, 0, LLONG_MAX, aliases=("zset-max-ziplist-entries",)),
    memory_setting("zset-max-listpack-value", 64, 0, LLONG_MAX, aliases=("zset-max-ziplist-value",)),
    int_setting("list-max-listpack-size", -2, INT_MIN, INT_MAX, aliases=("list-max-ziplist-size",)),
    int_setting("list-compress-depth", 0, 0, INT_MAX),
    Setting("save", "", parse_save, accumulates=True),
    Setting("appendonly", "no", parse_appendonly, render_bool),
    enum_setting("appendfsync", "everysec", ("everysec", "always", "no")),
    string_setting("appendfilename", "appendonly.aof", mutable=False),
    string_setting("appenddirname", "appendonlydir", mutable=False),
    bool_setting("aof-load-truncated", True),
    int_setting("auto-aof-rewrite-percentage", 100, 0, INT_MAX),
    memory_setting("auto-aof-rewrite-min-size", 64 * 1024 * 1024, 0, LLONG_MAX),
]

SETTINGS_BY_NAME: dict[str, Setting] = {}
for _setting in SETTINGS:
    SETTINGS_BY_NAME[_setting.name] = _setting
    for _alias in _setting.aliases:
        SETTINGS_BY_NAME[_alias] = _setting

ALL_NAMES: list[str] = [name for setting in SETTINGS for name in (setting.name, *setting.aliases)]
"""Every name CONFIG GET knows, aliases included, in table order."""


def lookup(name: str) -> Setting | None:
    return SETTINGS_BY_NAME.get(name.lower())


@dataclass
class Config:
    """Live setting values. Attributes are created from SETTINGS (``config.proto_max_bulk_len``)."""

    overrides: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for setting in SETTINGS:
            setattr(self, setting.attribute, setting.parse(setting.default))
        for name, text in self.overrides.items():
            self.set(name, text)

    def parse(self, name: str, text: str) -> Any:
        """The value ``text`` gives setting ``name`` now (KeyError: unknown; ConfigError: refused)."""
        setting = SETTINGS_BY_NAME[name.lower()]
        value = setting.parse(text)
        if setting.combine is not None:
            value = setting.combine(getattr(self, setting.attribute), value)
        return value

    def set(self, name: str, text: str) -> None:
        """Parse and store one setting, raising KeyError for an unknown name and ConfigError for a bad value."""
        value = self.parse(name, text)
        setting = SETTINGS_BY_NAME[name.lower()]
        setattr(self, setting.attribute, value)
        on_change = self.__dict__.get("on_change")
        if on_change is not None:
            on_change(setting.name)  # the server mirrors a few hot settings (Server.setting_changed)

    def get(self, name: str) -> str:
        setting = SETTINGS_BY_NAME[name.lower()]
        return setting.render(getattr(self, setting.attribute))

    def __getattr__(self, name: str) -> Any:  # for mypy: attributes are set dynamically
        raise AttributeError(name)


# --- the redis.conf subset ------------------------------------------------------------------------------
class ConfigFileError(Exception):
    """A config file line Redis would refuse; ``str()`` is the reason, the attributes say where."""

    def __init__(self, reason: str, line_number: int, line: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line_number = line_number
        self.line = line


_HEX = "0123456789abcdefABCDEF"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}


def split_config_line(line: str) -> list[str] | None:
    """Redis's sdssplitargs: words, "double quotes" with escapes, 'single quotes'; None when unbalanced."""
    words: list[str] = []
    index, length = 0, len(line)
    while True:
        while index < length and line[index] in " \t\n\r\v\f":
            index += 1
        if index >= length:
            return words
        current: list[str] = []
        in_double = in_single = False
        while True:
            if in_double:
                if index >= length:
                    return None
                char = line[index]
                if (char == "\\" and index + 3 < length and line[index + 1] == "x" and line[index + 2] in _HEX
                        and line[index + 3] in _HEX):
                    current.append(chr(int(line[index + 2:index + 4], 16)))
                    index += 3
                elif char == "\\" and index + 1 < length:
                    index += 1
                    current.append(_ESCAPES.get(line[index], line[index]))
                elif char == '"':
                    if index + 1 < length and line[index + 1] not in " \t\n\r\v\f":
                        return None  # the closing quote must be followed by a space or the end
                    in_double = False
                    index += 1
                    break
                else:
                    current.append(char)
            elif in_single:
                if index >= length:
                    return None
                char = line[index]
                if char == "\\" and index + 1 < length and line[index + 1] == "'":
                    index += 1
                    current.append("'")
                elif char == "'":
                    if index + 1 < length and line[index + 1] not in " \t\n\r\v\f":
                        return None
                    in_single = False
                    index += 1
                    break
                else:
                    current.append(char)
            else:
                if index >= length:
                    break
                char = line[index]
                if char in " \t\n\r\v\f":
                    break
                if char == '"':
                    in_double = True
                elif char == "'":
                    in_single = True
                else:
                    current.append(char)
            index += 1
        words.append("".join(current))


def read_config_text(text: str) -> list[tuple[int, str, list[str]]]:
    """``(line number, line, words)`` for every directive line; comments and blank lines skipped."""
    directives: list[tuple[int, str, list[str]]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip(" \t\r\n")
        if not line or line.startswith("#"):
            continue
        words = split_config_line(line)
        if words is None:
            raise ConfigFileError("Unbalanced quotes in configuration line", number, line)
        if words:
            directives.append((number, line, words))
    return directives


def apply_directives(config: Config, directives: list[tuple[int, str, list[str]]]) -> None:
    """Apply config-file directives in order, with redis-server's refusal texts (ConfigFileError)."""
    seen: set[str] = set()
    for number, line, words in directives:
        name = words[0].lower()
        setting = SETTINGS_BY_NAME.get(name)
        if setting is None:
            raise ConfigFileError("Bad directive or wrong number of arguments", number, line)
        args = words[1:]
        multi_word = setting.accumulates or setting.name == "bind"
        if not args or (len(args) > 1 and not multi_word):
            raise ConfigFileError("wrong number of arguments", number, line)
        text = " ".join(args)
        if setting.name == "save" and setting.name in seen and text != "":
            current = config.save
            text = f"{current} {text}" if current else text
        try:
            config.set(name, text)
        except ConfigError as error:
            raise ConfigFileError(str(error), number, line) from None
        seen.add(setting.name)


# --- CONFIG REWRITE --------------------------------------------------------------------------------------
REWRITE_SIGNATURE = "# Generated by CONFIG REWRITE"

# Settings whose values are words, written as they are; every other non-numeric setting is a string,
# written quoted (Redis's rewriteConfigStringOption uses sdscatrepr).
_UNQUOTED = {"bind", "loglevel", "maxmemory-policy", "appendfsync", "daemonize", "appendonly", "aof-load-truncated"}


def quote_config_value(text: str) -> str:
    """sdscatrepr: a double-quoted string with \\n \\r \\t \\a \\b \\\\ \\" and \\xHH escapes
    (the text's UTF-8 bytes outside printable ASCII escaped one by one)."""
    return repr_arg(text.encode("utf-8", "surrogateescape"))


def memory_for_rewrite(value: int) -> str:
    """rewriteConfigBytesOption: the largest of gb, mb, kb that divides the value exactly."""
    if value > 0:
        for unit, size in (("gb", 1024**3), ("mb", 1024**2), ("kb", 1024)):
            if value % size == 0:
                return f"{value // size}{unit}"
    return str(value)


def rewrite_lines(setting: Setting, value: Any) -> list[tuple[str, bool]]:
    """The config-file lines for one setting's value, each with whether it must be written (it differs
    from the default) or only replaces a line the file already has (Redis's ``force`` flag)."""
    default = setting.parse(setting.default)
    if setting.name == "client-output-buffer-limit":
        names = {"slave": "replica"}
        return [
            (f"client-output-buffer-limit {names.get(kind, kind)} {memory_for_rewrite(limit.hard)} "
             f"{memory_for_rewrite(limit.soft)} {limit.soft_seconds}", limit != default[kind])
            for kind, limit in value.items()
        ]
    changed = value != default
    if setting.name == "save":
        if not value:
            return [('save ""', changed)]
        numbers = value.split()
        return [(f"save {numbers[index]} {numbers[index + 1]}", changed) for index in range(0, len(numbers), 2)]
    if isinstance(value, bool):
        text = render_bool(value)
    elif isinstance(value, int):
        text = memory_for_rewrite(value) if setting.name in _MEMORY_SETTINGS else str(value)
    elif setting.name in _UNQUOTED:
        text = str(value)
    else:
        text = quote_config_value(setting.render(value))
    return [(f"{setting.name} {text}", changed)]


_MEMORY_SETTINGS = {
    "proto-max-bulk-len", "client-query-buffer-limit", "maxmemory", "stream-node-max-bytes", "hash-max-listpack-value",
    "zset-max-listpack-value", "auto-aof-rewrite-min-size",
}


def rewrite_config_text(original: str, config: Config) -> str:
    """CONFIG REWRITE: the config file's text updated to the live values.

    As Redis 7.0 does: comments and lines it does not know are kept. Each line of a setting's value
    takes the place of the next line the file has for that setting (an alias counts as the
    setting; the line is written under the canonical name), even when the value is the default;
    with no such line left, it is appended only when it differs from the default. A setting's file
    lines left over become blank. Appended lines follow a ``# Generated by CONFIG REWRITE`` line,
    written once (a file rewritten before gets its new lines at the end).
    """
    lines = original.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    owned: dict[str, list[int]] = {}  # setting name -> indexes of its lines in the file
    for index, line in enumerate(lines):
        stripped = line.strip(" \t\r")
        words = split_config_line(stripped) if stripped and not stripped.startswith("#") else None
        setting = SETTINGS_BY_NAME.get(words[0].lower()) if words else None
        if setting is not None:
            owned.setdefault(setting.name, []).append(index)
    appended: list[str] = []
    for setting in SETTINGS:
        places = owned.get(setting.name, [])
        for text, forced in rewrite_lines(setting, getattr(config, setting.attribute)):
            if places:
                lines[places.pop(0)] = text
            elif forced:
                appended.append(text)
        for index in places:
            lines[index] = ""
    if appended:
        if REWRITE_SIGNATURE not in lines:
            if lines and lines[-1].strip():
                lines.append("")
            lines.append(REWRITE_SIGNATURE)
        lines.extend(appended)
    return "\n".join(lines) + "\n"


def rewrite_config_file(path: str, config: Config) -> None:
    """Rewrite ``path`` in place, atomically (a temporary file renamed over it), as Redis 7.0 does."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            original = handle.read()
    except FileNotFoundError:
        original = ""
    text = rewrite_config_text(original, config)
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, f".miniredis-rewrite-{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if os.path.exists(path):
            os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
