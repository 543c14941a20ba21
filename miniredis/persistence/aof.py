"""The append-only file (Redis 7.0's multi-part AOF): feeding effects, fsync policies, rewrite, on/off.

One ``Aof`` per server (``server.aof``). While ``appendonly`` is on, every effect the dispatcher
propagates is encoded as a RESP record into ``buf`` (Redis's aof_buf), with ``SELECT`` written
whenever the db changes. Grouping follows Redis 7.0: the effects of one command that produced more
than one (SPOP with a count) and the writes of an EXEC that made more than one are wrapped in
``MULTI`` ... ``EXEC``; a single write needs no wrapper.

When the buffer reaches the file, and fsync (``appendfsync``):

* the buffer is written (write(2)) before any reply of the loop pass leaves: ``Client.flush`` and
  ``Server._flush_all`` call ``before_reply`` first, so an acknowledged write is at least in the
  page cache and survives the process being killed;
* ``always``: the write is also fsynced before the replies go out. Client replies are then deferred
  to the end of the loop pass (``schedule_flush``) so one fsync covers every client served in that
  pass (group commit);
* ``everysec``: a background thread fsyncs the file at most about a second behind, from the cron;
  the loop never waits for it;
* ``no``: the kernel decides.

Files and rewrites: see ``manifest`` (layout), ``aof_rewrite`` (the forked base writer) and
``aof_loader`` (start-up loading, check-aof). A rewrite opens a new incr file first and records
it in the manifest (old base + old incrs + new incr), so a crash during the rewrite loads
everything; when the child has written the base, it is renamed into place and the manifest is
replaced by new base + new incr, atomically; then the old files are deleted. Turning AOF on at run
time (CONFIG SET appendonly yes) starts such a rewrite first, as Redis does: the manifest only
names the new files once the base holding the data is complete.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import queue
import signal
import threading
import time
from typing import TYPE_CHECKING

from miniredis.persistence.aof_loader import AofLoadError, load_directory
from miniredis.persistence.aof_rewrite import can_fork, encode_command, start_background_rewrite, write_base
from miniredis.persistence.manifest import (
    BASE,
    INCR,
    AofFile,
    Manifest,
    ManifestError,
    base_name,
    fsync_dir,
    incr_name,
    read_manifest,
    write_manifest,
)

if TYPE_CHECKING:
    from miniredis.keyspace.db import Db
    from miniredis.server.app import Server
    from miniredis.server.client import Client

log = logging.getLogger("miniredis")

MULTI = encode_command([b"MULTI"])
EXEC = encode_command([b"EXEC"])
EVERYSEC_INTERVAL = 1.0


class SyncWorker:
    """The background fsync thread (Redis's bio AOF fsync job): fsync or fsync-and-close jobs in order."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[tuple[str, int | str]] = queue.SimpleQueue()
        self.pending = 0  # jobs queued or running (INFO aof_pending_bio_fsync); updated under ``lock``
        self.lock = threading.Lock()
        self.failed = False
        self.thread: threading.Thread | None = None

    def submit(self, op: str, fd: int | str) -> None:
        """``fsync`` fd, ``close`` fd (after an fsync), or ``unlink`` a path (a big file's deletion can
        take tens of milliseconds: never on the loop, as Redis deletes old AOF files in a bio thread)."""
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="miniredis-aof-fsync", daemon=True)
            self.thread.start()
        with self.lock:
            self.pending += 1
        self.jobs.put((op, fd))

    def _run(self) -> None:
        while True:
            op, fd = self.jobs.get()
            try:
                if op == "unlink":
                    assert isinstance(fd, str)
                    try:
                        os.unlink(fd)
                    except FileNotFoundError:
                        pass
                    continue
                assert isinstance(fd, int)
                os.fsync(fd)
                if op == "close":
                    os.close(fd)
                self.failed = False
            except OSError as error:
                self.failed = True
                log.warning("AOF background fsync failed: %s", error)
            finally:
                with self.lock:
                    self.pending -= 1

    def drain(self, timeout: float = 5.0) -> None:
        """Wait (bounded) for queued jobs: used at shutdown only."""
        deadline = time.monotonic() + timeout
        while self.pending > 0 and time.monotonic() < deadline:
            time.sleep(0.001)


