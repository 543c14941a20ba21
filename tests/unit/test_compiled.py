"""The mypyc build (setup.py) and its guard (miniredis/_compiled.py).

The build must compile every module setup.py lists wherever a C compiler is present, so that the
tests run the code the benchmarks measure; and a compiled module older than its source must be
refused in a source checkout rather than silently run.
"""

from __future__ import annotations

import ast
import importlib.machinery
import os
import shutil
import sysconfig
from pathlib import Path

import pytest

from miniredis import _compiled

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def listed_modules() -> list[str]:
    """COMPILED_MODULES from setup.py, as dotted names (read, not imported: importing runs setup())."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "COMPILED_MODULES":
            paths: list[str] = ast.literal_eval(node.value)
            return sorted(path[:-3].replace("/", ".") for path in paths)
    raise AssertionError("COMPILED_MODULES not found in setup.py")


def can_compile() -> bool:
    """What the build needs: a C compiler and the Python headers (else it installs plain Python)."""
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    return shutil.which("cc") is not None and headers.exists() and os.environ.get("MINIREDIS_COMPILE") != "0"


@pytest.mark.skipif(not can_compile(), reason="no C compiler or Python headers, or MINIREDIS_COMPILE=0")
def test_every_listed_module_runs_compiled() -> None:
    import importlib

    assert _compiled.compiled_modules() == listed_modules()
    for name in listed_modules():
        assert importlib.import_module(name).__file__.endswith(SUFFIX), name  # type: ignore[union-attr]


@pytest.mark.skipif(os.environ.get("MINIREDIS_EXPECT_PLAIN") != "1", reason="only in `make plain-tests`")
def test_the_plain_run_imports_no_compiled_module() -> None:
    import miniredis.server.dispatcher

    assert _compiled.compiled_modules() == []
    assert miniredis.server.dispatcher.__file__.endswith(".py")  # type: ignore[union-attr]


def make_package(tmp_path: Path, *, checkout: bool) -> Path:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    for module in ("fast", "sub/deep", "plain"):
        (package / f"{module}.py").write_text("")
    for module in ("fast", "sub/deep"):
        (package / f"{module}{SUFFIX}").write_bytes(b"")
    (package / f"abc123__mypyc{SUFFIX}").write_bytes(b"")  # the shared runtime: no source of its own
    if checkout:
        (tmp_path / "setup.py").write_text("")
    return package


def age(path: Path, seconds: float) -> None:
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def test_compiled_modules_are_those_with_an_extension_next_to_their_source(tmp_path: Path) -> None:
    package = make_package(tmp_path, checkout=True)
    assert _compiled.compiled_modules(str(package)) == ["pkg.fast", "pkg.sub.deep"]


def test_a_source_newer_than_its_extension_is_refused_in_a_checkout(tmp_path: Path) -> None:
    package = make_package(tmp_path, checkout=True)
    _compiled.check_fresh(str(package))  # built after the sources: fine
    age(package / f"sub/deep{SUFFIX}", 60)
    assert _compiled.stale_modules(str(package)) == ["pkg.sub.deep"]
    with pytest.raises(ImportError, match=r"pkg\.sub\.deep changed after it was compiled; run `make deps`"):
        _compiled.check_fresh(str(package))


def test_an_installed_package_is_not_checked(tmp_path: Path) -> None:
    package = make_package(tmp_path, checkout=False)
    age(package / f"fast{SUFFIX}", 60)
    assert _compiled.stale_modules(str(package)) == ["pkg.fast"]
    _compiled.check_fresh(str(package))  # no setup.py next to the package: files from one build
