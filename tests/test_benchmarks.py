"""Every benchmark runner stays runnable: its smoke mode (tiny sizes) runs in every test run.

No timing is asserted: the smoke run only proves the code path works and that the runner's
built-in agreement check between crm_metrics and its peer passes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
RUNNERS = sorted(BENCHMARKS.glob("bench_*.py"))


def test_there_are_benchmarks() -> None:
    assert RUNNERS


@pytest.mark.parametrize("runner", RUNNERS, ids=lambda p: p.stem)
def test_benchmark_smoke(runner: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(runner), "--smoke"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()
    assert "ABORT" not in out.stdout
