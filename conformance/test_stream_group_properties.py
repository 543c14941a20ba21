"""Random sequences of consumer-group commands on real Redis and miniredis, every reply and the whole
group state compared after each step, and ``ConsumerGroup.check_invariants`` asserted on miniredis.

Hypothesis draws short programs over one stream: XADD (explicit IDs), XREADGROUP (``>`` and history,
COUNT, NOACK), XACK, XCLAIM (FORCE, JUSTID, RETRYCOUNT, IDLE, TIME, LASTID), XAUTOCLAIM (COUNT, JUSTID),
XDEL, XTRIM, XGROUP CREATE/SETID/CREATECONSUMER/DELCONSUMER. Time-dependent behaviour is kept
deterministic: min-idle times are 0 or one hour, IDLE is 0 or two hours, TIME is 1970. After each step
XINFO GROUPS, XINFO CONSUMERS, XPENDING (both forms) and XINFO STREAM FULL are compared, with
clock readings (idle, seen and delivery times) compared by ``clock_fields`` (see test_stream_groups).

The module runs its own miniredis (in this process) so that the group structures can be checked
through ``srv.call`` after every step, next to its own real Redis.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.conftest import RealRedis, _redis_server_binary
from conformance.harness import Address, Pair, RawConnection
from conformance.test_stream_groups import clock_fields
from miniredis.server.app import Server
from miniredis.structures.cgroup import ConsumerGroup
from miniredis.testing.server import MiniRedisServer

GROUPS = st.sampled_from(["g1", "g2"])
CONSUMERS = st.sampled_from(["a", "b", "c"])
IDS = st.builds(lambda ms, seq: f"{ms}-{seq}", st.integers(1, 12), st.integers(0, 1))
READ_FROM = st.one_of(st.just(">"), st.sampled_from(["0", "3-0", "6-1"]))
COUNT = st.one_of(st.just(()), st.integers(0, 3).map(lambda n: ("COUNT", str(n))))
MIN_IDLE = st.sampled_from(["0", "3600000"])
CLAIM_OPTIONS = st.lists(
    st.sampled_from([("FORCE",), ("JUSTID",), ("RETRYCOUNT", "5"), ("IDLE", "0"), ("IDLE", "7200000"),
                     ("TIME", "1000"), ("LASTID", "8-0")]),
    max_size=3,
).map(lambda options: [word for option in options for word in option])

COMMANDS = st.one_of(
    st.builds(lambda i: ("XADD", "s", i, "f", i), IDS),
    st.builds(lambda g, c, n, noack, frm: ("XREADGROUP", "GROUP", g, c, *n, *noack, "STREAMS", "s", frm),
              GROUPS, CONSUMERS, COUNT, st.sampled_from([(), ("NOACK",)]), READ_FROM),
    st.builds(lambda g, ids: ("XACK", "s", g, *ids), GROUPS, st.lists(IDS, min_size=1, max_size=3)),
    st.builds(lambda g, c, idle, ids, opts: ("XCLAIM", "s", g, c, idle, *ids, *opts),
              GROUPS, CONSUMERS, MIN_IDLE, st.lists(IDS, min_size=1, max_size=3), CLAIM_OPTIONS),
    st.builds(lambda g, c, idle, start, n, j: ("XAUTOCLAIM", "s", g, c, idle, start, *n, *j),
              GROUPS, CONSUMERS, MIN_IDLE, st.sampled_from(["0", "4-0", "(5-0"]),
              st.integers(1, 3).map(lambda n: ("COUNT", str(n))), st.sampled_from([(), ("JUSTID",)])),
    st.builds(lambda ids: ("XDEL", "s", *ids), st.lists(IDS, min_size=1, max_size=3)),
    st.builds(lambda n: ("XTRIM", "s", "MAXLEN", str(n)), st.integers(0, 6)),
    st.builds(lambda i: ("XTRIM", "s", "MINID", i), IDS),
    st.builds(lambda g, i, er: ("XGROUP", "SETID", "s", g, i, *er), GROUPS,
              st.one_of(IDS, st.just("$"), st.just("0")), st.sampled_from([(), ("ENTRIESREAD", "2")])),
    st.builds(lambda g, c: ("XGROUP", "DELCONSUMER", "s", g, c), GROUPS, CONSUMERS),
    st.builds(lambda g, c: ("XGROUP", "CREATECONSUMER", "s", g, c), GROUPS, CONSUMERS),
    st.builds(lambda g, i: ("XGROUP", "CREATE", "s", g, i), GROUPS, st.sampled_from(["0", "$", "4-0"])),
)


class Servers:
    def __init__(self, real: RealRedis, mini: MiniRedisServer) -> None:
        self.real = real
        self.mini = mini
        self.pair = Pair(Address("127.0.0.1", real.port), Address(mini.host, mini.port))

    def flush(self) -> None:
        self.pair.check("FLUSHALL")


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    binary = _redis_server_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server not found")
        pytest.skip("redis-server not found")
    real = RealRedis(binary).start()
    try:
        with MiniRedisServer() as mini:
            both = Servers(real, mini)
            yield both
            both.pair.close()
    finally:
        real.stop()


def check_invariants(server: Server) -> int:
    checked = 0
    for db in server.dbs:
        for value in db.data.values():
            for group in getattr(value, "groups", {}).values():
                assert isinstance(group, ConsumerGroup)
                group.check_invariants()
                checked += 1
    return checked


def compare_state(pair: Pair) -> None:
    real_type, _ = pair.both("TYPE", "s")
    pair.check("XINFO", "GROUPS", "s")
    if real_type != b"+stream\r\n":
        return
    for group in ("g1", "g2"):
        pair.check("XINFO", "CONSUMERS", "s", group, compare=clock_fields)
        pair.check("XPENDING", "s", group)
        pair.check("XPENDING", "s", group, "-", "+", "100", compare=clock_fields)
    pair.check("XINFO", "STREAM", "s", "FULL", compare=clock_fields)


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(program=st.lists(COMMANDS, min_size=1, max_size=20))
def test_group_programs_match_redis(servers: Servers, program: list[tuple[str, ...]]) -> None:
    pair = servers.pair
    servers.flush()
    pair.check("XADD", "s", "1-0", "f", "seed")
    pair.check("XGROUP", "CREATE", "s", "g1", "0")
    for argv in program:
        pair.check(*argv, compare=clock_fields)
        compare_state(pair)
        servers.mini.call(check_invariants)


def test_fixture_servers_answer(servers: Servers) -> None:
    conn = RawConnection(servers.mini.host, servers.mini.port)
    try:
        assert conn.send("PING") == b"+PONG\r\n"
    finally:
        conn.close()
