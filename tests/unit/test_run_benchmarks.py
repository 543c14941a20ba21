"""The benchmark harness's pure parts (no servers): test parsing, the summary and the Markdown update."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "run_benchmarks.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_benchmarks", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_benchmarks"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_parse_tests(bench: ModuleType) -> None:
    tests = bench.parse_tests(["PING_MBULK,set", "get", "XADD s * f v"])
    assert [test.name for test in tests] == ["PING_MBULK", "SET", "GET", "XADD s * f v"]
    assert tests[1].args() == ["-t", "set"]
    assert tests[3].args() == ["XADD", "s", "*", "f", "v"]


def test_parse_tests_with_a_keyspace(bench: ModuleType) -> None:
    zadd, xadd = bench.parse_tests(["ZADD -r 100000", "XADD s * f __rand_int__ -r 50"])
    assert zadd.name == "ZADD -r 100000" and zadd.args() == ["-r", "100000", "-t", "zadd"]
    assert xadd.args() == ["-r", "50", "XADD", "s", "*", "f", "__rand_int__"]


def test_summary_uses_per_round_ratios(bench: ModuleType) -> None:
    results = bench.Results()
    for redis_ops, mini_ops in ((100.0, 50.0), (200.0, 60.0), (100.0, 70.0)):
        results.add("GET", 1, "redis", bench.Sample(redis_ops, 5.0))
        results.add("GET", 1, "miniredis", bench.Sample(mini_ops, None))
    (row,) = bench.summarize(results)
    assert row["ratio"] == 0.5 and row["ratio_min"] == 0.3 and row["ratio_max"] == 0.7
    assert row["redis_ops"] == 100.0 and row["mini_ops"] == 60.0
    assert row["redis_cpu_us"] == 5.0 and row["mini_cpu_us"] is None


def test_markdown_keeps_the_intro(bench: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Intro\n\nhand-written\n\n{bench.BEGIN_MARKER}\nold\n{bench.END_MARKER}\n\n## After\n")
    bench.write_markdown(path, "new table\n")
    text = path.read_text()
    assert text.startswith("# Intro\n\nhand-written\n\n")
    assert f"{bench.BEGIN_MARKER}\nnew table\n{bench.END_MARKER}\n" in text
    assert "old" not in text and text.endswith("## After\n")
    missing = tmp_path / "new.md"
    bench.write_markdown(missing, "table\n")
    assert missing.read_text().startswith("# Benchmarks") and bench.BEGIN_MARKER in missing.read_text()
