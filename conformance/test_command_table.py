"""Every registered command and subcommand against real Redis: COMMAND INFO, arity, unknown names.

For each spec in the registry: (a) ``COMMAND INFO`` equals real Redis's (for containers, Redis's
entry filtered to the subcommands miniredis serves), (b) a call with the wrong number of
arguments gets the identical error, (c) a misspelled command name with arguments gets the
identical unknown-command error, (d) an unknown subcommand of each container gets the identical
error. Wrong-arity calls are refused before anything runs, so no case changes server state.
"""

from __future__ import annotations

import pytest

from conformance import comparers
from conformance.harness import Pair
from miniredis.commands import load_commands
from miniredis.commands.registry import TABLE, CommandSpec

load_commands()
SPECS: list[CommandSpec] = sorted(TABLE.all_specs(), key=lambda spec: spec.name)
CONTAINERS = [spec for spec in SPECS if spec.subcommands]
_COMMAND = TABLE.lookup(b"command")
COMMAND_INFO_SERVED = _COMMAND is not None and b"info" in _COMMAND.subcommands


def _words(spec: CommandSpec) -> list[str]:
    """The words naming a spec in a request: ``["get"]`` or ``["client", "list"]``."""
    return spec.name.split("|")


def _served_subcommands(spec: CommandSpec) -> set[bytes]:
    return {sub.name.encode() for sub in spec.subcommands.values()}


@pytest.mark.skipif(not COMMAND_INFO_SERVED, reason="COMMAND INFO is not registered in miniredis yet")
@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_command_info(pairs: Pair, spec: CommandSpec) -> None:
    if spec.subcommands:
        pairs.check("COMMAND", "INFO", spec.name, compare=comparers.served_subcommands(_served_subcommands(spec)))
    else:
        pairs.check("COMMAND", "INFO", spec.name)
        pairs.check("COMMAND", "INFO", spec.name.upper())


def _wrong_arity_calls(spec: CommandSpec) -> list[list[str]]:
    words = _words(spec)
    arity = spec.arity
    calls: list[list[str]] = []
    if arity > 0:
        if arity - 1 >= len(words):
            calls.append(words + ["x"] * (arity - 1 - len(words)))
        calls.append(words + ["x"] * (arity + 1 - len(words)))
    elif -arity - 1 >= len(words):
        calls.append(words + ["x"] * (-arity - 1 - len(words)))
    return calls


ARITY_CASES = [(spec, call) for spec in SPECS for call in _wrong_arity_calls(spec)]


@pytest.mark.parametrize(("spec", "call"), ARITY_CASES, ids=[" ".join(call) for _, call in ARITY_CASES])
def test_wrong_arity(pairs: Pair, spec: CommandSpec, call: list[str]) -> None:
    assert call and call[0]
    pairs.check(*call)
    pairs.check(*[word.upper() for word in call[: len(_words(spec))]], *call[len(_words(spec)):])


@pytest.mark.parametrize("spec", [spec for spec in SPECS if spec.container is None], ids=lambda spec: spec.name)
def test_unknown_command_near_name(pairs: Pair, spec: CommandSpec) -> None:
    pairs.check(spec.name + "x", "arg1", "arg 2")
    pairs.check("x" + spec.name)


@pytest.mark.parametrize("spec", CONTAINERS, ids=lambda spec: spec.name)
def test_unknown_subcommand(pairs: Pair, spec: CommandSpec) -> None:
    pairs.check(spec.name, "nosuchsub")
    pairs.check(spec.name.upper(), "NoSuchSub", "a", "b")
    pairs.check(spec.name, "")
    pairs.check(spec.name, "a b\r\nc")


@pytest.mark.parametrize(
    "argv",
    [
        ("NOSUCHCOMMAND",),
        ("nosuchcommand", "a", "b", "c"),
        ("nosuch", "x" * 200),
        ("nosuch", *[f"arg{i}" for i in range(50)]),
        ("nosuch", "a\r\nb", "c\nd"),
        ("n" * 200, "a"),
        ("",),
        ("", "a"),
        (" ",),
        (b"\xff\xfe", b"\x00"),
    ],
    ids=repr,
)
def test_unknown_command_text(pairs: Pair, argv: tuple[str | bytes, ...]) -> None:
    pairs.check(*argv)


def test_command_count_matches_registry(pair: Pair) -> None:
    # Not compared with Redis (miniredis serves a subset): COMMAND COUNT must count what is registered.
    if not COMMAND_INFO_SERVED:
        pytest.skip("COMMAND is not registered in miniredis yet")
    top_level = [spec for spec in SPECS if spec.container is None]
    assert pair.mini.send("COMMAND", "COUNT") == b":%d\r\n" % len(top_level)
