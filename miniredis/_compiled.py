"""Which modules run compiled (mypyc, see setup.py), and the guard against a stale build.

Python imports a module's C extension in preference to its source. In a source checkout (an
editable install), a module edited after ``make deps`` compiled it would silently keep running the
old code; ``check_fresh`` turns that into an ImportError that says what to do. Installed packages
(no setup.py next to the package) are not checked: their files come from one build.
"""

from __future__ import annotations

import importlib.machinery
import os

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)


def _extensions(package_dir: str) -> list[tuple[str, str]]:
    """(source path, extension path) of every compiled module under ``package_dir``. mypyc's shared
    runtime library has no source of its own and is left out."""
    pairs = []
    for directory, _, files in os.walk(package_dir):
        for name in files:
            suffix = next((s for s in _SUFFIXES if name.endswith(s)), None)
            if suffix is not None and name[: -len(suffix)] + ".py" in files:
                pairs.append((os.path.join(directory, name[: -len(suffix)] + ".py"), os.path.join(directory, name)))
    return sorted(pairs)


def _module_name(source: str, package_dir: str) -> str:
    return os.path.relpath(source[:-3], os.path.dirname(package_dir)).replace(os.sep, ".")


def compiled_modules(package_dir: str = PACKAGE_DIR) -> list[str]:
    """Dotted names of the package's modules that run compiled."""
    return [_module_name(source, package_dir) for source, _ in _extensions(package_dir)]


def stale_modules(package_dir: str = PACKAGE_DIR) -> list[str]:
    """Compiled modules whose source changed after they were built."""
    return [_module_name(source, package_dir) for source, built in _extensions(package_dir)
            if os.path.getmtime(source) > os.path.getmtime(built)]


def check_fresh(package_dir: str = PACKAGE_DIR) -> None:
    if not os.path.exists(os.path.join(os.path.dirname(package_dir), "setup.py")):
        return
    stale = stale_modules(package_dir)
    if stale:
        raise ImportError(
            f"miniredis: {', '.join(stale)} changed after it was compiled; run `make deps` to rebuild "
            "(or delete the .so files under miniredis/ to run the plain Python)"
        )
