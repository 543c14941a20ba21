"""Throughput of miniredis against a real Redis, measured with redis-benchmark, side by side.

    python benchmarks/run_benchmarks.py                       # PING_MBULK, SET, GET at -P 1 and -P 16
    python benchmarks/run_benchmarks.py --tests SET "XADD s * f v" --pipelines 1 --rounds 5
    python benchmarks/run_benchmarks.py --output '' --pin     # print only; pin servers and client to CPUs
    python benchmarks/run_benchmarks.py --tests "ZADD -r 100000"  # -r: random keys/members (redis-benchmark -r)

Each round starts a fresh ``redis-server`` (``--save '' --appendonly no``) and a fresh miniredis
(``python -m miniredis``) on free loopback ports, then, for every test and pipeline depth, runs
``redis-benchmark -c 50 -n N -P <depth>`` against both, one after the other; which server goes
first alternates from round to round so neither always runs on a warmer machine. N is calibrated
per server, test and depth with a short probe so that each run lasts about ``--seconds``. Every
benchmark run is under ``timeout`` (60 s at most) and the whole run has a time budget.

Recorded per run: requests per second (redis-benchmark's CSV) and the server's CPU time per
request (utime + stime deltas from ``/proc/<pid>/stat``). Reported per test and depth: the median
of each server's ops/s over the rounds, and the per-round ratio miniredis/redis as its median with
min–max (the ratio of two runs made seconds apart is steadier than either absolute figure on a
shared machine). The table is printed and, unless ``--output ''``, written into a Markdown file
between two markers, below the file's hand-written introduction.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN_MARKER = "<!-- BEGIN AUTO-GENERATED BENCHMARK RESULTS (benchmarks/run_benchmarks.py) -->"
END_MARKER = "<!-- END AUTO-GENERATED BENCHMARK RESULTS -->"
DEFAULT_INTRO = """# Benchmarks

