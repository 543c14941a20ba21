"""The settings table without sockets: value parsing as Redis 7.0 does it, rendering, the config file."""

from __future__ import annotations

import pytest

from miniredis.config import (
    ALL_NAMES,
    LLONG_MAX,
    SETTINGS,
    ULLONG_MAX,
    Config,
    ConfigError,
    ConfigFileError,
    apply_directives,
    memory_for_rewrite,
    parse_memory,
    parse_notify_keyspace_events,
    parse_save,
    parse_strict_int,
    quote_config_value,
    read_config_text,
    rewrite_config_text,
    split_config_line,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("", 0), ("kb", 0), ("05", 5), ("5b", 5), ("5B", 5), ("5k", 5000), ("5kB", 5120), ("1m", 10**6),
     ("1mb", 2**20), ("1g", 10**9), ("1GB", 2**30), ("99999999999999999999", ULLONG_MAX),
     ("9223372036854775807kb", (LLONG_MAX * 1024) % 2**64)],
)
def test_parse_memory(text: str, value: int) -> None:
    assert parse_memory(text) == value


@pytest.mark.parametrize("text", ["-1", "-0", "-1kb", "0x10", "1 gb", " 5", "+5", "1.5gb", "5bb", "1t"])
def test_parse_memory_refuses(text: str) -> None:
    with pytest.raises(ConfigError, match="argument must be a memory value"):
        parse_memory(text)


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("-5", -5), ("9223372036854775807", LLONG_MAX)])
def test_parse_strict_int(text: str, value: int) -> None:
    assert parse_strict_int(text) == value


@pytest.mark.parametrize("text", ["", "-", "05", "+5", " 5", "5 ", "5.0", "0x5", "-0", "9223372036854775808", "١"])
def test_parse_strict_int_refuses(text: str) -> None:
    with pytest.raises(ConfigError, match="couldn't be parsed into an integer"):
        parse_strict_int(text)


def test_defaults_match_redis_7() -> None:
    config = Config()
    assert config.get("hz") == "10"
    assert config.get("client-output-buffer-limit") == (
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
    )
    assert config.get("proto-max-bulk-len") == "536870912"
    assert config.get("appendonly") == "no"
    assert config.get("list-max-ziplist-size") == "-2"
    for setting in SETTINGS:  # every default parses back to itself
        assert setting.render(setting.parse(setting.default)) == setting.render(
            getattr(config, setting.attribute)
        ), setting.name


def test_aliases_share_the_value() -> None:
    config = Config()
    config.set("hash-max-ziplist-entries", "7")
    assert config.get("hash-max-listpack-entries") == "7"
    assert "hash-max-ziplist-value" in ALL_NAMES and "zset-max-ziplist-value" in ALL_NAMES


def test_bounds_signed_and_unsigned_memory() -> None:
    config = Config()
    config.set("maxmemory", "18446744073709551615")
    assert config.get("maxmemory") == "18446744073709551615"
    with pytest.raises(ConfigError, match="between 1048576 and 9223372036854775807 inclusive"):
        config.set("proto-max-bulk-len", "18446744073709551615")
    with pytest.raises(ConfigError, match="between 1 and 4294967295 inclusive"):
        config.set("maxclients", "0")


def test_hz_is_clamped() -> None:
    config = Config()
    config.set("hz", "1000")
    assert config.hz == 500
    config.set("hz", "0")
    assert config.hz == 1


def test_enums_are_case_insensitive_and_listed_on_error() -> None:
    config = Config()
    config.set("maxmemory-policy", "ALLKEYS-LRU")
    assert config.get("maxmemory-policy") == "allkeys-lru"
    with pytest.raises(ConfigError, match="^argument\\(s\\) must be one of the following: debug, verbose, notice, "
                                          "warning$"):
        config.set("loglevel", "nothing")


def test_appendonly_takes_yes_or_no() -> None:
    config = Config()
    config.set("appendonly", "yes")
    assert config.appendonly is True
    config.set("appendonly", "NO")
    with pytest.raises(ConfigError, match="'yes' or 'no'"):
        config.set("appendonly", "maybe")


