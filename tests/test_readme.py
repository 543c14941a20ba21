"""The README's compatibility table is generated from the registry and must not drift from it."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import compat_table  # noqa: E402


def test_readme_compat_table_matches_registry() -> None:
    text = (ROOT / "README.md").read_text()
    start = text.index(compat_table.BEGIN) + len(compat_table.BEGIN)
    end = text.index(compat_table.END)
    assert text[start:end].strip() == compat_table.render().strip(), "run: python tools/compat_table.py --write"


def test_readme_opens_with_the_two_setup_commands() -> None:
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh", 1)[1].split("```", 1)[0]
    assert "make run" in block and "make test" in block