class Aof:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.buf: list[bytes] = []  # encoded records not yet written (server.aof_buf is this list)
        self.enabled = False  # appendonly is on (effects are fed), including while waiting for the first base
        self.waiting_rewrite = False  # turned on at run time: the manifest waits for the first base
        self.fd = -1
        self.incr: AofFile | None = None  # the incremental file being appended to
        self.manifest: Manifest | None = None  # the manifest as it is on disk
        self.directory = ""
        self.selected_db = -1
        self.txn: list[tuple[Db, list[bytes]]] | None = None  # effects of an EXEC in progress
        self.write_scheduled = False
        self.unsynced = False
        self.last_fsync = time.monotonic()
        self.worker = SyncWorker()
        self.current_size = 0
        self.base_size = 0
        # rewrite state and INFO counters
        self.child_pid = 0
        self.child_temp = ""
        self.rewrite_started = 0.0
        self.rewrite_scheduled = False
        self.last_rewrite_time_sec = -1
        self.last_bgrewrite_ok = True
        self.rewrites = 0
        self.consecutive_failures = 0
        self.last_write_ok = True
        self.last_fork_usec = 0

    # --- paths -----------------------------------------------------------------------------------
    @property
    def filename(self) -> str:
        return str(self.server.config.appendfilename)

    def _directory(self) -> str:
        config = self.server.config
        return os.path.join(os.path.abspath(str(config.dir)), str(config.appenddirname))

    # --- start-up, on, off -----------------------------------------------------------------------------
    def start_up(self) -> None:
        """At server start with appendonly yes: load the AOF (or create an empty one) and open the
        last incr file for appending. Raises AofLoadError when the files cannot be loaded."""
        self.directory = self._directory()
        self._remove_leftovers()
        config = self.server.config
        result = load_directory(self.server, self.directory, self.filename, bool(config.aof_load_truncated))
        for db in self.server.dbs:
            db.lru_ms = self.server.clock.time_ms()
        self.server.dirty = 0
        if result is None:
            os.makedirs(self.directory, exist_ok=True)
            base = AofFile(base_name(self.filename, 1), 1, BASE)
            size = write_base(self.server, os.path.join(self.directory, base.name))
            log.info("Creating AOF base file %s on server start", base.name)
            self.manifest = Manifest(base=base)
            self.current_size = size
        else:
            self.manifest = result.manifest
            self.current_size = result.total_size
            log.info("DB loaded from append only file: %d commands", result.commands)
        self.base_size = self.current_size
        if self.manifest.incrs:
            last = self.manifest.files()[-1]
            self._open_incr(last, create=False)
        else:
            incr = AofFile(incr_name(self.filename, self.manifest.incr_seq + 1), self.manifest.incr_seq + 1, INCR)
            self._open_incr(incr, create=True)
            self.manifest.incrs.append(incr)
            write_manifest(self.directory, self.filename, self.manifest)
            log.info("Creating AOF incr file %s on server start", incr.name)
        self._set_enabled(True)

    def _remove_leftovers(self) -> None:
        """Temporary files of a process that died mid-rewrite or mid-manifest-write: never loaded, removed."""
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name.startswith(("temp-rewriteaof-bg-", f"temp-{self.filename}.manifest.")):
                self._remove(os.path.join(self.directory, name))

    def enable(self) -> None:
        """CONFIG SET appendonly yes: open a new incr file and write a base by a rewrite; the manifest
        names them once the base is complete (until then the old manifest, if any, stays)."""
        if self.enabled:
            return
        self.directory = self._directory()
        try:
            os.makedirs(self.directory, exist_ok=True)
            self.manifest = read_manifest(self.directory, self.filename)
            seq = self.manifest.incr_seq + 1 if self.manifest is not None else 1
            self._open_incr(AofFile(incr_name(self.filename, seq), seq, INCR), create=True)
        except (OSError, ManifestError) as error:
            log.warning("Redis needs to enable the AOF but can't open the append only file: %s", error)
            raise
        self.waiting_rewrite = True
        self._set_enabled(True)
        self.base_size = self.current_size = 0
        if self.child_pid:
            self._kill_child()  # a rewrite started while AOF was off knows nothing of the new incr file
        if self.in_exec():
            self.rewrite_scheduled = True  # a fork inside EXEC would snapshot half a transaction
            log.info("AOF enabled; the rewrite is scheduled after the transaction")
            return
        try:
            self.start_rewrite()
        except OSError:
            self.disable()
            raise
        log.info("AOF enabled")

    def in_exec(self) -> bool:
        """Whether a transaction is running (a rewrite must then wait: see ``schedule_rewrite``)."""
        return any(client.in_exec for client in self.server.clients.values())

    def disable(self) -> None:
        """CONFIG SET appendonly no: write what is buffered, stop feeding, close the file (fsynced in
        the background), and kill a rewrite in progress, as Redis does."""
        if not self.enabled:
            return
        self.flush_pending()
        self._set_enabled(False)
        self.waiting_rewrite = False
        self._close_incr()
        self.incr = None
        if self.child_pid:
            self._kill_child()
        log.info("AOF disabled")

    def shutdown(self) -> None:
        """Server stop: kill a rewrite, write and fsync what is buffered."""
        if self.child_pid:
            self._kill_child()
        if self.enabled:
            self.flush_pending()
            if self.fd >= 0:
                try:
                    os.fsync(self.fd)
                except OSError as error:
                    log.warning("Fail to fsync the AOF file: %s", error)
                self.worker.drain()
                os.close(self.fd)
                self.fd = -1
            self._set_enabled(False)
        self.worker.drain()

    def _set_enabled(self, on: bool) -> None:
        self.enabled = on
        if on and not self.server.propagating:
            for client in self.server.clients.values():
                client.propagate = None  # effects recorded while nothing consumed them are stale
        self.server.propagating = on
        self.selected_db = -1
        self.txn = None

    def _open_incr(self, incr: AofFile, create: bool) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_TRUNC if create else 0)
        fd = os.open(os.path.join(self.directory, incr.name), flags, 0o644)
        self._close_incr()
        self.fd = fd
        self.incr = incr
        self.selected_db = -1  # a new file starts with no db selected

    def _close_incr(self) -> None:
        if self.fd >= 0:
            self.worker.submit("close", self.fd)  # fsync then close, off the loop
            self.fd = -1

    # --- feeding -------------------------------------------------------------------------------------
    def feed(self, db: Db, argv: list[bytes]) -> None:
        """One effect outside any command's grouping (an expired key's DEL)."""
        if self.enabled:
            self._append([(db, argv)])

    def feed_command(self, client: Client, argv: list[bytes], effects: list[list[bytes]] | None) -> None:
        """The effects of one command (or its argv when it has no rewritten form)."""
        if not self.enabled:
            return
        db = client.db
        if not client.in_exec and self.buf and db.id == self.selected_db and (
                effects is None and (len(argv) != 1 or argv[0].lower() != b"exec")
                or effects is not None and len(effects) == 1):
            # The common case, kept short: one effect, same db, a write already scheduled.
            self.buf.append(encode_command(argv if effects is None else effects[0]))
            return
        if client.in_exec:
            if self.txn is None:
                self.txn = []
            self.txn.extend((db, effect) for effect in (effects if effects is not None else (argv,)))
            return
        if effects is None and len(argv) == 1 and argv[0].lower() == b"exec":
            group, self.txn = self.txn or [], None
            self._append(group)
            return
        self._append([(db, effect) for effect in effects] if effects is not None else [(db, argv)])

    def _append(self, group: list[tuple[Db, list[bytes]]]) -> None:
        if not group:
            return
        buf = self.buf
        was_empty = not buf
        wrap = len(group) > 1
        if wrap:
            buf.append(MULTI)
        for db, argv in group:
            if db.id != self.selected_db:
                buf.append(encode_command([b"SELECT", b"%d" % db.id]))
                self.selected_db = db.id
            buf.append(encode_command(argv))
        if wrap:
            buf.append(EXEC)
        if was_empty and not self.write_scheduled:
            loop = self.server.loop
            if loop is not None:
                self.write_scheduled = True
                loop.call_soon(self._scheduled_write)

    # --- writing -------------------------------------------------------------------------------------
    def _scheduled_write(self) -> None:
        self.write_scheduled = False
        if self.buf:
            self.flush_pending()

    def before_reply(self, client: Client) -> bool:
        """Called by ``Client.flush`` when records are buffered: returns True when the client's flush is
        deferred to the end of the loop pass (appendfsync always: one fsync for all replies)."""
        if self.server.config.appendfsync == "always" and client.transport is not None:
            if not client.flush_scheduled:
                client.flush_scheduled = True
                self.server.schedule_flush(client)
            return True
        self.flush_pending()
        return False

    def flush_pending(self) -> None:
        """Write the buffer to the incr file (Redis's flushAppendOnlyFile); fsync it under ``always``."""
        buf = self.buf
        if not buf or self.fd < 0:
            if self.fd < 0:
                buf.clear()
            return
        data = b"".join(buf) if len(buf) > 1 else buf[0]
        buf.clear()
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self.fd, view):]
        except OSError as error:
            # Keep what was not written and retry from the cron, as Redis does (aof_last_write_status err).
            if view:
                buf.append(bytes(view))
            self.current_size += len(data) - len(view)
            if self.last_write_ok:
                log.warning("Error writing to the AOF file: %s", os.strerror(error.errno or errno.EIO))
            self.last_write_ok = False
            return
        self.current_size += len(data)
        if not self.last_write_ok:
            log.warning("AOF write error looks solved, Redis can write again.")
        self.last_write_ok = True
        if self.server.config.appendfsync == "always":
            try:
                os.fsync(self.fd)
            except OSError as error:
                log.warning("Can't persist the AOF (fsync error): %s", error)
                self.last_write_ok = False
            self.last_fsync = time.monotonic()
        else:
            self.unsynced = True

    # --- cron ----------------------------------------------------------------------------------------
    def cron(self) -> None:
        if self.buf:
            self.flush_pending()
        now = time.monotonic()
        if (self.enabled and self.unsynced and self.fd >= 0 and self.server.config.appendfsync == "everysec"
                and now - self.last_fsync >= EVERYSEC_INTERVAL and self.worker.pending == 0):
            self.unsynced = False
            self.last_fsync = now
            self.worker.submit("fsync", self.fd)
        if self.child_pid:
            self._poll_child()
        elif self.rewrite_scheduled or (self.waiting_rewrite and self.enabled):
            self.rewrite_scheduled = False
            try:
                self.start_rewrite()
            except OSError as error:
                log.warning("Background AOF rewrite could not start: %s", error)
        elif self.enabled and not self.waiting_rewrite:
            self._auto_rewrite()

    def _auto_rewrite(self) -> None:
        config = self.server.config
        percentage = config.auto_aof_rewrite_percentage
        if not percentage or self.current_size <= config.auto_aof_rewrite_min_size:
            return
        base = self.base_size or 1
        growth = (self.current_size - base) * 100 // base
        if growth >= percentage:
            log.info("Starting automatic rewriting of AOF on %d%% growth", growth)
            try:
                self.start_rewrite()
            except OSError as error:
                log.warning("Background AOF rewrite could not start: %s", error)

    # --- rewrite -------------------------------------------------------------------------------------
    @property
    def rewrite_in_progress(self) -> bool:
        return self.child_pid != 0

    def start_rewrite(self) -> None:
        """BGREWRITEAOF: open a new incr file (recorded in the manifest first), then fork the base writer."""
        if self.child_pid:
            raise RuntimeError("rewrite already in progress")
        began = time.perf_counter()
        self.directory = self._directory()
        os.makedirs(self.directory, exist_ok=True)
        if self.manifest is None:
            self.manifest = read_manifest(self.directory, self.filename)
        if self.enabled and not self.waiting_rewrite:
            self.flush_pending()
            manifest = self.manifest or Manifest()
            seq = manifest.incr_seq + 1
            incr = AofFile(incr_name(self.filename, seq), seq, INCR)
            self._open_incr(incr, create=True)
            manifest.incrs.append(incr)
            write_manifest(self.directory, self.filename, manifest)
            self.manifest = manifest
            log.info("Creating AOF incr file %s on background rewrite", incr.name)
        self.child_temp = os.path.join(self.directory, f"temp-rewriteaof-bg-{os.getpid()}.aof")
        started = time.perf_counter()
        if can_fork():
            # Objects alive now go to the permanent generation until the child is done: the parent's
            # collector then neither walks them (a full collection of a big keyspace is a long pause)
            # nor writes to their pages (each write would copy a page shared with the child).
            gc.freeze()
            try:
                self.child_pid = start_background_rewrite(self.server, self.child_temp)
            except OSError:
                gc.unfreeze()
                raise
            self.last_fork_usec = int((time.perf_counter() - started) * 1_000_000)
            self.rewrite_started = time.monotonic()
            log.info("Background append only file rewriting started by pid %d (fork: %d us, total %d us)",
                     self.child_pid, self.last_fork_usec, int((time.perf_counter() - began) * 1_000_000))
        else:
            self.rewrite_started = time.monotonic()
            write_base(self.server, self.child_temp)
            self._rewrite_done(True)

    def _poll_child(self) -> None:
        try:
            pid, status = os.waitpid(self.child_pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = self.child_pid, 1 << 8
        if pid == 0:
            return
        self.child_pid = 0
        ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        if not ok:
            log.warning("Background AOF rewrite terminated with error (status %d)", status)
        gc.unfreeze()
        self._rewrite_done(ok)

    def _kill_child(self) -> None:
        pid, self.child_pid = self.child_pid, 0
        gc.unfreeze()
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        self._remove(self.child_temp)
        log.info("Killing running AOF rewrite child: %d", pid)

    def _rewrite_done(self, ok: bool) -> None:
        elapsed = time.monotonic() - self.rewrite_started
        self.last_rewrite_time_sec = int(elapsed)
        if not ok:
            self.last_bgrewrite_ok = False
            self.consecutive_failures += 1
            self._remove(self.child_temp)
            return
        installing = time.perf_counter()
        try:
            self._install_base()
        except OSError as error:
            log.warning("Error installing the rewritten AOF: %s", error)
            self.last_bgrewrite_ok = False
            self.consecutive_failures += 1
            self._remove(self.child_temp)
            return
        self.last_bgrewrite_ok = True
        self.consecutive_failures = 0
        self.rewrites += 1
        log.info("Background AOF rewrite finished successfully (installed in %d us)",
                 int((time.perf_counter() - installing) * 1_000_000))

    def _install_base(self) -> None:
        old = self.manifest
        seq = (old.base_seq if old is not None else 0) + 1
        base = AofFile(base_name(self.filename, seq), seq, BASE)
        base_path = os.path.join(self.directory, base.name)
        os.replace(self.child_temp, base_path)
        fsync_dir(self.directory)
        incrs = [self.incr] if (self.enabled and self.incr is not None) else []
        new = Manifest(base=base, incrs=list(incrs))
        write_manifest(self.directory, self.filename, new)
        self.manifest = new
        keep = {item.name for item in new.files()}
        for item in (old.files() + old.history) if old is not None else []:
            if item.name not in keep:
                self.worker.submit("unlink", os.path.join(self.directory, item.name))
        base_size = os.path.getsize(base_path)
        incr_size = 0
        if incrs:
            try:
                incr_size = os.path.getsize(os.path.join(self.directory, incrs[0].name))
            except OSError:
                incr_size = 0
        self.current_size = base_size + incr_size
        self.base_size = self.current_size
        if self.waiting_rewrite:
            self.waiting_rewrite = False
            log.info("Background AOF rewrite finished: AOF is now on")

    @staticmethod
    def _remove(path: str) -> None:
        try:
            os.unlink(path)
        except OSError:
            pass

    # --- config and INFO -----------------------------------------------------------------------------
    def config_changed(self, name: str) -> None:
        """CONFIG SET of appendonly / appendfsync takes effect at once."""
        config = self.server.config
        if name == "appendonly":
            if config.appendonly and not self.enabled:
                self.enable()
            elif not config.appendonly and self.enabled:
                self.disable()
        elif name == "appendfsync" and self.enabled:
            # Switching to always: what was written so far is fsynced now; to everysec: from the cron.
            if config.appendfsync == "always" and self.fd >= 0:
                self.flush_pending()
                os.fsync(self.fd)
                self.unsynced = False

    def info_fields(self) -> list[tuple[str, object]]:
        now = time.monotonic()
        fields: list[tuple[str, object]] = [
            ("aof_enabled", int(self.enabled)),
            ("aof_rewrite_in_progress", int(bool(self.child_pid))),
            ("aof_rewrite_scheduled", int(self.rewrite_scheduled)),
            ("aof_last_rewrite_time_sec", self.last_rewrite_time_sec),
            ("aof_current_rewrite_time_sec", int(now - self.rewrite_started) if self.child_pid else -1),
            ("aof_last_bgrewrite_status", "ok" if self.last_bgrewrite_ok else "err"),
            ("aof_rewrites", self.rewrites),
            ("aof_rewrites_consecutive_failures", self.consecutive_failures),
            ("aof_last_write_status", "ok" if self.last_write_ok else "err"),
            ("aof_last_cow_size", 0),
            ("module_fork_in_progress", 0),
            ("module_fork_last_cow_size", 0),
        ]
        if self.enabled:
            fields += [
                ("aof_current_size", self.current_size),
                ("aof_base_size", self.base_size),
                ("aof_pending_rewrite", int(self.rewrite_scheduled)),
                ("aof_buffer_length", sum(map(len, self.buf))),
                ("aof_pending_bio_fsync", self.worker.pending),
                ("aof_delayed_fsync", 0),
            ]
        return fields


__all__ = ["Aof", "AofLoadError"]
