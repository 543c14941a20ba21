"""Build step: compile the request path and the messaging structures with mypyc.

The same typed Python source runs either way: mypyc turns these modules into C extensions (about
a third less CPU per pipelined command, see docs/benchmarks.md), and where it cannot (no C
compiler, ``MINIREDIS_COMPILE=0``) the package installs and runs as plain Python. Everything else
(metadata, dependencies) is in pyproject.toml.

The modules compiled are the ones every request or every messaging command goes through. A
compiled module's classes cannot be monkeypatched or subclassed from Python, and its functions
check their argument types at run time: keep their annotations exact. After editing one of them,
run ``make deps`` again (``miniredis/_compiled.py`` refuses a compiled module older than its source).
"""

from __future__ import annotations

import glob
import importlib.machinery
import os

from setuptools import Extension, setup

COMPILED_MODULES = [
    "miniredis/blocking.py",
    "miniredis/clock.py",
    "miniredis/pubsub.py",
    "miniredis/protocol/encoder.py",
    "miniredis/protocol/parser.py",
    "miniredis/server/app.py",
    "miniredis/server/client.py",
    "miniredis/server/connection.py",
    "miniredis/server/dispatcher.py",
    "miniredis/keyspace/db.py",
    "miniredis/keyspace/encodings.py",
    "miniredis/keyspace/expiry.py",
    "miniredis/keyspace/objects.py",
    "miniredis/structures/cgroup.py",
    "miniredis/structures/listpack.py",
    "miniredis/structures/pending.py",
    "miniredis/structures/quicklist.py",
    "miniredis/structures/rax.py",
    "miniredis/structures/stream.py",
    "miniredis/structures/zset.py",
    "miniredis/commands/args.py",
    "miniredis/commands/generic.py",
    "miniredis/commands/hashes.py",
    "miniredis/commands/lists.py",
    "miniredis/commands/mpop.py",
    "miniredis/commands/pubsub.py",
    "miniredis/commands/registry.py",
    "miniredis/commands/sets.py",
    "miniredis/commands/sorted_sets.py",
    "miniredis/commands/sorted_sets_algebra.py",
    "miniredis/commands/sorted_sets_ranges.py",
    "miniredis/commands/stream_args.py",
    "miniredis/commands/stream_claims.py",
    "miniredis/commands/stream_groups.py",
    "miniredis/commands/streams.py",
    "miniredis/commands/strings.py",
    "miniredis/commands/strings_numeric.py",
    "miniredis/commands/transactions.py",
]


def remove_built_extensions() -> None:
    """Delete the extensions an earlier in-place build left (Python would keep importing them)."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for path in glob.glob(f"miniredis/**/*{suffix}", recursive=True):
            os.remove(path)


def ext_modules() -> list[Extension]:
    if os.environ.get("MINIREDIS_COMPILE", "1") == "0":
        remove_built_extensions()
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    # The group name puts mypyc's shared runtime library inside the package
    # (miniredis/_native__mypyc.*.so) instead of a top-level module named by a hash.
    extensions = mypycify(COMPILED_MODULES, opt_level="3", group_name="miniredis._native")
    for extension in extensions:
        extension.optional = True  # no C compiler: install the plain Python modules instead
    return extensions


setup(ext_modules=ext_modules())
