"""Consumer-group throughput, miniredis next to a real Redis: XREADGROUP COUNT 10 + XACK.

    python benchmarks/stream_groups_bench.py                      # 200k entries, 4 consumers, depth 8
    python benchmarks/stream_groups_bench.py --entries 50000 --consumers 1 --depth 1 --rounds 3

Each round starts a fresh ``redis-server`` and a fresh ``python -m miniredis`` on free loopback ports
(persistence off), preloads the same stream into both (pipelined XADD with explicit IDs) and creates
one group. Then ``--consumers`` driver processes consume the whole stream: each keeps ``--depth``
``XREADGROUP GROUP g c<i> COUNT 10 STREAMS s >`` requests in flight, and acknowledges every batch
it receives with one ``XACK`` (also pipelined). A round ends when the group has no pending entries
and the stream is drained. Reported: entries consumed (read and acknowledged) per second and
requests per second, per server, their median over the rounds, and the miniredis/Redis ratio.
Replies are cut with hiredis; the drivers are separate processes so the Python client is not the
bottleneck for a single-threaded server. Every wait is bounded.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass

import hiredis

READ_COUNT = 10
ROUND_TIMEOUT = 120.0  # seconds a consumption round may take at most


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def encode(*argv: bytes) -> bytes:
    return b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in argv)


class Conn:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = hiredis.Reader()

    def replies(self, n: int) -> list[object]:
        out: list[object] = []
        while len(out) < n:
            reply = self.reader.gets()
            if reply is False:
                data = self.sock.recv(1 << 20)
                if not data:
                    raise ConnectionError("server closed the connection")
                self.reader.feed(data)
                continue
            if isinstance(reply, hiredis.ReplyError):
                raise RuntimeError(str(reply))
            out.append(reply)
        return out

    def call(self, *argv: bytes) -> object:
        self.sock.sendall(encode(*argv))
        return self.replies(1)[0]

    def close(self) -> None:
        self.sock.close()


@dataclass
class ServerProc:
    label: str
    proc: subprocess.Popen[bytes]
    port: int
    workdir: str

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_server(label: str) -> ServerProc:
    workdir = tempfile.mkdtemp(prefix=f"sgbench-{label}-")
    for _ in range(5):
        port = free_port()
        common = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        if label == "redis":
            argv = [shutil.which("redis-server") or "redis-server", *common, "--daemonize", "no", "--dir", workdir]
        else:
            argv = [sys.executable, "-m", "miniredis", *common]
        proc = subprocess.Popen(argv, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                conn = Conn(port)
                if conn.call(b"PING") == b"PONG":
                    conn.close()
                    return ServerProc(label, proc, port, workdir)
                conn.close()
            except OSError:
                time.sleep(0.05)
        proc.kill()
        proc.wait(10)
    shutil.rmtree(workdir, ignore_errors=True)
    raise RuntimeError(f"could not start {label}")


def preload(port: int, entries: int) -> None:
    conn = Conn(port)
    try:
        batch = 1000
        for start in range(0, entries, batch):
            n = min(batch, entries - start)
            conn.sock.sendall(b"".join(
                encode(b"XADD", b"s", b"%d-1" % (i + 1), b"user", b"%d" % i, b"action", b"click")
                for i in range(start, start + n)))
            conn.replies(n)
        conn.call(b"XGROUP", b"CREATE", b"s", b"g", b"0")
    finally:
        conn.close()


def consumer(port: int, name: str, depth: int, results: mp.Queue) -> None:  # type: ignore[type-arg]
    """Drive one consumer until the group has nothing new for it; report (entries, requests, seconds)."""
    try:
        results.put(_consume(port, name, depth))
    except Exception as error:  # reported to the parent, which would otherwise wait for nothing
        results.put(error)


def _consume(port: int, name: str, depth: int) -> tuple[int, int, float]:
    conn = Conn(port)
    read = encode(b"XREADGROUP", b"GROUP", b"g", name.encode(), b"COUNT", b"%d" % READ_COUNT, b"STREAMS", b"s",
                  b">")
    consumed = requests = 0
    started = time.perf_counter()
    deadline = time.monotonic() + ROUND_TIMEOUT
    expected: deque[bool] = deque([True] * depth)  # replies in flight, in order: True = a read, False = an ack
    drained = False
    conn.sock.sendall(read * depth)
    while expected and time.monotonic() < deadline:
        reply = conn.replies(1)[0]
        requests += 1
        if not expected.popleft():
            continue  # an XACK's reply
        if reply is None:
            drained = True
            continue
        ids = [entry[0] for _, entries in reply for entry in entries]  # type: ignore[attr-defined]
        consumed += len(ids)
        # Acknowledge this batch, and keep the pipeline full while the stream has entries.
        payload = encode(b"XACK", b"s", b"g", *ids)
        expected.append(False)
        if not drained:
            payload += read
            expected.append(True)
        conn.sock.sendall(payload)
    elapsed = time.perf_counter() - started
    conn.close()
    return consumed, requests, elapsed


def one_round(server: ServerProc, consumers: int, depth: int, entries: int) -> tuple[float, float]:
    preload(server.port, entries)
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    procs = [mp.Process(target=consumer, args=(server.port, f"c{i}", depth, queue)) for i in range(consumers)]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    outcomes = [queue.get(timeout=ROUND_TIMEOUT + 10) for _ in procs]
    wall = time.perf_counter() - started
    failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    if failures:
        raise RuntimeError(f"{server.label}: a consumer failed: {failures[0]!r}")
    for proc in procs:
        proc.join(10)
    conn = Conn(server.port)
    try:
        pending = conn.call(b"XPENDING", b"s", b"g")
        conn.call(b"FLUSHALL")
    finally:
        conn.close()
    consumed = sum(outcome[0] for outcome in outcomes)
    requests = sum(outcome[1] for outcome in outcomes)
    if consumed != entries or pending[0] != 0:  # type: ignore[index]
        raise RuntimeError(f"{server.label}: consumed {consumed} of {entries}, pending {pending!r}")
    return consumed / wall, requests / wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--consumers", type=int, default=4)
    parser.add_argument("--depth", type=int, default=8, help="XREADGROUP requests in flight per consumer")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    results: dict[str, list[tuple[float, float]]] = {"redis": [], "miniredis": []}
    for round_no in range(args.rounds):
        order = ["redis", "miniredis"] if round_no % 2 == 0 else ["miniredis", "redis"]
        for label in order:
            server = start_server(label)
            try:
                results[label].append(one_round(server, args.consumers, args.depth, args.entries))
            finally:
                server.stop()
    print(f"XREADGROUP COUNT {READ_COUNT} + XACK: {args.entries} entries, {args.consumers} consumers, "
          f"depth {args.depth}, {args.rounds} rounds (medians)")
    medians = {label: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
               for label, rows in results.items()}
    for label, (entries_s, requests_s) in medians.items():
        print(f"  {label:10s} {entries_s:12,.0f} entries/s {requests_s:12,.0f} requests/s")
    ratios = [m[0] / r[0] for m, r in zip(results["miniredis"], results["redis"], strict=True)]
    print(f"  miniredis/redis: {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