@pytest.mark.parametrize(
    ("text", "rendered"), [("", ""), ("100 5", "100 5"), ("100 05", "100 5"), ("+1 2", "1 2"), ("1 0", "1 0"),
                           ("99999999999999999999 1", f"{LLONG_MAX} 1")],
)
def test_save(text: str, rendered: str) -> None:
    assert parse_save(text) == rendered


@pytest.mark.parametrize("text", ["100", "0 1", "100 -5", "100 5x", "1  2", " 100 5", "a b"])
def test_save_refuses(text: str) -> None:
    with pytest.raises(ConfigError, match="^Invalid save parameters$"):
        parse_save(text)


@pytest.mark.parametrize(
    ("text", "rendered"),
    [("KEA", "AKE"), ("Kx", "xK"), ("Eg$lshzxetdmKAn", "AKEm"), ("A", "A"), ("", ""), ("Kgx", "gxK"),
     ("g$lshzxetd", "A"), ("n", "n"), ("KEn", "nKE"), ("Kgnd", "gdnK"), ("Kmnt", "tnKm")],
)
def test_notify_keyspace_events(text: str, rendered: str) -> None:
    config = Config()
    config.set("notify-keyspace-events", text)
    assert config.get("notify-keyspace-events") == rendered


def test_notify_keyspace_events_keeps_n_with_a() -> None:
    assert parse_notify_keyspace_events("AKEn") == "AnKE"  # in effect, though CONFIG GET shows "AKE"


def test_notify_keyspace_events_refuses() -> None:
    with pytest.raises(ConfigError, match=r"^Invalid event class character\. Use 'Ag\$lshzxeKEtmdn'\.$"):
        parse_notify_keyspace_events("KQ")


def test_client_output_buffer_limit_keeps_other_classes() -> None:
    config = Config()
    config.set("client-output-buffer-limit", "pubsub 1 2 3")
    assert config.get("client-output-buffer-limit") == "normal 0 0 0 slave 268435456 67108864 60 pubsub 1 2 3"
    config.set("client-output-buffer-limit", "replica 1mb 2 3 normal 0 0 0")
    assert config.get("client-output-buffer-limit") == "normal 0 0 0 slave 1048576 2 3 pubsub 1 2 3"
    config.set("client-output-buffer-limit", "")
    assert config.get("client-output-buffer-limit") == "normal 0 0 0 slave 1048576 2 3 pubsub 1 2 3"
    for text, reason in [("foo 1 2 3", "Invalid client class"), ("normal 1 2", "Wrong number of arguments"),
                         ("normal a 2 3", "Error in hard, soft or soft_seconds")]:
        with pytest.raises(ConfigError, match=reason):
            config.set("client-output-buffer-limit", text)


# --- config file -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("port 6379", ["port", "6379"]),
        ('requirepass "a b"', ["requirepass", "a b"]),
        ("save ''", ["save", ""]),
        ('x "\\x41\\n\\"q"', ["x", 'A\n"q']),
        ("x 'it\\'s'", ["x", "it's"]),
        ("  bind  127.0.0.1   -::1  ", ["bind", "127.0.0.1", "-::1"]),
    ],
)
def test_split_config_line(line: str, words: list[str]) -> None:
    assert split_config_line(line) == words


@pytest.mark.parametrize("line", ['port "6379', "port '6379", 'x "a"b'])
def test_split_config_line_unbalanced(line: str) -> None:
    assert split_config_line(line) is None


def test_config_file_directives() -> None:
    text = "# a comment\n\nport 7000\nbind 127.0.0.1 -::1\r\nsave 900 1\nsave 300 10\nrequirepass \"a b\"\n" \
           "client-output-buffer-limit normal 1 2 3\nclient-output-buffer-limit pubsub 4 5 6\nHZ 20\n"
    config = Config()
    apply_directives(config, read_config_text(text))
    assert config.port == 7000
    assert config.bind == "127.0.0.1 -::1"
    assert config.save == "900 1 300 10"
    assert config.requirepass == "a b"
    assert config.get("client-output-buffer-limit") == "normal 1 2 3 slave 268435456 67108864 60 pubsub 4 5 6"
    assert config.hz == 20


