"""INFO: the section builders and the section selection of Redis 7.0's INFO command.

Each builder returns the ``(field, value)`` lines of one section with Redis 7.0.15's field names
in Redis's order (observed with ``INFO everything`` on a running 7.0.15). Values are real where
miniredis has them (clients, keyspace, stats, config, CPU from getrusage, memory from the process
RSS) and otherwise the value Redis shows for the same idle state (no fork, no replica, no AOF
rewrite). Fields about machinery miniredis does not have (jemalloc, io threads, Lua memory) keep
their names so tools parsing INFO find them. ``miniredis_version`` closes the server section.

Selection (``genInfoSectionDict``): no argument or ``default`` gives the default sections; ``all``
adds commandstats; ``everything`` is ``all`` plus module sections (there are none); other names
select one section each; unknown names select nothing. Sections always come in Redis's order,
whatever the order of the arguments, ``# Name`` then one ``field:value\\r\\n`` per line, a blank
line between sections.

Not built: ``latencystats`` (Redis 7.0 keeps a latency histogram per command; miniredis records
only call counts and total time), so ``INFO latencystats`` is empty and ``all`` omits it.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from miniredis import REDIS_VERSION, __version__

if TYPE_CHECKING:
    from miniredis.server.app import Server

Lines = list[tuple[str, object]]

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class InfoExtras:
    """Per-server values INFO keeps itself: peak memory, the replication id, the startup memory."""

    def __init__(self) -> None:
        self.peak = 0
        self.startup = 0
        self.replid = os.urandom(20).hex()


def _extras(server: Server) -> InfoExtras:
    extras = server.info_extras
    if extras is None:
        extras = server.info_extras = InfoExtras()
        extras.startup = rss_bytes()
    return extras


def rss_bytes() -> int:
    """The process's resident set size, from /proc/self/statm (Linux), else getrusage's peak."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def total_system_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0


def bytes_to_human(count: int) -> str:
    """Redis's bytesToHuman: ``B`` below 1024, else two decimals with K, M, G, T, P."""
    if count < 1024:
        return f"{count}B"
    for power, unit in enumerate("KMGTP", start=1):
        if count < 1024 ** (power + 1) or unit == "P":
            return f"{count / 1024**power:.2f}{unit}"
    return f"{count}B"  # pragma: no cover


