"""The benchmark runner stays runnable: its smoke mode (tiny sizes) runs in every test run.

No timing is asserted: the smoke run only proves the code path works and that its
built-in agreement check between crm_metrics and pandas passes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_nps_benchmark_smoke() -> None:
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_nps.py"), "--smoke"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "nps by=agent" in out.stdout
    assert "ABORT" not in out.stdout