@pytest.mark.parametrize(
    ("text", "line_number", "reason"),
    [
        ("port 1\n# c\nfoo bar\n", 3, "Bad directive or wrong number of arguments"),
        ("include other.conf\n", 1, "Bad directive or wrong number of arguments"),
        ("hz abc\n", 1, "argument couldn't be parsed into an integer"),
        ("databases\n", 1, "wrong number of arguments"),
        ("hz 1 2\n", 1, "wrong number of arguments"),
        ('save "a b"\n', 1, "Invalid save parameters"),
        ('port "7842\n', 1, "Unbalanced quotes in configuration line"),
    ],
)
def test_config_file_errors(text: str, line_number: int, reason: str) -> None:
    with pytest.raises(ConfigFileError) as failure:
        apply_directives(Config(), read_config_text(text))
    assert failure.value.line_number == line_number
    assert failure.value.reason == reason


# --- CONFIG REWRITE -------------------------------------------------------------------------------------


def test_memory_and_string_rendering_for_rewrite() -> None:
    assert [memory_for_rewrite(value) for value in (0, 5, 1024, 3000000, 2**20, 2**31)] == [
        "0", "5", "1kb", "3000000", "1mb", "2gb"]
    assert quote_config_value('a b"c\\\n\x01é') == '"a b\\"c\\\\\\n\\x01\\xc3\\xa9"'


REWRITE_INPUT = """# header comment
port 0
save 900 1
save 300 10
hash-max-ziplist-entries 100
hz 10
# middle comment
maxmemory 1048576
include /etc/other.conf
client-output-buffer-limit pubsub 1 2 3
"""


def _configured(text: str) -> Config:
    config = Config()
    apply_directives(config, [entry for entry in read_config_text(text) if entry[2][0] != "include"])
    return config


def test_rewrite_replaces_in_place_and_appends_changes() -> None:
    config = _configured(REWRITE_INPUT)
    for name, value in [("maxmemory", "2gb"), ("requirepass", 'a b"c'), ("notify-keyspace-events", "KEA"),
                        ("timeout", "5"), ("proto-max-bulk-len", "3000000"), ("hash-max-listpack-value", "2048")]:
        config.set(name, value)
    first = rewrite_config_text(REWRITE_INPUT, config)
    assert first == (
        "# header comment\nport 0\nsave 900 1\nsave 300 10\nhash-max-listpack-entries 100\nhz 10\n"
        "# middle comment\nmaxmemory 2gb\ninclude /etc/other.conf\nclient-output-buffer-limit normal 0 0 0\n"
        "\n# Generated by CONFIG REWRITE\n"
        'requirepass "a b\\"c"\ntimeout 5\nproto-max-bulk-len 3000000\nclient-output-buffer-limit pubsub 1 2 3\n'
        'notify-keyspace-events "AKE"\nhash-max-listpack-value 2kb\n'
    )
    config.set("save", "")
    config.set("hz", "11")
    second = rewrite_config_text(first, config)
    # As Redis: a removed save line is left blank; the replica class takes the pubsub line's place in the
    # generated block and pubsub goes to the end, without a second signature.
    assert second.splitlines()[2:4] == ['save ""', ""]
    assert "hz 11" in second
    assert second.count("# Generated by CONFIG REWRITE") == 1
    assert second.splitlines()[-1] == "client-output-buffer-limit pubsub 1 2 3"
    reread = _configured(second)
    for setting in SETTINGS:
        assert reread.get(setting.name) == config.get(setting.name), setting.name


def test_rewrite_of_defaults_writes_nothing_new() -> None:
    assert rewrite_config_text("", Config()) == "\n"
    assert rewrite_config_text("# only a comment\n", Config()) == "# only a comment\n"
