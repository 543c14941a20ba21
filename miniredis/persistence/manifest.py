"""The AOF manifest of Redis 7.0's multi-part AOF: which files make up the data, in which order.

The append-only directory (``appenddirname``, under ``dir``) holds one base file (the data at the last
rewrite), zero or more incremental files (the writes since) and the manifest naming them, one line
per file, exactly as Redis 7.0 writes it::

    file appendonly.aof.1.base.aof seq 1 type b
    file appendonly.aof.1.incr.aof seq 1 type i

File names are ``<appendfilename>.<seq>.base.aof`` and ``<appendfilename>.<seq>.incr.aof`` (a base
written by Redis with ``aof-use-rdb-preamble yes`` is ``.base.rdb``). Type ``h`` marks history files
(Redis lists files it is about to delete); they are not loaded. Base and incr sequence numbers are
independent counters. The manifest is only ever replaced atomically: written to a temporary file,
fsynced, renamed over the old one, and the directory fsynced, so a crash leaves either manifest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

BASE = "b"
INCR = "i"
HISTORY = "h"


class ManifestError(Exception):
    """The manifest cannot be read; the message says why (and names the file)."""


@dataclass
class AofFile:
    name: str
    seq: int
    kind: str  # BASE, INCR or HISTORY


@dataclass
class Manifest:
    base: AofFile | None = None
    incrs: list[AofFile] = field(default_factory=list)
    history: list[AofFile] = field(default_factory=list)

    @property
    def base_seq(self) -> int:
        return self.base.seq if self.base is not None else 0

    @property
    def incr_seq(self) -> int:
        return max((incr.seq for incr in self.incrs), default=0)

    def files(self) -> list[AofFile]:
        """The files to load, in order: the base, then the incremental files by sequence."""
        return ([self.base] if self.base is not None else []) + sorted(self.incrs, key=lambda item: item.seq)

    def render(self) -> bytes:
        lines = [f"file {item.name} seq {item.seq} type {item.kind}\n" for item in self.files() + self.history]
        return "".join(lines).encode()


def base_name(filename: str, seq: int) -> str:
    return f"{filename}.{seq}.base.aof"


def incr_name(filename: str, seq: int) -> str:
    return f"{filename}.{seq}.incr.aof"


def manifest_name(filename: str) -> str:
    return f"{filename}.manifest"


def _unquote(word: str) -> str:
    # Redis quotes names holding spaces or odd bytes (sdscatrepr); the default names never are.
    if len(word) >= 2 and word[0] == word[-1] == '"':
        return word[1:-1].encode("latin-1").decode("unicode_escape")
    return word


def parse_manifest(text: str, path: str = "manifest") -> Manifest:
    """Read a manifest; unknown keys are ignored, as Redis ignores them (forward compatibility)."""
    manifest = Manifest()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if len(words) % 2:
            raise ManifestError(f"Invalid AOF manifest file format: {path} line {number}")
        pairs = dict(zip(words[::2], words[1::2], strict=True))
        try:
            item = AofFile(_unquote(pairs["file"]), int(pairs["seq"]), pairs["type"])
        except (KeyError, ValueError):
            raise ManifestError(f"Invalid AOF manifest file format: {path} line {number}") from None
        if item.kind == BASE:
            if manifest.base is not None:
                raise ManifestError(f"Found duplicate base file information in {path} line {number}")
            manifest.base = item
        elif item.kind == INCR:
            manifest.incrs.append(item)
        elif item.kind == HISTORY:
            manifest.history.append(item)
        else:
            raise ManifestError(f"Unknown AOF file type '{item.kind}' in {path} line {number}")
    if manifest.base is None and not manifest.incrs:
        raise ManifestError(f"Found an empty AOF manifest: {path}")
    return manifest


def read_manifest(directory: str, filename: str) -> Manifest | None:
    """The manifest in ``directory``, or None when there is none."""
    path = os.path.join(directory, manifest_name(filename))
    try:
        with open(path, encoding="latin-1") as handle:
            text = handle.read()
    except FileNotFoundError:
        return None
    return parse_manifest(text, path)


def fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file, fsync, rename over, fsync the directory."""
    directory = os.path.dirname(path) or "."
    temp = os.path.join(directory, f"temp-{os.path.basename(path)}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    fsync_dir(directory)


def write_manifest(directory: str, filename: str, manifest: Manifest) -> None:
    write_atomically(os.path.join(directory, manifest_name(filename)), manifest.render())
