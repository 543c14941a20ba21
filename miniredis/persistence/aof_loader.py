"""Reading AOF files: the record parser, start-up loading and ``miniredis check-aof``.

Every AOF file is a sequence of RESP arrays of bulk strings. Loading (Redis 7.0's
``loadAppendOnlyFiles``) reads the manifest, then the base and each incremental file in order, and
replays every record through the real command handlers with a fake client that gets no replies.
``MULTI`` ... ``EXEC`` blocks are applied whole, at their ``EXEC``. Errors, as Redis treats them:

* the last file ends inside a record (or inside a MULTI block): a crash cut the tail. With
  ``aof-load-truncated yes`` the tail is cut off the file and loading goes on (logged); with ``no``
  the server refuses to start. A truncated file that is not the last one is always fatal;
* anything else that is not a well-formed record is corruption: the server refuses to start,
  naming the file and the byte offset of the bad record;
* an unknown command is fatal (named, with file and offset); a command that replies an error is
  ignored, as Redis ignores the replies of its fake client;
* a base file written by Redis as RDB (``aof-use-rdb-preamble yes``) is refused with a message
  naming the file: miniredis reads RESP only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from miniredis.errors import CommandError
from miniredis.persistence.manifest import INCR, Manifest, ManifestError, manifest_name, read_manifest

if TYPE_CHECKING:
    from miniredis.server.app import Server

log = logging.getLogger("miniredis")

FIX_HINT = "use 'miniredis check-aof --fix {directory}'"


class AofLoadError(Exception):
    """The AOF cannot be loaded; the message names the file (and offset) and says what to do."""


class AofFormatError(Exception):
    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


class AofTruncated(Exception):
    def __init__(self, offset: int, reason: str = "unexpected end of file") -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


def parse_records(data: bytes | memoryview, start: int = 0) -> Iterator[tuple[int, int, list[bytes]]]:
    """Yield ``(offset, end, argv)`` for each record; raise AofTruncated when the data stops inside a
    record, AofFormatError (with the record's offset) for anything else malformed."""
    raw = bytes(data) if isinstance(data, memoryview) else data
    size = len(raw)
    pos = start
    find = raw.find
    while pos < size:
        if raw[pos] != 42:  # '*'
            raise AofFormatError(pos, f"expected '*', got {raw[pos:pos + 1]!r}")
        eol = find(b"\r\n", pos)
        if eol < 0:
            raise AofTruncated(pos)
        try:
            count = int(raw[pos + 1:eol])
        except ValueError:
            raise AofFormatError(pos, f"invalid array length {raw[pos + 1:eol][:32]!r}") from None
        if count < 1:
            raise AofFormatError(pos, f"invalid array length {count}")
        cursor = eol + 2
        argv: list[bytes] = []
        for _ in range(count):
            if cursor >= size:
                raise AofTruncated(pos)
            if raw[cursor] != 36:  # '$'
                raise AofFormatError(pos, f"expected '$' at offset {cursor}, got {raw[cursor:cursor + 1]!r}")
            eol = find(b"\r\n", cursor)
            if eol < 0:
                raise AofTruncated(pos)
            try:
                length = int(raw[cursor + 1:eol])
            except ValueError:
                raise AofFormatError(pos, f"invalid bulk length at offset {cursor}") from None
            if length < 0:
                raise AofFormatError(pos, f"invalid bulk length at offset {cursor}")
            begin = eol + 2
            end = begin + length
            if end + 2 > size:
                raise AofTruncated(pos)
            if raw[end:end + 2] != b"\r\n":
                raise AofFormatError(pos, f"expected CRLF after the bulk string at offset {end}")
            argv.append(raw[begin:end])
            cursor = end + 2
        yield pos, cursor, argv
        pos = cursor


@dataclass
class FileScan:
    """What a scan of one file found: records up to ``ok_up_to`` are complete (outside a MULTI block)."""

    size: int
    ok_up_to: int
    records: int
    truncated: bool = False
    error: str | None = None  # corruption reason (with its offset in ``error_offset``)
    error_offset: int = -1


def is_rdb(data: bytes) -> bool:
    return data[:5] == b"REDIS"


def scan(data: bytes) -> FileScan:
    """Check a whole file without running anything (check-aof, and the loader's dry pass)."""
    result = FileScan(len(data), 0, 0)
    multi_at = -1
    try:
        for offset, end, argv in parse_records(data):
            result.records += 1
            name = argv[0].lower()
            if name == b"multi":
                multi_at = offset
            elif name == b"exec":
                multi_at = -1
            if multi_at < 0:
                result.ok_up_to = end
    except AofTruncated:
        result.truncated = True
        return result
    except AofFormatError as error:
        result.error = error.reason
        result.error_offset = error.offset
        return result
    if multi_at >= 0:
        result.truncated = True  # an unterminated transaction at the end is a cut tail
    return result


# --- loading ------------------------------------------------------------------------------------------
@dataclass
class LoadResult:
    manifest: Manifest
    total_size: int
    commands: int


def load_directory(server: Server, directory: str, filename: str, load_truncated: bool) -> LoadResult | None:
    """Replay the AOF in ``directory`` into ``server``; None when there is no manifest."""
    try:
        manifest = read_manifest(directory, filename)
    except ManifestError as error:
        raise AofLoadError(str(error)) from None
    if manifest is None:
        return None
    from miniredis.server.client import Client

    client = Client(server, 0, None)
    client.kind = "aof-loader"
    files = manifest.files()
    total_size = 0
    commands = 0
    for index, item in enumerate(files):
        path = os.path.join(directory, item.name)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            listed_in = manifest_name(filename)
            raise AofLoadError(f"The AOF file {item.name} doesn't exist (listed in {listed_in})") from None
        if index == 0 and item is manifest.base and (is_rdb(data) or item.name.endswith(".rdb")):
            raise AofLoadError(
                f"The AOF base file {item.name} is an RDB file (Redis's aof-use-rdb-preamble yes): miniredis loads "
                f"RESP AOF files only. Rewrite it with Redis configured with 'aof-use-rdb-preamble no'."
            )
        last = index == len(files) - 1
        loaded, cut = _replay_file(server, client, data, item.name, directory, last, load_truncated)
        commands += loaded
        if cut is not None:
            log.warning("!!! Warning: short read while loading the AOF file %s!!!", item.name)
            log.warning("AOF %s loaded anyway because aof-load-truncated is enabled; truncating it from %d to %d "
                        "bytes", item.name, len(data), cut)
            os.truncate(path, cut)
            data = data[:cut]
        total_size += len(data)
        log.info("DB loaded from %s file %s: %d commands", "incr" if item.kind == INCR else "base", item.name, loaded)
    server.ready_keys.clear()
    return LoadResult(manifest, total_size, commands)


def _replay_file(server: Server, client: object, data: bytes, name: str, directory: str, last: bool,
                 load_truncated: bool) -> tuple[int, int | None]:
    """Run every record of one file; returns (commands run, offset to cut the file at or None)."""
    from miniredis.server.dispatcher import resolve

    queued: list[tuple[object, list[bytes]]] | None = None
    multi_at = 0
    valid_up_to = 0
    commands = 0
    hint = FIX_HINT.format(directory=directory)
    try:
        for offset, end, argv in parse_records(data):
            lowered = argv[0].lower()
            if lowered == b"multi":
                queued, multi_at = [], offset
                continue
            if lowered == b"exec" and queued is not None:
                for spec, queued_argv in queued:
                    _run(spec, client, queued_argv)
                    commands += 1
                queued = None
                valid_up_to = end
                continue
            try:
                spec = resolve(client, argv)  # type: ignore[arg-type]
            except CommandError as error:
                command_name = argv[0].decode("utf-8", "replace")
                raise AofLoadError(
                    f"Unknown command '{command_name}' reading the append only file {name} at offset {offset}: "
                    f"{error}"
                ) from None
            if queued is not None:
                queued.append((spec, argv))
                continue
            _run(spec, client, argv)
            commands += 1
            valid_up_to = end
    except AofFormatError as error:
        raise AofLoadError(
            f"Bad file format reading the append only file {name} at offset {error.offset}: {error.reason}. "
            f"Make a backup of your AOF directory, then {hint}"
        ) from None
    except AofTruncated:
        return commands, _truncated(name, valid_up_to, last, load_truncated, hint)
    if queued is not None:
        log.warning("Revert incomplete MULTI/EXEC transaction in AOF file %s", name)
        return commands, _truncated(name, multi_at, last, load_truncated, hint)
    return commands, None


def _truncated(name: str, valid_up_to: int, last: bool, load_truncated: bool, hint: str) -> int:
    if not last:
        raise AofLoadError(f"Fatal error: the truncated file {name} is not the last file (valid up to offset "
                           f"{valid_up_to})")
    if not load_truncated:
        raise AofLoadError(
            f"Unexpected end of file reading the append only file {name} (valid up to offset {valid_up_to}). "
            f"You can: 1) Make a backup of your AOF directory, then {hint}. 2) Alternatively you can set the "
            f"'aof-load-truncated' configuration option to yes and restart the server."
        )
    return valid_up_to


def _run(spec: object, client: object, argv: list[bytes]) -> None:
    try:
        spec.handler(client, argv)  # type: ignore[attr-defined]
    except CommandError as error:
        log.debug("AOF command %r replied an error while loading: %s", argv[0], error)


# --- check-aof ----------------------------------------------------------------------------------------
def check_directory(directory: str, filename: str = "appendonly.aof", fix: bool = False) -> tuple[bool, list[str]]:
    """``miniredis check-aof [--fix] DIR``: check the manifest and every file it lists, as
    redis-check-aof does for a multi-part AOF; with ``fix`` a damaged last file is truncated to its
    last complete record. Returns (valid, report lines)."""
    lines = ["Start checking Multi Part AOF"]
    try:
        manifest = read_manifest(directory, filename)
    except ManifestError as error:
        return False, [*lines, str(error)]
    if manifest is None:
        return False, [*lines, f"No manifest {manifest_name(filename)} in {directory}"]
    files = manifest.files()
    valid = True
    for index, item in enumerate(files):
        if index == 0 and item is manifest.base:
            lines.append("Start to check BASE AOF (RESP format).")
        elif item is files[1 if manifest.base is not None else 0]:
            lines.append("Start to check INCR files.")
        path = os.path.join(directory, item.name)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            lines.append(f"AOF {item.name} doesn't exist")
            return False, lines
        if is_rdb(data):
            lines.append(f"AOF {item.name} is an RDB file: miniredis checks RESP AOF files only")
            return False, lines
        result = scan(data)
        if result.error is not None:
            lines.append(f"0x{result.error_offset:>16x}: {result.error}")
        elif result.truncated:
            lines.append(f"0x{result.ok_up_to:>16x}: unexpected end of file")
        diff = result.size - result.ok_up_to
        lines.append(f"AOF analyzed: filename={item.name}, size={result.size}, ok_up_to={result.ok_up_to}, "
                     f"diff={diff}")
        if diff == 0:
            lines.append(f"{'BASE AOF' if item is manifest.base else 'AOF'} {item.name} is valid")
            continue
        last = index == len(files) - 1
        if fix and last:
            lines.append(f"This will shrink the AOF {item.name} from {result.size} bytes, with {diff} bytes, to "
                         f"{result.ok_up_to} bytes")
            os.truncate(path, result.ok_up_to)
            lines.append(f"Successfully truncated AOF {item.name}")
        else:
            valid = False
            lines.append(f"AOF {item.name} is not valid." + (" Use the --fix option to try fixing it." if last else
                                                             " Only the last file can be fixed."))
            return valid, lines
    lines.append("All AOF files and manifest are valid")
    return valid, lines