Throughput of miniredis next to a real Redis 7.0 on the same machine, measured with
`redis-benchmark`. See "How to run" below; the results section is rewritten by the script.
"""
RUN_TIMEOUT = 60.0  # no single redis-benchmark run may take longer (seconds)
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Test:
    """A redis-benchmark test: a built-in (``-t get``) or a custom command line (``XADD s * f v``)."""

    name: str
    command: tuple[str, ...] = ()
    keyspace: int = 0  # redis-benchmark -r: __rand_int__ takes values below this (0: the constant 0...0)

    def args(self) -> list[str]:
        random = ["-r", str(self.keyspace)] if self.keyspace else []
        if self.command:
            return random + list(self.command)
        return random + ["-t", self.name.split()[0].lower()]


@dataclass
class Sample:
    ops: float
    cpu_us_per_op: float | None


@dataclass
class Server:
    label: str
    proc: subprocess.Popen[bytes]
    port: int
    workdir: str

    def cpu_seconds(self) -> float | None:
        """utime + stime of the server process so far (fields 14 and 15 of /proc/<pid>/stat)."""
        try:
            stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat[stat.rindex(")") + 2 :].split()  # the name in parentheses may contain spaces
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.workdir, ignore_errors=True)


@dataclass
class Results:
    samples: dict[tuple[str, int, str], list[Sample]] = field(default_factory=dict)  # (test, depth, server)
    requests: dict[tuple[str, int, str], int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    truncated: bool = False  # the time budget ran out

    def add(self, test: str, depth: int, server: str, sample: Sample) -> None:
        self.samples.setdefault((test, depth, server), []).append(sample)


# --- processes -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def send_once(port: int, command: tuple[str, ...]) -> bytes:
    """One request (multibulk), the first bytes of its reply."""
    payload = b"*%d\r\n" % len(command) + b"".join(b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in command)
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(payload)
        return sock.recv(4096)


def pin_prefix(cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu)] if cpu is not None else []


def start_server(label: str, cpu: int | None) -> Server:
    workdir = tempfile.mkdtemp(prefix=f"bench-{label}-")
    common = ["--port", "{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    if label == "redis":
        base = [shutil.which("redis-server") or "redis-server", *common, "--daemonize", "no", "--dir", workdir]
    else:
        base = [sys.executable, "-m", "miniredis", *common]
    for _ in range(5):  # a free port may be taken between picking and binding it
        port = free_port()
        argv = pin_prefix(cpu) + [arg.replace("{port}", str(port)) for arg in base]
        proc = subprocess.Popen(argv, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and proc.poll() is None:
            if ping(port):
                return Server(label, proc, port, workdir)
            time.sleep(0.05)
        proc.kill()
        proc.wait(10)
    shutil.rmtree(workdir, ignore_errors=True)
    raise RuntimeError(f"could not start {label}")


# --- one redis-benchmark run ---------------------------------------------------------------------------


def run_benchmark(server: Server, test: Test, requests: int, depth: int, clients: int, cpu: int | None) -> Sample:
    argv = [*pin_prefix(cpu), "timeout", str(int(RUN_TIMEOUT)), "redis-benchmark", "-h", "127.0.0.1",
            "-p", str(server.port), "-c", str(clients), "-n", str(requests), "-P", str(depth), "--csv",
            *test.args()]
    before = server.cpu_seconds()
    done = subprocess.run(argv, capture_output=True, timeout=RUN_TIMEOUT + 5, check=False)
    after = server.cpu_seconds()
    if done.returncode != 0:
        raise RuntimeError(f"redis-benchmark failed ({done.returncode}): {done.stderr.decode()[-300:]}")
    rows = [row for row in csv.reader(io.StringIO(done.stdout.decode())) if row and row[0] != "test"]
    if len(rows) != 1:
        raise RuntimeError(f"unexpected redis-benchmark output: {done.stdout.decode()[-300:]!r}")
    ops = float(rows[0][1])
    cpu_us = None if before is None or after is None else (after - before) * 1e6 / requests
    return Sample(ops, cpu_us)


def calibrate(server: Server, test: Test, depth: int, clients: int, seconds: float, cpu: int | None) -> int:
    """Requests for a run of about ``seconds``, from a short probe (which also warms the server up)."""
    probe = max(clients * 20, 10_000, 3_000 * depth)
    sample = run_benchmark(server, test, probe, depth, clients, cpu)
    wanted = int(sample.ops * seconds)
    return max(clients * 10, min(wanted, int(sample.ops * RUN_TIMEOUT * 0.5), 20_000_000))


# --- the whole run -------------------------------------------------------------------------------------


def parse_tests(values: list[str]) -> list[Test]:
    tests: list[Test] = []
    for value in values:
        # A trailing "-r N" is redis-benchmark's keyspace option: "ZADD -r 100000" adds random members.
        words = value.split()
        if len(words) >= 3 and words[-2] == "-r" and words[-1].isdigit():
            base = " ".join(words[:-2])
            keyspace = int(words[-1])
            custom = len(words) > 3
            tests.append(Test(value.strip(), tuple(base.split()) if custom else (), keyspace))
        elif " " in value.strip():  # a custom command line
            words = tuple(value.split())
            tests.append(Test(value.strip(), words))
        else:
            tests.extend(Test(name.strip().upper()) for name in value.split(",") if name.strip())
    return tests


def check_served(servers: list[Server], test: Test) -> str | None:
    """A custom command both servers must accept (an error reply would be benchmarked as throughput)."""
    if not test.command:
        return None
    for server in servers:
        reply = send_once(server.port, test.command)
        if reply.startswith(b"-"):
            return f"{server.label}: {reply.decode(errors='replace').strip()}"
    return None


def run(args: argparse.Namespace) -> Results:
    tests = parse_tests(args.tests)
    depths = [int(depth) for part in args.pipelines for depth in part.split(",") if depth]
    server_cpu, client_cpu = (0, 1) if args.pin else (None, None)
    results = Results()
    deadline = time.monotonic() + args.budget
    for round_index in range(args.rounds):
        servers = [start_server("redis", server_cpu), start_server("miniredis", server_cpu)]
        try:
            order = servers if round_index % 2 == 0 else servers[::-1]
            for test in tests:
                if test.name in results.skipped:
                    continue
                problem = check_served(servers, test)
                if problem is not None:
                    results.skipped[test.name] = problem
                    print(f"skipping {test.name}: {problem}", file=sys.stderr)
                    continue
                for depth in depths:
                    for server in order:
                        if time.monotonic() > deadline:
                            results.truncated = True
                            print(f"time budget of {args.budget:.0f} s exhausted: partial results", file=sys.stderr)
                            return results
                        key = (test.name, depth, server.label)
                        if key not in results.requests:
                            results.requests[key] = calibrate(
                                server, test, depth, args.clients, args.seconds, client_cpu
                            )
                        sample = run_benchmark(server, test, results.requests[key], depth, args.clients, client_cpu)
                        results.add(test.name, depth, server.label, sample)
                        cpu = f"{sample.cpu_us_per_op:.2f}" if sample.cpu_us_per_op is not None else "?"
                        print(f"round {round_index + 1} {test.name:>12} -P {depth:<2} {server.label:>9}: "
                              f"{sample.ops:>12,.0f} ops/s  {cpu} CPU-us/op", file=sys.stderr)
        finally:
            for server in servers:
                server.stop()
    return results


# --- report ---------------------------------------------------------------------------------------------


def summarize(results: Results) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    keys = sorted({(test, depth) for test, depth, _ in results.samples}, key=lambda k: (k[1], _order(results, k[0])))
    for test, depth in keys:
        redis = results.samples.get((test, depth, "redis"), [])
        mini = results.samples.get((test, depth, "miniredis"), [])
        ratios = [m.ops / r.ops for r, m in zip(redis, mini, strict=False) if r.ops]
        if not ratios:
            continue
        rows.append({
            "test": test,
            "pipeline": depth,
            "redis_ops": statistics.median(s.ops for s in redis),
            "mini_ops": statistics.median(s.ops for s in mini),
            "ratio": statistics.median(ratios),
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
            "rounds": len(ratios),
            "redis_cpu_us": _median_cpu(redis),
            "mini_cpu_us": _median_cpu(mini),
            "redis_requests": results.requests.get((test, depth, "redis")),
            "mini_requests": results.requests.get((test, depth, "miniredis")),
        })
    return rows


def _order(results: Results, test: str) -> int:
    names = list(dict.fromkeys(name for name, _, _ in results.samples))
    return names.index(test)


def _median_cpu(samples: list[Sample]) -> float | None:
    values = [s.cpu_us_per_op for s in samples if s.cpu_us_per_op is not None]
    return statistics.median(values) if values else None


def _fmt_cpu(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "n/a"


def environment(args: argparse.Namespace) -> dict[str, str]:
    def first_line(argv: list[str]) -> str:
        try:
            return subprocess.run(argv, capture_output=True, timeout=10, check=False).stdout.decode().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"

    cpu_model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    rounds = f"{args.rounds} round" + ("s" if args.rounds != 1 else "")
    pinning = "servers pinned to CPU 0 and redis-benchmark to CPU 1" if args.pin else "no CPU pinning"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} CPUs, {cpu_model}, {platform.system()} {platform.release()}",
        "redis": first_line(["redis-server", "--version"]),
        "python": f"{platform.python_implementation()} {platform.python_version()}, event loop: {loop}",
        "method": (f"redis-benchmark -c {args.clients}, {rounds}, ~{args.seconds:g} s per run, "
                   f"fresh servers per round, alternating order, {pinning}"),
    }


def render(rows: list[dict[str, object]], env: dict[str, str], results: Results) -> str:
    lines = [
        f"Measured {env['date']} on {env['machine']}.",
        "",
        f"- Redis: {env['redis']}",
        f"- miniredis: {env['python']}",
        f"- Method: {env['method']}.",
        "",
        "| test | -P | redis ops/s | miniredis ops/s | ratio mini/redis, median (min–max) "
        "| redis CPU µs/op | miniredis CPU µs/op |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['test']} | {row['pipeline']} | {row['redis_ops']:,.0f} | {row['mini_ops']:,.0f} "
            f"| {row['ratio']:.2f} ({row['ratio_min']:.2f}–{row['ratio_max']:.2f}) "
            f"| {_fmt_cpu(row['redis_cpu_us'])} | {_fmt_cpu(row['mini_cpu_us'])} |"
        )
    for name, reason in results.skipped.items():
        lines.append(f"\nSkipped {name}: {reason}")
    if results.truncated:
        lines.append("\nThe time budget ran out before every round was run: partial results.")
    return "\n".join(lines) + "\n"


def write_markdown(path: Path, section: str) -> None:
    """Replace the text between the markers, keeping everything else (the hand-written part) as it is."""
    text = path.read_text() if path.exists() else DEFAULT_INTRO
    block = f"{BEGIN_MARKER}\n{section}{END_MARKER}\n"
    if BEGIN_MARKER in text and END_MARKER in text:
        head, rest = text.split(BEGIN_MARKER, 1)
        tail = rest.split(END_MARKER, 1)[1].lstrip("\n")
        text = head + block + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n## Results\n\n" + block
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--tests", nargs="+", default=["PING_MBULK,SET,GET"],
                        help="redis-benchmark test names (comma or space separated) or quoted command lines")
    parser.add_argument("--pipelines", nargs="+", default=["1,16"], help="pipeline depths (-P), e.g. 1,16")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of fresh servers (default 3)")
    parser.add_argument("--seconds", type=float, default=2.5, help="target duration of each run (default 2.5)")
    parser.add_argument("--clients", type=int, default=50, help="redis-benchmark -c (default 50)")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"),
                        help="Markdown file to update between the markers ('' to only print)")
    parser.add_argument("--json", default="", help="also write the summary rows as JSON to this file")
    parser.add_argument("--pin", action="store_true", help="taskset: servers on CPU 0, redis-benchmark on CPU 1")
    parser.add_argument("--budget", type=float, default=290.0, help="stop after this many seconds (default 290)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.seconds > RUN_TIMEOUT / 2:
        parser.error(f"--seconds must be in (0, {RUN_TIMEOUT / 2:g}]")
    for tool in ("redis-server", "redis-benchmark", "timeout") + (("taskset",) if args.pin else ()):
        if shutil.which(tool) is None:
            parser.error(f"{tool} not found on PATH")
    results = run(args)
    rows = summarize(results)
    section = render(rows, environment(args), results)
    print(section)
    if args.output:
        write_markdown(Path(args.output), section)
        print(f"written to {args.output}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
