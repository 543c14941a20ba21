"""Command families. Importing a family module registers its commands in the table."""

from __future__ import annotations

import importlib

# One module per family, in the order COMMAND lists nothing about (registration order is irrelevant).
FAMILIES = (
    "connection",
    "server",
    "introspection",
    "clients",
    "transactions",
    "generic",
    "strings",
    "strings_numeric",
    "hashes",
    "sets",
    "pubsub",
    "lists",
    "sorted_sets",
    "sorted_sets_ranges",
    "sorted_sets_algebra",
    "streams",
    "stream_groups",
    "stream_claims",
    "persistence",
    "scripting",
)


def load_commands() -> None:
    """Import every family module once (registration happens at import)."""
    for family in FAMILIES:
        name = f"miniredis.commands.{family}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name:  # a family not written yet is skipped; any other import error is real
                raise
