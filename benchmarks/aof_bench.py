"""Write throughput with the AOF on (appendfsync everysec), miniredis next to a real Redis 7.0.

    python benchmarks/aof_bench.py                     # SET at -P 16, 3 rounds, AOF off and on (everysec)
    python benchmarks/aof_bench.py --fsync always --rounds 5 --requests 200000

Each round starts, on free loopback ports and fresh temporary directories, a ``redis-server``
(``--save '' --appendonly yes --aof-use-rdb-preamble no --appendfsync <policy>``) and a miniredis
(``python -m miniredis --appendonly yes --appendfsync <policy>``), plus both again with the AOF off
for reference, and runs ``redis-benchmark -c 50 -n N -P 16 -t set`` against each (the order
alternates per round). Reported: median ops/s per configuration and the miniredis/Redis ratio, and
the bytes each server's AOF directory holds at the end. Every run is under a timeout.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def start(kind: str, aof: bool, fsync: str, directory: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    common = ["--port", str(port), "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes" if aof else "no",
              "--appendfsync", fsync]
    if kind == "redis":
        args = ["redis-server", *common, "--save", "", "--aof-use-rdb-preamble", "no", "--logfile", ""]
    else:
        args = [sys.executable, "-m", "miniredis", *common]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port, proc)
    return proc, port


def bench(port: int, requests: int, pipeline: int, clients: int) -> float:
    output = subprocess.run(
        ["timeout", str(RUN_TIMEOUT), "redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", str(clients),
         "-n", str(requests), "-P", str(pipeline), "-t", "set", "-r", "100000", "--csv", "-q"],
        capture_output=True, text=True, check=True,
    ).stdout
    rows = [row for row in csv.reader(io.StringIO(output)) if row and row[0] != "test"]
    return float(rows[0][1])


def dir_size(directory: str) -> int:
    return sum(path.stat().st_size for path in Path(directory).rglob("*") if path.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--pipeline", type=int, default=16)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--fsync", default="everysec", choices=("everysec", "always", "no"))
    args = parser.parse_args()
    if shutil.which("redis-server") is None or shutil.which("redis-benchmark") is None:
        print("redis-server and redis-benchmark are needed", file=sys.stderr)
        return 1
    configs = [(kind, aof) for aof in (False, True) for kind in ("redis", "miniredis")]
    results: dict[tuple[str, bool], list[float]] = {config: [] for config in configs}
    sizes: dict[tuple[str, bool], int] = {}
    for round_number in range(args.rounds):
        order = configs if round_number % 2 == 0 else list(reversed(configs))
        for kind, aof in order:
            directory = tempfile.mkdtemp(prefix=f"aofbench-{kind}-")
            proc, port = start(kind, aof, args.fsync, directory)
            try:
                results[(kind, aof)].append(bench(port, args.requests, args.pipeline, args.clients))
            finally:
                proc.terminate()
                proc.wait(30)
                sizes[(kind, aof)] = dir_size(directory)
                shutil.rmtree(directory, ignore_errors=True)
    print(f"SET -P {args.pipeline} -c {args.clients} -n {args.requests}, appendfsync {args.fsync}, "
          f"{args.rounds} rounds (median ops/s)")
    for aof in (False, True):
        redis_ops = statistics.median(results[("redis", aof)])
        mini_ops = statistics.median(results[("miniredis", aof)])
        label = "AOF on " if aof else "AOF off"
        print(f"  {label}: redis {redis_ops:>11,.0f}  miniredis {mini_ops:>10,.0f}  ratio {mini_ops / redis_ops:.3f}"
              + (f"  (AOF bytes: redis {sizes[('redis', aof)]:,}, miniredis {sizes[('miniredis', aof)]:,})"
                 if aof else ""))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