# --- sections ---------------------------------------------------------------------------------------
def section_server(server: Server) -> Lines:
    uname = platform.uname()
    uptime = server.uptime_seconds
    now_us = server.clock.time_us()
    executable = server.executable or os.path.abspath(sys.argv[0])
    return [
        ("redis_version", REDIS_VERSION),
        ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0),
        ("redis_build_id", "0"),
        ("redis_mode", "standalone"),
        ("os", f"{uname.system} {uname.release} {uname.machine}"),
        ("arch_bits", 64 if sys.maxsize > 2**32 else 32),
        ("monotonic_clock", "POSIX clock_gettime"),
        ("multiplexing_api", "epoll" if sys.platform.startswith("linux") else "kqueue"),
        ("atomicvar_api", "c11-builtin"),
        ("gcc_version", "0.0.0"),
        ("process_id", os.getpid()),
        ("process_supervised", "no"),
        ("run_id", server.run_id),
        ("tcp_port", server.port),
        ("server_time_usec", now_us),
        ("uptime_in_seconds", uptime),
        ("uptime_in_days", uptime // 86400),
        ("hz", server.config.hz),
        ("configured_hz", server.config.hz),
        ("lru_clock", (now_us // 1_000_000) & ((1 << 24) - 1)),
        ("executable", executable),
        ("config_file", server.config_file),
        ("io_threads_active", 0),
        ("miniredis_version", __version__),
    ]


def _blocked_clients(server: Server) -> int:
    return sum(1 for client in server.clients.values() if client.blocked is not None)


def section_clients(server: Server) -> Lines:
    max_input = 0
    for client in server.clients.values():
        parser = getattr(client.connection, "parser", None)
        if parser is not None:
            max_input = max(max_input, parser.buffered)
    return [
        ("connected_clients", len(server.clients)),
        ("cluster_connections", 0),
        ("maxclients", server.config.maxclients),
        ("client_recent_max_input_buffer", max_input),
        ("client_recent_max_output_buffer", 0),
        ("blocked_clients", _blocked_clients(server)),
        ("tracking_clients", 0),
        ("clients_in_timeout_table", sum(
            1 for client in server.clients.values() if getattr(client.blocked, "timer", None) is not None
        )),
    ]


def section_memory(server: Server) -> Lines:
    extras = _extras(server)
    rss = rss_bytes()
    extras.peak = max(extras.peak, rss)
    used = rss
    startup = min(extras.startup, used)
    dataset = used - startup
    system = total_system_memory()
    maxmemory = server.config.maxmemory
    return [
        ("used_memory", used),
        ("used_memory_human", bytes_to_human(used)),
        ("used_memory_rss", rss),
        ("used_memory_rss_human", bytes_to_human(rss)),
        ("used_memory_peak", extras.peak),
        ("used_memory_peak_human", bytes_to_human(extras.peak)),
        ("used_memory_peak_perc", f"{used * 100 / extras.peak if extras.peak else 0:.2f}%"),
        ("used_memory_overhead", startup),
        ("used_memory_startup", startup),
        ("used_memory_dataset", dataset),
        ("used_memory_dataset_perc", f"{dataset * 100 / used if used else 0:.2f}%"),
        ("allocator_allocated", used),
        ("allocator_active", used),
        ("allocator_resident", rss),
        ("total_system_memory", system),
        ("total_system_memory_human", bytes_to_human(system)),
        ("used_memory_lua", 0),
        ("used_memory_vm_eval", 0),
        ("used_memory_lua_human", "0B"),
        ("used_memory_scripts_eval", 0),
        ("number_of_cached_scripts", len(server.scripts)),
        ("number_of_functions", 0),
        ("number_of_libraries", 0),
        ("used_memory_vm_functions", 0),
        ("used_memory_vm_total", 0),
        ("used_memory_vm_total_human", "0B"),
        ("used_memory_functions", 0),
        ("used_memory_scripts", 0),
        ("used_memory_scripts_human", "0B"),
        ("maxmemory", maxmemory),
        ("maxmemory_human", bytes_to_human(maxmemory)),
        ("maxmemory_policy", server.config.maxmemory_policy),
        ("allocator_frag_ratio", "1.00"),
        ("allocator_frag_bytes", 0),
        ("allocator_rss_ratio", "1.00"),
        ("allocator_rss_bytes", 0),
        ("rss_overhead_ratio", "1.00"),
        ("rss_overhead_bytes", 0),
        ("mem_fragmentation_ratio", "1.00"),
        ("mem_fragmentation_bytes", 0),
        ("mem_not_counted_for_evict", 0),
        ("mem_replication_backlog", 0),
        ("mem_total_replication_buffers", 0),
        ("mem_clients_slaves", 0),
        ("mem_clients_normal", 0),
        ("mem_cluster_links", 0),
        ("mem_aof_buffer", sum(map(len, server.aof_buf))),
        ("mem_allocator", "libc"),
        ("active_defrag_running", 0),
        ("lazyfree_pending_objects", 0),
        ("lazyfreed_objects", 0),
    ]


def section_persistence(server: Server) -> Lines:
    return [
        ("loading", 0),
        ("async_loading", 0),
        ("current_cow_peak", 0),
        ("current_cow_size", 0),
        ("current_cow_size_age", 0),
        ("current_fork_perc", "0.00"),
        ("current_save_keys_processed", 0),
        ("current_save_keys_total", 0),
        ("rdb_changes_since_last_save", server.dirty),
        ("rdb_bgsave_in_progress", 0),
        ("rdb_last_save_time", server.lastsave),
        ("rdb_last_bgsave_status", "ok"),
        ("rdb_last_bgsave_time_sec", -1),
        ("rdb_current_bgsave_time_sec", -1),
        ("rdb_saves", 0),
        ("rdb_last_cow_size", 0),
        ("rdb_last_load_keys_expired", 0),
        ("rdb_last_load_keys_loaded", 0),
        *server.aof.info_fields(),  # AOF (miniredis.persistence): aof_* fields as Redis 7.0 shows them
    ]


def _count(server: Server, attribute: str) -> int:
    """The number of channels (patterns, shard channels) with a subscriber, from the pub/sub hub."""
    hub = getattr(server, "pubsub", None)
    registry = getattr(hub, attribute, None)
    return len(registry) if registry is not None else 0


def section_stats(server: Server) -> Lines:
    stats = server.stats
    return [
        ("total_connections_received", stats.connections_received),
        ("total_commands_processed", server.commands_processed),
        ("instantaneous_ops_per_sec", stats.instantaneous_ops()),
        ("total_net_input_bytes", stats.net_input_bytes),
        ("total_net_output_bytes", stats.net_output_bytes),
        ("total_net_repl_input_bytes", 0),
        ("total_net_repl_output_bytes", 0),
        ("instantaneous_input_kbps", "0.00"),
        ("instantaneous_output_kbps", "0.00"),
        ("instantaneous_input_repl_kbps", "0.00"),
        ("instantaneous_output_repl_kbps", "0.00"),
        ("rejected_connections", stats.rejected_connections),
        ("sync_full", 0),
        ("sync_partial_ok", 0),
        ("sync_partial_err", 0),
        ("expired_keys", stats.expired_keys),
        ("expired_stale_perc", "0.00"),
        ("expired_time_cap_reached_count", 0),
        ("expire_cycle_cpu_milliseconds", 0),
        ("evicted_keys", stats.evicted_keys),
        ("evicted_clients", 0),
        ("total_eviction_exceeded_time", 0),
        ("current_eviction_exceeded_time", 0),
        ("keyspace_hits", stats.keyspace_hits),
        ("keyspace_misses", stats.keyspace_misses),
        ("pubsub_channels", _count(server, "channels")),
        ("pubsub_patterns", _count(server, "patterns")),
        ("pubsubshard_channels", _count(server, "shard_channels")),
        ("latest_fork_usec", 0),
        ("total_forks", 0),
        ("migrate_cached_sockets", 0),
        ("slave_expires_tracked_keys", 0),
        ("active_defrag_hits", 0),
        ("active_defrag_misses", 0),
        ("active_defrag_key_hits", 0),
        ("active_defrag_key_misses", 0),
        ("total_active_defrag_time", 0),
        ("current_active_defrag_time", 0),
        ("tracking_total_keys", 0),
        ("tracking_total_items", 0),
        ("tracking_total_prefixes", 0),
        ("unexpected_error_replies", 0),
        ("total_error_replies", stats.error_replies),
        ("dump_payload_sanitizations", 0),
        ("total_reads_processed", getattr(stats, "reads_processed", 0)),
        ("total_writes_processed", getattr(stats, "writes_processed", 0)),
        ("io_threaded_reads_processed", 0),
        ("io_threaded_writes_processed", 0),
        ("reply_buffer_shrinks", 0),
        ("reply_buffer_expands", 0),
    ]


def section_replication(server: Server) -> Lines:
    return [
        ("role", "master"),
        ("connected_slaves", 0),
        ("master_failover_state", "no-failover"),
        ("master_replid", _extras(server).replid),
        ("master_replid2", "0" * 40),
        ("master_repl_offset", 0),
        ("second_repl_offset", -1),
        ("repl_backlog_active", 0),
        ("repl_backlog_size", 1048576),
        ("repl_backlog_first_byte_offset", 0),
        ("repl_backlog_histlen", 0),
    ]


def section_cpu(server: Server) -> Lines:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    # INFO runs on the event-loop thread, so RUSAGE_THREAD is the main (command) thread's usage.
    thread = resource.getrusage(getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF))
    return [
        ("used_cpu_sys", f"{own.ru_stime:.6f}"),
        ("used_cpu_user", f"{own.ru_utime:.6f}"),
        ("used_cpu_sys_children", f"{children.ru_stime:.6f}"),
        ("used_cpu_user_children", f"{children.ru_utime:.6f}"),
        ("used_cpu_sys_main_thread", f"{thread.ru_stime:.6f}"),
        ("used_cpu_user_main_thread", f"{thread.ru_utime:.6f}"),
    ]


def section_modules(server: Server) -> Lines:
    return []


def section_commandstats(server: Server) -> Lines:
    lines: Lines = []
    for spec in server.table.all_specs():
        if spec.calls or spec.rejected_calls or spec.failed_calls:
            per_call = spec.usec / spec.calls if spec.calls else 0.0
            lines.append((
                f"cmdstat_{spec.name}",
                f"calls={spec.calls},usec={spec.usec},usec_per_call={per_call:.2f},"
                f"rejected_calls={spec.rejected_calls},failed_calls={spec.failed_calls}",
            ))
    return lines


def section_errorstats(server: Server) -> Lines:
    # Redis keeps error codes in a radix tree, so they come out in byte order.
    return [(f"errorstat_{code}", f"count={count}") for code, count in sorted(server.stats.errors.items())]


def section_cluster(server: Server) -> Lines:
    return [("cluster_enabled", 0)]


def section_keyspace(server: Server) -> Lines:
    return [
        (f"db{db.id}", f"keys={len(db.data)},expires={len(db.expires)},avg_ttl={db.avg_ttl}")
        for db in server.dbs
        if db.data
    ]


# (name in the header, selector names, builder, in default, in all)
SECTIONS: list[tuple[str, tuple[str, ...], Callable[[Server], Lines], bool, bool]] = [
    ("Server", ("server",), section_server, True, True),
    ("Clients", ("clients",), section_clients, True, True),
    ("Memory", ("memory",), section_memory, True, True),
    ("Persistence", ("persistence",), section_persistence, True, True),
    ("Stats", ("stats",), section_stats, True, True),
    ("Replication", ("replication",), section_replication, True, True),
    ("CPU", ("cpu",), section_cpu, True, True),
    ("Modules", ("modules", "module_list"), section_modules, True, True),
    ("Commandstats", ("commandstats",), section_commandstats, False, True),
    ("Errorstats", ("errorstats",), section_errorstats, True, True),
    ("Cluster", ("cluster",), section_cluster, True, True),
    ("Keyspace", ("keyspace",), section_keyspace, True, True),
]


def select_sections(names: list[str]) -> set[str]:
    """The header names INFO prints for these arguments (already lower-cased)."""
    if not names:
        names = ["default"]
    chosen: set[str] = set()
    for name in names:
        for header, selectors, _, in_default, in_all in SECTIONS:
            if (name == "default" and in_default) or (name in ("all", "everything") and in_all) or name in selectors:
                chosen.add(header)
    return chosen


def render(server: Server, names: list[str]) -> bytes:
    """The INFO text for these section arguments."""
    chosen = select_sections(names)
    parts: list[str] = []
    for header, _, build, _, _ in SECTIONS:
        if header in chosen:
            body = "".join(f"{field}:{value}\r\n" for field, value in build(server))
            parts.append(f"# {header}\r\n{body}")
    return "\r\n".join(parts).encode()


def field_values(server: Server, section: str) -> dict[str, str]:
    """One section's fields as strings (for tests and tools)."""
    for header, selectors, build, _, _ in SECTIONS:
        if section in selectors or section == header.lower():
            return {field: str(value) for field, value in build(server)}
    return {}
