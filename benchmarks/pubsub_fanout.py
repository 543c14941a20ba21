"""Pub/Sub fan-out: messages delivered per second, miniredis next to a real Redis in the same run.

    python benchmarks/pubsub_fanout.py                      # 1 publisher, 50 subscribers, 3 rounds
    python benchmarks/pubsub_fanout.py --subscribers 50 --messages 20000 --window 64 --payload 16

Each round starts a fresh ``redis-server`` and a fresh miniredis (``python -m miniredis``, uvloop
when installed) on free loopback ports, then for each server (the order alternates per round):

* a subscriber process (uvloop, or asyncio) opens ``--subscribers`` connections, SUBSCRIBEs each to
  one channel and only counts the bytes it receives; it knows the exact size of every message
  frame, so it knows when every connection has received every message;
* the publisher (this process, a blocking socket) sends ``--messages`` PUBLISH commands in
  pipelined windows of ``--window`` (send a window, read its replies, repeat), checking each reply
  counts every subscriber.

Delivered per second = messages x subscribers / (time the last subscriber got its last byte -
time the first PUBLISH was sent), both read from CLOCK_MONOTONIC, which all processes share.
Reported: the median over rounds for each server and the per-round ratio miniredis/redis (median,
min-max). PUBLISH with no subscriber is measured by ``run_benchmarks.py --tests "PUBLISH ch hello"``.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_benchmarks import Server, start_server  # noqa: E402  (the sibling script, not a package)

CHANNEL = b"fanout"


def frame_size(channel: bytes, payload: int) -> int:
    """Bytes of one RESP2 ``message`` push: *3 $7 message $<n> <channel> $<m> <payload>."""
    return len(b"*3\r\n$7\r\nmessage\r\n") + len(b"$%d\r\n%s\r\n" % (len(channel), channel)) + len(
        b"$%d\r\n" % payload) + payload + 2


# --- the subscriber process ----------------------------------------------------------------------------


class Counter(asyncio.Protocol):
    def __init__(self, confirm: int, target: int, done: asyncio.Future[None], state: dict[str, float]) -> None:
        self.confirm = confirm  # bytes of the SUBSCRIBE confirmation, not counted as messages
        self.target = target
        self.received = 0
        self.done = done
        self.state = state
        self.subscribed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        transport.write(b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(CHANNEL), CHANNEL))  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.state["reads"] += 1
        self.received += len(data)
        if not self.subscribed.done() and self.received >= self.confirm:
            self.subscribed.set_result(None)
        if self.received >= self.confirm + self.target:
            self.state["pending"] -= 1
            self.received = -(1 << 62)  # counted once
            if self.state["pending"] == 0 and not self.done.done():
                self.state["last"] = time.monotonic()
                self.done.set_result(None)


async def subscribe_and_count(port: int, subscribers: int, messages: int, payload: int) -> None:
    loop = asyncio.get_running_loop()
    confirm = len(b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(CHANNEL), CHANNEL))
    target = messages * frame_size(CHANNEL, payload)
    done: asyncio.Future[None] = loop.create_future()
    state = {"pending": float(subscribers), "last": 0.0, "reads": 0.0}
    protocols: list[Counter] = []
    for _ in range(subscribers):
        _, protocol = await loop.create_connection(lambda: Counter(confirm, target, done, state), "127.0.0.1", port)
        protocols.append(protocol)  # type: ignore[arg-type]
    await asyncio.gather(*(p.subscribed for p in protocols))
    print("ready", flush=True)
    try:
        await asyncio.wait_for(done, 120)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(f"done {state['last']:.6f} {state['reads']:.0f} {usage.ru_utime + usage.ru_stime:.3f}", flush=True)
    except TimeoutError:
        got = sum(max(p.received, 0) for p in protocols)
        print(f"timeout {got}", flush=True)


def subscriber_main(argv: list[str]) -> None:
    port, subscribers, messages, payload = (int(x) for x in argv)
    try:
        import uvloop

        uvloop.run(subscribe_and_count(port, subscribers, messages, payload))
    except ImportError:
        asyncio.run(subscribe_and_count(port, subscribers, messages, payload))


# --- the publisher ----------------------------------------------------------------------------------------


def publish(port: int, messages: int, window: int, payload: int, subscribers: int) -> float:
    """Send the PUBLISH commands in windows; return the monotonic time the first one was sent."""
    command = b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(CHANNEL), CHANNEL, payload, b"p" * payload)
    expected = b":%d\r\n" % subscribers
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    start = time.monotonic()
    sent = 0
    while sent < messages:
        n = min(window, messages - sent)
        sock.sendall(command * n)
        want = len(expected) * n
        got = b""
        while len(got) < want:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("publisher connection closed")
            got += chunk
        if got != expected * n:
            raise RuntimeError(f"unexpected PUBLISH replies: {got[:60]!r}")
        sent += n
    sock.close()
    return start


def one_run(server: Server, args: argparse.Namespace) -> tuple[float, float | None]:
    """Delivered messages per second for one server, and its CPU microseconds per delivery."""
    cpu_before = server.cpu_seconds()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--subscriber-process", str(server.port), str(args.subscribers),
         str(args.messages), str(args.payload)], stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"subscriber process: {line!r}")
        start = publish(server.port, args.messages, args.window, args.payload, args.subscribers)
        line = proc.stdout.readline().strip()
        proc.wait(130)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    if not line.startswith("done "):
        raise RuntimeError(f"{server.label}: subscribers did not get everything: {line!r}")
    _, last_text, reads, sub_cpu = line.split()
    last = float(last_text)
    if args.verbose:
        print(f"  {server.label}: subscriber process {reads} reads, {sub_cpu} s CPU; run {last - start:.3f} s")
    cpu_after = server.cpu_seconds()
    delivered = args.messages * args.subscribers
    cpu = None if cpu_before is None or cpu_after is None else (cpu_after - cpu_before) * 1e6 / delivered
    return delivered / (last - start), cpu


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--subscriber-process"]:
        subscriber_main(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20000, help="PUBLISH commands per run")
    parser.add_argument("--window", type=int, default=64, help="PUBLISH commands per pipelined window")
    parser.add_argument("--payload", type=int, default=16, help="message size in bytes")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--servers", default="redis,miniredis", help="which servers to run (comma list)")
    parser.add_argument("--verbose", action="store_true", help="subscriber-side reads and CPU per run")
    parser.add_argument("--target-port", type=int, default=0, help="measure a server already running here")
    args = parser.parse_args(argv)
    if args.target_port:  # e.g. a miniredis under a profiler
        target = Server("target", subprocess.Popen(["true"]), args.target_port, "")
        print(f"target {one_run(target, args)[0]:12,.0f} delivered/s")
        return 0
    labels = [label for label in ("redis", "miniredis") if label in args.servers.split(",")]
    results: dict[str, list[float]] = {label: [] for label in labels}
    ratios: list[float] = []
    for round_no in range(args.rounds):
        order = labels if round_no % 2 == 0 else labels[::-1]
        this_round: dict[str, float] = {}
        for label in order:
            server = start_server(label, None)
            try:
                rate, cpu = one_run(server, args)
            finally:
                server.stop()
            this_round[label] = rate
            results[label].append(rate)
            cpu_text = "" if cpu is None else f"  server CPU {cpu:.3f} us/delivery"
            print(f"round {round_no + 1} {label:9s} {rate:12,.0f} delivered/s{cpu_text}", flush=True)
        if len(this_round) == 2:
            ratios.append(this_round["miniredis"] / this_round["redis"])
    print(f"\n1 publisher (windows of {args.window}), {args.subscribers} subscribers, {args.messages} messages "
          f"of {args.payload} bytes, {args.rounds} rounds")
    for label in labels:
        print(f"{label:9s} median {statistics.median(results[label]):12,.0f} delivered/s")
    if ratios:
        print(f"ratio miniredis/redis: median {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
